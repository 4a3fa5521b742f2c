"""Commissioner reports: figures against hand-computed values, periods, and who
may see them (a commissioner sees only their body's contracts, and never a person)."""

from __future__ import annotations

import datetime as dt
import io
import math
import threading
import uuid
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.models import CommissionerBody, CommissionerMembership
from openproms.accounts.policy import Role
from openproms.audit.models import AuditEvent
from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import Administration, OutcomeScore
from openproms.collection.services import administration_submit
from openproms.people.models import Episode, ServiceUser
from openproms.reports import selectors
from openproms.reports.models import Contract, ContractRequirement
from openproms.reports.report_builder import build_report
from tests.conftest import Tenant, make_user, verified_client

FIRST = [15, 15, 15, 15, 15, 17, 17, 17, 17, 17]
LATEST = [5, 5, 5, 5, 5, 14, 14, 14, 22, 22]
START = dt.date(2025, 4, 1)
END = dt.date(2026, 3, 31)


def phq9_answers(total: int) -> dict[str, int]:
    """PHQ-9 answers adding up to ``total`` (items 1-9 of 0-3)."""
    items = []
    left = total
    for _ in range(9):
        items.append(min(3, left))
        left -= items[-1]
    assert left == 0
    answers = {f"phq9_{n}": v for n, v in enumerate(items, start=1)}
    return answers | {"phq9_difficulty": 1}


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def add_person(
    tenant: Tenant,
    reference: str,
    scores: list[tuple[dt.date, int]],
    *,
    given_name: str = "",
    nhs_number: str = "",
    start: dt.date = dt.date(2025, 5, 1),
) -> ServiceUser:
    who = ServiceUser.objects.create(
        organisation=tenant.organisation,
        reference=reference,
        given_name=given_name,
        family_name="Zebedee" if given_name else "",
        nhs_number=nhs_number,
    )
    episode = Episode.objects.create(
        organisation=tenant.organisation,
        service_user=who,
        service=tenant.service,
        start_date=start,
    )
    definition = measure_definition(organisation=tenant.organisation, measure_id="phq9")
    for day, total in scores:
        administration_submit(
            organisation=tenant.organisation,
            service_user=who,
            measure=definition,
            answers=phq9_answers(total),
            mode=Administration.Mode.ASSISTED,
            submission_id=str(uuid.uuid4()),
            episode=episode,
            completed_at=at(day),
        )
    return who


def make_contract(
    tenant: Tenant,
    body: CommissionerBody,
    *,
    measures: tuple[str, ...] = ("phq9",),
    rule: str = Contract.DisclosureRule.NHS,
    figures: list[str] | None = None,
    name: str = "Talking therapies",
) -> Contract:
    contract = Contract.objects.create(
        organisation=tenant.organisation,
        commissioner=body,
        name=name,
        reference="REF-1",
        start_date=START,
        end_date=END,
        disclosure_rule=rule,
    )
    contract.services.set([tenant.service])
    for measure_id in measures:
        ContractRequirement.objects.create(
            contract=contract,
            measure_id=measure_id,
            figures=figures if figures is not None else [],
        )
    return contract


def ten_people(tenant: Tenant) -> None:
    for i, (first, latest) in enumerate(zip(FIRST, LATEST, strict=True)):
        add_person(
            tenant,
            f"REF-{i:03d}",
            [(dt.date(2025, 5, 1), first), (dt.date(2025, 9, 1), latest)],
            given_name=f"Persona{i}",
            nhs_number=f"94345678{i:02d}",
        )


def shown(report: Any, code: str, measure: str = "PHQ-9") -> Any:
    for figure in report.all_figures():
        if figure.name == code and (figure.measure in (measure, "")):
            return figure.value
    raise KeyError(code)


