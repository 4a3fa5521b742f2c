"""The words of a person's answers for subject access (decision 0014): each
question as worded in the measure version the answers were given on, with the
organisation's licensed wording applied, and why a question is shown by its
number when a licence keeps its wording out of openproms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.http import Http404
from django.utils import timezone

from openproms.accounts.models import Organisation
from openproms.catalogue.descriptions import missing_wording, question_name
from openproms.catalogue.models import MeasureWording
from openproms.catalogue.selectors import measure_definition
from openproms.scoring import MeasureDefinition


class Definitions:
    """The organisation's measure definitions (its wording applied), once each;
    None for a measure no longer known."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.cache: dict[tuple[str, str], MeasureDefinition | None] = {}
        self.supplied = {
            (w.measure_id, w.measure_version): w.supplied_at
            for w in MeasureWording.objects.filter(organisation=organisation)
        }

    def get(self, measure_id: str, version: str) -> MeasureDefinition | None:
        key = (measure_id, version)
        if key not in self.cache:
            try:
                self.cache[key] = measure_definition(
                    organisation=self.organisation,
                    measure_id=measure_id,
                    version=version or None,
                )
            except Http404:
                self.cache[key] = None
        return self.cache[key]

    def name(self, measure_id: str, version: str) -> str:
        defn = self.get(measure_id, version)
        return defn.short_name if defn is not None else "A measure no longer in use"


def _answer_words(defn: MeasureDefinition, item_id: str, code: Any) -> str:
    if code is None:
        return "Not answered"
    item = defn.item(item_id)
    options = item.response_set
    for option in options.options:
        if option.code == code and option.label:
            return str(option.label)
    return f"{code} on a scale from {options.min} to {options.max}"


def wording_note(
    defn: MeasureDefinition, supplied_at: dt.datetime | None, answered: dt.datetime
) -> str:
    """Why the questions read as they do, or "" when the wording is the measure's
    own and held in full."""
    if defn.licence.wording_shipped:
        return ""
    if defn.wording_supplied:
        numbers = (
            " Answers whose labels were not supplied are shown by the number given."
            if any(
                option.label is None
                for item in defn.items
                for option in item.response_set.options
            )
            else ""
        )
        return _supplied(defn, supplied_at, answered) + numbers
    return (
        missing_wording(defn)
        + " The organisation has not supplied it, so the questions are shown by "
        "their number and the answers by the number given."
    )


def _supplied(
    defn: MeasureDefinition, supplied_at: dt.datetime | None, answered: dt.datetime
) -> str:
    if supplied_at is not None and supplied_at > answered:
        when = timezone.localtime(supplied_at)
        return (
            f"The wording of {defn.short_name} shown here is the wording the "
            f"organisation supplied under its licence on "
            f"{when.day} {when:%B %Y}, after these answers "
            "were given; the person may have read the same questions worded "
            "differently (for example on a printed form)."
        )
    return (
        f"The wording of {defn.short_name} shown here is the wording the "
        "organisation supplied under its licence."
    )


def questions(
    defn: MeasureDefinition | None, answers: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Each question answered, in the form's order: its number, its wording (or
    "Question N" when the wording is not held), the stored code and the answer
    in words. Without a definition, the stored answers by position."""
    rows = []
    if defn is None:
        for number, (item_id, code) in enumerate(answers.items(), start=1):
            rows.append(
                {
                    "item_id": item_id,
                    "number": number,
                    "question": f"Question {number}",
                    "code": code,
                    "answer": "Not answered" if code is None else str(code),
                }
            )
        return rows
    for number, item in enumerate(defn.items, start=1):
        if item.id not in answers:
            continue
        code = answers[item.id]
        rows.append(
            {
                "item_id": item.id,
                "number": number,
                "question": item.text or question_name(defn, item),
                "code": code,
                "answer": _answer_words(defn, item.id, code),
            }
        )
    return rows
