"""OMR benchmark: print forms, fill them with known answers, degrade, read back.

Protocol: ../shared/guide/omr-benchmark.md (corpus, metrics). Run from the
repository root:

    .venv/bin/python benchmarks/omr/bench_omr.py --forms 200 --json var/omr.json
    .venv/bin/python benchmarks/omr/bench_omr.py --forms 20 --keep-pages /tmp/pages
    .venv/bin/python benchmarks/omr/bench_omr.py --forms 6000 --chunk 100 \
        --scenarios clean,photocopy --json var/omr-long.json   # about 28,000 items

``--chunk N`` generates, degrades and reads N pages at a time, so memory stays that
of one chunk however many pages are asked for, and rewrites the JSON after each
chunk (``"partial": true`` until the end), so a long run can be stopped and still
gives its figures so far. The first chunk uses ``--seed`` itself (one chunk is the
same run as without ``--chunk``); later chunks use seeds of their own.

One process, thread pools pinned to one thread (one core). For every scenario the
same seeded pages (several measures: 4-, 5- and 11-option items, one- and
multi-page, standard and large print) are degraded and read. Items are drawn as
80% one mark (tick, cross, slash, fill, circle), 8% blank, 4% two marks (must go
to a person), 4% crossed out and re-marked (the new mark counts), 4% light pencil
(must go to a person). Reported per scenario: pages read / rejected /
misidentified, share of items accepted automatically, accuracy of accepted items,
silent errors (accepted and wrong) per 10,000 items with a Wilson 95% upper bound,
share sent to a person, read time per page (process CPU time, from the decoded
image; start-up and layout set-up excluded) and the process's peak RSS.

Marks erased by the degradation. A degradation can remove a mark completely:
the simulated photocopier's threshold (150/255) turns light pencil (darkness
0.10-0.30, so 178-229 on white paper) into white paper. No reader can see such a
mark, and a person checking the copy would see an empty box too, so scoring it
against the intended answer would count the copier's loss as the reader's error.
An item counts as *erased* when the degraded page is pixel-identical to the same
page degraded in the same way (same random draws) with that item's marks removed
(its row, plus 3 mm but not into other rows, restored from the unmarked page).
Erased items are scored against what is on the page: blank. Any surviving pixel
means "not erased", even a printed box outline one pixel thicker where a pencil
stroke crossed its anti-aliased edge: such items are scored against the intended
answer, but counted ("trace_on_print_only") and named under the table, because
neither a reader nor a person looking at the copy can tell them from print. The
check runs for every item with marks that the reader read as blank or sent to a
person (the only readings the rescoring can change); the erased count has its own
column ("marks erased") and is in the JSON (``erased``, overall and per mark
style), so the rescoring can be undone.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import math
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

cv2.setNumThreads(1)

from openproms.paper import FormContext, make_layout, read_image  # noqa: E402
from openproms.paper.simulate import SCENARIOS, fill_page, render_pages  # noqa: E402
from openproms.scoring import get_measure  # noqa: E402

MEASURES = ["phq9", "core10", "ons4", "rand36", "gad7"]
DEFAULT_SCENARIOS = list(SCENARIOS)
PHONE = {"phone_good", "phone_typical", "phone_bad"}


def wilson_upper(k: int, n: int, z: float = 1.96) -> float:
    """Upper bound of the Wilson score interval for k successes in n."""
    if n == 0:
        return 1.0
    p = k / n
    d = 1 + z * z / n
    c = p + z * z / (2 * n)
    r = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (c + r) / d


def exact_upper(k: int, n: int, confidence: float = 0.95) -> float:
    """One-sided exact (Clopper-Pearson) upper bound for k events in n: the rate p
    at which seeing k or fewer has probability 1 - ``confidence`` (3/n for k = 0,
    the "rule of three")."""
    if n == 0:
        return 1.0
    if k >= n:
        return 1.0
    alpha = 1.0 - confidence
    if k == 0:
        return 1.0 - alpha ** (1.0 / n)

    def cdf(p: float) -> float:
        total = 0.0
        for i in range(k + 1):
            total += math.exp(
                math.lgamma(n + 1)
                - math.lgamma(i + 1)
                - math.lgamma(n - i + 1)
                + i * math.log(p)
                + (n - i) * math.log1p(-p)
            )
        return total

    lo, hi = k / n, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if cdf(mid) > alpha:
            lo = mid
        else:
            hi = mid
    return hi


def make_corpus(
    n: int, dpi: float, seed: int, keep: Path | None
) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    corpus = []
    for i in range(n):
        defn = get_measure(MEASURES[i % len(MEASURES)])
        variant = "large_print" if i % 5 == 4 else "standard"
        token = f"bench-{seed}-{i}"
        layout = make_layout(
            defn, variant, FormContext("Benchmark Trust", f"B{i:04d}", token)
        )
        k = int(rng.integers(len(layout.pages)))
        clean = render_pages(layout, dpi, only=[k])[0]
        img, truth = fill_page(clean, layout.pages[k], dpi, rng)
        # The unmarked page (PNG, small) for the "erased by the degradation" check.
        unmarked = np.clip(clean * 255.0, 0, 255).astype(np.uint8)
        corpus.append(
            {
                "img": img,
                "unmarked_png": cv2.imencode(".png", unmarked)[1].tobytes(),
                "dpi": dpi,
                "truth": truth,
                "token": token,
                "index": i,
                "page": k + 1,
                "measure": defn.key,
                "layout_page": layout.pages[k],
            }
        )
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            name = f"form{i:04d}_p{k + 1}"
            cv2.imwrite(str(keep / f"{name}.png"), img)
            (keep / f"{name}.json").write_text(
                json.dumps(
                    {
                        "measure": defn.key,
                        "variant": variant,
                        "page": k + 1,
                        "token": token,
                        "dpi": dpi,
                        "items": [
                            {
                                "item_id": t.item_id,
                                "marks": [list(m) for m in t.marks],
                                "expect": t.expect,
                            }
                            for t in truth
                        ],
                    },
                    indent=1,
                )
            )
    return corpus


def erasure(
    form: dict[str, Any],
    item_id: str,
    degraded: np.ndarray,
    degrade: Any,
    state: dict[str, Any],
) -> str:
    """What the degradation left of ``item_id``'s marks: "erased" (nothing: the
    page degraded with the same random draws, but with the item's row plus 3 mm
    restored from the unmarked page, is identical to ``degraded``), "print_only"
    (every differing pixel touches print: a printed outline a pixel thicker
    where a stroke crossed it; counted, not rescored) or "visible"."""
    row = next(r for r in form["layout_page"].items if r.item_id == item_id)
    ppm = form["dpi"] / 25.4
    unmarked = cv2.imdecode(
        np.frombuffer(form["unmarked_png"], np.uint8), cv2.IMREAD_GRAYSCALE
    )

    def px(rect: Any) -> tuple[slice, slice]:
        return (
            slice(max(0, int(rect.y * ppm)), math.ceil(rect.y1 * ppm)),
            slice(max(0, int(rect.x * ppm)), math.ceil(rect.x1 * ppm)),
        )

    # The row plus 3 mm, except where another row is (its marks stay).
    mask = np.zeros(form["img"].shape, bool)
    mask[px(row.rect.inset(-3.0))] = True
    for other in form["layout_page"].items:
        if other.item_id != item_id:
            mask[px(other.rect)] = False
    mask[px(row.rect)] = True
    without = np.where(mask, unmarked, form["img"])
    rng = np.random.default_rng()
    rng.bit_generator.state = state
    again = degrade(without, rng)
    if again.shape != degraded.shape:
        return "visible"
    diff = again != degraded
    if not diff.any():
        return "erased"
    # Print: at most half as bright as the brightest paper within about 2 mm.
    paper = cv2.dilate(again, np.ones((15, 15), np.uint8)).astype(np.float32)
    printed = (again.astype(np.float32) < 0.5 * paper).astype(np.uint8)
    near_print = cv2.dilate(printed, np.ones((3, 3), np.uint8))
    return "print_only" if not (diff & (near_print == 0)).any() else "visible"


class Tally:
    """What one scenario's reading of some pages gave (added up over chunks)."""

    def __init__(self) -> None:
        self.c: Counter[str] = Counter()
        self.by_style: dict[str, Counter[str]] = defaultdict(Counter)
        self.confs: list[tuple[float, bool, bool]] = []  # (confidence, eligible, ok)
        self.cpu = 0.0
        self.must_flag = 0
        self.examples: list[dict[str, Any]] = []  # silent errors, to reproduce
        # Why items went to a person that did not need one (reason_kind).
        self.unneeded: Counter[str] = Counter()


