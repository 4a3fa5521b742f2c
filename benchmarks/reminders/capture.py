"""Benchmark: the weekly collection page's figures, the collection alerts, and a
reminder round, on the benchmark organisation.

Run from the repository root::

    .venv/bin/python benchmarks/reminders/capture.py [--service-users 10000]
        [--administrations 100000] [--workers 40] [--runs 3] [--agreed 2000]

Seeds a fresh SQLite database in a temporary folder with ``openproms manage seed``
(the benchmark organisation: services, key workers, plans, time points and
answers), names an implementation lead for every service, and records an email
agreement for ``--agreed`` people. Then times, ``--runs`` times each:

* ``capture_overview``: 12 weeks of ``collection_rates`` for every service and
  every key worker (what the weekly collection page computes);
* ``alerts_raise``: the daily check for every service's lead;
* ``reminders_plan``: one reminder round's choosing (the first run makes the
  reminders; later runs find them made and make none).

Prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service-users", type=int, default=10_000)
    parser.add_argument("--administrations", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=40)
    parser.add_argument("--agreed", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["OPENPROMS_DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        call_command(
            "seed",
            service_users=args.service_users,
            administrations=args.administrations,
            workers=args.workers,
            verbosity=0,
        )
        seeded = time.perf_counter() - started
        from openproms.accounts.models import Membership, Organisation, Service
        from openproms.core.tasks import database_optimise_now
        from openproms.people.models import ServiceUser
        from openproms.reminders import capture, capture_alerts, services
        from openproms.reminders.models import (
            ContactAgreement,
            ImplementationLead,
            ReminderSettings,
        )

        organisation = Organisation.objects.get(is_demo=True)
        lead = Membership.objects.filter(organisation=organisation).first()
        assert lead is not None
        for service in Service.objects.filter(organisation=organisation):
            ImplementationLead.objects.create(
                organisation=organisation, service=service, lead=lead.user
            )
        today = timezone.localdate()
        ContactAgreement.objects.bulk_create(
            ContactAgreement(
                organisation=organisation,
                service_user_id=pk,
                preference="email",
                address=f"p{pk}@example.org",
                agreed_on=today,
            )
            for pk in ServiceUser.objects.filter(organisation=organisation).values_list(
                "pk", flat=True
            )[: args.agreed]
        )
        ReminderSettings.objects.create(
            organisation=organisation, enabled=True, provider="smtp"
        )
        database_optimise_now()
        noon = timezone.localtime().replace(hour=12, minute=0)

        def timed(work: object) -> list[float]:
            runs = []
            for _ in range(args.runs):
                begun = time.perf_counter()
                work()  # type: ignore[operator]
                runs.append(round(time.perf_counter() - begun, 3))
            return runs

        made: list[int] = []
        figures = {
            "seeded_seconds": round(seeded, 1),
            "service_users": args.service_users,
            "administrations": args.administrations,
            "workers": args.workers,
            "capture_overview": timed(
                lambda: capture.capture_overview(organisation, today=today)
            ),
            "alerts_raise": timed(
                lambda: capture_alerts.alerts_raise(
                    organisation=organisation, today=today
                )
            ),
            "reminders_plan": timed(
                lambda: made.append(
                    services.reminders_plan(organisation=organisation, now=noon)
                )
            ),
        }
        figures["reminders_made"] = made
        for key in ("capture_overview", "alerts_raise", "reminders_plan"):
            figures[f"{key}_median"] = statistics.median(figures[key])  # type: ignore[arg-type]
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
