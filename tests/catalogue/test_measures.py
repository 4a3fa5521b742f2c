"""The organisation's measures: the list, a measure's page, choosing measures, and
supplying licensed wording (typed, JSON, CSV), kept inside one organisation."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from openproms.audit.models import AuditEvent
from openproms.catalogue.models import MeasureWording, OrganisationMeasure
from openproms.catalogue.selectors import measure_definition
from openproms.scoring import default_library, get_measure, item_text
from tests.conftest import Tenant, verified_client

pytestmark = pytest.mark.django_db

LICENSED = "who5"  # wording not shipped


def _url(name: str, tenant: Tenant, measure: str = "", version: str = "1") -> str:
    kwargs: dict[str, str] = {"org_slug": tenant.organisation.slug}
    if measure:
        kwargs |= {"measure_id": measure, "measure_version": version}
    return reverse(f"catalogue:{name}", kwargs=kwargs)


def _full_wording() -> dict[str, object]:
    definition = get_measure(LICENSED, "1")
    return {
        "items": {item.id: f"Wording of {item.id}" for item in definition.items},
        "options": {
            rid: {str(o.code): f"Label {o.code}" for o in rs.options}
            for rid, rs in definition.response_sets.items()
        },
        "instructions": "Please tick one box per statement.",
    }


def _upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def test_the_list_shows_the_library_and_marks_measures_in_use(
    tenant_a: Tenant,
) -> None:
    OrganisationMeasure.objects.create(
        organisation=tenant_a.organisation, measure_id="phq9", measure_version="1"
    )
    client = verified_client(tenant_a.members["viewer"].user)
    page = client.get(_url("measure_list", tenant_a))
    assert page.status_code == 200
    assert [row["definition"].id for row in page.context["in_use"]] == ["phq9"]
    assert "core10" in {row["definition"].id for row in page.context["others"]}
    assert "In use" in page.content.decode()


def test_the_measure_page_shows_items_scoring_sources_licence_and_guidance(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(_url("measure_detail", tenant_a, "phq9"))
    text = page.content.decode()
    definition = get_measure("phq9", "1")
    assert page.status_code == 200
    assert escape(item_text(definition, "phq9_1")) in text
    assert escape(definition.guidance.administration) in text
    assert escape(definition.guidance.why_for_person) in text
    assert escape(definition.licence.terms_summary) in text
    scale = definition.scales[0]
    assert escape(scale.label) in text
    if scale.bands:
        assert escape(scale.bands.source.citation) in text
    assert "Missing answers" in text and "Direction" in text
    assert "LOINC" in text


def test_a_licensed_measure_says_its_wording_must_be_supplied(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    text = client.get(_url("measure_detail", tenant_a, LICENSED)).content.decode()
    assert "The wording is licensed" in text
    assert "The wording of WHO-5 is not included with openproms" in text
    assert (
        "Missing: the wording of all 5 questions and the labels of their answers."
        in text
    )
    assert "Supply the wording" in text


def _visible(html: str) -> str:
    """The words a person sees: no scripts, no tags, entities decoded."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_measure_list_names_each_measure_once(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["viewer"].user)
    text = _visible(client.get(_url("measure_list", tenant_a)).content.decode())
    assert "Patient Health Questionnaire (PHQ-9)" not in text
    assert re.search(r"PHQ-9\s+Patient Health Questionnaire\s", text)
    assert "openproms life ladder" not in text
    assert not re.search(r"\(([^()]+)\)\s*\(\1\)", text)


@pytest.mark.parametrize(
    ("measure", "heading"),
    [
        ("phq9", "Patient Health Questionnaire (PHQ-9)"),
        ("oxford_hip", "Oxford Hip Score (OHS)"),
        ("openproms_life_ladder", "Life ladder"),
    ],
)
def test_a_measure_page_heading_says_the_short_name_once(
    tenant_a: Tenant, measure: str, heading: str
) -> None:
    client = verified_client(tenant_a.members["viewer"].user)
    html = client.get(_url("measure_detail", tenant_a, measure)).content.decode()
    assert f"<h1>{escape(heading)}</h1>" in html
    text = _visible(html)
    assert "(PHQ-9) (PHQ-9)" not in text
    assert "openproms life ladder" not in text


def test_measure_pages_show_no_item_ids_and_no_doubled_full_stops(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["viewer"].user)
    for definition in default_library():
        html = client.get(
            _url("measure_detail", tenant_a, definition.id, definition.version)
        ).content.decode()
        text = _visible(html)
        for item in definition.items:
            assert not re.search(rf"\b{item.id}\b", text), (definition.key, item.id)
        assert not re.search(r"[^.]\.\.(?!\.)", text), (
            definition.key,
            re.findall(r".{40}[^.]\.\.(?!\.)", text),
        )
        assert "definition_with_wording" not in text
        assert " 0.0 " not in text and ".0 or more" not in text


