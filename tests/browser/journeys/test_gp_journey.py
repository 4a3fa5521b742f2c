"""The GP's summary, on the demo: Dr Reid at Brook Lane signs in, opens the caseload,
opens a person's clinician summary, reads the latest result with its measurement-error
band, the reliable-change statement and the caseness wording, and copies the text for
the clinical record.

What is seen: a chart titled "with 95% measurement-error band" draws error bars, and
one without a band is not titled with one; the page and the copied text give the
measurement error as "+/- N points, 95%" and say "below the caseness threshold (N or
more)" where the person is not a case. What is stored: the scores shown are the stored
scale results; the SEM used is the one the measure's definition gives from its
published figures (for every form they take: a published SEM, a published change
figure that is a multiple of the SEM, or SD x sqrt(1 - r)); viewing and copying change
nothing and, as today, add no audit event.
"""

from __future__ import annotations

import math
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openproms.audit.models import AuditEvent
from openproms.collection.models import Administration, ScaleResult
from openproms.people.models import Consent, ServiceUser
from openproms.people.selectors import service_users_for
from openproms.people.services import consent_record
from openproms.scoring import get_measure, margin_text, scale_measurement_error
from openproms.scoring.reliability import SEM_MULTIPLE

pytestmark = pytest.mark.browser

GP = "gp@brook-lane.example"


def _sem_from_the_definitions_own_figures(measure_id: str, scale_id: str) -> float:
    """The SEM worked out here, by hand, from the figures in the definition JSON."""
    scale = next(
        s for s in get_measure(measure_id).raw["scales"] if s["id"] == scale_id
    )
    if "sem" in scale:
        return float(scale["sem"]["value"])
    if "sem_from_change" in scale:
        change = scale["sem_from_change"]
        factor = change.get("unit_factor", 1)
        return change["value"] * factor / SEM_MULTIPLE[change["equals"]]
    sd, r = scale["reference_sd"]["value"], scale["reliability"]["value"]
    return float(sd * math.sqrt(1 - r))


def _gad7_results(person: ServiceUser) -> list[ScaleResult]:
    return list(
        ScaleResult.objects.filter(
            administration__service_user=person,
            administration__measure_id="gad7",
            scale_id="total",
            value__isnull=False,
        ).order_by("administration__completed_at", "administration_id")
    )


def _someone_below_the_gad7_threshold(gp) -> ServiceUser:  # type: ignore[no-untyped-def]
    """A person on the GP's caseload with three or more GAD-7 scores, the latest
    below the caseness threshold."""
    membership = gp.memberships.get(organisation__slug="brook-lane")
    for person in service_users_for(membership).order_by("family_name", "given_name"):
        results = _gad7_results(person)
        if len(results) >= 3 and results[-1].is_case is False:
            return person
    raise AssertionError("the demo has no such person on the GP's caseload")


def _chart_titles_match_their_bands(page: Page) -> list[str]:
    """Every rendered chart: a band in the title exactly when error bars are drawn."""
    titles = []
    for chart in page.locator(".app-chart__canvas").all():
        expect(chart).to_have_attribute("data-rendered", "true")
        title = chart.locator("svg .role-title-text").text_content() or ""
        # Vega draws the error bars as a rule mark: one line per score.
        bars = chart.locator("svg g.mark-rule.role-mark line").count()
        assert ("measurement-error band" in title) == (bars > 0), (title, bars)
        titles.append(title)
    return titles


