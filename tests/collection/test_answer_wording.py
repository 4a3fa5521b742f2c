"""What people read on the answering pages, in every way of answering: measures and
scales by their display names (never an id), introductions that count the questions
below them, the time period as a person would say it; and a way on after saving
(the next due measure, back to the person, "Saved X for Y" after typing a form)."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openproms.catalogue.models import OrganisationMeasure
from openproms.collection import links
from openproms.collection.models import Administration, TimePoint
from openproms.scoring import default_library
from tests.conftest import Tenant, verified_client
from tests.route_objects.collection_answering import due_person
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db

LIBRARY = list(default_library())
UCLA3 = {"ucla3_1": 2, "ucla3_2": 1, "ucla3_3": 2}
CORE10 = {f"core10_{n}": 1 for n in range(1, 11)}
ONS4 = {
    "ons4_life_satisfaction": 7,
    "ons4_worthwhile": 7,
    "ons4_happiness": 6,
    "ons4_anxiety": 2,
}
LADDER = "openproms_life_ladder"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _in_use(tenant: Tenant, *measure_ids: str) -> None:
    for measure_id in measure_ids:
        OrganisationMeasure.objects.create(
            organisation=tenant.organisation, measure_id=measure_id, measure_version="1"
        )


def _answers(answers: dict) -> dict:
    data = {f"i_{k}": str(v) for k, v in answers.items()}
    data["submission_id"] = str(uuid.uuid4())
    return data


def _typed(answers: dict) -> dict:
    data = _answers(answers)
    data["completed_on"] = timezone.localdate().isoformat()
    return data


def _clean(response) -> str:  # type: ignore[no-untyped-def]
    """The page's visible text, checked for internal names and doubled labels."""
    text = visible_text(response.content)
    assert internal_ids_in(text, LIBRARY) == [], text
    return text


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"collection:{name}", kwargs={"org_slug": "alpha", **kwargs})


def test_the_collect_page_names_due_and_other_measures_by_their_short_names(
    tenant_a: Tenant,
) -> None:
    person, _, _ = due_person(tenant_a, measures=("core10", "ucla3"))
    _in_use(tenant_a, "core10", "ucla3", LADDER)
    client = verified_client(tenant_a.members["worker"].user)
    text = _clean(client.get(_url("answer_person", person_pk=person.pk)))
    assert "Answer CORE-10 (Start) with Sam on screen" in text
    assert "Answer UCLA-3 (Start) with Sam on screen" in text
    assert "Life ladder" in text


def test_handing_over_offers_measures_by_their_short_names(tenant_a: Tenant) -> None:
    person, _, _ = due_person(tenant_a, measures=("core10", "ucla3"))
    _in_use(tenant_a, LADDER)
    client = verified_client(tenant_a.members["worker"].user)
    text = _clean(client.get(_url("kiosk_start", person_pk=person.pk)))
    assert "CORE-10, Start" in text and "UCLA-3, Start" in text
    assert "Life ladder" in text


def test_a_self_completion_link_offers_measures_by_their_short_names(
    tenant_a: Tenant,
) -> None:
    person, _, _ = due_person(tenant_a, measures=("core10", "ucla3"))
    client = verified_client(tenant_a.members["worker"].user)
    text = _clean(client.get(_url("link_create", person_pk=person.pk)))
    assert "CORE-10, Start" in text and "UCLA-3, Start" in text


def test_the_ucla3_introduction_says_three_questions_in_every_way_of_answering(
    tenant_a: Tenant,
) -> None:
    person, _, [point] = due_person(tenant_a, measures=("ucla3",))
    worker = verified_client(tenant_a.members["worker"].user)
    assisted = _clean(worker.get(_url("answer_time_point", time_point_pk=point.pk)))
    assert "The next three questions are about relationships" in assisted
    assert "four" not in assisted
    made = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=[point],
        actor=tenant_a.members["worker"].user,
    )
    home = Client()
    home.get(f"/s/{made.token}/")
    at_home = _clean(home.get("/s/answer/"))
    assert "The next three questions are about relationships" in at_home
    worker.post(
        _url("kiosk_start", person_pk=person.pk), {"time_points": [str(point.pk)]}
    )
    handed_over = _clean(worker.get(_url("kiosk_answer")))
    assert "The next three questions are about relationships" in handed_over


