"""Small filters for showing measure definitions in plain words."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def words(value: object) -> str:
    """``sum_times_k`` -> ``sum times k``."""
    return str(value).replace("_", " ")


@register.filter
def measure_name(measure_id: object) -> str:
    """A library measure's short name (``phq9`` -> ``PHQ-9``); other ids unchanged."""
    from openproms.scoring import MeasureNotFound, get_measure

    try:
        return get_measure(str(measure_id)).short_name
    except MeasureNotFound:
        return str(measure_id)
