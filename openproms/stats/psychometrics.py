"""How well a set of questions hangs together, on an organisation's own answers.

Classical item analysis of one scale (or of each subscale of a measure): Cronbach's
alpha with Feldt's confidence interval, McDonald's omega total from a one-factor
model, and per question its mean, SD, corrected item-total correlation, alpha if it
were dropped, the share of people at the lowest and highest possible answer, and how
many left it unanswered; the inter-item correlations; the share of people at the
lowest and highest possible total; and plain warnings when the sample is too small
to trust or a question behaves oddly. Each function's docstring gives its formula and
reference; docs/stats.md has them all. Test-retest agreement and responsiveness are
in :mod:`openproms.stats.retest`.

Input is one column of answers per question (equal lengths, one entry per person;
``None`` or NaN is a missing answer). People who left any question of the scale
unanswered are left out of every statistic (listwise deletion) and counted per
question in ``missing``. Reverse-keyed questions are scored ``minimum + maximum - x``
before anything is computed.

Reference implementation: R's psych package (Revelle), ``alpha()`` and ``omega(...,
nfactors = 1)``; the tests pin every figure to psych 2.2.9 on public data
(tests/stats/data/psych_reference.R).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from openproms.stats.distributions import f_quantile
from openproms.stats.effect_size import FloatArray

Column = Sequence[float | None] | FloatArray

MIN_ROWS = 3
"""Fewer complete answers than this and nothing is computed (a variance needs two,
and a correlation between three people is the least that can be anything but +/-1)."""

IMPRECISE_BELOW = 100
VERY_IMPRECISE_BELOW = 50
"""COSMIN grades evidence on a measurement property from fewer than 100 people as
imprecise ("serious", down one level) and from fewer than 50 as very imprecise
("very serious", down two): Prinsen CAC, Mokkink LB, Bouter LM et al. COSMIN
guideline for systematic reviews of patient-reported outcome measures. Qual Life Res
2018;27:1147-1157 (the imprecision rule of its modified GRADE approach)."""

FACTOR_ITEMS_PER_PERSON_INADEQUATE = 5
FACTOR_ITEMS_PER_PERSON_ADEQUATE_SMALL = 6
"""COSMIN's sample size for a factor model (structural validity, classical test
theory): at least 7 times the number of items and at least 100 is very good; at
least 5 times and at least 100, or at least 6 times below 100, is adequate; 5 times
below 100 is doubtful; fewer than 5 times is inadequate. Mokkink LB, de Vet HCW,
Prinsen CAC et al. COSMIN Risk of Bias checklist for systematic reviews of
patient-reported outcome measures. Qual Life Res 2018;27:1171-1179 (box 3)."""

FLOOR_CEILING_SHARE = 15.0
"""Floor or ceiling effects are present when more than 15% of people have the lowest
or highest possible score: Terwee CB, Bot SDM, de Boer MR et al. Quality criteria
were proposed for measurement properties of health status questionnaires. J Clin
Epidemiol 2007;60:34-42 (after McHorney & Tarlov 1995, Qual Life Res 4:293)."""

MIN_FACTOR_ITEMS = 3
"""A one-factor model needs at least three questions: with two, only the product of
their loadings is determined by their one correlation, so omega is not identified
(McDonald 1999, ch. 6)."""

HEYWOOD_UNIQUENESS = 0.005
"""The smallest uniqueness the one-factor fit allows (psych's ``fa`` bounds its
minres search at the same 0.005), so a question cannot explain more than 99.5%
of its own variance (a Heywood case)."""


class NotEnoughData(ValueError):
    """Too few complete answers or too few questions to compute anything."""


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval with its level (0.95 for 95%) and method."""

    low: float
    high: float
    confidence: float
    method: str


