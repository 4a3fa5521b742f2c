"""Measurement error of a score: its standard error of measurement (SEM), where the
figure comes from, the 95% band around a score, and why a score has none.

Formulas (measures guide §0.1; psyctc.org reliable-change pages, Chris Evans;
Jacobson & Truax 1991):

* SEM = SD x sqrt(1 - r), with r a published reliability and SD the spread of
  scores in a population like the people measured;
* a published change figure that is k x SEM gives SEM = figure / k (k = 1.96 x
  sqrt(2) for a reliable change index or minimal detectable change at 95%,
  1.645 x sqrt(2) at 90%; see :mod:`openproms.scoring.reliability`);
* the 95% band around one score is score +/- 1.96 x SEM, clipped to the range.

Where a definition gives more than one, the most direct wins: the conversion
table's standard error for this very score (PROMIS), a published SEM, an SEM
implied by a published change figure, a reliability with a reference SD, and last
reliable_change's sd and reliability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from openproms.scoring.definitions import MeasureDefinition, Scale
from openproms.scoring.sources import Source

Z95 = 1.96

Basis = Literal[
    "table",
    "published_sem",
    "published_change",
    "reliability_and_sd",
    "reliable_change",
]


def standard_error_of_measurement(sd: float, reliability: float) -> float:
    """SEM = SD * sqrt(1 - r) (psyctc.org; Jacobson & Truax 1991)."""
    if sd <= 0 or not 0 < reliability < 1:
        raise ValueError("need sd > 0 and 0 < reliability < 1")
    return sd * math.sqrt(1 - reliability)


def _num(x: float) -> str:
    return f"{x:g}" if x == round(x) else f"{x:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class MeasurementError:
    """A scale's SEM, how it was worked out (plain words with the figures) and the
    sources of the figures."""

    sem: float
    basis: Basis
    how: str
    sources: tuple[Source, ...]

    @property
    def margin(self) -> float:
        """Half the width of the 95% band around a score: 1.96 x SEM."""
        return Z95 * self.sem

    @property
    def verified(self) -> bool:
        """False when any figure it rests on is marked unverified."""
        return all(s.verified for s in self.sources)


def _from_table(scale: Scale, value: float) -> MeasurementError | None:
    if scale.conversion is None:
        return None
    for row in scale.conversion.table:
        if row.value == value and row.se is not None:
            return MeasurementError(
                row.se,
                "table",
                f"published standard error {_num(row.se)} for a score of "
                f"{_num(value)}, from the conversion table",
                (scale.conversion.source,),
            )
    return None


def _for_scale(scale: Scale) -> MeasurementError | None:
    if scale.sem is not None:
        who = f" ({scale.sem.population})" if scale.sem.population else ""
        return MeasurementError(
            scale.sem.value,
            "published_sem",
            f"published SEM {_num(scale.sem.value)}{who}",
            (scale.sem.source,),
        )
    change = scale.sem_from_change
    if change is not None:
        rescaled = (
            f" (x {_num(change.unit_factor)} in this score's points)"
            if change.unit_factor != 1
            else ""
        )
        who = f" ({change.population})" if change.population else ""
        return MeasurementError(
            change.sem,
            "published_change",
            f"the published {change.figure} of {_num(change.value)}{who}"
            f"{rescaled}, which is {change.equals}",
            (change.source,),
        )
    rel, sd = scale.reliability, scale.reference_sd
    if rel is not None and sd is not None:
        return MeasurementError(
            standard_error_of_measurement(sd.value, rel.value),
            "reliability_and_sd",
            f"SD {_num(sd.value)} ({sd.population}) x sqrt(1 - {_num(rel.value)}), "
            f"the {rel.words} ({rel.population})",
            (sd.source, rel.source),
        )
    rc = scale.reliable_change
    if rc is not None and rc.sd is not None and rc.reliability is not None:
        return MeasurementError(
            standard_error_of_measurement(rc.sd, rc.reliability),
            "reliable_change",
            f"SD {_num(rc.sd)} x sqrt(1 - {_num(rc.reliability)}), the figures "
            "given for reliable change",
            (rc.source,),
        )
    return None


def scale_measurement_error(
    scale: Scale, value: float | None = None
) -> MeasurementError | None:
    """The SEM of a scale (for ``value`` where the SEM depends on the score), by the
    order in the module docstring; None when the definition gives none."""
    if value is not None:
        found = _from_table(scale, value)
        if found is not None:
            return found
    return _for_scale(scale)


def has_measurement_error(scale: Scale) -> bool:
    """True when the definition gives an SEM for some or all of the scale's scores."""
    table = scale.conversion is not None and any(
        r.se is not None for r in scale.conversion.table
    )
    return table or _for_scale(scale) is not None


def no_sem_reason(scale: Scale) -> str | None:
    """Why the scale has no SEM, in plain words; None when it has one."""
    if has_measurement_error(scale):
        return None
    if scale.no_sem_reason:
        return scale.no_sem_reason
    if scale.method == "profile":
        return "It is a profile of answers, not an amount, so it has no band."
    rel = scale.reliability
    if rel is not None:
        return (
            f"Its {rel.words} is published ({rel.population}), but not the spread "
            "of scores (SD) in a comparable group, so the size of its measurement "
            "error cannot be worked out."
        )
    return (
        "No reliability for this score has been found in a published primary "
        "source, so the size of its measurement error is not known."
    )


@dataclass(frozen=True, slots=True)
class Interval:
    """A score with its standard error of measurement and a 95% interval."""

    value: float
    sem: float
    low: float
    high: float
    error: MeasurementError

    @property
    def source(self) -> Source:
        """The first source of the SEM's figures."""
        return self.error.sources[0]


def score_interval(
    defn: MeasureDefinition, scale_id: str, value: float
) -> Interval | None:
    """95% interval value +/- 1.96 * SEM, clipped to the scale range; None when the
    definition gives no SEM for this scale."""
    scale = defn.scale(scale_id)
    error = scale_measurement_error(scale, value)
    if error is None:
        return None
    return Interval(
        value,
        error.sem,
        max(scale.range_min, value - error.margin),
        min(scale.range_max, value + error.margin),
        error,
    )


def margin_places(scale: Scale) -> int:
    """Decimal places for a band's half-width: none for whole-number scores."""
    whole = (
        scale.method in ("sum", "sum_times_k")
        and not scale.decimals
        and (scale.k is None or float(scale.k).is_integer())
    )
    return 0 if whole else 1


_UNITS = {None: "points", "points": "points", "%": "percentage points"}


def margin_text(scale: Scale, error: MeasurementError) -> str:
    """The band in a few words: ``+/- 4 points, 95%``."""
    places = margin_places(scale)
    size = round(error.margin, places)
    shown = f"{size:.{places}f}"
    unit = _UNITS.get(scale.unit, f"{scale.unit} points")
    if unit.endswith("points points"):
        unit = unit[: -len(" points")]
    if shown in ("1", "1.0"):
        unit = unit.removesuffix("s")
    return f"+/- {shown} {unit}, 95%"
