"""Scanned paper end to end: print the week's forms, fill them, scan them as one PDF,
upload and read the batch, and time it.

Run from the repository root::

    .venv/bin/python benchmarks/scans/run.py [--people 40] [--dpi 200] [--photos 0]

Uses a fresh SQLite database in a temporary folder (``--keep DIR`` keeps it). Each
person has a PHQ-9 and a GAD-7 due; their forms are printed by ``forms_print``, filled
with clear marks (plus, for one item in 20, a second mark a person must resolve),
rendered at ``--dpi`` like an office scanner, and ``--photos`` of the pages are replaced
by simulated phone photos. The batch is read in this process (as the background worker
would) and the figures printed as JSON: pages, seconds, pages per second, share of items
accepted automatically, silent errors (accepted answers that differ from what was
marked), forms saved without a person, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _peak_mb() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it starts
    afresh at exec, so the parent's page generation is not counted)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def read(data_dir: Path) -> None:
    """The child process: upload pile.pdf and read it; print the figures as JSON."""
    os.environ["OPENPROMS_DATA_DIR"] = str(data_dir)
    os.environ["OPENPROMS_TASKS_IMMEDIATE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from openproms.accounts.models import Membership
    from openproms.collection.models import Administration
    from openproms.scans import services
    from openproms.scans.models import ScanItem, ScanPage

    truth = json.loads((data_dir / "truth.json").read_text())
    pdf = (data_dir / "pile.pdf").read_bytes()
    membership = Membership.objects.get(organisation__slug="scanbench")
    organisation = membership.organisation
    before = _peak_mb()
    started = time.perf_counter()
    batch = services.batch_create(
        membership=membership, files=[SimpleUploadedFile("pile.pdf", pdf)]
    )
    del pdf
    services.batch_read(batch.pk)
    seconds = time.perf_counter() - started
    pages = ScanPage.objects.filter(batch=batch)
    items = ScanItem.objects.filter(page__batch=batch).select_related("page__form")
    auto = [i for i in items if not i.needs_person]
    silent = sum(1 for i in auto if truth[i.page.form.token].get(i.item_id) != i.code)
    saved_forms = Administration.objects.filter(
        organisation=organisation, mode="paper_scan"
    ).count()
    print(
        json.dumps(
            {
                "pages": pages.count(),
                "pdf_mb": round((data_dir / "pile.pdf").stat().st_size / 1e6, 1),
                "seconds": round(seconds, 1),
                "pages_per_second": round(pages.count() / seconds, 2),
                "pages_by_status": {
                    s: pages.filter(status=s).count()
                    for s in pages.values_list("status", flat=True).distinct()
                },
                "items": len(items),
                "items_auto_share": round(len(auto) / max(1, len(items)), 4),
                "items_to_person": len(items) - len(auto),
                "silent_errors": silent,
                "forms_saved_without_a_person": saved_forms,
                "reader_peak_rss_mb": _peak_mb(),
                "reader_peak_before_reading_mb": before,
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--dpi", type=float, default=200.0)
    parser.add_argument("--photos", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read(args.read)
        return
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="openproms-scans-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["OPENPROMS_DATA_DIR"] = str(data_dir)
    os.environ["OPENPROMS_TASKS_IMMEDIATE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.utils import timezone

    from openproms.accounts.models import Membership, Organisation, Role, Service, User
    from openproms.catalogue.selectors import measure_definition
    from openproms.collection.models import (
        MeasurementPlan,
        PlanRule,
    )
    from openproms.collection.scheduling import episode_schedule_refresh
    from openproms.paper import FormContext, make_layout
    from openproms.paper.simulate import fill_page, pages_pdf, phone, render_pages
    from openproms.people.models import Episode, ServiceUser
    from openproms.scans import services

    call_command("migrate", verbosity=0)
    organisation, _ = Organisation.objects.get_or_create(slug="scanbench", name="Bench")
    service, _ = Service.objects.get_or_create(organisation=organisation, name="Groups")
    user, _ = User.objects.get_or_create(email="data@scanbench.example")
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=Role.DATA_OFFICER
    )
    plan, _ = MeasurementPlan.objects.get_or_create(
        organisation=organisation, service=service, name="Bench plan"
    )
    for measure_id in ("phq9", "gad7"):
        PlanRule.objects.get_or_create(
            plan=plan, measure_id=measure_id, measure_version="1", kind="start"
        )
    points = []
    for n in range(args.people):
        person = ServiceUser.objects.create(
            organisation=organisation,
            reference=f"B-{n:04d}",
            given_name="Pat",
            family_name=f"Person{n}",
        )
        episode = Episode.objects.create(
            organisation=organisation,
            service_user=person,
            service=service,
            start_date=timezone.localdate(),
        )
        episode_schedule_refresh(episode=episode)
        points.extend(episode.time_points.all())
    outcome = services.forms_print(membership=membership, time_points=points)

    rng = np.random.default_rng(args.seed)
    truth: dict[str, dict[str, int | str | None]] = {}
    images = []
    for form in outcome.printed:
        definition = measure_definition(
            organisation=organisation,
            measure_id=form.measure_id,
            version=form.measure_version,
        )
        layout = make_layout(
            definition,
            form.variant,  # type: ignore[arg-type]
            FormContext(organisation=organisation.name, token=form.token),
        )
        answers = {
            i.id: int(rng.choice(sorted(i.response_set.codes)))
            for i in definition.items
        }
        expected: dict[str, int | str | None] = dict(answers)
        for page, rendered in zip(
            layout.pages, render_pages(layout, args.dpi), strict=True
        ):
            filled, first = fill_page(rendered, page, args.dpi, rng, answers=answers)
            styles = {t.item_id: t.marks[0][1] for t in first if t.marks}
            for row in page.items:
                if row.options and rng.random() < 0.05:
                    other = next(
                        o.code for o in row.options if o.code != answers[row.item_id]
                    )
                    filled, second = fill_page(
                        filled / 255.0,
                        page,
                        args.dpi,
                        rng,
                        answers={row.item_id: other},
                    )
                    # A filled-in box is the form's way to cancel an answer: a
                    # filled box and a mark elsewhere mean the mark; otherwise
                    # two marks are for a person to decide.
                    a = styles.get(row.item_id)
                    b = next(t for t in second if t.item_id == row.item_id).marks[0][1]
                    expected[row.item_id] = (
                        other
                        if a == "fill" and b != "fill"
                        else answers[row.item_id]
                        if b == "fill" and a != "fill"
                        else "flag"
                    )
            images.append(filled)
        truth[form.token] = expected
    for k in rng.choice(len(images), size=min(args.photos, len(images)), replace=False):
        images[int(k)] = phone(images[int(k)], rng)
    pdf = pages_pdf(images, args.dpi)
    del images

    (data_dir / "pile.pdf").write_bytes(pdf)
    (data_dir / "truth.json").write_text(json.dumps(truth))
    del pdf
    # Read in a fresh process, as the background worker would, so its peak memory
    # is the reader's and not the page generator's.
    child = subprocess.run(
        [sys.executable, __file__, "--read", str(data_dir)],
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    result = {
        "people": args.people,
        "forms": len(outcome.printed),
        "dpi": args.dpi,
        "phone_photos": args.photos,
        **json.loads(child.stdout),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
