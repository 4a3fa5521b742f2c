"""The commissioner report's fair comparison of services: disclosure-controlled
funnel figures, services only."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io

import numpy as np
import pytest

from openproms.accounts.models import CommissionerMembership, Service
from openproms.people.models import Episode, ServiceUser
from openproms.reports import selectors
from openproms.reports.exports import report_csv
from openproms.reports.report_builder import build_report
from openproms.stats.funnel import Z95
from tests.conftest import Tenant, verified_client
from tests.reports.test_commissioner_reports import (
    END,
    START,
    add_person,
    make_contract,
    report_url,
)

SIZES = {"Main": 23, "Hill Road": 14, "Small Room": 4}


@pytest.fixture
def contract(tenant_a: Tenant, commissioner: CommissionerMembership):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    services = {
        "Main": tenant_a.service,
        "Hill Road": Service.objects.create(
            organisation=tenant_a.organisation, name="Hill Road"
        ),
        "Small Room": Service.objects.create(
            organisation=tenant_a.organisation, name="Small Room"
        ),
    }
    tenant_a.service.name = "Main"
    tenant_a.service.save()
    i = 0
    for name, size in SIZES.items():
        for _ in range(size):
            first = int(rng.integers(10, 26))
            later = int(np.clip(first - rng.integers(-3, 12), 0, 27))
            who = add_person(
                tenant_a,
                f"S{i:03d}",
                [(dt.date(2025, 5, 1), first), (dt.date(2025, 9, 1), later)],
            )
            Episode.objects.filter(service_user=who).update(service=services[name])
            i += 1
    made = make_contract(tenant_a, commissioner.body)
    made.services.set(services.values())
    return made


def figures(report):  # type: ignore[no-untyped-def]
    return {
        f.label: f.value
        for f in report.all_figures()
        if f.section.startswith("Fair comparison of services")
    }


def test_services_are_compared_with_small_ones_suppressed(contract):
    report = build_report(contract, start=START, end=END)
    shown = figures(report)
    assert shown["Main: people with a first and a later score"] == 25  # 23, rounded
    assert shown["Hill Road: people with a first and a later score"] == 15
    assert shown["Small Room: people with a first and a later score"] == "*"
    assert shown["Small Room: mean change adjusted for case-mix"] == "*"
    assert shown["Small Room: 95% lower limit"] == "*"
    assert shown["Small Room: where it sits"] == "*"
    assert isinstance(shown["Main: mean change adjusted for case-mix"], float)
    outcome = report.outcomes[0]
    assert outcome.funnel is not None
    drawn = {p["group"] for p in outcome.funnel.spec["layer"][2]["data"]["values"]}
    assert drawn == {"Main", "Hill Road"}


def test_each_pair_carries_its_persons_labels(contract, tenant_a):
    """The columns the dashboards and the report read, and the pairs made from
    them, give each person the labels worked out here by hand from what was
    recorded: service, key worker, sex, ethnic group, age band at the first score
    (a leap-day birthday, a 15-year-old, nothing recorded) and the quarter of the
    later score."""
    people = list(
        ServiceUser.objects.filter(organisation=tenant_a.organisation).order_by("pk")
    )
    worker = tenant_a.members["worker"].user
    sexes = [("female", "Female"), ("male", "Male")]
    sexes += [("not_stated", "Prefer not to say"), ("", "Not recorded")]
    ethnicities = [
        ("white_irish", "White"),
        ("other_arab", "Other ethnic group"),
        ("not_stated", "Not recorded"),
        ("", "Not recorded"),
        ("asian_indian", "Asian, Asian British or Asian Welsh"),
    ]
    births = [
        (dt.date(2000, 2, 29), "25 to 34"),  # 25 on 1 May 2025
        (dt.date(1960, 9, 1), "55 to 64"),
        (dt.date(2009, 9, 2), "Under 16"),
        (None, "Not known"),
    ]
    names = {s.pk: s.name for s in contract.services.all()}
    expected: collections.Counter[tuple[str, ...]] = collections.Counter()
    for i, who in enumerate(people):
        who.sex, sex = sexes[i % 4]
        who.ethnicity, ethnic_group = ethnicities[i % 5]
        who.date_of_birth, band = births[i % 4]
        who.save()
        episode = who.episodes.get()
        if i % 3 == 0:
            episode.key_worker = worker
            episode.save()
        expected[
            (
                sex,
                ethnic_group,
                band,
                worker.display_name if i % 3 == 0 else "Not recorded",
                names[episode.service_id],
                "2025-26 Q2",  # the later score, 1 September 2025
            )
        ] += 1
    organisation = contract.organisation
    services = list(contract.services.all())
    common = {
        "organisation": organisation,
        "measure_id": "phq9",
        "scale_id": "total",
        "start": START,
        "end": END,
        "include_pilot": False,
        "pairing": "latest",
    }
    columns = selectors.outcome_factors(
        **common,
        scope=selectors.episode_scope(organisation, services, audience="funders"),
        episodes=selectors.episode_factors(organisation, services),
    )
    labels = [columns.factors[key].labels().tolist() for key in selectors.FACTOR_KEYS]
    assert collections.Counter(zip(*labels, strict=True)) == expected
    pairs = selectors.outcome_pairs(**common, services=services)
    assert len(pairs) == sum(SIZES.values())
    assert (
        collections.Counter(
            tuple(p.groups[key] for key in selectors.FACTOR_KEYS) for p in pairs
        )
        == expected
    )
    assert {p.latest_on for p in pairs} == {dt.date(2025, 9, 1)}
    assert columns.scores.first.tolist() == [p.first for p in pairs]


def test_the_limits_shown_are_those_for_the_rounded_count(contract):
    shown = figures(build_report(contract, start=START, end=END))

    def half(name: str) -> float:
        low = shown[f"{name}: 95% lower limit"]
        high = shown[f"{name}: 95% upper limit"]
        return (high - low) / 2

    sd = half("Main") * 25**0.5 / Z95  # Main is drawn at its shown 25
    # Hill Road's limits are at its shown 15 people, not its true 14.
    assert half("Hill Road") == pytest.approx(Z95 * sd / 15**0.5, abs=0.02)
    assert half("Hill Road") != pytest.approx(Z95 * sd / 14**0.5, abs=0.02)


def test_no_worker_is_named_in_the_report_or_its_csv(contract, tenant_a):
    report = build_report(contract, start=START, end=END)
    text = report_csv(report).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any("Fair comparison of services" in r[3] for r in rows[1:])
    for member in tenant_a.members.values():
        assert member.user.display_name not in text
    assert "worker" not in text.lower()


def test_the_commissioner_page_shows_the_services_funnel(contract, commissioner):
    client = verified_client(commissioner.user)
    page = client.get(report_url(contract, period="2025-Q2")).content.decode()
    assert 'data-chart="funnel-chart-phq9-total"' in page
    assert "Fair comparison of services" in page
    assert "Small Room" in page


def test_one_service_has_no_comparison(tenant_a, commissioner):
    for i in range(35):
        add_person(
            tenant_a,
            f"T{i}",
            [(dt.date(2025, 5, 1), 20), (dt.date(2025, 9, 1), 5 + i % 10)],
        )
    report = build_report(
        make_contract(tenant_a, commissioner.body), start=START, end=END
    )
    assert figures(report) == {}
    assert report.outcomes[0].funnel is None


def test_the_pdf_and_workbook_carry_the_services_comparison(contract):
    from openproms.reports.exports import report_pdf, report_xlsx
    from tests.reports.test_commissioner_reports import _pdf_text, _xlsx_text

    report = build_report(contract, start=START, end=END)
    raw = report_pdf(report)
    # Drawn in the one Welsh-capable face of every PDF (paper/typefaces.py).
    assert b"LiberationSans" in raw and b"/Helvetica" not in raw
    pdf = _pdf_text(raw)
    assert "Hill Road: mean change adjusted for case-mix" in pdf
    assert "Fair comparison of services" in pdf
    workbook = _xlsx_text(report_xlsx(report))
    assert "Small Room: people with a first and a later score" in workbook


def test_a_pair_whose_episode_was_not_read_is_not_recorded_not_guessed(
    contract, tenant_a
):
    organisation = contract.organisation
    services = list(contract.services.all())
    episodes = selectors.episode_factors(organisation, services)
    known = int(episodes.ids[0])
    day = 1_750_000_000 * 1_000_000  # June 2025, in microseconds
    paired = selectors.PairedArrays(
        first=np.array([10.0, 12.0]),
        latest=np.array([5.0, 6.0]),
        episode=np.array([known, 10**9], dtype=np.int64),
        first_at=np.array([day, day], dtype=np.int64),
        latest_at=np.array([day, day], dtype=np.int64),
        capture=selectors.outcome_values(
            organisation=organisation,
            measure_id="phq9",
            scale_id="total",
            start=START,
            end=END,
        ).capture,
    )
    factors = selectors.with_factors(paired, episodes).factors
    assert factors["service"].labels().tolist()[1] == "Not recorded"
    assert factors["worker"].labels().tolist()[1] == "Not recorded"
    assert factors["age_band"].labels().tolist()[1] == "Not known"
    assert factors["service"].labels().tolist()[0] in SIZES
    assert factors["quarter"].labels().tolist() == ["2025-26 Q1", "2025-26 Q1"]
