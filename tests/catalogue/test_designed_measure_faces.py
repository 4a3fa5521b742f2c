"""A designed measure is a measure like any other: its one definition prints,
reads back from the printed page, scores, and exports as a FHIR Questionnaire.
No database: the design goes through the designer's form and the engine only."""

from __future__ import annotations

import numpy as np

from openproms.catalogue.design_forms import DesignForm
from openproms.fhir import questionnaire, validation_issues
from openproms.paper import FormContext, Variant, make_layout, read_image, render_pdf
from openproms.paper.layout import CONTENT_TOP
from openproms.paper.simulate import fill_page, render_pages
from openproms.scoring import (
    MeasureDefinition,
    default_library,
    definition_from_dict,
    score_response,
)
from tests.catalogue.test_designer import posted

DPI = 150.0


def _designed() -> MeasureDefinition:
    form = DesignForm(
        posted(), measure_id="club_check_in", version="1", organisation="Riverside"
    )
    assert form.is_valid(), form.errors
    assert form.document is not None
    return definition_from_dict(form.document)


def test_a_printed_designed_page_reads_back_the_answers_marked() -> None:
    definition = _designed()
    layout = make_layout(definition, "standard", FormContext("Riverside", token="t-1"))
    page = layout.page(1)
    answers = dict(zip(definition.item_ids, [3, 2, 0, None], strict=True))
    image = render_pages(layout, DPI, only=[0])[0]
    filled, _ = fill_page(image, page, DPI, np.random.default_rng(7), answers=answers)
    [reading] = read_image(filled, resolver=lambda payload: definition)
    assert reading.measure_key == "club_check_in@1"
    got = {item.item_id: item.code for item in reading.items}
    assert got == answers


def test_a_designed_measure_scores_with_its_reverse_item_band_and_proration() -> None:
    definition = _designed()
    ids = definition.item_ids
    full = score_response(definition, dict(zip(ids, [3, 2, 0, 1], strict=True)))
    total = full["total"]
    assert total.value == 9 and total.band == "High" and total.band_verified
    # One blank allowed: 3 + 2 + 3 (question 3 reversed) over 3 answers, scaled to 4.
    one_blank = score_response(definition, dict(zip(ids, [3, 2, 0, None], strict=True)))
    total = one_blank["total"]
    assert total.value == 10.67 and total.prorated


def test_a_designed_measure_exports_as_a_valid_fhir_questionnaire() -> None:
    definition = _designed()
    resource = questionnaire(definition)
    assert validation_issues(resource) == []
    texts = [item["text"] for item in resource["item"] if item["type"] != "display"]
    assert "How often have you felt calm?" in " ".join(texts)


def _pdf_text(definition: MeasureDefinition, variant: Variant) -> str:
    import pypdfium2 as pdfium

    layout = make_layout(definition, variant, FormContext("Riverside", reference="R"))
    document = pdfium.PdfDocument(render_pdf([layout]))
    try:
        return " ".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()


def test_the_printed_form_says_the_time_period_as_the_screen_does() -> None:
    definition = _designed()
    sentence = "In these questions, think about the last 2 weeks."
    for variant in ("standard", "blank", "large_print", "blank_large_print"):
        assert sentence in _pdf_text(definition, variant), variant


def test_the_time_period_moves_no_box_so_forms_printed_before_still_read() -> None:
    with_period = _designed()
    form = DesignForm(
        posted(time_period=""),
        measure_id="club_check_in",
        version="1",
        organisation="Riverside",
    )
    assert form.is_valid() and form.document is not None
    without = definition_from_dict(form.document)
    for variant in ("standard", "blank", "large_print", "blank_large_print"):
        new = make_layout(with_period, variant)
        old = make_layout(without, variant)
        assert [p.fingerprint for p in new.pages] == [p.fingerprint for p in old.pages]
        assert [p.items for p in new.pages] == [p.items for p in old.pages]
        # The words stay clear of the header and the instructions.
        lines = [t for t in new.page(1).text if t.text.startswith("In these")]
        assert lines and all(43.0 < t.y <= CONTENT_TOP for t in lines)


def test_a_library_measures_printed_form_gains_no_time_period_line() -> None:
    for definition in default_library():
        if not definition.licence.wording_shipped:
            continue
        page = make_layout(definition).page(1)
        assert not [t for t in page.text if t.text.startswith("In these questions")]
