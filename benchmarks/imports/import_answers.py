"""Benchmark: importing a CSV of historic answers, with full validation.

Run from the repository root::

    .venv/bin/python benchmarks/imports/import_answers.py [--rows 100000]
        [--per-person 10] [--dry-run]

Seeds a fresh SQLite database in a temporary folder (one organisation using
GAD-7, one service with a measurement plan asking for GAD-7 at the start, a
manager), then writes a CSV of ``--rows`` answer rows: ``--per-person`` GAD-7
answers for each person (reference, names, date of birth, NHS number with a
valid check digit, service, episode start and end, measure, date answered in
the three date forms, seven answers). Then times ``imports.services.import_run``
(read, check every row, write every person, episode and answer through
``administration_submit`` with its scores, audit events and schedule refresh,
in one transaction) and prints the figures as JSON. Target: under 60 s for
100,000 rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _setup(data_dir: str) -> None:
    os.environ["OPENPROMS_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _nhs_number(n: int) -> str:
    """A valid NHS number (modulus 11) made from ``n``."""
    while True:
        digits = f"{900000000 + n:09d}"
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return digits + str(check)
        n += 7_000_000


def _date(day: dt.date, form: int) -> str:
    if form == 0:
        return f"{day:%d/%m/%Y}"
    if form == 1:
        return day.isoformat()
    return f"{day.day} {day:%B %Y}"


def make_csv(rows: int, per_person: int, service: str) -> bytes:
    rng = random.Random(1)
    lines = [
        "Reference,Given name,Family name,Date of birth,NHS number,Service,"
        "Episode start,Episode end,Measure,Date answered,Q1,Q2,Q3,Q4,Q5,Q6,Q7"
    ]
    people = (rows + per_person - 1) // per_person
    written = 0
    for p in range(people):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
        start = dt.date(2015, 1, 5) + dt.timedelta(days=rng.randrange(2500))
        end = start + dt.timedelta(weeks=2 * per_person + 1)
        for k in range(per_person):
            if written == rows:
                break
            answered = start + dt.timedelta(weeks=2 * k)
            answers = ",".join(str(rng.randrange(4)) for _ in range(7))
            lines.append(
                f"H{p:06d},Given{p},Family{p},{_date(born, p % 3)},{_nhs_number(p)},"
                f"{service},{_date(start, 1)},{_date(end, 0)},GAD-7,"
                f"{_date(answered, k % 3)},{answers}"
            )
            written += 1
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--per-person", type=int, default=10)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        _setup(data_dir)
        from openproms.accounts.models import Membership, Organisation, Service, User
        from openproms.accounts.policy import Role
        from openproms.catalogue.models import OrganisationMeasure
        from openproms.collection.models import (
            Administration,
            MeasurementPlan,
            PlanRule,
        )
        from openproms.imports.mapping import (
            initial_mapping,
            organisation_import_measures,
        )
        from openproms.imports.services import import_run, import_upload

        org = Organisation.objects.create(name="Benchmark Charity", slug="bench")
        service = Service.objects.create(organisation=org, name="Talking therapy")
        OrganisationMeasure.objects.create(
            organisation=org, measure_id="gad7", measure_version="1"
        )
        plan = MeasurementPlan.objects.create(
            organisation=org, service=service, name="Core"
        )
        PlanRule.objects.create(
            plan=plan, measure_id="gad7", measure_version="1", kind="start"
        )
        user = User.objects.create(username="m@bench", email="m@bench")
        Membership.objects.create(user=user, organisation=org, role=Role.MANAGER)

        began = time.perf_counter()
        content = make_csv(args.rows, args.per_person, service.name)
        made = time.perf_counter() - began

        began = time.perf_counter()
        cpu = time.process_time()
        job = import_upload(
            organisation=org, actor=user, file_name="history.csv", content=content
        )
        job.mapping = initial_mapping(
            organisation=org,
            headers=job.headers,
            measures=organisation_import_measures(org),
        )
        job.save()
        job = import_run(job=job, commit=not args.dry_run, actor=user)
        seconds = time.perf_counter() - began
        cpu = time.process_time() - cpu
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "bytes": len(content),
                    "make_csv_s": round(made, 2),
                    "import_s": round(seconds, 2),
                    "import_cpu_s": round(cpu, 2),
                    "rows_per_s": round(args.rows / seconds),
                    "status": job.status,
                    "counts": job.outcome.get("counts"),
                    "problems": job.outcome.get("problems", [])[:3],
                    "administrations": Administration.objects.count(),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
