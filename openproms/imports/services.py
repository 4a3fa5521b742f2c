"""Importing historic data: upload, the dry run and the commit (all or nothing).

The dry run and the commit are the same function, :func:`import_run`: it reads
the file, checks every row (``imports.checking``) and, when nothing is wrong,
writes the whole plan in one transaction, counting what it creates, updates and
skips; the dry run then rolls the transaction back. So what the dry run shows
is what the commit does. Answers are saved through
``collection.bulk_submit.administrations_submit``, ``administration_submit`` in
bulk (mode "Imported") with a
submission id made from the organisation, the person's reference, the measure
and the day: importing the same rows again stores nothing new. Scores without
answers are kept as :class:`ImportedScore` (decision 0024), never rescored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action, log_actions
from openproms.collection.bulk_submit import (
    Submission,
    SubmissionsConflict,
    administrations_submit,
)
from openproms.collection.models import Administration
from openproms.collection.scheduling import episode_schedule_refresh
from openproms.collection.services import DataRestricted
from openproms.imports.checking import Checked, RowPlan, rows_check
from openproms.imports.mapping import organisation_import_measures
from openproms.imports.models import ImportedScore, ImportJob
from openproms.imports.reading import Problem, read_table
from openproms.people.models import Episode, ServiceUser

# Files with more rows than this are checked and imported in the background.
BACKGROUND_ROWS = 500
MAX_BYTES = 50 * 1024 * 1024
LINES_KEPT = 500


class ImportRefused(Exception):
    """Something found while writing (e.g. answers imported before, different)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "")
        self.problems = problems


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def submission_id(
    organisation: Organisation, reference: str, measure: str, day: dt.date
) -> str:
    """The same person, measure and day always make the same id (at most 64)."""
    key = f"{organisation.pk}|{reference}|{measure}|{day.isoformat()}"
    return "import-" + hashlib.sha256(key.encode()).hexdigest()[:57]


def _score_key(
    organisation: Organisation, reference: str, measure: str, scale: str, day: dt.date
) -> str:
    key = f"{organisation.pk}|{reference}|{measure}|{scale}|{day.isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass
class Tally:
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "people_created": 0,
            "people_updated": 0,
            "episodes_created": 0,
            "episodes_updated": 0,
            "answers_created": 0,
            "scores_created": 0,
            "rows_skipped": 0,
        }
    )
    lines: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, count: str, row: int, action: str, text: str) -> None:
        self.counts[count] += 1
        if len(self.lines) < LINES_KEPT:
            self.lines.append({"row": row, "action": action, "text": text})


def import_upload(
    *,
    organisation: Organisation,
    actor: User,
    file_name: str,
    content: bytes,
    request: HttpRequest | None = None,
) -> ImportJob:
    """Keep an uploaded file and read its headings (a file that cannot be read at
    all is kept with its problems, so the page can name them)."""
    table = read_table(content)
    job = ImportJob.objects.create(
        organisation=organisation,
        uploaded_by=actor,
        file_name=file_name[:200],
        file_hash=hashlib.sha256(content).hexdigest(),
        content=content,
        headers=table.headers,
        row_count=len(table.rows),
    )
    if table.problems or not table.headers:
        problems = table.problems or [Problem(None, "", "The file has no heading row.")]
        _finish(job, status=ImportJob.Status.PROBLEMS, problems=problems, commit=False)
    log_action(
        action="import.upload",
        actor=actor,
        organisation=organisation,
        obj=job,
        request=request,
        detail={"rows": job.row_count, "bytes": len(content)},
    )
    return job


def _problem_dicts(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"row": p.row, "column": p.column, "message": p.message} for p in problems]


def _finish(
    job: ImportJob,
    *,
    status: str,
    commit: bool,
    problems: list[Problem] | None = None,
    skipped: list[Problem] | None = None,
    tally: Tally | None = None,
) -> None:
    job.status = status
    job.stage = ""
    job.finished_at = timezone.now()
    job.outcome = {
        "commit": commit,
        "problems": _problem_dicts(problems or []),
        "skipped": _problem_dicts(skipped or []),
        "counts": tally.counts if tally else {},
        "lines": tally.lines if tally else [],
    }
    fields = ["status", "stage", "finished_at", "outcome"]
    if status == ImportJob.Status.IMPORTED:
        # Imported: the file (names, dates of birth) is not kept beside the records.
        job.content = b""
        fields.append("content")
    job.save(update_fields=fields)


