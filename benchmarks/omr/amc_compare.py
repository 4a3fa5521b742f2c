"""Auto Multiple Choice beside openproms, in the same run, on the same marks.

Needs Debian's ``auto-multiple-choice`` (1.6.0). Run from the repository root:

    .venv/bin/python benchmarks/omr/amc_compare.py --forms 60 --json benchmarks/omr/amc.json

What it does (protocol: ../shared/guide/omr-benchmark.md):

1. Builds an AMC project from a PHQ-9-like questionnaire in AMC's own format (9
   single-answer questions x 4 boxes, ``\\onecopy{N}``): ``prepare --mode s``,
   ``meptex``. Box positions come from AMC's layout database.
2. Renders AMC's sheets at 200 dpi and draws the same seeded answers with the same
   mark library (openproms.paper.marks via simulate.fill_page: 80% one mark, 8%
   blank, 4% two marks, 4% crossed out and re-marked, 4% light pencil) at AMC's
   box positions.
3. Applies the same degradations (openproms.paper.simulate.SCENARIOS) with the
   same seeds, then runs ``analyse --n-procs 1`` on each scenario's images.
4. Reads per-box ink ratios (black / total) from AMC's capture database. A box is
   ticked at ratio >= 0.15 (AMC's default threshold); "uncertain" (sent to a
   person) when the ratio is within 0.05 of the threshold, as the protocol says.
   An item is accepted when no box is uncertain and at most one is ticked.
   Pages AMC cannot register or identify are counted as sent to a person.

The same pages are read by openproms in the same run (on openproms's own forms,
built from PHQ-9 with the same answers and marks), so the two rows of each
scenario use the same mark draws, seeds and degradations; only the layout differs.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium

from openproms.paper import FormContext, make_layout, read_image
from openproms.paper.layout import ItemRow, OptionBox, PageLayout, Rect
from openproms.paper.simulate import SCENARIOS, fill_page, render_pages
from openproms.scoring import get_measure

AMC_BIN = shutil.which("auto-multiple-choice") or "/usr/bin/auto-multiple-choice"
REUSE = False
THRESHOLD = 0.15
BAND = 0.05
QUESTIONS = 9
OPTIONS = ["Not at all", "Several days", "More than half the days", "Nearly every day"]


def amc_source(copies: int) -> str:
    phq9 = get_measure("phq9")
    body = []
    for i, item in enumerate(phq9.items[:QUESTIONS], start=1):
        choices = "\n".join(
            ("\\correctchoice{%s}" if k == 0 else "\\wrongchoice{%s}") % o
            for k, o in enumerate(OPTIONS)
        )
        text = (item.text or "").replace("&", "and")
        body.append(
            f"\\begin{{question}}{{q{i}}}{text}\n\\begin{{choiceshoriz}}[o]\n{choices}\n"
            "\\end{choiceshoriz}\n\\end{question}"
        )
    return (
        "\\documentclass[a4paper]{article}\n\\usepackage[utf8]{inputenc}\n"
        "\\usepackage[T1]{fontenc}\n\\usepackage[box,completemulti]{automultiplechoice}\n"
        "\\begin{document}\n\\onecopy{"
        + str(copies)
        + "}{\n\\noindent{\\bf PHQ-9 (benchmark)}\\hfill\n\\vspace{2ex}\n\n"
        + "\n\n".join(body)
        + "\n}\n\\end{document}\n"
    )


def amc(*args: str, cwd: Path) -> None:
    subprocess.run(
        [AMC_BIN, *args],
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def build_project(root: Path, copies: int) -> None:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "src.tex").write_text(amc_source(copies))
    amc(
        "prepare",
        "--mode",
        "s",
        "--prefix",
        f"{root}/",
        "--data",
        f"{root}/data",
        f"{root}/src.tex",
        cwd=root,
    )
    amc("meptex", "--src", "calage.xy", "--data", "data", cwd=root)


def amc_pages(root: Path, dpi: float) -> list[tuple[np.ndarray, PageLayout]]:
    """Each copy's sheet rendered at ``dpi`` with a synthetic page layout holding
    AMC's boxes (in mm), so the mark library can draw on them."""
    con = sqlite3.connect(root / "data" / "layout.sqlite")
    pages = con.execute(
        "select student, page, dpi from layout_page order by student"
    ).fetchall()
    doc = pdfium.PdfDocument(str(root / "sujet.pdf"))
    out = []
    for k, (student, page, ldpi) in enumerate(pages):
        arr = np.asarray(doc[k].render(scale=dpi / 72, grayscale=True).to_numpy())
        arr = arr[..., 0] if arr.ndim == 3 else arr
        boxes = con.execute(
            "select question, answer, xmin, xmax, ymin, ymax from layout_box "
            "where student=? and page=? and role=1 order by question, answer",
            (student, page),
        ).fetchall()
        to_mm = 25.4 / ldpi
        rows = []
        for q in sorted({b[0] for b in boxes}):
            opts = []
            for _, a, x0, x1, y0, y1 in (b for b in boxes if b[0] == q):
                box = Rect(x0 * to_mm, y0 * to_mm, (x1 - x0) * to_mm, (y1 - y0) * to_mm)
                opts.append(
                    OptionBox(
                        a - 1, OPTIONS[a - 1], box, Rect(box.x - 2, 0, box.w + 4, 0)
                    )
                )
            top = min(o.box.y for o in opts) - 4
            bottom = max(o.box.y1 for o in opts) + 5
            rows.append(
                ItemRow(
                    f"q{q}", q, "choice", Rect(20, top, 170, bottom - top), tuple(opts)
                )
            )
        pl = PageLayout(1, 1, (), Rect(0, 0, 0, 0), "", tuple(rows), (), None, "")
        out.append((arr.astype(np.float32) / 255.0, pl))
    doc.close()
    return out


