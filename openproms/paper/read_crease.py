"""Creases (part of OMR step 5): a fold's crease recognised as a crease and its
darkness taken out of the page before the boxes are measured.

A page folded for the post and opened again has a crease: a thin dark line where
the fibres were crushed, in a shallow darker tent a few millimetres wide where the
paper did not lie flat. Left in, where it crosses a box it reads as a faint mark,
and its long straight line as a shadow band (benchmarks/README.md, "Paper as it
really arrives").

A crease is told from a mark by what no mark does: it is a straight line across
the page, within :data:`CREASE_TILT_DEG` of the page's width, seen on unprinted
paper over at least :data:`CREASE_SPAN` of the width; and it is the same on
either side of every box it crosses. So its profile across the line is measured
on the paper along it, print and boxes left out (per 2 mm of its length, from
the medians over :data:`SIDE_MM` of paper just before and just after), and only
that profile is taken out along the line: first the thin crushed line, never by
more than :data:`ALLOW` times what it is on the paper either side, then the
tent. A mark inside a box is on neither side, so it is not part of the profile:
a stroke across the crease keeps all of its darkness, and a stroke along it keeps
what is darker than the crease beside the box (docs/decisions/0038). Across a
box, where there is no paper to follow it on, the line is drawn straight from
the paper on both sides of the box and settled on the row where it is seen
inside it (docs/decisions/0041).
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import numpy.typing as npt

from openproms.paper.layout import PageLayout
from openproms.paper.read_align import _sl
from openproms.paper.read_bands import _band_print
from openproms.paper.read_types import FloatImage, S, percentile

CREASE_TILT_DEG = 2.0
"""Most a crease may run off the page's width (degrees): a fold is made square
to the edges, to within about 1 degree by hand."""
CREASE_SPAN = 0.35
"""Least share of the page's width over which a crease line must be seen on
unprinted paper (print covers much of a row of text; the page's 20 mm margins
alone are a fifth)."""
SIDE_MM = 12.0
"""Length of the crease just before and just after each point over which the
median darkness of its paper, at each distance from the line, is taken on that
side (a box, its label and 1 mm round them span about 10 mm)."""
EDGE_MM = 12.0
"""No crease is looked for this close to the top or bottom of the page (a page is
not folded there; a photo shows the page's own edge there)."""
REACH_MM = 9.0
"""How far either side of the crease line its darkness is taken out (the tent
is 2.5-7 mm wide on a flatbed, wider on a photo)."""
LINE_DARK = 0.05
"""Darkness above the paper 1.5 mm either side that makes a pixel part of a thin
line (a crease's crushed fibres are 0.1-0.35 dark)."""

WANDER_PX = 4
"""How far (px, 0.67 mm) the crushed line is looked for either side of the
straight line fitted to it."""

LINE_HALF = 2
"""Half the height (px) of the band along the followed line where the crushed
line is taken out (5 px, 0.8 mm: the line is 0.12-0.3 mm and followed to a pixel)."""

ALLOW = 1.5
"""How much darker than on the paper either side the crushed line may be where
it is taken out (its brokenness varies along it); a stroke along the line keeps
what is darker still."""

SETTLE_PX = 2
"""How far (px, 0.33 mm) the line drawn across a box from the paper either side
may be moved to where it is seen inside the box."""
SETTLE_COST = 0.02
"""What each pixel moved costs the line seen there (darkness): of two rows
where it is about as dark, the one it was drawn on is kept."""

_CELL = 12  # px along the crease per cell (2 mm)
_TILTS = np.radians(np.arange(-CREASE_TILT_DEG, CREASE_TILT_DEG + 1e-9, 0.25))


def _thin_lines(
    dark: FloatImage, near_print: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Pixels of thin, roughly horizontal dark lines on unprinted paper: darker by
    :data:`LINE_DARK` than the paper 1.5 mm above and below."""
    k = int(1.5 * S)
    up = np.roll(dark, k, axis=0)
    down = np.roll(dark, -k, axis=0)
    ridge = dark - np.maximum(up, down)
    return (ridge > LINE_DARK) & ~near_print


def find_creases(dark: FloatImage, page: PageLayout) -> list[tuple[float, float]]:
    """Crease lines on the aligned page, as (y at x = 0 in px, slope dy/dx).

    Thin line pixels are counted along straight lines at every tilt up to
    :data:`CREASE_TILT_DEG` (a shear and a histogram of rows); a line is a crease
    when the columns holding a line pixel within 2 px of it (a crease wanders)
    span at least :data:`CREASE_SPAN` of the width. Lines closer than 10 mm are
    one crease; none is looked for within :data:`EDGE_MM` of the top or bottom."""
    near_print, _ = _band_print(page)
    hits = _thin_lines(dark, near_print)
    ys, xs = np.nonzero(hits)
    h, w = dark.shape
    if xs.size < CREASE_SPAN * w:
        return []
    found: list[tuple[float, float, int]] = []
    for t in _TILTS:
        slope = math.tan(float(t))
        y0 = np.round(ys - xs * slope).astype(np.int64)
        ok = (y0 >= 0) & (y0 < h)
        counts = np.bincount(y0[ok], minlength=h)
        # Line pixels within 2 px of each candidate row (an upper bound on the
        # columns it covers), the rows taken round the page's ends (as np.roll).
        ring = np.concatenate(([0], np.cumsum(np.r_[counts[-2:], counts, counts[:2]])))
        near = ring[5:] - ring[:-5]
        for row in np.nonzero(near >= CREASE_SPAN * w)[0]:
            sel = ok & (np.abs(y0 - row) <= 2)
            cols = np.count_nonzero(np.bincount(xs[sel], minlength=w))
            if cols >= CREASE_SPAN * w:
                found.append((float(row), slope, int(cols)))
    found.sort(key=lambda f: -f[2])
    out: list[tuple[float, float]] = []
    for y0f, slope, _ in found:
        mid = y0f + slope * w / 2
        if not EDGE_MM * S <= mid <= h - EDGE_MM * S:
            continue  # the page's own edge (a photo's table beyond it)
        if all(abs(mid - (a + b * w / 2)) > 10 * S for a, b in out):
            out.append((y0f, slope))
    return out


def _nanmedian(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Median over the last axis leaving NaN out (NaN where all are), as
    ``np.nanmedian`` gives, without its per-slice cost on many small slices."""
    s = np.sort(a, axis=-1)  # NaN sorts last
    n = np.sum(~np.isnan(a), axis=-1)
    lo = np.take_along_axis(s, np.maximum((n - 1) // 2, 0)[..., None], -1)[..., 0]
    hi = np.take_along_axis(s, np.minimum(n // 2, a.shape[-1] - 1)[..., None], -1)
    out: npt.NDArray[np.float64] = np.where(n > 0, (lo + hi[..., 0]) / 2, np.nan)
    return out


def _cell_medians(
    dark: FloatImage,
    near_print: npt.NDArray[np.bool_],
    line: npt.NDArray[np.int64],
    offs: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per pixel row from ``line`` (``offs``) and per 2 mm cell along it, the
    median darkness of the unprinted pixels (NaN where there are none); and the
    rows and in-page mask of the strip, for writing back."""
    h = dark.shape[0]
    xs = np.arange(line.size)
    rows = line[None, :] + offs[:, None]
    inside = (rows >= 0) & (rows < h)
    rc = np.clip(rows, 0, h - 1)
    paper = inside & ~near_print[rc, xs[None, :]]
    vals = np.where(paper, dark[rc, xs[None, :]], np.nan)
    cell = _nanmedian(vals.reshape(len(offs), -1, _CELL))
    return cell, rc, inside


def _track(
    cell: npt.NDArray[np.float64], reach: int, width: int
) -> npt.NDArray[np.float64]:
    """Per column (``width`` of them), the row (from the straight line) where the
    crushed fibres are: per cell, the darkest ridge within :data:`WANDER_PX`,
    found only where the ridge's row and the paper 1.5 mm above and below it are
    all seen on paper (a cell half on a box or its outline would take the
    outline for the line); smoothed along the crease (a median over 5 cells of
    those found), and drawn straight from cell centre to cell centre, across the
    cells with none (a box and its label: the line crosses a box as it runs on
    both sides of it, not as it runs just before it)."""
    k = int(1.5 * S)
    n = cell.shape[1]
    ds = np.arange(-WANDER_PX, WANDER_PX + 1)
    rows = reach + ds
    ridge = cell[rows] - np.fmax(cell[rows - k], cell[rows + k])
    ridge = np.where(np.isnan(cell[rows - k]) | np.isnan(cell[rows + k]), np.nan, ridge)
    score = np.nan_to_num(ridge, nan=-np.inf)
    at = np.argmax(score, axis=0)
    idx = np.arange(n)
    top = score[at, idx]
    best = ds[at].astype(np.float64)
    best[~(top >= LINE_DARK / 2)] = np.nan
    ok = ~np.isnan(best)
    if not ok.any():
        return np.zeros(width)
    pad = np.pad(best, 2, constant_values=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        smooth = np.nanmedian(np.lib.stride_tricks.sliding_window_view(pad, 5), axis=1)
    smooth[~ok] = np.nan
    centres = idx * _CELL + (_CELL - 1) / 2
    out: npt.NDArray[np.float64] = np.interp(np.arange(width), centres[ok], smooth[ok])
    return out


def _both_sides(
    cell: npt.NDArray[np.float64], side: int, how: str = "mean"
) -> npt.NDArray[np.float64]:
    """Per cell and row, the crease's own darkness: the mean of the medians of
    the ``side`` cells just before it and just after it, where there is paper (a
    crease is the same on both sides of a box; a mark inside it is on neither).
    With ``how`` "max", the greater of their 75th percentiles: the most the
    crushed line may be taken out by, where it is broken (dark over some cells,
    all but gone over others) and a box may lie on a dark stretch."""
    n = cell.shape[1]
    padded = np.pad(cell, ((0, 0), (side, side)), constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, side, axis=1)
    # Window k covers cells k-side..k-1.
    med = percentile(windows, 75) if how == "max" else _nanmedian(windows)
    before = med[:, :n]
    after = med[:, side + 1 : side + 1 + n]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # both sides NaN
        both = np.stack([before, after])
        out: npt.NDArray[np.float64] = (
            np.nanmax(both, axis=0) if how == "max" else np.nanmean(both, axis=0)
        )
    return out


def _settle(
    out: FloatImage, line: npt.NDArray[np.int64], boxed: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int64]:
    """``line`` moved, where ``boxed`` (a box, its label, print: no paper to
    follow it on), to the row within :data:`SETTLE_PX` where the thin line is
    seen there: a row darker than the rows 1 px either side (its middle, not the
    flank of a box's outline beside it) and than the rows 3 px either side, by
    the most over 7 columns, less :data:`SETTLE_COST` a pixel moved; the shift
    smoothed over 13 columns (a median). The line drawn straight across a box
    from the paper either side is a pixel or two off where the crease wanders.
    A stroke along the line inside the box may draw it to itself by a pixel
    or two; what is taken out there stays within the crease's own profile."""
    h = out.shape[0]
    xs = np.arange(line.size)
    shifts = np.arange(-SETTLE_PX, SETTLE_PX + 1)
    score = []
    for d in shifts:
        r = line + d
        v = out[np.clip(r, 0, h - 1), xs]
        up = out[np.clip(r - 3, 0, h - 1), xs]
        down = out[np.clip(r + 3, 0, h - 1), xs]
        ridge = v - np.maximum(up, down)
        top = (v >= out[np.clip(r - 1, 0, h - 1), xs]) & (
            v >= out[np.clip(r + 1, 0, h - 1), xs]
        )
        ridge = np.where(top, ridge, -1.0) - SETTLE_COST * abs(int(d))
        score.append(np.convolve(ridge, np.ones(7) / 7, mode="same"))
    best = shifts[np.argmax(np.stack(score), axis=0)]
    best = np.where(boxed, best, 0)
    pad = np.pad(best, 6, mode="edge")
    smooth = np.median(np.lib.stride_tricks.sliding_window_view(pad, 13), axis=1)
    moved: npt.NDArray[np.int64] = line + np.where(boxed, smooth, 0).astype(np.int64)
    return moved


def _take_out_line(
    out: FloatImage,
    near_print: npt.NDArray[np.bool_],
    printed: npt.NDArray[np.bool_],
    line: npt.NDArray[np.int64],
    side: int,
) -> None:
    """Take the crushed line itself out of ``out`` (in place): within
    :data:`LINE_HALF` px of ``line``, darkness above the darker of the paper just
    above and just below it (the lighter where either is near ``printed``), but
    never more than :data:`ALLOW` times (plus 0.02) the line's own such darkness
    at the same row on the paper either side (the greater side, its 75th
    percentile: :func:`_both_sides`). A stroke that crosses the crease is as
    dark above and below it, and stays; a stroke along it keeps what is darker
    than that allowance."""
    h = out.shape[0]
    xs = np.arange(line.size)
    k = LINE_HALF + 2

    def at(d: int) -> FloatImage:
        got: FloatImage = out[np.clip(line + d, 0, h - 1), xs]
        return got

    # The paper's level: the darker of the rows just above and below; the
    # lighter where either is near print (a box's outline beside the line would
    # otherwise hide the line inside the box).
    above, below = at(-k), at(k)
    clear = ~printed[np.clip(line - k, 0, h - 1), xs]
    clear &= ~printed[np.clip(line + k, 0, h - 1), xs]
    level = np.where(clear, np.maximum(above, below), np.minimum(above, below))
    ds = range(-LINE_HALF, LINE_HALF + 1)
    excess = np.stack([np.maximum(at(d) - level, 0.0) for d in ds])
    paper = ~near_print[np.clip(line, 0, h - 1), xs]
    own = np.where(paper[None, :], excess, np.nan).reshape(len(ds), -1, _CELL)
    cell = _nanmedian(own)
    cap = np.nan_to_num(_both_sides(cell, side, "max"), nan=0.0)
    allowed = np.repeat(ALLOW * cap + 0.02, _CELL, axis=1).astype(np.float32)
    for i, d in enumerate(ds):
        rows = np.clip(line + d, 0, h - 1)
        out[rows, xs] = at(d) - np.minimum(excess[i], allowed[i])


@functools.lru_cache(maxsize=16)
def _not_paper(page: PageLayout) -> npt.NDArray[np.bool_]:
    """Pixels the crease's profile is never measured on: within 1 mm of print
    (:func:`~openproms.paper.read_bands._band_print`), and inside every answer and
    digit box and 1 mm round it (where the marks are)."""
    near_print, _ = _band_print(page)
    out = near_print.copy()
    for row in page.items:
        for box in [o.box for o in row.options] + list(row.digit_boxes):
            out[_sl(box.inset(-1.0))] = True
    return out


def flatten_creases(dark: FloatImage, page: PageLayout) -> FloatImage:
    """``dark`` with every crease taken out (:func:`find_creases`); the same
    array when there is none.

    The crushed line is followed along the crease (it wanders by a fraction of
    a millimetre: :func:`_track`) and taken out where it is thin
    (:func:`_take_out_line`). Then, per 2 mm cell of its length and per pixel
    row from the line (out to :data:`REACH_MM`), the median darkness of the
    unprinted pixels is taken; the mean of its medians over :data:`SIDE_MM` just
    before and just after each cell (:func:`_both_sides`) is the tent's own
    darkness there, and is subtracted (never below paper)."""
    creases = find_creases(dark, page)
    if not creases:
        return dark
    near_print = _not_paper(page)
    printed, _ = _band_print(page)
    out = dark.copy()
    w = dark.shape[1]
    reach = int(REACH_MM * S)
    offs = np.arange(-reach, reach + 1)
    ncell = w // _CELL
    xs = np.arange(ncell * _CELL)
    side = int(SIDE_MM / 2.0)
    for y0, slope in creases:
        line = np.round(y0 + xs * slope).astype(np.int64)
        cell, _, _ = _cell_medians(out, near_print, line, offs)
        line = np.round(line + _track(cell, reach, xs.size)).astype(np.int64)
        line = _settle(out, line, near_print[np.clip(line, 0, dark.shape[0] - 1), xs])
        _take_out_line(out, near_print, printed, line, side)
        cell, rc, inside = _cell_medians(out, near_print, line, offs)
        prof = _both_sides(cell, side)
        prof = np.nan_to_num(prof, nan=0.0).clip(0.0, None).astype(np.float32)
        sub = np.where(inside, np.repeat(prof, _CELL, axis=1), np.float32(0.0))
        cur = out[rc, xs[None, :]]
        out[rc, xs[None, :]] = np.maximum(cur - sub, np.float32(0.0))
    return out
