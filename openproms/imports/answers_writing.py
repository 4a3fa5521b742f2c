"""Writing an import's answers and scores.

Answers are saved through ``collection.bulk_submit.administrations_submit``,
``administration_submit`` in bulk (mode "Imported"), with a submission id made
from the organisation, the person's reference, the measure and the day:
importing the same rows again stores nothing new. Answers given in the window
of a time point still due complete it (``imports.schedules``). Scores without
answers are kept as :class:`ImportedScore` (decision 0024), never rescored.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.collection.bulk_submit import (
    Submission,
    SubmissionsConflict,
    administrations_submit,
)
from openproms.collection.models import Administration
from openproms.collection.services import DataRestricted
from openproms.imports.checking import RowPlan
from openproms.imports.models import ImportedScore, ImportJob
from openproms.imports.reading import Problem
from openproms.imports.tally import Tally, long_date
from openproms.people.models import Episode, ServiceUser


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


def noon(day: dt.date) -> dt.datetime:
    # Midday, so the day stays the same in any time zone a page shows it in.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def submission_of(
    plan: RowPlan,
    person: ServiceUser,
    episode: Episode | None,
    organisation: Organisation,
) -> Submission:
    """A row's answers as one submission (no time point yet)."""
    assert plan.measure is not None and plan.answers is not None
    assert plan.completed_on is not None
    return Submission(
        service_user=person,
        measure=plan.measure,
        answers=plan.answers,
        submission_id=submission_id(
            organisation, person.reference, plan.measure.id, plan.completed_on
        ),
        episode=episode,
        completed_at=noon(plan.completed_on),
    )


def answers_write(
    answered: list[tuple[RowPlan, Submission]],
    tally: Tally,
    organisation: Organisation,
    actor: User | None,
    request: HttpRequest | None,
) -> set[int]:
    """Every row's answers through administrations_submit (administration_submit
    in bulk: the same checks, scoring, storage and idempotency). Returns the
    episodes (their keys) that were given new answers."""

    def what(plan: RowPlan, submission: Submission) -> str:
        assert plan.completed_on is not None
        return (
            f"{submission.measure.short_name} answered {long_date(plan.completed_on)} "
            f"by {submission.service_user.reference}"
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
        return set()
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
        return set()
    given: set[int] = set()
    for (plan, submission), result in zip(answered, results, strict=True):
        if result.created:
            if submission.episode is not None:
                given.add(submission.episode.pk)
            scores = "; ".join(
                f"{scale.value:g}"
                for scale in result.score.scales.values()
                if scale.value is not None
            )
            text = what(plan, submission) + (
                f" (score {scores})" if scores else " (no score)"
            )
            if submission.time_point is not None:
                text += f", answering its {submission.time_point.label} time point"
            tally.add("answers_created", plan.row, "Add", f"{text}.")
        else:
            tally.add(
                "rows_skipped",
                plan.row,
                "Already imported",
                f"{what(plan, submission)}.",
            )
    return given


def scores_write(
    plan: RowPlan,
    person: ServiceUser,
    episode: Episode | None,
    tally: Tally,
    organisation: Organisation,
    job: ImportJob,
) -> None:
    """A row's scores kept as imported scores, as given (never rescored)."""
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
            f"{long_date(plan.completed_on)} for {person.reference}"
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
