"""The audit of reads: every response that shows identifiable data writes one
event naming its people by key only; refused requests write none; the audit
page finds every event about a person (decision 0013)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.audit.reads import DOWNLOAD_ACTION, VIEW_ACTION
from openproms.audit.services import log_action, people_keys
from openproms.people.models import ServiceUser
from tests.conftest import Tenant, verified_client
from tests.route_objects import collection_answering, people, scans

pytestmark = pytest.mark.django_db

READS = (VIEW_ACTION, DOWNLOAD_ACTION)


def _reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__in=READS).order_by("id"))


def _new_reads(call: Callable[[], Any]) -> tuple[Any, list[AuditEvent]]:
    seen = {event.pk for event in _reads()}
    response = call()
    return response, [event for event in _reads() if event.pk not in seen]


@dataclass
class Case:
    name: str
    view: str
    download: bool = False


def _made(tenant: Tenant) -> dict[str, Any]:
    made: dict[str, Any] = {}
    person = people._person(tenant, made)
    administration = collection_answering._administration(tenant, made)
    alert = people._alert(tenant, {"person_pk": person})
    page = scans._open_page(tenant)
    form = page.form
    form.service_user = person
    form.save()
    return {
        "person": person,
        "answering": administration.service_user,
        "administration": administration,
        "alert": alert,
        "page": page,
    }


def _request(
    client: Client, tenant: Tenant, made: dict[str, Any], name: str
) -> tuple[Any, list[int], str, bool]:
    """Fetch one covered page; the people it must name, its view, download or not."""
    org = {"org_slug": tenant.organisation.slug}
    person, answering = made["person"], made["answering"]
    everyone = sorted(
        ServiceUser.objects.filter(organisation=tenant.organisation).values_list(
            "pk", flat=True
        )
    )
    page, item = made["page"], made["page"].items.get()
    table: dict[str, tuple[str, dict[str, Any], list[int], str, bool]] = {
        "person page": (
            "people:person_detail",
            {"person_pk": person.pk},
            [person.pk],
            "person page",
            False,
        ),
        "people list": ("people:person_list", {}, everyone, "people list", False),
        "caseload": ("people:caseload", {}, everyone, "caseload", False),
        "risk alerts": ("people:alert_list", {}, [person.pk], "risk alerts", False),
        "due list": (
            "collection:due_list",
            {},
            [answering.pk],
            "due list",
            False,
        ),
        "clinician summary": (
            "reports:clinician_summary",
            {"person_pk": person.pk},
            [person.pk],
            "clinician summary",
            False,
        ),
        "progress sheet": (
            "reports:progress_sheet",
            {"person_pk": answering.pk},
            [answering.pk],
            "progress sheet",
            True,
        ),
        "progress sheet in large print": (
            "reports:progress_sheet_large_print",
            {"person_pk": answering.pk},
            [answering.pk],
            "progress sheet",
            True,
        ),
        "answers and result": (
            "collection:answer_result",
            {"administration_pk": made["administration"].pk},
            [answering.pk],
            "answers and result",
            False,
        ),
        "answers (correcting)": (
            "collection:answer_edit",
            {"administration_pk": made["administration"].pk},
            [answering.pk],
            "answers (correcting)",
            False,
        ),
        "scanned page": (
            "scans:page_detail",
            {"scan_page_pk": page.pk},
            [person.pk],
            "scanned page",
            False,
        ),
        "scanned page image": (
            "scans:page_image",
            {"scan_page_pk": page.pk},
            [person.pk],
            "scanned page image",
            False,
        ),
        "scanned answer check": (
            "scans:item_check",
            {"scan_item_pk": item.pk},
            [person.pk],
            "scanned answer check",
            False,
        ),
        "scanned answer image": (
            "scans:item_crop",
            {"scan_item_pk": item.pk},
            [person.pk],
            "scanned answer image",
            False,
        ),
    }
    url_name, kwargs, keys, view, download = table[name]
    response = client.get(reverse(url_name, kwargs={**org, **kwargs}))
    return response, keys, view, download


COVERED = [
    "person page",
    "people list",
    "caseload",
    "risk alerts",
    "due list",
    "clinician summary",
    "progress sheet",
    "progress sheet in large print",
    "answers and result",
    "answers (correcting)",
    "scanned page",
    "scanned page image",
    "scanned answer check",
    "scanned answer image",
]


@pytest.mark.parametrize("name", COVERED)
def test_each_covered_page_writes_exactly_one_read_event_naming_its_people(
    tenant_a: Tenant, name: str
) -> None:
    made = _made(tenant_a)
    # The caseload is the asking member's own: the worker's holds both people.
    admin = tenant_a.members["worker" if name == "caseload" else "org_admin"].user
    client = verified_client(admin)
    (response, keys, view, download), new = _new_reads(
        lambda: _request(client, tenant_a, made, name)
    )
    assert response.status_code == 200, name
    assert len(new) == 1
    event = new[0]
    assert event.action == (DOWNLOAD_ACTION if download else VIEW_ACTION)
    assert event.detail["view"] == view
    assert event.people == people_keys(keys)
    assert event.detail["people"] == len(keys)
    assert event.actor == admin and event.organisation == tenant_a.organisation
    session_key = client.session.session_key
    assert event.detail["session"] and session_key not in json.dumps(event.detail)
    # Type and key only: no name, reference, NHS number or date of birth.
    stored = json.dumps(
        [event.object_repr, event.detail, event.people, event.object_id]
    )
    for shown in ServiceUser.objects.filter(pk__in=keys):
        for value in (shown.given_name, shown.family_name, shown.reference):
            assert value not in stored


def test_a_search_is_named_a_search(tenant_a: Tenant) -> None:
    made = _made(tenant_a)
    client = verified_client(tenant_a.members["org_admin"].user)
    url = reverse("people:person_list", kwargs={"org_slug": "alpha"})
    response, new = _new_reads(lambda: client.get(url, {"q": "Robin"}))
    assert response.status_code == 200
    assert [e.detail["view"] for e in new] == ["people search"]
    assert new[0].people == people_keys([made["person"].pk])


def test_refused_and_missing_pages_write_no_read_event(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    made = _made(tenant_a)
    other = people._person(tenant_b, {})
    officer = verified_client(tenant_a.members["data_officer"].user)
    admin = verified_client(tenant_a.members["org_admin"].user)

    def refused() -> list[int]:
        return [
            officer.get(
                reverse("people:caseload", kwargs={"org_slug": "alpha"})
            ).status_code,
            admin.get(
                reverse(
                    "people:person_detail",
                    kwargs={"org_slug": "alpha", "person_pk": other.pk},
                )
            ).status_code,
            admin.get(
                reverse(
                    "reports:progress_sheet",
                    kwargs={"org_slug": "beta", "person_pk": other.pk},
                )
            ).status_code,
            Client()
            .get(
                reverse(
                    "people:person_detail",
                    kwargs={"org_slug": "alpha", "person_pk": made["person"].pk},
                )
            )
            .status_code,
        ]

    statuses, new = _new_reads(refused)
    assert statuses == [403, 404, 404, 302]
    assert new == []


def test_the_hand_over_and_self_completion_progress_pages_are_read_events(
    tenant_a: Tenant,
) -> None:
    from openproms.collection import links

    made = _made(tenant_a)
    person = made["answering"]
    created = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=[],
        actor=tenant_a.members["worker"].user,
    )
    client = Client()
    response, new = _new_reads(lambda: client.get(f"/s/{created.token}/progress/"))
    assert response.status_code == 200
    assert [e.detail["view"] for e in new] == ["the person's own progress page"]
    assert new[0].actor is None and new[0].organisation == tenant_a.organisation
    assert new[0].actor_label == "Not signed in (the person's own link)"
    assert new[0].people == people_keys([person.pk])

    worker = verified_client(tenant_a.members["worker"].user)
    session = worker.session
    session["openproms_kiosk"] = {
        "org": "alpha",
        "person": person.pk,
        "queue": [],
        "index": 0,
        "done": [],
        "layout": "one",
        "stage": "finished",
        "worker": tenant_a.members["worker"].user.pk,
        "worker_name": "Wendy",
    }
    session.save()
    url = reverse("reports:kiosk_progress", kwargs={"org_slug": "alpha"})
    response, new = _new_reads(lambda: worker.get(url))
    assert response.status_code == 200
    assert [e.detail["view"] for e in new] == ["progress page (hand-over)"]


@pytest.mark.parametrize(
    "name", ["person page", "people list", "caseload", "due list", "risk alerts"]
)
def test_a_read_event_costs_a_page_at_most_one_query(
    tenant_a: Tenant, name: str
) -> None:
    made = _made(tenant_a)
    role = "worker" if name == "caseload" else "org_admin"
    client = verified_client(tenant_a.members[role].user)
    _request(client, tenant_a, made, name)  # warm caches (definitions, wording)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert _request(client, tenant_a, made, name)[0].status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    audited = queries()
    without = [m for m in settings.MIDDLEWARE if not m.endswith("ReadAuditMiddleware")]
    with override_settings(MIDDLEWARE=without):
        plain = queries()
    assert len(audited) - len(plain) <= 1
    inserts = [q for q in audited if q.startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == 1


def test_the_person_filter_shows_reads_and_changes_of_that_person_only(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    made = _made(tenant_a)
    person, answering = made["person"], made["answering"]
    other_org_person = people._person(tenant_b, {})
    admin = tenant_a.members["org_admin"].user
    client = verified_client(admin)
    # A read of the person alone, a list that shows them among others, a change
    # to them, and events about someone else and in another organisation.
    client.get(
        reverse(
            "people:person_detail", kwargs={"org_slug": "alpha", "person_pk": person.pk}
        )
    )
    client.get(reverse("people:person_list", kwargs={"org_slug": "alpha"}))
    log_action(
        action="person.update",
        actor=admin,
        organisation=tenant_a.organisation,
        obj=person,
    )
    client.get(
        reverse(
            "reports:clinician_summary",
            kwargs={"org_slug": "alpha", "person_pk": answering.pk},
        )
    )
    log_action(
        action="person.update",
        organisation=tenant_b.organisation,
        obj=other_org_person,
    )
    # The other organisation's person has the same key as nobody here; a read
    # there naming this person's key must never show here.
    AuditEvent.objects.create(
        action=VIEW_ACTION,
        organisation=tenant_b.organisation,
        people=people_keys([person.pk]),
        detail={"view": "person page", "people": 1},
    )
    url = reverse("audit:log", kwargs={"org_slug": "alpha"})
    page = client.get(url, {"person": person.reference.lower()})
    assert page.status_code == 200
    shown = list(page.context["page"])
    assert {(e.action, e.detail.get("view")) for e in shown} == {
        (VIEW_ACTION, "person page"),
        (VIEW_ACTION, "people list"),
        ("person.update", None),
    }
    assert all(e.organisation == tenant_a.organisation for e in shown)
    text = page.content.decode()
    assert "Personal records looked at" in text and "Person page: 1 person" in text
    assert "Person&#x27;s details changed" in text or "Person's details changed" in text
    # A reference from another organisation is no one here: said, and nothing shown.
    missing = client.get(url, {"person": other_org_person.reference})
    assert missing.status_code == 400
    assert (
        "No one in Alpha Charity has the reference R-beta" in missing.content.decode()
    )
    assert list(missing.context["page"]) == []


def test_the_person_page_links_admins_to_who_has_looked_at_the_record(
    tenant_a: Tenant,
) -> None:
    made = _made(tenant_a)
    url = reverse(
        "people:person_detail",
        kwargs={"org_slug": "alpha", "person_pk": made["person"].pk},
    )
    admin_page = verified_client(tenant_a.members["org_admin"].user).get(url)
    assert "Who has looked at this record" in admin_page.content.decode()
    link = reverse("audit:log", kwargs={"org_slug": "alpha"}) + "?person=R-alpha"
    assert link in admin_page.content.decode()
    worker_page = verified_client(tenant_a.members["worker"].user).get(url)
    assert "Who has looked at this record" not in worker_page.content.decode()


@override_settings(AXES_FAILURE_LIMIT=2)
def test_a_lockout_appears_in_the_audit_log_of_the_accounts_organisation(
    tenant_a: Tenant,
) -> None:
    member = tenant_a.members["worker"].user
    client = Client()
    for _ in range(3):
        client.post(
            reverse("accounts:login"),
            {"username": member.email, "password": "wrong password"},
        )
    locked = AuditEvent.objects.filter(action="auth.locked_out")
    assert locked.filter(organisation=tenant_a.organisation).exists()
    admin = verified_client(tenant_a.members["org_admin"].user)
    page = admin.get(reverse("audit:log", kwargs={"org_slug": "alpha"}))
    assert "Account locked after repeated failed sign-ins" in page.content.decode()
    # A name that is no one's account is kept without an organisation.
    for _ in range(3):
        client.post(
            reverse("accounts:login"),
            {"username": "nobody@example.test", "password": "wrong"},
        )
    assert locked.filter(
        actor_label="nobody@example.test", organisation__isnull=True
    ).exists()


def test_the_answering_pages_and_the_missed_list_are_read_events(
    tenant_a: Tenant,
) -> None:
    from openproms.collection.models import TimePoint

    made = _made(tenant_a)
    person = made["answering"]
    client = verified_client(tenant_a.members["worker"].user)
    point = TimePoint.objects.filter(episode__service_user=person).first()
    assert point is not None
    pages = {
        "answering: measures due": reverse(
            "collection:answer_person",
            kwargs={"org_slug": "alpha", "person_pk": person.pk},
        ),
        "answering page": reverse(
            "collection:answer_measure",
            kwargs={"org_slug": "alpha", "person_pk": person.pk, "measure_id": "phq9"},
        ),
    }
    for view, url in pages.items():
        response, new = _new_reads(lambda url=url: client.get(url))
        assert response.status_code == 200
        assert [(e.detail["view"], e.people) for e in new] == [
            (view, people_keys([person.pk]))
        ]
    TimePoint.objects.filter(pk=point.pk).update(status=TimePoint.Status.MISSED)
    url = reverse("collection:missed_list", kwargs={"org_slug": "alpha"})
    response, new = _new_reads(lambda: client.get(url, {"show": "all"}))
    assert response.status_code == 200
    assert [(e.detail["view"], e.people) for e in new] == [
        ("missed measures", people_keys([person.pk]))
    ]


def test_matching_a_scanned_page_to_a_person_records_whom_the_search_showed(
    tenant_a: Tenant,
) -> None:
    made = _made(tenant_a)
    page = scans._open_page(tenant_a)  # a blank form nobody's yet
    client = verified_client(tenant_a.members["org_admin"].user)
    url = reverse(
        "scans:page_assign", kwargs={"org_slug": "alpha", "scan_page_pk": page.pk}
    )
    response, new = _new_reads(lambda: client.get(url, {"q": "Robin"}))
    assert response.status_code == 200
    assert [(e.detail["view"], e.people, e.object_type) for e in new] == [
        (
            "people search (matching a scanned page)",
            people_keys([made["person"].pk]),
            "scans.scanpage",
        )
    ]
    # The page image of a form nobody's yet names the page, not a person.
    image = reverse(
        "scans:page_image", kwargs={"org_slug": "alpha", "scan_page_pk": page.pk}
    )
    response, new = _new_reads(lambda: client.get(image))
    assert response.status_code == 200
    assert [(e.object_type, e.object_id, e.people) for e in new] == [
        ("scans.scanpage", str(page.pk), None)
    ]


def test_the_forms_due_to_print_and_their_download_are_read_events(
    tenant_a: Tenant,
) -> None:
    first, _, _ = collection_answering.due_person(tenant_a, reference="P-1")
    second, _, _ = collection_answering.due_person(tenant_a, reference="P-2")
    keys = people_keys([first.pk, second.pk])
    client = verified_client(tenant_a.members["manager"].user)
    url = reverse("scans:print_due", kwargs={"org_slug": "alpha"})
    response, new = _new_reads(lambda: client.get(url, {"worker": "all"}))
    assert response.status_code == 200
    assert [(e.action, e.detail["view"], e.people) for e in new] == [
        (VIEW_ACTION, "paper forms due to print", keys)
    ]
    everyone = {"worker": "all", "filtered": "1", "leave_out_printed": "on"}
    response, new = _new_reads(lambda: client.post(url, everyone))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert [(e.action, e.detail["view"], e.people) for e in new] == [
        (DOWNLOAD_ACTION, "paper forms printed for the people due", keys)
    ]
