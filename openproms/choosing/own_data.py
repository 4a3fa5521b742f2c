"""Psychometrics of a measure on an organisation's own stored answers.

Reads the answers (``collection.Administration``) and stored scale scores
(``collection.ScaleResult``) of one measure version and runs the pure analyses of
:mod:`openproms.stats.psychometrics` and :mod:`openproms.stats.retest` scale by
scale. Also holds the rule by which a bespoke measure counts as tested for
reliability on the organisation's own data (:func:`adequate`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from openproms.catalogue.descriptions import question_name
from openproms.collection.models import Administration, ScaleResult
from openproms.scoring import MeasureDefinition
from openproms.scoring.definitions import Scale
from openproms.stats.psychometrics import NotEnoughData, ScaleAnalysis, scale_analysis
from openproms.stats.retest import (
    DEFAULT_RETEST_MAX_DAYS,
    DEFAULT_RETEST_MIN_DAYS,
    ICC,
    Responsiveness,
    RetestAnswer,
    retest_agreement,
    retest_pairs,
    standardised_response_mean,
)

ADEQUATE_N = 100
ADEQUATE_ALPHA = 0.70
ADEQUATE_ALPHA_LOW = 0.60
"""A bespoke measure counts as tested for reliability on the organisation's own
data when every scale of two or more questions has at least 100 people who answered
every question, Cronbach's alpha of at least 0.70 and the lower end of its 95%
interval at least 0.60. The 100 people is COSMIN's threshold below which evidence
is imprecise (Prinsen CAC et al. Qual Life Res 2018;27:1147-1157); alpha of 0.70
is COSMIN's criterion for sufficient internal consistency (same paper, Table 4;
Terwee CB et al. J Clin Epidemiol 2007;60:34-42) and Nunnally & Bernstein's
minimum for group comparisons (Psychometric Theory, 3rd ed. 1994). The lower bound
of 0.60 is our judgement, not a published rule: it stops a high alpha from a
sample so uneven that its interval reaches well below 0.70 from counting."""

RETEST_WINDOW = (DEFAULT_RETEST_MIN_DAYS, DEFAULT_RETEST_MAX_DAYS)


@dataclass
class ScaleFigures:
    """One scale's figures on the organisation's answers, for the page."""

    scale: Scale
    questions: dict[str, str]  # item id -> "Question 3 (...)"
    analysis: ScaleAnalysis | None
    not_computed: str
    ranges_differ: bool
    retest: ICC | None
    retest_pairs: int
    responsiveness: Responsiveness | None
    change_pairs: int
    notes: list[str] = field(default_factory=list)

    @property
    def item_rows(self) -> list[dict[str, Any]]:
        if self.analysis is None:
            return []
        return [
            {"name": self.questions.get(s.item, s.item), "stats": s}
            for s in self.analysis.item_statistics
        ]

    @property
    def correlation_rows(self) -> list[dict[str, Any]]:
        if self.analysis is None:
            return []
        names = [question_number(self.questions.get(i, i)) for i in self.analysis.items]
        return [
            {"name": names[i], "values": row}
            for i, row in enumerate(self.analysis.inter_item_correlations)
        ]

    @property
    def correlation_names(self) -> list[str]:
        if self.analysis is None:
            return []
        return [question_number(self.questions.get(i, i)) for i in self.analysis.items]


def question_number(name: str) -> str:
    """ "Question 3 (job)" -> "Q3", for the columns of a correlation table."""
    head = name.split(" (")[0]
    return head.replace("Question ", "Q")


def _item_value(scale: Scale, item_id: str, code: Any) -> float | None:
    if code is None:
        return None
    try:
        value = float(code)
    except (TypeError, ValueError):
        return None
    recode = scale.recode.get(item_id)
    if recode is not None:
        mapped = recode.get(int(value))
        return None if mapped is None else float(mapped)
    return value


def _columns(
    definition: MeasureDefinition, scale: Scale, answers: list[dict[str, Any]]
) -> tuple[dict[str, list[float | None]], float | None, float | None, bool]:
    """One column per question of the scale, reversed questions scored min + max -
    x on their own answer range; the common range (None when they differ)."""
    by_id = {item.id: item for item in definition.items}
    ranges = set()
    columns: dict[str, list[float | None]] = {}
    for item_id in scale.items:
        rs = by_id[item_id].response_set
        low, high = float(rs.min), float(rs.max)
        if item_id in scale.recode:
            values = [float(v) for v in scale.recode[item_id].values()]
            low, high = min(values), max(values)
        ranges.add((low, high))
        column = []
        for row in answers:
            value = _item_value(scale, item_id, row.get(item_id))
            if value is not None and item_id in scale.reverse:
                value = low + high - value
            column.append(value)
        columns[item_id] = column
    if len(ranges) == 1:
        low, high = ranges.pop()
        return columns, low, high, False
    return columns, None, None, True


def _retest(
    scale: Scale, results: list[tuple[int, Any, int | None, float]]
) -> tuple[ICC | None, int]:
    answers = [
        RetestAnswer(person=person, on=when.date(), score=value)
        for person, when, _episode, value in results
    ]
    pairs = retest_pairs(answers, min_days=RETEST_WINDOW[0], max_days=RETEST_WINDOW[1])
    if len(pairs) < 2:
        return None, len(pairs)
    try:
        return retest_agreement([a for a, _ in pairs], [b for _, b in pairs]), len(
            pairs
        )
    except NotEnoughData:
        return None, len(pairs)


def _responsiveness(
    results: list[tuple[int, Any, int | None, float]],
) -> tuple[Responsiveness | None, int]:
    """First and latest score of each episode answered more than once."""
    by_episode: dict[int, list[tuple[Any, float]]] = {}
    for _person, when, episode, value in results:
        if episode is not None:
            by_episode.setdefault(episode, []).append((when, value))
    first, later = [], []
    for scores in by_episode.values():
        if len(scores) >= 2:
            scores.sort(key=lambda s: s[0])
            first.append(scores[0][1])
            later.append(scores[-1][1])
    return standardised_response_mean(first, later), len(first)


def measure_figures(
    *, definition: MeasureDefinition, administrations: QuerySet[Administration]
) -> list[ScaleFigures]:
    """Every scale's figures over ``administrations`` (one measure version)."""
    answers = list(administrations.values_list("answers", flat=True))
    stored = list(
        ScaleResult.objects.filter(
            administration__in=administrations, value__isnull=False
        ).values_list(
            "scale_id",
            "administration__service_user_id",
            "administration__completed_at",
            "administration__episode_id",
            "value",
        )
    )
    by_scale: dict[str, list[tuple[int, Any, int | None, float]]] = {}
    for scale_id, person, when, episode, value in stored:
        if value is not None and math.isfinite(value):
            by_scale.setdefault(scale_id, []).append((person, when, episode, value))
    by_id = {item.id: item for item in definition.items}
    figures = []
    for scale in definition.scales:
        questions = {i: question_name(definition, by_id[i]) for i in scale.items}
        columns, low, high, differ = _columns(definition, scale, answers)
        analysis = None
        not_computed = ""
        if len(scale.items) < 2:
            not_computed = (
                "This score comes from a single question, so how well its "
                "questions hang together cannot be worked out."
            )
        elif not answers:
            not_computed = "Nobody in your organisation has answered it yet."
        else:
            try:
                analysis = scale_analysis(columns, minimum=low, maximum=high)
            except NotEnoughData:
                not_computed = (
                    "Too few people answered every question to work anything out "
                    "(at least 3 are needed)."
                )
        results = by_scale.get(scale.id, [])
        retest, n_retest = _retest(scale, results)
        srm, n_change = _responsiveness(results)
        figures.append(
            ScaleFigures(
                scale=scale,
                questions=questions,
                analysis=analysis,
                not_computed=not_computed,
                ranges_differ=differ,
                retest=retest,
                retest_pairs=n_retest,
                responsiveness=srm,
                change_pairs=n_change,
            )
        )
    return figures


