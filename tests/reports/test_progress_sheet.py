"""The printed progress sheet: one A4 page (two at most for many measures), the
summary first in Easy Read words that match the screen, 14 pt or more everywhere,
and a large-print variant."""

from __future__ import annotations

import datetime as dt
import io

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest
from django.test import Client
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.collection import links
from openproms.reports.progress_pdf import progress_pdf
from openproms.reports.progress_services import person_progress, person_summary
from openproms.scoring.easy_read import CAVEAT
from tests.conftest import Tenant, verified_client
from tests.people.factories import on_caseload
from tests.reports import phq9_answers, scored, swemwbs_answers

pytestmark = pytest.mark.django_db

ONS4 = ("ons4_life_satisfaction", "ons4_worthwhile", "ons4_happiness", "ons4_anxiety")


def _ons4(satisfied: int, worthwhile: int, happy: int, anxious: int) -> dict[str, int]:
    return dict(zip(ONS4, (satisfied, worthwhile, happy, anxious), strict=True))


def _ucla3(total: int) -> dict[str, int]:
    first = total - 2 * (total // 3)
    return {"ucla3_1": first, "ucla3_2": total // 3, "ucla3_3": total // 3}


def _like_the_demo(tenant: Tenant):  # type: ignore[no-untyped-def]
    """Ten ONS4 and ten UCLA-3 answers: the demo's person with the most measures
    (four ONS4 scales and the UCLA-3 total: five charts)."""
    person = on_caseload(tenant, "D1", given_name="Sam", family_name="Roberts")
    for n in range(10):
        days_ago = 330 - 33 * n
        scored(
            tenant,
            person,
            "ons4",
            _ons4(2 + n % 6, 3 + n % 5, n % 9, 7 - n % 4),
            days_ago,
        )
        scored(tenant, person, "ucla3", _ucla3(6 - n % 2), days_ago)
    return person


LADDER = (
    "home",
    "money",
    "health",
    "mood",
    "relationships",
    "daily_living",
    "confidence",
)


def _like_the_busiest_in_the_demo(tenant: Tenant):  # type: ignore[no-untyped-def]
    """ONS4 and the life ladder, answered four times: two measures, twelve scales
    (the demo's people with the most scales; their old sheet was 12 pages)."""
    person = on_caseload(tenant, "L1", given_name="Dev", family_name="Clarke")
    for n, days_ago in enumerate((200, 140, 70, 3)):
        scored(tenant, person, "ons4", _ons4(4 + n % 3, 4 + n, 6 - n, 8 - n), days_ago)
        ladder = {
            f"openproms_life_ladder_{domain}": 1 + (n + k) % 10
            for k, domain in enumerate(LADDER)
        }
        scored(tenant, person, "openproms_life_ladder", ladder, days_ago)
    return person


def _many_measures(tenant: Tenant):  # type: ignore[no-untyped-def]
    """Six measures, nine charts, each with three scores."""
    person = on_caseload(tenant, "M1", given_name="Max", family_name="Many")
    for days_ago, step in ((90, 0), (45, 1), (2, 2)):
        scored(tenant, person, "phq9", phq9_answers(18 - 4 * step), days_ago)
        scored(
            tenant,
            person,
            "gad7",
            {f"gad7_{i}": 2 - step // 2 for i in range(1, 8)},
            days_ago,
        )
        scored(
            tenant, person, "ons4", _ons4(3 + step, 4, 2 + 2 * step, 8 - step), days_ago
        )
        scored(tenant, person, "swemwbs", swemwbs_answers(2 + step), days_ago)
        scored(tenant, person, "ucla3", _ucla3((6, 4, 6)[step]), days_ago)
        scored(
            tenant,
            person,
            "wemwbs",
            {f"wemwbs_{i}": 2 + step for i in range(1, 15)},
            days_ago,
        )
    return person


def _sheet(person, *, large_print: bool = False) -> pdfium.PdfDocument:  # type: ignore[no-untyped-def]
    pdf = progress_pdf(
        name=person.display_name,
        organisation_name="Alpha",
        progress=person_progress(service_user=person),
        today=dt.date(2026, 12, 6),
        large_print=large_print,
    )
    return pdfium.PdfDocument(io.BytesIO(pdf))


def _text(document: pdfium.PdfDocument) -> str:
    return " ".join(
        " ".join(page.get_textpage().get_text_range().split()) for page in document
    ).replace("\xa0", " ")


def _font_sizes(document: pdfium.PdfDocument) -> set[float]:
    sizes = set()
    for page in document:
        textpage = page.get_textpage()
        for i in range(textpage.count_chars()):
            if textpage.get_text_range(i, 1).strip():
                sizes.add(round(raw.FPDFText_GetFontSize(textpage, i), 1))
    return sizes


def test_the_sheet_for_a_person_like_the_demos_is_one_page_summary_first(
    tenant_a: Tenant,
) -> None:
    document = _sheet(_like_the_demo(tenant_a))
    assert len(document) == 1
    width, height = document[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = _text(document)
    assert text.index("What has changed") < text.index("Your scores over time")
    assert text.index("What got better") < text.index("Your scores over time")
    for name in ("ONS4 Life satisfaction", "ONS4 Anxiety", "UCLA-3 total"):
        assert name in text.split("Your scores over time")[1], name


def test_two_measures_with_twelve_scales_still_fit_one_page(
    tenant_a: Tenant,
) -> None:
    person = _like_the_busiest_in_the_demo(tenant_a)
    progress = person_progress(service_user=person)
    assert (len(progress), sum(len(m.scales) for m in progress)) == (2, 12)
    document = _sheet(person)
    assert len(document) == 1
    text = _text(document)
    # Fewer words, not smaller type: the shortest summary lines, every scale named.
    assert "What has changed since you started" in text
    assert "Your Life ladder Money score went" in text
    for scale in (*progress[0].scales, *progress[1].scales):
        assert scale.scale.label in text.split("Your scores over time")[1]
    assert min(_font_sizes(document)) >= 14


def test_four_measures_with_fourteen_scales_fit_one_page(tenant_a: Tenant) -> None:
    person = _like_the_busiest_in_the_demo(tenant_a)
    for total, days_ago in ((18, 200), (12, 70), (7, 3)):
        scored(tenant_a, person, "phq9", phq9_answers(total), days_ago)
        gad7 = {f"gad7_{i}": total // 7 for i in range(1, 8)}
        scored(tenant_a, person, "gad7", gad7, days_ago)
    progress = person_progress(service_user=person)
    assert (len(progress), sum(len(m.scales) for m in progress)) == (4, 14)
    document = _sheet(person)
    assert len(document) == 1
    assert min(_font_sizes(document)) >= 14


def test_the_sheet_for_more_than_four_measures_is_two_pages_at_most(
    tenant_a: Tenant,
) -> None:
    person = _many_measures(tenant_a)
    assert len(person_progress(service_user=person)) == 6
    document = _sheet(person)
    assert len(document) == 2
    assert "What has changed" in document[0].get_textpage().get_text_range()


def test_every_word_on_the_sheet_is_14_pt_or_more_and_larger_in_large_print(
    tenant_a: Tenant,
) -> None:
    person = _like_the_demo(tenant_a)
    standard = _font_sizes(_sheet(person))
    large = _font_sizes(_sheet(person, large_print=True))
    # Chart labels are text too (drawn with ReportLab), so they are counted.
    assert min(standard) >= 14
    assert max(standard) >= 24  # the heading
    assert min(large) >= 18 > min(standard)
    assert max(large) > max(standard)


def test_the_sheet_says_what_the_screen_says_in_plain_words_and_the_caveat_once(
    tenant_a: Tenant,
) -> None:
    person = _like_the_demo(tenant_a)
    text = _text(_sheet(person))
    made = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=[],
        actor=tenant_a.members["worker"].user,
    )
    page = Client().get(f"/s/{made.token}/progress/").content.decode()
    groups = person_summary(person_progress(service_user=person))
    assert groups
    for group in groups:
        assert group.heading in text and group.heading in page
        for story in group.stories:
            for line in story.summary_lines:
                assert line in text, line
                assert line in page, line
    for line in CAVEAT:
        assert text.count(line) == 1, line
    for word in ("RCI", "SEM", "reliable", "+/-", "%", "caseness"):
        assert word not in text, word


def test_the_large_print_sheet_is_linked_from_the_person_and_audited(
    tenant_a: Tenant,
) -> None:
    person = _like_the_demo(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    kwargs = {"org_slug": "alpha", "person_pk": person.pk}
    detail = client.get(reverse("people:person_detail", kwargs=kwargs)).content.decode()
    url = reverse("reports:progress_sheet_large_print", kwargs=kwargs)
    assert f'href="{url}"' in detail
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "large-print" in response["Content-Disposition"]
    document = pdfium.PdfDocument(response.content)
    assert len(document) <= 2
    assert min(_font_sizes(document)) >= 18
    event = AuditEvent.objects.get(action="progress.export_pdf")
    assert event.detail["variant"] == "large_print"


def test_the_person_keeps_a_copy_from_their_progress_page(tenant_a: Tenant) -> None:
    person = _like_the_demo(tenant_a)
    made = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=[],
        actor=tenant_a.members["worker"].user,
    )
    client = Client()
    page = client.get(f"/s/{made.token}/progress/").content.decode()
    sheet_url = f"/s/{made.token}/progress/sheet.pdf"
    large_url = f"/s/{made.token}/progress/sheet-large-print.pdf"
    assert f'href="{sheet_url}"' in page and f'href="{large_url}"' in page
    response = client.get(sheet_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(pdfium.PdfDocument(response.content)) == 1
    assert min(_font_sizes(pdfium.PdfDocument(client.get(large_url).content))) >= 18
    events = AuditEvent.objects.filter(action="progress.export_pdf")
    assert events.count() == 2
    assert {e.actor_id for e in events} == {None}
    assert {e.actor_label for e in events} == {"the person (self-completion link)"}
    # The session page (a person who typed a code) offers the same.
    session = client.session
    session["openproms_self_progress"] = made.link.pk
    session.save()
    done = client.get("/s/done/progress/").content.decode()
    assert 'href="/s/done/progress/sheet.pdf"' in done
    assert client.get("/s/done/progress/sheet.pdf")["Content-Type"] == (
        "application/pdf"
    )


def test_no_sheet_for_a_wrong_token_or_where_results_are_not_shown(
    tenant_a: Tenant,
) -> None:
    from openproms.collection.models import CollectionSettings

    person = _like_the_demo(tenant_a)
    wrong = Client().get("/s/not-a-real-token-at-all/progress/sheet.pdf")
    assert wrong.status_code == 404 and b"This link does not work" in wrong.content
    assert Client().get("/s/done/progress/sheet.pdf").status_code == 404
    CollectionSettings.objects.create(service=tenant_a.service, show_results=False)
    made = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=[],
        actor=tenant_a.members["worker"].user,
    )
    page = Client().get(f"/s/{made.token}/progress/").content.decode()
    assert "sheet.pdf" not in page
    refused = Client().get(f"/s/{made.token}/progress/sheet.pdf")
    assert refused["Content-Type"].startswith("text/html")
    assert b"does not show results on screen" in refused.content
    assert not AuditEvent.objects.filter(action="progress.export_pdf").exists()
