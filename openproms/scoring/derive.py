"""Derived scores: score one measure from another measure's answers.

A definition's ``derivations`` map each of its items to an item of a source
measure (for example PHQ-2 items 1-2 = PHQ-9 items 1-2; PHQ-4 = GAD-7 items 1-2 +
PHQ-9 items 1-2; SWEMWBS = WEMWBS items 1, 2, 3, 6, 7, 9, 11). The answers are
copied across and scored with the derived measure's own rules, so the same
validation, missing-item rule, bands and conversion table apply.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from openproms.scoring.definitions import MeasureDefinition
from openproms.scoring.engine import ResponseScore, score_response
from openproms.scoring.vector import ScoreTable, score_table


def _check_sources(target: MeasureDefinition, sources: Mapping[str, object]) -> None:
    if not target.derivations:
        raise ValueError(f"{target.key} has no derivations")
    needed = {d.from_measure for d in target.derivations}
    absent = sorted(needed - set(sources))
    if absent:
        raise ValueError(
            f"{target.key} is derived from {', '.join(sorted(needed))}; "
            f"answers for {', '.join(absent)} were not given"
        )


def derived_answers(
    target: MeasureDefinition, sources: Mapping[str, Mapping[str, object]]
) -> dict[str, object]:
    """Map source answers onto the derived measure's items.

    ``sources`` maps a source measure id to its answers (item id -> answer).
    """
    _check_sources(target, sources)
    out: dict[str, object] = {}
    for d in target.derivations:
        answers = sources[d.from_measure]
        for target_item, source_item in d.item_map.items():
            out[target_item] = answers.get(source_item)
    return out


def score_derived(
    target: MeasureDefinition, sources: Mapping[str, Mapping[str, object]]
) -> ResponseScore:
    """Score ``target`` from other measures' answers (e.g. PHQ-2 from a PHQ-9).

    Raises :class:`~openproms.scoring.errors.ResponseInvalid` naming the derived
    item if a copied answer is invalid.
    """
    return score_response(target, derived_answers(target, sources))


def score_derived_table(
    target: MeasureDefinition,
    sources: Mapping[str, Mapping[str, npt.ArrayLike]],
) -> ScoreTable:
    """Vectorised :func:`score_derived`: ``sources`` maps a source measure id to a
    mapping of its item id -> 1-D array."""
    _check_sources(target, sources)
    cols: dict[str, npt.ArrayLike] = {}
    for d in target.derivations:
        answers = sources[d.from_measure]
        for target_item, source_item in d.item_map.items():
            if source_item in answers:
                cols[target_item] = np.asarray(answers[source_item])
    return score_table(target, cols)
