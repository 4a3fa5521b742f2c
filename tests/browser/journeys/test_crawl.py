"""The crawl: sign in as every demo login (and as a person on a self-completion
link), follow every link and GET form from the home page, and fail on any error
status, any same-site file that does not load, any internal identifier in the
visible text, any axe-core violation of a WCAG 2.2 A or AA rule, and any page that
scrolls sideways at 320 px. See tests/browser/crawler.py for how pages are chosen.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from openproms.accounts.models import CommissionerMembership, Membership, User
from openproms.collection import links
from openproms.collection.models import TimePoint
from openproms.scoring import default_library
from tests.browser.crawler import CrawlResult, Finding, crawl
from tests.browser.helpers import sign_in_verified
from tests.browser.journeys.conftest import shots_root
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser


def internal_identifiers(text: str) -> list[str]:
    """Measure, scale and item ids that are not display names, snake_case tokens
    and doubled labels in a page's visible text (tests/text_checks.py)."""
    return internal_ids_in(text, _LIBRARY)


_LIBRARY = list(default_library())


def _starts(user: User) -> tuple[str, ...]:
    starts = ["/"]
    for membership in Membership.objects.filter(user=user).select_related(
        "organisation"
    ):
        starts.append(f"/o/{membership.organisation.slug}/")
    for membership in CommissionerMembership.objects.filter(user=user).select_related(
        "body"
    ):
        starts.append(f"/commissioners/{membership.body.slug}/contracts/")
    return tuple(starts)


def _self_completion_link(live_server_url: str) -> str:
    """A link for a demo person with measures due, as a worker would make it."""
    point = (
        TimePoint.objects.filter(
            status=TimePoint.Status.PENDING, window_start__lte=timezone.localdate()
        )
        .select_related("episode__service_user", "episode__service__organisation")
        .order_by("pk")
        .first()
    )
    assert point is not None, "the demo has no measure due"
    person = point.episode.service_user
    organisation = point.episode.service.organisation
    worker = Membership.objects.filter(organisation=organisation, role="worker").first()
    assert worker is not None
    new = links.link_create(
        organisation=organisation,
        service_user=person,
        time_points=[point],
        actor=worker.user,
    )
    return f"/s/{new.token}/"


def _summary(role: str, result: CrawlResult) -> str:
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in sorted(result.seconds.items()))
    return f"{role}: {len(result.visited)} pages ({steps})"


def test_every_page_every_demo_role_reaches_is_sound(new_page, demo, live_server):
    findings: list[Finding] = []
    axe_done: set[str] = set()
    summary = []
    for login in demo.logins:
        user = User.objects.get(email=login.email)
        page = new_page()
        sign_in_verified(page, user, live_server.url)
        result = crawl(
            page,
            role=login.email,
            base_url=live_server.url,
            starts=_starts(user),
            text_check=internal_identifiers,
            axe_done=axe_done,
        )
        summary.append(_summary(login.email, result))
        findings += result.findings
        page.context.close()
    page = new_page()
    result = crawl(
        page,
        role="person on a self-completion link",
        base_url=live_server.url,
        starts=(_self_completion_link(live_server.url),),
        text_check=internal_identifiers,
        axe_done=axe_done,
    )
    summary.append(_summary("self-completion", result))
    findings += result.findings
    report = shots_root() / "crawl-findings.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        "\n".join(summary) + "\n\n" + "\n".join(str(f) for f in findings) + "\n"
    )
    assert not findings, (
        f"{len(findings)} problem(s) found ({'; '.join(summary)}):\n"
        + "\n".join(str(finding) for finding in findings)
    )
