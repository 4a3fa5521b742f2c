"""The form of a group session and its register: who attended and who did not."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from openproms.accounts.models import Membership, Service
from openproms.people.forms import DateParts, service_choice
from openproms.people.models import Episode


class EpisodeChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.service_user.display_name


def _register(label: str) -> EpisodeChoices:
    """Tick boxes of the people on the register (the form sets who may be
    ticked)."""
    return EpisodeChoices(
        label=label,
        queryset=Episode.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose people from the list",
            "invalid_pk_value": "Choose people from the list",
        },
    )


class GroupSessionForm(forms.Form):
    """A group session and its register: who attended and who did not."""

    title = forms.CharField(
        label="Name of the session",
        max_length=200,
        error_messages={"required": "Enter a name for the session"},
    )
    service = service_choice()
    attended = _register("Who attended?")
    did_not_attend = _register("Who was expected but did not attend?")

    def __init__(
        self,
        *args: Any,
        membership: Membership,
        candidates: Any,
        fixed_service: Service | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            **DateParts.initial("on", timezone.localdate()),
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        DateParts.attach(self, "on")
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organisation=membership.organisation
        )
        if fixed_service is not None:
            self.fields["service"].required = False
            self.fields["service"].disabled = True
            self.fields["service"].initial = fixed_service.pk
        self.fields["attended"].queryset = candidates  # type: ignore[attr-defined]
        self.fields["did_not_attend"].queryset = candidates  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["date"] = DateParts.clean(
            self, cleaned, "on", "Date of the session", required=True
        )
        both = set(cleaned.get("attended") or []) & set(
            cleaned.get("did_not_attend") or []
        )
        if both:
            names = ", ".join(sorted(e.service_user.display_name for e in both))
            self.add_error(
                "did_not_attend",
                f"Choose attended or did not attend, not both, for {names}",
            )
        service = cleaned.get("service")
        for name in ("attended", "did_not_attend"):
            for episode in cleaned.get(name) or []:
                if service is not None and episode.service_id != service.pk:
                    self.add_error(
                        name,
                        f"{episode.service_user.display_name} is not in {service.name}",
                    )
                    break
        return cleaned
