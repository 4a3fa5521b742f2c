"""The progress sheet a Welsh speaker takes home is in Welsh, whether they download
it from their own page or a worker prints it for them."""

from __future__ import annotations

import io
import re

import pypdfium2 as pdfium
import pytest
from django.urls import reverse

from tests.conftest import Tenant, verified_client
from tests.translations.person_pages import ENGLISH_WORDS
from tests.translations.test_person_pages import (
    LADDER_ANSWERS,
    _open_link,
    _post,
    _welsh_person,
)

pytestmark = pytest.mark.django_db


def _sheet_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(io.BytesIO(pdf))
    text = " ".join(
        " ".join(page.get_textpage().get_text_range().split()) for page in document
    )
    return text.replace("\xa0", " ")


def _english_words(text: str, tenant: Tenant) -> set[str]:
    for value in (tenant.organisation.name, "Sam", "Person", "openproms"):
        text = text.replace(value, " ")
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)} & ENGLISH_WORDS


def test_the_sheet_is_in_welsh_from_their_page_and_from_the_worker(
    tenant_a: Tenant,
) -> None:
    person, points = _welsh_person(tenant_a)
    client = _open_link(tenant_a, person, points)
    client.post("/s/answer/", _post(LADDER_ANSWERS))
    client.post("/s/done/", {"skip": "1"})
    own = client.get(reverse("reports:self_progress_sheet"))
    assert own["Content-Type"] == "application/pdf"
    # Drawn in the Welsh-capable face (paper/typefaces.py), never Helvetica.
    faces = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+-]+)", own.content))
    assert faces and all(b"LiberationSans" in face for face in faces), faces
    text = _sheet_text(own.content)
    assert "Eich cynnydd" in text and "Ar gyfer Sam Person" in text
    assert "Beth sydd wedi newid" in text and "Cartref a thai" in text
    assert "Eich sgoriau dros amser" in text
    assert _english_words(text, tenant_a) == set()

    worker = verified_client(tenant_a.members["worker"].user)
    printed = worker.get(
        reverse(
            "reports:progress_sheet",
            kwargs={"org_slug": "alpha", "person_pk": person.pk},
        )
    )
    text = _sheet_text(printed.content)
    assert "Eich cynnydd" in text and _english_words(text, tenant_a) == set()
    # The worker's own pages stay in English afterwards.
    page = worker.get(
        reverse(
            "people:person_detail", kwargs={"org_slug": "alpha", "person_pk": person.pk}
        )
    ).content.decode()
    assert '<html lang="en-gb">' in page
