"""The measure designer: drafts, every validation error (nothing saved), publishing
freezes, new versions, old answers keep their version, copies of library measures,
previews, and a designed measure answered and scored end to end."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from html import unescape
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from openproms.catalogue import design_services
from openproms.catalogue.design_forms import DesignForm
from openproms.catalogue.models import BespokeMeasure, OrganisationMeasure
from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import Administration
from openproms.people.models import Episode, ServiceUser
from tests.conftest import Tenant, verified_client

pytestmark = pytest.mark.django_db


def posted(**changes: str) -> dict[str, str]:
    """A sound 4-question measure as the designer posts it: answers 0-3,
    question 3 reverse-scored, a subscale, two bands over the 0-12 total."""
    values = {
        "title": "Club check-in",
        "short_name": "Check-in",
        "description": "How things have been for people at the club.",
        "instructions": "Choose the answer closest to how you feel.",
        "time_period": "the last 2 weeks",
        "method": "sum",
        "max_missing": "1",
        "direction": "higher_is_worse",
        "set_rows": "1",
        "set-1-name": "How often",
        "set-1-option_rows": "4",
        "question_rows": "4",
        "subscale_rows": "1",
        "band_rows": "2",
        "subscale-1-name": "Worry",
        "subscale-1-questions": "1, 2",
        "band-1-low": "0",
        "band-1-high": "5",
        "band-1-label": "Low",
        "band-2-low": "6",
        "band-2-high": "12",
        "band-2-label": "High",
    }
    for n, label in enumerate(["Never", "Sometimes", "Often", "Always"], start=1):
        values[f"set-1-option-{n}-code"] = str(n - 1)
        values[f"set-1-option-{n}-label"] = label
    for n in range(1, 5):
        values[f"question-{n}-text"] = f"How often have you felt worry number {n}?"
        values[f"question-{n}-answers"] = "1"
    values["question-3-text"] = "How often have you felt calm?"
    values["question-3-reverse"] = "on"
    values.update(changes)
    return values


def _url(name: str, tenant: Tenant, own: BespokeMeasure | None = None) -> str:
    kwargs = {"org_slug": tenant.organisation.slug}
    if own is not None:
        kwargs |= {"measure_id": own.measure_id, "measure_version": own.measure_version}
    return reverse(f"catalogue:{name}", kwargs=kwargs)


def _manager(tenant: Tenant) -> Any:
    return verified_client(tenant.members["manager"].user)


def _create(tenant: Tenant, **changes: str) -> BespokeMeasure:
    response = _manager(tenant).post(_url("design_new", tenant), posted(**changes))
    assert response.status_code == 302, _errors(response)
    return BespokeMeasure.objects.get(organisation=tenant.organisation)


def _errors(response: Any) -> list[str]:
    text = response.content.decode()
    summary = re.findall(r'<li><a href="#[^"]*">([^<]*)</a></li>', text)
    return [unescape(s) for s in summary]


def in_use_with_a_person(
    tenant: Tenant, own: BespokeMeasure, reference: str
) -> ServiceUser:
    """``own`` (version 1, published) chosen for use, and a person on the
    worker's caseload to answer it."""
    OrganisationMeasure.objects.create(
        organisation=tenant.organisation,
        measure_id=own.measure_id,
        measure_version="1",
    )
    person = ServiceUser.objects.create(
        organisation=tenant.organisation, reference=reference
    )
    Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=dt.date(2026, 1, 5),
        key_worker=tenant.members["worker"].user,
    )
    return person


def _published(tenant: Tenant) -> BespokeMeasure:
    draft = _create(tenant)
    _manager(tenant).post(_url("design_publish", tenant, draft))
    draft.refresh_from_db()
    return draft


def test_a_manager_creates_a_draft_the_engine_accepts(tenant_a: Tenant) -> None:
    draft = _create(tenant_a)
    assert draft.is_draft and draft.measure_version == "1"
    assert draft.definition["kind"] == "bespoke"
    total = draft.definition["scales"][0]
    assert total["item_values"]["reverse"] == [f"{draft.measure_id}_3"]
    assert total["missing"] == {
        "max_missing": 1,
        "prorate": True,
        "source": total["missing"]["source"],
    }
    assert [b["label"] for b in total["bands"]["bands"]] == ["Low", "High"]
    assert draft.definition["scales"][1]["label"] == "Worry"
    # A draft is never answered, printed or scored.
    with pytest.raises(Http404):
        measure_definition(
            organisation=tenant_a.organisation, measure_id=draft.measure_id
        )


