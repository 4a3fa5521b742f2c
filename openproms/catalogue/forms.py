"""Forms for the organisation's measures: choosing a measure, supplying wording.

Wording comes either from one text box per item (and optional answer labels and
instructions) or from an uploaded file:

* JSON, the shape :func:`openproms.scoring.definition_with_wording` takes:
  ``{"items": {"q1": "text"}, "options": {"frequency": {"0": "label"}},
  "instructions": "text"}``;
* CSV with the header ``item_id,text,response_set,code,label``. Each row is either
  an item (``item_id`` and ``text``) or an answer label (``response_set``, ``code``
  and ``label``); the other cells are left empty. A file with only the columns
  ``item_id,text`` is fine too.

Every problem is listed, naming the item or the row; nothing is stored on error.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django import forms

from openproms.scoring import MeasureDefinition, definition_with_wording

MAX_UPLOAD_BYTES = 1_000_000
CSV_COLUMNS = ("item_id", "text", "response_set", "code", "label")


class MeasureUseForm(forms.Form):
    use = forms.TypedChoiceField(
        choices=[("yes", "Use this measure"), ("no", "Stop using this measure")],
        coerce=lambda value: value == "yes",
        error_messages={"required": "Choose whether to use this measure"},
    )


def _item_field(item_id: str) -> str:
    return f"item__{item_id}"


def _option_field(response_set: str, code: int) -> str:
    return f"option__{response_set}__{code}"


def parse_wording_json(raw: str) -> tuple[dict[str, Any] | None, list[str]]:
    """Read wording from JSON text; returns (wording, problems)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        return None, [
            f"The file is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno})"
        ]
    if not isinstance(data, dict):
        return None, ['The JSON file must be an object with an "items" entry']
    if not isinstance(data.get("items"), dict):
        return None, [
            'The JSON file must have "items": an object of item id to wording'
        ]
    problems = []
    for item_id, text in data["items"].items():
        if not isinstance(text, str):
            problems.append(f"Item {item_id}: the wording must be text")
    options = data.get("options", {})
    if not isinstance(options, dict):
        problems.append('"options" must be an object of response set to labels')
    else:
        for response_set, labels in options.items():
            if not isinstance(labels, dict):
                problems.append(
                    f"Response set {response_set}: labels must be an object of "
                    "code to label"
                )
                continue
            for code, label in labels.items():
                if not str(code).lstrip("-").isdigit():
                    problems.append(
                        f"Response set {response_set}: code {code!r} is not a "
                        "whole number"
                    )
                elif not isinstance(label, str) or not label.strip():
                    problems.append(
                        f"Response set {response_set}, code {code}: the label "
                        "must be text"
                    )
    instructions = data.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        problems.append('"instructions" must be text')
    return (None if problems else data), problems


def parse_wording_csv(raw: str) -> tuple[dict[str, Any] | None, list[str]]:
    """Read wording from CSV text (see the module docstring for the format)."""
    if not raw.strip():
        return None, ["The CSV file is empty"]
    reader = csv.reader(io.StringIO(raw))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        return None, ["The CSV file is empty"]
    except csv.Error as error:
        return None, [f"Row 1: the CSV cannot be read ({error})"]
    if "item_id" not in header or "text" not in header:
        return None, [
            "Row 1 must be the header item_id,text (optionally followed by "
            "response_set,code,label)"
        ]
    unknown = [name for name in header if name and name not in CSV_COLUMNS]
    if unknown:
        return None, [f"Row 1: unknown column {', '.join(unknown)}"]
    items: dict[str, str] = {}
    options: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    try:
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                problems.append(f"Row {number}: more cells than columns")
                continue
            cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
            item_id, text = cells.get("item_id", ""), cells.get("text", "")
            response_set = cells.get("response_set", "")
            code, label = cells.get("code", ""), cells.get("label", "")
            if item_id or text:
                if not item_id or not text:
                    problems.append(f"Row {number}: give both item_id and text")
                elif item_id in items:
                    problems.append(f"Row {number}: item {item_id} appears twice")
                else:
                    items[item_id] = text
            if response_set or code or label:
                if not (response_set and code and label):
                    problems.append(
                        f"Row {number}: give response_set, code and label together"
                    )
                elif not code.lstrip("-").isdigit():
                    problems.append(
                        f"Row {number}: code {code!r} is not a whole number"
                    )
                elif code in options.setdefault(response_set, {}):
                    problems.append(
                        f"Row {number}: code {code} of {response_set} appears twice"
                    )
                else:
                    options[response_set][code] = label
            if not (item_id or text or response_set or code or label):
                problems.append(f"Row {number}: nothing to read")
    except csv.Error as error:
        problems.append(f"Row {reader.line_num}: the CSV cannot be read ({error})")
    if problems:
        return None, problems
    wording: dict[str, Any] = {"items": items}
    if options:
        wording["options"] = options
    return wording, []


