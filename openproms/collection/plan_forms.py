"""Forms for measurement plans, their rules, due-list filters and missed occasions.

Forms do all validation of what a person typed (each message names the field);
the services in :mod:`openproms.collection.scheduling` assume valid input.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from openproms.accounts.models import Membership, Organisation, Service, User
from openproms.accounts.policy import CASELOAD_ONLY_ROLES
from openproms.accounts.terms import terms_for
from openproms.catalogue.selectors import measure_definition, organisation_measures
from openproms.collection import due_lists, schedule
from openproms.collection.models import MeasurementPlan, PlanRule, TimePoint
from openproms.people.selectors import KEY_WORKER_ROLES, key_workers_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.Form):
    name = forms.CharField(
        label="Plan name",
        max_length=200,
        help_text="For example, “Adult counselling outcomes”.",
        error_messages={"required": "Enter a name for the plan"},
    )
    is_pilot = forms.BooleanField(
        label="This is a pilot",
        required=False,
        help_text="Pilot answers are marked “Pilot” everywhere and left out of "
        "funder reports by default.",
    )

    def __init__(
        self,
        *args: Any,
        service: Service,
        plan: MeasurementPlan | None = None,
        **kwargs: Any,
    ) -> None:
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": plan.name, "is_pilot": plan.is_pilot}
        super().__init__(*args, **kwargs)
        self.service = service
        self.plan = plan

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter a name for the plan")
        clash = MeasurementPlan.objects.filter(service=self.service, name__iexact=name)
        if self.plan is not None:
            clash = clash.exclude(pk=self.plan.pk)
        if clash.exists():
            raise forms.ValidationError(
                f"{self.service.name} already has a plan with this name"
            )
        return name


def measure_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """The measures the organisation uses, as ``id@version`` with a readable title."""
    choices = []
    for chosen in organisation_measures(organisation):
        key = f"{chosen.measure_id}@{chosen.measure_version}"
        title = measure_definition(
            organisation=organisation,
            measure_id=chosen.measure_id,
            version=chosen.measure_version,
        ).title
        choices.append((key, f"{title} (version {chosen.measure_version})"))
    return choices


class RuleForm(forms.Form):
    measure = forms.ChoiceField(
        label="Measure",
        error_messages={
            "required": "Choose a measure",
            "invalid_choice": "Choose one of the measures your organisation uses",
        },
    )
    kind = forms.ChoiceField(
        label="When is it due?",
        choices=PlanRule.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose when the measure is due",
            "invalid_choice": "Choose when the measure is due",
        },
    )
    weeks = forms.IntegerField(
        label="Weeks",
        required=False,
        min_value=0,
        max_value=520,
        help_text="For “every few weeks” and “when next seen”: how many weeks.",
        error_messages={
            "invalid": "Enter the number of weeks as a whole number, like 6",
            "min_value": "Enter a number of weeks of 1 or more",
            "max_value": "Enter a number of weeks of 520 or fewer",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    sessions = forms.IntegerField(
        label="Sessions",
        required=False,
        min_value=0,
        max_value=500,
        help_text="For “every few attended sessions”: how many sessions.",
        error_messages={
            "invalid": "Enter the number of sessions as a whole number, like 4",
            "min_value": "Enter a number of sessions of 1 or more",
            "max_value": "Enter a number of sessions of 500 or fewer",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    on_date = forms.DateField(
        label="Date",
        required=False,
        help_text="For “once, on a date”: the date it is due.",
        widget=DATE_INPUT,
        error_messages={"invalid": "Enter the date as a real date, like 2027-03-01"},
    )
    window_days = forms.IntegerField(
        label="Window (days)",
        initial=7,
        min_value=0,
        max_value=365,
        help_text="How many days an answer still counts: after the due date for the "
        "start and sessions, either side of it for the end, every few weeks and once "
        "on a date, and after the visit for “when next seen”.",
        error_messages={
            "required": "Enter the window in days (0 or more)",
            "invalid": "Enter the window as a whole number of days, like 7",
            "min_value": "Enter a window of 0 days or more",
            "max_value": "Enter a window of 365 days or fewer",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        rule: PlanRule | None = None,
        **kwargs: Any,
    ) -> None:
        if rule is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "measure": f"{rule.measure_id}@{rule.measure_version}",
                "kind": rule.kind,
                "weeks": rule.weeks,
                "sessions": rule.sessions,
                "on_date": rule.on_date,
                "window_days": rule.window_days,
            }
        super().__init__(*args, **kwargs)
        self.rule = rule
        choices = measure_choices(organisation)
        if rule is not None:
            current = f"{rule.measure_id}@{rule.measure_version}"
            if current not in dict(choices):
                choices.append(
                    (
                        current,
                        f"{rule.measure_id} (version {rule.measure_version}, no longer in use)",
                    )
                )
        self.fields["measure"].choices = [("", "Choose a measure"), *choices]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind or "window_days" not in cleaned:
            return cleaned
        # Keep only the settings the kind uses.
        for name, kinds in (
            ("weeks", {PlanRule.Kind.EVERY_N_WEEKS, PlanRule.Kind.WHEN_SEEN_AFTER}),
            ("sessions", {PlanRule.Kind.EVERY_NTH_SESSION}),
            ("on_date", {PlanRule.Kind.ONE_OFF}),
        ):
            if kind not in kinds and name not in self.errors:
                cleaned[name] = None
        if any(name in self.errors for name in ("weeks", "sessions", "on_date")):
            return cleaned
        spec = schedule.Rule(
            kind=kind,
            weeks=cleaned.get("weeks"),
            sessions=cleaned.get("sessions"),
            on_date=cleaned.get("on_date"),
            window_days=cleaned["window_days"],
        )
        for problem in schedule.rule_problems(spec):
            self.add_error(problem.field, problem.message.rstrip("."))
        on_date = cleaned.get("on_date")
        unchanged = self.rule is not None and self.rule.on_date == on_date
        if (
            kind == PlanRule.Kind.ONE_OFF
            and on_date is not None
            and on_date < timezone.localdate()
            and not unchanged
            and "on_date" not in self.errors
        ):
            self.add_error("on_date", "The date must be today or later")
        return cleaned

    def values(self) -> dict[str, Any]:
        """The rule's fields as the service stores them."""
        measure_id, _, version = self.cleaned_data["measure"].partition("@")
        return {
            "measure_id": measure_id,
            "measure_version": version,
            "kind": self.cleaned_data["kind"],
            "weeks": self.cleaned_data.get("weeks"),
            "sessions": self.cleaned_data.get("sessions"),
            "on_date": self.cleaned_data.get("on_date"),
            "window_days": self.cleaned_data["window_days"],
        }


