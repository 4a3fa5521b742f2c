"""The dashboard opens on the first measure with answers enough to show in the
period (not a measure adopted last week with nothing to show), names its two
follow-up figures so a manager can tell them apart, and says so in the table's
download too."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from openproms.accounts.models import Service
from openproms.collection.models import Administration
from openproms.reports.selectors import default_measure
from openproms.scoring import default_library
from tests.conftest import Tenant
from tests.people import factories
from tests.reports.test_contracts import use
from tests.reports.test_dashboard import D, data, manager, url  # noqa: F401
from tests.reports.test_dashboard_data import gad7_answers, phq9, scored
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db

PERIOD = {"period": "custom", "start": "01/04/2026", "end": "30/06/2026"}


def words(content: bytes) -> str:
    return " ".join(visible_text(content.decode()).split())


def chosen_measure(content: bytes) -> str | None:
    select = re.search(
        r'<select[^>]*name="measure".*?</select>', content.decode(), re.S
    )
    assert select is not None
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return found.group(1) if found else None


def test_a_measure_adopted_with_no_answers_does_not_open_the_dashboard(data):  # noqa: F811
    # ONS4 comes before PHQ-9 in the list, and nobody has answered it yet.
    use(data, "ons4", "phq9")
    page = manager(data).get(url(data), PERIOD)
    assert page.status_code == 200
    assert chosen_measure(page.content) == "phq9"
    assert 'data-scale="total"' in page.content.decode()
    text = words(page.content)
    assert "Filters: All services; Custom dates (01/04/2026 to 30/06/2026); PHQ-9;" in (
        text
    )
    assert "Of the 4 people whose latest PHQ-9 score is in the period" in text
    assert "ONS4" not in text.split("Filters:")[0]
    # Chosen on purpose, the new measure is shown, and says it has no scores yet
    # (no "a ONS4": the sentence needs no article).
    chosen = manager(data).get(url(data), {**PERIOD, "measure": "ons4"})
    assert chosen_measure(chosen.content) == "ons4"
    text = words(chosen.content)
    assert (
        "People with a pair of ONS4 scores: none yet. There are no ONS4 scores in "
        "the period yet." in text
    )
    assert not re.search(r"\ba ONS4\b", text)


def test_with_no_answers_in_the_period_the_first_measure_opens(data):  # noqa: F811
    use(data, "ons4", "phq9")
    page = manager(data).get(
        url(data), {"period": "custom", "start": "01/01/2025", "end": "31/03/2025"}
    )
    assert page.status_code == 200
    assert chosen_measure(page.content) == "ons4"


def test_the_default_measure_reads_the_period_the_service_and_pilot_answers(
    tenant_a: Tenant,
) -> None:
    org = tenant_a.organisation
    ep = factories.episode(tenant_a, factories.person(tenant_a, "B1"))
    for day in (D(2026, 4, 2), D(2026, 4, 3)):
        scored(ep, gad7_answers(5), day, measure_id="gad7")
    phq9(ep, 10, D(2026, 4, 4))
    for day in (D(2026, 1, 2), D(2026, 1, 3), D(2026, 1, 4)):
        phq9(ep, 10, day)  # before the period

    def opens(*ids: str, **kw: object) -> str | None:
        return default_measure(
            organisation=org,
            measure_ids=list(ids),
            start=D(2026, 4, 1),
            end=D(2026, 6, 30),
            **kw,  # type: ignore[arg-type]
        )

    assert opens("phq9", "gad7") == "gad7"
    assert opens("ons4", "phq9") == "phq9"
    assert opens("ons4", "core10") == "ons4"  # nothing answered: the first
    assert opens() is None
    other = Service.objects.create(organisation=org, name="Other")
    assert opens("phq9", "gad7", services=[other]) == "phq9"  # none there: first
    assert opens("phq9", "gad7", services=[tenant_a.service]) == "gad7"
    # Answers in a pilot plan count only when pilot data is asked for.
    Administration.objects.filter(measure_id="gad7").update(is_pilot=True)
    assert opens("phq9", "gad7") == "phq9"
    assert opens("phq9", "gad7", include_pilot=True) == "gad7"
    # A measure with answers enough to show keeps its place in the list (the
    # dashboard opened on the first measure before): more answers elsewhere do
    # not move it.
    Administration.objects.filter(measure_id="gad7").update(is_pilot=False)
    for i in range(9):
        phq9(ep, 10, D(2026, 5, 1 + i))
    for i in range(12):
        scored(ep, gad7_answers(5), D(2026, 5, 1 + i), measure_id="gad7")
    assert opens("phq9", "gad7") == "phq9"
    assert opens("gad7", "phq9") == "gad7"
    assert opens("ons4", "gad7", "phq9") == "gad7"


def test_the_two_follow_up_figures_are_named_apart_on_the_page_and_in_the_csv(data):  # noqa: F811
    page = manager(data).get(url(data), {**PERIOD, "measure": "phq9"})
    text = words(page.content)
    assert internal_ids_in(text, default_library()) == []
    # The headline: pairs of one measure's scores, what the change is worked out from.
    assert (
        "People with a pair of PHQ-9 scores: 100.0%. Of the 4 people whose latest "
        "PHQ-9 score is in the period, 4 have a first and a later score: the "
        "figures above are worked out from these pairs." in text
    )
    assert "Follow-up capture:" not in text
    # The collection table: new episodes, any answer; a hint says how they differ.
    table = re.search(
        r'data-table="collection".*?</table>', page.content.decode(), re.S
    )
    assert table is not None
    labels = [
        html.unescape(label)
        for label in re.findall(
            r'<th class="nhsuk-table__header" scope="row">([^<]*)<', table.group(0)
        )
    ]
    assert labels == [
        "People engaged",
        "New episodes",
        "Baseline completed (new episodes with a first answer)",
        "Follow-up capture (new episodes with a baseline that have a later answer)",
        "Time points completed",
        "Time points missed",
    ]
    assert (
        "Episodes that started in the period, whatever measures they answered. "
        "Follow-up capture is the share of those with a baseline that have answered "
        "again since. It is not the same as the people with a pair of PHQ-9 scores "
        "above, which counts everyone whose latest PHQ-9 score is in the period, "
        "whenever their episode started." in text
    )
    download = manager(data).get(
        url(data), {**PERIOD, "measure": "phq9", "download": "collection"}
    )
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == labels