class WordingForm(forms.Form):
    """Wording for one measure, typed in or uploaded, with the licence reference."""

    licence_reference = forms.CharField(
        label="Licence reference",
        max_length=200,
        help_text="The reference or agreement number of your organisation's licence "
        "to use this wording.",
        error_messages={"required": "Enter your licence reference"},
    )
    upload = forms.FileField(
        label="Upload the wording as a file (optional)",
        required=False,
        help_text="A .json or .csv file in the format described on this page. "
        "If you upload a file, the boxes below are ignored.",
        error_messages={"empty": "The uploaded file is empty"},
    )
    instructions = forms.CharField(
        label="Instructions shown before the questions (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, definition: MeasureDefinition, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.wording: dict[str, Any] | None = None
        self.item_fields: list[forms.BoundField] = []
        self.option_groups: list[tuple[str, list[forms.BoundField]]] = []
        for item in definition.items:
            name = _item_field(item.id)
            self.fields[name] = forms.CharField(
                label=f"Item {item.id}"
                + (f" ({item.short_label})" if item.short_label else ""),
                required=False,
                max_length=1000,
            )
        for response_set in definition.response_sets.values():
            codes = (
                [response_set.min, response_set.max]
                if response_set.is_range
                else [option.code for option in response_set.options]
            )
            for code in codes:
                self.fields[_option_field(response_set.id, code)] = forms.CharField(
                    label=f"Answer {code}"
                    + (
                        " (lowest end)"
                        if response_set.is_range and code == response_set.min
                        else " (highest end)"
                        if response_set.is_range
                        else ""
                    ),
                    required=False,
                    max_length=300,
                )
        self.item_fields = [self[_item_field(item.id)] for item in definition.items]
        for response_set in definition.response_sets.values():
            names = [
                name
                for name in self.fields
                if name.startswith(f"option__{response_set.id}__")
            ]
            self.option_groups.append((response_set.id, [self[n] for n in names]))

    def _from_boxes(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        items = {
            item.id: cleaned.get(_item_field(item.id), "").strip()
            for item in self.definition.items
        }
        wording: dict[str, Any] = {"items": items}
        options: dict[str, dict[str, str]] = {}
        for name, value in cleaned.items():
            if name.startswith("option__") and value.strip():
                _, response_set, code = name.split("__", 2)
                options.setdefault(response_set, {})[code] = value.strip()
        if options:
            wording["options"] = options
        return wording

    def _from_upload(self, upload: Any) -> dict[str, Any] | None:
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error("upload", "The file must be smaller than 1 MB")
            return None
        try:
            raw = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("upload", "The file must be saved as UTF-8 text")
            return None
        name = (upload.name or "").lower()
        if name.endswith(".json"):
            wording, problems = parse_wording_json(raw)
        elif name.endswith(".csv"):
            wording, problems = parse_wording_csv(raw)
        else:
            self.add_error("upload", "The file must be a .json or a .csv file")
            return None
        for problem in problems:
            self.add_error("upload", problem)
        return wording

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("upload")
        if upload:
            wording = self._from_upload(upload)
            if wording is None:
                return cleaned
            target = "upload"
        else:
            wording = self._from_boxes(cleaned)
            target = None
        if cleaned.get("instructions", "").strip() and not wording.get("instructions"):
            wording["instructions"] = cleaned["instructions"].strip()
        try:
            definition_with_wording(self.definition, wording)
        except ValueError as error:
            self._add_wording_problems(str(error), target)
            return cleaned
        self.wording = wording
        return cleaned

    def _add_wording_problems(self, message: str, target: str | None) -> None:
        _, _, listed = message.partition(": ")
        for problem in (listed or message).split("; "):
            field = None
            if target is None and problem.startswith("item '"):
                item_id = problem.split("'")[1]
                if _item_field(item_id) in self.fields:
                    field = _item_field(item_id)
            text = problem[0].upper() + problem[1:]
            if field is not None:
                self.add_error(field, f"Enter the wording of item {item_id}")
            else:
                self.add_error(target, text)