def amc_read(
    root: Path, data: Path, images: list[Path]
) -> tuple[dict[int, dict[int, list[float]]], float]:
    """Run AMC's analyse on ``images``; per student: question -> box ratios.
    With ``REUSE`` an existing capture database is read instead."""
    if REUSE and (data / "capture.sqlite").exists():
        return _capture(data), float("nan")
    if data.exists():
        shutil.rmtree(data)
    data.mkdir()
    shutil.copy(root / "data" / "layout.sqlite", data / "layout.sqlite")
    lst = data / "list.txt"
    lst.write_text("\n".join(str(p) for p in images) + "\n")
    t0 = time.monotonic()
    subprocess.run(
        [
            AMC_BIN,
            "analyse",
            "--projet",
            str(root),
            "--data",
            str(data),
            "--liste-fichiers",
            str(lst),
            "--n-procs",
            "1",
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.monotonic() - t0
    return _capture(data), wall


def _capture(data: Path) -> dict[int, dict[int, list[float]]]:
    con = sqlite3.connect(data / "capture.sqlite")
    res: dict[int, dict[int, list[float]]] = {}
    for student, q, a, total, black in con.execute(
        "select student, id_a, id_b, total, black from capture_zone where type=4"
    ):
        ratio = black / total if total and total > 0 else -1.0
        res.setdefault(student, {}).setdefault(q, [0.0] * len(OPTIONS))[a - 1] = ratio
    return res


def amc_decide(ratios: list[float]) -> tuple[bool, int | None]:
    """(needs a person, code) for one question from AMC's box ratios."""
    if any(abs(r - THRESHOLD) < BAND for r in ratios) or any(r < 0 for r in ratios):
        return True, None
    ticked = [k for k, r in enumerate(ratios) if r >= THRESHOLD]
    if len(ticked) > 1:
        return True, None
    return False, (ticked[0] if ticked else None)


def tally(c: Counter[str], needs: bool, got: int | None, t: Any) -> None:
    """Count one item; also per mark style (``style:outcome``)."""
    style = "+".join(m[1] for m in t.marks) or "blank"
    c["items"] += 1
    c[f"{style}:items"] += 1
    if needs:
        c["review"] += 1
        c[f"{style}:review"] += 1
    else:
        c["accepted"] += 1
        if got == t.expect:
            c["ok"] += 1
        else:
            c["silent"] += 1
            c[f"{style}:silent"] += 1
            if "circle" not in style:
                c["silent_not_circle"] += 1


def summary(c: Counter[str], cpu_or_wall: float, pages: int) -> dict[str, Any]:
    n = max(c["items"], 1)
    return {
        **c,
        "accepted_share": c["accepted"] / n,
        "accepted_accuracy": c["ok"] / max(c["accepted"], 1),
        "silent_per_10k": 1e4 * c["silent"] / n,
        "silent_per_10k_excluding_circles": 1e4 * c["silent_not_circle"] / n,
        "review_share": c["review"] / n,
        "s_per_page": cpu_or_wall / max(pages, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--forms", type=int, default=60)
    ap.add_argument("--dpi", type=float, default=200.0)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument(
        "--scenarios",
        default="clean,rotate_4,keystone_5,keystone_10,blur_2px,"
        "jpeg_20,low_res_100dpi,hard_shadow,soft_shadow,phone_good,phone_typical",
    )
    ap.add_argument("--json")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="read AMC's capture databases from an earlier run in --workdir",
    )
    args = ap.parse_args(argv)
    global REUSE
    REUSE = args.reuse
    if shutil.which("auto-multiple-choice") is None:
        print(
            "auto-multiple-choice is not installed (apt-get install auto-multiple-choice)"
        )
        return 2
    root = args.workdir or Path(tempfile.mkdtemp(prefix="amc-bench-"))
    if not (root / "data" / "layout.sqlite").exists():
        t0 = time.monotonic()
        build_project(root, args.forms)
        print(
            f"AMC project built in {time.monotonic() - t0:.0f} s at {root}", flush=True
        )
    sheets = amc_pages(root, args.dpi)[: args.forms]
    phq9 = get_measure("phq9")
    ours_layout = [
        make_layout(phq9, "standard", FormContext("Bench", f"A{i}", f"amc-{i}"))
        for i in range(len(sheets))
    ]
    # Same answers, marks and seeds on both layouts: one rng stream per form.
    amc_filled, ours_filled = [], []
    for i, (img, pl) in enumerate(sheets):
        a_img, a_truth = fill_page(
            img, pl, args.dpi, np.random.default_rng(args.seed + i)
        )
        amc_filled.append((a_img, a_truth))
        layout = ours_layout[i]
        page = layout.pages[0]
        o_img, o_truth = fill_page(
            render_pages(layout, args.dpi)[0],
            page,
            args.dpi,
            np.random.default_rng(args.seed + i),
        )
        ours_filled.append((o_img, o_truth))
    rows = []
    print(
        "| scenario | tool | items accepted | accuracy of accepted | "
        "silent errors per 10k (not counting circled labels) | "
        "sent to a person | s/page (one core) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in args.scenarios.split(","):
        scan_dir = root / f"scans-{name}"
        scan_dir.mkdir(exist_ok=True)
        paths = []
        for i, (img, _) in enumerate(amc_filled):
            deg = SCENARIOS[name](img, np.random.default_rng(args.seed + 10_000 + i))
            p = scan_dir / f"s{i:04d}.png"
            cv2.imwrite(str(p), deg)
            paths.append(p)
        res, wall = amc_read(root, root / f"data-{name}", paths)
        ca: Counter[str] = Counter()
        for i, (_, truth) in enumerate(amc_filled):
            student = i + 1
            got = res.get(student)
            for t in truth:
                q = int(t.item_id[1:])
                if got is None or q not in got:
                    tally(ca, True, None, t)
                else:
                    needs, code = amc_decide(got[q])
                    tally(ca, needs, code, t)
        co: Counter[str] = Counter()
        cpu = 0.0
        for i, (img, truth) in enumerate(ours_filled):
            deg = SCENARIOS[name](img, np.random.default_rng(args.seed + 10_000 + i))
            t0 = time.process_time()
            rd = [r for r in read_image(deg) if r.status == "read"]
            cpu += time.process_time() - t0
            by = (
                {it.item_id: it for it in rd[0].items}
                if rd and rd[0].token == f"amc-{i}"
                else {}
            )
            for t in truth:
                it = by.get(t.item_id)
                if it is None:
                    tally(co, True, None, t)
                else:
                    tally(co, it.needs_person, it.code, t)
        a = summary(ca, wall, len(paths))
        o = summary(co, cpu, len(paths))
        rows.append({"scenario": name, "amc": a, "openproms": o})
        for tool, r, unit in (
            ("AMC 1.6.0", a, "wall, incl. start-up"),
            ("openproms", o, "CPU"),
        ):
            print(
                f"| {name} | {tool} | {100 * r['accepted_share']:.1f}% | "
                f"{100 * r['accepted_accuracy']:.2f}% | {r['silent_per_10k']:.0f} "
                f"({r['silent_per_10k_excluding_circles']:.0f}) | "
                f"{100 * r['review_share']:.1f}% | {r['s_per_page']:.2f} ({unit}) |",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "forms": len(sheets),
                    "dpi": args.dpi,
                    "seed": args.seed,
                    "rows": rows,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