def reason_kind(reason: str) -> str:
    """What kind of reason sent an item to a person, without its numbers: the
    doubts named in "not clear: ..." (faint mark, ink near the box, a shadow, a
    box not on the page), or the reason with its figures taken out."""
    if reason.startswith("not clear:"):
        doubts = reason.split("; also seen")[0]
        return "not clear: " + " + ".join(
            sorted(set(re.findall(r"\(([^)]*)\)", doubts)))
        )
    return re.sub(r"\s*\([^)]*\d[^)]*\)", "", reason)


#: Silent errors kept per scenario with what it takes to reproduce each.
EXAMPLES = 50


def run_scenario(name: str, corpus: list[dict[str, Any]], seed: int) -> dict[str, Any]:
    tally = Tally()
    tally_scenario(tally, name, corpus, seed)
    return summarise(name, tally)


def tally_scenario(
    tally: Tally, name: str, corpus: list[dict[str, Any]], seed: int
) -> None:
    """Degrade and read ``corpus`` under scenario ``name``, adding to ``tally``."""
    rng = np.random.default_rng(seed + 1000)
    degrade = SCENARIOS[name]
    c, by_style, confs = tally.c, tally.by_style, tally.confs
    tally.must_flag += sum(1 for f in corpus for t in f["truth"] if t.expect == "flag")
    cpu = 0.0
    for form in corpus:
        state = rng.bit_generator.state
        img = degrade(form["img"], rng)
        t0 = time.process_time()
        readings = read_image(img)
        cpu += time.process_time() - t0
        truth = form["truth"]
        c["pages"] += 1
        c["items"] += len(truth)
        read = [r for r in readings if r.status == "read"]
        if not read:
            c["pages_rejected"] += 1
            c["review"] += len(truth)
            continue
        r = read[0]
        if (
            r.token != form["token"]
            or r.page != form["page"]
            or r.measure_key != form["measure"]
        ):
            c["pages_misidentified"] += 1
            c["review"] += len(truth)
            continue
        c["pages_read"] += 1
        by_id = {i.item_id: i for i in r.items}
        for t in truth:
            it = by_id[t.item_id]
            style = "+".join(s for _, s in t.marks) or "blank"
            if t.expect == "flag":
                style = "must_flag:" + style
            bs = by_style[style]
            bs["items"] += 1
            expect = t.expect
            left = "visible"
            if t.marks and (it.decision == "blank" or it.needs_person):
                left = erasure(form, t.item_id, img, degrade, state)
            if left == "erased":
                # Nothing of the marks is left on the page: score against it.
                expect = None
                c["erased"] += 1
                bs["erased"] += 1
            elif left == "print_only":
                c["trace_on_print_only"] += 1
                bs["trace_on_print_only"] += 1
            correct = it.code == expect
            # The risk-coverage curve moves the confidence threshold; items a rule
            # sends to a person whatever their confidence (a written number, a blank
            # on a black-and-white page) can never be automated by it.
            forced = it.needs_person and it.confidence >= 0.5
            if it.decision in ("answer", "blank") and "written" not in it.reason:
                confs.append((it.confidence, not forced, correct))
            if it.needs_person:
                c["review"] += 1
                bs["review"] += 1
                if expect != "flag":
                    c["review_unneeded"] += 1
                    tally.unneeded[reason_kind(it.reason)] += 1
            else:
                c["accepted"] += 1
                bs["accepted"] += 1
                if correct:
                    c["accepted_correct"] += 1
                else:
                    c["silent"] += 1
                    if len(tally.examples) < EXAMPLES:
                        tally.examples.append(
                            {
                                "chunk_seed": seed,
                                "form": form["index"],
                                "token": form["token"],
                                "page": form["page"],
                                "measure": form["measure"],
                                "item_id": t.item_id,
                                "marks": [list(m) for m in t.marks],
                                "expect": expect,
                                "decision": it.decision,
                                "code": it.code,
                                "confidence": round(it.confidence, 4),
                                "reason": it.reason,
                            }
                        )
                    bs["silent"] += 1
    tally.cpu += cpu


