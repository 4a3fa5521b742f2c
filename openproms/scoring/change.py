"""Individual change between two scores of the same scale, and measurement error.

Formulas (measures guide §0; psyctc.org reliable-change pages, Chris Evans; Jacobson
& Truax 1991, with the sqrt(2) of Christensen & Mendoza 1986):

* SEM: :mod:`openproms.scoring.measurement_error`
* S_diff = sqrt(2 * SEM^2) = SEM * sqrt(2)
* Jacobson & Truax minimum reliable change = 1.96 * S_diff (= 2.77 * SEM)
* reliable change: ``abs(delta) >= threshold`` with the definition's raw threshold
  (NHS Talking Therapies convention: "6 or more" on PHQ-9), or with 1.96 * S_diff
  when the definition gives SD and reliability instead.
* caseness before / after (:func:`caseness_phrase` says where a score stands
  against the cut-off, the right way round); recovery = a case at the start and
  not at the end; reliable recovery = recovery with reliable improvement (NHS Talking Therapies);
  reliable deterioration = reliable change in the worse direction.

Facts marked unverified in the definition are never used silently: the sentences
say so and :attr:`Change.caveats` lists them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from openproms.scoring.definitions import Caseness, MeasureDefinition, Scale
from openproms.scoring.measurement_error import (
    Z95,
    scale_measurement_error,
    standard_error_of_measurement,
)


def standard_error_of_difference(sem: float) -> float:
    """S_diff = sqrt(2 * SEM^2) = SEM * sqrt(2) (Christensen & Mendoza 1986)."""
    return math.sqrt(2 * sem * sem)


def jacobson_truax_threshold(sd: float, reliability: float) -> float:
    """Minimum reliable raw change = 1.96 * S_diff (Jacobson & Truax 1991)."""
    return Z95 * standard_error_of_difference(
        standard_error_of_measurement(sd, reliability)
    )


def reliable_change_index(
    before: float, after: float, sd: float, reliability: float
) -> float:
    """RCI = (after - before) / S_diff; reliable when abs(RCI) > 1.96 (J&T 1991)."""
    s_diff = standard_error_of_difference(
        standard_error_of_measurement(sd, reliability)
    )
    return (after - before) / s_diff


Verdict = Literal["improved", "deteriorated", "no_change"]


@dataclass(frozen=True, slots=True)
class Change:
    """Individual change on one scale; None fields mean "cannot be said"."""

    measure_id: str
    scale_id: str
    before: float
    after: float
    delta: float
    direction: Verdict
    threshold: float | None
    threshold_method: Literal["raw", "jacobson_truax"] | None
    threshold_verified: bool | None
    s_diff: float | None
    reliable: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    deterioration_verified: bool | None
    mid: float | None
    meaningful: bool | None
    case_before: bool | None
    case_after: bool | None
    recovered: bool | None
    reliable_recovery: bool | None
    caveats: tuple[str, ...]
    person_sentence: str
    clinician_sentence: str


def _fmt(x: float) -> str:
    return f"{x:g}" if x == round(x) else f"{x:.2f}".rstrip("0").rstrip(".")


def _points(x: float) -> str:
    return f"{_fmt(x)} point" + ("" if abs(x) == 1 else "s")


def individual_change(
    defn: MeasureDefinition, scale_id: str, before: float, after: float
) -> Change:
    """Compare two scores of one scale for one person (rules in the module docstring).

    Raises ValueError if a score is outside the scale's range.
    """
    scale = defn.scale(scale_id)
    for v in (before, after):
        if not scale.range_min <= v <= scale.range_max:
            raise ValueError(
                f"{v} is outside the range of {defn.key} {scale_id} "
                f"({_fmt(scale.range_min)}-{_fmt(scale.range_max)})"
            )
    if scale.method == "profile":
        raise ValueError(
            f"{defn.key} {scale_id} is a profile (a label), not a quantity"
        )
    delta = after - before
    better = delta > 0 if scale.higher_is_better else delta < 0
    direction: Verdict = (
        "no_change" if delta == 0 else ("improved" if better else "deteriorated")
    )
    caveats: list[str] = []
    dir_ok = scale.direction_source is None or scale.direction_source.verified
    if not dir_ok:
        caveats.append("which direction is better is not verified for this measure")

    threshold = s_diff = None
    method: Literal["raw", "jacobson_truax"] | None = None
    t_verified = d_verified = None
    rc = scale.reliable_change
    if rc is not None:
        if rc.threshold is not None:
            threshold, method = rc.threshold, "raw"
        else:
            assert rc.sd is not None and rc.reliability is not None
            s_diff = standard_error_of_difference(
                standard_error_of_measurement(rc.sd, rc.reliability)
            )
            threshold, method = Z95 * s_diff, "jacobson_truax"
        t_verified = rc.source.verified
        d_source = rc.deterioration_source or rc.source
        d_verified = d_source.verified
        if not t_verified:
            caveats.append("the reliable-change threshold is not verified")
        if not d_verified and t_verified:
            caveats.append("the reliable-deterioration threshold is not verified")
    error = scale_measurement_error(scale)
    if s_diff is None and error is not None:
        s_diff = standard_error_of_difference(error.sem)

    reliable = rel_imp = rel_det = None
    if threshold is not None:
        reliable = abs(delta) >= threshold
        rel_imp = reliable and direction == "improved"
        rel_det = reliable and direction == "deteriorated"

    mid = meaningful = None
    if scale.mid is not None:
        mid = scale.mid.value
        meaningful = abs(delta) >= mid
        if not scale.mid.source.verified:
            caveats.append("the minimal important difference is not verified")

    case_before = case_after = recovered = rel_rec = None
    if scale.caseness is not None:
        case_before = scale.caseness.is_case(before)
        case_after = scale.caseness.is_case(after)
        recovered = case_before and not case_after
        if rel_imp is not None:
            rel_rec = recovered and rel_imp
        if not scale.caseness.source.verified:
            caveats.append("the caseness cut-off is not verified")

    person = _person_sentence(
        scale,
        before,
        after,
        delta,
        direction,
        threshold,
        t_verified,
        d_verified,
        mid,
        dir_ok,
        mid_verified=scale.mid is None or scale.mid.source.verified,
    )
    clinician = _clinician_sentence(
        defn,
        scale,
        before,
        after,
        delta,
        direction,
        threshold,
        method,
        t_verified,
        d_verified,
        s_diff,
        reliable,
        mid,
        meaningful,
        case_before,
        case_after,
        recovered,
        rel_rec,
        caveats,
    )
    return Change(
        defn.id,
        scale_id,
        before,
        after,
        delta,
        direction,
        threshold,
        method,
        t_verified,
        s_diff,
        reliable,
        rel_imp,
        rel_det,
        d_verified,
        mid,
        meaningful,
        case_before,
        case_after,
        recovered,
        rel_rec,
        tuple(caveats),
        person,
        clinician,
    )


def moved_the_wrong_way(
    defn: MeasureDefinition, scale_id: str, before: float, after: float
) -> bool:
    """Whether a score moved the worse way enough to offer the person support: a
    reliable deterioration (:func:`individual_change`), or into a worse band of the
    scale's published bands (e.g. ONS4 anxiety from "Low" to "Medium"). A profile
    (a label, not a quantity) never has.

    Raises ValueError if a score is outside the scale's range.
    """
    scale = defn.scale(scale_id)
    if scale.method == "profile":
        return False
    if individual_change(defn, scale_id, before, after).reliable_deterioration:
        return True
    if scale.bands is None:
        return False
    was, now = scale.bands.index_of(before), scale.bands.index_of(after)
    if was is None or now is None:
        return False
    return now < was if scale.higher_is_better else now > was


def caseness_rule(caseness: Caseness) -> str:
    """The cut-off in a few words: ``8 or more``, or ``a case is below 24``."""
    threshold = _fmt(caseness.threshold)
    if caseness.case_when == "at_or_above":
        return f"{threshold} or more"
    return f"a case is below {threshold}"


def caseness_phrase(caseness: Caseness, value: float) -> str:
    """Where a score stands against the cut-off, the right way round: ``below the
    caseness threshold (8 or more)`` for a score of 3 when 8 or more is a case."""
    above = value >= caseness.threshold
    side = "at or above" if above else "below"
    return f"{side} the caseness threshold ({caseness_rule(caseness)})"


def _mid_line(mid: float, verified: bool) -> str:
    line = f"Changes of {_fmt(mid)} or more are usually large enough to matter"
    if not verified:
        line += " (this figure has not yet been checked against its published source)"
    return line + "."


def _person_sentence(
    scale: Scale,
    before: float,
    after: float,
    delta: float,
    direction: Verdict,
    threshold: float | None,
    t_verified: bool | None,
    d_verified: bool | None,
    mid: float | None,
    dir_ok: bool,
    mid_verified: bool = True,
) -> str:
    if delta == 0:
        parts = [f"Your score is the same as last time ({_fmt(after)})."]
    else:
        verb = "rose" if delta > 0 else "fell"
        parts = [
            f"Your score {verb} by {_points(abs(delta))}, "
            f"from {_fmt(before)} to {_fmt(after)}."
        ]
        good = "higher" if scale.higher_is_better else "lower"
        if dir_ok:
            meaning = (
                "a move in the right direction"
                if direction == "improved"
                else "a move in the wrong direction"
            )
            parts.append(
                f"On this questionnaire a {good} score is better, so this is {meaning}."
            )
    if threshold is not None:
        unverified = t_verified is False or (
            direction == "deteriorated" and d_verified is False
        )
        line = (
            f"Changes of {_fmt(threshold)} or more are usually a real change, "
            "not chance"
        )
        if unverified:
            line += (
                " (this figure has not yet been checked against its published "
                "source, so treat it with care)"
            )
        parts.append(line + ".")
        if mid is not None and mid != threshold:
            parts.append(
                f"Changes of {_fmt(mid)} or more are usually large enough to matter."
            )
    elif mid is not None:
        parts.append(_mid_line(mid, mid_verified))
    else:
        parts.append(
            "There is no agreed figure for how big a change must be to be more than "
            "chance, so talk about what has changed rather than the number alone."
        )
    return " ".join(parts)


def _clinician_sentence(
    defn: MeasureDefinition,
    scale: Scale,
    before: float,
    after: float,
    delta: float,
    direction: Verdict,
    threshold: float | None,
    method: str | None,
    t_verified: bool | None,
    d_verified: bool | None,
    s_diff: float | None,
    reliable: bool | None,
    mid: float | None,
    meaningful: bool | None,
    case_before: bool | None,
    case_after: bool | None,
    recovered: bool | None,
    rel_rec: bool | None,
    caveats: list[str],
) -> str:
    dir_text = "higher is better" if scale.higher_is_better else "higher is worse"
    sign = "+" if delta > 0 else ""
    name = (
        scale.label
        if scale.label.startswith(defn.short_name)
        else f"{defn.short_name} {scale.label}"
    )
    parts = [
        f"{name}: {_fmt(before)} -> {_fmt(after)} "
        f"(change {sign}{_fmt(delta)}; {dir_text})."
    ]
    if threshold is not None and scale.reliable_change is not None:
        how = (
            "raw threshold"
            if method == "raw"
            else "1.96 times the standard error of the difference (Jacobson & Truax)"
        )
        if reliable:
            worse_unverified = direction == "deteriorated" and d_verified is False
            verdict = (
                "reliable improvement"
                if direction == "improved"
                else "reliable deterioration"
                + (
                    " (threshold for deterioration unverified)"
                    if worse_unverified
                    else ""
                )
            )
        else:
            verdict = "not a reliable change"
        flag = "" if t_verified else " [UNVERIFIED threshold]"
        parts.append(
            f"Reliable change needs {_fmt(threshold)} or more ({how}; "
            f"{scale.reliable_change.source.citation}){flag}: {verdict}."
        )
    else:
        parts.append(
            "No reliable-change threshold in the definition: no verdict given."
        )
    if s_diff is not None:
        parts.append(
            "Measurement error: the standard error of the difference is "
            f"{s_diff:.2f}, so a 95% band for change from measurement error alone "
            f"is +/-{Z95 * s_diff:.2f}."
        )
    if mid is not None and scale.mid is not None:
        parts.append(
            f"Minimal important difference {_fmt(mid)} ({scale.mid.source.citation}): "
            f"{'reached' if meaningful else 'not reached'}."
        )
    if scale.caseness is not None:
        yn = {True: "a case", False: "not a case", None: "unknown"}
        line = (
            f"Caseness ({caseness_rule(scale.caseness)}): {yn[case_before]} at the "
            f"start, {yn[case_after]} at the end"
        )
        if recovered:
            line += "; recovered"
            if rel_rec:
                line += " (reliable recovery)"
        parts.append(line + ".")
    if caveats:
        parts.append("Caution: " + "; ".join(caveats) + ".")
    return " ".join(parts)
