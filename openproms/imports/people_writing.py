"""Writing an import's people and episodes: each person added or their details
changed, each row's episode found (same person, service and start) or added,
and a held episode given the end date the file names."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action, log_actions
from openproms.imports.checking import Checked, RowPlan
from openproms.imports.tally import Tally, long_date
from openproms.people.models import Episode, ServiceUser


def _filled(details: dict[str, object]) -> list[str]:
    return sorted(name for name, value in details.items() if value)


def people_write(
    checked: Checked,
    tally: Tally,
    organisation: Organisation,
    actor: User | None,
    request: HttpRequest | None,
) -> dict[str, ServiceUser]:
    """Every person of the file, by reference: added, or held and updated."""
    people: dict[str, ServiceUser] = {}
    made: list[ServiceUser] = []
    for reference, plan in checked.people.items():
        person = plan.existing
        if person is None:
            person = ServiceUser(
                organisation=organisation, reference=reference, **plan.details
            )
            made.append(person)
            tally.add("people_created", plan.row, "Add", f"Person {reference}.")
        else:
            changed = sorted(
                name
                for name, value in plan.details.items()
                if value and getattr(person, name) != value
            )
            if changed:
                for name in changed:
                    setattr(person, name, plan.details[name])
                person.version += 1
                person.updated_at = timezone.now()
                person.save(update_fields=[*changed, "version", "updated_at"])
                log_action(
                    action="person.update",
                    actor=actor,
                    organisation=organisation,
                    obj=person,
                    request=request,
                    detail={"fields": changed, "source": "import"},
                )
                words = ", ".join(n.replace("_", " ") for n in changed)
                tally.add(
                    "people_updated", plan.row, "Change", f"{reference}: {words}."
                )
        people[reference] = person
    ServiceUser.objects.bulk_create(made, batch_size=500)
    log_actions(
        {
            "action": "person.create",
            "actor": actor,
            "organisation": organisation,
            "obj": person,
            "request": request,
            "detail": {
                "fields": [
                    *_filled(checked.people[person.reference].details),
                    "reference",
                ],
                "source": "import",
            },
        }
        for person in made
    )
    return people


class EpisodeFinder:
    """Each row's episode: one held (same person, service and start) or a new one.

    A new episode is saved with the file's end date (closed) or open, and with
    ``scheduled_from`` the day of the import (``today``): its measures are due
    from that day on, and earlier occasions are history (decision 0046)."""

    def __init__(
        self,
        organisation: Organisation,
        people: list[ServiceUser],
        actor: User | None,
        request: HttpRequest | None,
        tally: Tally,
        today: dt.date,
    ) -> None:
        self.organisation, self.actor, self.request, self.tally = (
            organisation,
            actor,
            request,
            tally,
        )
        self.today = today
        self.known: dict[tuple[int, int, dt.date], Episode] = {}
        ids = [p.pk for p in people]
        for start in range(0, len(ids), 500):
            for episode in Episode.objects.filter(
                organisation=organisation, service_user_id__in=ids[start : start + 500]
            ):
                key = (episode.service_user_id, episode.service_id, episode.start_date)
                self.known.setdefault(key, episode)
        self.done: set[tuple[int, int, dt.date]] = set()
        self.new: list[Episode] = []
        # Each episode this import uses: the first row naming it, and its name
        # in the row-by-row list ("R-001: Wellbeing course from 4 January 2024").
        self.first_row: dict[int, int] = {}
        self.words: dict[int, str] = {}

    def save_new(self) -> None:
        """Write the episodes this import makes, each audited as opened."""
        Episode.objects.bulk_create(self.new, batch_size=500)
        log_actions(
            {
                "action": "episode.open",
                "actor": self.actor,
                "organisation": self.organisation,
                "obj": episode,
                "request": self.request,
                "detail": {"service": episode.service_id, "source": "import"},
            }
            for episode in self.new
        )

    def is_new(self, episode: Episode) -> bool:
        return any(episode is made for made in self.new)

    def to_refresh(self) -> list[Episode]:
        """The episodes whose time points the import refreshes: the open ones and
        those held before; a closed episode this import made is history and gets
        none (decision 0024)."""
        made = {id(episode) for episode in self.new}
        used = {id(self.known[key]): self.known[key] for key in self.done}
        return [
            episode
            for ident, episode in used.items()
            if episode.end_date is None or ident not in made
        ]

    def get(self, plan: RowPlan, person: ServiceUser) -> Episode | None:
        if plan.service is None or plan.episode_start is None:
            return None
        key = (person.pk, plan.service.pk, plan.episode_start)
        episode = self.known.get(key)
        what = f"{person.reference}: {plan.service.name} from {long_date(plan.episode_start)}"
        if episode is None:
            episode = Episode(
                organisation=self.organisation,
                service_user=person,
                service=plan.service,
                start_date=plan.episode_start,
                end_date=plan.episode_end,
                status=Episode.Status.CLOSED
                if plan.episode_end
                else Episode.Status.ACTIVE,
                close_reason=Episode.CloseReason.OTHER if plan.episode_end else "",
                scheduled_from=self.today,
            )
            self.new.append(episode)
            self.known[key] = episode
            ends = ""
            if plan.episode_end:
                self.tally.counts["episodes_ended"] += 1
                ends = f" to {long_date(plan.episode_end)} (closed)"
            self.tally.add(
                "episodes_created", plan.row, "Add", f"Episode of {what}{ends}."
            )
        elif (
            plan.episode_end
            and episode.end_date != plan.episode_end
            and key not in self.done
        ):
            episode.end_date = plan.episode_end
            episode.status = Episode.Status.CLOSED
            episode.close_reason = episode.close_reason or Episode.CloseReason.OTHER
            episode.version += 1
            episode.save(
                update_fields=["end_date", "status", "close_reason", "version"]
            )
            log_action(
                action="episode.close",
                actor=self.actor,
                organisation=self.organisation,
                obj=episode,
                request=self.request,
                detail={"source": "import"},
            )
            self.tally.counts["episodes_ended"] += 1
            self.tally.add(
                "episodes_updated",
                plan.row,
                "Change",
                f"Episode of {what} ends {long_date(plan.episode_end)} (closed).",
            )
        self.done.add(key)
        self.first_row.setdefault(id(episode), plan.row)
        self.words.setdefault(id(episode), what)
        return episode
