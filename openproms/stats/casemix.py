"""Case-mix adjusted comparison of groups (services, workers, providers).

Groups serve different people: a service whose people start with worse scores, or
are older, can be expected to end with worse scores whatever it does. The
adjustment predicts each person's outcome (change, or the follow-up score) from what
is known before the service acts, by ordinary least squares on everyone:

``outcome = b0 + b1 first_score + b2 x2 + ... + e``

with numeric terms as given and each categorical factor (age band, sex, ...) as
0/1 dummies for every level but one (the reference level, the most common; the
fitted values do not depend on which). A group's **indirectly standardised mean** is

``mean(outcome in group) - mean(fitted in group) + mean(outcome, everyone)``

(observed minus expected for the people it served, put back on the scale of the
outcome), and it is compared with the overall mean on a funnel whose limits use the
residual standard deviation, ``sqrt(sum(e^2) / (n - p))``, p the number of
estimated coefficients (Spiegelhalter DJ. Funnel plots for comparing institutional
performance. Stat Med 2005;24:1185-1202; :mod:`openproms.stats.funnel`). Indirect
standardisation with a regression model is the approach of the English national
PROMs programme's case-mix adjustment (NHS Digital, PROMs methodology), which uses
many more factors than most services record.

Missing values: a numeric term must be present for everyone (drop people without
it first, and say so); a missing categorical level (None or "") is its own level,
"Not recorded", so nobody is dropped for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from openproms.stats.breakdown import NOT_RECORDED, Factor
from openproms.stats.effect_size import FloatArray
from openproms.stats.funnel import (
    Funnel,
    check_inputs,
    funnel_groups,
    group_means,
)
from openproms.stats.psychometrics import NotEnoughData

__all__ = [
    "NOT_RECORDED",
    "CasemixModel",
    "baseline_funnel",
    "casemix_funnel",
    "design_matrix",
    "fit_casemix",
    "standardised_funnel",
]


@dataclass(frozen=True, slots=True)
class CasemixModel:
    """A least-squares fit of the outcome on the case-mix terms.

    ``terms`` name the design's columns (``"intercept"``, each numeric term, and
    ``"factor: level"`` for each dummy); ``coefficients`` match them. ``rank`` is
    the number of coefficients the data can estimate (a dummy that is collinear
    with others adds nothing), ``df = n - rank``; ``residual_sd`` is
    ``sqrt(sum(residual^2) / df)``; ``r_squared`` the share of the outcome's
    variance the terms explain. ``fitted`` holds each person's expected outcome.
    """

    terms: tuple[str, ...]
    coefficients: tuple[float, ...]
    n: int
    rank: int
    df: int
    residual_sd: float
    r_squared: float
    fitted: FloatArray


def design_matrix(
    n: int,
    numeric: Mapping[str, Sequence[float] | FloatArray],
    categorical: Mapping[str, Sequence[str | None] | Factor],
) -> tuple[FloatArray, tuple[str, ...]]:
    """The intercept, the numeric terms and the dummies of each categorical factor
    (every level but the most common; ties go to the first in sorted order)."""
    columns = [np.ones(n)]
    terms = ["intercept"]
    for name, raw in numeric.items():
        arr = np.asarray(raw, dtype=np.float64)
        if arr.shape != (n,):
            raise ValueError(f"{name}: needs one value per person")
        if not np.all(np.isfinite(arr)):
            raise ValueError(
                f"{name}: every person needs a number (drop missing first)"
            )
        columns.append(arr)
        terms.append(name)
    for name, raw_levels in categorical.items():
        if len(raw_levels) != n:
            raise ValueError(f"{name}: needs one value per person")
        if isinstance(raw_levels, Factor):
            factor = raw_levels
        else:
            factor = Factor.of(lv if lv else NOT_RECORDED for lv in raw_levels)
        counts = factor.counts()
        reference = min(counts, key=lambda lv: (-counts[lv], lv))
        code_of = {level: k for k, level in enumerate(factor.levels)}
        for level in sorted(counts):
            if level == reference:
                continue
            columns.append((factor.codes == code_of[level]).astype(np.float64))
            terms.append(f"{name}: {level}")
    return np.column_stack(columns), tuple(terms)


def fit_casemix(
    outcome: Sequence[float] | FloatArray,
    *,
    numeric: Mapping[str, Sequence[float] | FloatArray] | None = None,
    categorical: Mapping[str, Sequence[str | None] | Factor] | None = None,
) -> CasemixModel:
    """Ordinary least squares of ``outcome`` on the case-mix terms (see the module
    docstring), solved by ``numpy.linalg.lstsq`` (SVD; a rank-deficient design
    still gives unique fitted values). Raises :class:`NotEnoughData` when there are
    no residual degrees of freedom."""
    y = np.asarray(outcome, dtype=np.float64)
    if y.ndim != 1 or not np.all(np.isfinite(y)):
        raise ValueError("the outcome must be one finite number per person")
    n = int(y.size)
    x, terms = design_matrix(n, numeric or {}, categorical or {})
    coef, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    df = n - int(rank)
    if df < 1:
        raise NotEnoughData(
            f"{n} people cannot fit {int(rank)} case-mix terms: more people needed"
        )
    fitted = x @ coef
    residual = y - fitted
    ss_res = float(residual @ residual)
    ss_tot = float(((y - y.mean()) ** 2).sum())
    return CasemixModel(
        terms=terms,
        coefficients=tuple(float(c) for c in coef),
        n=n,
        rank=int(rank),
        df=df,
        residual_sd=float(np.sqrt(ss_res / df)),
        r_squared=1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0,
        fitted=fitted,
    )


def casemix_funnel(
    outcome: Sequence[float],
    groups: Sequence[str],
    *,
    numeric: Mapping[str, Sequence[float] | FloatArray] | None = None,
    categorical: Mapping[str, Sequence[str | None] | Factor] | None = None,
) -> Funnel:
    """Each group's indirectly standardised mean on a funnel (Spiegelhalter 2005).

    ``outcome`` is change (or the follow-up score) per person; ``numeric`` the
    numeric case-mix terms (usually ``{"first score": ...}``); ``categorical`` the
    recorded factors (``{"age band": ..., "sex": ...}``). The adjusted mean of
    group g is ``mean_g(y) - mean_g(fitted) + mean(y)``; ``expected`` is
    ``mean(y)`` (which is also the mean of the fitted values, since the model has
    an intercept); limits ``expected +/- z s / sqrt(n_g)`` with s the residual SD
    on ``n - p`` degrees of freedom.
    """
    y = check_inputs(outcome, groups)
    model = fit_casemix(y, numeric=numeric, categorical=categorical)
    return standardised_funnel(model, y, groups)


def standardised_funnel(
    model: CasemixModel,
    outcome: Sequence[float] | FloatArray,
    groups: Sequence[str] | Factor,
) -> Funnel:
    """The funnel of :func:`casemix_funnel` from a model already fitted to
    ``outcome``: one fit serves several groupings of the same people (services,
    then workers)."""
    y = check_inputs(outcome, groups)  # type: ignore[arg-type]
    if y.size != model.n:
        raise ValueError("the model was fitted to a different number of people")
    expected = float(y.mean())
    observed = group_means(y, groups)
    predicted = group_means(model.fitted, groups)
    adjusted = {
        name: (n, mean - predicted[name][1] + expected)
        for name, (n, mean) in observed.items()
    }
    return Funnel(
        groups=funnel_groups(adjusted, expected=expected, sd=model.residual_sd),
        n=model.n,
        expected=expected,
        sd=model.residual_sd,
        df=model.df,
        method="indirectly standardised means (least-squares case-mix model)",
        adjusted_for=model.terms[1:],
        coefficients=tuple(zip(model.terms, model.coefficients, strict=True)),
    )


def baseline_funnel(
    values: Sequence[float], groups: Sequence[str], baseline: Sequence[float]
) -> Funnel:
    """The funnel adjusted for the first score alone: ``value = a + b baseline``
    by least squares on everyone, residual SD on n - 2 degrees of freedom
    (:func:`casemix_funnel` with one numeric term)."""
    if len(baseline) != len(values):
        raise ValueError("every person needs a baseline")
    return casemix_funnel(values, groups, numeric={"baseline": baseline})