def summarise(name: str, tally: Tally) -> dict[str, Any]:
    """Shares, rates and intervals of a scenario's tally."""
    c, by_style, confs, cpu = tally.c, tally.by_style, tally.confs, tally.cpu
    n = max(c["items"], 1)
    out: dict[str, Any] = {
        "scenario": name,
        **c,
        "accepted_share": c["accepted"] / n,
        "accepted_accuracy": c["accepted_correct"] / max(c["accepted"], 1),
        "silent_per_10k": 1e4 * c["silent"] / n,
        "silent_per_10k_upper95": 1e4 * wilson_upper(c["silent"], n),
        "silent_per_10k_exact_upper95_one_sided": 1e4 * exact_upper(c["silent"], n),
        "review_share": c["review"] / n,
        "review_unneeded_share": c["review_unneeded"] / n,
        "must_flag_share": tally.must_flag / n,
        "erased_share": c["erased"] / n,
        "trace_on_print_only": c["trace_on_print_only"],
        "cpu_s_per_page": cpu / max(c["pages"], 1),
        "pages_per_s_per_core": c["pages"] / max(cpu, 1e-9),
        "by_style": {k: dict(v) for k, v in sorted(by_style.items())},
        "review_unneeded_reasons": dict(tally.unneeded.most_common()),
        "silent_examples": tally.examples,
        "risk_coverage": [
            {
                "threshold": th,
                "automated_share": sum(1 for cf, e, _ in confs if e and cf >= th) / n,
                "silent_per_10k": 1e4
                * sum(1 for cf, e, ok in confs if e and cf >= th and not ok)
                / n,
            }
            for th in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
        ],
    }
    return out


