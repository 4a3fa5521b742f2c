"""Reads for feedback: one person's scores over time, for the person ("My progress",
the printable sheet) and for a clinician (the summary).

What the person sees, by design (nothing alarming without context), all in Easy Read
words from :mod:`openproms.scoring.easy_read` so that the page, the handed-over
screen and the sheet never disagree:

* a summary first: what got better, what stayed about the same and what got worse
  since they started, each scale with "since you started" (first score against
  latest) and "since last time" (the one before against latest), and the caveat once;
* per measure and scale, their scores over time as a chart, the scale's range, and
  which way is better ("A lower score is better.");
* the average where the scale has a cited norm (``scale.norms``);
* when their latest answers to a measure gave no score for a scale (questions left
  blank), that it did, which questions, and the date of the last score there is
  (never "since last time" about answers with no score);
* never: risk items, item-level answers, band labels ("severe"), caseness.

The clinician summary (:mod:`openproms.reports.clinician_summary`) adds each
score's 95% measurement-error interval (``with_intervals``, from
:func:`openproms.scoring.score_interval`), bands, caseness, the reliable-change
verdicts first vs latest and previous vs latest, and SNOMED CT codes where the
definition has a verified one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format

from openproms.accounts.models import User
from openproms.audit.services import log_action
from openproms.collection import links
from openproms.collection.answer_results import person_gettext
from openproms.collection.models import (
    Administration,
    CollectionSettings,
    SelfCompletionLink,
)
from openproms.people.models import Episode, ServiceUser
from openproms.reports.charts import BLUE, base_spec, time_locale
from openproms.scoring import (
    Change,
    Interval,
    MeasureDefinition,
    individual_change,
    score_interval,
)
from openproms.scoring.definitions import Scale
from openproms.scoring.easy_read import (
    NoScore,
    ScaleStory,
    SummaryGroup,
    Translate,
    english,
    scale_story,
    summary,
)
from openproms.translations.activation import person_language
from openproms.translations.selectors import measure_definition_in


def fmt(x: float) -> str:
    """A score without a needless ``.0``."""
    # "z": a rounded negative zero reads 0, never "-0".
    return f"{x:zg}" if x == round(x) else f"{x:z.2f}".rstrip("0").rstrip(".")


@dataclass
class Point:
    when: dt.datetime
    value: float
    band: str
    is_case: bool | None
    interval: Interval | None = None


@dataclass
class ScaleProgress:
    measure_id: str
    definition: MeasureDefinition
    scale: Scale
    points: list[Point]
    first_change: Change | None = None
    last_change: Change | None = None
    snomed: str = ""
    #: Translates the person's Easy Read words (gettext on their pages).
    tr: Translate = english
    #: When the latest answers to the measure gave no score for this scale: when
    #: they were given, and the numbers of the scale's questions left blank.
    no_score_at: dt.datetime | None = None
    blank_questions: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        label = self.scale.label
        short = self.definition.short_name
        return label if label.startswith(short) else f"{short} {label}"

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def latest_text(self) -> str:
        return f"{fmt(self.latest.value)} on {self.latest.when.day} {self.latest.when:%b %Y}"

    # ----------------------------------------------------------- person-facing

    @cached_property
    def story(self) -> ScaleStory:
        """The Easy Read words for the person (no bands, no caseness)."""
        no_score = None
        if self.no_score_at is not None:
            no_score = NoScore(
                on=_day(self.no_score_at),
                last_on=_day(self.latest.when),
                blank=self.blank_questions,
            )
        return scale_story(
            self.definition,
            self.scale.id,
            [p.value for p in self.points],
            name=self.name,
            tr=self.tr,
            no_score=no_score,
        )

    def person_chart(self) -> dict[str, Any]:
        spec = base_spec(
            title=self.tr("Your %(name)s scores") % {"name": self.name}, height=200
        )
        # Everything inside the width the page gives it (long rotated dates ran
        # off the left edge): months, level, no more of them than fit.
        spec["autosize"] = {"type": "fit", "contains": "padding"}
        # In the person's language: the axis's month names, and none of Vega's own
        # English descriptions of the marks (the figure is one image named in
        # the page's language, with the table of figures beside it).
        locale = time_locale()
        if locale is not None:
            spec["usermeta"] = {"timeFormatLocale": locale}
            spec["config"]["aria"] = False
        spec["padding"] = 8
        values = [
            {"date": p.when.date().isoformat(), "score": p.value} for p in self.points
        ]
        spec["data"] = {"values": values}
        spec["mark"] = {"type": "line", "point": {"size": 90}, "color": BLUE}
        x: dict[str, Any] = {
            "field": "date",
            "type": "temporal",
            "title": self.tr("Date"),
            "axis": self._date_axis(),
        }
        if self.no_score_at is not None:
            # The axis runs to the latest answers, which have no score to draw:
            # the last dot is not drawn as if it were now.
            first = self.points[0].when.date().isoformat()
            x["scale"] = {"domain": [first, self.no_score_at.date().isoformat()]}
        spec["encoding"] = {
            "x": x,
            "y": {
                "field": "score",
                "type": "quantitative",
                "title": self.tr("Score"),
                "scale": {"domain": [self.scale.range_min, self.scale.range_max]},
            },
        }
        return spec

    #: Up to this many scores, the date axis names each one's day.
    DATED_POINTS = 6

    def _date_axis(self) -> dict[str, Any]:
        """The date axis: each score's day when there are few (a person's first
        weeks, where a month's or quarter's start may not fall between them and
        the axis would name no date at all); else months, every month up to a
        year and every third month beyond. Labels that would overlap are left
        out."""
        axis: dict[str, Any] = {"labelAngle": 0, "labelOverlap": "greedy"}
        days = sorted({p.when.date() for p in self.points})
        if self.no_score_at is not None:
            days = sorted({*days, self.no_score_at.date()})
        if len(days) <= self.DATED_POINTS:
            axis["format"] = "%-d %b %Y"
            axis["values"] = [
                {"year": d.year, "month": d.month, "date": d.day} for d in days
            ]
            return axis
        step = 1 if (days[-1] - days[0]).days <= 366 else 3
        axis["format"] = "%b %Y"
        axis["tickCount"] = {"interval": "month", "step": step}
        return axis

    def person_rows(self) -> list[list[str]]:
        # Month names through Django's formats, so they are in the page's language.
        rows = [[_day(p.when), fmt(p.value)] for p in self.points]
        if self.no_score_at is not None:
            rows.append([_day(self.no_score_at), self.tr("No score")])
        return rows


def _day(when: dt.datetime) -> str:
    """A day as the person reads it, in the page's language: ``8 December 2026``."""
    return date_format(timezone.localtime(when), "j F Y")