def test_ons4_says_its_time_periods_as_a_person_would(tenant_a: Tenant) -> None:
    _, _, [point] = due_person(tenant_a, measures=("ons4",))
    client = verified_client(tenant_a.members["worker"].user)
    text = _clean(client.get(_url("answer_time_point", time_point_pk=point.pk)))
    assert (
        "In questions 1 and 2, think about your life nowadays. "
        "In questions 3 and 4, think about how you felt yesterday." in text
    )
    assert "Time period" not in text and "(satisfaction, worthwhile)" not in text


def test_the_life_ladder_is_headed_by_its_name(tenant_a: Tenant) -> None:
    _, _, [point] = due_person(tenant_a, measures=(LADDER,))
    client = verified_client(tenant_a.members["worker"].user)
    text = _clean(client.get(_url("answer_time_point", time_point_pk=point.pk)))
    assert "openproms life ladder" not in text.lower()
    assert "\nLife ladder\n" in text


def test_the_result_leads_on_to_the_next_due_measure_and_back_to_the_person(
    tenant_a: Tenant,
) -> None:
    person, _, points = due_person(tenant_a, measures=("core10", "ucla3"))
    by_measure = {p.measure_id: p for p in points}
    client = verified_client(tenant_a.members["worker"].user)
    saved = client.post(
        _url("answer_time_point", time_point_pk=by_measure["core10"].pk),
        _answers(CORE10),
    )
    result = client.get(saved["Location"])
    text = _clean(result)
    assert "What next" in text
    assert "Answer UCLA-3 (Start) with Sam next" in text
    assert f"Back to {person.display_name}" in text
    page = result.content.decode()
    assert _url("answer_time_point", time_point_pk=by_measure["ucla3"].pk) in page
    person_page = reverse(
        "people:person_detail", kwargs={"org_slug": "alpha", "person_pk": person.pk}
    )
    assert f'href="{person_page}"' in page
    last = client.post(
        _url("answer_time_point", time_point_pk=by_measure["ucla3"].pk),
        _answers(UCLA3),
    )
    text = _clean(client.get(last["Location"]))
    assert "with Sam next" not in text and f"Back to {person.display_name}" in text


def test_a_time_point_answered_already_is_named_by_its_measure(
    tenant_a: Tenant,
) -> None:
    _, _, [point] = due_person(tenant_a, measures=("core10",))
    client = verified_client(tenant_a.members["worker"].user)
    client.post(_url("answer_time_point", time_point_pk=point.pk), _answers(CORE10))
    text = _clean(client.get(_url("answer_time_point", time_point_pk=point.pk)))
    assert "CORE-10 (Start) was already answered on" in text


def test_typing_a_form_says_what_was_saved_for_whom_with_a_link_to_correct_it(
    tenant_a: Tenant,
) -> None:
    person, _, [point] = due_person(tenant_a, measures=("core10",))
    _in_use(tenant_a, "core10", LADDER)
    officer = verified_client(tenant_a.members["data_officer"].user)
    found = officer.get(_url("paper_start"), {"q": person.reference})
    text = _clean(found)
    assert "Type in CORE-10 (Start, due" in text and "Type in Life ladder" in text
    saved = officer.post(
        _url("paper_entry_time_point", time_point_pk=point.pk), _typed(CORE10)
    )
    administration = Administration.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == f"{_url('paper_start')}?saved={administration.pk}"
    page = officer.get(saved["Location"])
    text = _clean(page)
    assert f"Saved CORE-10 for {person.display_name}" in text
    correct = _url("answer_edit", administration_pk=administration.pk)
    assert f'href="{correct}"' in page.content.decode()
    point.refresh_from_db()
    assert point.status == TimePoint.Status.COMPLETED