@dataclass(frozen=True, slots=True)
class ItemStatistics:
    """One question's figures, over the people who answered every question.

    ``corrected_item_total`` is the correlation of the question with the total of
    the *other* questions; ``alpha_if_dropped`` is alpha of the other questions
    (None with only two questions). ``floor`` and ``ceiling`` are the % of people
    at the lowest and highest possible answer (None when the range is not given).
    ``missing`` counts the people (of all rows) who left this question unanswered.
    A figure that cannot be computed (a question everyone answered the same) is None.
    """

    item: str
    mean: float
    sd: float
    corrected_item_total: float | None
    alpha_if_dropped: float | None
    floor: float | None
    ceiling: float | None
    missing: int


@dataclass(frozen=True, slots=True)
class OneFactorModel:
    """A one-factor model of a correlation matrix: loadings, uniquenesses and how it
    was fitted (``iterations`` of iterated principal axes to convergence)."""

    loadings: tuple[float, ...]
    uniquenesses: tuple[float, ...]
    iterations: int
    converged: bool


@dataclass(frozen=True, slots=True)
class ScaleAnalysis:
    """Item analysis of one scale or subscale (see the module docstring).

    ``rows`` people in the input, ``n`` of them answered every question (the
    statistics are over these), ``excluded = rows - n``. ``floor`` / ``ceiling``
    are the % of the n at the lowest / highest possible total. ``warnings`` are
    plain sentences about what not to trust, each with its threshold and source.
    """

    items: tuple[str, ...]
    rows: int
    n: int
    excluded: int
    alpha: float | None
    alpha_ci: Interval | None
    omega_total: float | None
    factor: OneFactorModel | None
    item_statistics: tuple[ItemStatistics, ...]
    inter_item_correlations: tuple[tuple[float | None, ...], ...]
    mean_inter_item_correlation: float | None
    floor: float | None
    ceiling: float | None
    warnings: tuple[str, ...]


# ------------------------------------------------------------------ formulas


def cronbach_alpha(x: FloatArray) -> float | None:
    """Cronbach's alpha of the columns of ``x`` (people x questions, no missing).

    ``alpha = k / (k - 1) * (1 - sum(s_i^2) / s_T^2)``, s_i^2 the variance of
    question i and s_T^2 the variance of the total score (Cronbach LJ. Coefficient
    alpha and the internal structure of tests. Psychometrika 1951;16:297-334). This
    is psych's ``raw_alpha`` (from covariances, not correlations). None with fewer
    than two questions or two people, or when the total does not vary.
    """
    n, k = x.shape
    if k < 2 or n < 2:
        return None
    total_var = float(np.var(x.sum(axis=1), ddof=1))
    if not total_var > 0:
        return None
    item_var = float(np.var(x, axis=0, ddof=1).sum())
    return float(k / (k - 1) * (1.0 - item_var / total_var))


def alpha_interval(
    alpha: float, n: int, k: int, confidence: float = 0.95
) -> Interval | None:
    """Feldt's confidence interval for Cronbach's alpha.

    ``(1 - alpha) / (1 - alpha_pop)`` follows an F distribution with ``n - 1`` and
    ``(n - 1)(k - 1)`` degrees of freedom, so the interval is ``1 - (1 - alpha)
    F(1 - g/2)`` to ``1 - (1 - alpha) F(g/2)``, g = 1 - confidence (Feldt LS. The
    approximate sampling distribution of Kuder-Richardson reliability coefficient
    twenty. Psychometrika 1965;30:357-370; Feldt LS, Woodruff DJ, Salih FA.
    Statistical inference for coefficient alpha. Appl Psychol Meas 1987;11:93-103).
    psych's ``alpha.ci`` and the "Feldt" line of ``alpha()`` use this formula. The
    F quantiles are :func:`openproms.stats.distributions.f_quantile`. None with
    fewer than two people or two questions.
    """
    if n < 2 or k < 2 or not 0.0 < confidence < 1.0:
        return None
    g = 1.0 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1.0 - (1.0 - alpha) * f_quantile(1.0 - g / 2.0, df1, df2)
    high = 1.0 - (1.0 - alpha) * f_quantile(g / 2.0, df1, df2)
    return Interval(low, high, confidence, "Feldt (1965)")


