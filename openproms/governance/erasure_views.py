"""Pages for erasing a person, restricting their data, the erasures made, and
the organisation's retention period (organisation admins only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openproms.accounts.policy import Action
from openproms.audit.labels import RECORD_LABELS
from openproms.core.access import org_view
from openproms.governance.erasure import erasure_preview, person_erase
from openproms.governance.erasure_forms import EraseForm, RestrictForm, RetentionForm
from openproms.governance.models import (
    DEFAULT_RETENTION_MONTHS,
    RETENTION_SOURCE,
    Erasure,
)
from openproms.governance.restriction import (
    RestrictionError,
    person_restrict,
    person_unrestrict,
)
from openproms.governance.retention import (
    UPCOMING_DAYS,
    Due,
    newly_due,
    retention_months,
    retention_set,
    upcoming,
)
from openproms.people import selectors as people_selectors


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _to_person(request: HttpRequest, person_pk: int) -> HttpResponse:
    return redirect(
        "people:person_detail",
        org_slug=request.organisation.slug,  # type: ignore[attr-defined]
        person_pk=person_pk,
    )


@org_view(Action.PERSON_ERASE)
@require_http_methods(["GET", "POST"])
def person_erase_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = people_selectors.service_user_get(membership=membership, pk=person_pk)
    form = EraseForm(_data(request), person=person)
    if request.method == "POST" and form.is_valid():
        erasure = person_erase(
            service_user=person,
            reason=form.cleaned_data["reason"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(
            request,
            f"The person is erased. The erasure's reference is {erasure.reference}.",
        )
        return redirect(
            "governance:erasure_list", org_slug=membership.organisation.slug
        )
    return render(
        request,
        "governance/erase_person.html",
        {"person": person, "form": form, "preview": erasure_preview(person)},
        status=400 if form.is_bound and form.errors else 200,
    )


# Records removed with a person that the audit log never names.
_REMOVED_LABELS = {
    "collection.administrationedit": "Corrections to answers",
    "collection.outcomescore": "Scores read by reports",
    "collection.scaleresult": "Scores",
    "collection.selfcompletionlink_time_points": "Measures on links",
    "people.episodepause": "Pauses",
}


def removed_in_words(erasure: Erasure) -> list[str]:
    """Rows removed by kind, in words (every kind: the lines add up to the total)."""
    rows = []
    for label, count in erasure.rows_removed.items():
        key = label.lower()
        name = RECORD_LABELS.get(key) or _REMOVED_LABELS.get(key) or "Other records"
        rows.append(f"{name}: {count}")
    return rows


@org_view(Action.PERSON_ERASE)
def erasure_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    erasures = Erasure.objects.filter(organisation=organisation).select_related(
        "erased_by"
    )[:200]
    rows = [
        {
            "erasure": e,
            "removed": removed_in_words(e),
        }
        for e in erasures
    ]
    return render(
        request,
        "governance/erase_list.html",
        {"rows": rows},
    )


@org_view(Action.PERSON_RESTRICT)
@require_http_methods(["GET", "POST"])
def person_restrict_view(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = people_selectors.service_user_get(membership=membership, pk=person_pk)
    if person.restricted_at is not None:
        return _unrestrict(request, person)
    form = RestrictForm(_data(request))
    if request.method == "POST" and form.is_valid():
        person_restrict(
            service_user=person,
            reason=form.cleaned_data["reason"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, "Their data is restricted.")
        return _to_person(request, person.pk)
    return render(
        request,
        "governance/erase_restrict.html",
        {"person": person, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _unrestrict(request: HttpRequest, person: Any) -> HttpResponse:
    if request.method == "POST":
        try:
            person_unrestrict(
                service_user=person,
                actor=request.user,  # type: ignore[arg-type]
                request=request,
            )
        except RestrictionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The restriction is lifted.")
        return _to_person(request, person.pk)
    return render(request, "governance/erase_unrestrict.html", {"person": person})


_CONFIRM_SALT = "openproms.governance.retention-confirm"
# A confirmation older than this is asked for again.
_CONFIRM_MAX_AGE = 60 * 60


def retention_confirmation(
    request: HttpRequest, months: int, current: int, people: list[Due]
) -> dict[str, Any]:
    """What the admin is shown before a period that erases people is saved:
    the organisation, the admin, the period now and the new one, and who would
    be erased. Sent to the page signed; the period is saved only when the same
    comes back (a changed value, or a list changed since, is asked again)."""
    return {
        "organisation": request.organisation.pk,  # type: ignore[attr-defined]
        "user": request.user.pk,
        "from": current,
        "months": months,
        "people": sorted(d.person.pk for d in people),
    }


def _confirmed(token: str, expected: dict[str, Any]) -> bool:
    try:
        seen = signing.loads(token, salt=_CONFIRM_SALT, max_age=_CONFIRM_MAX_AGE)
    except signing.BadSignature:  # forged, altered or too old
        return False
    return bool(seen == expected)


@org_view(Action.RETENTION_SET)
@require_http_methods(["GET", "POST"])
def retention_view(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    months = retention_months(organisation)
    form = RetentionForm(_data(request), initial={"months": months})
    today = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        new_months = form.cleaned_data["months"]
        erased = newly_due(organisation, new_months, today)
        if erased:
            expected = retention_confirmation(request, new_months, months, erased)
            token = form.cleaned_data["confirmation"]
            if not token or not _confirmed(token, expected):
                return render(
                    request,
                    "governance/erase_retention_confirm.html",
                    {
                        "months": months,
                        "new_months": new_months,
                        "erased": erased,
                        "confirmation": signing.dumps(expected, salt=_CONFIRM_SALT),
                        "asked_again": bool(token),
                        "today": today,
                        "days": UPCOMING_DAYS,
                    },
                )
        retention_set(
            organisation=organisation,
            months=new_months,
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, "The retention period is saved.")
        return redirect("governance:retention", org_slug=organisation.slug)
    return render(
        request,
        "governance/erase_retention.html",
        {
            "form": form,
            "months": months,
            "years": months / 12,
            "is_default": months == DEFAULT_RETENTION_MONTHS,
            "source": RETENTION_SOURCE,
            "days": UPCOMING_DAYS,
            "upcoming": upcoming(organisation, today),
            "today": today,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
