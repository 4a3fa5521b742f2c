"""Consent in reports: a person who said no to sharing with funders counts in no
commissioner output (page, PDF, Excel, CSV, chart data) but still counts on the
organisation's dashboard, whose manager sees how many were left out and why; a
person who said no to sharing with their GP gets no record text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from openproms.accounts.models import CommissionerMembership
from openproms.people.models import Consent, ServiceUser
from openproms.reports import selectors
from openproms.reports.report_builder import build_report
from tests.conftest import Tenant, verified_client
from tests.people.factories import on_caseload
from tests.reports import phq9_answers, scored
from tests.reports.test_commissioner_reports import (
    END,
    START,
    _pdf_text,
    _xlsx_text,
    make_contract,
    report_url,
    shown,
    ten_people,
)

pytestmark = pytest.mark.django_db

# ten_people: REF-008 and REF-009 go from 17 to 22. Without them the other eight
# go from a mean of 15.75 to 8.375 (with them: 16.0 to 11.1).
DECLINERS = ("REF-008", "REF-009")


def _decline(tenant: Tenant, references: tuple[str, ...], on: dt.date) -> None:
    for reference in references:
        Consent.objects.create(
            service_user=ServiceUser.objects.get(
                organisation=tenant.organisation, reference=reference
            ),
            kind=Consent.Kind.SHARE_WITH_FUNDERS,
            given=False,
            recorded_at=dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC),
        )


def _values(tenant: Tenant, audience: Any) -> tuple[int, int]:
    values = selectors.outcome_values(
        organisation=tenant.organisation,
        measure_id="phq9",
        scale_id="total",
        start=START,
        end=END,
        audience=audience,
    )
    summary = selectors.collection_summary(
        organisation=tenant.organisation,
        services=None,
        start=START,
        end=END,
        audience=audience,
    )
    return values.scores.first.size, summary["people_engaged"]


def test_the_selectors_leave_out_people_who_said_no_for_funders_only(
    tenant_a: Tenant,
) -> None:
    ten_people(tenant_a)
    assert _values(tenant_a, "funders") == (10, 10)
    _decline(tenant_a, DECLINERS, dt.date(2025, 10, 1))
    assert _values(tenant_a, "funders") == (8, 8)
    assert _values(tenant_a, "organisation") == (10, 10)
    pairs = selectors.outcome_pairs(
        organisation=tenant_a.organisation,
        services=[tenant_a.service],
        measure_id="phq9",
        scale_id="total",
        start=START,
        end=END,
    )
    assert len(pairs) == 8  # funders by default: forgetting can only leave out
    with pytest.raises(ValueError, match="another audience"):
        selectors.outcome_values(
            organisation=tenant_a.organisation,
            measure_id="phq9",
            scale_id="total",
            start=START,
            end=END,
            scope=selectors.episode_scope(
                tenant_a.organisation, None, audience="organisation"
            ),
        )


def test_the_consent_in_force_now_is_used_for_any_period(tenant_a: Tenant) -> None:
    """A no recorded after the period still leaves the person out of it; a later
    yes brings them back."""
    ten_people(tenant_a)
    _decline(tenant_a, DECLINERS, dt.date(2026, 11, 1))  # after END
    assert _values(tenant_a, "funders") == (8, 8)
    person = ServiceUser.objects.get(reference="REF-008")
    Consent.objects.create(
        service_user=person,
        kind=Consent.Kind.SHARE_WITH_FUNDERS,
        given=True,
        recorded_at=dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC),
    )
    assert _values(tenant_a, "funders") == (9, 9)


def test_every_commissioner_output_leaves_them_out_and_the_method_note_says_so(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    before = build_report(contract, start=START, end=END)
    assert shown(before, "mean_latest") == 11.1
    _decline(tenant_a, DECLINERS, dt.date(2025, 10, 1))
    report = build_report(contract, start=START, end=END)
    assert shown(report, "mean_first") == 15.8  # 15.75
    assert shown(report, "mean_latest") == 8.4  # 8.375
    assert shown(report, "mean_change") == -7.4
    methods = dict(report.methods)
    assert "said no to their answers being included" in methods["Consent"][0]
    assert "as it stands today" in methods["Consent"][1]

    client = verified_client(commissioner.user)
    q2 = {"period": "2025-Q2"}  # July-September 2025: every later score
    page = client.get(report_url(contract, **q2)).content.decode()
    csv_text = client.get(report_url(contract, **q2, format="csv")).content.decode(
        "utf-8-sig"
    )
    xlsx = _xlsx_text(client.get(report_url(contract, **q2, format="xlsx")).content)
    pdf = _pdf_text(client.get(report_url(contract, **q2, format="pdf")).content)
    for name, text in (("page", page), ("csv", csv_text), ("xlsx", xlsx)):
        assert "-7.4" in text and "-4.9" not in text, name
        assert "11.1" not in text, name
    for name, text in (("page", page), ("xlsx", xlsx), ("pdf", pdf)):
        assert "said no to their answers being included" in " ".join(text.split()), name
    assert "-7.4" in pdf and "-4.9" not in pdf
    # The commissioner is not told how many.
    assert 'id="funders-left-out"' not in page


def test_the_organisation_sees_how_many_were_left_out_of_the_report_and_why(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    client = verified_client(tenant_a.members["manager"].user)
    url = reverse(
        "reports:contract_report",
        kwargs={"org_slug": "alpha", "contract_pk": contract.pk},
    )
    assert "nobody is left out" in client.get(url).content.decode()
    _decline(tenant_a, DECLINERS, dt.date(2025, 10, 1))
    page = client.get(url).content.decode()
    assert (
        "2 people are left out of this report because they said no to their "
        "answers being included in anonymous totals for funders." in page
    )
    assert selectors.funders_left_out(tenant_a.organisation, None) == 2
    csv_text = client.get(url + "?format=csv").content.decode("utf-8-sig")
    assert "left out of this report" not in csv_text


def test_the_dashboard_counts_everyone_and_says_who_funders_do_not_see(
    tenant_a: Tenant,
) -> None:
    ten_people(tenant_a)
    _decline(tenant_a, DECLINERS, dt.date(2025, 10, 1))
    client = verified_client(tenant_a.members["manager"].user)
    page = client.get(
        reverse("reports:dashboard", kwargs={"org_slug": "alpha"}),
        {
            "measure": "phq9",
            "period": "custom",
            "start": START.strftime("%d/%m/%Y"),
            "end": END.strftime("%d/%m/%Y"),
        },
    )
    assert page.status_code == 200, page.content.decode()
    section = page.context["sections"][0]
    assert section.change.n == 10
    text = page.content.decode()
    assert (
        "2 people are left out of reports for funders because they said no to "
        "their answers being included in anonymous totals for funders. They are "
        "counted here." in text
    )


def _summary(tenant: Tenant, who: ServiceUser) -> Any:
    return verified_client(tenant.members["worker"].user).get(
        reverse(
            "reports:clinician_summary",
            kwargs={"org_slug": "alpha", "person_pk": who.pk},
        )
    )


def test_a_no_to_sharing_with_their_gp_withholds_the_record_text(
    tenant_a: Tenant,
) -> None:
    who = on_caseload(tenant_a, "G1", given_name="Gail")
    scored(tenant_a, who, "phq9", phq9_answers(18), 60)
    scored(tenant_a, who, "phq9", phq9_answers(7), 1)
    page = _summary(tenant_a, who)
    assert page.context["text"] and 'id="record-text"' in page.content.decode()
    Consent.objects.create(
        service_user=who, kind=Consent.Kind.SHARE_WITH_GP, given=False
    )
    page = _summary(tenant_a, who)
    text = page.content.decode()
    assert page.context["text"] is None
    assert 'id="record-text"' not in text and "Patient-reported" not in text
    assert (
        "Gail said no to sharing their results with their GP, so no summary is "
        "made for the clinical record." in text
    )
    # The rest of the summary (for the worker's own use) is still there.
    assert page.context["blocks"]
    Consent.objects.create(
        service_user=who, kind=Consent.Kind.SHARE_WITH_GP, given=True
    )
    assert 'id="record-text"' in _summary(tenant_a, who).content.decode()


def test_the_time_point_counts_leave_out_the_same_people(tenant_a: Tenant) -> None:
    """Completed and missed time points in the period, for funders: everyone's less
    those of the people who said no (counted apart and taken away)."""
    from openproms.collection.models import TimePoint
    from tests.people import factories
    from tests.reports.test_dashboard_data import exit_point

    statuses = [TimePoint.Status.COMPLETED] * 3 + [TimePoint.Status.MISSED] * 2
    for i, status in enumerate(statuses):
        who = factories.person(tenant_a, f"T{i}")
        episode = factories.episode(tenant_a, who, start=dt.date(2025, 6, 1))
        point = exit_point(episode)
        TimePoint.objects.filter(pk=point.pk).update(status=status)
    other = factories.episode(  # a second service: a narrowed read
        tenant_a,
        factories.person(tenant_a, "T9"),
        service=tenant_a.service.__class__.objects.create(
            organisation=tenant_a.organisation, name="Other"
        ),
        start=dt.date(2025, 6, 1),
    )
    exit_point(other)

    def counts(audience: Any, services: Any = None) -> tuple[int, int]:
        summary = selectors.collection_summary(
            organisation=tenant_a.organisation,
            services=services,
            start=START,
            end=END,
            audience=audience,
        )
        return summary["completed"], summary["missed"]

    assert counts("funders") == (4, 2)
    _decline(tenant_a, ("T0", "T3", "T9"), dt.date(2025, 10, 1))  # done, missed, other
    assert counts("funders") == (2, 1)
    assert counts("organisation") == (4, 2)
    assert counts("funders", [tenant_a.service]) == (2, 1)
    assert counts("organisation", [tenant_a.service]) == (3, 2)