def correlation_matrix(x: FloatArray) -> FloatArray:
    """Pearson correlations of the columns of ``x``; NaN where a column is constant."""
    sd = x.std(axis=0, ddof=1)
    centred = x - x.mean(axis=0)
    cov = centred.T @ centred / (x.shape[0] - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r: FloatArray = cov / np.outer(sd, sd)
    r[np.outer(sd, sd) == 0] = np.nan
    np.fill_diagonal(r, 1.0)
    return r


def corrected_item_total(x: FloatArray) -> list[float | None]:
    """Each column's correlation with the sum of the other columns.

    ``r(x_i, T - x_i)``, T the total: the "corrected" item-total correlation, which
    leaves the question out of the total so it is not correlated with itself
    (Nunnally & Bernstein, Psychometric Theory, 3rd ed., 1994, ch. 8; psych's
    ``r.drop``). None where the question or the rest does not vary.
    """
    total = x.sum(axis=1)
    out: list[float | None] = []
    for i in range(x.shape[1]):
        rest = total - x[:, i]
        out.append(_pearson(x[:, i], rest))
    return out


def alpha_if_dropped(x: FloatArray) -> list[float | None]:
    """Cronbach's alpha of the other columns, for each column left out in turn
    (psych's ``alpha.drop``; None when fewer than two questions would remain)."""
    k = x.shape[1]
    return [cronbach_alpha(np.delete(x, i, axis=1)) for i in range(k)]


def floor_ceiling(
    values: FloatArray, lowest: float, highest: float
) -> tuple[float, float]:
    """The % of ``values`` at the lowest and at the highest possible value.

    Applied to each question (its answer range) and to the total (k times the
    answer range). Floor or ceiling effects are usually said to be present above
    15% (Terwee et al. 2007, J Clin Epidemiol 60:34; :data:`FLOOR_CEILING_SHARE`).
    """
    if values.size == 0:
        raise ValueError("no values")
    return (
        100.0 * float(np.mean(values == lowest)),
        100.0 * float(np.mean(values == highest)),
    )


def one_factor_minres(
    r: FloatArray, *, tolerance: float = 1e-12, max_iterations: int = 10_000
) -> OneFactorModel:
    """One-factor minimum residual (unweighted least squares) fit of a correlation
    matrix.

    Minimises ``sum_{i != j} (r_ij - l_i l_j)^2``. Solved by iterated principal
    axes: start from the squared multiple correlations ``h_i = 1 - 1 / (R^-1)_ii``,
    put them on the diagonal, take ``l = sqrt(e_1) v_1`` from the largest eigenvalue
    and its vector, set ``h = l^2``, and repeat until h changes by less than
    ``tolerance``; at convergence this is the minres solution (Harman HH, Jones WH.
    Factor analysis by minimizing residuals (minres). Psychometrika 1966;31:351-368;
    Harman, Modern Factor Analysis, 3rd ed., 1976, ch. 8). Uniquenesses ``1 - l^2``
    are kept at or above :data:`HEYWOOD_UNIQUENESS`, as psych's ``fa(fm = "minres")``
    bounds them. The sign is chosen so the loadings sum to a positive number.
    """
    k = r.shape[0]
    try:
        inverse = np.linalg.inv(r)
        h = 1.0 - 1.0 / np.diag(inverse)
    except np.linalg.LinAlgError:
        h = np.max(np.abs(r - np.eye(k)), axis=0)
    h = np.clip(h, 0.0, 1.0 - HEYWOOD_UNIQUENESS)
    loadings = np.sqrt(h)
    converged = False
    iterations = 0
    while not converged and iterations < max_iterations:
        iterations += 1
        reduced = r.copy()
        np.fill_diagonal(reduced, h)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * math.sqrt(max(float(values[-1]), 0.0))
        new_h = np.clip(loadings**2, 0.0, 1.0 - HEYWOOD_UNIQUENESS)
        converged = float(np.max(np.abs(new_h - h))) < tolerance
        h = new_h
    loadings = np.sign(loadings) * np.sqrt(h)
    if loadings.sum() < 0:
        loadings = -loadings
    return OneFactorModel(
        loadings=tuple(float(v) for v in loadings),
        uniquenesses=tuple(float(1.0 - v) for v in h),
        iterations=iterations,
        converged=converged,
    )


def omega_total(r: FloatArray) -> tuple[float, OneFactorModel]:
    """McDonald's omega total from a one-factor model of the correlation matrix.

    ``omega_t = 1 - sum(u_i^2) / sum_ij r_ij``: the share of the total score's
    variance (in standardised items: the sum of every entry of R) that is not
    unique to single questions, with the uniquenesses ``u_i^2 = 1 - l_i^2`` of a
    one-factor minres fit (:func:`one_factor_minres`) (McDonald RP. Test Theory: A
    Unified Treatment. Mahwah NJ: Erlbaum, 1999, ch. 6; Revelle W, Zinbarg RE.
    Coefficients alpha, beta, omega and the glb. Psychometrika 2009;74:145-154).
    This is psych's ``omega(x, nfactors = 1, fm = "minres")$omega.tot``, whose
    Schmid-Leiman step does nothing with one factor. Unlike psych's default
    (``flip = TRUE``), no question is reversed because it loads negatively: a
    negative loading is left as it is and warned about, since it usually means a
    reverse-keyed question was not reversed.
    """
    model = one_factor_minres(r)
    return 1.0 - sum(model.uniquenesses) / float(r.sum()), model


def _pearson(a: FloatArray, b: FloatArray) -> float | None:
    sa, sb = float(a.std()), float(b.std())
    if not (sa > 0 and sb > 0):
        return None
    return float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb))