WORKER = """
import sys, time
from openproms.paper import read_file
t = time.process_time()
n = 0
for path in sys.argv[1:]:
    for r in read_file(path):
        n += 1
cpu = time.process_time() - t
# VmHWM, not ru_maxrss: Linux carries the forking parent's peak into ru_maxrss.
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0]
print(n, cpu, int(hwm.split()[1]) / 1024)
"""


def worker_figures(
    corpus: list[dict[str, Any]], seed: int, tmp: Path
) -> dict[str, float]:
    """Peak memory and speed of a fresh reader process given files on disk
    (flatbed-like PNGs and phone-like JPEGs), as a worker would be."""
    import subprocess

    rng = np.random.default_rng(seed + 7)
    tmp.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, form in enumerate(corpus[:40]):
        if k % 2:
            p = tmp / f"p{k}.jpg"
            cv2.imwrite(
                str(p),
                SCENARIOS["phone_typical"](form["img"], rng),
                [cv2.IMWRITE_JPEG_QUALITY, 85],
            )
        else:
            p = tmp / f"p{k}.png"
            cv2.imwrite(str(p), form["img"])
        paths.append(str(p))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", WORKER, *paths],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    n, cpu, rss = int(out[0]), float(out[1]), float(out[2])
    return {
        "files": len(paths),
        "pages": n,
        "cpu_s": cpu,
        "pages_per_s_per_core_incl_decode": n / cpu,
        "peak_rss_mb": rss,
    }


def _write_json(
    args: argparse.Namespace,
    items: int,
    gen_s: float,
    worker: dict[str, float] | None,
    tallies: dict[str, Tally],
    *,
    peak_mb: float | None = None,
    partial: bool = False,
) -> None:
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps(
            {
                "forms": args.forms,
                "chunk": args.chunk,
                "partial": partial,
                "dpi": args.dpi,
                "seed": args.seed,
                "items": items,
                "generation_s": gen_s,
                "peak_rss_mb": peak_mb,
                "worker": worker,
                "results": [summarise(n, t) for n, t in tallies.items()],
            },
            indent=1,
        )
    )


