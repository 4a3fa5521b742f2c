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
from openproms.audit.services import log_action
from openproms.core.access import org_view
from openproms.reminders.capture import Series, Week, capture_overview
from openproms.reminders.forms import CaptureFilterForm, LeadForm
from openproms.reminders.models import CaptureAlert, ImplementationLead
from openproms.reports.charts import base_spec, spec_json


def _week_cell(week: Week) -> str:
    """One series' week in words: completion of what was due, and follow-up of
    the first measures answered that week (with the count each share is of)."""
    completion = (
        "nothing due"
        if week.completion is None
        else f"{round(week.completion * 100)}% of {week.due} due"
    )
    follow_up = (
        "no first measures answered"
        if week.follow_up is None
        else f"follow-up {week.followed_up} of {week.baseline_answered} "
        f"({round(week.follow_up * 100)}%)"
    )
    return f"{completion}; {follow_up}"


def _chart(series: list[Series], title: str) -> dict[str, Any]:
    values = [
        {
            "week": f"{week.start:%Y-%m-%d}",
            "group": line.label,
            "completion": round(week.completion * 100),
        }
        for line in series
        for week in line.weeks
        if week.completion is not None
    ]
    spec = base_spec(title=title)
    spec.update(
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "week", "type": "temporal", "title": "Week beginning"},
                "y": {
                    "field": "completion",
                    "type": "quantitative",
                    "title": "Completion (%)",
                    "scale": {"domain": [0, 100]},
                },
                "color": {"field": "group", "type": "nominal", "title": None},
            },
        }
    )
    columns = ["Week beginning"] + [line.label for line in series]
    weeks = series[0].weeks if series else []
    rows = [
        [f"{week.start:%-d %b %Y}"] + [_week_cell(line.weeks[i]) for line in series]
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
            "service_chart": _chart(overview["services"], "Completion by service"),
            "worker_chart": _chart(overview["workers"], "Completion by worker"),
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