@pytest.mark.django_db
def test_report_figures_match_hand_computed_values(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    report = build_report(contract, start=START, end=END)
    # n = 10 (shown 10); means of the first and later scores.
    assert shown(report, "n") == 10
    assert shown(report, "mean_first") == 16.0
    assert shown(report, "mean_latest") == 11.1
    assert shown(report, "mean_change") == -4.9
    # Paired t interval by hand: SD of the changes sqrt(336.9 / 9), t(0.975, 9) = 2.2622.
    half = 2.2622 * math.sqrt(336.9 / 9) / math.sqrt(10)
    assert shown(report, "mean_change_low") == round(-4.9 - half, 1) == -9.3
    assert shown(report, "mean_change_high") == round(-4.9 + half, 1) == -0.5
    # d = mean change / SD of the first scores (sqrt(10 / 9)).
    assert shown(report, "effect_size") == round(-4.9 / math.sqrt(10 / 9), 2)
    # Reliable change (PHQ-9: 6 points): 5 improved, 5 no change, 0 deteriorated;
    # 5s are suppressed under the NHS rule, 0 is shown.
    assert shown(report, "reliable_improvement") == "*"
    assert shown(report, "no_reliable_change") == "*"
    assert shown(report, "reliable_deterioration") == 0
    assert shown(report, "reliable_deterioration_pct") == 0.0
    # Everyone was a case at the start (cut-off 10); 5 recovered (suppressed).
    assert shown(report, "cases_at_first") == 10
    assert shown(report, "recovered") == "*"
    assert shown(report, "recovered_pct") == "*"
    assert shown(report, "people_engaged") == 10
    assert shown(report, "new_episodes") == 10


@pytest.mark.django_db
def test_the_ons_rule_hides_what_the_nhs_rule_shows(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(
        tenant_a, commissioner.body, rule=Contract.DisclosureRule.ONS
    )
    report = build_report(contract, start=START, end=END)
    assert shown(report, "n") == 10
    assert shown(report, "mean_change") == -4.9
    assert shown(report, "reliable_deterioration") == "*"  # zero is hidden under ONS


@pytest.mark.django_db
def test_a_period_before_the_later_scores_has_no_pairs(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    report = build_report(contract, start=START, end=dt.date(2025, 6, 30))
    assert shown(report, "n") == 0
    assert shown(report, "mean_change") == "*"


@pytest.mark.django_db
def test_pilot_data_is_left_out_unless_the_contract_includes_it(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    # As a pilot plan's answers are stored: the administration and its outcome
    # scores (the copy reports read) both carry the flag.
    for model in (Administration, OutcomeScore):
        model.objects.filter(organisation=tenant_a.organisation).update(is_pilot=True)
    contract = make_contract(tenant_a, commissioner.body)
    assert shown(build_report(contract, start=START, end=END), "n") == 0
    contract.include_pilot = True
    contract.save()
    assert shown(build_report(contract, start=START, end=END), "n") == 10
    methods = dict(build_report(contract, start=START, end=END).methods)
    assert methods["Pilot data"] == ["Pilot data is included in this report."]


@pytest.mark.django_db
def test_only_the_figures_the_contract_wants_are_built(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body, figures=["mean_change"])
    report = build_report(contract, start=START, end=END)
    codes = {f.name for f in report.all_figures()}
    assert "mean_change" in codes and "n" in codes
    assert "reliable_improvement" not in codes and "people_engaged" not in codes


def report_url(contract: Contract, **query: str) -> str:
    """The commissioner's report page."""
    url = reverse(
        "reports:commissioner_contract_report",
        kwargs={"body_slug": contract.commissioner.slug, "contract_pk": contract.pk},
    )
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def staff_report_url(contract: Contract, **query: str) -> str:
    """The same report on the organisation's own pages (any dates)."""
    url = reverse(
        "reports:contract_report",
        kwargs={
            "org_slug": contract.organisation.slug,
            "contract_pk": contract.pk,
        },
    )
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


@pytest.mark.django_db
def test_home_sends_a_commissioner_to_their_home_in_the_reports_app(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    """The commissioner home is a reports page: the floor's home reaches it by URL
    name, not by importing it (pyproject.toml's layers contract)."""
    make_contract(tenant_a, commissioner.body, name="Alpha deal")
    client = verified_client(commissioner.user)
    home = client.get(reverse("core:home"))
    assert home.status_code == 302
    assert home["Location"] == reverse(
        "reports:commissioner_home", kwargs={"body_slug": "north-icb"}
    )
    page = client.get(home["Location"])
    assert page.status_code == 200
    assert page.templates[0].name == "reports/commissioner/home.html"
    assert b"Alpha deal" in page.content


@pytest.mark.django_db
def test_a_commissioner_sees_their_contracts_across_organisations_and_not_others(
    tenant_a: Tenant, tenant_b: Tenant, commissioner: CommissionerMembership
) -> None:
    own_a = make_contract(tenant_a, commissioner.body, name="Alpha deal")
    own_b = make_contract(tenant_b, commissioner.body, name="Beta deal")
    south = CommissionerBody.objects.create(name="South Council", slug="south")
    other = make_contract(tenant_a, south, name="South deal")
    client = verified_client(commissioner.user)
    listing = client.get(
        reverse("reports:commissioner_contract_list", kwargs={"body_slug": "north-icb"})
    )
    assert b"Alpha deal" in listing.content and b"Beta deal" in listing.content
    assert b"South deal" not in listing.content
    home = client.get(
        reverse("reports:commissioner_home", kwargs={"body_slug": "north-icb"})
    )
    assert b"Alpha deal" in home.content and report_url(own_b).encode() in home.content
    assert client.get(report_url(own_a)).status_code == 200
    assert client.get(report_url(own_b)).status_code == 200
    # Another body's contract, under your body or under theirs: 404.
    wrong = reverse(
        "reports:commissioner_contract_report",
        kwargs={"body_slug": "north-icb", "contract_pk": other.pk},
    )
    assert client.get(wrong).status_code == 404
    assert client.get(report_url(other)).status_code == 404
    for fmt in ("pdf", "xlsx", "csv"):
        assert client.get(wrong + f"?format={fmt}").status_code == 404


@pytest.mark.django_db
def test_a_commissioner_gets_404_on_the_organisation_contract_pages(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    contract = make_contract(tenant_a, commissioner.body)
    client = verified_client(commissioner.user)
    for name, kwargs in (
        ("reports:contract_list", {}),
        ("reports:contract_create", {}),
        ("reports:contract_edit", {"contract_pk": contract.pk}),
        ("reports:contract_report", {"contract_pk": contract.pk}),
        ("reports:service_burden", {"service_pk": tenant_a.service.pk}),
        ("people:person_list", {}),
    ):
        url = reverse(name, kwargs={"org_slug": "alpha", **kwargs})
        assert client.get(url).status_code == 404, name


def _pdf_text(content: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell)
        for ws in book
        for row in ws.iter_rows(values_only=True)
        for cell in row
    )


@pytest.mark.django_db
def test_no_format_of_the_report_names_a_person(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    client = verified_client(commissioner.user)
    q2 = {"period": "2025-Q2"}
    page = client.get(report_url(contract, **q2)).content.decode()
    texts = {
        "page": page,
        "csv": client.get(report_url(contract, **q2, format="csv")).content.decode(
            "utf-8-sig"
        ),
        "xlsx": _xlsx_text(
            client.get(report_url(contract, **q2, format="xlsx")).content
        ),
        "pdf": _pdf_text(client.get(report_url(contract, **q2, format="pdf")).content),
    }
    for fmt, text in texts.items():
        assert "Talking therapies" in text, fmt
        for i in range(10):
            assert f"Persona{i}" not in text, fmt
            assert f"REF-{i:03d}" not in text, fmt
            assert f"94345678{i:02d}" not in text, fmt
        assert "Zebedee" not in text, fmt
        assert "/people/" not in text, fmt


@pytest.mark.django_db
def test_every_download_is_audited_with_its_format(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    contract = make_contract(tenant_a, commissioner.body)
    client = verified_client(commissioner.user)
    for fmt, content_type in (
        ("pdf", "application/pdf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv"),
    ):
        response = client.get(report_url(contract, format=fmt))
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)
        assert "attachment" in response["Content-Disposition"]
    events = AuditEvent.objects.filter(
        action="report.export", object_id=str(contract.pk)
    )
    assert sorted(e.detail["format"] for e in events) == ["csv", "pdf", "xlsx"]
    assert all(e.actor == commissioner.user for e in events)


@pytest.mark.django_db
def test_bad_report_dates_are_a_400_naming_the_field(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    contract = make_contract(tenant_a, commissioner.body)
    client = verified_client(tenant_a.members[Role.MANAGER.value].user)
    outside = client.get(
        staff_report_url(contract, period="custom", start="2024-01-01")
    )
    assert outside.status_code == 400
    assert b"The start of the period must be within the contract" in outside.content
    backwards = client.get(
        staff_report_url(
            contract, period="custom", start="2025-09-01", end="2025-06-01"
        )
    )
    assert backwards.status_code == 400
    assert b"The end of the period must be on or after its start" in backwards.content
    nonsense = client.get(
        staff_report_url(contract, period="custom", start="31/02/2025")
    )
    assert (
        nonsense.status_code == 400
        and b"Enter the start of the period" in nonsense.content
    )
    assert client.get(staff_report_url(contract, period="1999-Q9")).status_code == 400
    funder = verified_client(commissioner.user)
    assert funder.get(report_url(contract, period="1999-Q9")).status_code == 400
    assert funder.get(report_url(contract, format="docx")).status_code == 400
    assert not AuditEvent.objects.filter(action="report.export").exists()


@pytest.mark.django_db
def test_a_quarter_can_be_chosen(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    client = verified_client(commissioner.user)
    q2 = client.get(report_url(contract, period="2025-Q2"))  # July-September 2025
    assert q2.status_code == 200
    assert b"01/07/2025 to 30/09/2025" in q2.content
    assert b'data-code="n">10<' in q2.content
    q1 = client.get(report_url(contract, period="2025-Q1"))
    assert b'data-code="n">0<' in q1.content


@pytest.mark.django_db
def test_organisation_members_with_report_view_see_the_report(
    tenant_a: Tenant, tenant_b: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    url = reverse(
        "reports:contract_report",
        kwargs={"org_slug": "alpha", "contract_pk": contract.pk},
    )
    for role in (Role.ORG_ADMIN, Role.MANAGER, Role.VIEWER):
        response = verified_client(tenant_a.members[role.value].user).get(url)
        assert response.status_code == 200, role
        assert b"Methods" in response.content
    assert verified_client(tenant_a.members["worker"].user).get(url).status_code == 403
    other = reverse(
        "reports:contract_report",
        kwargs={"org_slug": "beta", "contract_pk": contract.pk},
    )
    admin_b = verified_client(tenant_b.members["org_admin"].user)
    assert admin_b.get(other).status_code == 404


@pytest.mark.django_db
def test_the_web_page_has_the_chart_with_disclosed_data_and_the_methods(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    for i in range(20):
        add_person(
            tenant_a,
            f"P{i}",
            [(dt.date(2025, 5, 1), 20), (dt.date(2025, 9, 1), 5 if i < 12 else 19)],
        )
    contract = make_contract(tenant_a, commissioner.body)
    client = verified_client(commissioner.user)
    page = client.get(report_url(contract, period="2025-Q2")).content.decode()
    assert 'data-chart="chart-phq9-total"' in page
    # 12 of 20 improved: shown 10 of 20 = 50.0% (from the rounded counts), not 60%.
    assert '"value":50.0' in page
    assert '"value":60.0' not in page
    assert "Change thresholds and their sources" in page
    assert "NHS Talking Therapies" in page  # the threshold's citation
    assert "Disclosure control" in page


@pytest.mark.django_db
def test_without_reliable_change_figures_the_chart_shows_the_mean_scores(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body, figures=["mean_change"])
    report = build_report(contract, start=START, end=END)
    (outcome,) = report.outcomes
    assert outcome.chart is not None
    assert outcome.chart.spec["data"]["values"] == [
        {"label": "Mean first score", "value": 16.0},
        {"label": "Mean later score", "value": 11.1},
    ]


def test_unused_helpers_make_valid_answers() -> None:
    assert sum(v for k, v in phq9_answers(22).items() if k != "phq9_difficulty") == 22


def make_commissioner_user(body: CommissionerBody, email: str) -> Any:
    user = make_user(email)
    CommissionerMembership.objects.create(user=user, body=body)
    return user


@pytest.mark.django_db(transaction=True)
def test_a_report_read_on_several_connections_equals_one_read_in_turn(
    tenant_a: Tenant, commissioner: CommissionerMembership, monkeypatch: Any
) -> None:
    """On PostgreSQL outside a transaction the collection summary and each measure
    are read at the same time on their own connections; the figures are those of
    reading them one after the other."""
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body, measures=("phq9", "gad7"))
    threads: set[int] = set()
    real = selectors.outcome_values

    def spy(**kwargs: Any) -> Any:
        threads.add(threading.get_ident())
        return real(**kwargs)

    monkeypatch.setattr(selectors, "outcome_values", spy)
    together = build_report(contract, start=START, end=END)
    if connection.vendor == "postgresql":
        assert threads - {threading.get_ident()}  # read on another thread
    monkeypatch.setattr(selectors, "run_together", lambda *tasks: [t() for t in tasks])
    in_turn = build_report(contract, start=START, end=END)
    assert [(f.name, f.measure, f.value) for f in together.all_figures()] == [
        (f.name, f.measure, f.value) for f in in_turn.all_figures()
    ]
    assert shown(together, "n") == 10


def test_run_together_raises_a_task_s_error() -> None:
    def fails() -> None:
        raise ValueError("bad task")

    with pytest.raises(ValueError, match="bad task"):
        selectors.run_together(lambda: 1, fails)
    assert selectors.run_together(lambda: 1, lambda: 2) == [1, 2]


@pytest.mark.django_db
def test_the_report_and_its_files_show_dates_day_first(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    client = verified_client(commissioner.user)
    query = {"period": "2025-Q2"}
    page = client.get(report_url(contract, **query)).content.decode()
    assert "01/07/2025 to 30/09/2025" in page
    csv_rows = (
        client.get(report_url(contract, **query, format="csv"))
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert csv_rows[1].startswith(f"{contract.name},01/07/2025,30/09/2025,")
    xlsx = _xlsx_text(client.get(report_url(contract, **query, format="xlsx")).content)
    pdf = _pdf_text(client.get(report_url(contract, **query, format="pdf")).content)
    assert "01/07/2025 to 30/09/2025" in xlsx
    assert "01/07/2025 to 30/09/2025" in pdf
    staff = verified_client(tenant_a.members[Role.MANAGER.value].user)
    custom = {"period": "custom", "start": "01/07/2025", "end": "30/09/2025"}
    page = staff.get(staff_report_url(contract, **custom)).content.decode()
    assert "01/07/2025 to 30/09/2025" in page
    assert 'value="01/07/2025"' in page and 'type="date"' not in page
