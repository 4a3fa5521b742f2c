"""Reading files and dates (no database)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from openproms.imports.reading import (
    DateUnreadable,
    column_letter,
    read_date,
    read_table,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/04/2021", dt.date(2021, 4, 3)),
        ("3/4/2021", dt.date(2021, 4, 3)),
        ("2021-04-03", dt.date(2021, 4, 3)),
        ("2021-04-03 00:00:00", dt.date(2021, 4, 3)),
        ("3 April 2021", dt.date(2021, 4, 3)),
        ("3 Apr 2021", dt.date(2021, 4, 3)),
        ("03 april 2021", dt.date(2021, 4, 3)),
    ],
)
def test_the_three_date_forms_are_read(text: str, expected: dt.date) -> None:
    assert read_date(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("03/04/21", "two-digit year"),
        ("03-04-2021", "ambiguous"),
        ("03.04.2021", "ambiguous"),
        ("April 3rd, 2021", "not a date in a form this import reads"),
        ("12/25/2020", "no month 25"),
        ("31/02/2021", "not a real date"),
        ("3 Smarch 2021", "not a month"),
    ],
)
def test_an_ambiguous_or_unknown_date_is_named(text: str, says: str) -> None:
    with pytest.raises(DateUnreadable) as error:
        read_date(text)
    assert says in str(error.value)
    assert text in str(error.value)


def test_column_letters_go_past_z() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]


def test_utf8_with_its_mark_and_windows_text_are_read() -> None:
    utf8 = "\ufeffReference,Name\nR1,Zoë\n".encode()
    assert read_table(utf8).rows == [(2, ["R1", "Zoë"])]
    windows = "Reference,Name\nR1,Zoë\n".encode("cp1252")
    assert read_table(windows).rows == [(2, ["R1", "Zoë"])]


def test_a_file_mixing_encodings_is_refused_naming_the_row() -> None:
    content = "Reference,Name\nR1,Zoë\n".encode() + "R2,Chloë\n".encode("cp1252")
    table = read_table(content)
    assert table.rows == []
    assert table.problems[0].row == 3
    assert "Row 3" in table.problems[0].message
    assert "encoding" in table.problems[0].message


def test_a_file_in_no_encoding_we_can_tell_is_refused() -> None:
    content = b"Reference,Name\nR1,Ann\nR2,\x81\x8d\n"
    table = read_table(content)
    assert table.rows == [] and table.problems[0].row == 3
    utf16 = "Reference,Name\nR1,Ann\n".encode("utf-16")
    assert "UTF-16" in read_table(utf16).problems[0].message


def _xlsx(build: object) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Reference", "Measure", "Date answered", "Q1"])
    sheet.append(["R1", "GAD-7", dt.datetime(2021, 3, 4), 2])
    build(sheet)  # type: ignore[operator]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_workbook_is_read_with_dates_as_dates() -> None:
    table = read_table(_xlsx(lambda sheet: None))
    assert table.problems == []
    assert table.headers == ["Reference", "Measure", "Date answered", "Q1"]
    assert table.rows == [(2, ["R1", "GAD-7", dt.date(2021, 3, 4), 2])]


def test_merged_cells_are_refused_naming_the_cells() -> None:
    def merge(sheet: object) -> None:
        sheet.append(["R2", "GAD-7", "04/03/2021", 1])  # type: ignore[attr-defined]
        sheet.merge_cells("A3:B3")  # type: ignore[attr-defined]

    table = read_table(_xlsx(merge))
    assert [p.column for p in table.problems] == ["A3:B3"]
    assert "merged" in table.problems[0].message


def test_a_formula_is_refused_naming_the_cell_and_never_worked_out() -> None:
    def formula(sheet: object) -> None:
        sheet.append(["R2", "GAD-7", "04/03/2021", "=1+1"])  # type: ignore[attr-defined]

    table = read_table(_xlsx(formula))
    assert [p.column for p in table.problems] == ["D3"]
    assert "formula" in table.problems[0].message
    assert table.rows[1][1][3] is None
