"""Training mode: a training organisation of made-up people, opened by any
member, refreshed at will, labelled on every page, and never in a report for
funders, a reminder or an alert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.models import Membership, Organisation
from openproms.collection.models import TimePoint
from openproms.people.models import Episode, ServiceUser
from openproms.reminders import practice
from openproms.reports.models import Contract
from tests.conftest import Tenant, verified_client

pytestmark = pytest.mark.django_db


def _open(tenant: Tenant, role: str = "manager") -> Organisation:
    client = verified_client(tenant.members[role].user)
    answer = client.post(
        reverse("reminders:practice_open", kwargs={"org_slug": "alpha"})
    )
    made = Organisation.objects.get(is_training=True)
    assert answer.status_code == 302
    assert answer["Location"] == reverse(
        "core:org_home", kwargs={"org_slug": made.slug}
    )
    return made


def test_opening_practice_mode_makes_a_labelled_organisation_of_made_up_people(
    tenant_a: Tenant,
) -> None:
    made = _open(tenant_a)
    assert made.slug == "alpha-practice" and made.name == "Alpha Charity (training)"
    membership = Membership.objects.get(organisation=made)
    assert membership.user == tenant_a.members["manager"].user
    assert membership.role == "manager"
    assert ServiceUser.objects.filter(organisation=made).count() == practice.PEOPLE
    # Nothing was added to the real organisation.
    assert not ServiceUser.objects.filter(organisation=tenant_a.organisation).exists()
    client = verified_client(tenant_a.members["manager"].user)
    for name in ("core:org_home", "people:person_list", "reports:dashboard"):
        page = client.get(reverse(name, kwargs={"org_slug": made.slug}))
        text = page.content.decode()
        assert page.status_code == 200, name
        assert 'id="practice-banner"' in text and ">Training<" in text, name
    real = client.get(reverse("core:org_home", kwargs={"org_slug": "alpha"}))
    assert 'id="practice-banner"' not in real.content.decode()


def test_a_second_member_joins_the_same_practice_organisation(tenant_a: Tenant) -> None:
    first = _open(tenant_a, "manager")
    # A learner made a person with a reference the next made-up ones would get.
    ServiceUser.objects.create(organisation=first, reference="WC-0015")
    second = _open(tenant_a, "worker")
    assert first == second
    assert Membership.objects.filter(organisation=first).count() == 2
    # Each member learns on made-up people of their own: a worker sees only
    # their own caseload.
    everyone = ServiceUser.objects.filter(organisation=first)
    assert everyone.count() == 2 * practice.PEOPLE + 1  # and the learner's one
    worker = tenant_a.members["worker"].user
    mine = Episode.objects.filter(organisation=first, key_worker=worker)
    assert mine.count() == practice.PEOPLE
    client = verified_client(worker)
    caseload = client.get(reverse("people:caseload", kwargs={"org_slug": first.slug}))
    assert len(caseload.context["rows"]) >= practice.NEW_STARTERS


def test_new_starters_have_their_first_measures_due_now(tenant_a: Tenant) -> None:
    made = _open(tenant_a, "worker")
    worker = tenant_a.members["worker"].user
    today = timezone.localdate()
    due_now = TimePoint.objects.filter(
        organisation=made,
        episode__key_worker=worker,
        status=TimePoint.Status.PENDING,
        window_start__lte=today,
        window_end__gte=today,
    )
    starters = {tp.episode.service_user_id for tp in due_now if tp.sequence == 1}
    assert len(starters) >= practice.NEW_STARTERS
    client = verified_client(worker)
    page = client.get(
        reverse("collection:due_list", kwargs={"org_slug": made.slug})
    ).content.decode()
    person = ServiceUser.objects.get(pk=next(iter(starters)))
    assert person.display_name in page


def test_refreshing_wipes_and_makes_new_made_up_people(tenant_a: Tenant) -> None:
    made = _open(tenant_a)
    before = set(
        ServiceUser.objects.filter(organisation=made).values_list("pk", flat=True)
    )
    ServiceUser.objects.create(organisation=made, reference="ADDED-WHILE-LEARNING")
    client = verified_client(tenant_a.members["manager"].user)
    answer = client.post(
        reverse("reminders:practice_refresh", kwargs={"org_slug": made.slug})
    )
    assert answer.status_code == 302
    after = set(
        ServiceUser.objects.filter(organisation=made).values_list("pk", flat=True)
    )
    assert len(after) == practice.PEOPLE and not before & after
    assert not ServiceUser.objects.filter(reference="ADDED-WHILE-LEARNING").exists()


def test_a_real_organisation_cannot_be_refreshed(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    answer = client.post(
        reverse("reminders:practice_refresh", kwargs={"org_slug": "alpha"})
    )
    assert answer.status_code == 302
    with pytest.raises(ValueError, match="Only a practice organisation"):
        practice.practice_refresh(
            practice=tenant_a.organisation, actor=tenant_a.members["org_admin"].user
        )


def test_a_practice_organisations_contract_never_reaches_a_commissioner(
    tenant_a: Tenant, commissioner: object
) -> None:
    made = _open(tenant_a)
    for organisation, name in ((tenant_a.organisation, "Real"), (made, "Practice")):
        contract = Contract.objects.create(
            organisation=organisation,
            commissioner=commissioner.body,  # type: ignore[attr-defined]
            name=f"{name} contract",
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 12, 31),
        )
        contract.services.set(organisation.services.all())
    client = verified_client(commissioner.user)  # type: ignore[attr-defined]
    listing = client.get(
        reverse("reports:commissioner_contract_list", kwargs={"body_slug": "north-icb"})
    ).content.decode()
    assert "Real contract" in listing and "Practice contract" not in listing
    hidden = Contract.objects.get(name="Practice contract")
    report = client.get(
        reverse(
            "reports:commissioner_contract_report",
            kwargs={"body_slug": "north-icb", "contract_pk": hidden.pk},
        )
    )
    assert report.status_code == 404


@pytest.mark.parametrize(
    ("role", "where"),
    [
        ("worker", "Your caseload has"),
        ("data_officer", "find them under Who is due"),
        ("viewer", "see them in the dashboard and the reports"),
    ],
)
def test_each_role_is_told_where_to_find_the_made_up_people(
    tenant_a: Tenant, role: str, where: str
) -> None:
    """Each member is sent to pages their role has: a viewer has no caseload
    and no list of who is due, a data officer no caseload."""
    client = verified_client(tenant_a.members[role].user)
    url = reverse("reminders:practice_open", kwargs={"org_slug": "alpha"})
    assert where in client.get(url).content.decode()
    opened = client.post(url, follow=True)
    said = " ".join(str(m) for m in opened.context["messages"])
    assert said.startswith("Training mode is open.") and where in said
    if role != "worker":
        assert "caseload" not in said
    if role == "viewer":
        assert "Who is due" not in said
