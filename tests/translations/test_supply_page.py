"""An organisation supplies a measure's wording in Welsh: typed, or as JSON or
CSV; an incomplete translation names every gap and stores nothing; a Welsh
speaker then answers in the supplied wording."""

from __future__ import annotations

import json
import uuid
from html import unescape

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.scoring import get_measure
from openproms.translations.models import MeasureTranslation
from tests.conftest import Tenant, verified_client
from tests.translations.person_pages import english_left
from tests.translations.test_person_pages import _open_link, _welsh_person

pytestmark = pytest.mark.django_db

GAD7 = get_measure("gad7", "1")


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _url(measure: str = "gad7", language: str = "cy") -> str:
    return reverse(
        "translations:translation_supply",
        kwargs={
            "org_slug": "alpha",
            "measure_id": measure,
            "measure_version": "1",
            "language": language,
        },
    )


def _document() -> dict:  # type: ignore[type-arg]
    return {
        "title": "Anhwylder gorbryder cyffredinol (prawf)",
        "instructions": "Cyfarwyddiadau prawf" if GAD7.instructions else "",
        "items": {i.id: f"Cwestiwn prawf {n}" for n, i in enumerate(GAD7.items, 1)},
        "options": {
            rid: {str(c): f"Ateb prawf {c}" for c in rs.codes}
            for rid, rs in GAD7.response_sets.items()
        },
        "scales": {s.id: f"Sgôr prawf {s.id}" for s in GAD7.scales},
        "bands": {
            s.id: {str(n): f"Band prawf {n}" for n in range(1, len(s.bands.bands) + 1)}
            for s in GAD7.scales
            if s.bands is not None
        },
    }


def _csv(doc: dict) -> str:  # type: ignore[type-arg]
    rows = ["part,id,code,text", f"title,,,{doc['title']}"]
    if doc["instructions"]:
        rows.append(f"instructions,,,{doc['instructions']}")
    rows += [f"item,{k},,{v}" for k, v in doc["items"].items()]
    for rid, labels in doc["options"].items():
        rows += [f"option,{rid},{c},{label}" for c, label in labels.items()]
    rows += [f"scale,{k},,{v}" for k, v in doc["scales"].items()]
    for scale_id, names in doc["bands"].items():
        rows += [f"band,{scale_id},{n},{name}" for n, name in names.items()]
    return "\n".join(rows)


def test_an_admin_uploads_a_welsh_gad7_and_a_welsh_speaker_answers_it(
    tenant_a: Tenant,
) -> None:
    admin = verified_client(tenant_a.members["org_admin"].user)
    page = admin.get(_url()).content.decode()
    assert "GAD-7 in Welsh (Cymraeg)" in page
    response = admin.post(
        _url(),
        {
            "licence_reference": "Official Welsh translation, Pfizer",
            "upload": SimpleUploadedFile(
                "gad7-cy.json", json.dumps(_document()).encode()
            ),
        },
    )
    assert response.status_code == 302
    stored = MeasureTranslation.objects.get()
    assert stored.language == "cy" and stored.wording["items"]["gad7_1"]
    assert AuditEvent.objects.filter(action="translation.supply").count() == 1

    person, points = _welsh_person(tenant_a, measures=("gad7",))
    answering = _open_link(tenant_a, person, points).get("/s/answer/").content.decode()
    assert "Cwestiwn prawf 1" in answering and "Ateb prawf 3" in answering
    assert "ar gael yn eich iaith chi eto" not in answering

    # Their result names the band in the organisation's Welsh, not the English
    # it was scored with (3 on every question: 21, the highest band).
    client = _open_link(tenant_a, person, points)
    answers = {f"i_{item.id}": "3" for item in GAD7.items}
    answers["submission_id"] = str(uuid.uuid4())
    assert client.post("/s/answer/", answers).status_code == 302
    result = client.get("/s/done/").content.decode()
    last = len(GAD7.scale("total").bands.bands)  # type: ignore[union-attr]
    assert f"Band prawf {last}" in result
    english_band = GAD7.scale("total").bands.bands[-1].label  # type: ignore[union-attr]
    assert english_band not in result
    assert (
        english_left(result, data=(tenant_a.organisation.name, "Sam", "Person")) == []
    )


