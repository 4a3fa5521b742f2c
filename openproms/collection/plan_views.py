"""Pages for measurement plans, due lists, missed time points and collection rates.

Views are thin: a form validates, one service or selector runs, a template renders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts import selectors as account_selectors
from openproms.accounts.models import User
from openproms.accounts.policy import Action
from openproms.audit.reads import record_viewed
from openproms.catalogue.selectors import organisation_measures
from openproms.catalogue.templatetags.catalogue_tags import measure_name
from openproms.collection import (
    counts,
    due_lists,
    plan_forms,
    scheduling,
)
from openproms.collection.models import MeasurementPlan, PlanRule, TimePoint
from openproms.core.access import org_view
from openproms.stats.disclosure import ONS_RULE

PAGE_SIZE = 50

_REFRESHED = {
    "inline": "Due dates for people in {service} have been updated.",
    "background": "Due dates for people in {service} are being updated in the "
    "background; lists will show them within a few minutes.",
}


def _refreshed(request: HttpRequest, how: str, plan: MeasurementPlan) -> None:
    messages.info(request, _REFRESHED[how].format(service=plan.service.name))


def _posted(request: HttpRequest) -> Any:
    """The submitted data on a POST (even an empty one), else None (an unbound form)."""
    return request.POST if request.method == "POST" else None


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


# --- plans ------------------------------------------------------------------


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET"])
def plan_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    services = account_selectors.services_for_organisation(organisation)
    plans = scheduling.plans_for_organisation(organisation)
    by_service: dict[int, list[MeasurementPlan]] = {}
    for plan in plans:
        by_service.setdefault(plan.service_id, []).append(plan)
    return render(
        request,
        "collection/plans/plan_list.html",
        {
            "groups": [(s, by_service.get(s.pk, [])) for s in services],
            "single_service": None,
        },
    )


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET"])
def service_plans(request: HttpRequest, service_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    service = account_selectors.service_get(organisation=organisation, pk=service_pk)
    plans = scheduling.plans_for_organisation(organisation).filter(service=service)
    return render(
        request,
        "collection/plans/plan_list.html",
        {"groups": [(service, list(plans))], "single_service": service},
    )


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, service_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    service = account_selectors.service_get(organisation=organisation, pk=service_pk)
    form = plan_forms.PlanForm(_posted(request), service=service)
    if request.method == "POST" and form.is_valid():
        plan = scheduling.plan_create(
            organisation=organisation,
            service=service,
            name=form.cleaned_data["name"],
            is_pilot=form.cleaned_data["is_pilot"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, f"Plan “{plan.name}” made. Now add its measures.")
        return redirect(
            "collection:plan_detail", org_slug=organisation.slug, plan_pk=plan.pk
        )
    return render(
        request,
        "collection/plans/plan_form.html",
        {"form": form, "service": service, "plan": None},
        status=_status(form),
    )


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET"])
def plan_detail(request: HttpRequest, plan_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    plan = scheduling.plan_get(organisation=organisation, pk=plan_pk)
    rules = list(plan.rules.all())
    settled = set(
        TimePoint.objects.filter(
            rule__plan=plan,
            status__in=(TimePoint.Status.COMPLETED, TimePoint.Status.MISSED),
        )
        .values_list("rule_id", flat=True)
        .distinct()
    )
    return render(
        request,
        "collection/plans/plan_detail.html",
        {
            "plan": plan,
            "rules": [(rule, rule.pk in settled) for rule in rules],
            "has_measures": organisation_measures(organisation).exists(),
            "open_episodes": scheduling.service_open_episodes(plan.service).count(),
        },
    )


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    plan = scheduling.plan_get(organisation=organisation, pk=plan_pk)
    form = plan_forms.PlanForm(_posted(request), service=plan.service, plan=plan)
    if request.method == "POST" and form.is_valid():
        plan, how = scheduling.plan_update(
            plan=plan,
            actor=request.user,  # type: ignore[arg-type]
            request=request,
            name=form.cleaned_data["name"],
            is_pilot=form.cleaned_data["is_pilot"],
        )
        messages.success(request, f"Plan “{plan.name}” saved.")
        _refreshed(request, how, plan)
        return redirect(
            "collection:plan_detail", org_slug=organisation.slug, plan_pk=plan.pk
        )
    return render(
        request,
        "collection/plans/plan_form.html",
        {"form": form, "service": plan.service, "plan": plan},
        status=_status(form),
    )


@org_view(Action.PLAN_MANAGE)
@require_POST
def plan_active(request: HttpRequest, plan_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    plan = scheduling.plan_get(organisation=organisation, pk=plan_pk)
    form = plan_forms.PlanActiveForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "collection/plans/plan_active_error.html",
            {"plan": plan, "form": form},
            status=400,
        )
    active = form.cleaned_data["is_active"] == "on"
    plan, how = scheduling.plan_update(
        plan=plan,
        actor=request.user,  # type: ignore[arg-type]
        request=request,
        is_active=active,
    )
    messages.success(
        request,
        f"Plan “{plan.name}” is {'active' if active else 'switched off'}.",
    )
    _refreshed(request, how, plan)
    return redirect(
        "collection:plan_detail", org_slug=organisation.slug, plan_pk=plan.pk
    )


def _rule_page(
    request: HttpRequest, plan: MeasurementPlan, rule: PlanRule | None
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = plan_forms.RuleForm(_posted(request), organisation=organisation, rule=rule)
    if request.method == "POST" and form.is_valid():
        saved, how = scheduling.plan_rule_save(
            plan=plan,
            rule=rule,
            values=form.values(),
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(
            request,
            f"{measure_name(saved.measure_id)}: {saved.get_kind_display().lower()} "
            f"{'added' if rule is None else 'saved'}.",
        )
        _refreshed(request, how, plan)
        return redirect(
            "collection:plan_detail", org_slug=organisation.slug, plan_pk=plan.pk
        )
    return render(
        request,
        "collection/plans/rule_form.html",
        {
            "form": form,
            "plan": plan,
            "rule": rule,
            "has_measures": len(form.fields["measure"].choices) > 1,  # type: ignore[attr-defined]
        },
        status=_status(form),
    )


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET", "POST"])
def rule_add(request: HttpRequest, plan_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    plan = scheduling.plan_get(organisation=organisation, pk=plan_pk)
    return _rule_page(request, plan, None)


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, plan_pk: int, rule_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    plan = scheduling.plan_get(organisation=organisation, pk=plan_pk)
    rule = scheduling.rule_get(plan=plan, pk=rule_pk)
    return _rule_page(request, plan, rule)


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET", "POST"])
def rule_remove(request: HttpRequest, plan_pk: int, rule_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    plan = scheduling.plan_get(organisation=organisation, pk=plan_pk)
    rule = scheduling.rule_get(plan=plan, pk=rule_pk)
    kept = scheduling.rule_has_records(rule)
    form = plan_forms.ConfirmForm(_posted(request), initial={"confirm": "yes"})
    if request.method == "POST" and not kept and form.is_valid():
        how = scheduling.plan_rule_remove(
            rule=rule,
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(
            request,
            f"{measure_name(rule.measure_id)}: {rule.get_kind_display().lower()} removed.",
        )
        _refreshed(request, how, plan)
        return redirect(
            "collection:plan_detail", org_slug=organisation.slug, plan_pk=plan.pk
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "collection/plans/rule_remove.html",
        {"plan": plan, "rule": rule, "kept": kept, "form": form},
        status=status,
    )


# --- due lists ----------------------------------------------------------------


def _url_for_each(name: str, org_slug: str, key: str) -> Any:
    """A function pk -> URL for one route, reversed once per page rather than once
    per row (a 50-row list otherwise spends most of its time reversing URLs)."""
    marker = 987654321
    head, tail = reverse(name, kwargs={"org_slug": org_slug, key: marker}).split(
        str(marker)
    )
    return lambda pk: f"{head}{pk}{tail}"


def _page(request: HttpRequest, rows: Any, count: int | None = None) -> Any:
    """One page of ``rows``; ``count``, when already known, spares the COUNT."""
    paginator = Paginator(rows, PAGE_SIZE)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached property
    return paginator.get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@org_view(Action.DUE_VIEW)
@require_http_methods(["GET"])
def due_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    form = plan_forms.DueFilterForm(request.GET, membership=membership)
    today = timezone.localdate()
    scheduling.time_points_close_missed(organisation=organisation, today=today)
    page = None
    day = None
    summary = None
    if form.is_valid():
        day = form.cleaned_data["day"]
        filters = due_lists.DueFilters(
            worker=form.cleaned_data["worker"],
            service=form.cleaned_data["service"],
            day=day,
        )
        points = due_lists.due_list(membership=membership, filters=filters, today=today)
        summary, total = counts.count_states_and_total(points, day or today)
        page = _page(request, points, total)
        person_url = _url_for_each(
            "people:person_detail", organisation.slug, "person_pk"
        )
        answer_url = _url_for_each(
            "collection:answer_time_point", organisation.slug, "time_point_pk"
        )
        paper_url = _url_for_each(
            "collection:paper_entry_time_point", organisation.slug, "time_point_pk"
        )
        missed_url = _url_for_each(
            "collection:missed_record", organisation.slug, "time_point_pk"
        )
        counts.label_states(page.object_list, day or today)
        for point in page.object_list:
            point.person_url = person_url(point.episode.service_user_id)
            point.answer_url = answer_url(point.pk)
            point.paper_url = paper_url(point.pk)
            point.missed_url = missed_url(point.pk)
            point.measure_label = measure_name(point.measure_id)
        record_viewed(
            request,
            view="due list",
            people=(point.episode.service_user_id for point in page.object_list),
        )
    return render(
        request,
        "collection/due/due_list.html",
        {
            "form": form,
            "page": page,
            "summary": summary,
            "day": day,
            "today": today,
            "query": _query_without_page(request),
        },
        status=_status(form),
    )


@org_view(Action.MISSED_RECORD)
@require_http_methods(["GET"])
def missed_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    form = plan_forms.DueFilterForm(request.GET, membership=membership)
    scheduling.time_points_close_missed(organisation=organisation)
    page = None
    unrecorded = request.GET.get("show") != "all"
    if form.is_valid():
        filters = due_lists.DueFilters(
            worker=form.cleaned_data["worker"], service=form.cleaned_data["service"]
        )
        page = _page(
            request,
            due_lists.missed_list(
                membership=membership, filters=filters, unrecorded_only=unrecorded
            ),
        )
        record_viewed(
            request,
            view="missed measures",
            people=(point.episode.service_user_id for point in page.object_list),
        )
    return render(
        request,
        "collection/due/missed_list.html",
        {
            "form": form,
            "page": page,
            "unrecorded": unrecorded,
            "show_all": not unrecorded,
            "query": _query_without_page(request),
        },
        status=_status(form),
    )


@org_view(Action.MISSED_RECORD)
@require_http_methods(["GET", "POST"])
def missed_record(request: HttpRequest, time_point_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    point = due_lists.time_point_get(membership=membership, pk=time_point_pk)
    counts.label_states([point], timezone.localdate())
    recordable = point.status in (TimePoint.Status.PENDING, TimePoint.Status.MISSED)
    initial = {"reason": point.missed_reason, "note": point.missed_note}
    form = plan_forms.MissedForm(_posted(request), initial=initial)
    if request.method == "POST" and recordable and form.is_valid():
        scheduling.time_point_record_missed(
            time_point=point,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        person = point.episode.service_user
        reason = TimePoint.MissedReason(form.cleaned_data["reason"]).label.lower()
        messages.success(
            request,
            f"Recorded {measure_name(point.measure_id)} ({point.label}) for "
            f"{person.display_name} as {reason}.",
        )
        return redirect("collection:missed_list", org_slug=organisation.slug)
    status = 200
    if request.method == "POST":
        status = 400 if form.errors else 409
    return render(
        request,
        "collection/due/missed_record.html",
        {"point": point, "form": form, "recordable": recordable},
        status=status,
    )


# --- rates -------------------------------------------------------------------

# Figures for fewer people than this carry a caution, and no average is shown:
# the threshold of the dashboards and of the ONS rule's means (stats.disclosure).
SMALL_N = ONS_RULE.min_contributors
CAUTION = f"fewer than {SMALL_N} answers: treat with caution"


def _percent(value: float | None) -> str:
    return "no data" if value is None else f"{round(value * 100)}%"


def _rate_row(label: str, rates: counts.CollectionRates) -> dict[str, Any]:
    return {
        "label": label,
        "rates": rates,
        "counts": rates.counts,
        "answered": _percent(rates.answered_rate),
        "baseline": _percent(rates.baseline_rate),
        "follow_up": _percent(rates.follow_up_rate),
    }


def _acceptability_measure(measure_id: str | None) -> str:
    if measure_id is None:
        return "All measures"
    return measure_name(measure_id) if measure_id else "Measure not known"


def _acceptability_rows(
    organisation: Any, service: Any, period: tuple[dt.date, dt.date]
) -> list[dict[str, Any]]:
    rows = []
    for row in counts.acceptability_summary(organisation, service, period):
        enough = row.answers >= SMALL_N
        rows.append(
            {
                "service": row.service,
                "measure": _acceptability_measure(row.measure_id),
                "row": row,
                "easy": _percent(row.easy / row.answers) if enough else "",
                "difficult": _percent(row.difficult / row.answers) if enough else "",
                "mean": f"{row.mean:.1f}" if enough and row.mean is not None else "",
                "caution": "" if enough else CAUTION,
            }
        )
    return rows


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET"])
def collection_rates(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = plan_forms.RatesFilterForm(request.GET, organisation=organisation)
    scheduling.time_points_close_missed(organisation=organisation)
    by_service: list[dict[str, Any]] = []
    by_worker: list[dict[str, Any]] = []
    acceptability: list[dict[str, Any]] = []
    overall = None
    period: tuple[dt.date, dt.date] | None = None
    if form.is_valid():
        period = (form.cleaned_data["start"], form.cleaned_data["end"])
        chosen = form.cleaned_data["service"]
        overall = _rate_row(
            chosen.name if chosen else "All services",
            counts.collection_rates(organisation, service=chosen, period=period),
        )
        services = (
            [chosen]
            if chosen
            else list(account_selectors.services_for_organisation(organisation))
        )
        for service in services:
            by_service.append(
                _rate_row(
                    service.name,
                    counts.collection_rates(
                        organisation, service=service, period=period
                    ),
                )
            )
        workers = User.objects.filter(
            key_worker_episodes__organisation=organisation,
            **({"key_worker_episodes__service": chosen} if chosen else {}),
        ).distinct()
        for worker in workers.order_by("full_name", "email"):
            by_worker.append(
                _rate_row(
                    worker.display_name,
                    counts.collection_rates(
                        organisation, service=chosen, worker=worker, period=period
                    ),
                )
            )
        acceptability = _acceptability_rows(organisation, chosen, period)
    return render(
        request,
        "collection/plans/rates.html",
        {
            "form": form,
            "overall": overall,
            "by_service": by_service,
            "by_worker": by_worker,
            "acceptability": acceptability,
            "small_n": SMALL_N,
            "period": period,
        },
        status=_status(form),
    )