def test_a_data_officer_correcting_a_typed_form_returns_to_the_person(
    tenant_a: Tenant,
) -> None:
    person, _, [point] = due_person(tenant_a, measures=("core10",))
    officer = verified_client(tenant_a.members["data_officer"].user)
    officer.post(_url("paper_entry_time_point", time_point_pk=point.pk), _typed(CORE10))
    administration = Administration.objects.get()
    edit = _url("answer_edit", administration_pk=administration.pk)
    person_page = reverse(
        "people:person_detail", kwargs={"org_slug": "alpha", "person_pk": person.pk}
    )
    assert f'href="{person_page}"' in officer.get(edit).content.decode()
    corrected = officer.post(
        edit,
        _answers(CORE10 | {"core10_1": 3})
        | {"reason": "Typed the wrong box", "version": administration.version},
    )
    assert corrected.status_code == 302 and corrected["Location"] == person_page
    assert officer.get(corrected["Location"]).status_code == 200
    administration.refresh_from_db()
    assert administration.answers["core10_1"] == 3


def test_a_saved_confirmation_for_someone_out_of_reach_is_not_shown(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    _, _, [point] = due_person(tenant_b, measures=("core10",))
    theirs = verified_client(tenant_b.members["data_officer"].user)
    theirs.post(
        reverse(
            "collection:paper_entry_time_point",
            kwargs={"org_slug": "beta", "time_point_pk": point.pk},
        ),
        _typed(CORE10),
    )
    other = Administration.objects.get()
    officer = verified_client(tenant_a.members["data_officer"].user)
    assert officer.get(_url("paper_start"), {"saved": other.pk}).status_code == 404
    assert officer.get(_url("paper_start"), {"saved": "x"}).status_code == 404


def test_the_result_lists_scales_in_the_order_the_measure_defines_them(
    tenant_a: Tenant,
) -> None:
    _, _, [point] = due_person(tenant_a, measures=("ons4",))
    client = verified_client(tenant_a.members["worker"].user)
    saved = client.post(
        _url("answer_time_point", time_point_pk=point.pk), _answers(ONS4)
    )
    text = _clean(client.get(saved["Location"]))
    shown = [
        text.index(label)
        for label in ("Life satisfaction", "Worthwhile", "Happiness", "Anxiety")
    ]
    assert shown == sorted(shown)


def test_a_measure_without_wording_says_why_without_item_ids(
    tenant_a: Tenant,
) -> None:
    person, _, _ = due_person(tenant_a, measures=("core10",))
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(_url("answer_measure", person_pk=person.pk, measure_id="who5"))
    text = _clean(page)
    assert "WHO-5 cannot be shown" in text
    assert "does not let openproms include the wording" in text
    assert "definition_with_wording" not in text


def test_differences_between_two_typed_entries_name_questions_not_ids(
    tenant_a: Tenant,
) -> None:
    from openproms.collection.models import CollectionSettings, PaperEntry

    CollectionSettings.objects.update_or_create(
        service=tenant_a.service, defaults={"double_entry": True}
    )
    _, _, [point] = due_person(tenant_a, measures=("who5",))
    url = _url("paper_entry_time_point", time_point_pk=point.pk)
    who5 = {f"who5_{n}": 3 for n in range(1, 6)}
    verified_client(tenant_a.members["data_officer"].user).post(url, _typed(who5))
    manager = verified_client(tenant_a.members["manager"].user)
    manager.post(url, _typed(who5 | {"who5_2": 4}))
    entry = PaperEntry.objects.get()
    text = _clean(manager.get(_url("paper_entry_resolve", paper_entry_pk=entry.pk)))
    assert "Question 2" in text and "who5" not in text
