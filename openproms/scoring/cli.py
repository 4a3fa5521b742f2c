"""Command line for the measure library and batch scoring.

    openproms measures list
    openproms measures show ID [--version V] [--json]
    openproms score --measure ID [--version V] INPUT.csv [-o OUTPUT.csv]
                    [--keep-invalid] [--delimiter SEP]

``score`` reads the CSV in chunks (memory stays bounded for millions of rows),
writes every input column plus, per scale, its score, its band (where it has
bands) and the reason it has no score (empty when it has one), and reports each
invalid row with its row number, item and reason. Without ``--keep-invalid`` any
invalid row makes the run fail (exit 1) and no output is written (all or nothing);
with it, invalid rows get empty scores and a reason. Exit status 2 means the input
could not be read at all (unknown measure, empty file, missing item columns, a
file separated by semicolons or tabs read as comma-separated).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, TextIO

import numpy as np
import numpy.typing as npt

from openproms.scoring.definitions import MeasureDefinition, Scale
from openproms.scoring.engine import no_score_reason
from openproms.scoring.errors import NOT_A_NUMBER, AnswerError, MeasureNotFound
from openproms.scoring.library import default_library
from openproms.scoring.names import display_title
from openproms.scoring.vector import score_table

CHUNK_ROWS = 20_000
MAX_REPORTED = 50
MAX_NAMED_ITEMS = 10
EXIT_OK, EXIT_INVALID_ROWS, EXIT_BAD_INPUT = 0, 1, 2
# The separators a spreadsheet may save "CSV" with, by the name --delimiter takes.
DELIMITERS = {",": ",", ";": ";", "tab": "\t"}
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


class CliError(Exception):
    """A problem with the command's input; the message is shown to the user."""


def _print_table(rows: list[list[str]], out: TextIO) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write(
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            + "\n"
        )


def cmd_list(out: TextIO) -> int:
    """``measures list``: id, version, title, items, licence kind, wording shipped."""
    rows = [["ID", "VERSION", "TITLE", "ITEMS", "LICENCE", "WORDING"]]
    for d in default_library():
        rows.append(
            [
                d.id,
                d.version,
                d.title,
                str(len(d.items)),
                d.licence.kind,
                "shipped" if d.licence.wording_shipped else "not shipped",
            ]
        )
    _print_table(rows, out)
    return EXIT_OK


def _src(s: object) -> str:
    from openproms.scoring.definitions import Source

    assert isinstance(s, Source)
    flag = {"verified": "", "secondary": " [secondary]", "unverified": " [UNVERIFIED]"}
    return f"{s.citation}{flag[s.confidence]}"


