"""The keys on the check screen are the numbers printed on the paper, for every item
of every measure in the library, and typed paper entry stores the same code for the
same keys."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from openproms.catalogue.models import MeasureWording
from openproms.catalogue.selectors import measure_definition
from openproms.collection.answer_forms import MeasureAnswerForm, field_name
from openproms.paper import FormContext, make_layout
from openproms.paper.layout import Layout
from openproms.scans.forms import WriteInDecisionForm
from openproms.scans.models import ScanBatch, ScanFile, ScanItem, ScanPage
from openproms.scoring import MeasureDefinition, default_library, has_wording

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"-?\d+")


class _Radios(HTMLParser):
    """The answer radios of a check screen: their ``data-key`` and value."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, str] = {}
        self.write_in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag != "input":
            return
        if found.get("name") == "answer" and found.get("type") == "radio":
            key, value = found.get("data-key"), found.get("value")
            assert key is not None and value is not None
            assert key not in self.keys, f"two answers share the key {key}"
            self.keys[key] = value
        if found.get("name") == "value":
            self.write_in = True


def _placeholder_wording(definition: MeasureDefinition) -> dict[str, Any]:
    """Stand-in wording for a licensed measure (no licensed text in the tests)."""
    return {
        "items": {
            item.id: f"Placeholder question {n}"
            for n, item in enumerate(definition.items, 1)
        },
        "options": {
            rs.id: {str(o.code): f"Placeholder answer {o.code}" for o in rs.options}
            for rs in definition.response_sets.values()
            if not rs.is_range
        },
    }


def _printed_numbers(layout: Layout) -> dict[str, dict[int, str]]:
    """For each item, the number printed beside (or as the label of) each box:
    the numeric text inside the box's column, level with the box or just under it."""
    printed: dict[str, dict[int, str]] = {}
    for page in layout.pages:
        for row in page.items:
            for option in row.options:
                box, column = option.box, option.column
                numbers = [
                    line.text
                    for line in page.text
                    if NUMBER.fullmatch(line.text)
                    and column.x <= line.x <= column.x1
                    and box.y <= line.y <= box.y1 + 10.0
                ]
                assert len(numbers) == 1, (layout.measure_key, row.item_id, numbers)
                printed.setdefault(row.item_id, {})[option.code] = numbers[0]
    return printed


def _check_page(tenant: Any, definition: MeasureDefinition) -> ScanPage:
    batch = ScanBatch.objects.create(
        organisation=tenant.organisation, status=ScanBatch.Status.DONE
    )
    scan_file = ScanFile.objects.create(
        batch=batch, name="scan.pdf", size=1, sha256="0" * 64, status="read"
    )
    return ScanPage.objects.create(
        organisation=tenant.organisation,
        batch=batch,
        file=scan_file,
        index=0,
        status=ScanPage.Status.TO_CHECK,
        measure_id=definition.id,
        measure_version=definition.version,
        variant="standard",
        page_number=1,
        page_count=1,
    )


def _typed_entry_code(definition: MeasureDefinition, item_id: str, typed: str) -> Any:
    """What typed paper entry stores for ``typed`` on one item (the rest left blank)."""
    data = {field_name(i.id): "-" for i in definition.items}
    data[field_name(item_id)] = typed
    data["submission_id"] = "6f1b8f1e-6a55-4a57-9a43-5a0f8e1f2a11"
    form = MeasureAnswerForm(data, definition=definition, blank_confirmation=False)
    assert form.is_valid(), form.errors
    return form.codes[item_id]


def test_every_answer_of_every_measure_is_chosen_by_its_printed_number(
    tenant_a, client_for
):
    client = client_for(tenant_a.members["data_officer"].user)
    checked = 0
    for library_definition in default_library():
        if not has_wording(library_definition):
            MeasureWording.objects.create(
                organisation=tenant_a.organisation,
                measure_id=library_definition.id,
                measure_version=library_definition.version,
                wording=_placeholder_wording(library_definition),
                licence_reference="test",
            )
        definition = measure_definition(
            organisation=tenant_a.organisation,
            measure_id=library_definition.id,
            version=library_definition.version,
        )
        layout = make_layout(definition, "standard", FormContext(token="T"))
        printed = _printed_numbers(layout)
        page = _check_page(tenant_a, definition)
        for number, question in enumerate(definition.items, 1):
            item = ScanItem.objects.create(
                page=page,
                item_id=question.id,
                number=number,
                decision="multiple",
                confidence=0.2,
                crop=[20, 60, 170, 12],
                needs_person=True,
                decided=False,
            )
            response = client.get(
                reverse("scans:item_check", args=[tenant_a.organisation.slug, item.pk])
            )
            assert response.status_code == 200
            radios = _Radios()
            radios.feed(response.content.decode())
            where = f"{definition.key} {question.id}"
            if question.id not in printed:  # a number written in boxes: typed
                assert radios.write_in and not radios.keys, where
                rs = question.response_set
                for code in (rs.min, (rs.min + rs.max) // 2, rs.max):
                    form = WriteInDecisionForm(
                        {"value": str(code)}, label="", low=rs.min, high=rs.max
                    )
                    assert form.is_valid() and form.code() == code, where
                    assert _typed_entry_code(definition, question.id, str(code)) == (
                        code
                    ), where
                continue
            assert radios.keys.pop("n") == "none", where
            assert len(radios.keys) == len(printed[question.id]), where
            for code, on_paper in printed[question.id].items():
                assert radios.keys.get(on_paper) == str(code), (
                    f"{where}: the key {on_paper} (printed beside the box of answer "
                    f"{code}) chooses {radios.keys.get(on_paper)}"
                )
                assert _typed_entry_code(definition, question.id, on_paper) == code, (
                    where
                )
            checked += 1
    assert checked > 150  # every choice item of the whole library was checked


def _item(response_set: Any) -> Any:
    from openproms.scoring.definitions import Item

    return Item(
        id="q",
        text="How was it?",
        short_label=None,
        preamble=None,
        response_set=response_set,
        scored=True,
        required=False,
        risk=None,
        codes=(),
    )


def test_a_0_to_10_question_says_two_digit_numbers_take_two_keys():
    from openproms.scans.keys import answer_keys

    ons4 = default_library().get("ons4")
    keys = answer_keys(ons4.items[0])
    assert [a.key for a in keys.answers] == [str(c) for c in range(11)]
    assert keys.printed_numbers
    assert "Press the number printed under the box" in keys.hint
    assert "for 10, press 1 then 0" in keys.hint
    assert keys.answers[0].label == "Not at all satisfied"
    assert keys.answers[4].label == ""  # the key is the whole answer: no doubling


def test_answers_printed_below_zero_get_letters_and_say_so():
    from openproms.scans.keys import answer_keys
    from openproms.scoring.definitions import Option, ResponseSet

    rs = ResponseSet(
        id="agree",
        options=(
            Option(-1, "Disagree"),
            Option(0, "Neither"),
            Option(1, "Agree"),
        ),
        min=-1,
        max=1,
        is_range=False,
    )
    keys = answer_keys(_item(rs))
    assert [(a.key, a.code, a.label) for a in keys.answers] == [
        ("a", -1, "Disagree"),
        ("b", 0, "Neither"),
        ("c", 1, "Agree"),
    ]
    assert not keys.printed_numbers
    assert "below zero" in keys.hint and "letter" in keys.hint
