"""What the fair comparison adds to a dashboard page: the case-mix fit and the
services and workers funnels for one scale, in CPU seconds (``time.process_time``,
so that other work on a shared machine does not count).

    .venv/bin/python benchmarks/ontrack/funnel_cost.py [--pairs 100000] [--runs 5]

Made-up pairs with the breakdown keys the dashboard passes, coded as it reads them (4 services, 40 key
workers, 7 age bands, 3 sexes, 6 ethnic groups): 100,000 pairs is the PHQ-9 pair
count of the 1,000,000-administration database over 12 months.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    import numpy as np

    from openproms.reports import funnel_charts
    from openproms.stats import Factor, ScoreArrays

    rng = np.random.default_rng(0)
    n = args.pairs
    first = rng.integers(0, 28, n).astype(float)
    latest = np.clip(first - rng.normal(4, 5, n), 0, 27).round()
    bands = ["18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
    # As the dashboard reads them (reports.selectors.outcome_factors): one coded
    # label per pair for each key.
    index = range(n)
    factors = {
        "service": Factor.of(f"Service {i % 4}" for i in index),
        "worker": Factor.of(f"Worker {i % 40}" for i in index),
        "age_band": Factor.of(bands[i % 7] for i in index),
        "sex": Factor.of(("Female", "Male", "Not recorded")[i % 3] for i in index),
        "ethnicity_group": Factor.of(f"Group {i % 6}" for i in index),
    }
    scores = ScoreArrays(first, latest)

    def once() -> None:
        casemix = funnel_charts.fit_factors(factors, scores)
        assert casemix is not None
        for key, what in (("service", "service"), ("worker", "key worker")):
            comparison = funnel_charts.compare_groups(casemix, factors[key], False)
            funnel_charts.comparison_table(
                comparison, title="x", what=what, min_people=8
            )

    once()
    times = []
    for _ in range(args.runs):
        t = time.process_time()
        once()
        times.append(time.process_time() - t)
    print(
        json.dumps(
            {
                "pairs": n,
                "median_cpu_s": round(statistics.median(times), 3),
                "runs": [round(t, 3) for t in times],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
