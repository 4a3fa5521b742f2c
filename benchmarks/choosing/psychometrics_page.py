"""Benchmark: the figures of the psychometrics page for a measure with many answers.

Run from the repository root::

    .venv/bin/python benchmarks/choosing/psychometrics_page.py [--people 1000] [--runs 5]

Seeds a fresh SQLite database in a temporary folder: one organisation, ``--people``
people each with an episode and two CORE-10 answers a week apart (saved through
``administration_submit``, so the stored scale scores are the real ones), answers
driven by one trait so the questions hang together (reverse-keyed questions
answered the other way). Then times
``choosing.own_data.measure_figures`` (everything the page computes: reading the
answers and scores, alpha, omega, the item table, correlations, the retest ICC and
the SRM) ``--runs`` times and prints the figures as JSON. Target: under 1 s for
2,000 answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["OPENPROMS_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        import numpy as np
        from django.utils import timezone

        from openproms.accounts.models import Organisation, Service
        from openproms.catalogue.selectors import measure_definition
        from openproms.choosing import own_data, selectors
        from openproms.collection.models import Administration
        from openproms.collection.services import administration_submit
        from openproms.people.models import Episode, ServiceUser

        organisation = Organisation.objects.create(name="Bench", slug="bench")
        service = Service.objects.create(organisation=organisation, name="Counselling")
        definition = measure_definition(organisation=organisation, measure_id="core10")
        reversed_items = set().union(*(scale.reverse for scale in definition.scales))
        rng = np.random.default_rng(7)
        start = timezone.now() - dt.timedelta(days=30)
        seeded = time.perf_counter()
        for i in range(args.people):
            person = ServiceUser.objects.create(
                organisation=organisation, reference=f"B-{i}"
            )
            episode = Episode.objects.create(
                organisation=organisation,
                service_user=person,
                service=service,
                start_date=start.date(),
            )
            trait = rng.normal()
            for week in (0, 1):
                answers = {}
                for item in definition.items:
                    value = int(np.clip(round(2 + trait + rng.normal() * 0.7), 0, 4))
                    answers[item.id] = 4 - value if item.id in reversed_items else value
                administration_submit(
                    organisation=organisation,
                    service_user=person,
                    measure=definition,
                    answers=answers,
                    mode=Administration.Mode.ASSISTED,
                    submission_id=str(uuid.uuid4()),
                    episode=episode,
                    completed_at=start + dt.timedelta(weeks=week),
                )
        seeded = time.perf_counter() - seeded
        administrations = selectors.measure_administrations(
            organisation, definition.id, definition.version
        )
        runs = []
        for _ in range(args.runs):
            began = time.perf_counter()
            figures = own_data.measure_figures(
                definition=definition, administrations=administrations
            )
            runs.append(time.perf_counter() - began)
        analysis = figures[0].analysis
        print(
            json.dumps(
                {
                    "people": args.people,
                    "answers": administrations.count(),
                    "seed_seconds": round(seeded, 1),
                    "runs": [round(r, 3) for r in runs],
                    "median": round(statistics.median(runs), 3),
                    "alpha": None if analysis is None else round(analysis.alpha, 3),
                    "retest_pairs": figures[0].retest_pairs,
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
