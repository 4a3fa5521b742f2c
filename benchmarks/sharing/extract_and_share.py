"""Benchmark: a research extract of a large organisation, and sending one
person's summary to their GP practice.

Run from the repository root::

    .venv/bin/python benchmarks/sharing/extract_and_share.py [--people 2000]
        [--answers 5] [--runs 3]

Seeds a fresh SQLite database in a temporary folder: one organisation with
``--people`` people (four in five agreed to research), each with an episode
and ``--answers`` PHQ-9 administrations with their total score (rows written
with bulk_create: the benchmark is of the extract, not of scoring), and a GP
practice. Then times, ``--runs`` times each: the whole CSV extract
(``sharing.extract.extract_csv``, dates shifted, every field chosen), the
Parquet extract, and ``gp_share_send`` for one person with ``--answers``
administrations (record text, PDF and FHIR Bundle made and stored). Prints the
figures as JSON, with the process's peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
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


def _seed(people: int, answers: int) -> dict[str, object]:
    from django.utils import timezone

    from openproms.accounts.models import Organisation, Service, User
    from openproms.collection.models import Administration, ScaleResult
    from openproms.people.models import Consent, Episode, ServiceUser
    from openproms.sharing.models import ResearchConsent, ResearchProject

    org = Organisation.objects.create(name="Benchmark Charity", slug="bench")
    practice = Organisation.objects.create(
        name="Bench Surgery", slug="bench-gp", kind=Organisation.Kind.GP_PRACTICE
    )
    service = Service.objects.create(organisation=org, name="Wellbeing course")
    user = User.objects.create_user(
        username="bench@example.org", email="bench@example.org", full_name="Bench"
    )
    now = timezone.now()
    ServiceUser.objects.bulk_create(
        ServiceUser(
            organisation=org,
            reference=f"B-{n:06d}",
            given_name="Given",
            family_name=f"Family{n}",
            date_of_birth=dt.date(1950 + n % 50, 1 + n % 12, 1 + n % 28),
            sex="female" if n % 2 else "male",
        )
        for n in range(people)
    )
    persons = list(ServiceUser.objects.filter(organisation=org).order_by("pk"))
    Episode.objects.bulk_create(
        Episode(
            organisation=org,
            service_user=p,
            service=service,
            start_date=(now - dt.timedelta(days=200)).date(),
        )
        for p in persons
    )
    episodes = {e.service_user_id: e for e in Episode.objects.filter(organisation=org)}
    Administration.objects.bulk_create(
        Administration(
            organisation=org,
            service_user=p,
            episode=episodes[p.pk],
            measure_id="phq9",
            measure_version="1",
            answers={},
            mode=Administration.Mode.ASSISTED,
            submission_id=f"{p.pk}-{k}",
            payload_hash="0" * 64,
            completed_at=now - dt.timedelta(days=30 * k),
            scored_with="phq9@1",
        )
        for p in persons
        for k in range(answers)
    )
    ScaleResult.objects.bulk_create(
        ScaleResult(
            organisation=org,
            administration=a,
            scale_id="total",
            value=float(a.pk % 27),
            band="Mild",
        )
        for a in Administration.objects.filter(organisation=org)
    )
    ResearchConsent.objects.bulk_create(
        ResearchConsent(service_user=p, given=n % 5 != 0, recorded_by=user)
        for n, p in enumerate(persons)
    )
    from openproms.sharing.extract import CHOOSABLE

    project = ResearchProject.objects.create(
        organisation=org,
        name="Bench study",
        purpose="Benchmark",
        approver=user,
        approval_date=now.date(),
        expiry_date=now.date() + dt.timedelta(days=30),
        fields=[name for name, _ in CHOOSABLE],
        shift_dates=True,
        approved_at=now,
    )
    Consent.objects.create(
        service_user=persons[0], kind=Consent.Kind.SHARE_WITH_GP, given=True
    )
    return {
        "project": project,
        "person": persons[0],
        "practice": practice,
        "user": user,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--answers", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        _setup(data_dir)
        seeded = _seed(args.people, args.answers)
        from openproms.sharing.extract import extract_csv, extract_parquet
        from openproms.sharing.gp_services import gp_share_send

        project = seeded["project"]
        csv_runs, parquet_runs, share_runs = [], [], []
        rows = size = 0
        for _ in range(args.runs):
            start = time.perf_counter()
            text = "".join(extract_csv(project))  # type: ignore[arg-type]
            csv_runs.append(round(time.perf_counter() - start, 3))
            rows = text.count("\n") - 1
            start = time.perf_counter()
            size = len(extract_parquet(project))  # type: ignore[arg-type]
            parquet_runs.append(round(time.perf_counter() - start, 3))
            start = time.perf_counter()
            gp_share_send(
                service_user=seeded["person"],  # type: ignore[arg-type]
                recipient=seeded["practice"],  # type: ignore[arg-type]
                practice_name="",
                actor=seeded["user"],  # type: ignore[arg-type]
            )
            share_runs.append(round(time.perf_counter() - start, 3))
        print(
            json.dumps(
                {
                    "people": args.people,
                    "administrations": args.people * args.answers,
                    "extract_rows": rows,
                    "csv_seconds": csv_runs,
                    "csv_median": statistics.median(csv_runs),
                    "parquet_seconds": parquet_runs,
                    "parquet_median": statistics.median(parquet_runs),
                    "parquet_bytes": size,
                    "gp_share_send_seconds": share_runs,
                    "gp_share_send_median": statistics.median(share_runs),
                    "peak_rss_mb": round(
                        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                    ),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
