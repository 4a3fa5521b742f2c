"""Benchmark: provider funnel plots on the real NHS PROMs 2018-19 hip replacement
data, compared with the outlier status NHS Digital published for that year.

Run from the repository root (the data are read in place, from the zips in
``../shared/data/nhs-proms-2018-19/``; nothing is copied into the repository):

    .venv/bin/python benchmarks/stats/bench_nhs_funnel.py [--data DIR] [--json OUT]

Population: primary hip replacements (``Revision Flag`` 0) with both a pre-op and
a post-op Oxford Hip Score, grouped by ``Provider Code``. Four funnels, all drawn
by openproms.stats:

A. ``openproms analyse funnel`` itself (the command's code, run on a temporary CSV
   of provider, pre-op and post-op score): post-op score adjusted for the pre-op
   score alone, every provider.
B. The same, leaving out providers with fewer than 30 people (NHS Digital computes
   no adjusted figure below 30 modelled records; they are "Insufficient records").
C. ``casemix_funnel`` with the case-mix factors the record-level file carries:
   pre-op score, age band, sex, symptom period, previous surgery, living
   arrangements, disability, assisted completion, the 12 comorbidities and the 5
   pre-op EQ-5D dimensions (categorical, "9" and "*" as not recorded); providers of
   30 or more.
D. NHS Digital's own prediction: the file's "Hip Replacement OHS Post-Op Q
   Predicted" column as the expected post-op score for each person (so the case-mix
   model is theirs), indirectly standardised and placed on our funnel with the SD
   of observed minus predicted; providers of 30 or more.

Each is compared with ``Outlier_2018`` of the Time Series file (Hip Replacement
Primary, Oxford Hip Score): counts, an agreement table, and agreement of the
adjusted health gain with NHS Digital's ``Adjusted_Health_Gain_2018``. Prints
markdown for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from openproms.stats.casemix import casemix_funnel
from openproms.stats.cli import main as stats_cli
from openproms.stats.funnel import Z998, Funnel, FunnelGroup, funnel_groups

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "nhs-proms-2018-19"
RECORDS = ("Hip Replacement Provider 1819.csv.zip", "Hip Replacement Provider 1819.csv")
SERIES = (
    "Time Series Hip and Knee Replacement 1819.csv.zip",
    "Time Series Hip and Knee Replacement 1819.csv",
)
PRE, POST = "Hip Replacement Pre-Op Q Score", "Hip Replacement Post-Op Q Score"
PREDICTED = "Hip Replacement OHS Post-Op Q Predicted"
MIN_RECORDS = 30  # NHS Digital: no adjusted results below 30 modelled records
FACTORS = [
    "Age Band",
    "Gender",
    "Pre-Op Q Symptom Period",
    "Pre-Op Q Previous Surgery",
    "Pre-Op Q Living Arrangements",
    "Pre-Op Q Disability",
    "Pre-Op Q Assisted",
    "Heart Disease",
    "High Bp",
    "Stroke",
    "Circulation",
    "Lung Disease",
    "Diabetes",
    "Kidney Disease",
    "Nervous System",
    "Liver Disease",
    "Cancer",
    "Depression",
    "Arthritis",
    "Pre-Op Q Mobility",
    "Pre-Op Q Self-Care",
    "Pre-Op Q Activity",
    "Pre-Op Q Discomfort",
    "Pre-Op Q Anxiety",
]
NOT_RECORDED_CODES = {"9", "*", ""}
NHS_ORDER = [
    "Positive outlier (99.8%)",
    "Positive outlier (95%)",
    "Not an outlier",
    "Negative outlier (95%)",
    "Negative outlier (99.8%)",
    "Insufficient records",
]
OURS_ORDER = ["high (99.8%)", "high (95%)", "within 95%", "low (95%)", "low (99.8%)"]


def read_csv(data: Path, names: tuple[str, str]) -> list[dict[str, str]]:
    path = data / names[0]
    if not path.exists():
        sys.exit(f"not found: {path} (give --data DIR)")
    with zipfile.ZipFile(path) as z, z.open(names[1]) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="latin-1")))


def level(g: FunnelGroup) -> str:
    """Our five-way verdict, to set beside NHS Digital's."""
    if g.outlier == "high":
        return "high (99.8%)"
    if g.outlier == "low":
        return "low (99.8%)"
    if g.mean > g.upper95:
        return "high (95%)"
    if g.mean < g.lower95:
        return "low (95%)"
    return "within 95%"