class ConfirmForm(forms.Form):
    """A deliberate yes (so an empty request changes nothing)."""

    confirm = forms.CharField(widget=forms.HiddenInput)

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"]
        if value != "yes":
            raise forms.ValidationError("Confirm the change")
        return value


class PlanActiveForm(forms.Form):
    is_active = forms.ChoiceField(
        choices=[("on", "Active"), ("off", "Switched off")],
        widget=forms.HiddenInput,
        error_messages={"required": "Choose whether the plan is active"},
    )


MINE = "mine"
EVERYONE = "all"


class DueFilterForm(forms.Form):
    """Filters for the due and missed lists; every field is optional.

    Left unchosen, the key worker is the work the member's role does
    (:func:`due_lists.default_worker_is_me`): a worker sees the people they are
    key worker for, every other role everyone in their services.
    """

    worker = forms.ChoiceField(
        label="Key worker",
        required=False,
        error_messages={"invalid_choice": "Choose a key worker from the list"},
    )
    service = forms.ChoiceField(label="Service", required=False)
    day = forms.DateField(
        label="People seen on",
        required=False,
        help_text="Only people with a contact or group session that day, and what "
        "is due for them by then. For example, tomorrow's group.",
        widget=DATE_INPUT,
        error_messages={"invalid": "Enter the day as a real date, like 2027-03-01"},
    )

    def __init__(
        self, data: Any = None, *args: Any, membership: Membership, **kwargs: Any
    ) -> None:
        self.default_worker = (
            MINE if due_lists.default_worker_is_me(membership) else EVERYONE
        )
        if data is not None and not data.get("worker"):
            data = data.copy()
            data["worker"] = self.default_worker
        super().__init__(data, *args, **kwargs)
        self.membership = membership
        organisation = membership.organisation
        caseload_only = membership.role in CASELOAD_ONLY_ROLES
        word = terms_for(organisation)
        self.fields["worker"].label = word["Key_worker"]
        self.fields["worker"].error_messages["invalid_choice"] = (
            f"Choose a {word['key_worker']} from the list"
        )
        workers: list[tuple[str, str]] = []
        if membership.role in KEY_WORKER_ROLES:
            workers.append((MINE, f"People I am {word['key_worker']} for"))
        workers.append(
            (EVERYONE, "Everyone on my caseload" if caseload_only else "Everyone")
        )
        if not caseload_only:
            workers += [
                (str(m.user_id), m.user.display_name)
                for m in key_workers_for(organisation).exclude(user=membership.user)
            ]
        self.fields["worker"].choices = workers
        self.fields["service"].choices = [("", "All services")] + [
            (str(s.pk), s.name)
            for s in Service.objects.filter(organisation=organisation).order_by("name")
        ]

    def clean_worker(self) -> User | None:
        value = self.cleaned_data.get("worker") or self.default_worker
        if value == MINE:
            return self.membership.user
        if value == EVERYONE:
            return None
        member = (
            key_workers_for(self.membership.organisation).filter(user_id=value).first()
        )
        if member is None:  # pragma: no cover - the choice field refuses it first
            raise forms.ValidationError("Choose someone from the list")
        return member.user

    def clean_service(self) -> Service | None:
        value = self.cleaned_data.get("service")
        if not value:
            return None
        return Service.objects.get(organisation=self.membership.organisation, pk=value)


class MissedForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why was it missed?",
        # A withdrawal is recorded as the person's consent, which closes the time
        # points itself.
        choices=[
            choice
            for choice in TimePoint.MissedReason.choices
            if choice[0] != TimePoint.MissedReason.WITHDREW
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why it was missed",
            "invalid_choice": "Choose why it was missed",
        },
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="Needed for “Other”. No clinical detail: this is for collection "
        "records.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the note to 300 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("reason") == TimePoint.MissedReason.OTHER
            and not (cleaned.get("note") or "").strip()
        ):
            self.add_error("note", "Say why it was missed when you choose “Other”")
        return cleaned


class RatesFilterForm(forms.Form):
    service = forms.ChoiceField(label="Service", required=False)
    start = forms.DateField(
        label="From",
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": "Enter the start date as a real date"},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": "Enter the end date as a real date"},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["service"].choices = [("", "All services")] + [
            (str(s.pk), s.name)
            for s in Service.objects.filter(organisation=organisation).order_by("name")
        ]

    def clean_service(self) -> Service | None:
        value = self.cleaned_data.get("service")
        if not value:
            return None
        return Service.objects.get(organisation=self.organisation, pk=value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        today = timezone.localdate()
        if "start" in cleaned and cleaned.get("start") is None:
            cleaned["start"] = today - dt.timedelta(days=90)
        if "end" in cleaned and cleaned.get("end") is None:
            cleaned["end"] = today
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must be on or after the start date")
        return cleaned