@dataclass
class MeasureProgress:
    measure_id: str
    definition: MeasureDefinition
    scales: list[ScaleProgress] = field(default_factory=list)


def _snomed(scale: Scale) -> str:
    for code in scale.codes:
        if code.system == "snomed_ct" and code.source.verified:
            return code.code
    return ""


def person_progress(
    *,
    service_user: ServiceUser,
    with_intervals: bool = False,
    language: str = "en",
    tr: Translate = english,
) -> list[MeasureProgress]:
    """Every measure the person has answered, with each scale's scores in time order
    (``service_user`` must already be one the asker may see); the measures' names
    in ``language`` where a translation exists, the Easy Read words through
    ``tr``."""
    administrations = (
        Administration.objects.filter(
            organisation=service_user.organisation, service_user=service_user
        )
        .prefetch_related("results")
        .order_by("completed_at", "id")
    )
    grouped: dict[str, list[Administration]] = {}
    for administration in administrations:
        grouped.setdefault(administration.measure_id, []).append(administration)
    out: list[MeasureProgress] = []
    for measure_id, done in sorted(grouped.items()):
        latest = done[-1]
        definition = measure_definition_in(
            organisation=service_user.organisation,
            measure_id=measure_id,
            version=latest.measure_version,
            language=language,
        )
        measure = MeasureProgress(measure_id, definition)
        unscored = {r.scale_id for r in latest.results.all() if r.value is None}
        position = {item.id: n for n, item in enumerate(definition.items, 1)}
        for scale in definition.scales:
            if scale.method == "profile":
                continue
            points = [
                Point(a.completed_at, r.value, r.band, r.is_case)
                for a in done
                for r in a.results.all()
                if r.scale_id == scale.id and r.value is not None
            ]
            points = [
                p for p in points if scale.range_min <= p.value <= scale.range_max
            ]
            if not points:
                continue
            if with_intervals:
                for p in points:
                    p.interval = score_interval(definition, scale.id, p.value)
            progress = ScaleProgress(
                measure_id, definition, scale, points, snomed=_snomed(scale), tr=tr
            )
            if scale.id in unscored:
                progress.no_score_at = latest.completed_at
                answers = latest.answers or {}
                progress.blank_questions = tuple(
                    position[i]
                    for i in scale.items
                    if i in position and answers.get(i) is None
                )
            if len(points) > 1:
                progress.first_change = individual_change(
                    definition, scale.id, points[0].value, points[-1].value
                )
                progress.last_change = individual_change(
                    definition, scale.id, points[-2].value, points[-1].value
                )
            measure.scales.append(progress)
        if measure.scales:
            out.append(measure)
    return out