ERRORS = [
    (
        {"set-1-option-2-code": "0"},
        "Answer set 1, answer 2: code 0 is already used by answer 1; each answer in "
        "a set needs its own code",
    ),
    (
        {"subscale-1-questions": ""},
        "Subscale 1 (Worry) has no questions: give the numbers of its questions, "
        "such as 1, 3",
    ),
    ({"band-2-low": "5"}, "Band 2 overlaps band 1: a score of 5 would be in both"),
    (
        {"set-1-option_rows": "0"},
        "Question 3 is reverse-scored, but a question can only be reversed when it "
        "has at least 2 answers to turn around",
    ),
    (
        {"set-1-option_rows": "1"},
        "Answer set 1: give at least 2 answers to choose from",
    ),
    ({"set_rows": "0"}, "Give at least one set of answers people can choose from"),
    ({"set-1-name": ""}, "Answer set 1: enter its name"),
    (
        {"question-2-answers": ""},
        "Question 2 has no answers: choose one of the answer sets",
    ),
    (
        {"question-2-answers": "2"},
        "Question 2 has no answers: choose one of the answer sets",
    ),
    (
        {"set-1-categories": "on"},
        "Question 3 is reverse-scored, but its answers (answer set 1, How often) are "
        "categories, not amounts, so they cannot be turned around",
    ),
    (
        {"set-1-categories": "on"},
        "Question 1 counts towards the score, but its answers (answer set 1, How "
        "often) are categories, not amounts: choose answers that are amounts, or say "
        "the question does not count",
    ),
    (
        {"question-3-unscored": "on"},
        "Question 3 is reverse-scored but does not count towards the score: untick "
        "one of the two",
    ),
    (
        {"question-1-unscored": "on"},
        "Subscale 1: question 1 does not count towards the score, so it cannot be in "
        "a subscale",
    ),
    (
        {"band-2-high": "20"},
        "Band 2: scores run from 0 to 12, so a band cannot go from 6 to 20",
    ),
    (
        {"band-1-low": "1"},
        "The lowest band must start at the lowest possible score (0), not 1",
    ),
    ({"band-1-high": "x"}, "Band 1: the highest score must be a number"),
    ({"title": ""}, "Enter a name for the measure"),
    ({"question-2-text": " "}, "Question 2: enter its wording"),
    (
        {"set-1-option-1-code": "one"},
        "Answer set 1, answer 1: the code must be a whole number, like 0 or 3",
    ),
    (
        {"set-1-option-4-label": ""},
        "Answer set 1, answer 4: enter the words people see",
    ),
    (
        {"max_missing": "4"},
        "At most 3 of the 4 questions that count may be left blank (at least one "
        "must be answered for a score)",
    ),
    (
        {"max_missing": "-1"},
        "The number of questions that may be left blank cannot be below 0: "
        "enter 0 if every question must be answered",
    ),
    (
        {"subscale-1-questions": "1, 9"},
        "Subscale 1: there is no question 9 (the measure has 4 questions)",
    ),
    (
        {"subscale-1-questions": "1, two"},
        "Subscale 1: write its question numbers separated by commas, such as 1, 3 "
        "('two' is not a number)",
    ),
    ({"method": "median"}, "Choose how the answers are combined into a score"),
    ({"question_rows": "0"}, "Add at least one question"),
]


@pytest.mark.parametrize(("changes", "message"), ERRORS)
def test_every_error_is_named_and_nothing_is_saved(
    tenant_a: Tenant, changes: dict[str, str], message: str
) -> None:
    client = _manager(tenant_a)
    response = client.post(_url("design_new", tenant_a), posted(**changes))
    assert response.status_code == 400
    assert message in _errors(response)
    assert "nothing has been saved" in response.content.decode()
    assert not BespokeMeasure.objects.exists()
    # The same mistake in an existing draft leaves the draft as it was.
    draft = _create(tenant_a)
    before = draft.definition
    response = client.post(_url("design_edit", tenant_a, draft), posted(**changes))
    assert response.status_code == 400 and message in _errors(response)
    draft.refresh_from_db()
    assert draft.definition == before


