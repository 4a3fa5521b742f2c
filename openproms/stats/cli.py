"""Command line for psychometrics and funnel plots on any CSV.

    openproms psychometrics ANSWERS.csv --items A,B,C [--reverse B]
                            [--min M --max X] [--json]
    openproms analyse funnel DATA.csv --group COL --value COL [--baseline COL]
                             [--json]

``psychometrics`` prints the item analysis of one scale
(:func:`openproms.stats.psychometrics.scale_analysis`): with ``--json`` an object
``{"n", "alpha", "alpha_ci", "omega_total", "items": [...], ...}``, otherwise a
table. Rows with any of the items unanswered (an empty cell) are left out
(listwise) and counted per item in ``missing``; ``--reverse`` items are scored
``min + max - x``.

``analyse funnel`` prints every group's place on a funnel plot
(:mod:`openproms.stats.funnel`, :mod:`openproms.stats.casemix`): unadjusted
without ``--baseline``, adjusted for the baseline by least squares with it. Rows
with an empty group, value or baseline are left out and counted on stderr.

Bad input (a missing column, a value that is not a number, an answer outside
``--min``/``--max``, too few rows) exits with status 2 and a message on stderr
naming the row and column; nothing is printed on stdout. Rows are counted from the
first row under the header (row 1 is line 2 of the file).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from openproms.stats.casemix import baseline_funnel
from openproms.stats.funnel import Funnel, unadjusted_funnel
from openproms.stats.psychometrics import (
    MIN_ROWS,
    NotEnoughData,
    ScaleAnalysis,
    scale_analysis,
)

EXIT_OK, EXIT_BAD_INPUT = 0, 2
MAX_NAMED_ROWS = 10


class CliError(Exception):
    """A problem with the command's input; the message is shown to the user."""


# ------------------------------------------------------------------ reading


def _where(row: int, column: str | None = None) -> str:
    place = f"row {row} (line {row + 1} of the file)"
    return f"{place}, column {column!r}" if column is not None else place


def _read_table(
    path: str, wanted: Sequence[str]
) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows (as column -> text) of the wanted columns."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as src:
            return _parse_table(src, path, wanted)
    except FileNotFoundError:
        raise CliError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise CliError(f"{path} is not UTF-8 text") from None
    except csv.Error as exc:
        raise CliError(f"{path} is not a readable CSV file: {exc}") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None


def _parse_table(
    src: TextIO, path: str, wanted: Sequence[str]
) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(src)
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise CliError(f"{path} is empty: expected a header row naming columns")
    header = [h.strip() for h in header]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise CliError(f"{path} has more than one column named {_names(duplicated)}")
    absent = [c for c in wanted if c not in header]
    if absent:
        raise CliError(
            f"{path} has no column {_names(absent)} "
            f"(its columns are: {', '.join(header)})"
        )
    index = {c: header.index(c) for c in wanted}
    rows = []
    for number, fields in enumerate(reader, start=1):
        if not fields:
            continue  # an empty line (often the last) is not a row
        if len(fields) != len(header):
            raise CliError(
                f"{_where(number)} has {len(fields)} fields but the header "
                f"has {len(header)}"
            )
        rows.append({c: fields[j].strip() for c, j in index.items()})
    return header, rows


