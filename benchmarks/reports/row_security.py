"""Row-level security off and on, interleaved: the dashboards of run.py, each
request timed with the organisation not named (off) and named (on), alternately,
so a busy machine's drift falls on both alike (decision 0016).

PostgreSQL only, on a database seeded as in run.py, connected as a plain role (a
superuser passes every policy, and both columns would measure "off")::

    OPENPROMS_DATABASE_URL=postgres://openproms@127.0.0.1:5432/openproms_bench \\
        .venv/bin/python benchmarks/reports/row_security.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("OPENPROMS_DATABASE_URL"):
        sys.exit("Set OPENPROMS_DATABASE_URL to a seeded PostgreSQL database.")
    os.environ.setdefault("OPENPROMS_DATA_DIR", str(ROOT / "benchmarks/out/reports"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse
    from django_otp.plugins.otp_static.models import StaticDevice

    from openproms.accounts.models import Organisation, Service, User

    override_settings(
        ALLOWED_HOSTS=["*"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
    ).enable()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        if cursor.fetchone()[0]:
            sys.exit("Connected as a role that passes every policy: use a plain role.")
    organisation = Organisation.objects.get(slug="bench")
    service = Service.objects.filter(organisation=organisation).order_by("pk").first()
    manager = User.objects.get(email="manager@bench.example")
    client = Client()
    client.force_login(manager)
    device, _ = StaticDevice.objects.get_or_create(user=manager, name="benchmark")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session["openproms_login_at"] = time.time()
    session.save()
    url = reverse("reports:dashboard", kwargs={"org_slug": "bench"})

    results: dict[str, object] = {"load_average": os.getloadavg()}
    for name, params in (
        ("service_dashboard_phq9", {"service": str(service.pk), "measure": "phq9"}),
        ("service_dashboard_gad7", {"service": str(service.pk), "measure": "gad7"}),
        ("organisation_dashboard_phq9", {"measure": "phq9"}),
    ):
        times: dict[str, list[float]] = {"off": [], "on": []}
        sizes = set()
        for run in range(args.runs + 1):  # the first pair warms up
            for label, on in (("off", False), ("on", True)):
                with override_settings(ROW_LEVEL_SECURITY=on):
                    t = time.perf_counter()
                    response = client.get(url, params)
                    elapsed = time.perf_counter() - t
                assert response.status_code == 200, response.status_code
                sizes.add(len(response.content))
                if run:
                    times[label].append(elapsed)
        off, on = statistics.median(times["off"]), statistics.median(times["on"])
        results[name] = {
            "off_median_s": round(off, 3),
            "on_median_s": round(on, 3),
            "on_over_off": round(on / off, 2),
            "same_page": len(sizes) == 1,
        }
    results["load_average_after"] = os.getloadavg()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