def test_the_wemwbs_page_says_what_wording_is_missing_in_plain_words(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["viewer"].user)
    text = _visible(
        client.get(_url("measure_detail", tenant_a, "wemwbs")).content.decode()
    )
    assert (
        "Missing: the wording of all 14 questions and the labels of their answers."
        in text
    )
    assert "(answer labels)" not in text
    assert "Question 1: wording to be supplied under licence" in text
    assert "Sum of questions 1 to 14" in text


def test_each_scale_states_its_measurement_error_with_its_source(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["viewer"].user)

    def page(measure: str) -> str:
        html = client.get(_url("measure_detail", tenant_a, measure)).content.decode()
        return " ".join(_visible(html).split())

    phq9 = page("phq9")
    assert (
        "Standard error of measurement 2.50: a band of +/- 5 points, 95%, around a "
        "single score." in phq9
    )
    assert "Löwe B, Unützer J" in phq9
    wemwbs = page("wemwbs")
    assert "Standard error of measurement 2.69" in wemwbs
    assert "SD 8.96 (adults in Scotland" in wemwbs and "Tennant R" in wemwbs
    ons4 = page("ons4")
    assert "No measurement-error band. No reliability has been published" in ons4
    k10 = page("k10")
    assert "Reliability: test-retest reliability 0.89" in k10
    assert "spread of scores (SD)" in k10


def test_an_unknown_measure_or_version_is_404(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["viewer"].user)
    assert client.get(_url("measure_detail", tenant_a, "nonsense")).status_code == 404
    assert client.get(_url("measure_detail", tenant_a, "phq9", "99")).status_code == 404


