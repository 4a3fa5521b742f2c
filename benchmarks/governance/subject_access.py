"""Benchmark: the subject access download for a person with 200 administrations.

Run from the repository root::

    .venv/bin/python benchmarks/governance/subject_access.py [--administrations 200]
        [--scans 20] [--runs 5] [--other-events 100000]

Seeds a fresh SQLite database in a temporary folder: one organisation with a
second person (whose records must stay out), and the person: details, three
consent decisions, one episode with a pause and 60 contacts, a plan and one time
point per administration, ``--administrations`` sets of answers saved through
``administration_submit`` (PHQ-9, GAD-7, CORE-10, WEMWBS and WHO-5 in turn, so
shipped wording, wording the organisation supplied and wording not held are all
shown; PHQ-9 question 9 above 0 now and then, raising risk alerts), the audit
events those write, feedback on one in ten, and ``--scans`` scanned pages, each
with the image of a filled A4 form scanned at 150 dpi; and ``--other-events``
read events about other people in the organisation's audit log (the events
about the person are found among them with a LIKE on ``AuditEvent.people``,
decision 0013). Then times ``governance.subject_access_export`` (the
whole ZIP: gathering, summary.html, data.json, the FHIR Bundle, the images, the
audit event) ``--runs`` times in this process and prints the figures as JSON:
each run's seconds, the median, the ZIP's size and what it holds. Target: under
2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MEASURES = ("phq9", "gad7", "core10", "wemwbs", "who5")


def _setup(data_dir: str) -> None:
    os.environ["OPENPROMS_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _page_png() -> bytes:
    """A filled PHQ-9 page as a clean 150 dpi scan sees it, with a scanner's
    noise: about what a scanned page weighs (a few hundred kB as PNG)."""
    import numpy as np
    from PIL import Image

    from openproms.paper import FormContext, make_layout
    from openproms.paper.simulate import filled_form, noise
    from openproms.scoring import get_measure

    rng = np.random.default_rng(1)
    defn = get_measure("phq9")
    form = FormContext(organisation="Benchmark Charity", reference="BENCH-1")
    layout = make_layout(defn, "standard", form)
    answers = {i.id: min(i.response_set.codes) for i in defn.items}
    page = noise(filled_form(layout, answers, dpi=150.0, rng=rng)[0], rng, 6.0)
    buffer = io.BytesIO()
    Image.fromarray(page).save(buffer, "PNG")
    return buffer.getvalue()


def other_events(org: object, person_pk: int, count: int) -> None:
    """``count`` read events about other people in the same organisation (list
    pages of 25 people and single person pages), for the audit query to sift."""
    import random

    from django.utils import timezone

    from openproms.audit.models import AuditEvent
    from openproms.audit.services import people_keys

    rng = random.Random(7)
    now = timezone.now()
    others = [k for k in range(1, 5001) if k != person_pk]
    batch = []
    for n in range(count):
        keys = rng.sample(others, 25 if n % 4 == 0 else 1)
        batch.append(
            AuditEvent(
                at=now - dt.timedelta(minutes=n),
                actor_label="worker@bench",
                organisation=org,
                action="records.view",
                object_type="people.serviceuser" if len(keys) == 1 else "",
                object_id=str(keys[0]) if len(keys) == 1 else "",
                people=people_keys(keys),
                detail={"view": "Person page", "people": len(keys)},
            )
        )
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)


def seed(administrations: int, scans: int) -> tuple[object, object, object]:
    import random

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from openproms.accounts.models import Membership, Organisation, Service, User
    from openproms.catalogue.models import MeasureWording
    from openproms.catalogue.selectors import measure_definition
    from openproms.collection.models import (
        AcceptabilityResponse,
        MeasurementPlan,
        PlanRule,
        TimePoint,
    )
    from openproms.collection.services import administration_submit
    from openproms.people import services as people
    from openproms.people.models import Contact, EpisodePause
    from openproms.scans.models import PrintedForm, ScanBatch, ScanFile, ScanPage
    from openproms.scoring import get_measure

    rng = random.Random(20261206)
    org = Organisation.objects.create(name="Benchmark Charity", slug="bench")
    service = Service.objects.create(organisation=org, name="Talking support")
    admin = User.objects.create(username="admin@bench", email="admin@bench")
    worker = User.objects.create(username="worker@bench", email="worker@bench")
    Membership.objects.create(user=admin, organisation=org, role="org_admin")
    Membership.objects.create(user=worker, organisation=org, role="worker")
    who5 = get_measure("who5")
    MeasureWording.objects.create(
        organisation=org,
        measure_id="who5",
        measure_version=who5.version,
        wording={"items": {i.id: f"Statement {i.id[-1]}" for i in who5.items}},
        licence_reference="Benchmark licence",
        supplied_at=timezone.now() - dt.timedelta(days=800),
    )
    for reference in ("OTHER-1", "BENCH-1"):
        person = people.service_user_create(
            organisation=org,
            data={
                "reference": reference,
                "given_name": "Alex",
                "family_name": "Bench",
                "date_of_birth": dt.date(1980, 5, 1),
                "email": "alex@example.org",
            },
            actor=worker,
        )
        for kind in ("take_part", "share_with_funders", "share_with_gp"):
            people.consent_record(
                service_user=person,
                kind=kind,
                given=True,
                decided_on=dt.date(2024, 1, 8),
                note="",
                actor=worker,
            )
    start = timezone.now() - dt.timedelta(days=2 * administrations + 10)
    episode = people.episode_open(
        service_user=person,
        service=service,
        start_date=start.date(),
        key_worker=worker,
        actor=worker,
    )
    EpisodePause.objects.create(
        episode=episode, start_date=start.date() + dt.timedelta(days=30), reason="Away"
    )
    Contact.objects.bulk_create(
        Contact(
            organisation=org,
            episode=episode,
            date=start.date() + dt.timedelta(days=7 * n),
            seen_by=worker,
        )
        for n in range(60)
    )
    plan = MeasurementPlan.objects.create(
        organisation=org, service=service, name="Every visit"
    )
    rules = {
        m: PlanRule.objects.create(
            plan=plan,
            measure_id=m,
            measure_version=get_measure(m).version,
            kind=PlanRule.Kind.EVERY_N_WEEKS,
            weeks=2,
        )
        for m in MEASURES
    }
    definitions = {
        m: measure_definition(organisation=org, measure_id=m) for m in MEASURES
    }
    for n in range(administrations):
        measure_id = MEASURES[n % len(MEASURES)]
        defn = definitions[measure_id]
        when = start + dt.timedelta(days=2 * n)
        point = TimePoint.objects.create(
            organisation=org,
            episode=episode,
            rule=rules[measure_id],
            sequence=n + 1,
            label=f"Visit {n + 1}",
            measure_id=measure_id,
            measure_version=defn.version,
            due_date=when.date(),
            window_start=when.date(),
        )
        answers = {i.id: rng.choice(sorted(i.response_set.codes)) for i in defn.items}
        if measure_id == "phq9":
            answers["phq9_9"] = 1 if n % 20 == 0 else 0
        result = administration_submit(
            organisation=org,
            service_user=person,
            measure=defn,
            answers=answers,
            mode="assisted",
            submission_id=str(uuid.uuid4()),
            collected_by=worker,
            episode=episode,
            time_point=point,
            completed_at=when,
        )
        if n % 10 == 0:
            AcceptabilityResponse.objects.create(
                organisation=org,
                service=service,
                administration=result.administration,
                mode="assisted",
                rating=4,
            )
    image = _page_png()
    batch = ScanBatch.objects.create(organisation=org, status="done")
    scan_file = ScanFile.objects.create(
        batch=batch, name="pile.pdf", size=1, sha256="0" * 64, status="read"
    )
    for n in range(scans):
        form = PrintedForm.objects.create(
            organisation=org,
            token=f"BENCH{n}",
            measure_id="phq9",
            measure_version="1",
            variant="standard",
            pages=1,
            service_user=person,
        )
        page = ScanPage(
            organisation=org,
            batch=batch,
            file=scan_file,
            index=n,
            status="saved",
            form=form,
            measure_id="phq9",
            measure_version="1",
            page_number=1,
            page_count=1,
        )
        page.image.save(f"scans/bench/{n}.png", ContentFile(image), save=False)
        page.save()
    return org, person, admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--administrations", type=int, default=200)
    parser.add_argument("--scans", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--other-events",
        type=int,
        default=100_000,
        help="read events about other people in the organisation's audit log",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="openproms-sar-") as data_dir:
        _setup(data_dir)
        began = time.perf_counter()
        org, person, admin = seed(args.administrations, args.scans)
        other_events(org, person.pk, args.other_events)  # type: ignore[attr-defined]
        seeded = time.perf_counter() - began

        from openproms.audit.models import AuditEvent
        from openproms.governance.subject_access import subject_access_export

        seconds = []
        export = None
        for _ in range(args.runs):
            with tempfile.TemporaryFile() as out:  # as the download view writes it
                began = time.perf_counter()
                export = subject_access_export(
                    organisation=org,  # type: ignore[arg-type]
                    service_user=person,  # type: ignore[arg-type]
                    actor=admin,  # type: ignore[arg-type]
                    out=out,
                )
                seconds.append(round(time.perf_counter() - began, 3))
                out.seek(0)
                content = out.read()
        assert export is not None
        archive = zipfile.ZipFile(io.BytesIO(content))
        data = json.loads(archive.read("data.json"))
        assert {a["service_user"] for a in data["administrations"]} == {person.pk}  # type: ignore[attr-defined]
        print(
            json.dumps(
                {
                    "administrations": len(data["administrations"]),
                    "questions": sum(
                        len(a["questions"]) for a in data["administrations"]
                    ),
                    "time_points": len(data["time_points"]),
                    "contacts": len(data["contacts"]),
                    "risk_alerts": len(data["risk_alerts"]),
                    "audit_events": len(data["audit_events"]),
                    "other_events_in_log": args.other_events,
                    "scanned_images": export.counts["scanned_images"],
                    "zip_mb": round(len(content) / 1e6, 2),
                    "summary_kb": round(
                        archive.getinfo("summary.html").file_size / 1e3
                    ),
                    "seed_seconds": round(seeded, 1),
                    "seconds": seconds,
                    "median_seconds": statistics.median(seconds),
                    "events_written": AuditEvent.objects.filter(
                        action="person.subject_access"
                    ).count(),
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