def _number(text: str, row: int, column: str, empty_means: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise CliError(
            f"{_where(row, column)}: {text!r} is not a number "
            f"(leave the cell empty when there is {empty_means})"
        )
    return value


def _names(names: Sequence[str]) -> str:
    quoted = [repr(n) for n in names]
    return (
        quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    )


def _rows_list(rows: Sequence[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_NAMED_ROWS])
    more = len(rows) - MAX_NAMED_ROWS
    return shown + (f" and {more} more" if more > 0 else "")


def _columns_option(text: str, option: str) -> list[str]:
    names = [c.strip() for c in text.split(",")]
    if not all(names):
        raise CliError(f"{option} needs column names separated by commas: {text!r}")
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise CliError(f"{option} names {_names(repeated)} more than once")
    return names


def _clean(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _fmt(value: float | None, decimals: int = 2) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{decimals}f}"


def _print_table(rows: list[list[str]], out: TextIO) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write(
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            + "\n"
        )


# ------------------------------------------------------------ psychometrics


def psychometrics_json(result: ScaleAnalysis) -> dict[str, Any]:
    """The result as the JSON object ``psychometrics --json`` prints."""
    ci = result.alpha_ci
    return {
        "n": result.n,
        "alpha": _clean(result.alpha),
        "alpha_ci": [ci.low, ci.high] if ci is not None else None,
        "omega_total": _clean(result.omega_total),
        "items": [
            {
                "item": s.item,
                "mean": s.mean,
                "sd": s.sd,
                "corrected_item_total": _clean(s.corrected_item_total),
                "alpha_if_dropped": _clean(s.alpha_if_dropped),
                "floor": s.floor,
                "ceiling": s.ceiling,
                "missing": s.missing,
            }
            for s in result.item_statistics
        ],
        "rows": result.rows,
        "excluded": result.excluded,
        "floor": result.floor,
        "ceiling": result.ceiling,
        "mean_inter_item_correlation": result.mean_inter_item_correlation,
        "inter_item_correlations": [list(r) for r in result.inter_item_correlations],
        "warnings": list(result.warnings),
    }


def _psychometrics_text(result: ScaleAnalysis, reverse: Sequence[str]) -> str:
    lines = []
    reversed_note = f" ({', '.join(reverse)} reversed)" if reverse else ""
    lines.append(f"Items: {', '.join(result.items)}{reversed_note}")
    lines.append(
        f"People: {result.n} of {result.rows} rows answered every item "
        f"({result.excluded} left out)"
    )
    ci = result.alpha_ci
    ci_text = (
        f" (95% CI {_fmt(ci.low)} to {_fmt(ci.high)}, Feldt)" if ci is not None else ""
    )
    lines.append(f"Cronbach's alpha: {_fmt(result.alpha)}{ci_text}")
    lines.append(
        f"McDonald's omega total: {_fmt(result.omega_total)} (one factor, minres)"
    )
    lines.append(
        f"Mean inter-item correlation: {_fmt(result.mean_inter_item_correlation)}"
    )
    if result.floor is not None and result.ceiling is not None:
        lines.append(
            f"Total at the lowest possible: {result.floor:.1f}%; "
            f"at the highest possible: {result.ceiling:.1f}%"
        )
    return "\n".join(lines) + "\n\n"


def cmd_psychometrics(args: argparse.Namespace, out: TextIO) -> int:
    """``psychometrics``: see the module docstring."""
    items = _columns_option(args.items, "--items")
    if len(items) < 2:
        raise CliError("--items needs at least two columns")
    reverse = _columns_option(args.reverse, "--reverse") if args.reverse else []
    not_items = [r for r in reverse if r not in items]
    if not_items:
        raise CliError(f"--reverse names {_names(not_items)}, which is not in --items")
    if (args.min is None) != (args.max is None):
        raise CliError("give both --min and --max (the lowest and highest answer)")
    if reverse and args.min is None:
        raise CliError(
            "--reverse needs --min and --max (a reversed answer is min + max - x)"
        )
    if args.min is not None and not args.min < args.max:
        raise CliError("--min must be below --max")
    _, rows = _read_table(args.input, items)
    columns: dict[str, list[float | None]] = {c: [] for c in items}
    for number, row in enumerate(rows, start=1):
        for c in items:
            text = row[c]
            if not text:
                columns[c].append(None)
                continue
            value = _number(text, number, c, "no answer")
            if args.min is not None and not args.min <= value <= args.max:
                raise CliError(
                    f"{_where(number, c)}: {text} is outside --min {args.min:g} to "
                    f"--max {args.max:g}"
                )
            columns[c].append(value)
    complete = sum(
        all(columns[c][i] is not None for c in items) for i in range(len(rows))
    )
    if complete < MIN_ROWS:
        raise CliError(
            f"only {complete} of {len(rows)} rows answer every item in --items; "
            f"at least {MIN_ROWS} are needed"
        )
    try:
        result = scale_analysis(
            columns, minimum=args.min, maximum=args.max, reverse=reverse
        )
    except (NotEnoughData, ValueError) as exc:
        raise CliError(str(exc)) from None
    if args.json:
        out.write(json.dumps(psychometrics_json(result), allow_nan=False) + "\n")
        return EXIT_OK
    out.write(_psychometrics_text(result, reverse))
    table = [
        [
            "ITEM",
            "MEAN",
            "SD",
            "ITEM-REST R",
            "ALPHA IF DROPPED",
            "FLOOR %",
            "CEILING %",
            "MISSING",
        ]
    ]
    for s in result.item_statistics:
        table.append(
            [
                s.item,
                _fmt(s.mean),
                _fmt(s.sd),
                _fmt(s.corrected_item_total),
                _fmt(s.alpha_if_dropped),
                _fmt(s.floor, 1),
                _fmt(s.ceiling, 1),
                str(s.missing),
            ]
        )
    _print_table(table, out)
    if result.warnings:
        out.write("\nWarnings:\n")
        for w in result.warnings:
            out.write(f"- {w}\n")
    return EXIT_OK


# ------------------------------------------------------------------ funnel


def funnel_json(result: Funnel) -> list[dict[str, Any]]:
    """The groups as the JSON list ``analyse funnel --json`` prints."""
    return [
        {
            "group": g.group,
            "n": g.n,
            "mean": g.mean,
            "expected": g.expected,
            "lower95": g.lower95,
            "upper95": g.upper95,
            "lower998": g.lower998,
            "upper998": g.upper998,
            "outlier": g.outlier,
        }
        for g in result.groups
    ]


def cmd_funnel(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``analyse funnel``: see the module docstring."""
    wanted = [args.group, args.value] + ([args.baseline] if args.baseline else [])
    repeated = sorted({c for c in wanted if wanted.count(c) > 1})
    if repeated:
        raise CliError(f"{_names(repeated)} is given for more than one option")
    _, rows = _read_table(args.input, wanted)
    groups: list[str] = []
    values: list[float] = []
    baseline: list[float] = []
    left_out: list[int] = []
    for number, row in enumerate(rows, start=1):
        if not all(row[c] for c in wanted):
            left_out.append(number)
            continue
        groups.append(row[args.group])
        values.append(_number(row[args.value], number, args.value, "no value"))
        if args.baseline:
            baseline.append(
                _number(row[args.baseline], number, args.baseline, "no baseline")
            )
    needed = 3 if args.baseline else 2
    if len(values) < needed:
        raise CliError(
            f"only {len(values)} of {len(rows)} rows have a group, a value"
            f"{' and a baseline' if args.baseline else ''}; at least {needed} "
            "are needed"
        )
    try:
        result = (
            baseline_funnel(values, groups, baseline)
            if args.baseline
            else unadjusted_funnel(values, groups)
        )
    except (NotEnoughData, ValueError) as exc:
        raise CliError(str(exc)) from None
    if left_out:
        what = "group, value or baseline" if args.baseline else "group or value"
        rows_word = "row" if len(left_out) == 1 else "rows"
        err.write(
            f"left out {len(left_out)} of {len(rows)} rows with an empty {what} "
            f"({', '.join(wanted)}): {rows_word} {_rows_list(left_out)}\n"
        )
    if args.json:
        out.write(json.dumps(funnel_json(result), allow_nan=False) + "\n")
        return EXIT_OK
    how = (
        f"adjusted for {args.baseline} (least squares; residual SD on n - 2 df)"
        if args.baseline
        else "unadjusted (SD of all values, n - 1)"
    )
    out.write(
        f"{args.value} by {args.group}: {result.n} people in {len(result.groups)} "
        f"groups, {how}\nExpected {_fmt(result.expected)}, SD {_fmt(result.sd)}\n\n"
    )
    table = [["GROUP", "N", "MEAN", "95% LIMITS", "99.8% LIMITS", "OUTLIER"]]
    for g in result.groups:
        table.append(
            [
                g.group,
                str(g.n),
                _fmt(g.mean),
                f"{_fmt(g.lower95)} to {_fmt(g.upper95)}",
                f"{_fmt(g.lower998)} to {_fmt(g.upper998)}",
                g.outlier or "",
            ]
        )
    _print_table(table, out)
    return EXIT_OK


# -------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openproms")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser(
        "psychometrics",
        help="reliability and item analysis of one scale in a CSV of answers",
        description="Cronbach's alpha (Feldt CI), McDonald's omega total and item "
        "statistics; rows with any item unanswered are left out.",
    )
    p.add_argument("input", metavar="ANSWERS.csv")
    p.add_argument("--items", required=True, help="item columns, comma-separated")
    p.add_argument("--reverse", help="items scored min + max - x, comma-separated")
    p.add_argument("--min", type=float, help="lowest possible answer to each item")
    p.add_argument("--max", type=float, help="highest possible answer to each item")
    p.add_argument("--json", action="store_true", help="print JSON, not a table")
    a = commands.add_parser("analyse", help="compare groups on any CSV")
    analyses = a.add_subparsers(dest="analysis", required=True)
    f = analyses.add_parser(
        "funnel",
        help="each group's mean on a funnel plot, with 95% and 99.8% limits",
        description="Group means against funnel limits (Spiegelhalter 2005); with "
        "--baseline, means adjusted for the baseline by least squares.",
    )
    f.add_argument("input", metavar="DATA.csv")
    f.add_argument("--group", required=True, help="the column naming each group")
    f.add_argument("--value", required=True, help="the outcome column")
    f.add_argument("--baseline", help="the first score, to adjust for")
    f.add_argument("--json", action="store_true", help="print JSON, not a table")
    return parser


def main(
    argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run ``psychometrics`` or ``analyse funnel``; return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(list(argv))
    try:
        if args.command == "psychometrics":
            return cmd_psychometrics(args, out)
        return cmd_funnel(args, out, err)
    except CliError as exc:
        name = "analyse funnel" if args.command == "analyse" else args.command
        err.write(f"openproms {name}: {exc}\n")
        return EXIT_BAD_INPUT
