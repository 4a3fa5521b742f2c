"""The audit log: append-only events for every audited action (LG1, LG2, LG4)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.audit.services import log_action
from tests.conftest import Tenant, verified_client
from tests.text_checks import visible_text


@pytest.mark.django_db
def test_an_event_records_who_where_what_and_from_which_address(
    tenant_a: Tenant,
) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10")
    user = tenant_a.members["manager"].user
    event = log_action(
        action="service.create",
        actor=user,
        organisation=tenant_a.organisation,
        obj=tenant_a.service,
        request=request,
    )
    assert event.actor_label == user.email
    assert event.organisation == tenant_a.organisation
    assert event.object_type == "accounts.service" and event.object_id == str(
        tenant_a.service.pk
    )
    assert event.ip_address == "192.0.2.10"


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted_through_the_application(
    tenant_a: Tenant,
) -> None:
    event = log_action(action="test.event", organisation=tenant_a.organisation)
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db
def test_the_database_itself_refuses_to_change_an_event(tenant_a: Tenant) -> None:
    event = log_action(action="test.event", organisation=tenant_a.organisation)
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db
def test_the_database_itself_refuses_to_delete_an_event(tenant_a: Tenant) -> None:
    event = log_action(action="test.event", organisation=tenant_a.organisation)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_the_database_itself_refuses_to_empty_the_audit_table(
    tenant_a: Tenant,
) -> None:
    log_action(action="test.event", organisation=tenant_a.organisation)
    # PostgreSQL empties a table with TRUNCATE (no row trigger fires); SQLite with a
    # DELETE without WHERE (its "truncate optimisation" skips rows unless a trigger
    # is there).
    emptying = (
        "TRUNCATE audit_auditevent"
        if connection.vendor == "postgresql"
        else "DELETE FROM audit_auditevent"
    )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(emptying)
    assert AuditEvent.objects.filter(action="test.event").exists()


@pytest.mark.django_db
def test_the_append_only_triggers_exist_after_every_migration() -> None:
    """A migration that alters the audit table rebuilds it on SQLite, dropping its
    triggers; this catches one that forgets to create them again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = 'audit_auditevent'::regclass AND NOT tgisinternal"
            )
            expected = {"audit_event_no_update", "audit_event_no_truncate"}
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master"
                " WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
            )
            expected = {"audit_event_no_update", "audit_event_no_delete"}
        names = {row[0] for row in cursor.fetchall()}
    assert names == expected


@pytest.mark.django_db
def test_a_denied_action_is_audited(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["viewer"].user)
    assert (
        client.get(reverse("audit:log", kwargs={"org_slug": "alpha"})).status_code
        == 403
    )
    denial = AuditEvent.objects.get(action="authz.denied")
    assert denial.detail["needed"] == "audit.view"
    assert denial.organisation == tenant_a.organisation


@pytest.mark.django_db
def test_the_audit_page_filters_by_action_person_and_date(tenant_a: Tenant) -> None:
    log_action(
        action="service.create",
        actor=tenant_a.members["manager"].user,
        organisation=tenant_a.organisation,
    )
    log_action(
        action="member.invite",
        actor=tenant_a.members["org_admin"].user,
        organisation=tenant_a.organisation,
    )
    client = verified_client(tenant_a.members["org_admin"].user)
    url = reverse("audit:log", kwargs={"org_slug": "alpha"})

    def rows(query: dict[str, str]) -> str:
        page = client.get(url, query).content.decode()
        return page.split("<tbody", 1)[1]

    by_action = rows({"action": "service.create"})
    assert "Service added" in by_action and "Member invited" not in by_action
    by_person = rows({"actor": "org_admin@"})
    assert "Member invited" in by_person and "Service added" not in by_person
    unknown = client.get(url, {"action": "no.such"})
    assert unknown.status_code == 400
    assert b"Choose what was done from the list" in unknown.content
    bad = client.get(url, {"date_from": "01/05/2026", "date_to": "01/04/2026"})
    assert bad.status_code == 400 and b"must be the same as or after" in bad.content
    future = rows({"date_from": "01/01/2999"})
    assert "Service added" not in future


@pytest.mark.django_db
def test_the_audit_page_names_actions_and_records_in_words(tenant_a: Tenant) -> None:
    from openproms.audit.labels import ACTION_LABELS
    from openproms.scoring import default_library
    from tests.text_checks import internal_ids_in, visible_text

    log_action(
        action="time_point.close_missed",
        actor=tenant_a.members["manager"].user,
        organisation=tenant_a.organisation,
    )
    # An event written before records were named without ids.
    AuditEvent.objects.create(
        action="alert.raise",
        organisation=tenant_a.organisation,
        object_type="collection.riskalert",
        object_repr="Risk alert on phq9_9 for 12",
    )
    AuditEvent.objects.create(
        action="paper.print_blank",
        organisation=tenant_a.organisation,
        object_type="collection.timepoint",
        object_repr="ucla3 Follow-up 12 due 2026-01-01",
    )
    client = verified_client(tenant_a.members["org_admin"].user)
    page = client.get(reverse("audit:log", kwargs={"org_slug": "alpha"}))
    text = visible_text(page.content)
    assert "Overdue time points closed as missed" in text
    assert "Risk alert on PHQ-9 question 9" in text and "for 12" not in text
    assert "Time point: UCLA-3 Follow-up 12" in text
    assert "Blank paper form printed" in text
    assert internal_ids_in(text, default_library()) == []
    # Every action a service writes has its words.
    import pathlib
    import re

    written = set()
    for path in pathlib.Path("openproms").rglob("*.py"):
        written |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', path.read_text()))
    written |= {"episode.pause", "episode.resume", "episode.close"}
    assert written - set(ACTION_LABELS) == set()


@pytest.mark.django_db
def test_every_audited_service_writes_exactly_one_event(tenant_a: Tenant) -> None:
    from openproms.accounts import services

    admin = tenant_a.members["org_admin"].user
    before = AuditEvent.objects.count()
    services.service_create(
        organisation=tenant_a.organisation, name="New", description="", actor=admin
    )
    invitation, _ = services.invitation_create(
        organisation=tenant_a.organisation, email="a@b.test", role="worker", actor=admin
    )
    services.invitation_revoke(invitation=invitation, actor=admin)
    services.membership_change_role(
        membership=tenant_a.members["viewer"], role="worker", actor=admin
    )
    services.membership_remove(membership=tenant_a.members["viewer"], actor=admin)
    assert AuditEvent.objects.count() - before == 5
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))[
        -5:
    ]
    assert actions == [
        "service.create",
        "member.invite",
        "member.invite_revoke",
        "member.role_change",
        "member.remove",
    ]


def test_the_log_names_an_own_measure_by_its_short_name(tenant_a: Tenant) -> None:
    """Drafting, publishing and choosing an own measure are logged by its name:
    the audit log never shows its id."""
    from tests.catalogue.test_designer import _manager, _published

    own = _published(tenant_a)
    chosen = _manager(tenant_a).post(
        reverse(
            "catalogue:measure_use",
            kwargs={
                "org_slug": "alpha",
                "measure_id": own.measure_id,
                "measure_version": own.measure_version,
            },
        ),
        {"use": "yes"},
    )
    assert chosen.status_code == 302
    admin = verified_client(tenant_a.members["org_admin"].user)
    page = admin.get(reverse("audit:log", kwargs={"org_slug": "alpha"}))
    text = visible_text(page.content)
    name = own.definition["short_name"]
    assert f"{name} v1 (own measure)" in text
    assert f"Measure: {name} v1" in text
    assert own.measure_id not in text
