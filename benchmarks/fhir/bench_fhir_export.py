"""Benchmark: stream an organisation's FHIR export (NDJSON) of 10,000 responses.

    .venv/bin/python benchmarks/fhir/bench_fhir_export.py [--responses 10000]
        [--people 2000] [--check 1000]

Seeds a fresh SQLite database in a temporary folder (one organisation; people;
PHQ-9, GAD-7, CORE-10 and WEMWBS responses with their stored scale results, as
``administration_submit`` stores them), then, in a fresh child process per run,
streams ``collection.fhir_io.organisation_resources`` through
``fhir.write_ndjson`` to a file and reports the time (after start-up: Django set
up and the measure library loaded), the resources and bytes
written, and the child's peak RSS (VmHWM: ``ru_maxrss`` would report the parent's peak,
inherited through fork and exec). The same export of
``--check`` responses (seeded on their own) runs too: memory that stays flat from
1,000 to 10,000 responses is what "bounded" means here. Every line of the output
is then checked to be a JSON resource, and a sample of 200 is validated with
``fhir.resources``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEASURES = ("phq9", "gad7", "core10", "wemwbs")


def _setup(data_dir: str) -> None:
    os.environ["OPENPROMS_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()


def seed(data_dir: str, responses: int, people: int) -> None:
    _setup(data_dir)
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from openproms.accounts.models import Organisation
    from openproms.collection.models import Administration, ScaleResult
    from openproms.people.models import ServiceUser
    from openproms.scoring import get_measure, score_response

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(20261206)
    org = Organisation.objects.create(name="Benchmark Charity", slug="bench")
    ServiceUser.objects.bulk_create(
        ServiceUser(organisation=org, reference=f"B-{n:05d}", given_name="Sam")
        for n in range(people)
    )
    person_ids = list(
        ServiceUser.objects.filter(organisation=org).values_list("pk", flat=True)
    )
    start = timezone.now() - dt.timedelta(days=400)
    batch: list[tuple[Administration, object]] = []
    for n in range(responses):
        defn = get_measure(MEASURES[n % len(MEASURES)])
        answers = {i.id: rng.choice(sorted(i.response_set.codes)) for i in defn.items}
        adm = Administration(
            organisation=org,
            service_user_id=person_ids[n % people],
            measure_id=defn.id,
            measure_version=defn.version,
            answers=answers,
            mode=Administration.Mode.ASSISTED,
            submission_id=f"bench-{n}",
            payload_hash="0" * 64,
            completed_at=start + dt.timedelta(minutes=n),
            scored_with=defn.key,
        )
        batch.append((adm, score_response(defn, answers)))
        if len(batch) == 2000 or n == responses - 1:
            Administration.objects.bulk_create([a for a, _ in batch])
            ScaleResult.objects.bulk_create(
                ScaleResult(
                    organisation_id=a.organisation_id,
                    administration=a,
                    scale_id=sid,
                    value=s.value,
                    reason=s.reason or "",
                    band=s.band or "",
                    band_index=s.band_index,
                    is_case=s.case,
                    prorated=s.prorated,
                    items_missing=len(s.items_missing),
                )
                for a, score in batch
                for sid, s in score.scales.items()  # type: ignore[attr-defined]
            )
            batch = []
    from django.db import connection

    with connection.cursor() as cursor:  # leave no write-ahead log for the export
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _memory_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB.

    VmHWM is the peak resident set of this process image; unlike ``ru_maxrss`` it
    does not carry over the parent's peak through fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def export(data_dir: str, out: str) -> None:
    """The child: stream the export and print its figures as JSON."""
    _setup(data_dir)
    from openproms.accounts.models import Organisation
    from openproms.collection import fhir_io
    from openproms.collection.models import Administration
    from openproms.fhir import write_ndjson
    from openproms.scoring import default_library

    org = Organisation.objects.get(slug="bench")
    default_library()  # loaded and checked once per process, before the clock starts
    baseline = _memory_mb("VmHWM")
    started = time.perf_counter()
    with open(out, "w", encoding="utf-8") as f:
        written = write_ndjson(fhir_io.organisation_resources(organisation=org), f)
    elapsed = time.perf_counter() - started
    peak = _memory_mb("VmHWM")
    responses = Administration.objects.filter(organisation=org).count()
    print(
        json.dumps(
            {
                "responses": responses,
                "resources": written,
                "seconds": round(elapsed, 2),
                "bytes": Path(out).stat().st_size,
                "rss_before_mb": baseline,
                "peak_rss_mb": peak,
            }
        )
    )


def _seed(folder: Path, responses: int, people: int) -> None:
    subprocess.run(
        [sys.executable, __file__, "--seed", str(folder), str(responses), str(people)],
        check=True,
    )


def _child(data_dir: str, out: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", data_dir, out],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _check(out: str) -> int:
    from openproms.fhir import validation_issues

    lines = Path(out).read_text(encoding="utf-8").splitlines()
    sample = random.Random(1).sample(lines, min(200, len(lines)))
    for line in sample:
        problems = validation_issues(json.loads(line))
        assert problems == [], problems
    return len(lines)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        export(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--seed":
        seed(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--check", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="openproms-fhir-bench-") as tmp:
        full, small = Path(tmp) / "full", Path(tmp) / "small"
        started = time.perf_counter()
        for folder, count in ((small, args.check), (full, args.responses)):
            started = time.perf_counter()
            _seed(folder, count, min(args.people, count))
            print(f"seeded {count} responses in {time.perf_counter() - started:.0f} s")
        for folder in (small, full):
            out = str(Path(tmp) / f"{folder.name}.ndjson")
            figures = _child(str(folder), out)
            lines = _check(out)
            assert lines == figures["resources"]
            rate = figures["responses"] / figures["seconds"]
            print(
                f"{figures['responses']} responses: {figures['resources']} resources, "
                f"{figures['bytes'] / 1e6:.1f} MB in {figures['seconds']} s "
                f"({rate:,.0f} responses/s); peak RSS {figures['peak_rss_mb']} MB "
                f"(after start-up {figures['rss_before_mb']} MB)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
