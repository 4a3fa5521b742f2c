"""Importing historic data: upload, the dry run and the commit (all or nothing).

The dry run and the commit are the same function, :func:`import_run`: it reads
the file, checks every row (``imports.checking``) and, when nothing is wrong,
writes the whole plan in one transaction, counting what it creates, updates and
skips (``imports.tally``); the dry run then rolls the transaction back. So what
the dry run shows is what the commit does. The writing is done by one module
per kind of record: people and episodes (``imports.people_writing``), the
episodes' time points (``imports.schedules``: from the day of the import on,
decision 0046) and answers and scores (``imports.answers_writing``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.collection.bulk_submit import Submission
from openproms.imports.answers_writing import (
    answers_write,
    scores_write,
    submission_of,
)
from openproms.imports.checking import Checked, RowPlan, rows_check
from openproms.imports.mapping import organisation_import_measures
from openproms.imports.models import ImportJob
from openproms.imports.people_writing import EpisodeFinder, people_write
from openproms.imports.reading import Problem, read_table
from openproms.imports.schedules import (
    schedules_refresh,
    schedules_top_up,
    time_points_match,
)
from openproms.imports.tally import ImportRefused, Tally
from openproms.people.models import Episode, ServiceUser

# Files with more rows than this are checked and imported in the background.
BACKGROUND_ROWS = 500
MAX_BYTES = 50 * 1024 * 1024


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
    today = timezone.localdate()
    people = people_write(checked, tally, organisation, actor, request)
    episodes = EpisodeFinder(
        organisation, list(people.values()), actor, request, tally, today
    )
    answered: list[tuple[RowPlan, Submission]] = []
    scored: list[tuple[RowPlan, ServiceUser, Episode | None]] = []
    for plan in checked.rows:
        person = people[plan.reference]
        episode = episodes.get(plan, person)
        if plan.answers is not None and plan.measure is not None:
            answered.append((plan, submission_of(plan, person, episode, organisation)))
        elif plan.scores:
            scored.append((plan, person, episode))
        elif episode is None:
            tally.add(
                "rows_skipped", plan.row, "Nothing new", "The person's details only."
            )
    episodes.save_new()
    for plan, person, episode in scored:
        scores_write(plan, person, episode, tally, organisation, job)
    # Time points first (from today on: the past of an episode this import adds
    # is history, decision 0046), so that an answer given in the window of one
    # still due completes it.
    refreshed = schedules_refresh(episodes, tally, today)
    if answered:
        answered = time_points_match(answered, refreshed)
        given = answers_write(answered, tally, organisation, actor, request)
        schedules_top_up(refreshed, given, tally, today)


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
