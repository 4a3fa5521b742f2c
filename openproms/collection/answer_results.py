"""What a person reads after answering: each scale's score, band and change since
last time in plain words, whether to show their organisation's support text, and
whether their service shows results at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from openproms.accounts.terms import at_practice
from openproms.catalogue.selectors import measure_definition
from openproms.collection.answer_selectors import settings_for
from openproms.collection.models import Administration
from openproms.scoring import MeasureDefinition, Scale, moved_the_wrong_way
from openproms.scoring.easy_read import (
    Translate,
    numbers_listed,
    practice_words,
    scale_story,
)


def person_gettext(organisation: object) -> Translate:
    """``gettext`` for the person's own pages and sheet, in their organisation's
    words: a GP practice's patients read "your care team" for "your worker"."""
    return practice_words(gettext) if at_practice(organisation) else gettext


def _fmt(value: float) -> str:
    return f"{value:g}" if value == round(value) else f"{value:.2f}".rstrip("0")


@dataclass(frozen=True)
class ScaleLine:
    """One scale as a person sees it after answering."""

    label: str
    value: str | None
    out_of: str
    band: str
    meaning: str
    change: tuple[str, ...]


def _scores_last_time(administration: Administration) -> dict[str, float | None]:
    """Each scale's score the last time this person answered this measure."""
    previous = (
        Administration.objects.filter(
            service_user=administration.service_user,
            measure_id=administration.measure_id,
            completed_at__lt=administration.completed_at,
        )
        .exclude(pk=administration.pk)
        .order_by("-completed_at", "-id")
        .first()
    )
    return {r.scale_id: r.value for r in previous.results.all()} if previous else {}


def _earlier_scores(administration: Administration) -> dict[str, list[float]]:
    """Each scale's earlier scores for this person on this measure, oldest first
    (answers with no score left out), for the same words as their progress page."""
    earlier: dict[str, list[float]] = {}
    previous = (
        Administration.objects.filter(
            service_user=administration.service_user,
            measure_id=administration.measure_id,
            completed_at__lt=administration.completed_at,
        )
        .exclude(pk=administration.pk)
        .order_by("completed_at", "id")
        .prefetch_related("results")
    )
    for answered in previous:
        for result in answered.results.all():
            if result.value is not None:
                earlier.setdefault(result.scale_id, []).append(result.value)
    return earlier


def no_score_meaning(
    administration: Administration, definition: MeasureDefinition, scale: Scale
) -> str:
    """Why a scale has no score, naming the questions left blank (by their numbers
    on the form) and how many this score may have blank."""
    position = {item.id: n for n, item in enumerate(definition.items, 1)}
    answers = administration.answers or {}
    blank = [position[i] for i in scale.items if answers.get(i) is None]
    allowed = scale.missing.max_missing
    if len(blank) <= allowed:
        # Not from the answers as stored now (a definition changed since?).
        return gettext(
            "There is no score this time because too many questions were left blank."
        )
    numbers = numbers_listed(blank, gettext)
    if allowed == 0:
        return ngettext(
            "There is no score this time because question %(numbers)s was left "
            "blank and this score needs every question answered.",
            "There is no score this time because questions %(numbers)s were left "
            "blank and this score needs every question answered.",
            len(blank),
        ) % {"numbers": numbers}
    return ngettext(
        "There is no score this time because questions %(numbers)s were left "
        "blank and this score can have at most %(allowed)s question left blank.",
        "There is no score this time because questions %(numbers)s were left "
        "blank and this score can have at most %(allowed)s questions left blank.",
        allowed,
    ) % {"numbers": numbers, "allowed": allowed}


def band_name(scale: Scale, value: float, stored: str) -> str:
    """The name of the band ``value`` is in, from ``scale`` (so in the language of
    the definition the person reads: the stored name is the English one it was
    scored with); the stored name when the scale has no band for it."""
    if scale.bands is not None:
        index = scale.bands.index_of(value)
        if index is not None:
            return scale.bands.bands[index].label
    return stored


