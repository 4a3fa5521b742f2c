"""Form fields every app shares: a date typed in one box as day/month/year.

Browser date boxes (``type="date"``) show the browser's own order, which is
mm/dd/yyyy in many of them; this field is a plain text box that reads and shows
dd/mm/yyyy, as dates are written in the UK (the NHS.UK date input's order), and
says plainly what is wrong with anything else.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

SHOWN = "%d/%m/%Y"
# Day first in any of the usual separators; a bookmarked ISO date (2026-04-01) too.
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_day_month_year(text: str) -> dt.date | None:
    """``"1/4/2026"``, ``"01/04/2026"``, ``"01-04-2026"`` or ``"2026-04-01"``
    as a date; None when the text is not a real date written that way."""
    text = text.strip()
    found = _DAY_FIRST.match(text)
    if found:
        day, month, year = (int(part) for part in found.groups())
    else:
        found = _ISO.match(text)
        if not found:
            return None
        year, month, day = (int(part) for part in found.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


class DayMonthYearField(forms.DateField):
    """A date typed as dd/mm/yyyy in one text box, and shown the same way.

    ``what`` names the date in error messages ("the start date"); ``example`` is
    a date written the right way, shown in the hint and the messages.
    """

    def __init__(
        self, *, what: str, example: str = "01/04/2026", **kwargs: Any
    ) -> None:
        self.what = what
        self.example = example
        kwargs.setdefault("help_text", f"Day/month/year, for example {example}")
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format=SHOWN,
                attrs={"inputmode": "numeric", "autocomplete": "off"},
            ),
        )
        messages = {
            "required": f"Enter {what}",
            "invalid": f"Enter {what} as a real date, day/month/year, like {example}",
        }
        messages.update(kwargs.pop("error_messages", None) or {})
        super().__init__(error_messages=messages, **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        date = parse_day_month_year(str(value))
        if date is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return date
