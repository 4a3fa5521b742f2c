"""Not on track: the score a person can be expected to have by now, given where
they started, from an organisation's own history, and whether their latest score
is worse than most people's who started where they did.

**Model.** Linear quantile regression (Koenker R, Bassett G. Regression quantiles.
Econometrica 1978;46:33-50) of a later score on the first score and the time
since it::

    Q_tau(later | first, weeks) = b0 + b1 first + b2 log(1 + weeks)

at tau = 0.1, 0.5 and 0.9. The log of time follows the negatively accelerated
course of change in psychological care (Howard KI et al. The dose-effect
relationship in psychotherapy. Am Psychol 1986;41:159-164): most change comes
early. The estimate minimises the check loss ``sum rho_tau(y - X b)`` with
``rho_tau(r) = r (tau - [r < 0])``; it is found by iteratively reweighted least
squares (weights ``tau / |r|`` above the line, ``(1 - tau) / |r|`` below it, as
in statsmodels' QuantReg) and then moved to the exact solution the linear
programme would give: a quantile regression line passes through p of the points
(Koenker 2005, Quantile Regression, section 6.2), so the p points nearest the
IRLS line are solved exactly and kept when their check loss is no larger.

**The flag.** The band is the 10th to 90th percentile: 8 in 10 people who
started where this person did score within it after the same time. A person is
*not on track* when their latest score is worse than the worse edge of the band
(above the 90th percentile when lower scores are better, below the 10th when
higher scores are better) - as OQ-Analyst and the CORE Net "signal" systems flag
the people whose progress is worse than most comparable people (Lambert MJ et al.
Is it time for clinicians to routinely track patient outcome? Clin Psychol Sci
Pract 2003;10:288-301).

**Enough data.** At least :data:`MIN_PEOPLE` (200) people with a first and a
later score: at the 10th and 90th percentiles, 200 people leave about 20 beyond
each edge of the band, some 7 for each of the 3 coefficients. With fewer, the
band's edge rests on a handful of people and the flag would mostly reflect them;
no flag is given, and the reason is said.

**Uncertainty.** The worse edge is itself an estimate. It is refitted on
:data:`BOOTSTRAP` resamples of people (a person's several later scores stay
together; Efron B, Tibshirani R. An Introduction to the Bootstrap, 1993), and
the middle 90% of the resampled edges at a person's first score and time is
given with the verdict.

A person's scores are taken as given: this module never reads a measure
definition; the caller says which direction is better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openproms.stats.effect_size import FloatArray
from openproms.stats.psychometrics import NotEnoughData

MIN_PEOPLE = 200
"""People with a first and a later score needed before anyone is flagged."""
LOW, MIDDLE, HIGH = 0.1, 0.5, 0.9
BOOTSTRAP = 30
"""Resamples of people for the uncertainty of the band's worse edge."""
MAX_PEOPLE = 2000
"""A larger history is sampled down to this many people (seeded), to keep the
fit and its resamples quick (about a second); 2,000 people leave 200 beyond
each edge of the band."""
TERMS = ("intercept", "first score", "log(1 + weeks since the first score)")


def check_loss(residual: FloatArray, tau: float) -> float:
    """``sum rho_tau(r)``, ``rho_tau(r) = r (tau - [r < 0])`` (Koenker and
    Bassett 1978)."""
    r = np.asarray(residual, dtype=np.float64)
    return float(np.sum(r * (tau - (r < 0))))


