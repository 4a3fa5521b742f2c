"""The published figures a scale's measurement error comes from, as a definition
holds them (docs/measures.md, "Measurement error").

A scale may carry, each with its ``source``:

* ``sem``: a standard error of measurement (SEM) published for this score;
* ``sem_from_change``: a published change figure that is a stated multiple of the
  SEM. A reliable change index or minimal detectable change at 95% is
  1.96 x sqrt(2) x SEM, at 90% 1.645 x sqrt(2) x SEM (Jacobson & Truax 1991, with
  the sqrt(2) of Christensen & Mendoza 1986); Löwe et al. 2004 give the PHQ-9's
  minimal clinically important difference as 2 x SEM;
* ``reliability`` (internal consistency or test-retest) and ``reference_sd``, the
  spread of scores in a population like the people measured, for
  SEM = SD x sqrt(1 - r) (psyctc.org; Jacobson & Truax 1991). A reliability may be
  recorded without an SD: it is then shown, and no SEM is worked out from it;
* ``no_sem_reason``: why no SEM can be given, in plain words.

This module holds the figures and their consistency rules;
:mod:`openproms.scoring.measurement_error` turns them into an SEM.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, cast

from openproms.scoring.sources import Source, source_from_dict

ReliabilityKind = Literal["internal_consistency", "test_retest"]
ChangeFormula = Literal["1.96 x sqrt(2) x SEM", "1.645 x sqrt(2) x SEM", "2 x SEM"]

#: How many SEMs each published change figure is.
SEM_MULTIPLE: Mapping[ChangeFormula, float] = MappingProxyType(
    {
        "1.96 x sqrt(2) x SEM": 1.96 * math.sqrt(2),
        "1.645 x sqrt(2) x SEM": 1.645 * math.sqrt(2),
        "2 x SEM": 2.0,
    }
)

RELIABILITY_WORDS: Mapping[ReliabilityKind, str] = MappingProxyType(
    {
        "internal_consistency": "internal consistency (Cronbach's alpha)",
        "test_retest": "test-retest reliability",
    }
)


@dataclass(frozen=True, slots=True)
class PublishedSem:
    """A standard error of measurement published for this score."""

    value: float
    population: str | None
    source: Source


@dataclass(frozen=True, slots=True)
class SemFromChange:
    """A published change figure that is ``equals`` (a multiple of the SEM).

    ``figure`` names it in plain words ("reliable change index (95%)");
    ``unit_factor`` turns the published units into this scale's points (1 unless
    the figure was published for a rescaled form of the same score).
    """

    value: float
    figure: str
    equals: ChangeFormula
    unit_factor: float
    population: str | None
    source: Source

    @property
    def sem(self) -> float:
        """SEM = value x unit_factor / (the multiple ``equals`` names)."""
        return self.value * self.unit_factor / SEM_MULTIPLE[self.equals]


@dataclass(frozen=True, slots=True)
class Reliability:
    """A published reliability coefficient for this score."""

    value: float
    kind: ReliabilityKind
    population: str
    source: Source

    @property
    def words(self) -> str:
        """``internal consistency (Cronbach's alpha) 0.91``."""
        return f"{RELIABILITY_WORDS[self.kind]} {self.value:g}"


@dataclass(frozen=True, slots=True)
class ReferenceSD:
    """The standard deviation of this score in a named population."""

    value: float
    population: str
    source: Source


@dataclass(frozen=True, slots=True)
class ErrorFigures:
    """Everything a scale's definition says about its measurement error."""

    sem: PublishedSem | None = None
    sem_from_change: SemFromChange | None = None
    reliability: Reliability | None = None
    reference_sd: ReferenceSD | None = None
    no_sem_reason: str | None = None

    @property
    def gives_sem(self) -> bool:
        """True when these figures alone give an SEM."""
        return (
            self.sem is not None
            or self.sem_from_change is not None
            or (self.reliability is not None and self.reference_sd is not None)
        )


def error_figures_from_dict(d: Mapping[str, Any]) -> ErrorFigures:
    """The measurement-error figures of a scale's JSON object (schema-checked)."""
    sem = d.get("sem")
    change = d.get("sem_from_change")
    rel = d.get("reliability")
    sd = d.get("reference_sd")
    return ErrorFigures(
        sem=None
        if sem is None
        else PublishedSem(
            value=float(sem["value"]),
            population=sem.get("population"),
            source=source_from_dict(sem["source"]),
        ),
        sem_from_change=None
        if change is None
        else SemFromChange(
            value=float(change["value"]),
            figure=change["figure"],
            equals=cast(ChangeFormula, change["equals"]),
            unit_factor=float(change.get("unit_factor", 1)),
            population=change.get("population"),
            source=source_from_dict(change["source"]),
        ),
        reliability=None
        if rel is None
        else Reliability(
            value=float(rel["value"]),
            kind=cast(ReliabilityKind, rel["kind"]),
            population=rel["population"],
            source=source_from_dict(rel["source"]),
        ),
        reference_sd=None
        if sd is None
        else ReferenceSD(
            value=float(sd["value"]),
            population=sd["population"],
            source=source_from_dict(sd["source"]),
        ),
        no_sem_reason=d.get("no_sem_reason"),
    )


def error_figure_problems(
    figures: ErrorFigures, *, other_sem: str | None, is_profile: bool
) -> Iterator[str]:
    """What is inconsistent in a scale's measurement-error figures.

    ``other_sem`` names another part of the scale that already gives an SEM (a
    conversion table with standard errors, or reliable_change with sd and
    reliability), or is None.
    """
    given = [
        name
        for name, part in (
            ("sem", figures.sem),
            ("sem_from_change", figures.sem_from_change),
            ("reliability", figures.reliability),
            ("reference_sd", figures.reference_sd),
        )
        if part is not None
    ]
    if is_profile and given:
        yield (
            f"{', '.join(given)}: a profile is a label, not a quantity, so it has "
            "no standard error of measurement"
        )
    if figures.sem is not None and figures.sem_from_change is not None:
        yield "give either a published sem or sem_from_change, not both"
    if figures.reference_sd is not None and figures.reliability is None:
        yield "reference_sd needs a reliability to give an SEM"
    if figures.reference_sd is not None and (
        figures.sem is not None or figures.sem_from_change is not None
    ):
        yield (
            "reference_sd is only used when no SEM is published: a published sem "
            "or sem_from_change is already given"
        )
    if figures.no_sem_reason is not None and (figures.gives_sem or other_sem):
        yield (
            "no_sem_reason says there is no SEM, but "
            f"{other_sem or 'the measurement-error figures'} give one"
        )
    if figures.no_sem_reason is not None and not figures.no_sem_reason.strip():
        yield "no_sem_reason must say why, in words"
