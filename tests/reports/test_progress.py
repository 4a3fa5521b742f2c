"""'My progress' for the person (self-completion link, hand-over screen) and the
printable progress sheet: content, token checks, kiosk access, the PDF."""

from __future__ import annotations

import datetime as dt
import re

import pypdfium2 as pdfium
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openproms.audit.models import AuditEvent
from openproms.collection import links
from openproms.collection.models import CollectionSettings, SelfCompletionLink
from openproms.reports import progress_pdf
from tests.conftest import Tenant, verified_client
from tests.people.factories import on_caseload
from tests.reports import hand_over, phq9_answers, scored, swemwbs_answers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _person_with_scores(tenant: Tenant):  # type: ignore[no-untyped-def]
    person = on_caseload(tenant, "P1", given_name="Pat", family_name="Jones")
    scored(tenant, person, "phq9", phq9_answers(18), 60)
    scored(tenant, person, "phq9", phq9_answers(14), 30)
    scored(tenant, person, "phq9", phq9_answers(8, item9=2), 1)
    scored(tenant, person, "swemwbs", swemwbs_answers(2), 50)
    scored(tenant, person, "swemwbs", swemwbs_answers(4), 2)
    return person


def _link(tenant: Tenant, person, **changes):  # type: ignore[no-untyped-def]
    made = links.link_create(
        organisation=tenant.organisation,
        service_user=person,
        time_points=[],
        actor=tenant.members["worker"].user,
    )
    if changes:
        SelfCompletionLink.objects.filter(pk=made.link.pk).update(**changes)
    return made


def test_the_progress_page_says_what_changed_since_they_started_and_since_last_time(
    tenant_a: Tenant,
) -> None:
    person = _person_with_scores(tenant_a)
    made = _link(tenant_a, person)
    page = Client().get(f"/s/{made.token}/progress/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Since you started, your PHQ-9 total score went down from 18 to 8." in text
    assert "Since last time, it went down from 14 to 8." in text
    assert "A lower score is better." in text
    assert "Your score fell" not in text  # the engine's first-against-latest wording


def test_the_progress_page_compares_with_the_cited_average_where_there_is_one(
    tenant_a: Tenant,
) -> None:
    person = _person_with_scores(tenant_a)
    made = _link(tenant_a, person)
    text = Client().get(f"/s/{made.token}/progress/").content.decode()
    assert "The average for men in England is 23.7." in text
    assert "The average for women in England is 23.2." in text
    # PHQ-9 has no cited norm: no average is made up for it.
    assert text.count("The average for") == 2


def test_the_progress_page_shows_no_risk_items_answers_or_band_labels(
    tenant_a: Tenant,
) -> None:
    person = _person_with_scores(tenant_a)
    made = _link(tenant_a, person)
    text = Client().get(f"/s/{made.token}/progress/").content.decode().lower()
    for word in ("severe", "moderate", "mild", "caseness", "risk", "self-harm"):
        assert word not in text, word
    assert "phq9_9" not in text and "better off dead" not in text


def test_a_service_showing_thank_you_only_says_so_politely(
    tenant_a: Tenant,
) -> None:
    person = _person_with_scores(tenant_a)
    CollectionSettings.objects.create(service=tenant_a.service, show_results=False)
    made = _link(tenant_a, person)
    text = Client().get(f"/s/{made.token}/progress/").content.decode()
    assert "does not show results on screen" in text
    assert "Your score" not in text and "18" not in text.split("<main")[1]
    # The worker can still print the sheet.
    client = verified_client(tenant_a.members["worker"].user)
    sheet = client.get(
        reverse(
            "reports:progress_sheet",
            kwargs={"org_slug": "alpha", "person_pk": person.pk},
        )
    )
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"


def test_a_used_link_still_shows_progress_until_it_expires(tenant_a: Tenant) -> None:
    person = _person_with_scores(tenant_a)
    made = _link(tenant_a, person, used_at=timezone.now())
    assert Client().get(f"/s/{made.token}/progress/").status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"expires_at": timezone.now() - dt.timedelta(minutes=1)},
        {"revoked_at": timezone.now()},
    ],
)
def test_an_expired_or_revoked_link_gets_the_same_not_working_page(
    tenant_a: Tenant, changes: dict
) -> None:
    person = _person_with_scores(tenant_a)
    made = _link(tenant_a, person, **changes)
    bad = Client().get(f"/s/{made.token}/progress/")
    wrong = Client().get("/s/not-a-real-token-at-all/progress/")
    assert bad.status_code == wrong.status_code == 404
    csrf = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')
    assert csrf.sub(b"", bad.content) == csrf.sub(b"", wrong.content)
    assert b"This link does not work" in bad.content
    assert b"Pat" not in bad.content


