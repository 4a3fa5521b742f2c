"""Paired change on one scale of one measure, for a group of people.

Each person contributes one pair: a first score and a later one (the caller chooses
which: first-vs-latest or first-vs-exit are both just pairs). For the group this
module gives n; mean first and latest; mean change with its paired t interval; the
standardised effect sizes (headline: Cohen's d with the baseline SD; also Hedges' g
and d_z); counts of reliable improvement / no reliable change / reliable
deterioration and of recovery and reliable recovery, using the scale's own direction,
reliable-change threshold and caseness cut-off from its measure definition (the same
rules as :func:`openproms.scoring.individual_change`); and the distributions of first
and latest scores, by band and in bins of a fixed width. Every result carries its n.

Rules (docs/stats.md has them all, with references):

* reliable change: ``abs(latest - first) >= threshold`` (raw threshold, NHS Talking
  Therapies convention) or ``>= 1.96 * S_diff`` (Jacobson & Truax 1991), improvement
  or deterioration by the scale's direction;
* recovery: a case at first and not a case at the latest score; the denominator is
  the people who were cases at first (NHS Talking Therapies); reliable recovery =
  recovery and reliable improvement;
* follow-up capture: of the people with a baseline, the share with a follow-up;
  below ``min_share`` (default 50%) the result is flagged as possibly biased.

No figure here is disclosure-controlled: pass results through
:mod:`openproms.stats.figures` and :func:`openproms.stats.disclosure.disclose`
before anyone outside the service sees them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np

from openproms.scoring import MeasureDefinition, individual_change
from openproms.scoring.definitions import Scale
from openproms.stats.effect_size import (
    Estimate,
    FloatArray,
    paired_t_interval,
    standardised_change_dz,
    standardised_mean_change,
)

DEFAULT_MIN_CAPTURE = 0.5


@dataclass(frozen=True, slots=True)
class PairedScore:
    """One person's first score and later score on one scale.

    ``latest_on`` is the date of the later score (needed for trends by quarter);
    ``groups`` holds the person's breakdown keys, e.g. ``{"worker": "A", "age_band":
    "25-34"}``.
    """

    first: float
    latest: float
    latest_on: date | None = None
    groups: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoreArrays:
    """Many people's first and later scores as two arrays of equal length (entry
    ``i`` is one person): the fast form of a list of :class:`PairedScore` when no
    breakdown is needed."""

    first: FloatArray
    latest: FloatArray

    def __post_init__(self) -> None:
        if np.shape(self.first) != np.shape(self.latest):
            raise ValueError("first and latest scores must be arrays of equal length")

    def __len__(self) -> int:
        return int(np.size(self.first))


@dataclass(frozen=True, slots=True)
class ReliableChangeCounts:
    """People with reliable improvement, no reliable change, reliable deterioration.

    ``n`` is the denominator (everyone with a pair). ``threshold_verified`` /
    ``deterioration_verified`` are False when the definition marks the threshold
    unverified: say so beside the figures.
    """

    n: int
    improved: int
    no_change: int
    deteriorated: int
    threshold: float
    method: Literal["raw", "jacobson_truax"]
    threshold_verified: bool
    deterioration_verified: bool

    def share(self, count: int) -> float | None:
        """``count / n`` (None when n is 0). Raw: disclose before publishing."""
        return count / self.n if self.n else None


@dataclass(frozen=True, slots=True)
class RecoveryCounts:
    """Recovery among the people who were cases at their first score.

    ``cases_at_first`` is the denominator; ``reliably_recovered`` is None when the
    scale has no reliable-change threshold.
    """

    cases_at_first: int
    recovered: int
    reliably_recovered: int | None
    cutoff: float
    caseness_verified: bool

    def share(self, count: int) -> float | None:
        """``count / cases_at_first`` (None when nobody was a case)."""
        return count / self.cases_at_first if self.cases_at_first else None


@dataclass(frozen=True, slots=True)
class Histogram:
    """Counts of first and latest scores in the same bins (or bands).

    ``edges`` are the bin edges (len(labels) + 1 of them) for fixed-width bins; for
    bands they are each band's lower bound and the scale maximum. Bins are
    ``[edge_i, edge_i+1)`` except the last, which includes the scale maximum.
    """

    kind: Literal["band", "bin"]
    labels: tuple[str, ...]
    edges: tuple[float, ...]
    first: tuple[int, ...]
    latest: tuple[int, ...]
    n: int


@dataclass(frozen=True, slots=True)
class PairedChange:
    """Group change on one scale. Raw figures: disclose before publishing.

    ``effect_size`` (Cohen's d with the baseline SD) is the headline effect size;
    ``effect_size_corrected`` is Hedges' g and ``effect_size_dz`` is d_z. Change is
    ``latest - first``, so a positive mean change or effect size is a rise in the
    score: read it with ``higher_is_better``.
    """

    measure_id: str
    measure_version: str
    scale_id: str
    scale_label: str
    higher_is_better: bool
    n: int
    mean_first: float | None
    mean_latest: float | None
    sd_first: float | None
    sd_latest: float | None
    sd_change: float | None
    correlation: float | None
    mean_change: Estimate | None
    effect_size: Estimate | None
    effect_size_corrected: Estimate | None
    effect_size_dz: Estimate | None
    reliable: ReliableChangeCounts | None
    recovery: RecoveryCounts | None
    bands: Histogram | None
    bins: Histogram
    caveats: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FollowUpCapture:
    """Of the people with a baseline score, how many also have a follow-up.

    ``low`` is True when ``share < min_share``; ``message`` then says why that may
    bias the result. The message holds no counts, so it may be shown as it is.
    """

    with_baseline: int
    with_follow_up: int
    share: float | None
    min_share: float
    low: bool
    message: str | None


def follow_up_capture(
    with_baseline: int, with_follow_up: int, *, min_share: float = DEFAULT_MIN_CAPTURE
) -> FollowUpCapture:
    """Follow-up capture = people with a follow-up / people with a baseline.

    Flagged ``low`` below ``min_share`` (default 0.5): people who stop coming are
    rarely a random half, so change among the rest may overstate (or understate)
    the change of everyone who started (Clark et al. 2009, Behav Res Ther 47:910,
    on paired-score completeness in NHS Talking Therapies; docs/stats.md).
    """
    if with_baseline < 0 or not 0 <= with_follow_up <= with_baseline:
        raise ValueError("need 0 <= with_follow_up <= with_baseline")
    if not 0.0 <= min_share <= 1.0:
        raise ValueError("min_share must be between 0 and 1")
    share = with_follow_up / with_baseline if with_baseline else None
    low = share is not None and share < min_share
    message = None
    if low:
        message = (
            f"Fewer than {min_share:.0%} of the people with a first score have a "
            "later score. People who stop before their follow-up often differ from "
            "those who stay, so these results may not describe everyone who started."
        )
    return FollowUpCapture(
        with_baseline, with_follow_up, share, min_share, low, message
    )


def nice_bin_width(scale: Scale, max_bins: int = 15) -> float:
    """The smallest width of the form 1, 2 or 5 x 10^k giving at most ``max_bins``
    bins over the scale's range."""
    span = scale.range_max - scale.range_min
    if span <= 0:
        return 1.0
    exponent = math.floor(math.log10(span / max_bins))
    for power in (exponent, exponent + 1):
        for step in (1.0, 2.0, 5.0):
            width = step * 10.0**power
            if span / width <= max_bins:
                return width
    return 10.0 ** (exponent + 2)


def _fmt(x: float) -> str:
    # "z": a rounded negative zero reads 0, never "-0".
    return f"{x:zg}" if x == round(x) else f"{x:z.2f}".rstrip("0").rstrip(".")


def _bins(
    scale: Scale, first: FloatArray, latest: FloatArray, width: float
) -> Histogram:
    lo, hi = scale.range_min, scale.range_max
    count = max(1, math.ceil((hi - lo) / width - 1e-9))
    edges = (*(lo + i * width for i in range(count)), hi)
    labels = tuple(
        f"{_fmt(a)} to {_fmt(b)}" if i == count - 1 else f"{_fmt(a)} to under {_fmt(b)}"
        for i, (a, b) in enumerate(itertools.pairwise(edges))
    )

    def tally(values: FloatArray) -> tuple[int, ...]:
        idx = np.floor((values - lo) / width + 1e-9).astype(np.int64)
        idx = np.clip(idx, 0, count - 1)
        return tuple(int(c) for c in np.bincount(idx, minlength=count))

    return Histogram("bin", labels, edges, tally(first), tally(latest), int(first.size))


def _band_histogram(
    scale: Scale, first: FloatArray, latest: FloatArray
) -> Histogram | None:
    if scale.bands is None:
        return None
    bounds = np.asarray(scale.bands.lower_bounds, dtype=np.float64)
    count = len(scale.bands.bands)

    def tally(values: FloatArray) -> tuple[int, ...]:
        # bisect_right - 1, as Bands.index_of; a value below the first band
        # (not expected: bands start at the scale minimum) is left uncounted.
        idx = np.searchsorted(bounds, values, side="right") - 1
        idx = idx[idx >= 0]
        return tuple(int(c) for c in np.bincount(idx, minlength=count))

    return Histogram(
        "band",
        tuple(b.label for b in scale.bands.bands),
        (*scale.bands.lower_bounds, scale.range_max),
        tally(first),
        tally(latest),
        int(first.size),
    )


def _pairs_to_arrays(
    pairs: Iterable[PairedScore] | Sequence[tuple[float, float]] | ScoreArrays,
) -> tuple[FloatArray, FloatArray]:
    if isinstance(pairs, ScoreArrays):
        return (
            np.asarray(pairs.first, dtype=np.float64),
            np.asarray(pairs.latest, dtype=np.float64),
        )
    firsts: list[float] = []
    latests: list[float] = []
    for p in pairs:
        if isinstance(p, PairedScore):
            firsts.append(p.first)
            latests.append(p.latest)
        else:
            firsts.append(p[0])
            latests.append(p[1])
    return np.asarray(firsts, dtype=np.float64), np.asarray(latests, dtype=np.float64)


def paired_change(
    defn: MeasureDefinition,
    scale_id: str,
    pairs: Iterable[PairedScore] | Sequence[tuple[float, float]] | ScoreArrays,
    *,
    bin_width: float | None = None,
    confidence: float = 0.95,
) -> PairedChange:
    """Change statistics for one scale over paired scores (first, later).

    * n; mean and SD (ddof = 1) of first and latest scores; Pearson r between them;
    * mean change ``mean(latest - first)`` with the paired t interval
      (:func:`openproms.stats.effect_size.paired_t_interval`);
    * headline effect size ``d = (M_latest - M_first) / SD_first`` with Becker's
      (1988) interval; Hedges' g; d_z = mean change / SD of change;
    * reliable change counts, recovery and reliable recovery (module docstring),
      classified exactly as :func:`openproms.scoring.individual_change` would;
    * histograms by band and by ``bin_width`` (default :func:`nice_bin_width`).

    Raises ValueError if a score is outside the scale's range, is missing, or the
    scale is a profile.
    """
    scale = defn.scale(scale_id)
    first, latest = _pairs_to_arrays(pairs)
    if not (np.all(np.isfinite(first)) and np.all(np.isfinite(latest))):
        raise ValueError("every pair needs two scores (drop people without a pair)")
    n = int(first.size)
    out_of_range = (
        (first < scale.range_min)
        | (first > scale.range_max)
        | (latest < scale.range_min)
        | (latest > scale.range_max)
    )
    if np.any(out_of_range):
        i = int(np.argmax(out_of_range))
        raise ValueError(
            f"pair {i + 1}: {_fmt(float(first[i]))} -> {_fmt(float(latest[i]))} is "
            f"outside the range of {defn.key} {scale_id} "
            f"({_fmt(scale.range_min)}-{_fmt(scale.range_max)})"
        )
    # One call settles the scale-level facts (threshold, its method and whether it
    # is verified, caveats) by the scoring engine's own rules; raises for profiles.
    probe_value = float(first[0]) if n else scale.range_min
    probe = individual_change(defn, scale_id, probe_value, probe_value)
    caveats = list(probe.caveats)

    delta = latest - first
    mean_first = float(first.mean()) if n else None
    mean_latest = float(latest.mean()) if n else None
    sd_first = float(first.std(ddof=1)) if n >= 2 else None
    sd_latest = float(latest.std(ddof=1)) if n >= 2 else None
    sd_change = float(delta.std(ddof=1)) if n >= 2 else None
    correlation = None
    if sd_first and sd_latest:
        correlation = float(np.clip(np.corrcoef(first, latest)[0, 1], -1.0, 1.0))

    mean_change = paired_t_interval(delta, confidence) if n >= 2 else None
    d = g = dz = None
    if mean_first is not None and mean_latest is not None and sd_first:
        # With a constant latest score r is undefined; 0 is the conservative value
        # (the widest Becker variance for the observed d).
        r = correlation if correlation is not None else 0.0
        d = standardised_mean_change(
            mean_first, mean_latest, sd_first, n, r, confidence=confidence
        )
        g = standardised_mean_change(
            mean_first,
            mean_latest,
            sd_first,
            n,
            r,
            corrected=True,
            confidence=confidence,
        )
    if mean_change is not None and sd_change:
        dz = standardised_change_dz(
            mean_change.value, sd_change, n, confidence=confidence
        )

    reliable = None
    improved = deteriorated = None
    if probe.threshold is not None and probe.threshold_method is not None:
        is_reliable = np.abs(delta) >= probe.threshold
        better = delta > 0 if scale.higher_is_better else delta < 0
        worse = delta < 0 if scale.higher_is_better else delta > 0
        improved = is_reliable & better
        deteriorated = is_reliable & worse
        n_imp, n_det = int(improved.sum()), int(deteriorated.sum())
        reliable = ReliableChangeCounts(
            n,
            n_imp,
            n - n_imp - n_det,
            n_det,
            probe.threshold,
            probe.threshold_method,
            bool(probe.threshold_verified),
            bool(probe.deterioration_verified),
        )
    else:
        caveats.append("no reliable-change threshold: no reliable change counts")

    recovery = None
    if scale.caseness is not None:
        cut = scale.caseness
        if cut.case_when == "at_or_above":
            case_first, case_latest = first >= cut.threshold, latest >= cut.threshold
        else:
            case_first, case_latest = first < cut.threshold, latest < cut.threshold
        recovered = case_first & ~case_latest
        recovery = RecoveryCounts(
            int(case_first.sum()),
            int(recovered.sum()),
            int((recovered & improved).sum()) if improved is not None else None,
            cut.threshold,
            cut.source.verified,
        )

    if bin_width is None:
        bin_width = nice_bin_width(scale)
    elif not bin_width > 0:
        raise ValueError("bin_width must be positive")

    return PairedChange(
        defn.id,
        defn.version,
        scale_id,
        scale.label,
        scale.higher_is_better,
        n,
        mean_first,
        mean_latest,
        sd_first,
        sd_latest,
        sd_change,
        correlation,
        mean_change,
        d,
        g,
        dz,
        reliable,
        recovery,
        _band_histogram(scale, first, latest),
        _bins(scale, first, latest, bin_width),
        tuple(caveats),
    )