def run_command(records: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Funnel A: ``openproms analyse funnel --baseline`` on a temporary CSV."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ohs.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["provider", "pre_op_ohs", "post_op_ohs"])
            for r in records:
                w.writerow([r["Provider Code"], r[PRE], r[POST]])
        out, err = io.StringIO(), io.StringIO()
        argv = ["analyse", "funnel", str(path), "--group", "provider"]
        argv += ["--value", "post_op_ohs", "--baseline", "pre_op_ohs", "--json"]
        status = stats_cli(argv, out, err)
        if status != 0:
            sys.exit(f"the command failed: {err.getvalue()}")
    return list(json.loads(out.getvalue()))


def as_groups(rows: list[dict[str, Any]]) -> list[FunnelGroup]:
    return [FunnelGroup(**r) for r in rows]


def compare(
    name: str,
    groups: Sequence[FunnelGroup],
    series: dict[str, dict[str, str]],
    pre_mean: float,
) -> dict[str, Any]:
    """Agreement of our verdicts with NHS Digital's, and of adjusted gains."""
    table: Counter[tuple[str, str]] = Counter()
    ours_flags = nhs_flags = both = 0
    gains_ours, gains_nhs, n_diff = [], [], []
    disagreements = []
    for g in groups:
        row = series.get(g.group)
        status = row["Outlier_2018"] if row else "not in the Time Series file"
        ours = level(g)
        table[(status, ours)] += 1
        ours_flag = g.outlier is not None
        nhs_flag = "99.8%" in status
        ours_flags += ours_flag
        nhs_flags += nhs_flag
        both += (
            ours_flag and nhs_flag and (("Positive" in status) == (g.outlier == "high"))
        )
        if row and row["Adjusted_Health_Gain_2018"] not in {"-", "*", ""}:
            gains_ours.append(g.mean - pre_mean)
            gains_nhs.append(float(row["Adjusted_Health_Gain_2018"]))
            n_diff.append(g.n - int(row["Modelled_Records_2018"]))
        if ours_flag != nhs_flag:
            disagreements.append(
                {
                    "provider": g.group,
                    "n": g.n,
                    "nhs_n": row["Modelled_Records_2018"] if row else None,
                    "ours": ours,
                    "nhs": status,
                    "adjusted_gain": round(g.mean - pre_mean, 3),
                    "nhs_adjusted_gain": row["Adjusted_Health_Gain_2018"]
                    if row
                    else None,
                }
            )
    gains = np.array([gains_ours, gains_nhs])
    return {
        "name": name,
        "providers": len(groups),
        "ours_998": ours_flags,
        "nhs_998": nhs_flags,
        "agree_998": both,
        "table": {f"{a} | {b}": c for (a, b), c in sorted(table.items())},
        "gain_correlation": float(np.corrcoef(gains)[0, 1])
        if gains.shape[1] > 2
        else None,
        "gain_mean_abs_difference": float(np.mean(np.abs(gains[0] - gains[1])))
        if gains.shape[1]
        else None,
        "n_equal": sum(d == 0 for d in n_diff),
        "n_within_3": sum(abs(d) <= 3 for d in n_diff),
        "n_compared": len(n_diff),
        "disagreements": disagreements,
    }


def markdown_table(result: dict[str, Any]) -> str:
    statuses = [
        s for s in NHS_ORDER if any(k.startswith(s + " |") for k in result["table"])
    ]
    statuses += sorted({k.split(" | ")[0] for k in result["table"]} - set(NHS_ORDER))
    lines = ["| NHS Digital 2018-19 \\ ours | " + " | ".join(OURS_ORDER) + " | total |"]
    lines.append("|---" * (len(OURS_ORDER) + 2) + "|")
    for s in statuses:
        counts = [result["table"].get(f"{s} | {o}", 0) for o in OURS_ORDER]
        lines.append(
            f"| {s} | " + " | ".join(str(c) for c in counts) + f" | {sum(counts)} |"
        )
    return "\n".join(lines)


def predicted_funnel(records: list[dict[str, str]]) -> tuple[Funnel, float]:
    """Funnel D: NHS Digital's predicted post-op score as each person's expected
    value. The predictions' mean is not the observed mean (the returned offset,
    observed minus predicted), so residuals are centred before the indirectly
    standardised means are put on our limits (SD of the residuals, n - 1)."""
    y = np.array([float(r[POST]) for r in records])
    pred = np.array([float(r[PREDICTED]) for r in records])
    labels = np.array([r["Provider Code"] for r in records], dtype=object)
    expected = float(y.mean())
    residual = y - pred
    offset = float(residual.mean())
    residual -= offset
    sd = float(residual.std(ddof=1))
    means = {}
    for name in sorted(set(labels.tolist())):
        chosen = labels == name
        means[name] = (int(chosen.sum()), float(residual[chosen].mean()) + expected)
    funnel = Funnel(
        groups=funnel_groups(means, expected=expected, sd=sd),
        n=int(y.size),
        expected=expected,
        sd=sd,
        df=int(y.size) - 1,
        method="NHS Digital's predicted post-op score as the expected value",
    )
    return funnel, offset


def z_by_status(
    groups: Sequence[FunnelGroup], series: dict[str, dict[str, str]], sd: float
) -> dict[str, list[float]]:
    """Each provider's z = (mean - expected) / (sd / sqrt(n)) on our funnel,
    sorted, by NHS Digital's status: where NHS Digital's own cut-offs fall."""
    out: dict[str, list[float]] = {}
    for g in groups:
        row = series.get(g.group)
        status = row["Outlier_2018"] if row else "not in the Time Series file"
        z = (g.mean - g.expected) / (sd / math.sqrt(g.n))
        out.setdefault(status, []).append(round(z, 2))
    return {k: sorted(v) for k, v in out.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args()

    started = time.perf_counter()
    records = [
        r
        for r in read_csv(args.data, RECORDS)
        if r["Revision Flag"] == "0" and r[PRE] and r[POST]
    ]
    series = {
        r["OrgCode"]: r
        for r in read_csv(args.data, SERIES)
        if r["Procedure"] == "Hip Replacement Primary"
        and r["Measure"] == "Oxford Hip Score"
    }
    england = series.pop("England")
    pre_mean = float(np.mean([float(r[PRE]) for r in records]))
    sizes = Counter(r["Provider Code"] for r in records)
    big = [r for r in records if sizes[r["Provider Code"]] >= MIN_RECORDS]
    read_s = time.perf_counter() - started

    t = time.perf_counter()
    command = as_groups(run_command(records))
    command_s = time.perf_counter() - t
    results = [compare("A. the command, every provider", command, series, pre_mean)]
    results.append(
        compare(
            f"B. the command, providers with {MIN_RECORDS} or more",
            [g for g in command if g.n >= MIN_RECORDS],
            series,
            pre_mean,
        )
    )
    t = time.perf_counter()
    casemix = casemix_funnel(
        [float(r[POST]) for r in big],
        [r["Provider Code"] for r in big],
        numeric={"pre-op score": [float(r[PRE]) for r in big]},
        categorical={
            f: [None if r[f] in NOT_RECORDED_CODES else r[f] for r in big]
            for f in FACTORS
        },
    )
    casemix_s = time.perf_counter() - t
    big_pre_mean = float(np.mean([float(r[PRE]) for r in big]))
    results.append(
        compare("C. case-mix model, 30 or more", casemix.groups, series, big_pre_mean)
    )
    with_pred = [r for r in big if r[PREDICTED]]
    predicted, offset = predicted_funnel(with_pred)
    results.append(
        compare(
            "D. NHS Digital's prediction, 30 or more",
            predicted.groups,
            series,
            float(np.mean([float(r[PRE]) for r in with_pred])),
        )
    )
    summary = {
        "records": len(records),
        "providers": len(sizes),
        "providers_30_or_more": sum(n >= MIN_RECORDS for n in sizes.values()),
        "england_modelled_records": int(england["Modelled_Records_2018"]),
        "england_adjusted_health_gain": float(england["Adjusted_Health_Gain_2018"]),
        "pre_op_mean": pre_mean,
        "post_op_mean": float(np.mean([float(r[POST]) for r in records])),
        "nhs_status_counts": dict(Counter(r["Outlier_2018"] for r in series.values())),
        # the command prints limits, not its SD: recover it from one group
        "command_sd": (command[0].upper998 - command[0].expected)
        * math.sqrt(command[0].n)
        / Z998,
        "casemix_terms": len(casemix.adjusted_for),
        "casemix_sd": casemix.sd,
        "casemix_people": casemix.n,
        "predicted_people": predicted.n,
        "predicted_sd": predicted.sd,
        "predicted_offset": offset,
        "z_by_nhs_status_predicted": z_by_status(
            predicted.groups, series, predicted.sd
        ),
        "z_by_nhs_status_casemix": z_by_status(casemix.groups, series, casemix.sd),
        "seconds": {
            "read": round(read_s, 2),
            "command": round(command_s, 2),
            "casemix": round(casemix_s, 2),
        },
        "results": results,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "results"}, indent=1))
    for r in results:
        print(f"\n### {r['name']}\n")
        print(
            f"{r['providers']} providers; ours beyond 99.8%: {r['ours_998']}; NHS "
            f"Digital 99.8% outliers among them: {r['nhs_998']}; both, same side: "
            f"{r['agree_998']}. Adjusted health gain vs NHS Digital's: correlation "
            f"{r['gain_correlation']:.3f}, mean absolute difference "
            f"{r['gain_mean_abs_difference']:.2f} points ({r['n_compared']} providers; "
            f"n equal for {r['n_equal']}, within 3 for {r['n_within_3']}).\n"
        )
        print(markdown_table(r))
        print("\nDisagreements at 99.8%:")
        for d in r["disagreements"]:
            print(f"  {d}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