def _band_sentence(scale: Scale, value: float, band: str) -> str:
    """Which range a score is in; for a score between two ranges as written (6.67
    between "0 to 6" and "7 to 12", possible when a blank answer is filled in),
    both ranges and that it counts in the lower one (``Bands.between``)."""
    below = scale.bands.between(value) if scale.bands is not None else None
    if scale.bands is None or below is None:
        return gettext("This is in the range called “%(band)s”.") % {"band": band}
    low, high = scale.bands.bands[below], scale.bands.bands[below + 1]
    return gettext(
        "Your score falls between the range called “%(low)s” (%(low_min)s to "
        "%(low_max)s) and the range called “%(high)s” (%(high_min)s to "
        "%(high_max)s), so it counts in the lower one, “%(low)s”."
    ) % {
        "low": band,
        "low_min": _fmt(low.min),
        "low_max": _fmt(low.max),
        "high": band_name(scale, high.min, high.label),
        "high_min": _fmt(high.min),
        "high_max": _fmt(high.max),
    }


def result_lines(
    administration: Administration, definition: MeasureDefinition
) -> list[ScaleLine]:
    """Each scale's score, band and change since last time, in plain words.

    Never includes answers to single items (so never a risk item's content).
    """
    earlier = _earlier_scores(administration)
    lines = []
    # In the order the measure defines its scales (ONS4: life satisfaction first).
    order = {scale.id: n for n, scale in enumerate(definition.scales)}
    results = sorted(
        (r for r in administration.results.all() if r.scale_id in order),
        key=lambda r: order[r.scale_id],
    )
    for result in results:
        scale = definition.scale(result.scale_id)
        if scale.method == "profile":
            continue
        if result.value is None:
            lines.append(
                ScaleLine(
                    label=scale.label,
                    value=None,
                    out_of="",
                    band="",
                    meaning=no_score_meaning(administration, definition, scale),
                    change=(),
                )
            )
            continue
        meaning = (
            gettext("On this questionnaire a higher score is better.")
            if scale.higher_is_better
            else gettext("On this questionnaire a lower score is better.")
        )
        band = band_name(scale, result.value, result.band)
        if band:
            meaning = _band_sentence(scale, result.value, band) + " " + meaning
        # The same Easy Read words as the person's progress page and sheet
        # (scoring.easy_read): since they started, and since last time.
        change: tuple[str, ...] = ()
        history = earlier.get(result.scale_id, [])
        if history:
            try:
                change = scale_story(
                    definition,
                    result.scale_id,
                    [*history, result.value],
                    tr=person_gettext(administration.organisation),
                ).summary_lines
            except ValueError:
                change = ()
        lines.append(
            ScaleLine(
                label=scale.label,
                value=_fmt(result.value),
                out_of=gettext("%(min)s to %(max)s")
                % {"min": _fmt(scale.range_min), "max": _fmt(scale.range_max)},
                band=band,
                meaning=meaning,
                change=change,
            )
        )
    return lines


def support_needed(administrations: Sequence[Administration]) -> bool:
    """Whether the person should be shown their organisation's support text: one of
    these answers raised a risk alert, or a score moved the wrong way since last
    time (reliable deterioration or a worse band: ``moved_the_wrong_way``)."""
    for administration in administrations:
        if administration.alerts.exists():
            return True
        before = _scores_last_time(administration)
        if not before:
            continue
        definition = measure_definition(
            organisation=administration.organisation,
            measure_id=administration.measure_id,
            version=administration.measure_version,
        )
        for result in administration.results.all():
            earlier = before.get(result.scale_id)
            if earlier is None or result.value is None:
                continue
            try:
                if moved_the_wrong_way(
                    definition, result.scale_id, earlier, result.value
                ):
                    return True
            except (KeyError, ValueError):
                continue  # a scale or range the current definition no longer has
    return False


def results_shown(administration: Administration) -> bool:
    """Whether the service shows people their results (or only a thank-you)."""
    episode = administration.episode
    if episode is None:
        return True
    found = settings_for(episode.service)
    return True if found is None else found.show_results