def test_wrong_tokens_are_rate_limited_like_answering(tenant_a: Tenant) -> None:
    client = Client()
    for n in range(links.ATTEMPT_LIMIT):
        assert client.get(f"/s/wrong-{n}/progress/").status_code == 404
    assert client.get("/s/wrong-last/progress/").status_code == 429


def test_the_session_progress_page_needs_a_finished_link_in_the_session(
    tenant_a: Tenant,
) -> None:
    person = _person_with_scores(tenant_a)
    made = _link(tenant_a, person, used_at=timezone.now())
    client = Client()
    assert client.get("/s/done/progress/").status_code == 404
    session = client.session
    session["openproms_self_progress"] = made.link.pk
    session.save()
    page = client.get("/s/done/progress/")
    assert page.status_code == 200 and b"Your progress" in page.content
    SelfCompletionLink.objects.filter(pk=made.link.pk).update(revoked_at=timezone.now())
    assert client.get("/s/done/progress/").status_code == 404


def test_the_kiosk_progress_page_is_reachable_in_hand_over_mode_only(
    tenant_a: Tenant,
) -> None:
    person = _person_with_scores(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse("reports:kiosk_progress", kwargs={"org_slug": "alpha"})
    assert client.get(url).status_code == 302  # not in hand-over mode
    page = hand_over(client, tenant_a, person, "Wendy").get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Since you started, your PHQ-9 total score went down from 18 to 8." in text
    assert "nhsuk-header__navigation" not in text
    # Everything else still leads back to the kiosk.
    other = client.get(f"/o/alpha/people/{person.pk}/")
    assert other.status_code == 302 and "hand-over" in other["Location"]


def test_the_finished_pages_link_to_my_progress(tenant_a: Tenant) -> None:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.organisation = tenant_a.organisation  # type: ignore[attr-defined]
    thanks = render_to_string(
        "collection/answer/self_thanks.html",
        {"organisation": tenant_a.organisation},
        request=request,
    )
    assert 'href="/s/done/progress/"' in thanks and "See my progress" in thanks
    finished = render_to_string(
        "collection/answer/kiosk_finished.html",
        {"state": {}, "base": "collection/answer/kiosk_base.html"},
        request=request,
    )
    assert 'href="/o/alpha/answer/hand-over/progress/"' in finished


def test_the_progress_sheet_is_an_a4_pdf_in_large_type_and_audited(
    tenant_a: Tenant,
) -> None:
    person = _person_with_scores(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    response = client.get(
        reverse(
            "reports:progress_sheet",
            kwargs={"org_slug": "alpha", "person_pk": person.pk},
        )
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(response.content)
    first = document[0]
    width, height = first.get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    image = first.render(scale=1).to_pil()
    assert abs(image.size[0] - 595) <= 1 and abs(image.size[1] - 842) <= 1
    low, high = image.convert("L").getextrema()
    assert low < 100 and high == 255  # something is drawn
    text = (
        "".join(page.get_textpage().get_text_range() for page in document)
        .replace("\r\n", " ")
        .replace("\n", " ")
    )
    assert "Your progress" in text
    assert "Pat Jones" in text
    assert "Since you started, your PHQ-9 total score went down from 18 to 8." in text
    assert "severe" not in text.lower()
    assert progress_pdf.BODY.fontSize >= 14
    assert (
        progress_pdf.H1.fontSize > progress_pdf.H2.fontSize > progress_pdf.BODY.fontSize
    )
    event = AuditEvent.objects.get(action="progress.export_pdf")
    assert event.detail["format"] == "pdf"


def test_a_worker_cannot_print_someone_outside_their_caseload(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    from tests.people.factories import person as make_person

    outsider = make_person(tenant_a, "X1")
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "reports:progress_sheet", kwargs={"org_slug": "alpha", "person_pk": outsider.pk}
    )
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="progress.export_pdf").exists()


def _ucla3(total: int) -> dict[str, int]:
    first = total - 2 * (total // 3)
    return {"ucla3_1": first, "ucla3_2": total // 3, "ucla3_3": total // 3}


def test_the_hand_over_page_compares_since_last_time_with_the_previous_score(
    tenant_a: Tenant,
) -> None:
    # First 6, then 4, now 6 again: the same as when they started, but up since
    # last time (it used to say "the same as last time (6)").
    person = on_caseload(tenant_a, "U1", given_name="Una", family_name="Lee")
    for total, days_ago in ((6, 60), (4, 30), (6, 1)):
        scored(tenant_a, person, "ucla3", _ucla3(total), days_ago)
    client = hand_over(
        verified_client(tenant_a.members["worker"].user), tenant_a, person, "Wendy"
    )
    page = client.get(reverse("reports:kiosk_progress", kwargs={"org_slug": "alpha"}))
    text = page.content.decode()
    assert "Since you started, your UCLA-3 total score has stayed at 6." in text
    assert "Since last time, it went up from 4 to 6." in text
    assert "same as last time" not in text


def test_the_progress_page_gives_the_summary_first_and_the_caveat_once(
    tenant_a: Tenant,
) -> None:
    person = _person_with_scores(tenant_a)
    made = _link(tenant_a, person)
    text = Client().get(f"/s/{made.token}/progress/").content.decode()
    main = text.split("<main", 1)[1]
    summary_at = main.index("What has changed")
    assert summary_at < main.index("What got better") < main.index('class="app-chart"')
    # PHQ-9 18 -> 14 -> 8 is better; SWEMWBS 14 -> 28 is better too.
    better = main[main.index("What got better") : main.index("Your scores over time")]
    assert "PHQ-9 total score went down from 18 to 8." in better
    assert "SWEMWBS metric score went up from" in better
    assert main.count("A small change may not mean much.") == 1


def _scale_with(days: list[dt.date]):  # type: ignore[no-untyped-def]
    from openproms.reports.progress_services import Point, ScaleProgress
    from openproms.scoring import get_measure

    definition = get_measure("phq9")
    points = [
        Point(dt.datetime(d.year, d.month, d.day, 10, tzinfo=dt.UTC), 10.0, "", None)
        for d in days
    ]
    return ScaleProgress("phq9", definition, definition.scale("total"), points)


def test_a_chart_of_a_few_weeks_names_the_day_of_each_score() -> None:
    # 3 Nov to 7 Dec: no quarter starts between them, so month ticks every third
    # month named no date at all.
    axis = _scale_with([dt.date(2026, 11, 3), dt.date(2026, 12, 7)]).person_chart()[
        "encoding"
    ]["x"]["axis"]
    assert axis["values"] == [
        {"year": 2026, "month": 11, "date": 3},
        {"year": 2026, "month": 12, "date": 7},
    ]
    assert axis["format"] == "%-d %b %Y" and "tickCount" not in axis


def test_a_chart_of_many_scores_names_months() -> None:
    year = [dt.date(2026, 1, 5) + dt.timedelta(weeks=5 * n) for n in range(9)]
    axis = _scale_with(year).person_chart()["encoding"]["x"]["axis"]
    assert "values" not in axis
    assert axis["tickCount"] == {"interval": "month", "step": 1}
    years = [dt.date(2024, 1, 5) + dt.timedelta(weeks=12 * n) for n in range(9)]
    axis = _scale_with(years).person_chart()["encoding"]["x"]["axis"]
    assert axis["tickCount"] == {"interval": "month", "step": 3}