def person_summary(
    progress: list[MeasureProgress], tr: Translate = english
) -> tuple[SummaryGroup, ...]:
    """What got better, stayed about the same or got worse, over every scale."""
    return summary(
        (scale.story for measure in progress for scale in measure.scales), tr
    )


def results_shown_for(
    service_user: ServiceUser, episode: Episode | None = None
) -> bool:
    """Whether the person's service shows people their results (the service of the
    given episode, else of their latest episode); True when none is set."""
    if episode is None:
        episode = (
            Episode.objects.filter(service_user=service_user)
            .order_by("-start_date", "-id")
            .first()
        )
    if episode is None:
        return True
    found = CollectionSettings.objects.filter(service_id=episode.service_id).first()
    return True if found is None else found.show_results


def link_for_progress(token: str) -> SelfCompletionLink | None:
    """The link for a token while it is valid: not revoked and not expired. Unlike
    answering, a used-up link still opens the person's progress until it expires."""
    if not token or len(token) > 100:
        return None
    found = SelfCompletionLink.objects.filter(
        # The same keyed hash as answering, so the token is never stored.
        token_hash=links._keyed_hash("token", token)
    ).first()
    if found is None or found.revoked_at is not None:
        return None
    if found.expires_at <= timezone.now():
        return None
    links.name_link_organisation(found)
    return found


def link_get_valid(pk: int | None) -> SelfCompletionLink | None:
    """The link (by the session's pk) while not revoked and not expired."""
    if pk is None:
        return None
    found = SelfCompletionLink.objects.filter(pk=pk).first()
    if found is None or found.revoked_at is not None:
        return None
    if found.expires_at <= timezone.now():
        return None
    links.name_link_organisation(found)
    return found


def link_episode(link: SelfCompletionLink) -> Episode | None:
    tp = link.time_points.select_related("episode").first()
    return tp.episode if tp is not None else None


@transaction.atomic
def progress_sheet_export(
    *,
    service_user: ServiceUser,
    actor: User | None,
    large_print: bool = False,
    request: HttpRequest | None = None,
    language: str | None = None,
) -> bytes:
    """The printable progress sheet for a person (standard or large print),
    audited as an export: by a worker (``actor``), or by the person themselves from
    their own progress page (``actor`` None). In ``language`` when the person
    chose one for this visit, else in their preferred language."""
    from openproms.reports.progress_pdf import progress_pdf

    # In the person's language (the views run this inside in_language).
    words = person_gettext(service_user.organisation)
    progress = person_progress(
        service_user=service_user,
        language=language or person_language(service_user),
        tr=words,
    )
    pdf = progress_pdf(
        name=service_user.display_name,
        organisation_name=service_user.organisation.name,
        tr=words,
        progress=progress,
        today=timezone.localdate(),
        large_print=large_print,
    )
    log_action(
        action="progress.export_pdf",
        actor=actor,
        actor_label=None if actor is not None else "the person (self-completion link)",
        organisation=service_user.organisation,
        obj=service_user,
        request=request,
        detail={
            "format": "pdf",
            "variant": "large_print" if large_print else "standard",
            "measures": [m.measure_id for m in progress],
        },
    )
    return pdf
