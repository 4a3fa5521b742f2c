"""Trials: start one, review it, record keep, change or drop."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts.policy import Action
from openproms.catalogue import selectors as catalogue_selectors
from openproms.choosing import forms, own_data, selectors, services
from openproms.choosing.models import MeasureTrial
from openproms.core.access import org_view
from openproms.scoring import display_title


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET", "POST"])
def trial_start(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    data = request.POST if request.method == "POST" else None
    initial = {"measure": request.GET.get("measure", "")}
    form = forms.TrialForm(data, organisation=organisation, initial=initial)
    if data is not None and form.is_valid():
        definition = form.definition()
        trial = services.trial_start(
            organisation=organisation,
            service=form.cleaned_data["service"],
            definition=definition,
            ends_on=form.cleaned_data["ends_on"],
            kind=form.cleaned_data["kind"],
            weeks=form.cleaned_data["weeks"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(
            request,
            f"The trial of {definition.short_name} has started. Its answers are "
            "marked as pilot and left out of funder reports.",
        )
        return redirect(
            "choosing:trial_review", org_slug=organisation.slug, trial_pk=trial.pk
        )
    return render(
        request,
        "choosing/trial_form.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def duration_words(minutes: float) -> str:
    """A length of time as people say it: "45 seconds", "3 minutes 20 seconds",
    "1 hour 5 minutes" (to the second under an hour, to the minute above)."""
    seconds = max(0, round(minutes * 60))

    def unit(n: int, word: str) -> str:
        return f"{n} {word}" if n == 1 else f"{n} {word}s"

    if seconds < 60:
        return unit(seconds, "second")
    if seconds < 3600:
        whole, rest = divmod(seconds, 60)
        return unit(whole, "minute") + (f" {unit(rest, 'second')}" if rest else "")
    hours, rest = divmod(round(seconds / 60), 60)
    return unit(hours, "hour") + (f" {unit(rest, 'minute')}" if rest else "")


def _timing(progress: selectors.TrialProgress) -> dict[str, Any] | None:
    """Minutes to complete in words: the median and the middle half."""
    spread = progress.minutes
    if spread is None:
        return None
    return {
        "median": duration_words(spread.median),
        "lower": duration_words(spread.lower),
        "upper": duration_words(spread.upper),
        "timed": progress.timed,
    }


def _review_context(request: HttpRequest, trial: MeasureTrial) -> dict[str, Any]:
    organisation = request.organisation  # type: ignore[attr-defined]
    definition = catalogue_selectors.measure_definition(
        organisation=organisation,
        measure_id=trial.measure_id,
        version=trial.measure_version,
    )
    today = timezone.localdate()
    progress = selectors.trial_progress(trial, today)
    by_id = {item.id: item for item in definition.items}
    from openproms.catalogue.descriptions import question_name

    missing = [
        {"name": question_name(definition, by_id[i]), "missing": n, "of": total}
        for i, n, total in progress.items_missing
        if i in by_id
    ]
    return {
        "trial": trial,
        "definition": definition,
        "title": display_title(definition),
        "progress": progress,
        "timing": _timing(progress),
        "missing": missing,
        "figures": own_data.measure_figures(
            definition=definition,
            administrations=selectors.trial_administrations(trial),
        ),
        "ended": trial.ends_on < today,
        "window": own_data.RETEST_WINDOW,
    }


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET"])
def trial_review(request: HttpRequest, trial_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    trial = selectors.trial_get(organisation=organisation, pk=trial_pk)
    context = _review_context(request, trial)
    context["form"] = forms.DecisionForm()
    return render(request, "choosing/trial_review.html", context)


@org_view(Action.PLAN_MANAGE)
@require_POST
def trial_decide(request: HttpRequest, trial_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    trial = selectors.trial_get(organisation=organisation, pk=trial_pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        context = _review_context(request, trial)
        context["form"] = form
        return render(request, "choosing/trial_review.html", context, status=400)
    services.trial_decide(
        trial=trial,
        decision=form.cleaned_data["decision"],
        note=form.cleaned_data["note"],
        actor=request.user,  # type: ignore[arg-type]
        request=request,
    )
    messages.success(request, f"Decision recorded: {trial.get_decision_display()}.")
    return redirect(
        "choosing:trial_review", org_slug=organisation.slug, trial_pk=trial.pk
    )
