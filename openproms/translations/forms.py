"""The form an organisation supplies a measure's wording in another language with:
typed on the page, or uploaded as JSON or CSV (decision 0028).

CSV (UTF-8): the header ``part,id,code,text``; one row per piece of wording:
``title,,,…``, ``short_name,,,…``, ``instructions,,,…``, ``recall_period,,,…``,
``item,<item id>,,…``,
``short_label,<item id>,,…``, ``option,<answer set id>,<code>,…``,
``scale,<scale id>,,…`` and ``band,<scale id>,<band number>,…`` (bands numbered
from 1, lowest scores first). JSON: the document :mod:`openproms.scoring.translations`
describes. Every problem is listed, naming the row, the question or the answer;
nothing is stored unless the translation is complete.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django import forms

from openproms.scoring import MeasureDefinition
from openproms.scoring.translations import translation_problems

CSV_COLUMNS = ("part", "id", "code", "text")
SINGLES = ("title", "short_name", "instructions", "recall_period")
PARTS = (*SINGLES, "item", "short_label", "option", "scale", "band")
NUMBERED = {"option": "options", "band": "bands"}
MAX_UPLOAD = 1_000_000


def parse_translation_json(raw: str) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        return None, [
            f"The file is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno})"
        ]
    if not isinstance(data, dict):
        return None, ["The JSON file must hold one object, as described on this page"]
    return data, []


def parse_translation_csv(raw: str) -> tuple[dict[str, Any] | None, list[str]]:
    reader = csv.reader(io.StringIO(raw))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        return None, ["The CSV file is empty"]
    except csv.Error as error:
        return None, [f"Row 1: the CSV cannot be read ({error})"]
    if tuple(header) != CSV_COLUMNS:
        return None, [f"Row 1 must be the header {','.join(CSV_COLUMNS)}"]
    doc: dict[str, Any] = {}
    problems: list[str] = []
    try:
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(CSV_COLUMNS):
                problems.append(
                    f"Row {number}: give exactly 4 cells: part,id,code,text"
                )
                continue
            part, key, code, text = (cell.strip() for cell in row)
            if part not in PARTS:
                problems.append(
                    f"Row {number}: part {part!r} is not one of {', '.join(PARTS)}"
                )
            elif not text:
                problems.append(f"Row {number}: the text is empty")
            elif part in SINGLES:
                if part in doc:
                    problems.append(f"Row {number}: {part} appears twice")
                doc[part] = text
            elif not key:
                problems.append(f"Row {number}: a {part} row needs its id")
            elif part in NUMBERED:
                if not code.lstrip("-").isdigit():
                    what = "code" if part == "option" else "band number"
                    problems.append(
                        f"Row {number}: {what} {code!r} is not a whole number"
                    )
                    continue
                labels = doc.setdefault(NUMBERED[part], {}).setdefault(key, {})
                if code in labels:
                    problems.append(
                        f"Row {number}: {part} {code} of {key} appears twice"
                    )
                labels[code] = text
            else:
                group = {"item": "items", "short_label": "short_labels"}.get(
                    part, "scales"
                )
                if key in doc.setdefault(group, {}):
                    problems.append(f"Row {number}: {part} {key} appears twice")
                doc[group][key] = text
    except csv.Error as error:
        problems.append(f"Row {reader.line_num}: the CSV cannot be read ({error})")
    return (None, problems) if problems else (doc, [])


class TranslationForm(forms.Form):
    licence_reference = forms.CharField(
        label="Your licence or permission reference",
        help_text="Where the translation comes from: the licence it is held under, "
        "or who wrote it if it is your own measure.",
        max_length=200,
        error_messages={"required": "Enter where the translation comes from"},
    )
    upload = forms.FileField(
        label="Upload a JSON or CSV file (optional)",
        help_text="A .json or .csv file in the format described on this page. "
        "If you upload a file, the boxes below are ignored.",
        required=False,
        error_messages={"empty": "The uploaded file is empty"},
    )
    title = forms.CharField(label="Title", required=False, max_length=300)
    instructions = forms.CharField(
        label="Instructions", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recall_period = forms.CharField(
        label="Time period (optional)",
        help_text="Shown above the questions when there are no instructions.",
        required=False,
        max_length=200,
    )

    def __init__(
        self, *args: Any, definition: MeasureDefinition, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.translation: dict[str, Any] | None = None
        if not definition.instructions:
            del self.fields["instructions"]
        if not definition.recall_period:
            del self.fields["recall_period"]
        for n, item in enumerate(definition.items, start=1):
            english = item.text or "(wording held by your organisation)"
            self.fields[f"item__{item.id}"] = forms.CharField(
                label=f"Question {n}",
                help_text=f"In English: {english}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for rid, rs in definition.response_sets.items():
            for code, label in self._labelled(rs):
                self.fields[f"option__{rid}__{code}"] = forms.CharField(
                    label=f"Answer {code}",
                    help_text=f"In English: {label}",
                    required=False,
                )
        for scale in definition.scales:
            self.fields[f"scale__{scale.id}"] = forms.CharField(
                label=f"Score name: {scale.label}", required=False, max_length=200
            )
        for scale in definition.scales:
            for n, band in enumerate(scale.bands.bands if scale.bands else (), 1):
                self.fields[f"band__{scale.id}__{n}"] = forms.CharField(
                    label=f"{scale.label}: band {n}",
                    help_text=f"In English: {band.label}",
                    required=False,
                    max_length=200,
                )

    @staticmethod
    def _labelled(rs: Any) -> list[tuple[int, str]]:
        if rs.is_range:
            return [
                (c, label or str(c))
                for c, label in ((rs.min, rs.min_label), (rs.max, rs.max_label))
                if label
            ]
        return [(o.code, o.label or f"answer {o.code}") for o in rs.options]

    def typed(self, prefix: str) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(prefix)]

    def _from_boxes(self, data: dict[str, Any]) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "title": data.get("title", ""),
            "instructions": data.get("instructions", ""),
            "recall_period": data.get("recall_period", ""),
            "items": {},
            "options": {},
            "scales": {},
            "bands": {},
        }
        for name, value in data.items():
            parts = name.split("__")
            if parts[0] == "item":
                doc["items"][parts[1]] = value
            elif parts[0] == "option":
                doc["options"].setdefault(parts[1], {})[parts[2]] = value
            elif parts[0] == "scale":
                doc["scales"][parts[1]] = value
            elif parts[0] == "band":
                doc["bands"].setdefault(parts[1], {})[parts[2]] = value
        return doc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("upload")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                self.add_error("upload", "The file is larger than 1 MB")
                return cleaned
            try:
                raw = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("upload", "The file is not UTF-8 text")
                return cleaned
            name = upload.name.lower()
            if name.endswith(".json"):
                doc, problems = parse_translation_json(raw)
            elif name.endswith(".csv"):
                doc, problems = parse_translation_csv(raw)
            else:
                doc, problems = None, ["Upload a .json or a .csv file"]
            for problem in problems:
                self.add_error("upload", problem)
            target = "upload"
        else:
            doc = self._from_boxes(cleaned)
            target = None
        if doc is None:
            return cleaned
        problems = translation_problems(self.definition, doc)
        for problem in problems:
            self.add_error(target, problem[0].upper() + problem[1:])
        if not problems:
            self.translation = doc
        return cleaned
