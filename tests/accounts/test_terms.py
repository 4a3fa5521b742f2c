"""A GP practice's pages say "named clinician" where a charity's say "key worker"
(on the caseload, the due list's filter, the person page and the form that opens
an episode), and name the GP-sharing consent "To put their results in their GP
record", since there the patient's GP is the practice itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openproms.accounts.models import Organisation
from openproms.accounts.terms import terms_for
from openproms.people.models import Consent
from openproms.people.services import consent_record
from tests.conftest import Tenant, verified_client
from tests.people import factories
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db


def _pages(tenant: Tenant) -> str:
    person = factories.on_caseload(tenant, "R1", given_name="Robin")
    consent_record(
        service_user=person,
        kind=Consent.Kind.SHARE_WITH_GP,
        given=True,
        decided_on=dt.date(2026, 11, 2),
        note="",
        actor=tenant.members["worker"].user,
    )
    slug = tenant.organisation.slug
    client = verified_client(tenant.members["worker"].user)
    urls = [
        reverse("people:caseload", kwargs={"org_slug": slug}),
        reverse("collection:due_list", kwargs={"org_slug": slug}),
        reverse("people:person_detail", args=[slug, person.pk]),
        reverse("people:episode_open", args=[slug, person.pk]),
        reverse("people:consent_create", args=[slug, person.pk]),
    ]
    text = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text.append(visible_text(response.content))
    return "\n".join(text)


def test_a_gp_practice_says_named_clinician(tenant_b: Tenant) -> None:
    tenant_b.organisation.kind = Organisation.Kind.GP_PRACTICE
    tenant_b.organisation.save()
    text = _pages(tenant_b)
    assert "key worker" not in text.lower()
    assert "The people whose support you hold as named clinician." in text
    assert "People I am named clinician for" in text
    assert "Named clinician: " in text
    assert "Choose a named clinician" in text
    assert "To share their results with their GP" not in text
    # The consent in force, the history of decisions and the form's choice.
    assert text.count("To put their results in their GP record") >= 3


def test_a_charity_says_key_worker(tenant_a: Tenant) -> None:
    text = _pages(tenant_a)
    assert "named clinician" not in text.lower()
    assert "The people whose support you hold as key worker." in text
    assert "People I am key worker for" in text
    assert "Key worker: " in text
    assert "GP record" not in text
    assert text.count("To share their results with their GP") >= 3


def test_the_words_follow_the_kind_of_organisation() -> None:
    gp = Organisation(kind=Organisation.Kind.GP_PRACTICE)
    charity = Organisation(kind=Organisation.Kind.CHARITY)
    assert terms_for(gp) == {
        "key_worker": "named clinician",
        "Key_worker": "Named clinician",
        "worker": "clinician",
        "Workers": "Clinicians",
    }
    assert terms_for(charity)["Key_worker"] == "Key worker"
    assert terms_for(None)["key_worker"] == "key worker"


def test_a_gp_practice_names_the_record_a_no_withholds(tenant_b: Tenant) -> None:
    from tests.reports import phq9_answers, scored

    tenant_b.organisation.kind = Organisation.Kind.GP_PRACTICE
    tenant_b.organisation.save()
    who = factories.on_caseload(tenant_b, "G1", given_name="Gail")
    scored(tenant_b, who, "phq9", phq9_answers(18), 60)
    scored(tenant_b, who, "phq9", phq9_answers(7), 1)
    Consent.objects.create(
        service_user=who, kind=Consent.Kind.SHARE_WITH_GP, given=False
    )
    page = verified_client(tenant_b.members["worker"].user).get(
        reverse(
            "reports:clinician_summary",
            kwargs={"org_slug": tenant_b.organisation.slug, "person_pk": who.pk},
        )
    )
    assert (
        "Gail said no to putting their results in their GP record, so no summary "
        "is made for the clinical record." in visible_text(page.content)
    )


def test_a_gp_practices_weekly_collection_is_by_clinician(tenant_b: Tenant) -> None:
    tenant_b.organisation.kind = Organisation.Kind.GP_PRACTICE
    tenant_b.organisation.save()
    factories.on_caseload(tenant_b, "R1", given_name="Robin")
    client = verified_client(tenant_b.members["manager"].user)
    slug = tenant_b.organisation.slug
    home = visible_text(client.get(reverse("core:org_home", args=[slug])).content)
    assert "Weekly collection by service and clinician" in home
    capture = client.get(reverse("reminders:capture", args=[slug]))
    assert capture.status_code == 200
    text = visible_text(capture.content)
    assert "Clinicians" in text and "Workers" not in text
    # The charts' own titles (drawn from their specification) too.
    assert "by worker" not in capture.content.decode()
    assert "Completion by clinician" in capture.content.decode()


def test_a_practices_workers_are_its_clinicians(tenant_b: Tenant) -> None:
    """The header, the home page, the members list and the role choices name a
    GP practice's worker role "Clinician"; the stored role is the same."""
    tenant_b.organisation.kind = Organisation.Kind.GP_PRACTICE
    tenant_b.organisation.save()
    slug = tenant_b.organisation.slug
    worker = verified_client(tenant_b.members["worker"].user)
    home = visible_text(worker.get(reverse("core:org_home", args=[slug])).content)
    assert "You are signed in as clinician." in home
    assert "signed in as worker" not in home
    admin = verified_client(tenant_b.members["org_admin"].user)
    members = visible_text(
        admin.get(reverse("accounts:member_list", args=[slug])).content
    )
    assert "Clinician" in members and "\tWorker\t" not in members
    invite = visible_text(
        admin.get(reverse("accounts:member_invite", args=[slug])).content
    )
    assert "Clinician" in invite and "Worker" not in invite
    membership = tenant_b.members["viewer"]
    response = admin.post(
        reverse("accounts:member_role", args=[slug, membership.pk]),
        {"role": "worker"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "worker"
    said = visible_text(admin.get(response["Location"]).content)
    assert f"{membership.user.display_name} is now clinician." in said


def test_answers_given_with_a_clinician_say_so(tenant_b: Tenant) -> None:
    from openproms.collection.models import Administration
    from tests.reports import phq9_answers, scored

    tenant_b.organisation.kind = Organisation.Kind.GP_PRACTICE
    tenant_b.organisation.save()
    person = factories.on_caseload(tenant_b, "R9", given_name="Robin")
    answered = scored(tenant_b, person, "phq9", phq9_answers(8), 3)
    assert answered.mode == Administration.Mode.ASSISTED
    client = verified_client(tenant_b.members["worker"].user)
    page = visible_text(
        client.get(
            reverse(
                "people:person_detail", args=[tenant_b.organisation.slug, person.pk]
            )
        ).content
    )
    assert "With a clinician, on screen" in page
    assert "With a worker" not in page


def test_the_implementation_leads_alert_names_a_practices_clinicians(
    tenant_b: Tenant,
) -> None:
    from openproms.reminders.forms import LeadForm

    tenant_b.organisation.kind = Organisation.Kind.GP_PRACTICE
    label = LeadForm(organisation=tenant_b.organisation).fields["quiet_weeks"].label
    assert label == "Alert when a clinician has collected nothing for this many weeks"


def test_a_measures_page_says_what_a_practices_patients_are_told(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    """The measure page's "why it is asked" for the person: "your care team" at a
    GP practice, "your worker" at a charity (the library's own words)."""
    tenant_b.organisation.kind = Organisation.Kind.GP_PRACTICE
    tenant_b.organisation.save()
    texts = {}
    for tenant in (tenant_a, tenant_b):
        slug = tenant.organisation.slug
        client = verified_client(tenant.members["manager"].user)
        url = reverse("catalogue:measure_detail", args=[slug, "gad7", "1"])
        response = client.get(url)
        assert response.status_code == 200
        texts[slug] = visible_text(response.content)
    charity, practice = (
        texts[tenant_a.organisation.slug],
        texts[tenant_b.organisation.slug],
    )
    assert "Why it is asked: for workers" in charity
    assert "help you and your worker see" in charity
    assert "Why it is asked: for clinicians" in practice
    assert "help you and your care team see" in practice
    assert "your worker" not in practice