def _only_last_resort(read: Any) -> Any:
    """``read`` for the pages whose code only ``read_find.LAST_RESORT`` finds; no
    reading (as for a page not read) for every other page."""
    from openproms.paper import read_find

    def read_if_last_resort(img: Any) -> Any:
        saved = read_find.LAST_RESORT
        read_find.LAST_RESORT = ()
        try:
            found = read_find.find_codes(img)
        finally:
            read_find.LAST_RESORT = saved
        return [] if found else read(img)

    return read_if_last_resort


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--forms", type=int, default=200, help="pages per scenario")
    ap.add_argument("--dpi", type=float, default=200.0)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS))
    ap.add_argument("--json", help="write the full results here")
    ap.add_argument(
        "--chunk",
        type=int,
        default=0,
        help="generate and read this many pages at a time (memory stays that of "
        "one chunk; the JSON is rewritten after each chunk); 0: all at once",
    )
    ap.add_argument(
        "--keep-pages", type=Path, help="write clean filled pages and their truth here"
    )
    ap.add_argument(
        "--first-chunk",
        type=int,
        default=0,
        help="start at this chunk of a --chunk run (0-based): with --forms equal "
        "to --chunk, reproduces that one chunk (its seed is in silent_examples)",
    )
    ap.add_argument(
        "--only-last-resort",
        action="store_true",
        help="read only the pages whose code the reader finds with its last-resort "
        "search (read_find.LAST_RESORT) alone; every other page is read as without "
        "that search, so it counts as not read here: checks the pages it adds",
    )
    args = ap.parse_args(argv)
    if args.only_last_resort:
        global read_image
        read_image = _only_last_resort(read_image)
    names = args.scenarios.split(",")
    chunk = args.chunk if args.chunk > 0 else args.forms
    tallies = {name: Tally() for name in names}
    gen_s = 0.0
    items = 0
    first: list[dict[str, Any]] = []
    done = 0
    k = args.first_chunk
    while done < args.forms:
        size = min(chunk, args.forms - done)
        # The first chunk uses the seed itself, so one chunk reproduces a run
        # without --chunk; later chunks get seeds of their own.
        seed = args.seed + 7919 * k
        t0 = time.monotonic()
        corpus = make_corpus(size, args.dpi, seed, args.keep_pages)
        gen_s += time.monotonic() - t0
        if not first:
            # Layout and reference set-up (cached per page layout) before timing.
            for form in corpus[: len(MEASURES) * 2]:
                read_image(form["img"])
            first = corpus[:40]
        items += sum(len(f["truth"]) for f in corpus)
        for name in names:
            tally_scenario(tallies[name], name, corpus, seed)
        done += size
        k += 1
        del corpus
        if chunk < args.forms:
            worst = max(names, key=lambda n: tallies[n].c["silent"])
            print(
                f"chunk {k}: {done} of {args.forms} pages, {items} items per "
                f"scenario; most silent errors so far: {worst} "
                f"{tallies[worst].c['silent']}",
                file=sys.stderr,
                flush=True,
            )
            if args.json:
                _write_json(args, items, gen_s, None, tallies, partial=True)
    print(
        f"corpus: {done} pages, {items} items, {args.dpi:.0f} dpi, "
        f"generated in {gen_s:.1f} s",
        flush=True,
    )
    hdr = (
        "| scenario | pages read / rejected / misidentified | items accepted | accuracy of accepted "
        "| silent errors per 10k (95% upper) | sent to a person (of which needed) "
        "| marks erased by the degradation (scored as blank) | pages/s/core |"
    )
    print(hdr)
    print("|---|---|---|---|---|---|---|---|")
    results = []
    for name in names:
        r = summarise(name, tallies[name])
        results.append(r)
        print(
            f"| {name} | {r.get('pages_read', 0)} / {r.get('pages_rejected', 0)} / "
            f"{r.get('pages_misidentified', 0)} | {100 * r['accepted_share']:.1f}% | "
            f"{100 * r['accepted_accuracy']:.2f}% | {r['silent_per_10k']:.1f} "
            f"({r['silent_per_10k_upper95']:.1f}) | {100 * r['review_share']:.1f}% "
            f"({100 * r['must_flag_share']:.1f}% must be flagged) | {r.get('erased', 0)} "
            f"| {r['pages_per_s_per_core']:.1f} |",
            flush=True,
        )
    for r in results:
        why = r["review_unneeded_reasons"]
        if why:
            top = "; ".join(f"{k}: {v}" for k, v in list(why.items())[:4])
            print(f"{r['scenario']}: sent to a person without need, why: {top}")
    for r in results:
        if r["trace_on_print_only"]:
            print(
                f"{r['scenario']}: {r['trace_on_print_only']} item(s) whose only trace "
                "of the marks is print a pixel thicker (scored against the intended "
                "answer)"
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS of the benchmark process (corpus in memory included): {peak_mb:.0f} MB"
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        worker = worker_figures(first, args.seed, Path(tmp))
    print(
        f"worker (fresh process, {worker['files']} files: half 200-dpi PNG, half phone JPEG, "
        f"decode + start-up of layouts included): {worker['pages_per_s_per_core_incl_decode']:.1f} "
        f"pages/s/core, peak RSS {worker['peak_rss_mb']:.0f} MB"
    )
    if args.json:
        _write_json(args, items, gen_s, worker, tallies, peak_mb=peak_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
