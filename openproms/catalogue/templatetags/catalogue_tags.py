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
    """A measure's short name (``phq9`` -> ``PHQ-9``): a library measure's, or an
    organisation's own (designed measures' ids are unique across organisations,
    decision 0026; on PostgreSQL row-level security shows only the asking
    organisation's); other ids unchanged."""
    from openproms.catalogue.models import BespokeMeasure
    from openproms.scoring import MeasureNotFound, get_measure

    try:
        return get_measure(str(measure_id)).short_name
    except MeasureNotFound:
        own = (
            BespokeMeasure.objects.filter(
                measure_id=str(measure_id), status=BespokeMeasure.Status.PUBLISHED
            )
            .order_by("-created_at")
            .values_list("definition", flat=True)
            .first()
        )
        return str(own["short_name"]) if own else str(measure_id)


@register.filter
def full_name(definition: object) -> str:
    """A measure's title without a repeat of its short name ("" when the title
    would only repeat it), for showing under the short name."""
    from openproms.scoring import MeasureDefinition
    from openproms.scoring import full_name as name

    return name(definition) if isinstance(definition, MeasureDefinition) else ""


@register.filter
def num(value: object) -> str:
    """A number as people write it: ``27.0`` -> ``27``, ``3.99`` -> ``3.99``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:g}"


@register.filter
def without_stop(text: object) -> str:
    """Text without a final full stop, for a sentence that adds its own."""
    shown = str(text).rstrip()
    return shown[:-1] if shown.endswith(".") else shown


@register.simple_tag(takes_context=True)
def alert_answer(context: template.Context, alert: object) -> str:
    """What a risk alert was raised on, as the person answering saw it:
    ``question 9, answered “More than half the days” (2)``; the question's
    number and the answer's code alone when the wording is not held."""
    from django.http import Http404

    from openproms.catalogue.descriptions import question_numbers
    from openproms.catalogue.selectors import measure_definition

    administration = getattr(alert, "administration", None)
    item_id, code = getattr(alert, "item_id", ""), getattr(alert, "code", None)
    organisation = getattr(context.get("request"), "organisation", None)
    try:
        definition = measure_definition(
            organisation=organisation,
            measure_id=administration.measure_id,  # type: ignore[union-attr]
            version=administration.measure_version,  # type: ignore[union-attr]
        )
    except Http404:
        return f"answer {code}"
    number = question_numbers(definition).get(str(item_id))
    item = next((i for i in definition.items if i.id == item_id), None)
    label = None
    if item is not None and not item.response_set.is_range:
        label = next(
            (o.label for o in item.response_set.options if o.code == code), None
        )
    asked = f"question {number}" if number else "a question"
    answered = f"answered “{label}” ({code})" if label else f"answered {code}"
    return f"{asked}, {answered}"