def adequate(figures: list[ScaleFigures]) -> tuple[bool, list[str]]:
    """Whether every scale of two or more questions meets :data:`ADEQUATE_N`,
    :data:`ADEQUATE_ALPHA` and :data:`ADEQUATE_ALPHA_LOW`; the reasons it does
    not, in plain words, one per scale that falls short."""
    reasons = []
    tested = 0
    for f in figures:
        if len(f.scale.items) < 2:
            continue
        a = f.analysis
        label = f.scale.label
        if a is None or a.alpha is None:
            reasons.append(f"{label}: alpha could not be worked out.")
            continue
        tested += 1
        if a.n < ADEQUATE_N:
            reasons.append(
                f"{label}: {a.n} people answered every question; "
                f"at least {ADEQUATE_N} are needed."
            )
        if a.alpha < ADEQUATE_ALPHA:
            reasons.append(
                f"{label}: alpha is {a.alpha:.2f}; at least {ADEQUATE_ALPHA:.2f} "
                "is needed."
            )
        if a.alpha_ci is None or a.alpha_ci.low < ADEQUATE_ALPHA_LOW:
            low = "unknown" if a.alpha_ci is None else f"{a.alpha_ci.low:.2f}"
            reasons.append(
                f"{label}: the lower end of alpha's interval is {low}; at least "
                f"{ADEQUATE_ALPHA_LOW:.2f} is needed."
            )
    if not tested and not reasons:
        reasons.append("No score of this measure has two or more questions.")
    return not reasons, reasons


def figures_record(figures: list[ScaleFigures]) -> list[dict[str, Any]]:
    """What is stored with a tested result: each scale's n, alpha, interval, omega."""
    out = []
    for f in figures:
        a = f.analysis
        if a is None:
            continue
        out.append(
            {
                "scale": f.scale.id,
                "label": f.scale.label,
                "n": a.n,
                "alpha": a.alpha,
                "alpha_ci": [a.alpha_ci.low, a.alpha_ci.high] if a.alpha_ci else None,
                "omega_total": a.omega_total,
            }
        )
    return out


def figures_summary(record: list[dict[str, Any]]) -> str:
    """ "Wellbeing: alpha 0.86 (95% CI 0.82 to 0.89), omega 0.87, 140 people"."""
    parts = []
    for row in record:
        text = f"{row['label']}: alpha {row['alpha']:.2f}"
        if row["alpha_ci"]:
            text += f" (95% CI {row['alpha_ci'][0]:.2f} to {row['alpha_ci'][1]:.2f})"
        if row["omega_total"] is not None:
            text += f", omega {row['omega_total']:.2f}"
        parts.append(text + f", {row['n']} people")
    return "; ".join(parts)[:500]
