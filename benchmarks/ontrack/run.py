"""Back-test of the not-on-track flag on data held back from the fit.

Run from the repository root against a database (the demo's, or one seeded by
``openproms manage seed``)::

    OPENPROMS_DATA_DIR=DIR .venv/bin/python benchmarks/ontrack/run.py \\
        --organisation SLUG [--measure phq9] [--held-out 0.3] [--json OUT]

Episodes of the organisation with a first and a later score on the measure's
scale are split at random (seed 0) by episode: ``1 - held_out`` of them fit the
band (:func:`openproms.stats.expected_change.fit_expected`, every later score of
those episodes), the rest are held out. For each held-out episode with at least
three scores, the flag is worked out at its **second** score (first score, weeks
to the second, the second score: what a clinician would have seen then), and the
outcome is read at its **last** score: reliable improvement from the first score
or not (the measure's published threshold, :func:`openproms.scoring.individual_change`).

Prints how often a flagged episode ended without reliable improvement and how
often an unflagged one did, with counts, and the same as JSON. Read-only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisation", required=True, help="organisation slug")
    parser.add_argument("--measure", default="phq9")
    parser.add_argument("--scale", default="total")
    parser.add_argument("--held-out", type=float, default=0.3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    import numpy as np

    from openproms.accounts.models import Organisation
    from openproms.catalogue.selectors import measure_definition
    from openproms.collection.models import OutcomeScore
    from openproms.collection.on_track import WEEK_US
    from openproms.scoring import individual_change
    from openproms.stats.expected_change import assess, fit_expected

    started = time.perf_counter()
    organisation = Organisation.objects.get(slug=args.organisation)
    definition = measure_definition(organisation=organisation, measure_id=args.measure)
    scale = definition.scale(args.scale)
    rows = list(
        OutcomeScore.objects.filter(
            organisation=organisation,
            measure_id=args.measure,
            scale_id=args.scale,
            is_pilot=False,
        )
        .order_by("episode_id", "completed_us")
        .values_list("episode_id", "completed_us", "value")
    )
    series: dict[int, list[tuple[int, float]]] = {}
    for episode, when, value in rows:
        series.setdefault(episode, []).append((when, value))
    episodes = np.array(sorted(e for e, s in series.items() if len(s) >= 2))
    rng = np.random.default_rng(0)
    held = set(
        rng.choice(episodes, round(args.held_out * episodes.size), replace=False)
    )
    fit_rows: list[tuple[float, float, float, int]] = []
    for episode in episodes:
        if episode in held:
            continue
        (t0, first), *later = series[episode]
        fit_rows.extend((first, (t - t0) / WEEK_US, v, episode) for t, v in later)
    data = np.array(fit_rows, dtype=np.float64)
    model = fit_expected(
        data[:, 0],
        data[:, 1],
        data[:, 2],
        data[:, 3].astype(int),
        higher_is_better=scale.higher_is_better,
    )
    counts = {
        "flagged": 0,
        "flagged_no_improvement": 0,
        "unflagged": 0,
        "unflagged_no_improvement": 0,
    }
    no_threshold = 0
    for episode in sorted(held):
        points = series[episode]
        if len(points) < 3:
            continue
        (t0, first), (t1, second) = points[0], points[1]
        last = points[-1][1]
        a = assess(
            model,
            first=first,
            weeks=(t1 - t0) / WEEK_US,
            latest=second,
            score_range=(scale.range_min, scale.range_max),
        )
        change = individual_change(definition, args.scale, first, last)
        if change.reliable is None:
            no_threshold += 1
            continue
        key = "flagged" if a.not_on_track else "unflagged"
        counts[key] += 1
        if not change.reliable_improvement:
            counts[f"{key}_no_improvement"] += 1

    def share(k: str) -> float | None:
        n = counts[k]
        return None if n == 0 else counts[f"{k}_no_improvement"] / n

    result: dict[str, Any] = {
        "organisation": args.organisation,
        "measure": args.measure,
        "scale": args.scale,
        "episodes_with_a_pair": int(episodes.size),
        "fitted_on_people": model.people,
        "fitted_on_scores": model.scores,
        "held_out": len(held),
        **counts,
        "no_threshold": no_threshold,
        "flagged_share_without_reliable_improvement": share("flagged"),
        "unflagged_share_without_reliable_improvement": share("unflagged"),
        "seconds": round(time.perf_counter() - started, 2),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
