"""Pages for reminders: settings and templates, the reminders list with delivery
status, and recording how a person agreed to be contacted."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openproms.accounts.policy import Action
from openproms.audit.reads import record_viewed
from openproms.core import encryption
from openproms.core.access import org_view
from openproms.people.selectors import service_user_get
from openproms.reminders import services, wording
from openproms.reminders.forms import AgreementForm, SettingsForm, TemplateForm
from openproms.reminders.models import Channel, Reminder, ReminderSettings


def _org(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def key_state(config: ReminderSettings) -> str:
    """What a person is told of the stored Notify key: never the key itself."""
    token = config.notify_api_key_encrypted
    if not token:
        return "Not set"
    ends = encryption.last_four(token)
    if ends is None:
        return (
            "Set, but it cannot be read with this installation's encryption keys: "
            "enter it again"
        )
    return f"Set, ends ...{ends}"


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET"])
def reminder_list(request: HttpRequest) -> HttpResponse:
    """The organisation's reminder set-up and the latest reminders' delivery."""
    organisation = _org(request)
    reminders = list(
        Reminder.objects.filter(organisation=organisation).select_related(
            "service_user", "time_point"
        )[:100]
    )
    record_viewed(
        request,
        view="reminders",
        people=sorted({r.service_user_id for r in reminders}),
    )
    config = services.settings_for(organisation)
    return render(
        request,
        "reminders/reminder_list.html",
        {
            "config": config,
            "usual_label": ReminderSettings.Provider(config.usual_provider).label,
            "key_state": key_state(config),
            "templates": [
                services.template_for(organisation, channel)
                for channel in Channel.values
            ],
            "reminders": reminders,
            "counts": {
                status.label: Reminder.objects.filter(
                    organisation=organisation, status=status
                ).count()
                for status in Reminder.Status
            },
        },
    )


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    config = services.settings_for(organisation)
    form = SettingsForm(_data(request), instance=config)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.settings_update(
            organisation=organisation,
            values=values,
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, "Reminder settings saved.")
        return redirect("reminders:reminder_list", organisation.slug)
    return render(
        request,
        "reminders/settings_form.html",
        {"form": form, "key_state": key_state(config)},
        status=400 if form.is_bound and form.errors else 200,
    )


@org_view(Action.PLAN_MANAGE)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, channel: str) -> HttpResponse:
    organisation = _org(request)
    if channel not in Channel.values:
        raise Http404("No such kind of message.")
    current = services.template_for(organisation, channel)
    form = TemplateForm(
        _data(request),
        channel=channel,
        initial={"subject": current.subject, "body": current.body},
    )
    if request.method == "POST" and form.is_valid():
        services.template_save(
            organisation=organisation,
            channel=channel,
            subject=form.cleaned_data.get("subject", ""),
            body=form.cleaned_data["body"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, f"{Channel(channel).label} reminder saved.")
        return redirect("reminders:reminder_list", organisation.slug)
    return render(
        request,
        "reminders/template_form.html",
        {
            "form": form,
            "channel_label": Channel(channel).label,
            "placeholders": wording.PLACEHOLDERS,
            "sms_limit": wording.SMS_LIMIT if channel == Channel.SMS else None,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@org_view(Action.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Record how a person agreed (or did not) to be sent reminders."""
    membership = request.membership  # type: ignore[attr-defined]
    person = service_user_get(membership=membership, pk=person_pk)
    current = services.agreement_in_force(person)
    initial: dict[str, Any] = {"agreed_on": timezone.localdate()}
    if current is not None:
        initial.update(
            preference=current.preference,
            address=services.reminder_address(current, person) or current.address,
        )
    else:
        initial["address"] = person.email or person.phone
    form = AgreementForm(_data(request), initial=initial)
    record_viewed(request, view="reminder agreement", people=[person.pk])
    if request.method == "POST" and form.is_valid():
        services.agreement_record(
            service_user=person,
            preference=form.cleaned_data["preference"],
            address=form.cleaned_data["address"],
            agreed_on=form.cleaned_data["agreed_on"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, "How they agreed to be reminded is recorded.")
        return redirect("people:person_detail", membership.organisation.slug, person.pk)
    return render(
        request,
        "reminders/agreement_form.html",
        {"form": form, "person": person},
        status=400 if form.is_bound and form.errors else 200,
    )
