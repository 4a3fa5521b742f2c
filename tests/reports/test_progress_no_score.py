"""The person's progress when their latest answers gave no score for a scale (a
question left blank): the page and the sheet say so, name the date of the last
score there is, and never say "since last time" about answers with no score."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from openproms.collection import links
from openproms.collection.models import ScaleResult
from openproms.reports.progress_pdf import progress_pdf
from openproms.reports.progress_services import person_progress
from openproms.scoring import default_library
from tests.conftest import Tenant
from tests.people.factories import on_caseload
from tests.reports import scored
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db

ONS4 = {
    "ons4_life_satisfaction": 7,
    "ons4_worthwhile": 7,
    "ons4_happiness": 6,
    "ons4_anxiety": 3,
}


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _day(days_ago: int) -> str:
    when = timezone.localtime(timezone.now() - dt.timedelta(days=days_ago))
    return date_format(when, "j F Y")


def _dev(tenant: Tenant) -> Any:
    """Dev: Happiness 6, then 4, then today's answers with question 3 blank."""
    person = on_caseload(tenant, "DC1", given_name="Dev", family_name="Clarke")
    scored(tenant, person, "ons4", ONS4, 120)
    scored(tenant, person, "ons4", ONS4 | {"ons4_happiness": 4}, 78)
    today = scored(tenant, person, "ons4", ONS4 | {"ons4_happiness": None}, 0)
    stored = ScaleResult.objects.get(administration=today, scale_id="happiness")
    assert stored.value is None and stored.items_missing == 1
    return person


def _page(tenant: Tenant, person: Any) -> str:
    made = links.link_create(
        organisation=tenant.organisation,
        service_user=person,
        time_points=[],
        actor=tenant.members["worker"].user,
    )
    response = Client().get(f"/s/{made.token}/progress/")
    assert response.status_code == 200
    text = visible_text(response.content)
    assert internal_ids_in(text, list(default_library())) == [], text
    return text


def test_the_page_says_the_latest_answers_gave_no_score_and_dates_the_last_one(
    tenant_a: Tenant,
) -> None:
    text = _page(tenant_a, _dev(tenant_a))
    assert (
        f"Your latest answers, on {_day(0)}, gave no ONS4 Happiness score "
        "because question 3 was left blank." in text
    )
    assert (
        f"From when you started to {_day(78)}, your ONS4 Happiness score went "
        "down from 6 to 4." in text
    )
    # Nothing "since last time" about Happiness, which had no score last time.
    assert "Since last time, it has stayed at 4" not in text
    assert "Since you started, your ONS4 Happiness score" not in text
    # The other scales scored today, and say so as before.
    assert "Since last time, it has stayed at 7." in text
    assert "no ONS4 Life satisfaction score" not in text
    # The table beside the chart has today's answers, with no score.
    assert f"{_day(0)}\nNo score" in text


def test_at_a_gp_practice_the_page_still_names_the_care_team(
    tenant_a: Tenant,
) -> None:
    tenant_a.organisation.kind = "gp_practice"
    tenant_a.organisation.save()
    text = _page(tenant_a, _dev(tenant_a))
    assert "gave no ONS4 Happiness score" in text
    assert "Your care team can talk with you about this." in text
    assert "your worker" not in text.lower()


def test_a_scale_scored_once_before_blank_answers_dates_that_score(
    tenant_a: Tenant,
) -> None:
    person = on_caseload(tenant_a, "DC2")
    scored(tenant_a, person, "ons4", ONS4 | {"ons4_happiness": 4}, 78)
    scored(tenant_a, person, "ons4", ONS4 | {"ons4_happiness": None}, 0)
    text = _page(tenant_a, person)
    assert f"Your last ONS4 Happiness score, on {_day(78)}, was 4." in text
    assert "Your ONS4 Happiness score is 4." not in text


def test_the_sheet_says_the_same_and_its_chart_runs_to_the_latest_answers(
    tenant_a: Tenant,
) -> None:
    person = _dev(tenant_a)
    progress = person_progress(service_user=person)
    [happiness] = [s for m in progress for s in m.scales if s.scale.id == "happiness"]
    assert happiness.no_score_at is not None
    assert happiness.blank_questions == (3,)
    assert [p.value for p in happiness.points] == [6, 4]
    pdf = progress_pdf(
        name=person.display_name,
        organisation_name="Alpha",
        progress=progress,
        today=timezone.localdate(),
    )
    document = pdfium.PdfDocument(io.BytesIO(pdf))
    text = " ".join(
        " ".join(page.get_textpage().get_text_range().split()) for page in document
    ).replace("\xa0", " ")
    assert (
        f"Your latest answers, on {_day(0)}, gave no ONS4 Happiness score "
        "because question 3 was left blank." in text
    )
    assert f"From when you started to {_day(78)}" in text
    assert "Since last time, it has stayed at 4" not in text
    # The chart's dates run to this month (the latest answers), not September's.
    assert date_format(timezone.localdate(), "M Y") in text


def test_a_welsh_speaker_reads_it_in_welsh(tenant_a: Tenant) -> None:
    person = _dev(tenant_a)
    person.preferred_language = "cy"
    person.save()
    text = _page(tenant_a, person)
    assert "o'ch atebion diweddaraf" in text
    assert "oherwydd bod cwestiwn 3 wedi'i adael yn wag." in text
    assert "O'r adeg y dechreuoch chi hyd at" in text
    assert "Dim sgôr" in text
    assert "Your latest answers" not in text and "No score" not in text