def test_a_manager_chooses_and_stops_using_a_measure_with_audit(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    url = _url("measure_use", tenant_a, "gad7")
    assert client.post(url, {"use": "yes"}).status_code == 302
    chosen = OrganisationMeasure.objects.get()
    assert chosen.is_active and chosen.measure_id == "gad7"
    assert client.post(url, {"use": "no"}).status_code == 302
    chosen.refresh_from_db()
    assert not chosen.is_active
    assert [e.action for e in AuditEvent.objects.order_by("pk")][-2:] == [
        "measure.use",
        "measure.stop",
    ]
    assert client.post(url, {"use": "maybe"}).status_code == 400
    assert client.post(url, {}).status_code == 400


def test_workers_may_not_choose_measures(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["worker"].user)
    response = client.post(_url("measure_use", tenant_a, "gad7"), {"use": "yes"})
    assert response.status_code == 403
    assert not OrganisationMeasure.objects.exists()


def test_wording_typed_into_the_boxes_is_stored_and_used_by_forms(
    tenant_a: Tenant,
) -> None:
    definition = get_measure(LICENSED, "1")
    data = {"licence_reference": "WHO-LIC-42"}
    for item in definition.items:
        data[f"item__{item.id}"] = f"Typed {item.id}"
    client = verified_client(tenant_a.members["org_admin"].user)
    response = client.post(_url("wording_supply", tenant_a, LICENSED), data)
    assert response.status_code == 302
    stored = MeasureWording.objects.get()
    assert stored.licence_reference == "WHO-LIC-42"
    worded = measure_definition(
        organisation=tenant_a.organisation, measure_id=LICENSED, version="1"
    )
    first = definition.items[0].id
    assert item_text(worded, first) == f"Typed {first}"
    event = AuditEvent.objects.get(action="wording.supply")
    assert event.detail["licence_reference"] == "WHO-LIC-42"


def test_missing_item_wording_is_listed_item_by_item_and_nothing_is_stored(
    tenant_a: Tenant,
) -> None:
    definition = get_measure(LICENSED, "1")
    data = {"licence_reference": "L1", f"item__{definition.items[0].id}": "Only one"}
    client = verified_client(tenant_a.members["org_admin"].user)
    response = client.post(_url("wording_supply", tenant_a, LICENSED), data)
    text = response.content.decode()
    assert response.status_code == 400
    for item in definition.items[1:]:
        assert f"Enter the wording of item {item.id}" in text
    assert not MeasureWording.objects.exists()


def test_a_json_upload_is_stored_with_answer_labels_and_instructions(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    response = client.post(
        _url("wording_supply", tenant_a, LICENSED),
        {
            "licence_reference": "L1",
            "upload": _upload("who5.json", json.dumps(_full_wording())),
        },
    )
    assert response.status_code == 302
    page = client.get(_url("measure_detail", tenant_a, LICENSED)).content.decode()
    assert "Wording of" in page and "Label 0" in page
    assert "Please tick one box per statement." in page
    assert "supplied by your organisation" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("w.json", "{not json", "The file is not valid JSON"),
        ("w.json", "[1, 2]", "must be an object"),
        ("w.json", '{"items": {"who5_1": 3}}', "Item who5_1: the wording must be text"),
        ("w.json", '{"items": {"nope": "x"}}', "&#x27;nope&#x27; is not an item"),
        ("w.csv", "", "The uploaded file is empty"),
        ("w.csv", "\n", "The CSV file is empty"),
        ("w.csv", "question,words\nq,x\n", "Row 1 must be the header"),
        ("w.csv", "item_id,text\nwho5_1,\n", "Row 2: give both item_id and text"),
        (
            "w.csv",
            "item_id,text,response_set,code,label\n,,frequency,two,Often\n",
            "Row 2: code &#x27;two&#x27; is not a whole number",
        ),
        (
            "w.csv",
            "item_id,text\nwho5_1,a\nwho5_1,b\n",
            "Row 3: item who5_1 appears twice",
        ),
        ("w.txt", "hello", "must be a .json or a .csv file"),
    ],
)
def test_a_bad_upload_gets_a_clear_message_and_nothing_is_stored(
    tenant_a: Tenant, name: str, content: str, message: str
) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    response = client.post(
        _url("wording_supply", tenant_a, LICENSED),
        {"licence_reference": "L1", "upload": _upload(name, content)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MeasureWording.objects.exists()


def test_a_csv_upload_with_items_and_labels_is_stored(tenant_a: Tenant) -> None:
    definition = get_measure(LICENSED, "1")
    lines = ["item_id,text,response_set,code,label"]
    lines += [f'{item.id},"CSV wording, {item.id}",,,' for item in definition.items]
    for rid, rs in definition.response_sets.items():
        lines += [f",,{rid},{o.code},Label {o.code}" for o in rs.options]
    client = verified_client(tenant_a.members["org_admin"].user)
    response = client.post(
        _url("wording_supply", tenant_a, LICENSED),
        {"licence_reference": "L1", "upload": _upload("w.csv", "\n".join(lines))},
    )
    assert response.status_code == 302
    worded = measure_definition(
        organisation=tenant_a.organisation, measure_id=LICENSED, version="1"
    )
    first = definition.items[0].id
    assert item_text(worded, first) == f"CSV wording, {first}"


def test_incomplete_answer_labels_in_a_csv_are_refused(tenant_a: Tenant) -> None:
    definition = get_measure(LICENSED, "1")
    rid = next(iter(definition.response_sets))
    lines = ["item_id,text,response_set,code,label"]
    lines += [f"{item.id},Words,,," for item in definition.items]
    lines.append(f",,{rid},0,Only one label")
    client = verified_client(tenant_a.members["org_admin"].user)
    response = client.post(
        _url("wording_supply", tenant_a, LICENSED),
        {"licence_reference": "L1", "upload": _upload("w.csv", "\n".join(lines))},
    )
    assert response.status_code == 400
    assert "labels must cover codes" in response.content.decode()
    assert not MeasureWording.objects.exists()


def test_shipped_wording_cannot_be_replaced(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    page = client.get(_url("wording_supply", tenant_a, "core10"))
    assert page.status_code == 200
    assert "It cannot be replaced" in page.content.decode()
    client.post(_url("wording_supply", tenant_a, "core10"), {"licence_reference": "x"})
    assert not MeasureWording.objects.exists()


def test_only_an_organisation_admin_may_supply_wording(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    assert client.get(_url("wording_supply", tenant_a, LICENSED)).status_code == 403


def test_supplied_wording_never_reaches_another_organisation(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    MeasureWording.objects.create(
        organisation=tenant_a.organisation,
        measure_id=LICENSED,
        measure_version="1",
        wording=_full_wording()
        | {
            "items": {
                item.id: f"SECRET-ALPHA {item.id}"
                for item in get_measure(LICENSED, "1").items
            }
        },
        licence_reference="ALPHA-LICENCE",
    )
    for role in ("org_admin", "manager", "worker", "viewer"):
        client = verified_client(tenant_b.members[role].user)
        for url in (
            _url("measure_list", tenant_b),
            _url("measure_detail", tenant_b, LICENSED),
            _url("wording_supply", tenant_b, LICENSED),
        ):
            response = client.get(url)
            text = response.content.decode()
            assert "SECRET-ALPHA" not in text and "ALPHA-LICENCE" not in text
    beta = measure_definition(
        organisation=tenant_b.organisation, measure_id=LICENSED, version="1"
    )
    assert not beta.wording_supplied
    alpha_admin = verified_client(tenant_a.members["org_admin"].user)
    own = alpha_admin.get(_url("measure_detail", tenant_a, LICENSED)).content.decode()
    assert "SECRET-ALPHA" in own and "ALPHA-LICENCE" in own


def test_another_organisations_bespoke_measure_is_404(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    from tests.route_objects.catalogue import FACTORIES

    theirs = FACTORIES["measure_id"](tenant_b, {}).pk
    client = verified_client(tenant_a.members["org_admin"].user)
    for name in ("measure_detail", "measure_use", "wording_supply"):
        assert client.get(_url(name, tenant_a, theirs)).status_code in (404, 405)
        assert (
            client.post(_url(name, tenant_a, theirs), {"use": "yes"}).status_code == 404
        )
    own = verified_client(tenant_b.members["viewer"].user)
    assert own.get(_url("measure_detail", tenant_b, theirs)).status_code == 200
    listing = client.get(_url("measure_list", tenant_a)).content.decode()
    assert theirs not in listing
