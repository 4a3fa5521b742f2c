"""The designer's form: a whole measure posted at once, rows added and removed on
the server (htmx swaps the form; without JavaScript the page simply reloads).

:class:`DesignForm` reads the posted rows into a
:class:`~openproms.catalogue.design_document.Design`, collects every problem in
plain English (what could not be read, what the designer's rules refuse, and
anything the engine's own check still finds) and offers the rows back for display.
Nothing is stored unless ``is_valid()``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from openproms.catalogue.design_checks import band_notes, design_problems
from openproms.catalogue.design_document import (
    DIRECTIONS,
    METHODS,
    AnswerSet,
    Band,
    Design,
    Option,
    Question,
    Subscale,
    design_document,
    document_problems,
)

ROWS = {
    "set": ("name", "categories"),
    "question": ("text", "reverse", "answers", "unscored"),
    "subscale": ("name", "questions"),
    "band": ("low", "high", "label"),
}
OPTION_PARTS = ("code", "label")
_SET_OPTION = re.compile(r"^set-(\d+)-option$")
MAX_ROWS = 60


def blank_design() -> Design:
    """A new measure's starting rows: four questions sharing one set of four
    answers, no bands."""
    return Design(
        answer_sets=[
            AnswerSet(
                "How often",
                [
                    Option(0, "Not at all"),
                    Option(1, "Several days"),
                    Option(2, "More than half the days"),
                    Option(3, "Nearly every day"),
                ],
            )
        ],
        questions=[Question("") for _ in range(4)],
    )


def design_values(design: Design) -> dict[str, str]:
    """A design as the strings its form fields hold."""
    values = {
        "title": design.title,
        "short_name": design.short_name,
        "description": design.description,
        "instructions": design.instructions,
        "time_period": design.time_period,
        "method": design.method,
        "max_missing": str(design.max_missing),
        "direction": design.direction,
        "set_rows": str(len(design.answer_sets)),
        "question_rows": str(len(design.questions)),
        "subscale_rows": str(len(design.subscales)),
        "band_rows": str(len(design.bands)),
    }
    for s, answers in enumerate(design.answer_sets, start=1):
        values[f"set-{s}-name"] = answers.name
        values[f"set-{s}-categories"] = "on" if answers.categories else ""
        values[f"set-{s}-option_rows"] = str(len(answers.options))
        for n, o in enumerate(answers.options, start=1):
            values[f"set-{s}-option-{n}-code"] = "" if o.code is None else str(o.code)
            values[f"set-{s}-option-{n}-label"] = o.label
    for n, q in enumerate(design.questions, start=1):
        values[f"question-{n}-text"] = q.text
        values[f"question-{n}-reverse"] = "on" if q.reverse else ""
        values[f"question-{n}-answers"] = (
            "" if q.answer_set is None else str(q.answer_set)
        )
        values[f"question-{n}-unscored"] = "" if q.scored else "on"
    for n, sub in enumerate(design.subscales, start=1):
        values[f"subscale-{n}-name"] = sub.name
        values[f"subscale-{n}-questions"] = ", ".join(map(str, sub.questions))
    for n, b in enumerate(design.bands, start=1):
        values[f"band-{n}-low"] = "" if b.low is None else f"{b.low:g}"
        values[f"band-{n}-high"] = "" if b.high is None else f"{b.high:g}"
        values[f"band-{n}-label"] = b.label
    return values


def _count(values: Mapping[str, str], key: str) -> int:
    try:
        return max(0, min(int(values.get(key, "0")), MAX_ROWS))
    except ValueError:
        return 0


def _rows(values: Mapping[str, str], kind: str) -> int:
    return _count(values, f"{kind}_rows")


def _remove(values: dict[str, str], prefix: str, count_key: str, gone: int) -> bool:
    """Remove row ``gone`` of the rows named ``<prefix><n>-...``, later rows (and
    everything nested in them) moving up one. False when there is no such row."""
    count = _count(values, count_key)
    if not 1 <= gone <= count:
        return False
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)-(.+)$")
    moved: dict[str, str] = {}
    for key, value in values.items():
        match = pattern.match(key)
        if match is None:
            moved[key] = value
            continue
        n = int(match[1])
        if n == gone:
            continue
        moved[f"{prefix}{n - 1 if n > gone else n}-{match[2]}"] = value
    values.clear()
    values.update(moved)
    values[count_key] = str(count - 1)
    return True


def rows_changed(data: Mapping[str, Any]) -> dict[str, str]:
    """The posted values with one row added (``add_row=question``, or an answer
    in a set: ``add_row=set-2-option``) or removed (``remove_row=question-3``,
    ``remove_row=set-2-option-1``, ``remove_row=set-2``), later rows moving up
    one. Removing an answer set leaves the questions that chose it with none
    chosen (so the page asks), and renumbers the choices of later sets."""
    values = {k: str(data.get(k, "")) for k in data}
    add, remove = values.pop("add_row", ""), values.pop("remove_row", "")
    if add in ROWS:
        values[f"{add}_rows"] = str(min(_rows(values, add) + 1, MAX_ROWS))
        if add == "set":
            new = _rows(values, "set")
            values.setdefault(f"set-{new}-option_rows", "2")
    elif (match := _SET_OPTION.match(add)) is not None:
        key = f"set-{match[1]}-option_rows"
        values[key] = str(min(_count(values, key) + 1, MAX_ROWS))
    prefix, _, number = remove.rpartition("-")
    if not number.isdigit():
        return values
    gone = int(number)
    if _SET_OPTION.match(prefix) is None and prefix not in ROWS:
        return values
    removed = _remove(values, f"{prefix}-", f"{prefix}_rows", gone)
    if removed and prefix == "set":
        for n in range(1, _rows(values, "question") + 1):
            key = f"question-{n}-answers"
            chosen = _int(values.get(key, "1") or "0")
            if chosen == gone:
                values[key] = ""
            elif chosen is not None and chosen > gone:
                values[key] = str(chosen - 1)
    return values


def _int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def _float(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None


# The page's sections, top to bottom: each a set of field names or the start of
# its rows' keys.
_SECTIONS: tuple[tuple[str, ...], ...] = (
    ("title", "short_name", "description", "instructions", "time_period"),
    ("answer_sets", "set-"),
    ("questions", "question-"),
    ("method", "max_missing", "direction"),
    ("subscale-",),
    ("band-",),
)
_NUMBERS = re.compile(r"\d+")


def _page_order(key: str) -> tuple[int, int, list[int], str]:
    """Sorts an error's key into the order of the page: section by section, the
    fields of a section in order, and rows by number."""
    for rank, section in enumerate(_SECTIONS):
        for place, start in enumerate(section):
            if key == start or (start.endswith("-") and key.startswith(start)):
                return (rank, place, [int(n) for n in _NUMBERS.findall(key)], key)
    return (len(_SECTIONS), 0, [], key)


def _anchor(key: str) -> str:
    """Where an error's link goes: its field, or the whole answer set for an
    error about the set's answers, or the form."""
    if key == "__all__":
        return "#design-form"
    if key.startswith("set-") and key.endswith("-options"):
        return f"#{key.removesuffix('-options')}"
    return f"#{key}"


