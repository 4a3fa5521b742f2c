"""The shared date field: dates typed and shown day first (dd/mm/yyyy)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from openproms.core.forms import DayMonthYearField, parse_day_month_year


class _Form(forms.Form):
    on = DayMonthYearField(label="Start date", what="the start date")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("01/04/2026", dt.date(2026, 4, 1)),
        ("1/4/2026", dt.date(2026, 4, 1)),
        (" 01-04-2026 ", dt.date(2026, 4, 1)),
        ("01.04.2026", dt.date(2026, 4, 1)),
        ("2026-04-01", dt.date(2026, 4, 1)),  # a bookmarked ISO date
        ("12/03/2026", dt.date(2026, 3, 12)),  # day first, never month first
        ("31/04/2026", None),  # no 31 April
        ("04/31/2026", None),  # month first is not a date here
        ("01/04/26", None),  # a two-digit year is not guessed
        ("tomorrow", None),
        ("", None),
    ],
)
def test_dates_are_read_day_first(typed: str, expected: dt.date | None) -> None:
    assert parse_day_month_year(typed) == expected


def test_a_date_that_is_not_real_is_a_clear_message_naming_the_field() -> None:
    form = _Form({"on": "04/31/2026"})
    assert not form.is_valid()
    assert form.errors["on"] == [
        "Enter the start date as a real date, day/month/year, like 01/04/2026"
    ]
    assert _Form({"on": ""}).errors["on"] == ["Enter the start date"]


def test_the_box_is_text_and_shows_the_date_day_first() -> None:
    html = str(_Form(initial={"on": dt.date(2026, 4, 1)})["on"])
    assert 'type="text"' in html and 'value="01/04/2026"' in html
    assert 'type="date"' not in html
    assert _Form()["on"].help_text == "Day/month/year, for example 01/04/2026"
