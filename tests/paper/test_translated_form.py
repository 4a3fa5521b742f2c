"""A form printed in Welsh: the measure's Welsh wording and the form's own words in
Welsh, its code naming the language, and it reads back by OMR like any other."""

from __future__ import annotations

import numpy as np
import pytest

from openproms.paper import default_resolver, read_image
from openproms.paper.layout import parse_payload
from openproms.paper.read import LayoutMismatch, page_layout_for
from openproms.paper.simulate import fill_page, render_pages
from openproms.paper.words import form_key, split_form_key
from openproms.scoring import get_measure
from openproms.scoring.translations import definition_translated, shipped_translation

from .helpers import DPI, layout_for

LADDER = get_measure("openproms_life_ladder", "1")
WELSH = definition_translated(
    LADDER,
    shipped_translation("openproms_life_ladder", "1", "cy") or {},
    language="cy",
)


def _text(layout) -> str:  # type: ignore[no-untyped-def]
    return " ".join(t.text for page in layout.pages for t in page.text)


def test_the_welsh_form_prints_welsh_words_and_names_its_language() -> None:
    layout = layout_for(WELSH)
    words = _text(layout)
    assert "Ysgol bywyd (fersiwn 1)" in words
    assert "Defnyddiwch feiro tywyll" in words and "Tudalen 1 o" in words
    assert "Ar gyfer: AB 0001" in words
    assert "Use a dark pen" not in words and "Page 1 of" not in words
    assert layout.measure_key == "openproms_life_ladder@1~cy"
    payload = parse_payload(layout.pages[0].payload)
    assert payload is not None and payload.measure_key == layout.measure_key
    english = layout_for(LADDER)
    assert english.measure_key == "openproms_life_ladder@1"
    assert english.pages[0].fingerprint != layout.pages[0].fingerprint


@pytest.mark.parametrize("variant", ["standard", "large_print", "blank"])
def test_a_filled_welsh_page_reads_back_with_the_default_reader(variant: str) -> None:
    layout = layout_for(WELSH, variant)
    page = layout.page(1)
    answers = {
        row.item_id: row.options[n % len(row.options)].code
        for n, row in enumerate(page.items)
    }
    image = render_pages(layout, DPI)[0]
    filled, truth = fill_page(
        image, page, DPI, np.random.default_rng(7), answers=answers
    )
    [reading] = read_image(filled, resolver=default_resolver)
    assert reading.status == "read" and reading.measure_key == layout.measure_key
    got = {i.item_id: (i.decision, i.code) for i in reading.items}
    for t in truth:
        assert got[t.item_id] == ("answer", t.expect)


def test_the_form_key_round_trips_and_an_unknown_language_is_refused() -> None:
    assert split_form_key(form_key("phq9@1", "cy")) == ("phq9", "1", "cy")
    assert split_form_key("phq9@1") == ("phq9", "1", "en")
    payload = parse_payload(layout_for(WELSH).pages[0].payload)
    assert payload is not None
    assert page_layout_for(payload).number == 1
    bad = parse_payload(layout_for(WELSH).pages[0].payload.replace("~cy", "~xx"))
    assert bad is not None
    with pytest.raises(LayoutMismatch):
        page_layout_for(bad)
