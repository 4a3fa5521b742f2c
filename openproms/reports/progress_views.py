"""'My progress' pages for the person answering (from a self-completion link, or on a
handed-over screen) and the printable progress sheet a worker prints.

Self-completion: ``/s/<token>/progress/`` works with the link's token while the link
is not revoked and not expired, even once it is used up; any other token gets the
same "This link does not work" page as answering (and counts as a failed try). A
person who typed a short code has no token: after finishing, the thank-you page
links to ``/s/done/progress/``, which reads the link from their browser session
(set when they finish) with the same validity rule. Both pages offer the person
their progress sheet to keep (``sheet.pdf``, ``sheet-large-print.pdf`` beside them,
under the same rule), audited as an export by the person.

On a handed-over screen the page has no sheet to download (the screen goes back to
the worker, who prints it from the person's page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from openproms.accounts.policy import Action
from openproms.accounts.terms import at_practice
from openproms.audit.reads import record_viewed
from openproms.collection import kiosk, links
from openproms.collection.answer_results import person_gettext
from openproms.collection.models import SelfCompletionLink
from openproms.core.access import org_view, public_view
from openproms.people.models import ServiceUser
from openproms.people.selectors import service_user_get
from openproms.reports import progress_services as svc
from openproms.reports.charts import spec_json
from openproms.scoring.easy_read import CAVEAT
from openproms.translations.activation import (
    in_language,
    in_person_language,
    other_language,
    person_language,
    self_language,
)

SELF_PROGRESS = "openproms_self_progress"
TEMPLATE = "reports/progress/person.html"


def _context(
    service_user: ServiceUser,
    *,
    shown: bool,
    base: str,
    kiosk_mode: bool = False,
    sheet_urls: tuple[str, str] | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """The progress page's context; its words in ``language`` (one the person
    chose for this visit), else in the person's preferred language."""
    blocks = []
    organisation = service_user.organisation
    words = person_gettext(organisation)
    progress = (
        svc.person_progress(
            service_user=service_user,
            language=language or person_language(service_user),
            tr=words,
        )
        if shown
        else []
    )
    for measure in progress:
        for n, scale in enumerate(measure.scales):
            blocks.append(
                {
                    "scale": scale,
                    "chart_id": f"chart-{measure.measure_id}-{n}",
                    "spec_json": spec_json(scale.person_chart()),
                    "rows": scale.person_rows(),
                    "columns": [gettext("Date"), gettext("Score")],
                    "about": scale.story.about,
                }
            )
    return {
        "organisation": organisation,
        "at_practice": at_practice(organisation),
        "shown": shown,
        "summary": svc.person_summary(progress, words),
        "caveat": [words(line) for line in CAVEAT],
        "blocks": blocks,
        "base": base,
        "kiosk": kiosk_mode,
        "sheet_urls": sheet_urls,
        "other_language": other_language(language) if language else None,
    }


def _not_working(request: HttpRequest) -> HttpResponse:
    return render(request, "collection/answer/self_not_working.html", status=404)


def _token_link(request: HttpRequest, token: str) -> SelfCompletionLink | HttpResponse:
    """The link for a progress token, or the page to show instead."""
    if links.attempts_exhausted(request):
        return render(request, "collection/answer/self_too_many.html", status=429)
    link = svc.link_for_progress(token)
    if link is None:
        links.attempt_failed(request)
        return _not_working(request)
    return link


def _self_page(
    request: HttpRequest, link: SelfCompletionLink, sheet_urls: tuple[str, str]
) -> HttpResponse:
    language = self_language(request, link.service_user)
    with in_language(language):
        return _self_page_in_language(request, link, sheet_urls, language)


def _self_page_in_language(
    request: HttpRequest,
    link: SelfCompletionLink,
    sheet_urls: tuple[str, str],
    language: str,
) -> HttpResponse:
    shown = svc.results_shown_for(link.service_user, svc.link_episode(link))
    record_viewed(
        request,
        view="the person's own progress page",
        people=[link.service_user_id],
        organisation=link.service_user.organisation_id,
    )
    return render(
        request,
        TEMPLATE,
        _context(
            link.service_user,
            shown=shown,
            base="base.html",
            sheet_urls=sheet_urls if shown else None,
            language=language,
        ),
    )


