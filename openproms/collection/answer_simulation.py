"""Believable answers for demo and benchmark data (never used for real people).

A person's well-being is a number from 0 (very unwell) to 1 (very well); each item
is answered near the code that level implies, with some noise, respecting the
item's direction (reverse keying, "higher is worse" scales).
"""

from __future__ import annotations

import random

from openproms.scoring import MeasureDefinition

RISK_SHARE_WHEN_UNWELL = 0.15


def simulated_answers(
    measure: MeasureDefinition, wellbeing: float, rng: random.Random
) -> dict[str, int | None]:
    """Answers to every item for a person at ``wellbeing`` (0 to 1)."""
    worse_when_high: dict[str, bool] = {}
    for scale in measure.scales:
        for item_id in scale.items:
            flipped = item_id in scale.reverse
            worse_when_high[item_id] = (not scale.higher_is_better) != flipped
    answers: dict[str, int | None] = {}
    for item in measure.items:
        codes = sorted(item.response_set.codes)
        low, high = codes[0], codes[-1]
        level = min(1.0, max(0.0, wellbeing + rng.gauss(0, 0.12)))
        if worse_when_high.get(item.id, False):
            level = 1 - level
        target = low + level * (high - low)
        code = min(codes, key=lambda c: abs(c - target))
        # Risk answers come rarely, and only from people who are quite unwell.
        risky = item.risk is not None and code in item.risk.alert_codes
        if risky and (wellbeing > 0.3 or rng.random() > RISK_SHARE_WHEN_UNWELL):
            code = low
        answers[item.id] = code
    return answers