def test_adding_and_removing_rows_saves_nothing(tenant_a: Tenant) -> None:
    client = _manager(tenant_a)
    url = _url("design_new", tenant_a)
    added = client.post(url, posted(add_row="question"), HTTP_HX_REQUEST="true")
    assert added.status_code == 200
    assert 'name="question-5-text"' in added.content.decode()
    assert "<html" not in added.content.decode()  # only the form, for htmx
    removed = client.post(url, posted(remove_row="question-1"))
    text = removed.content.decode()
    assert 'name="question-4-text"' not in text
    assert "How often have you felt calm?" in text
    # Question 3 moved up to 2 and kept its reverse tick.
    assert re.search(r'id="question-2-reverse"[^>]*checked', text)
    assert not BespokeMeasure.objects.exists()


def test_the_engine_is_asked_too(tenant_a: Tenant) -> None:
    form = DesignForm(
        posted(),
        measure_id="Not An Id",
        version="1",
        organisation=tenant_a.organisation.name,
    )
    assert not form.is_valid()
    assert any("scoring engine" in m for m in form.errors["__all__"])


def test_publishing_freezes_a_version(tenant_a: Tenant) -> None:
    published = _published(tenant_a)
    assert not published.is_draft and published.published_at is not None
    before = published.definition
    client = _manager(tenant_a)
    response = client.post(
        _url("design_edit", tenant_a, published), posted(title="Changed")
    )
    assert response.status_code == 200
    assert "A published version never changes" in response.content.decode()
    published.refresh_from_db()
    assert published.definition == before
    with pytest.raises(design_services.VersionFrozen):
        design_services.measure_draft_save(
            draft=published, document=before, actor=tenant_a.members["manager"].user
        )
    definition = measure_definition(
        organisation=tenant_a.organisation, measure_id=published.measure_id
    )
    assert definition.version == "1"


def test_changing_a_published_measure_makes_a_new_version(tenant_a: Tenant) -> None:
    published = _published(tenant_a)
    OrganisationMeasure.objects.create(
        organisation=tenant_a.organisation,
        measure_id=published.measure_id,
        measure_version="1",
    )
    client = _manager(tenant_a)
    response = client.post(_url("design_new_version", tenant_a, published))
    draft = BespokeMeasure.objects.get(measure_version="2")
    assert response.status_code == 302 and draft.is_draft
    assert draft.definition["version"] == "2"
    # Asking again gives the same draft, not a third version.
    client.post(_url("design_new_version", tenant_a, published))
    assert BespokeMeasure.objects.count() == 2
    client.post(
        _url("design_edit", tenant_a, draft),
        posted(**{"question-1-text": "A new wording?"}),
    )
    client.post(_url("design_publish", tenant_a, draft))
    in_use = OrganisationMeasure.objects.filter(
        organisation=tenant_a.organisation, is_active=True
    )
    assert list(in_use.values_list("measure_version", flat=True)) == ["2"]