class DesignForm:
    """The whole measure, read from posted values (see the module docstring)."""

    def __init__(
        self,
        values: Mapping[str, str],
        *,
        measure_id: str,
        version: str,
        organisation: str,
    ) -> None:
        self.values = dict(values)
        self.measure_id, self.version, self.organisation = (
            measure_id,
            version,
            organisation,
        )
        self.errors: dict[str, list[str]] = {}
        self.document: dict[str, Any] | None = None
        self.design = self._read()

    def _add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def _get(self, key: str) -> str:
        return self.values.get(key, "")

    def _read(self) -> Design:
        v = self._get
        max_missing = _int(v("max_missing") or "0")
        if max_missing is None:
            self._add("max_missing", "Blank answers allowed must be a whole number")
        design = Design(
            title=v("title"),
            short_name=v("short_name"),
            description=v("description"),
            instructions=v("instructions"),
            time_period=v("time_period"),
            method=v("method"),
            max_missing=max_missing or 0,
            direction=v("direction"),
        )
        for number in range(1, _rows(self.values, "set") + 1):
            answers = AnswerSet(
                v(f"set-{number}-name"), categories=bool(v(f"set-{number}-categories"))
            )
            for n in range(1, _count(self.values, f"set-{number}-option_rows") + 1):
                key = f"set-{number}-option-{n}"
                code_text = v(f"{key}-code")
                code = _int(code_text)
                if code is None and code_text.strip():
                    self._add(
                        f"{key}-code",
                        f"Answer set {number}, answer {n}: the code must be a whole "
                        "number, like 0 or 3",
                    )
                answers.options.append(Option(code, v(f"{key}-label")))
            design.answer_sets.append(answers)
        for n in range(1, _rows(self.values, "question") + 1):
            # A question posted without a choice of answers has the first set
            # (a row just added); an empty choice means none is chosen.
            chosen = self.values.get(f"question-{n}-answers", "1")
            design.questions.append(
                Question(
                    v(f"question-{n}-text"),
                    reverse=bool(v(f"question-{n}-reverse")),
                    answer_set=_int(chosen) if chosen.strip() else None,
                    scored=not v(f"question-{n}-unscored"),
                )
            )
        for n in range(1, _rows(self.values, "subscale") + 1):
            numbers: list[int] = []
            for part in v(f"subscale-{n}-questions").replace(";", ",").split(","):
                if not part.strip():
                    continue
                number = _int(part)
                if number is None:
                    self._add(
                        f"subscale-{n}-questions",
                        f"Subscale {n}: write its question numbers separated by "
                        f"commas, such as 1, 3 ({part.strip()!r} is not a number)",
                    )
                else:
                    numbers.append(number)
            design.subscales.append(Subscale(v(f"subscale-{n}-name"), numbers))
        for n in range(1, _rows(self.values, "band") + 1):
            low, high = v(f"band-{n}-low"), v(f"band-{n}-high")
            for text, which in ((low, "lowest"), (high, "highest")):
                if text.strip() and _float(text) is None:
                    self._add(
                        f"band-{n}-low",
                        f"Band {n}: the {which} score must be a number",
                    )
            design.bands.append(Band(_float(low), _float(high), v(f"band-{n}-label")))
        return design

    def is_valid(self) -> bool:
        """True when the design is sound and the engine accepts its document."""
        if self.errors:
            return False
        for key, messages in design_problems(self.design).items():
            for message in messages:
                self._add(key, message)
        if self.errors:
            return False
        document = design_document(
            self.design,
            measure_id=self.measure_id,
            version=self.version,
            organisation=self.organisation,
        )
        for problem in document_problems(document):
            # The designer's own rules should catch everything first; anything
            # the engine still refuses is shown rather than stored.
            self._add("__all__", f"The scoring engine cannot use this: {problem}")
        if self.errors:
            return False
        self.document = document
        return True

    def error_list(self) -> list[dict[str, str]]:
        """Every error with the field it links to, in the order of the page."""
        keys = sorted(self.errors, key=_page_order)
        return [
            {"href": _anchor(key), "text": text}
            for key in keys
            for text in self.errors[key]
        ]

    def rows(self, kind: str) -> list[dict[str, Any]]:
        """The rows of one kind, each with its number, values and errors."""
        out = []
        for n in range(1, _rows(self.values, kind) + 1):
            row: dict[str, Any] = {"n": n, "errors": []}
            for part in ROWS[kind]:
                key = f"{kind}-{n}-{part}"
                row[part] = self.values.get(key, "")
                row["errors"] += self.errors.get(key, [])
            out.append(row)
        return out

    def answer_sets(self) -> list[dict[str, Any]]:
        """The answer sets, each with its answers as rows (number, values, errors)
        and the errors about the set as a whole."""
        sets = self.rows("set")
        for answers in sets:
            prefix = f"set-{answers['n']}"
            answers["errors"] += self.errors.get(f"{prefix}-options", [])
            answers["options"] = []
            for n in range(1, _count(self.values, f"{prefix}-option_rows") + 1):
                row: dict[str, Any] = {"n": n, "errors": []}
                for part in OPTION_PARTS:
                    key = f"{prefix}-option-{n}-{part}"
                    row[part] = self.values.get(key, "")
                    row["errors"] += self.errors.get(key, [])
                answers["options"].append(row)
        return sets

    def context(self) -> dict[str, Any]:
        sets = self.answer_sets()
        questions = self.rows("question")
        for question in questions:
            # A row added since the page was drawn has the first set.
            if f"question-{question['n']}-answers" not in self.values:
                question["answers"] = "1"
        return {
            "values": self.values,
            "errors": self.errors,
            "error_list": self.error_list(),
            "answer_sets": sets,
            "set_choices": [
                (str(a["n"]), a["name"].strip() or f"Answer set {a['n']}") for a in sets
            ],
            "questions": questions,
            "subscales": self.rows("subscale"),
            "bands": self.rows("band"),
            "band_notes": band_notes(self.design),
            "methods": METHODS,
            "directions": DIRECTIONS,
        }
