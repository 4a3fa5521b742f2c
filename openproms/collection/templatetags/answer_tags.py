"""Filters for the answering pages: what the definition says, as a person reads it;
and how answers came, in the organisation's words."""

from __future__ import annotations

from django import template

from openproms.collection.models import Administration
from openproms.scoring import MeasureDefinition
from openproms.scoring.phrasing import time_period_sentence

register = template.Library()


@register.filter
def time_period(definition: MeasureDefinition) -> str:
    """ "In these questions, think about the last 2 weeks." (or per question), or "".

    A definition in another language has no English sentence built for it: its
    translated time period is shown as the translation gives it (decision 0028)."""
    if definition.language != "en":
        return definition.recall_period or ""
    return time_period_sentence(definition) or ""


@register.filter
def origin_in(administration: Administration, worker: str) -> str:
    """``{{ a|origin_in:terms.worker }}``: how the answers came, with the
    organisation's word for the staff who collect ("With a clinician, on screen")."""
    return administration.origin_for(worker)