def _self_sheet(
    request: HttpRequest, link: SelfCompletionLink, *, large_print: bool
) -> HttpResponse:
    language = self_language(request, link.service_user)
    with in_language(language):
        return _self_sheet_in_language(
            request, link, large_print=large_print, language=language
        )


def _self_sheet_in_language(
    request: HttpRequest, link: SelfCompletionLink, *, large_print: bool, language: str
) -> HttpResponse:
    person = link.service_user
    if not svc.results_shown_for(person, svc.link_episode(link)):
        return render(
            request,
            TEMPLATE,
            _context(person, shown=False, base="base.html", language=language),
        )
    pdf = svc.progress_sheet_export(
        service_user=person,
        actor=None,
        large_print=large_print,
        request=request,
        language=language,
    )
    record_viewed(
        request,
        view="the person's own progress sheet",
        people=[person.pk],
        organisation=person.organisation_id,
        download=True,
    )
    return _pdf(pdf, name="my-progress", large_print=large_print)


@public_view
def self_progress_token(request: HttpRequest, token: str) -> HttpResponse:
    found = _token_link(request, token)
    if isinstance(found, HttpResponse):
        return found
    urls = (
        reverse("reports:self_progress_sheet_token", kwargs={"token": token}),
        reverse("reports:self_progress_sheet_large_token", kwargs={"token": token}),
    )
    return _self_page(request, found, urls)


@public_view
def self_progress_sheet_token(
    request: HttpRequest, token: str, large_print: bool = False
) -> HttpResponse:
    found = _token_link(request, token)
    if isinstance(found, HttpResponse):
        return found
    return _self_sheet(request, found, large_print=large_print)


@public_view
def self_progress(request: HttpRequest) -> HttpResponse:
    link = svc.link_get_valid(request.session.get(SELF_PROGRESS))
    if link is None:
        return _not_working(request)
    urls = (
        reverse("reports:self_progress_sheet"),
        reverse("reports:self_progress_sheet_large"),
    )
    return _self_page(request, link, urls)


@public_view
def self_progress_sheet(
    request: HttpRequest, large_print: bool = False
) -> HttpResponse:
    link = svc.link_get_valid(request.session.get(SELF_PROGRESS))
    if link is None:
        return _not_working(request)
    return _self_sheet(request, link, large_print=large_print)


def _pdf(pdf: bytes, *, name: str, large_print: bool) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    variant = "-large-print" if large_print else ""
    response["Content-Disposition"] = (
        f'inline; filename="{name}{variant}-{timezone.localdate():%Y%m%d}.pdf"'
    )
    return response


@org_view(Action.ANSWER_COLLECT)
def kiosk_progress(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    state = kiosk.kiosk_state(request)
    if state is None:
        messages.info(request, "Hand-over mode is not on.")
        return redirect("core:org_home", org_slug=organisation.slug)
    person = ServiceUser.objects.get(organisation=organisation, pk=state["person"])
    shown = svc.results_shown_for(person)
    record_viewed(request, view="progress page (hand-over)", people=[person.pk])
    with in_person_language(person):
        return render(
            request,
            TEMPLATE,
            _context(
                person,
                shown=shown,
                base="collection/answer/kiosk_base.html",
                kiosk_mode=True,
            ),
        )


@org_view(Action.PERSON_VIEW)
def progress_sheet(
    request: HttpRequest, person_pk: int, large_print: bool = False
) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = service_user_get(membership=membership, pk=person_pk)
    # The sheet is the person's to keep: in their language, printed by a worker.
    with in_person_language(person):
        pdf = svc.progress_sheet_export(
            service_user=person,
            actor=request.user,  # type: ignore[arg-type]
            large_print=large_print,
            request=request,
        )
    record_viewed(request, view="progress sheet", people=[person.pk], download=True)
    return _pdf(pdf, name=f"progress-{person.reference}", large_print=large_print)
