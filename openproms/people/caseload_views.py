"""Pages for a worker's caseload and the risk alerts they act on."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openproms.accounts.models import Service
from openproms.accounts.policy import CASELOAD_ONLY_ROLES, Action
from openproms.audit.reads import record_viewed
from openproms.core.access import org_view
from openproms.people import selectors
from openproms.people.forms import AlertAcknowledgeForm
from openproms.people.view_helpers import (
    PAGE_SIZE,
    form_status,
    posted,
    service_from_query,
)


@org_view(Action.CASELOAD_VIEW)
def caseload(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    service = service_from_query(request)
    sort = request.GET.get("sort", "name")
    sort = sort if sort in {"name", "due", "change"} else "name"
    deteriorated_only = request.GET.get("deteriorated") == "1"
    due_only = request.GET.get("due") == "1"
    rows = selectors.caseload_for(
        membership=membership,
        service=service,
        sort=sort,
        deteriorated_only=deteriorated_only,
        due_only=due_only,
        with_changes=True,
    )
    record_viewed(request, view="caseload", people=[row["person"].pk for row in rows])
    # Scales no one is checked on yet, and why (too few people to fit a range).
    no_range = sorted({v.name: v.reason for r in rows for v in r["no_range"]}.items())
    return render(
        request,
        "people/caseload.html",
        {
            "rows": rows,
            "service": service,
            "sort": sort,
            "deteriorated_only": deteriorated_only,
            "due_only": due_only,
            "no_range": no_range,
            "services": Service.objects.filter(organisation=organisation),
        },
    )


@org_view(Action.ALERT_MANAGE)
def alert_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    alerts = selectors.open_alerts_for(membership)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    record_viewed(
        request,
        view="risk alerts",
        people=(alert.service_user_id for alert in page.object_list),
    )
    return render(
        request,
        "people/alert_list.html",
        {"page": page, "all_alerts": membership.role not in CASELOAD_ONLY_ROLES},
    )


@org_view(Action.ALERT_MANAGE)
@require_http_methods(["GET", "POST"])
def alert_acknowledge(request: HttpRequest, alert_pk: int) -> HttpResponse:
    from openproms.collection.services import risk_alert_acknowledge

    membership = request.membership  # type: ignore[attr-defined]
    alert = selectors.alert_get(membership=membership, pk=alert_pk)
    form = AlertAcknowledgeForm(posted(request))
    done = alert.acknowledged_at is not None
    if request.method == "POST" and not done and form.is_valid():
        risk_alert_acknowledge(
            alert=alert,
            actor=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data["note"],
            request=request,
        )
        messages.success(request, "Alert acknowledged.")
        return redirect("people:alert_list", org_slug=membership.organisation.slug)
    return render(
        request,
        "people/alert_acknowledge.html",
        {"form": form, "alert": alert, "done": done},
        status=409 if done and request.method == "POST" else form_status(form),
    )