def _progress(job: ImportJob) -> Any:
    def report(stage: str, done: int) -> None:
        if job.in_background:
            ImportJob.objects.filter(pk=job.pk).update(stage=stage, rows_done=done)

    return report


def import_run(
    *,
    job: ImportJob,
    commit: bool,
    actor: User | None,
    request: HttpRequest | None = None,
) -> ImportJob:
    """Check the file with its mapping, then write it: kept on commit, rolled back
    on a dry run. Any problem, found first or while writing, writes nothing."""
    organisation = job.organisation
    report = _progress(job)
    report("Reading the file", 0)
    table = read_table(bytes(job.content))
    if table.problems:
        _finish(
            job,
            status=ImportJob.Status.PROBLEMS,
            problems=table.problems,
            commit=commit,
        )
        return job
    measures = organisation_import_measures(organisation)
    checked = rows_check(
        organisation=organisation,
        table=table,
        mapping=job.mapping,
        measures=measures,
        progress=report,
    )
    if checked.problems:
        _finish(
            job,
            status=ImportJob.Status.PROBLEMS,
            problems=checked.problems,
            skipped=checked.skipped,
            commit=commit,
        )
        return job
    report("Saving every row together", len(table.rows))
    tally = Tally()
    tally.counts["rows_skipped"] = len(checked.skipped)
    try:
        with transaction.atomic():
            _write(job=job, checked=checked, tally=tally, actor=actor, request=request)
            if tally.problems:
                raise ImportRefused(tally.problems)
            if commit:
                log_action(
                    action="import.commit",
                    actor=actor,
                    organisation=organisation,
                    obj=job,
                    request=request,
                    detail=dict(tally.counts),
                )
            else:
                transaction.set_rollback(True)
    except ImportRefused as refused:
        _finish(
            job,
            status=ImportJob.Status.PROBLEMS,
            problems=refused.problems,
            skipped=checked.skipped,
            commit=commit,
        )
        return job
    _finish(
        job,
        status=ImportJob.Status.IMPORTED if commit else ImportJob.Status.CHECKED,
        skipped=checked.skipped,
        tally=tally,
        commit=commit,
    )
    return job


def _write(
    *,
    job: ImportJob,
    checked: Checked,
    tally: Tally,
    actor: User | None,
    request: HttpRequest | None,
) -> None:
    organisation = job.organisation
    people = _write_people(checked, tally, organisation, actor, request)
    episodes = _EpisodeFinder(
        organisation, list(people.values()), actor, request, tally
    )
    answered: list[tuple[RowPlan, Submission]] = []
    scored: list[tuple[RowPlan, ServiceUser, Episode | None]] = []
    for plan in checked.rows:
        person = people[plan.reference]
        episode = episodes.get(plan, person)
        if plan.answers is not None and plan.measure is not None:
            assert plan.completed_on is not None
            answered.append(
                (
                    plan,
                    Submission(
                        service_user=person,
                        measure=plan.measure,
                        answers=plan.answers,
                        submission_id=submission_id(
                            organisation,
                            person.reference,
                            plan.measure.id,
                            plan.completed_on,
                        ),
                        episode=episode,
                        completed_at=_noon(plan.completed_on),
                    ),
                )
            )
        elif plan.scores:
            scored.append((plan, person, episode))
        elif episode is None:
            tally.add(
                "rows_skipped", plan.row, "Nothing new", "The person's details only."
            )
    episodes.save_new()
    for plan, person, episode in scored:
        _write_scores(plan, person, episode, tally, organisation, job)
    if answered:
        _write_answers(answered, tally, organisation, actor, request)
    # Open episodes, and those held before, get their time points as any episode
    # does; a closed episode this import made is history and gets none (0024).
    for episode in episodes.to_refresh():
        episode_schedule_refresh(episode=episode)


def _filled(details: dict[str, object]) -> list[str]:
    return sorted(name for name, value in details.items() if value)


def _write_people(
    checked: Checked,
    tally: Tally,
    organisation: Organisation,
    actor: User | None,
    request: HttpRequest | None,
) -> dict[str, ServiceUser]:
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


