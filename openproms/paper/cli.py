"""``openproms paper``: print forms and read scans from the command line.

openproms paper print --measure phq9 [--variant standard|large_print|blank|blank_large_print]
                      [--organisation NAME] [--people people.csv] [--copies N]
                      [--duplex] -o forms.pdf
openproms paper read FILES... [--json OUT] [--measure KEY --page N [--variant V]]

``--people`` is a CSV with columns ``reference`` and ``token`` (one pre-assigned
form per row; the token is the opaque id the web app would issue). Without it,
``--copies`` blank or reference-free forms are printed.

``read`` prints one line per page and item needing a person, writes every reading
as JSON with ``--json``, and shows a progress bar on stderr. ``--measure`` names
the form to use when a page's QR code cannot be read. Exit status: 0 when every
page was read (items may still need a person), 1 when some page was rejected,
2 for usage errors.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from openproms.paper.layout import (
    VARIANTS,
    FormContext,
    PageLayout,
    Variant,
    make_layout,
)
from openproms.paper.read import PageReading, read_file
from openproms.paper.render import PrintJob, render_batch
from openproms.scoring import WordingNotAvailable, get_measure
from openproms.scoring.errors import MeasureNotFound


def _measure(key: str) -> Any:
    mid, _, version = key.partition("@")
    return get_measure(mid, version or None)


def cmd_print(args: argparse.Namespace) -> int:
    try:
        defn = _measure(args.measure)
    except MeasureNotFound as e:
        print(f"openproms paper: {e}", file=sys.stderr)
        return 2
    variant = cast(Variant, args.variant)
    jobs: list[PrintJob] = []
    if args.people:
        try:
            with open(args.people, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        except OSError as e:
            print(f"openproms paper: cannot read {args.people}: {e}", file=sys.stderr)
            return 2
        for n, row in enumerate(rows, start=2):
            token = (row.get("token") or "").strip()
            if not token:
                print(
                    f"openproms paper: {args.people} row {n}: no token", file=sys.stderr
                )
                return 2
            ctx = FormContext(
                args.organisation, (row.get("reference") or "").strip() or None, token
            )
            jobs.append(PrintJob(defn, ctx, variant))
    else:
        jobs = [PrintJob(defn, FormContext(args.organisation), variant)] * args.copies
    try:
        pdf = render_batch(jobs, duplex=args.duplex)
    except WordingNotAvailable as e:
        print(f"openproms paper: cannot print {defn.key}: {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"openproms paper: {e}", file=sys.stderr)
        return 2
    Path(args.output).write_bytes(pdf)
    print(f"wrote {len(jobs)} form(s) to {args.output}")
    return 0


def _progress(done: int, total: int, pages: int, start: float, out: TextIO) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    rate = pages / max(time.monotonic() - start, 1e-6)
    out.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files, "
        f"{pages} pages ({rate:.1f}/s)"
    )
    out.flush()


def reading_to_dict(r: PageReading) -> dict[str, Any]:
    """A JSON-ready view of one page reading."""
    return {
        "source": r.source,
        "index": r.index,
        "status": r.status,
        "reason": r.reason,
        "measure": r.measure_key,
        "page": r.page,
        "token": r.token,
        "rotation": r.rotation,
        "registration_mm": r.registration_mm,
        "items": [
            {
                "item_id": i.item_id,
                "number": i.number,
                "decision": i.decision,
                "code": i.code,
                "confidence": i.confidence,
                "needs_person": i.needs_person,
                "reason": i.reason,
                "candidates": list(i.candidates),
                "crop_mm": [i.crop.x, i.crop.y, i.crop.w, i.crop.h],
            }
            for i in r.items
        ],
    }


def cmd_read(args: argparse.Namespace) -> int:
    fallback: PageLayout | None = None
    if args.measure:
        try:
            layout = make_layout(
                _measure(args.measure), cast(Variant, args.variant), FormContext()
            )
            fallback = layout.page(args.page)
        except (MeasureNotFound, WordingNotAvailable, IndexError) as e:
            print(f"openproms paper: {e}", file=sys.stderr)
            return 2
    results: list[PageReading] = []
    start = time.monotonic()
    show = (not args.quiet and sys.stderr.isatty()) or args.progress
    for k, path in enumerate(args.files):
        for r in read_file(path, fallback=fallback):
            results.append(r)
            if show:
                _progress(k, len(args.files), len(results), start, sys.stderr)
        if show:
            _progress(k + 1, len(args.files), len(results), start, sys.stderr)
    if show:
        sys.stderr.write("\n")
    rejected = 0
    for r in results:
        where = f"{r.source} page {r.index + 1}"
        if r.status in ("rejected", "blank"):
            rejected += r.status == "rejected"
            print(f"{where}: {r.status}: {r.reason}")
            continue
        flagged = [i for i in r.items if i.needs_person]
        head = f"{where}: {r.measure_key} page {r.page}, token {r.token or '-'}"
        if r.status == "needs_identity":
            head += f" ({r.reason})"
        print(f"{head}: {len(r.items) - len(flagged)} of {len(r.items)} items accepted")
        for i in flagged:
            print(f"  item {i.number} ({i.item_id}): {i.decision}: {i.reason}")
    if args.json:
        doc = [reading_to_dict(r) for r in results]
        if args.json == "-":
            json.dump(doc, sys.stdout, indent=1)
        else:
            Path(args.json).write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return 1 if rejected else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="openproms paper", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("print", help="print forms to one PDF")
    p.add_argument("--measure", required=True, help="measure id, or id@version")
    p.add_argument("--variant", choices=VARIANTS, default="standard")
    p.add_argument("--organisation", default="")
    p.add_argument("--people", help="CSV with columns reference, token")
    p.add_argument("--copies", type=int, default=1)
    p.add_argument(
        "--duplex", action="store_true", help="start each form on a new sheet"
    )
    p.add_argument("-o", "--output", required=True)
    r = sub.add_parser("read", help="read scans and photos of printed forms")
    r.add_argument("files", nargs="+")
    r.add_argument(
        "--json", help="write every reading as JSON to this file (- for stdout)"
    )
    r.add_argument("--measure", help="form to use when a QR code cannot be read")
    r.add_argument("--page", type=int, default=1)
    r.add_argument("--variant", choices=VARIANTS, default="standard")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument(
        "--progress", action="store_true", help="progress bar even when not a terminal"
    )
    args = parser.parse_args(argv)
    if args.command == "print":
        return cmd_print(args)
    return cmd_read(args)


if __name__ == "__main__":
    sys.exit(main())