def test_the_gp_reads_a_summary_with_its_measurement_error_and_copies_it(
    page: Page, demo, sign_in_as, shot
) -> None:  # type: ignore[no-untyped-def]
    gp = sign_in_as(page, GP)
    person = _someone_below_the_gad7_threshold(gp)
    # The record text is for people who agreed to share their results with their GP.
    consent_record(
        service_user=person,
        kind=Consent.Kind.SHARE_WITH_GP,
        given=True,
        decided_on=timezone.localdate(),
        note="Agreed at the review appointment",
        actor=gp,
    )
    stored = _gad7_results(person)
    audit_before = set(AuditEvent.objects.values_list("pk", flat=True))
    answers_before = Administration.objects.filter(service_user=person).count()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Brook Lane Surgery")
    shot(page, "home")

    page.get_by_role("link", name="Open your caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    shot(page, "caseload")

    page.get_by_role("link", name=re.compile(re.escape(person.display_name))).click()
    shot(page, "person")
    page.get_by_role("link", name=re.compile("^Clinician summary")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clinician summary")
    page.wait_for_selector(".app-chart__canvas svg")
    shot(page, "clinician summary")

    # The charts: each title says "band" exactly when it draws one.
    titles = _chart_titles_match_their_bands(page)
    assert "GAD-7 total with 95% measurement-error band" in titles
    assert "PHQ-9 total with 95% measurement-error band" in titles

    # The latest GAD-7 result, its band, the reliable-change statement, caseness.
    gad7 = page.locator("section").filter(
        has=page.get_by_role("heading", name=re.compile("^GAD-7 total"))
    )
    definition = get_measure("gad7")
    scale = definition.scale("total")
    error = scale_measurement_error(scale)
    assert error is not None
    words = margin_text(scale, error)
    assert re.fullmatch(r"\+/- \d+ points, 95%", words)
    latest = stored[-1]
    row = lambda key: gad7.locator(".nhsuk-summary-list__row").filter(  # noqa: E731
        has=page.locator("dt", has_text=re.compile(f"^{key}$"))
    )
    expect(row("Latest").locator("dd")).to_contain_text(
        f"{latest.value:g} on {latest.administration.completed_at.day} "
        f"{latest.administration.completed_at:%b %Y}"
    )
    expect(row("Measurement error").locator("dd")).to_contain_text(
        f"{words} (standard error of measurement {error.sem:.2f})"
    )
    expect(row("Measurement error").locator("dd")).to_contain_text("Bischoff T")
    first_vs_latest = row("First vs latest").locator("dd").inner_text()
    delta = latest.value - stored[0].value
    assert re.fullmatch(
        r"(Reliable improvement|Reliable deterioration|No reliable change) "
        r"\([+-]?\d+(\.\d+)?\)",
        first_vs_latest,
    )
    assert first_vs_latest.endswith(f"({'+' if delta > 0 else ''}{delta:g})")
    expect(row("Case at latest score").locator("dd")).to_contain_text(
        "No: below the caseness threshold (8 or more)"
    )
    gad7.get_by_text("Show the figures as a table").click()
    shot(page, "gad-7 figures")
    table_rows = gad7.locator("tbody tr")
    expect(table_rows).to_have_count(len(stored))
    low, high = (
        max(0, latest.value - error.margin),
        min(21, latest.value + error.margin),
    )
    expect(table_rows.last).to_contain_text(f"{round(low, 2):g} to {round(high, 2):g}")

    # Copy the text for the clinical record.
    record = page.locator("#record-text").input_value()
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    shot(page, "copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == record
    assert f"ref {person.reference}" in copied
    assert f"  Measurement error: {words}." in copied
    assert re.search(r"  Measurement error: \+/- \d+ points, 95%\.", copied)
    assert "below the caseness threshold (8 or more)." in copied
    assert "not a case (caseness" not in copied and "Above the" not in copied
    history = ", ".join(
        f"{r.value:g} ({r.administration.completed_at:%d/%m/%Y})" for r in stored
    )
    assert f"GAD-7 total [SNOMED CT 445455005]: {history}." in copied

    # What is stored: the SEM used is the one the definition's own figures give.
    for measure_id in ("gad7", "phq9"):
        used = scale_measurement_error(get_measure(measure_id).scale("total"))
        assert used is not None
        assert used.sem == pytest.approx(
            _sem_from_the_definitions_own_figures(measure_id, "total")
        )
    assert error.sem == pytest.approx(5.59 / (1.96 * math.sqrt(2)))
    # Reading and copying changed nothing of the person's record: the only writes are
    # the home page's daily sweep of windows that have closed (an installation job)
    # and the audit of what the GP looked at (the caseload, the person, the summary).
    new_events = AuditEvent.objects.exclude(pk__in=audit_before)
    new_actions = set(new_events.values_list("action", flat=True))
    assert new_actions <= {"time_point.close_missed", "records.view"}
    looked = [
        e.detail["view"]
        for e in new_events.filter(action="records.view", actor=gp).order_by("pk")
        if f"|{person.pk}|" in (e.people or "")
    ]
    assert looked[-3:] == ["caseload", "person page", "clinician summary"], looked
    assert Administration.objects.filter(service_user=person).count() == answers_before
