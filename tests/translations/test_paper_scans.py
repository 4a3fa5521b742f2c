"""A Welsh speaker's printed form is in Welsh and, scanned back, is read and saved
to them like any other form."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest

from openproms.collection.models import Administration
from openproms.paper import FormContext, make_layout
from openproms.paper.simulate import filled_form
from openproms.scans import services
from openproms.scans.models import ScanBatch
from openproms.translations.selectors import measure_definition_in
from tests.route_objects.scans import DPI, as_pdf
from tests.scans.test_reading import _upload
from tests.translations.test_person_pages import LADDER, LADDER_ANSWERS, _welsh_person

pytestmark = pytest.mark.django_db


def test_a_welsh_speakers_form_prints_in_welsh_and_reads_back(
    tenant_a, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    _person, points = _welsh_person(tenant_a)
    outcome = services.forms_print(
        membership=tenant_a.members["data_officer"], time_points=points
    )
    assert outcome.pdf is not None and not outcome.skipped
    document = pdfium.PdfDocument(io.BytesIO(outcome.pdf))
    text = " ".join(document[0].get_textpage().get_text_range().split())
    assert "Ysgol bywyd (fersiwn 1)" in text and "Cartref a thai" in text
    assert "Defnyddiwch feiro tywyll" in text

    form = outcome.printed[0]
    welsh = measure_definition_in(
        organisation=tenant_a.organisation,
        measure_id=LADDER,
        version="1",
        language="cy",
    )
    layout = make_layout(
        welsh,
        form.variant,  # type: ignore[arg-type]
        FormContext(organisation=tenant_a.organisation.name, token=form.token),
    )
    assert layout.measure_key.endswith("~cy")
    pages = filled_form(layout, LADDER_ANSWERS, dpi=DPI, rng=np.random.default_rng(3))
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(tenant_a, ("welsh.pdf", as_pdf(pages)))
    batch.refresh_from_db()
    assert batch.status == ScanBatch.Status.DONE
    administration = Administration.objects.get(time_point=points[0])
    assert administration.mode == Administration.Mode.PAPER_SCAN
    assert administration.answers == LADDER_ANSWERS


def test_an_english_speakers_form_is_unchanged(tenant_a) -> None:  # type: ignore[no-untyped-def]
    from tests.route_objects.collection_answering import due_person

    _person, _, points = due_person(tenant_a, measures=(LADDER,))
    outcome = services.forms_print(
        membership=tenant_a.members["data_officer"], time_points=points
    )
    assert outcome.pdf is not None
    document = pdfium.PdfDocument(io.BytesIO(outcome.pdf))
    text = " ".join(document[0].get_textpage().get_text_range().split())
    assert "Life ladder (version 1)" in text and "Use a dark pen" in text