class _EpisodeFinder:
    """Each row's episode: one held (same person, service and start) or a new one."""

    def __init__(
        self,
        organisation: Organisation,
        people: list[ServiceUser],
        actor: User | None,
        request: HttpRequest | None,
        tally: Tally,
    ) -> None:
        self.organisation, self.actor, self.request, self.tally = (
            organisation,
            actor,
            request,
            tally,
        )
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

    def to_refresh(self) -> list[Episode]:
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
        what = (
            f"{person.reference}: {plan.service.name} from {_long(plan.episode_start)}"
        )
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
            )
            self.new.append(episode)
            self.known[key] = episode
            self.tally.add("episodes_created", plan.row, "Add", f"Episode of {what}.")
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
            self.tally.add(
                "episodes_updated",
                plan.row,
                "Change",
                f"Episode of {what} ends {_long(plan.episode_end)}.",
            )
        self.done.add(key)
        return episode


def _noon(day: dt.date) -> dt.datetime:
    # Midday, so the day stays the same in any time zone a page shows it in.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _write_answers(
    answered: list[tuple[RowPlan, Submission]],
    tally: Tally,
    organisation: Organisation,
    actor: User | None,
    request: HttpRequest | None,
) -> None:
    """Every row's answers through administrations_submit (administration_submit
    in bulk: the same checks, scoring, storage and idempotency)."""

    def what(plan: RowPlan, submission: Submission) -> str:
        assert plan.completed_on is not None
        return (
            f"{submission.measure.short_name} answered {_long(plan.completed_on)} by "
            f"{submission.service_user.reference}"
        )

    try:
        results = administrations_submit(
            organisation=organisation,
            submissions=[submission for _, submission in answered],
            mode=Administration.Mode.IMPORT,
            collected_by=actor,
            request=request,
            schedule=False,
        )
    except DataRestricted:
        tally.problems.append(
            Problem(None, "", "A person in the file has their data restricted.")
        )
        return
    except SubmissionsConflict as conflict:
        used = set(conflict.submission_ids)
        for plan, submission in answered:
            if submission.submission_id in used:
                tally.problems.append(
                    Problem(
                        plan.row,
                        "",
                        f"Row {plan.row}: {what(plan, submission)} was imported before "
                        "with different answers. Correct them on the person's page, or "
                        "fix this row.",
                    )
                )
        return
    for (plan, submission), result in zip(answered, results, strict=True):
        if result.created:
            scores = "; ".join(
                f"{scale.value:g}"
                for scale in result.score.scales.values()
                if scale.value is not None
            )
            tally.add(
                "answers_created",
                plan.row,
                "Add",
                what(plan, submission)
                + (f" (score {scores})." if scores else " (no score)."),
            )
        else:
            tally.add(
                "rows_skipped",
                plan.row,
                "Already imported",
                f"{what(plan, submission)}.",
            )


def _write_scores(
    plan: RowPlan,
    person: ServiceUser,
    episode: Episode | None,
    tally: Tally,
    organisation: Organisation,
    job: ImportJob,
) -> None:
    assert plan.completed_on is not None
    for measure, scale_id, value in plan.scores:
        key = _score_key(
            organisation, person.reference, measure.id, scale_id, plan.completed_on
        )
        label = (
            next((s.label for s in measure.scales if s.id == scale_id), "") or "score"
        )
        what = (
            f"{measure.short_name} {label.lower()} {value:g} on "
            f"{_long(plan.completed_on)} for {person.reference}"
        )
        held = ImportedScore.objects.filter(
            organisation=organisation, source_key=key
        ).first()
        if held is not None:
            if held.value == value:
                tally.add("rows_skipped", plan.row, "Already imported", f"{what}.")
            else:
                tally.problems.append(
                    Problem(
                        plan.row,
                        "",
                        f"Row {plan.row}: {what} was imported before as {held.value:g}.",
                    )
                )
            continue
        ImportedScore.objects.create(
            organisation=organisation,
            service_user=person,
            episode=episode,
            job=job,
            measure_id=measure.id,
            measure_version=measure.version,
            scale_id=scale_id,
            value=value,
            completed_on=plan.completed_on,
            source_key=key,
        )
        tally.add("scores_created", plan.row, "Add", f"Imported score: {what}.")


def import_start(
    *,
    job: ImportJob,
    commit: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> ImportJob:
    """Run the dry run (or the commit) now, or in the background for a large file."""
    if job.row_count <= BACKGROUND_ROWS:
        job.in_background = False
        return import_run(job=job, commit=commit, actor=actor, request=request)
    job.status = ImportJob.Status.IMPORTING if commit else ImportJob.Status.CHECKING
    job.stage = "Waiting to start"
    job.rows_done = 0
    job.in_background = True
    job.save(update_fields=["status", "stage", "rows_done", "in_background"])
    from openproms.imports.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk, commit, actor.pk))
    return job
