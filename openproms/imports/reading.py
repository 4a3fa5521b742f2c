"""Reading an uploaded file into rows of cells, and reading dates (no Django).

A CSV file is read as UTF-8, or as Windows-1252 (what Excel writes when told
"CSV" on Windows) when it is not UTF-8; a file that is neither, or mixes the two,
is refused naming the row of the first byte that cannot be read. An Excel file
(xlsx) is read from its first worksheet with openpyxl, which never evaluates
anything: a cell holding a formula is refused naming the cell, and so is any
merged range (its value would belong to one cell and the rest be blank). Every
refusal is a :class:`Problem` naming the row and, where there is one, the cell.

Dates are read in three forms only: 31/01/2024, 2024-01-31 and 31 January 2024
(or 31 Jan 2024). Anything else is named as ambiguous (a two-digit year, dashes
or dots between day and month) or unknown, never guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

MAX_COLUMNS = 300

Cell = str | int | float | dt.date | None

DATE_FORMS = "31/01/2024, 2024-01-31 or 31 January 2024"

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, by row (1 is the heading row) and column."""

    row: int | None
    column: str
    message: str


@dataclass
class Table:
    """The heading row and the data rows, each with its row number in the file."""

    headers: list[str]
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_name(index: int, headers: list[str]) -> str:
    """Column C ("PHQ-9 question 1"): the letter and its heading."""
    heading = headers[index] if index < len(headers) else ""
    letter = column_letter(index)
    return f"{letter} ({heading})" if heading else letter


