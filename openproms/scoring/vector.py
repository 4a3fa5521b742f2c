"""Scoring many responses at once with numpy: a table of answers in, scores out.

Same rules and the same floating-point operations, in the same order, as
:mod:`openproms.scoring.engine`, so every row equals the one-at-a-time result
(checked by property tests for every library measure). Invalid answers do not stop
the batch: each is recorded as an :class:`AnswerError` with its row, and the row's
scores are left empty.

Input is either a 2-D array whose columns follow ``defn.item_ids`` or a mapping
from item id to a 1-D array; an absent column means "not answered". Use NaN for a
missing answer in a float array; an integer array has no missing answers and takes
a fast path (no NaN handling).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from openproms.scoring.definitions import MeasureDefinition, ResponseSet, Scale
from openproms.scoring.engine import (
    ResponseScore,
    RiskAlert,
    ScaleScore,
    no_score_reason,
)
from openproms.scoring.errors import AnswerError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
AnyArray = npt.NDArray[Any]


@dataclass(frozen=True, eq=False)
class ScaleColumns:
    """One scale's results for every row.

    ``value`` is NaN where there is no score; ``band`` is the band index or -1;
    ``case`` is 1 / 0, or -1 where there is no score or no cut-off.
    """

    value: FloatArray
    band: npt.NDArray[np.int16]
    case: npt.NDArray[np.int8]
    n_missing: npt.NDArray[np.int16]
    prorated: BoolArray


@dataclass(frozen=True, eq=False)
class ScoreTable:
    """Scores for a batch of responses.

    ``valid[i]`` is False when row i had an invalid answer (its scores are empty);
    ``errors`` lists every invalid answer with its 1-based row number (offset by
    ``row_offset``); ``alerts[item_id]`` is True where that risk item raised an alert.
    """

    definition: MeasureDefinition
    n_rows: int
    valid: BoolArray
    errors: list[AnswerError]
    scales: dict[str, ScaleColumns]
    alerts: dict[str, BoolArray]
    row_offset: int = 0
    _codes: dict[str, AnyArray] = field(default_factory=dict, repr=False)

    def band_labels(self, scale_id: str) -> list[str | None]:
        """Band label per row (None where there is no band)."""
        scale = self.definition.scale(scale_id)
        if scale.bands is None:
            return [None] * self.n_rows
        labels = [b.label for b in scale.bands.bands]
        return [
            labels[i] if i >= 0 else None for i in self.scales[scale_id].band.tolist()
        ]

    def row(self, i: int) -> ResponseScore | None:
        """Row ``i`` (0-based) as a :class:`ResponseScore`; None if it was invalid."""
        if not self.valid[i]:
            return None
        defn = self.definition
        scales: dict[str, ScaleScore] = {}
        for s in defn.scales:
            cols = self.scales[s.id]
            missing = tuple(it for it in s.items if _is_missing(self._codes.get(it), i))
            v = float(cols.value[i])
            if np.isnan(v):
                why = no_score_reason(s, len(missing))
                scales[s.id] = ScaleScore(
                    s.id,
                    s.label,
                    None,
                    why,
                    None,
                    None,
                    None,
                    None,
                    None,
                    missing,
                    False,
                )
                continue
            b = int(cols.band[i])
            c = int(cols.case[i])
            scales[s.id] = ScaleScore(
                s.id,
                s.label,
                v,
                None,
                None if b < 0 or s.bands is None else s.bands.bands[b].label,
                None if b < 0 else b,
                None if b < 0 or s.bands is None else s.bands.source.verified,
                None if c < 0 else bool(c),
                None if c < 0 or s.caseness is None else s.caseness.source.verified,
                missing,
                bool(cols.prorated[i]),
            )
        alerts: list[RiskAlert] = []
        for item in defn.items:
            flags = self.alerts.get(item.id)
            if item.risk is not None and flags is not None and flags[i]:
                code = int(self._codes[item.id][i])
                alerts.append(RiskAlert(item.id, code, item.risk.message))
        return ResponseScore(defn.id, defn.version, scales, tuple(alerts))


def _is_missing(col: AnyArray | None, i: int) -> bool:
    if col is None:
        return True
    if col.dtype.kind == "f":
        return bool(np.isnan(col[i]))
    return False


def _columns(
    defn: MeasureDefinition, answers: Mapping[str, npt.ArrayLike] | npt.ArrayLike
) -> tuple[int, dict[str, AnyArray]]:
    """Split the input into one 1-D numeric array per item."""
    if isinstance(answers, Mapping):
        cols = {k: np.asarray(v) for k, v in answers.items()}
        unknown = sorted(set(cols) - set(defn.item_ids))
        if unknown:
            raise ValueError(f"columns {unknown} are not items of {defn.key}")
        lengths = {len(c) for c in cols.values()}
        if len(lengths) > 1:
            raise ValueError("all answer columns must have the same length")
        n = lengths.pop() if lengths else 0
    else:
        arr = np.asarray(answers)
        if arr.ndim != 2 or arr.shape[1] != len(defn.item_ids):
            raise ValueError(
                f"expected a 2-D array with {len(defn.item_ids)} columns "
                f"({', '.join(defn.item_ids)}), got shape {arr.shape}"
            )
        n = arr.shape[0]
        cols = {item_id: arr[:, j] for j, item_id in enumerate(defn.item_ids)}
    for k, c in cols.items():
        if c.ndim != 1:
            raise ValueError(f"column {k!r} must be one-dimensional")
        if c.dtype.kind not in "iuf":
            raise ValueError(f"column {k!r} must be numeric (got {c.dtype})")
    return n, cols


def _invalid_mask(col: AnyArray, rs: ResponseSet) -> BoolArray | None:
    """Rows whose (non-missing) value is not an allowed code; None if there are none."""
    if col.size == 0:
        return None
    if col.dtype.kind in "iu":
        lo, hi = int(col.min()), int(col.max())
        if rs.contiguous and rs.min <= lo and hi <= rs.max:
            return None
        if rs.contiguous:
            bad: BoolArray = (col < rs.min) | (col > rs.max)
        else:
            bad = ~np.isin(col, np.fromiter(rs.codes, dtype=np.int64))
        return bad if bad.any() else None
    with np.errstate(invalid="ignore"):
        if rs.contiguous:
            ok = (col >= rs.min) & (col <= rs.max) & (np.floor(col) == col)
        else:
            ok = np.isin(col, np.fromiter(rs.codes, dtype=np.float64))
    bad = ~ok & ~np.isnan(col)
    return bad if bad.any() else None


def _item_values(
    defn: MeasureDefinition, scale: Scale, item_id: str, col: AnyArray
) -> AnyArray:
    """Item contribution (code, reversed or recoded); NaN stays NaN."""
    table = scale.recode.get(item_id)
    if table is not None:
        rs = defn.item(item_id).response_set
        lut = np.full(rs.max - rs.min + 2, np.nan)
        for code, v in table.items():
            lut[code - rs.min] = v
        if col.dtype.kind == "f":
            idx = np.where(np.isnan(col), rs.max - rs.min + 1, col - rs.min).astype(
                np.intp
            )
        else:
            idx = (col - rs.min).astype(np.intp)
        return lut[idx]
    if item_id in scale.reverse:
        rs = defn.item(item_id).response_set
        return (rs.min + rs.max) - col.astype(
            np.float64 if col.dtype.kind == "f" else np.int64
        )
    return col


def _score_scale(
    defn: MeasureDefinition, scale: Scale, cols: Mapping[str, AnyArray], n: int
) -> ScaleColumns:
    k = len(scale.items)
    parts = [
        _item_values(defn, scale, i, cols[i]) if i in cols else np.full(n, np.nan)
        for i in scale.items
    ]
    all_int = all(p.dtype.kind in "iu" for p in parts)
    if all_int:
        n_missing = np.zeros(n, dtype=np.int16)
        if scale.method == "profile":
            acc = np.zeros(n, dtype=np.int64)
            for p in parts:
                acc = acc * 10 + p
            total = acc.astype(np.float64)
        else:
            acc = parts[0].astype(np.int64)
            for p in parts[1:]:
                acc = acc + p
            total = acc.astype(np.float64)
        any_missing = False
    else:
        # Add columns one at a time, in item order, exactly as the scalar path does.
        n_missing = np.zeros(n, dtype=np.int16)
        total = np.zeros(n)
        for p in parts:
            fp = p.astype(np.float64)
            miss = np.isnan(fp)
            n_missing += miss
            filled = np.where(miss, 0.0, fp)
            total = total * 10 + filled if scale.method == "profile" else total + filled
        any_missing = bool(n_missing.any())
    answered = (k - n_missing).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        if scale.method == "sum":
            value = (
                np.where(n_missing == 0, total, total * k / answered)
                if any_missing
                else total
            )
        elif scale.method == "sum_times_k":
            assert scale.k is not None
            base = (
                np.where(n_missing == 0, total, total * k / answered)
                if any_missing
                else total
            )
            value = base * scale.k
        elif scale.method == "mean":
            value = total / answered
        elif scale.method == "mean_times_k":
            assert scale.k is not None
            value = total * scale.k / answered
        elif scale.method == "sum_then_table":
            assert scale.conversion is not None
            raws = [r.raw for r in scale.conversion.table]
            lo = min(raws)
            lut = np.full(max(raws) - lo + 1, np.nan)
            for r in scale.conversion.table:
                lut[r.raw - lo] = r.value
            idx = np.clip(total - lo, 0, len(lut) - 1).astype(np.intp)
            value = lut[idx]
        else:
            value = total
    if scale.decimals is not None:
        value = np.round(value, scale.decimals)
    too_many = n_missing > scale.missing.max_missing
    if too_many.any():
        value = np.where(too_many, np.nan, value)
    value = np.ascontiguousarray(value, dtype=np.float64)
    nan = np.isnan(value)
    if scale.bands is not None:
        mins = np.asarray(scale.bands.lower_bounds, dtype=np.float64)
        band = (np.searchsorted(mins, value, side="right") - 1).astype(np.int16)
        band[nan] = -1
    else:
        band = np.full(n, -1, dtype=np.int16)
    if scale.caseness is not None:
        c = scale.caseness
        flag = (
            value >= c.threshold
            if c.case_when == "at_or_above"
            else value < c.threshold
        )
        case = flag.astype(np.int8)
        case[nan] = -1
    else:
        case = np.full(n, -1, dtype=np.int8)
    prorated = (n_missing > 0) & ~nan
    return ScaleColumns(value, band, case, n_missing, prorated)


def score_table(
    defn: MeasureDefinition,
    answers: Mapping[str, npt.ArrayLike] | npt.ArrayLike,
    *,
    row_offset: int = 0,
) -> ScoreTable:
    """Validate and score many responses at once (same rules as score_response).

    ``answers``: a 2-D array with one column per item in ``defn.item_ids`` order, or
    a mapping item id -> 1-D array (absent item = not answered). NaN = not answered.
    Rows with an invalid answer get no scores and one :class:`AnswerError` per bad
    value, numbered ``row_offset + i + 1``.
    """
    n, cols = _columns(defn, answers)
    valid = np.ones(n, dtype=np.bool_)
    errors: list[AnswerError] = []
    clean: dict[str, AnyArray] = {}
    for item in defn.items:
        col = cols.get(item.id)
        if col is None:
            continue
        bad = _invalid_mask(col, item.response_set)
        if bad is not None:
            valid &= ~bad
            expected = item.response_set.describe()
            for r in np.flatnonzero(bad).tolist():
                raw = col[r].item()
                errors.append(
                    AnswerError(
                        item.id,
                        raw,
                        f"is not an allowed answer: expected {expected}",
                        row_offset + r + 1,
                    )
                )
            col = np.where(bad, np.nan, col.astype(np.float64))
        clean[item.id] = col
    errors.sort(key=lambda e: (e.row or 0, defn.item_ids.index(e.item_id)))
    scales = {s.id: _score_scale(defn, s, clean, n) for s in defn.scales}
    if not valid.all():
        invalid = ~valid
        for sc in scales.values():
            sc.value[invalid] = np.nan
            sc.band[invalid] = -1
            sc.case[invalid] = -1
            sc.prorated[invalid] = False
    alerts: dict[str, BoolArray] = {}
    for item in defn.items:
        if item.risk is None or item.id not in clean:
            continue
        col = clean[item.id]
        codes = sorted(item.risk.alert_codes)
        if codes == list(range(codes[0], codes[-1] + 1)):
            flag = (col >= codes[0]) & (col <= codes[-1])
        else:
            flag = np.isin(col, np.asarray(codes))
        alerts[item.id] = flag & valid
    return ScoreTable(defn, n, valid, errors, scales, alerts, row_offset, clean)
