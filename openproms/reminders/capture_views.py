"""The weekly capture page for managers, and naming a service's implementation
lead."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openproms.accounts.models import Service
from openproms.accounts.policy import Action
from openproms.accounts.terms import terms_for
from openproms.audit.services import log_action
from openproms.core.access import org_view
from openproms.reminders.capture import Series, Week, capture_overview
from openproms.reminders.forms import CaptureFilterForm, LeadForm
from openproms.reminders.models import CaptureAlert, ImplementationLead
from openproms.reports.charts import base_spec, spec_json


def _completion(week: Week) -> str:
    """A week's completion in words, with the count it is a share of."""
    if week.completion is None:
        return "nothing due"
    return f"{round(week.completion * 100)}% of {week.due} due"


def _follow_up(week: Week) -> str:
    """A week's follow-up capture in words: of the first measures answered that
    week, how many people answered again later."""
    if week.follow_up is None:
        return "no first measures answered"
    return (
        f"{week.followed_up} of {week.baseline_answered} "
        f"({round(week.follow_up * 100)}%)"
    )


_FIGURES = {
    "completion": ("Completion (%)", _completion),
    "follow_up": ("Follow-up capture (%)", _follow_up),
}


def _chart(series: list[Series], title: str, figure: str) -> dict[str, Any]:
    """A line per service or worker of one weekly figure (``completion`` or
    ``follow_up``), and its table."""
    axis, words = _FIGURES[figure]
    weeks = series[0].weeks if series else []
    labels = [f"{week.start:%-d %b}" for week in weeks]
    values = [
        {
            "week": f"{week.start:%-d %b}",
            "group": line.label,
            "value": round(getattr(week, figure) * 100),
        }
        for line in series
        for week in line.weeks
        if getattr(week, figure) is not None
    ]
    spec = base_spec(title=title)
    spec.update(
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "encoding": {
                # Every week of the page, in order, on both figures' charts
                # (a temporal axis spaced its ticks by the weeks that had data).
                "x": {
                    "field": "week",
                    "type": "ordinal",
                    "sort": labels,
                    "scale": {"domain": labels},
                    "title": "Week beginning",
                    "axis": {"labelAngle": -30},
                },
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": axis,
                    "scale": {"domain": [0, 100]},
                },
                "color": {"field": "group", "type": "nominal", "title": None},
            },
        }
    )
    columns = ["Week beginning"] + [line.label for line in series]
    rows = [
        [f"{week.start:%-d %b %Y}"] + [words(line.weeks[i]) for line in series]
        for i, week in enumerate(weeks)
    ]
    return {"spec_json": spec_json(spec), "columns": columns, "rows": rows}


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET"])
def capture(request: HttpRequest) -> HttpResponse:
    """Weekly completion and follow-up capture, per service and per worker."""
    organisation = request.organisation  # type: ignore[attr-defined]
    form = CaptureFilterForm(request.GET or None, organisation=organisation)
    chosen = form.cleaned_data["service"] if form.is_valid() else None
    overview = capture_overview(
        organisation, today=timezone.localdate(), service=chosen
    )
    staff = terms_for(organisation)["worker"]
    leads = {
        lead.service_id: lead
        for lead in ImplementationLead.objects.filter(
            organisation=organisation
        ).select_related("lead")
    }
    return render(
        request,
        "reminders/capture.html",
        {
            "form": form,
            "services": [
                {"series": s, "lead": leads.get(s.service.pk if s.service else 0)}
                for s in overview["services"]
            ],
            "service_chart": _chart(
                overview["services"], "Completion by service", "completion"
            ),
            "service_follow_up": _chart(
                overview["services"], "Follow-up capture by service", "follow_up"
            ),
            "worker_chart": _chart(
                overview["workers"], f"Completion by {staff}", "completion"
            ),
            "worker_follow_up": _chart(
                overview["workers"], f"Follow-up capture by {staff}", "follow_up"
            ),
            "workers": overview["workers"],
            "alerts": CaptureAlert.objects.filter(
                organisation=organisation, resolved_at__isnull=True
            ).select_related("service", "lead", "worker"),
        },
    )


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, service_pk: int) -> HttpResponse:
    """Name a service's implementation lead and when they are alerted."""
    organisation = request.organisation  # type: ignore[attr-defined]
    service = get_object_or_404(Service, organisation=organisation, pk=service_pk)
    lead = ImplementationLead.objects.filter(service=service).first()
    form = LeadForm(
        request.POST if request.method == "POST" else None,
        instance=lead or ImplementationLead(organisation=organisation, service=service),
        organisation=organisation,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            log_action(
                action="implementation_lead.set",
                actor=request.user,  # type: ignore[arg-type]
                organisation=organisation,
                obj=saved,
                request=request,
                detail={"service": service.pk, "lead": saved.lead_id},
            )
        messages.success(request, f"Implementation lead of {service.name} saved.")
        return redirect("reminders:capture", organisation.slug)
    return render(
        request,
        "reminders/lead_form.html",
        {"form": form, "service": service},
        status=400 if form.is_bound and form.errors else 200,
    )