def quantile_regression(
    x: FloatArray,
    y: FloatArray,
    tau: float,
    *,
    start: FloatArray | None = None,
    max_iter: int = 300,
) -> FloatArray:
    """The coefficients ``b`` minimising ``sum rho_tau(y - x b)``.

    Iteratively reweighted least squares from ``start`` (default: the
    least-squares fit): weights ``tau / max(|r|, eps)`` for points above the line
    and ``(1 - tau) / max(|r|, eps)`` below it; stops when an iteration lowers
    the check loss by less than 1e-10 of itself. Then the p points nearest the
    line are solved exactly (a solution of the linear programme interpolates p
    points) and kept if their check loss is no larger.
    """
    if not 0 < tau < 1:
        raise ValueError("tau must be between 0 and 1")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = x.shape
    if n <= p:
        raise NotEnoughData(f"{n} rows cannot fit {p} coefficients")
    beta = np.asarray(
        np.linalg.lstsq(x, y, rcond=None)[0] if start is None else start,
        dtype=np.float64,
    )
    eps = 1e-6 * max(1.0, float(np.std(y)))
    best, best_loss = beta, check_loss(y - x @ beta, tau)
    for _ in range(max_iter):
        r = y - x @ beta
        w = np.where(r > 0, tau, 1 - tau) / np.maximum(np.abs(r), eps)
        sw = np.sqrt(w)
        beta = np.asarray(
            np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0], dtype=np.float64
        )
        loss = check_loss(y - x @ beta, tau)
        if loss < best_loss:
            improved = best_loss - loss
            best, best_loss = beta, loss
            if improved <= 1e-10 * loss:
                break
    return _polish(x, y, tau, best)


def _polish(x: FloatArray, y: FloatArray, tau: float, beta: FloatArray) -> FloatArray:
    p = x.shape[1]
    nearest = np.argsort(np.abs(y - x @ beta))[:p]
    sub = x[nearest]
    if abs(np.linalg.det(sub)) < 1e-12:
        return beta  # the nearest points are degenerate: keep the IRLS answer
    vertex = np.linalg.solve(sub, y[nearest])
    if check_loss(y - x @ vertex, tau) <= check_loss(y - x @ beta, tau):
        return np.asarray(vertex, dtype=np.float64)
    return beta


def design(first: FloatArray, weeks: FloatArray) -> FloatArray:
    """The columns of :data:`TERMS`: 1, the first score, ``log(1 + weeks)``."""
    first = np.asarray(first, dtype=np.float64)
    weeks = np.asarray(weeks, dtype=np.float64)
    return np.column_stack([np.ones(first.size), first, np.log1p(np.maximum(weeks, 0))])


@dataclass(frozen=True, slots=True)
class ExpectedModel:
    """The fitted band: coefficients at the 10th, 50th and 90th percentiles
    (over :data:`TERMS`), which side is worse, how many people and scores it
    came from, and the worse edge's coefficients on each resample."""

    low: tuple[float, ...]
    middle: tuple[float, ...]
    high: tuple[float, ...]
    higher_is_better: bool
    people: int
    scores: int
    resampled_edges: tuple[tuple[float, ...], ...]


def fit_expected(
    first: Sequence[float] | FloatArray,
    weeks: Sequence[float] | FloatArray,
    later: Sequence[float] | FloatArray,
    person: Sequence[int] | FloatArray,
    *,
    higher_is_better: bool,
    min_people: int = MIN_PEOPLE,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
) -> ExpectedModel:
    """Fit the band to a history: one row per later score (a person may have
    several), with that person's first score, the weeks between the two and a
    person key. Raises :class:`NotEnoughData` with fewer than ``min_people``
    people."""
    f = np.asarray(first, dtype=np.float64)
    w = np.asarray(weeks, dtype=np.float64)
    y = np.asarray(later, dtype=np.float64)
    who = np.asarray(person)
    if not (f.shape == w.shape == y.shape == who.shape) or f.ndim != 1:
        raise ValueError("every later score needs a first score, weeks and a person")
    if not (
        np.all(np.isfinite(f)) and np.all(np.isfinite(w)) and np.all(np.isfinite(y))
    ):
        raise ValueError("scores and weeks must be finite numbers")
    people, index = np.unique(who, return_inverse=True)
    if people.size < min_people:
        raise NotEnoughData(
            f"{people.size} people have a first and a later score; at least "
            f"{min_people} are needed"
        )
    rng = np.random.default_rng(seed)
    if people.size > MAX_PEOPLE:
        keep = np.isin(index, rng.choice(people.size, MAX_PEOPLE, replace=False))
        f, w, y, index = f[keep], w[keep], y[keep], index[keep]
        people, index = np.unique(index, return_inverse=True)
    full = design(f, w)
    # A term that hardly varies (everyone measured within a day of the same time
    # after their first score) cannot be told from the intercept: it is left out,
    # its coefficient 0.
    used = np.array([True, np.ptp(f) > 0, np.ptp(w) >= 1 / 7])
    x = full[:, used]

    def widen(c: FloatArray) -> tuple[float, ...]:
        out = np.zeros(full.shape[1])
        out[used] = c
        return tuple(float(v) for v in out)

    coefs = {tau: quantile_regression(x, y, tau) for tau in (LOW, MIDDLE, HIGH)}
    worse = LOW if higher_is_better else HIGH
    rows_of = [np.flatnonzero(index == i) for i in range(people.size)]
    edges = []
    worse_fit = coefs[worse]
    for _ in range(bootstrap):
        drawn = rng.integers(0, people.size, people.size)
        rows = np.concatenate([rows_of[i] for i in drawn])
        try:
            edges.append(
                widen(
                    quantile_regression(
                        x[rows], y[rows], worse, start=worse_fit, max_iter=40
                    )
                )
            )
        except NotEnoughData:  # pragma: no cover - needs a degenerate resample
            continue
    return ExpectedModel(
        low=widen(coefs[LOW]),
        middle=widen(coefs[MIDDLE]),
        high=widen(coefs[HIGH]),
        higher_is_better=higher_is_better,
        people=int(people.size),
        scores=int(y.size),
        resampled_edges=tuple(edges),
    )