def test_a_csv_upload_is_read_row_by_row_and_replaces_the_last(
    tenant_a: Tenant,
) -> None:
    admin = verified_client(tenant_a.members["org_admin"].user)
    for _ in range(2):
        response = admin.post(
            _url(),
            {
                "licence_reference": "Ours",
                "upload": SimpleUploadedFile("gad7.csv", _csv(_document()).encode()),
            },
        )
        assert response.status_code == 302
    assert MeasureTranslation.objects.count() == 1
    assert AuditEvent.objects.filter(action="translation.replace").count() == 1


def test_an_incomplete_translation_names_every_gap_and_stores_nothing(
    tenant_a: Tenant,
) -> None:
    admin = verified_client(tenant_a.members["org_admin"].user)
    doc = _document()
    del doc["items"]["gad7_2"]
    doc["options"]["nonsense"] = {"1": "x"}
    response = admin.post(
        _url(),
        {
            "licence_reference": "Ours",
            "upload": SimpleUploadedFile("gad7.json", json.dumps(doc).encode()),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Question 2 (gad7_2) has no translation" in page
    no_bands = _document()
    del no_bands["bands"]["total"]["2"]
    response = admin.post(
        _url(),
        {
            "licence_reference": "Ours",
            "upload": SimpleUploadedFile("gad7.json", json.dumps(no_bands).encode()),
        },
    )
    mild = GAD7.scale("total").bands.bands[1].label  # type: ignore[union-attr]
    assert f"Band 2 ({mild}) of" in unescape(response.content.decode())
    assert "is not an answer set of GAD-7" in page
    bad_csv = admin.post(
        _url(),
        {
            "licence_reference": "Ours",
            "upload": SimpleUploadedFile(
                "gad7.csv", b"part,id,code,text\nitem,,,Heb id\nwhatever,a,,b\n"
            ),
        },
    ).content.decode()
    assert "Row 2: a item row needs its id" in bad_csv
    assert "Row 3: part &#x27;whatever&#x27; is not one of" in bad_csv
    typed = admin.post(_url(), {"licence_reference": "Ours", "title": "Teitl"})
    assert typed.status_code == 400
    assert "Question 1 (gad7_1) has no translation" in typed.content.decode()
    assert not MeasureTranslation.objects.exists()


def test_the_typed_form_starts_from_the_shipped_welsh_and_saves(
    tenant_a: Tenant,
) -> None:
    admin = verified_client(tenant_a.members["org_admin"].user)
    url = _url("openproms_life_ladder")
    page = admin.get(url).content.decode()
    assert "Cartref a thai" in page and "openproms includes a Welsh" in page
    form = {
        "licence_reference": "Our own review",
        "title": "Ysgol bywyd (ein fersiwn)",
        "instructions": "Dewiswch ris.",
    }
    ladder = get_measure("openproms_life_ladder", "1")
    for item in ladder.items:
        form[f"item__{item.id}"] = f"Ein cwestiwn {item.id}"
    form["option__ladder__1"] = "Anodd iawn"
    form["option__ladder__10"] = "Da iawn"
    for scale in ladder.scales:
        form[f"scale__{scale.id}"] = f"Ein sgôr {scale.id}"
    assert admin.post(url, form).status_code == 302
    assert MeasureTranslation.objects.get().wording["title"] == (
        "Ysgol bywyd (ein fersiwn)"
    )


def test_a_worker_may_not_and_an_unknown_language_is_not_found(
    tenant_a: Tenant,
) -> None:
    worker = verified_client(tenant_a.members["worker"].user)
    assert worker.get(_url()).status_code == 403
    admin = verified_client(tenant_a.members["org_admin"].user)
    assert admin.get(_url(language="xx")).status_code == 404