def cmd_show(defn: MeasureDefinition, as_json: bool, out: TextIO) -> int:
    """``measures show``: the definition as text, or the JSON document."""
    if as_json:
        out.write(json.dumps(dict(defn.raw), indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    lic = defn.licence
    w = out.write
    w(f"{display_title(defn)} - {defn.key}\n\n{defn.description}\n\n")
    w(f"Recall period: {defn.recall_period or '-'}\nSuits: {defn.suitable_for}\n")
    holder = lic.holder if lic.holder.endswith(".") else f"{lic.holder}."
    w(f"Licence: {lic.kind}; {holder} {lic.terms_summary}\n")
    shipped = "shipped" if lic.wording_shipped else "NOT shipped (supply your own)"
    w(f"Wording: {shipped}\n")
    if lic.attribution:
        w(f"Attribution: {lic.attribution}\n")
    if defn.instructions:
        w(f"\nInstructions: {defn.instructions}\n")
    w("\nItems:\n")
    for it in defn.items:
        rs = it.response_set
        answers = (
            f"{rs.min}-{rs.max}"
            if rs.is_range
            else ", ".join(
                f"{o.code}={o.label}" if o.label else str(o.code) for o in rs.options
            )
        )
        flags = []
        if not it.scored:
            flags.append("not scored")
        if it.risk is not None:
            flags.append(f"RISK if {sorted(it.risk.alert_codes)}")
        text = it.text or "[wording not shipped]"
        extra = f" ({'; '.join(flags)})" if flags else ""
        w(f"  {it.id}: {text}{extra}\n      answers: {answers}\n")
    w("\nScales:\n")
    for s in defn.scales:
        k = f" k={s.k:g}" if s.k is not None else ""
        w(
            f"  {s.id}: {s.label} - {s.method}{k} of {len(s.items)} items; range "
            f"{s.range_min:g}-{s.range_max:g}; {s.direction.replace('_', ' ')}; "
            f"up to {s.missing.max_missing} missing\n"
        )
        if s.reverse:
            w(f"      reversed items: {', '.join(sorted(s.reverse))}\n")
        if s.bands is not None:
            bands = ", ".join(f"{b.min:g}-{b.max:g} {b.label}" for b in s.bands.bands)
            w(f"      bands: {bands}\n        source: {_src(s.bands.source)}\n")
        if s.caseness is not None:
            w(f"      caseness: {s.caseness.label}\n")
            w(f"        source: {_src(s.caseness.source)}\n")
        if s.reliable_change is not None:
            rc = s.reliable_change
            how = (
                f"{rc.threshold:g} points"
                if rc.threshold is not None
                else (
                    f"1.96 x standard error of the difference (SD {rc.sd:g}, r {rc.reliability:g})"
                )
            )
            w(f"      reliable change: {how}\n        source: {_src(rc.source)}\n")
        if s.mid is not None:
            w(f"      minimal important difference: {s.mid.value:g}\n")
            w(f"        source: {_src(s.mid.source)}\n")
        for n in s.norms:
            w(f"      norm: {n.population}: mean {n.mean:g}\n")
            w(f"        source: {_src(n.source)}\n")
        for c in s.codes:
            w(f"      {c.system}: {c.code} {c.display}\n")
    for note in defn.notes:
        w(f"\nNote: {note}\n")
    return EXIT_OK


# ------------------------------------------------------------------------- scoring


def _parse_column(
    values: list[str], item_id: str, first_row: int
) -> tuple[npt.NDArray[np.float64], list[AnswerError]]:
    """Strings -> floats (empty = NaN); non-numbers are reported and set to NaN."""
    cleaned = [v.strip() or "nan" for v in values]
    try:
        arr = np.array(cleaned, dtype=np.float64)
        nan_rows = np.flatnonzero(np.isnan(arr)).tolist()
        bad_nan = [i for i in nan_rows if cleaned[i] != "nan"]
        errors = [
            AnswerError(item_id, values[i], NOT_A_NUMBER, first_row + i)
            for i in bad_nan
        ]
        arr[bad_nan] = np.nan
        return arr, errors
    except ValueError:
        pass
    out = np.empty(len(cleaned))
    errors = []
    for i, v in enumerate(cleaned):
        try:
            x = float(v)
        except ValueError:
            errors.append(AnswerError(item_id, values[i], NOT_A_NUMBER, first_row + i))
            x = math.nan
        else:
            if math.isnan(x) and v != "nan":
                errors.append(
                    AnswerError(item_id, values[i], NOT_A_NUMBER, first_row + i)
                )
        out[i] = x
    return out, errors


def _fmt(v: float, decimals: int | None) -> str:
    if math.isnan(v):
        return ""
    if decimals:
        return f"{v:.{decimals}f}"
    if v == int(v):
        return str(int(v))
    return repr(v)


def _chunks(reader: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    chunk: list[list[str]] = []
    for row in reader:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _other_separator(
    header: list[str], delimiter: str, wanted: tuple[str, ...]
) -> str | None:
    """The separator the header is really split by, when it is not ``delimiter``
    (a spreadsheet saving "CSV" with semicolons or tabs); None if none fits."""
    text = delimiter.join(header)
    for sep in SEPARATOR_NAMES:
        if sep == delimiter or sep not in text:
            continue
        names = {name.strip() for name in text.split(sep)}
        if any(item_id in names for item_id in wanted):
            return sep
    return None


def _why_no_score(scale: Scale, missing: list[str]) -> str:
    """The engine's reason, naming the unanswered items (their column names)."""
    reason = no_score_reason(scale, len(missing))
    named = ", ".join(missing[:MAX_NAMED_ITEMS])
    if len(missing) > MAX_NAMED_ITEMS:
        named += f" and {len(missing) - MAX_NAMED_ITEMS} more"
    head, sep, tail = reason.partition(";")
    return f"{head} ({named}){sep}{tail}"


def score_csv(
    defn: MeasureDefinition,
    src: IO[str],
    dst: IO[str],
    *,
    keep_invalid: bool,
    err: TextIO,
    chunk_rows: int = CHUNK_ROWS,
    delimiter: str = ",",
) -> tuple[int, int]:
    """Score a CSV stream chunk by chunk; return (rows, invalid rows).

    The output is always comma-separated. Raises :class:`CliError` for input that
    cannot be read at all.
    """
    reader = csv.reader(src, delimiter=delimiter)
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise CliError("the input is empty: expected a header row naming item ids")
    header = [h.strip() for h in header]
    dups = sorted({h for h in header if header.count(h) > 1})
    if dups:
        raise CliError(f"duplicate column names: {', '.join(dups)}")
    missing = [i for i in defn.needed_item_ids if i not in header]
    if missing:
        other = _other_separator(header, delimiter, defn.item_ids)
        if other is not None:
            name = SEPARATOR_NAMES[other]
            given = next(k for k, v in DELIMITERS.items() if v == other)
            raise CliError(
                f"the input is {name}-separated (its header has {name}s between "
                f"the column names), not {SEPARATOR_NAMES[delimiter]}-separated: "
                f"save it as comma-separated CSV, or give --delimiter '{given}'"
            )
        raise CliError(
            f"missing columns for {defn.short_name} items: {', '.join(missing)} "
            "(columns must be named by item id; see "
            f"`openproms measures show {defn.id}`)"
        )
    present = [i for i in defn.item_ids if i in header]
    index = {h: j for j, h in enumerate(header)}
    out_cols: list[str] = []
    for s in defn.scales:
        out_cols.append(f"{defn.id}_{s.id}_score")
        if s.bands is not None:
            out_cols.append(f"{defn.id}_{s.id}_band")
        out_cols.append(f"{defn.id}_{s.id}_reason")
    risk_items = [i.id for i in defn.items if i.risk is not None and i.id in header]
    if risk_items:
        out_cols.append(f"{defn.id}_risk_alerts")
    if keep_invalid:
        out_cols.append(f"{defn.id}_invalid_reason")
    clash = sorted(set(out_cols) & set(header))
    if clash:
        raise CliError(f"input already has output column(s): {', '.join(clash)}")
    writer = csv.writer(dst, lineterminator="\n")
    writer.writerow(header + out_cols)
    n_rows = n_invalid = reported = 0
    width = len(header)
    for chunk in _chunks(reader, chunk_rows):
        first = n_rows + 1
        errors: list[AnswerError] = []
        shape_bad: dict[int, str] = {}
        for i, row in enumerate(chunk):
            if len(row) != width:
                shape_bad[i] = f"has {len(row)} fields; the header has {width}"
                chunk[i] = (row + [""] * width)[:width]
        cols: dict[str, npt.NDArray[np.float64]] = {}
        for item_id in present:
            j = index[item_id]
            arr, errs = _parse_column([r[j] for r in chunk], item_id, first)
            cols[item_id] = arr
            errors.extend(errs)
        table = score_table(defn, cols, row_offset=n_rows)
        for e in table.errors:  # report the value exactly as it was written
            assert e.row is not None
            raw = chunk[e.row - first][index[e.item_id]]
            errors.append(AnswerError(e.item_id, raw, e.reason, e.row))
        reasons: dict[int, list[str]] = {i: [m] for i, m in shape_bad.items()}
        for e in errors:
            assert e.row is not None
            reasons.setdefault(e.row - first, []).append(
                f"{e.item_id}: {e.value!r} {e.reason}"
            )
        for i in sorted(reasons):
            n_invalid += 1
            for msg in reasons[i]:
                if reported < MAX_REPORTED:
                    err.write(f"row {first + i}: {msg}\n")
                reported += 1
        if reasons and not keep_invalid:
            n_rows += len(chunk)
            continue
        bad_rows = set(reasons)
        columns: list[list[str]] = []
        reason_at: set[int] = set()  # the only columns an invalid row fills
        for s in defn.scales:
            sc = table.scales[s.id]
            columns.append([_fmt(v, s.decimals) for v in sc.value.tolist()])
            if s.bands is not None:
                columns.append([b or "" for b in table.band_labels(s.id)])
            why = [""] * len(chunk)
            for i in np.flatnonzero(np.isnan(sc.value)).tolist():
                if i in bad_rows:
                    why[i] = "invalid row: " + "; ".join(reasons[i])
                    continue
                unanswered = [
                    item_id
                    for item_id in s.items
                    if item_id not in cols or math.isnan(cols[item_id][i])
                ]
                why[i] = _why_no_score(s, unanswered)
            reason_at.add(len(columns))
            columns.append(why)
        if risk_items:
            flags = [table.alerts[i].tolist() for i in risk_items]
            columns.append(
                [
                    ";".join(i for i, f in zip(risk_items, fs, strict=True) if f)
                    for fs in zip(*flags, strict=True)
                ]
            )
        for i, row in enumerate(chunk):
            if i in bad_rows:
                extra = [c[i] if k in reason_at else "" for k, c in enumerate(columns)]
                if keep_invalid:
                    extra.append("; ".join(reasons[i]))
            else:
                extra = [c[i] for c in columns]
                if keep_invalid:
                    extra.append("")
            writer.writerow(row + extra)
        n_rows += len(chunk)
    if reported > MAX_REPORTED:
        err.write(f"... and {reported - MAX_REPORTED} more problems not shown\n")
    return n_rows, n_invalid


def cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """``score``: see the module docstring."""
    defn = default_library().get(args.measure, args.version)
    if not os.path.exists(args.input):
        raise CliError(f"no such file: {args.input}")
    target_dir = os.path.dirname(os.path.abspath(args.output)) if args.output else None
    fd, tmp = tempfile.mkstemp(suffix=".csv", dir=target_dir)
    try:
        with (
            open(args.input, newline="", encoding="utf-8-sig") as src,
            os.fdopen(fd, "w", newline="", encoding="utf-8") as dst,
        ):
            try:
                n_rows, n_invalid = score_csv(
                    defn,
                    src,
                    dst,
                    keep_invalid=args.keep_invalid,
                    err=err,
                    delimiter=DELIMITERS[args.delimiter],
                )
            except UnicodeDecodeError as e:
                raise CliError(f"{args.input} is not UTF-8 text ({e.reason})") from None
            except csv.Error as e:
                raise CliError(
                    f"{args.input} is not a readable CSV file ({e})"
                ) from None
        if n_invalid and not args.keep_invalid:
            verb = "is" if n_invalid == 1 else "are"
            err.write(
                f"{n_invalid} of {_rows(n_rows)} {verb} invalid; nothing was written. "
                "Fix them, or use --keep-invalid to write them with empty scores.\n"
            )
            return EXIT_INVALID_ROWS
        if args.output:
            os.replace(tmp, args.output)
        else:
            with open(tmp, encoding="utf-8") as f:
                shutil.copyfileobj(f, out)
        note = f" ({n_invalid} invalid, kept with empty scores)" if n_invalid else ""
        err.write(f"scored {_rows(n_rows)} of {defn.short_name}{note}\n")
        return EXIT_OK
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


SCORE_DESCRIPTION = """\
Score a CSV file of answers to one measure. --measure takes the measure's id as
`openproms measures list` shows it (phq9, gad7, core10 ...)."""

SCORE_EPILOG = """\
input columns:
  One column per item, named by item id: `openproms measures show ID` lists
  them (for PHQ-9: phq9_1 ... phq9_9). An empty cell is an unanswered item.
  Other columns (an id, a date) are copied to the output unchanged.

output columns (every input column, then):
  <measure>_<scale>_score    the score; empty when there is none
  <measure>_<scale>_band     the band, for scales with bands
  <measure>_<scale>_reason   why the score is empty (too many unanswered
                             items, naming them; or the row is invalid)
  <measure>_risk_alerts      the risk items that raised an alert, for
                             measures with risk items
  <measure>_invalid_reason   with --keep-invalid: the row's invalid answers

exit status:
  0 scored; 1 some rows are invalid and nothing was written (see
  --keep-invalid); 2 the input cannot be read (unknown measure, missing file,
  missing item columns, a file separated by semicolons or tabs)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``measures`` and ``score``."""
    parser = argparse.ArgumentParser(
        prog="openproms", description="Measures and scoring."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    measures = sub.add_parser("measures", help="the measure library")
    msub = measures.add_subparsers(dest="action", required=True)
    msub.add_parser("list", help="list library measures")
    show = msub.add_parser("show", help="show one measure")
    show.add_argument("id")
    show.add_argument("--version", default=None)
    show.add_argument("--json", action="store_true", help="print the JSON definition")
    score = sub.add_parser(
        "score",
        help="score a CSV of answers (columns = item ids)",
        description=SCORE_DESCRIPTION,
        epilog=SCORE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    score.add_argument(
        "--measure",
        required=True,
        metavar="ID",
        help="the measure's id, as `openproms measures list` shows it (e.g. phq9)",
    )
    score.add_argument(
        "--version",
        default=None,
        help="the measure's version (default: the newest in the library)",
    )
    score.add_argument(
        "input",
        metavar="INPUT.csv",
        help="answers, one row per response and one column per item",
    )
    score.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT.csv",
        default=None,
        help="where to write the scored rows (default: the screen)",
    )
    score.add_argument(
        "--keep-invalid",
        action="store_true",
        help="write invalid rows with empty scores and a reason instead of failing",
    )
    score.add_argument(
        "--delimiter",
        choices=list(DELIMITERS),
        default=",",
        metavar="SEP",
        help="what separates the input's columns: ',' (the default), ';' or tab; "
        "the output always uses commas",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``measures ...`` or ``score ...``; return the exit status."""
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "measures":
            if args.action == "list":
                return cmd_list(out)
            return cmd_show(
                default_library().get(args.id, args.version), args.json, out
            )
        return cmd_score(args, out, err)
    except MeasureNotFound as e:
        err.write(f"error: {e.args[0]}; see `openproms measures list`\n")
        return EXIT_BAD_INPUT
    except CliError as e:
        err.write(f"error: {e}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
