"""Scoring one response: validate every answer, then compute every scale.

The rules, all read from the definition (see docs/scoring.md):

* an item's value is its code, or ``min + max - code`` when reverse-keyed, or the
  scale's recode table entry;
* a scale with more than ``missing.max_missing`` items missing has no score;
* ``sum``: total, or ``total * n_items / n_answered`` when prorated;
  ``sum_times_k``: that times k; ``mean``: ``total / n_answered``;
  ``mean_times_k``: ``total * k / n_answered`` (CORE-10 clinical score, CORE System
  Trust); ``sum_then_table``: the conversion table row for the raw sum (SWEMWBS,
  PROMIS); ``profile``: item codes side by side (EQ-5D-5L, e.g. 21143);
* the result is rounded to ``decimals`` (numpy round-half-even) when given;
* band: the last band whose minimum is at or below the score; caseness per the
  definition's cut-off; risk alerts for answers in an item's ``alert_codes``.

The vectorised path in :mod:`openproms.scoring.vector` uses the same arithmetic in
the same order, so both give identical floating-point results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from openproms.scoring.definitions import Item, MeasureDefinition, Scale
from openproms.scoring.errors import NOT_A_NUMBER, AnswerError, ResponseInvalid

Answer = int | float | str | None


@dataclass(frozen=True, slots=True)
class RiskAlert:
    """An answer that a worker must follow up."""

    item_id: str
    code: int
    message: str


@dataclass(frozen=True, slots=True)
class ScaleScore:
    """The result for one scale.

    ``value`` is None when there is no score; ``reason`` then says why. ``band`` and
    ``case`` are None when the definition has no bands / cut-off or there is no
    score; ``band_verified`` / ``case_verified`` are False when that band or cut-off
    comes from an unverified source and must not be shown without saying so.
    """

    scale_id: str
    label: str
    value: float | None
    reason: str | None
    band: str | None
    band_index: int | None
    band_verified: bool | None
    case: bool | None
    case_verified: bool | None
    items_missing: tuple[str, ...]
    prorated: bool


@dataclass(frozen=True, slots=True)
class ResponseScore:
    """Every scale score and risk alert for one response."""

    measure_id: str
    version: str
    scales: Mapping[str, ScaleScore]
    alerts: tuple[RiskAlert, ...]

    def __getitem__(self, scale_id: str) -> ScaleScore:
        return self.scales[scale_id]


def round_score(value: float, decimals: int | None) -> float:
    """Round like the vectorised path (numpy round-half-even), or not at all."""
    if decimals is None:
        return value
    return float(np.round(value, decimals))


def _coerce(item: Item, raw: object) -> tuple[int | None, str | None]:
    """Turn one raw answer into a code; return (code, None) or (None, reason)."""
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, NOT_A_NUMBER
    value: float
    if isinstance(raw, int | np.integer):
        code = int(raw)
    else:
        if isinstance(raw, str):
            text = raw.strip()
            if text == "":
                return None, None
            try:
                value = float(text)
            except ValueError:
                return None, NOT_A_NUMBER
        elif isinstance(raw, float | np.floating):
            value = float(raw)
        else:
            return None, NOT_A_NUMBER
        if math.isnan(value):
            return None, None
        if not math.isfinite(value) or not value.is_integer():
            return (
                None,
                f"is not an allowed answer: expected {item.response_set.describe()}",
            )
        code = int(value)
    if code not in item.response_set.codes:
        return (
            None,
            f"is not an allowed answer: expected {item.response_set.describe()}",
        )
    return code, None


def validate_answers(
    defn: MeasureDefinition, answers: Mapping[str, object], *, row: int | None = None
) -> tuple[dict[str, int | None], list[AnswerError]]:
    """Check every answer against the definition.

    Returns the codes by item id (None = not answered) and the list of errors; an
    answer to an unknown item is an error too. Empty strings, None and NaN mean
    "not answered".
    """
    errors: list[AnswerError] = []
    known = set(defn.item_ids)
    for key in answers:
        if key not in known:
            errors.append(
                AnswerError(key, answers[key], f"is for an item not in {defn.key}", row)
            )
    codes: dict[str, int | None] = {}
    for item in defn.items:
        raw = answers.get(item.id)
        code, reason = _coerce(item, raw)
        if reason is not None:
            errors.append(AnswerError(item.id, raw, reason, row))
        codes[item.id] = code
    return codes, errors


def item_value(defn: MeasureDefinition, scale: Scale, item_id: str, code: int) -> float:
    """An item's contribution to a scale: code, reversed code or recoded value."""
    table = scale.recode.get(item_id)
    if table is not None:
        return table[code]
    if item_id in scale.reverse:
        rs = defn.item(item_id).response_set
        return float(rs.min + rs.max - code)
    return float(code)