@dataclass(frozen=True, slots=True)
class Assessment:
    """One person's latest score against the band for their first score and time.

    ``expected`` the median; ``low`` and ``high`` the 10th and 90th percentiles
    (the band; kept in order and in the score's range); ``edge`` the worse edge;
    ``edge_low``/``edge_high`` the middle 90% of the resampled worse edges;
    ``not_on_track`` when the latest score is worse than the edge."""

    first: float
    weeks: float
    latest: float
    expected: float
    low: float
    high: float
    edge: float
    edge_low: float
    edge_high: float
    not_on_track: bool
    people: int
    higher_is_better: bool


def assess(
    model: ExpectedModel,
    *,
    first: float,
    weeks: float,
    latest: float,
    score_range: tuple[float, float] | None = None,
) -> Assessment:
    """Where ``latest`` (``weeks`` after ``first``) stands against the band."""
    row = design(np.array([first]), np.array([weeks]))[0]
    lo_edge, hi_edge = score_range or (-np.inf, np.inf)

    def at(coefs: Sequence[float]) -> float:
        return float(np.clip(row @ np.asarray(coefs), lo_edge, hi_edge))

    low, middle, high = sorted((at(model.low), at(model.middle), at(model.high)))
    edge = low if model.higher_is_better else high
    resampled = [at(c) for c in model.resampled_edges] or [edge]
    edge_low, edge_high = (float(v) for v in np.quantile(resampled, [0.05, 0.95]))
    worse = latest < edge if model.higher_is_better else latest > edge
    return Assessment(
        first=first,
        weeks=weeks,
        latest=latest,
        expected=middle,
        low=low,
        high=high,
        edge=edge,
        edge_low=min(edge_low, edge),
        edge_high=max(edge_high, edge),
        not_on_track=bool(worse),
        people=model.people,
        higher_is_better=model.higher_is_better,
    )


def _fmt(value: float) -> str:
    return f"{round(value):g}"


def explanation(a: Assessment) -> str:
    """The verdict in plain words, e.g. "Expected about 12 by now (most people
    starting where they did score between 9 and 15); latest 18: not on track."."""
    verdict = "not on track" if a.not_on_track else "on track"
    return (
        f"Expected about {_fmt(a.expected)} by now (most people starting where "
        f"they did score between {_fmt(a.low)} and {_fmt(a.high)}); latest "
        f"{_fmt(a.latest) if a.latest == round(a.latest) else f'{a.latest:g}'}: "
        f"{verdict}."
    )


def uncertainty(a: Assessment) -> str:
    """How sure the band's worse edge is, in plain words."""
    side = "lower" if a.higher_is_better else "upper"
    return (
        f"Based on {a.people} people in this organisation with a first and a later "
        f"score. The {side} end of that range, {_fmt(a.edge)}, is itself an "
        f"estimate: it could be anywhere from {a.edge_low:.1f} to "
        f"{a.edge_high:.1f} (90% of resamples)."
    )