def is_xlsx(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04"


def read_table(content: bytes) -> Table:
    """The file as a table, or a table with only problems (then it has no rows)."""
    if not content.strip():
        return Table([], problems=[Problem(None, "", "The file is empty.")])
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return Table(
            [],
            problems=[
                Problem(
                    None,
                    "",
                    "This is an old Excel file (.xls). Save it as an Excel "
                    "workbook (.xlsx) or as CSV, and upload that.",
                )
            ],
        )
    if is_xlsx(content):
        return read_xlsx(content)
    return read_csv(content)


# CSV

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _row_of(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def decode(content: bytes) -> tuple[str | None, Problem | None]:
    """The text of a CSV file: UTF-8 (with or without its mark), else Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content[:4096]:
        return None, Problem(
            None,
            "",
            "The file is in UTF-16 (Excel's \u201cUnicode text\u201d), which this "
            "import does not read. Save it as \u201cCSV UTF-8\u201d and upload that.",
        )
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8"), None
    except UnicodeDecodeError as error:
        first_bad = error.start
    if _UTF8_MULTIBYTE.search(content):
        row = _row_of(content, first_bad)
        return None, Problem(
            row,
            "",
            f"Row {row} has characters in a different encoding from the rest of the "
            "file (part UTF-8, part not), so names could be read wrongly. Save the "
            "file as \u201cCSV UTF-8\u201d and upload it again.",
        )
    try:
        return content.decode("cp1252"), None
    except UnicodeDecodeError as error:
        row = _row_of(content, error.start)
        return None, Problem(
            row,
            "",
            f"Row {row} has a character that is neither UTF-8 nor Windows text "
            f"(byte {content[error.start]:#04x}), so the file's encoding cannot be "
            "told. Save the file as \u201cCSV UTF-8\u201d and upload it again.",
        )


def read_csv(content: bytes) -> Table:
    text, problem = decode(content)
    if text is None:
        return Table([], problems=[problem] if problem else [])
    sample = text[:4096]
    delimiter = ","
    if sample.count(";") > sample.count(",") and sample.count(";") > 0:
        delimiter = ";"
    elif sample.count("\t") > sample.count(","):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        return Table([], problems=[Problem(None, "", "The file is empty.")])
    except csv.Error as error:
        return Table([], problems=[Problem(1, "", f"Row 1 cannot be read: {error}.")])
    table = Table(headers)
    if len(headers) > MAX_COLUMNS:
        table.problems.append(
            Problem(1, "", f"The file has more than {MAX_COLUMNS} columns.")
        )
        return table
    try:
        for cells in reader:
            row = reader.line_num
            table.rows.append((row, [c if c.strip() else None for c in cells]))
    except csv.Error as error:
        table.problems.append(
            Problem(
                reader.line_num,
                "",
                f"Row {reader.line_num} cannot be read ({error}): check its quotation "
                "marks.",
            )
        )
        table.rows = []
    return table


# Excel


def read_xlsx(content: bytes) -> Table:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.worksheet.formula import ArrayFormula

    try:
        workbook = load_workbook(io.BytesIO(content), data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        return Table(
            [],
            problems=[
                Problem(
                    None,
                    "",
                    f"The file cannot be read as an Excel workbook ({error}). Save "
                    "it again as .xlsx or CSV.",
                )
            ],
        )
    sheet = workbook.worksheets[0]
    table = Table([])
    for merged in sorted(
        sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)
    ):
        table.problems.append(
            Problem(
                merged.min_row,
                str(merged.coord),
                f"Row {merged.min_row}: cells {merged.coord} are merged. Unmerge "
                "them and put each value in its own cell.",
            )
        )
    rows = sheet.iter_rows()
    first = next(rows, None)
    if first is None:
        table.problems.append(Problem(None, "", "The first worksheet is empty."))
        return table
    table.headers = [str(c.value).strip() if c.value is not None else "" for c in first]
    while table.headers and not table.headers[-1]:
        table.headers.pop()
    width = len(table.headers)
    for cells in rows:
        values: list[Cell] = []
        row_number = cells[0].row if cells else 0
        for cell in cells[: max(width, 1)]:
            value = cell.value
            if cell.data_type == "f" or isinstance(value, ArrayFormula):
                table.problems.append(
                    Problem(
                        cell.row,
                        str(cell.coordinate),
                        f"Row {cell.row}: cell {cell.coordinate} holds a formula. "
                        "This import does not work formulas out: copy the column "
                        "and paste it back as values only.",
                    )
                )
                value = None
            values.append(_xlsx_value(value))
        for cell in cells[width:]:
            if cell.data_type == "f":
                table.problems.append(
                    Problem(
                        cell.row,
                        str(cell.coordinate),
                        f"Row {cell.row}: cell {cell.coordinate} holds a formula.",
                    )
                )
        table.rows.append((row_number, values))
    return table


def _xlsx_value(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return text if text.strip() else None


# Dates

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+),? (\d{4})$")
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$")
_OTHER_SEPARATOR = re.compile(r"^\d{1,2}[.-]\d{1,2}[.-]\d{4}$")


class DateUnreadable(ValueError):
    """A date in no form this import reads; the message says why, for a person."""


def read_date(value: Cell) -> dt.date:
    """A date from a cell: a date cell, or text in one of the three forms."""
    if isinstance(value, dt.date):
        return value
    text = " ".join(str(value).split())
    parts: tuple[int, int, int] | None = None
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
        parts = (year, month, day)
        form = "day/month/year"
    elif match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
        parts = (year, month, day)
        form = "year-month-day"
    elif match := _WORDS.match(text):
        month_number = MONTHS.get(match.group(2).lower())
        if month_number is None:
            raise DateUnreadable(
                f"\u201c{text}\u201d is not a date: \u201c{match.group(2)}\u201d is "
                "not a month."
            )
        parts = (int(match.group(3)), month_number, int(match.group(1)))
        form = "day month year"
    elif _TWO_DIGIT_YEAR.match(text):
        raise DateUnreadable(
            f"\u201c{text}\u201d has a two-digit year, so the century is unclear. "
            f"Write the year in full: {DATE_FORMS}."
        )
    elif _OTHER_SEPARATOR.match(text):
        raise DateUnreadable(
            f"\u201c{text}\u201d is ambiguous: with dashes or dots it could be "
            f"day-month or month-day. Write it as {DATE_FORMS}."
        )
    else:
        raise DateUnreadable(
            f"\u201c{text}\u201d is not a date in a form this import reads. Write "
            f"dates as {DATE_FORMS}."
        )
    year, month, day = parts
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateUnreadable(
            f"\u201c{text}\u201d is not a real date (read as {form}"
            f"{': there is no month ' + str(month) if month > 12 else ''})."
        ) from None