def no_score_reason(scale: Scale, n_missing: int) -> str:
    """Explain why a scale has no score (too many items missing)."""
    n = len(scale.items)
    if scale.missing.max_missing == 0:
        return f"{n_missing} of {n} items not answered; all {n} are needed for a score"
    return (
        f"{n_missing} of {n} items not answered; at most {scale.missing.max_missing} "
        "may be missing"
    )


def score_scale(
    defn: MeasureDefinition, scale: Scale, codes: Mapping[str, int | None]
) -> ScaleScore:
    """Score one scale from validated codes (see the module docstring for rules)."""
    n = len(scale.items)
    missing = tuple(i for i in scale.items if codes.get(i) is None)
    m = len(missing)
    if m > scale.missing.max_missing:
        why = no_score_reason(scale, m)
        return ScaleScore(
            scale.id,
            scale.label,
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
    answered = n - m
    total = 0.0
    for i in scale.items:
        c = codes.get(i)
        if c is not None:
            total += item_value(defn, scale, i, c)
    value: float
    if scale.method == "sum":
        value = total if m == 0 else total * n / answered
    elif scale.method == "sum_times_k":
        assert scale.k is not None
        value = (total if m == 0 else total * n / answered) * scale.k
    elif scale.method == "mean":
        value = total / answered
    elif scale.method == "mean_times_k":
        assert scale.k is not None
        value = total * scale.k / answered
    elif scale.method == "sum_then_table":
        assert scale.conversion is not None
        value = scale.conversion.by_raw[int(total)].value
    else:  # profile
        value = 0.0
        for i in scale.items:
            c = codes[i]
            assert c is not None
            value = value * 10 + c
    value = round_score(value, scale.decimals)
    band = band_index = band_verified = None
    if scale.bands is not None:
        band_index = scale.bands.index_of(value)
        if band_index is not None:
            band = scale.bands.bands[band_index].label
            band_verified = scale.bands.source.verified
    case = case_verified = None
    if scale.caseness is not None:
        case = scale.caseness.is_case(value)
        case_verified = scale.caseness.source.verified
    return ScaleScore(
        scale.id,
        scale.label,
        value,
        None,
        band,
        band_index,
        band_verified,
        case,
        case_verified,
        missing,
        m > 0,
    )


def risk_alerts(
    defn: MeasureDefinition, codes: Mapping[str, int | None]
) -> tuple[RiskAlert, ...]:
    """Alerts for every answered risk item whose code is in its ``alert_codes``."""
    out: list[RiskAlert] = []
    for item in defn.items:
        c = codes.get(item.id)
        if item.risk is not None and c is not None and c in item.risk.alert_codes:
            out.append(RiskAlert(item.id, c, item.risk.message))
    return tuple(out)


def score_response(
    defn: MeasureDefinition, answers: Mapping[str, object]
) -> ResponseScore:
    """Validate and score one response.

    ``answers`` maps item id to a code (int, integral float or numeric string);
    None, "" or NaN mean not answered. Raises :class:`ResponseInvalid` listing every
    bad answer (item and value) before anything is scored.
    """
    codes, errors = validate_answers(defn, answers)
    if errors:
        raise ResponseInvalid(errors)
    return score_codes(defn, codes)


def score_codes(
    defn: MeasureDefinition, codes: Mapping[str, int | None]
) -> ResponseScore:
    """Score already-validated codes (the output of :func:`validate_answers`)."""
    return ResponseScore(
        defn.id,
        defn.version,
        {s.id: score_scale(defn, s, codes) for s in defn.scales},
        risk_alerts(defn, codes),
    )