def _answer(tenant: Tenant, person: ServiceUser, measure_id: str) -> Administration:
    client = verified_client(tenant.members["worker"].user)
    definition = measure_definition(
        organisation=tenant.organisation, measure_id=measure_id
    )
    data = {"submission_id": str(uuid.uuid4())}
    for item_id, code in zip(definition.item_ids, [3, 2, 0, 1], strict=True):
        data[f"i_{item_id}"] = str(code)
    url = reverse(
        "collection:answer_measure",
        kwargs={
            "org_slug": tenant.organisation.slug,
            "person_pk": person.pk,
            "measure_id": measure_id,
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Administration.objects.latest("pk")


def test_a_designed_measure_is_answered_and_scored_and_old_answers_keep_their_version(
    tenant_a: Tenant,
) -> None:
    published = _published(tenant_a)
    person = in_use_with_a_person(tenant_a, published, "P-001")
    first = _answer(tenant_a, person, published.measure_id)
    scores = {r.scale_id: r for r in first.results.all()}
    # 3 + 2 + (3 - 0, reversed) + 1 = 9, in the "High" band (6-12); Worry = 3 + 2.
    assert scores["total"].value == 9 and scores["total"].band == "High"
    assert scores["subscale_1"].value == 5
    assert first.measure_version == "1"

    client = _manager(tenant_a)
    client.post(_url("design_new_version", tenant_a, published))
    draft = BespokeMeasure.objects.get(measure_version="2")
    client.post(
        _url("design_edit", tenant_a, draft),
        posted(**{"question-3-reverse": "", "question-1-text": "Changed wording?"}),
    )
    client.post(_url("design_publish", tenant_a, draft))
    second = _answer(tenant_a, person, published.measure_id)
    assert second.measure_version == "2"
    assert {r.scale_id: r.value for r in second.results.all()}["total"] == 6
    first.refresh_from_db()
    assert first.measure_version == "1"
    old = measure_definition(
        organisation=tenant_a.organisation,
        measure_id=published.measure_id,
        version="1",
    )
    assert old.items[0].text == "How often have you felt worry number 1?"
    # The dashboard says the answers span two versions.
    today = timezone.localdate()
    dashboard = client.get(
        reverse("reports:dashboard", kwargs={"org_slug": tenant_a.organisation.slug}),
        {
            "period": "custom",
            "start": (today - dt.timedelta(days=7)).isoformat(),
            "end": today.isoformat(),
            "measure": published.measure_id,
        },
    )
    assert dashboard.status_code == 200, _errors(dashboard)
    assert (
        "These Check-in answers were given on versions 1 and 2 of the measure."
        in unescape(dashboard.content.decode())
    )
    # So does a commissioner report of a contract asking for the measure.
    from openproms.accounts.models import CommissionerBody
    from openproms.reports.models import Contract, ContractRequirement
    from openproms.reports.report_builder import build_report

    contract = Contract.objects.create(
        organisation=tenant_a.organisation,
        commissioner=CommissionerBody.objects.create(name="Funder", slug="funder"),
        name="Check-ins",
        reference="REF-1",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=30),
    )
    contract.services.set([tenant_a.service])
    ContractRequirement.objects.create(
        contract=contract, measure_id=published.measure_id, figures=[]
    )
    report = build_report(contract, start=today - dt.timedelta(days=7), end=today)
    lines = [line for _, section in report.methods for line in section]
    assert any(
        "These Check-in answers were given on versions 1 and 2 of the measure" in line
        for line in lines
    ), lines


def test_a_library_measure_whose_licence_forbids_changes_is_refused_with_the_reason(
    tenant_a: Tenant,
) -> None:
    client = _manager(tenant_a)
    url = reverse(
        "catalogue:design_copy",
        kwargs={
            "org_slug": tenant_a.organisation.slug,
            "measure_id": "ons4",
            "measure_version": "1",
        },
    )
    page = client.get(url)
    assert "ONS4 cannot be copied and adapted" in page.content.decode()
    assert "Its licence does not allow changes" in unescape(page.content.decode())
    assert client.post(url).status_code == 400
    assert not BespokeMeasure.objects.exists()


def test_an_open_library_measure_is_copied_into_a_draft(tenant_a: Tenant) -> None:
    client = _manager(tenant_a)
    url = reverse(
        "catalogue:design_copy",
        kwargs={
            "org_slug": tenant_a.organisation.slug,
            "measure_id": "gad7",
            "measure_version": "1",
        },
    )
    response = client.post(url)
    assert response.status_code == 302
    copy = BespokeMeasure.objects.get(organisation=tenant_a.organisation)
    assert copy.is_draft and copy.copied_from == "gad7@1"
    assert copy.measure_id != "gad7"
    assert len(copy.definition["items"]) == 7
    assert copy.definition["title"].endswith("(adapted)")


def test_previews_show_the_draft_on_screen_and_on_paper(tenant_a: Tenant) -> None:
    draft = _create(tenant_a)
    client = _manager(tenant_a)
    screen = client.get(
        reverse(
            "collection:answer_preview",
            kwargs={
                "org_slug": tenant_a.organisation.slug,
                "measure_id": draft.measure_id,
                "measure_version": "1",
            },
        )
    )
    text = screen.content.decode()
    assert screen.status_code == 200
    assert "How often have you felt calm?" in text and "Sometimes" in text
    assert "Choose the answer closest to how you feel." in text
    assert "Not tested for reliability" in text
    png = client.get(_url("printed_preview_png", tenant_a, draft))
    assert png["Content-Type"] == "image/png" and png.content[:4] == b"\x89PNG"
    pdf = client.get(_url("printed_preview_pdf", tenant_a, draft))
    assert pdf.content[:4] == b"%PDF"
    # Both say the time period to think about.
    assert "In these questions, think about the last 2 weeks." in text
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf.content)
    printed = " ".join(document[0].get_textpage().get_text_range().split())
    document.close()
    assert "In these questions, think about the last 2 weeks." in printed
