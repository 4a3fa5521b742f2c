"""Sharing a person's summary with their GP practice: sent only with consent,
arriving in the practice's inbox matched by NHS number, accepted, declined or
matched by hand, downloaded for a practice elsewhere, audited on both sides,
and walled off from every other organisation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from openproms.accounts.models import Organisation
from openproms.audit.models import AuditEvent
from openproms.people.models import Consent, ServiceUser
from openproms.people.services import consent_record
from openproms.scoring import default_library
from openproms.sharing.models import GpShare
from tests.conftest import Tenant, _tenant, verified_client
from tests.people import factories
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db

NHS = "9434765919"


@pytest.fixture
def practice(tenant_b: Tenant) -> Tenant:
    tenant_b.organisation.kind = Organisation.Kind.GP_PRACTICE
    tenant_b.organisation.save()
    return tenant_b


def _sender_person(tenant: Tenant) -> ServiceUser:
    person = factories.on_caseload(
        tenant,
        "R1",
        given_name="Robin",
        family_name="Marsh",
        nhs_number=NHS,
        date_of_birth=dt.date(1980, 5, 17),
    )
    factories.phq9_answered(tenant, person)
    return person


def _url(name: str, tenant: Tenant, **kwargs: int) -> str:
    return reverse(
        f"sharing:{name}", kwargs={"org_slug": tenant.organisation.slug, **kwargs}
    )


def _send(tenant: Tenant, person: ServiceUser, data: dict[str, str]) -> object:
    client = verified_client(tenant.members["worker"].user)
    return client.post(_url("gp_share_create", tenant, person_pk=person.pk), data)


def test_a_summary_arrives_in_the_practice_inbox_and_is_accepted(
    tenant_a: Tenant, practice: Tenant
) -> None:
    person = _sender_person(tenant_a)
    own = factories.person(
        practice, "P-77", given_name="Robin", family_name="Marsh", nhs_number=NHS
    )
    response = _send(tenant_a, person, {"practice": str(practice.organisation.pk)})
    assert response.status_code == 302  # type: ignore[attr-defined]

    share = GpShare.objects.get()
    assert share.recipient == practice.organisation
    assert share.status == GpShare.Status.SENT
    assert "PHQ-9" in share.record_text and bytes(share.pdf).startswith(b"%PDF")
    assert b"LiberationSans" in bytes(share.pdf)  # the face every PDF is drawn in
    assert share.bundle["resourceType"] == "Bundle"

    gp = verified_client(practice.members["worker"].user)
    inbox = gp.get(_url("gp_inbox", practice))
    page = inbox.content.decode()
    assert "Robin Marsh" in page and tenant_a.organisation.name in page
    assert internal_ids_in(visible_text(inbox.content), list(default_library())) == []
    detail = gp.get(_url("gp_inbox_detail", practice, received_pk=share.pk))
    assert "record of Robin Marsh (P-77)" in detail.content.decode()
    assert (
        gp.get(_url("gp_inbox_pdf", practice, received_pk=share.pk)).status_code == 200
    )

    accepted = gp.post(
        _url("gp_inbox_detail", practice, received_pk=share.pk),
        {"decision": str(own.pk)},
    )
    assert accepted.status_code == 302
    share.refresh_from_db()
    assert share.status == GpShare.Status.ACCEPTED and share.matched_person == own
    own_page = verified_client(practice.members["manager"].user).get(
        reverse(
            "people:person_detail",
            kwargs={"org_slug": practice.organisation.slug, "person_pk": own.pk},
        )
    )
    assert f"from {tenant_a.organisation.name}, accepted" in own_page.content.decode()

    # Audited on both sides, each in its own organisation's log.
    sender = set(
        AuditEvent.objects.filter(organisation=tenant_a.organisation).values_list(
            "action", flat=True
        )
    )
    receiver = set(
        AuditEvent.objects.filter(organisation=practice.organisation).values_list(
            "action", flat=True
        )
    )
    assert "gp_share.send" in sender and "gp_share.receive" not in sender
    assert {"gp_share.receive", "gp_share.accept"} <= receiver
    assert "gp_share.send" not in receiver

    # The sender's person page says what was shared and when.
    worker = verified_client(tenant_a.members["worker"].user)
    person_page = worker.get(
        reverse(
            "people:person_detail",
            kwargs={"org_slug": tenant_a.organisation.slug, "person_pk": person.pk},
        )
    ).content.decode()
    assert f"summary sent to {practice.organisation.name}" in person_page
    assert "accepted by the practice" in person_page


def test_without_gp_consent_nothing_is_sent(tenant_a: Tenant, practice: Tenant) -> None:
    person = _sender_person(tenant_a)
    consent_record(
        service_user=person,
        kind=Consent.Kind.SHARE_WITH_GP,
        given=False,
        decided_on=dt.date(2025, 3, 1),
        note="",
        actor=tenant_a.members["worker"].user,
    )
    form = verified_client(tenant_a.members["worker"].user).get(
        _url("gp_share_create", tenant_a, person_pk=person.pk)
    )
    assert "said no to sharing their results with their GP" in form.content.decode()
    response = _send(tenant_a, person, {"practice": str(practice.organisation.pk)})
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "nothing can be sent" in response.content.decode()  # type: ignore[attr-defined]
    assert not GpShare.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="gp_share").exists()


def test_a_restricted_persons_summary_is_not_sent(
    tenant_a: Tenant, practice: Tenant
) -> None:
    person = _sender_person(tenant_a)
    ServiceUser.objects.filter(pk=person.pk).update(
        restricted_at=dt.datetime.now(dt.UTC)
    )
    response = _send(tenant_a, person, {"practice": str(practice.organisation.pk)})
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert not GpShare.objects.exists()


def test_no_matching_person_can_be_chosen_by_reference_or_declined(
    tenant_a: Tenant, practice: Tenant
) -> None:
    person = _sender_person(tenant_a)
    own = factories.person(practice, "P-12", given_name="Robin")
    _send(tenant_a, person, {"practice": str(practice.organisation.pk)})
    _send(tenant_a, person, {"practice": str(practice.organisation.pk)})
    first, second = GpShare.objects.order_by("pk")
    gp = verified_client(practice.members["worker"].user)
    url = _url("gp_inbox_detail", practice, received_pk=first.pk)
    assert "No matching person" in gp.get(url).content.decode()

    wrong = gp.post(url, {"reference": "P-99"})
    assert wrong.status_code == 400
    assert "No patient has the reference P-99" in wrong.content.decode()
    first.refresh_from_db()
    assert first.status == GpShare.Status.SENT

    assert gp.post(url, {"reference": "P-12"}).status_code == 302
    first.refresh_from_db()
    assert first.status == GpShare.Status.ACCEPTED and first.matched_person == own

    url = _url("gp_inbox_detail", practice, received_pk=second.pk)
    assert gp.post(url, {"decision": "decline"}).status_code == 302
    second.refresh_from_db()
    assert second.status == GpShare.Status.DECLINED and second.matched_person is None
    assert AuditEvent.objects.filter(
        organisation=practice.organisation, action="gp_share.decline"
    ).exists()


def test_a_practice_elsewhere_gets_a_bundle_and_pdf_to_download(
    tenant_a: Tenant,
) -> None:
    person = _sender_person(tenant_a)
    missing = _send(tenant_a, person, {"practice": "elsewhere"})
    assert missing.status_code == 400  # type: ignore[attr-defined]
    assert "Enter the name of the person" in missing.content.decode()  # type: ignore[attr-defined]
    assert not GpShare.objects.exists()

    response = _send(
        tenant_a, person, {"practice": "elsewhere", "practice_name": "Elm Surgery"}
    )
    share = GpShare.objects.get()
    assert share.recipient is None and share.status == GpShare.Status.DOWNLOADED
    assert response["Location"] == _url("gp_share_detail", tenant_a, share_pk=share.pk)  # type: ignore[index]
    worker = verified_client(tenant_a.members["worker"].user)
    pdf = worker.get(_url("gp_share_pdf", tenant_a, share_pk=share.pk))
    assert pdf.content.startswith(b"%PDF")
    bundle = json.loads(
        worker.get(_url("gp_share_bundle", tenant_a, share_pk=share.pk)).content
    )
    patient = bundle["entry"][0]["resource"]
    assert patient["resourceType"] == "Patient"
    assert any(i.get("value") == NHS for i in patient.get("identifier", []))
    assert AuditEvent.objects.filter(
        action="records.download", organisation=tenant_a.organisation
    ).exists()


def test_only_the_practice_addressed_sees_the_share(
    tenant_a: Tenant, practice: Tenant
) -> None:
    other = _tenant("gamma", "Gamma Practice")
    other.organisation.kind = Organisation.Kind.GP_PRACTICE
    other.organisation.save()
    person = _sender_person(tenant_a)
    _send(tenant_a, person, {"practice": str(practice.organisation.pk)})
    share = GpShare.objects.get()
    gp = verified_client(other.members["worker"].user)
    assert "Robin" not in gp.get(_url("gp_inbox", other)).content.decode()
    assert (
        gp.get(_url("gp_inbox_detail", other, received_pk=share.pk)).status_code == 404
    )
    # Nor does the practice see the sender's side of it.
    practice_gp = verified_client(practice.members["worker"].user)
    assert (
        practice_gp.get(
            _url("gp_share_detail", practice, share_pk=share.pk)
        ).status_code
        == 404
    )


def test_only_gp_practices_on_the_installation_are_offered(
    tenant_a: Tenant, practice: Tenant
) -> None:
    person = _sender_person(tenant_a)
    page = verified_client(tenant_a.members["worker"].user).get(
        _url("gp_share_create", tenant_a, person_pk=person.pk)
    )
    text = page.content.decode()
    assert practice.organisation.name in text
    assert "A practice that does not use openproms" in text
    assert internal_ids_in(visible_text(page.content), list(default_library())) == []


def test_at_a_gp_practice_the_summary_goes_to_another_practice(
    tenant_a: Tenant, practice: Tenant
) -> None:
    """A GP practice is the patient's GP: it is offered sending a summary on to
    another practice (a patient who has moved), not sharing "with their GP"."""
    person = factories.on_caseload(practice, "P1", given_name="Ann", family_name="Lee")
    client = verified_client(practice.members["worker"].user)
    page = client.get(
        reverse(
            "people:person_detail",
            kwargs={"org_slug": practice.organisation.slug, "person_pk": person.pk},
        )
    ).content.decode()
    assert "Research and sharing with another GP practice" in page
    assert "Send a summary to another GP practice (a patient who has moved)" in page
    assert "Share a summary with their GP" not in page
    form = client.get(_url("gp_share_create", practice, person_pk=person.pk))
    assert "<h1>Send a summary to another GP practice</h1>" in form.content.decode()
    # A charity still shares with the person's GP.
    other = _sender_person(tenant_a)
    charity = verified_client(tenant_a.members["worker"].user).get(
        reverse(
            "people:person_detail",
            kwargs={"org_slug": tenant_a.organisation.slug, "person_pk": other.pk},
        )
    )
    assert "Share a summary with their GP" in charity.content.decode()


def test_without_an_nhs_number_the_sender_is_warned_and_the_practice_told_why(
    tenant_a: Tenant, practice: Tenant
) -> None:
    """A person with no NHS number: the share page says so before sending, and
    the practice's inbox does not blame a number that was never sent."""
    person = factories.on_caseload(tenant_a, "R2", given_name="Sky", family_name="Lee")
    factories.phq9_answered(tenant_a, person)
    worker = verified_client(tenant_a.members["worker"].user)
    form = worker.get(_url("gp_share_create", tenant_a, person_pk=person.pk))
    assert "No NHS number recorded" in visible_text(form.content)
    assert _send(tenant_a, person, {"practice": str(practice.organisation.pk)})
    share = GpShare.objects.get()
    assert share.nhs_number == ""
    gp = verified_client(practice.members["worker"].user)
    text = visible_text(
        gp.get(_url("gp_inbox_detail", practice, received_pk=share.pk)).content
    )
    assert "the sender gave no NHS number" in text
    assert "none of your patients has this NHS number" not in text

    with_number = _sender_person(tenant_a)
    form = worker.get(_url("gp_share_create", tenant_a, person_pk=with_number.pk))
    assert "No NHS number recorded" not in visible_text(form.content)