def _optional(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


# --------------------------------------------------------------- the analysis


def _as_matrix(columns: Mapping[str, Column]) -> tuple[tuple[str, ...], FloatArray]:
    names = tuple(columns)
    if len(names) < 2:
        raise NotEnoughData("a scale needs at least two questions")
    arrays = []
    for name in names:
        raw = columns[name]
        arr = np.array(
            [math.nan if v is None else v for v in raw]
            if not isinstance(raw, np.ndarray)
            else raw,
            dtype=np.float64,
        )
        if arr.ndim != 1:
            raise ValueError(f"{name}: expected one answer per person")
        if np.isinf(arr).any():
            raise ValueError(f"{name}: answers must be finite numbers")
        arrays.append(arr)
    lengths = {a.size for a in arrays}
    if len(lengths) != 1:
        raise ValueError("every question needs one entry per person (equal lengths)")
    return names, np.column_stack(arrays)


def _check_range(
    names: tuple[str, ...], x: FloatArray, minimum: float, maximum: float
) -> None:
    outside = np.argwhere(~np.isnan(x) & ((x < minimum) | (x > maximum)))
    if outside.size:
        row, col = (int(v) for v in outside[0])
        raise ValueError(
            f"{names[col]}: the answer in row {row + 1} ({x[row, col]:g}) is outside "
            f"the possible range {minimum:g} to {maximum:g}"
        )


def _sample_warnings(n: int, k: int, omega: float | None) -> list[str]:
    warnings = []
    if n < VERY_IMPRECISE_BELOW:
        warnings.append(
            f"Only {n} people answered every question: figures from fewer than "
            f"{VERY_IMPRECISE_BELOW} people are very imprecise (COSMIN, Prinsen et "
            "al. 2018). Do not draw conclusions from them."
        )
    elif n < IMPRECISE_BELOW:
        warnings.append(
            f"{n} people answered every question: figures from fewer than "
            f"{IMPRECISE_BELOW} people are imprecise (COSMIN, Prinsen et al. 2018)."
        )
    if omega is not None:
        if n < FACTOR_ITEMS_PER_PERSON_INADEQUATE * k:
            warnings.append(
                f"Omega comes from a factor model, which needs at least "
                f"{FACTOR_ITEMS_PER_PERSON_INADEQUATE} people per question "
                f"({FACTOR_ITEMS_PER_PERSON_INADEQUATE * k} here); with {n} it is "
                "not to be trusted (COSMIN, Mokkink et al. 2018)."
            )
        elif n < IMPRECISE_BELOW and n < FACTOR_ITEMS_PER_PERSON_ADEQUATE_SMALL * k:
            warnings.append(
                f"Omega comes from a factor model: below {IMPRECISE_BELOW} people "
                f"it needs at least {FACTOR_ITEMS_PER_PERSON_ADEQUATE_SMALL} people "
                f"per question ({FACTOR_ITEMS_PER_PERSON_ADEQUATE_SMALL * k} here) "
                f"to be adequate; with {n} it is doubtful (COSMIN, Mokkink et al. "
                "2018)."
            )
    return warnings


def scale_analysis(
    columns: Mapping[str, Column],
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    reverse: Sequence[str] = (),
    confidence: float = 0.95,
) -> ScaleAnalysis:
    """Item analysis of one scale: every figure of :class:`ScaleAnalysis`.

    ``columns`` maps each question's name (as people should read it) to its
    answers, one per person, ``None``/NaN when unanswered. ``minimum`` and
    ``maximum`` are the lowest and highest possible answer to each question: they
    are needed to reverse questions (``minimum + maximum - x``) and for floor and
    ceiling, and every answer is checked against them. Listwise deletion: the
    statistics are over the people who answered every question.

    Formulas: :func:`cronbach_alpha` (Cronbach 1951), :func:`alpha_interval`
    (Feldt 1965), :func:`omega_total` (McDonald 1999, one-factor minres),
    :func:`corrected_item_total`, :func:`alpha_if_dropped`, :func:`floor_ceiling`
    (Terwee et al. 2007), Pearson inter-item correlations and their mean
    (off-diagonal). Warnings: fewer than 100 / 50 people (Prinsen et al. 2018),
    too few people per question for omega's factor model (Mokkink et al. 2018),
    floor or ceiling above 15% (Terwee et al. 2007), a question that correlates
    negatively with the rest, a question everyone answered the same, and no omega
    with fewer than three questions (:data:`MIN_FACTOR_ITEMS`).

    Raises :class:`NotEnoughData` with fewer than two questions or fewer than
    :data:`MIN_ROWS` complete answers, and ValueError for an answer outside the
    range, a reversed question that is not in the scale, or reversing without a
    range.
    """
    names, raw = _as_matrix(columns)
    unknown = [r for r in reverse if r not in names]
    if unknown:
        raise ValueError(f"reversed question(s) not in the scale: {', '.join(unknown)}")
    if (minimum is None) != (maximum is None):
        raise ValueError("give both the lowest and the highest possible answer")
    if minimum is not None and maximum is not None:
        if not minimum < maximum:
            raise ValueError("the lowest possible answer must be below the highest")
        _check_range(names, raw, minimum, maximum)
    elif reverse:
        raise ValueError(
            "reversing a question (lowest + highest - answer) needs the lowest and "
            "highest possible answers"
        )
    rows, k = raw.shape
    missing = np.isnan(raw).sum(axis=0)
    x = raw[~np.isnan(raw).any(axis=1)].copy()
    n = x.shape[0]
    if n < MIN_ROWS:
        raise NotEnoughData(
            f"only {n} of {rows} people answered every question; at least "
            f"{MIN_ROWS} are needed"
        )
    if reverse:
        assert minimum is not None and maximum is not None
        for name in reverse:
            j = names.index(name)
            x[:, j] = minimum + maximum - x[:, j]

    alpha = cronbach_alpha(x)
    ci = alpha_interval(alpha, n, k, confidence) if alpha is not None else None
    r = correlation_matrix(x)
    constant = [names[j] for j in range(k) if not float(x[:, j].std()) > 0]
    omega: float | None = None
    model: OneFactorModel | None = None
    if not constant and k >= MIN_FACTOR_ITEMS:
        omega, model = omega_total(r)
    item_total = corrected_item_total(x)
    dropped = alpha_if_dropped(x)
    means = x.mean(axis=0)
    sds = x.std(axis=0, ddof=1)
    stats = []
    for j, name in enumerate(names):
        fl = ce = None
        if minimum is not None and maximum is not None:
            fl, ce = floor_ceiling(x[:, j], minimum, maximum)
        stats.append(
            ItemStatistics(
                item=name,
                mean=float(means[j]),
                sd=float(sds[j]),
                corrected_item_total=item_total[j],
                alpha_if_dropped=dropped[j],
                floor=fl,
                ceiling=ce,
                missing=int(missing[j]),
            )
        )
    off_diagonal = r[~np.eye(k, dtype=bool)]
    mean_r = None if np.isnan(off_diagonal).any() else float(np.mean(off_diagonal))
    total_floor = total_ceiling = None
    if minimum is not None and maximum is not None:
        total_floor, total_ceiling = floor_ceiling(
            x.sum(axis=1), k * minimum, k * maximum
        )

    warnings = _sample_warnings(n, k, omega)
    if k < MIN_FACTOR_ITEMS:
        warnings.append(
            "Omega needs at least three questions: a one-factor model of two "
            "cannot tell their loadings apart."
        )
    for name in constant:
        warnings.append(
            f"Everyone gave the same answer to {name}: it adds nothing to the "
            "scale, and its correlations and omega cannot be worked out."
        )
    negative = [
        s.item
        for s in stats
        if s.corrected_item_total is not None and s.corrected_item_total < 0
    ]
    if negative:
        warnings.append(
            f"{_and(negative)} {'goes' if len(negative) == 1 else 'go'} the opposite "
            "way to the rest of the scale (negative corrected item-total "
            "correlation): check whether it should be reversed."
        )
    if model is not None and not model.converged:
        warnings.append("The one-factor model did not converge: omega is unreliable.")
    for label, share in (("lowest", total_floor), ("highest", total_ceiling)):
        if share is not None and share > FLOOR_CEILING_SHARE:
            warnings.append(
                f"{share:.0f}% of people have the {label} possible total (more than "
                f"{FLOOR_CEILING_SHARE:.0f}% is a {'floor' if label == 'lowest' else 'ceiling'} "
                "effect: the scale cannot show change beyond it; Terwee et al. 2007)."
            )
    return ScaleAnalysis(
        items=names,
        rows=rows,
        n=n,
        excluded=rows - n,
        alpha=alpha,
        alpha_ci=ci,
        omega_total=omega,
        factor=model,
        item_statistics=tuple(stats),
        inter_item_correlations=tuple(
            tuple(_optional(float(v)) for v in row) for row in r
        ),
        mean_inter_item_correlation=mean_r,
        floor=total_floor,
        ceiling=total_ceiling,
        warnings=tuple(warnings),
    )


def subscale_analysis(
    columns: Mapping[str, Column],
    subscales: Mapping[str, Sequence[str]],
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    reverse: Sequence[str] = (),
    confidence: float = 0.95,
) -> dict[str, ScaleAnalysis]:
    """:func:`scale_analysis` of each subscale (name -> its questions), each over
    the people who answered all of *its* questions. ``reverse`` lists reversed
    questions across the measure; each subscale reverses those it holds."""
    missing = sorted({q for qs in subscales.values() for q in qs} - set(columns))
    if missing:
        raise ValueError(f"no answers for question(s): {', '.join(missing)}")
    return {
        name: scale_analysis(
            {q: columns[q] for q in questions},
            minimum=minimum,
            maximum=maximum,
            reverse=[q for q in reverse if q in questions],
            confidence=confidence,
        )
        for name, questions in subscales.items()
    }


def _and(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
