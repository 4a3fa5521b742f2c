"""Seed a large organisation for benchmarks: many people, episodes, time points and
scored answers, written in bulk.

    openproms manage seed --service-users 100000 --administrations 1000000

Answers are simulated (openproms.collection.answer_simulation's model, vectorised)
and scored by the engine's vectorised path, so stored scores are the engine's own.
The organisation ("Benchmark Trust", slug ``bench``) gets an admin, a manager, a
data officer and workers (``worker1@bench.example`` ...), all with the demo password.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import numpy as np
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from openproms.accounts.models import Membership, Organisation, Service, User
from openproms.catalogue.models import OrganisationMeasure
from openproms.collection.models import (
    Administration,
    MeasurementPlan,
    OutcomeScore,
    PlanRule,
    ScaleResult,
    TimePoint,
)
from openproms.collection.outcome_scores import outcome_score_rows
from openproms.core.demo import DEMO_PASSWORD
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import MeasureDefinition, get_measure, score_table

SLUG = "bench"
MEASURES = ("phq9", "gad7")
INTERVAL_WEEKS = 6
WINDOW_DAYS = 10


def simulated_codes(
    measure: MeasureDefinition, wellbeing: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Answer codes (rows x items) for people at the given well-being levels (0-1)."""
    columns = []
    worse_when_high = {
        item_id: (not scale.higher_is_better) != (item_id in scale.reverse)
        for scale in measure.scales
        for item_id in scale.items
    }
    for item in measure.items:
        codes = np.array(sorted(item.response_set.codes))
        level = np.clip(wellbeing + rng.normal(0, 0.12, wellbeing.shape), 0, 1)
        if worse_when_high.get(item.id, False):
            level = 1 - level
        target = codes[0] + level * (codes[-1] - codes[0])
        nearest = codes[np.abs(target[:, None] - codes[None, :]).argmin(axis=1)]
        if item.risk is not None:
            unwell = (wellbeing <= 0.3) & (rng.random(wellbeing.shape) < 0.15)
            nearest = np.where(unwell, nearest, codes[0])
        columns.append(nearest)
    return np.stack(columns, axis=1)


class Command(BaseCommand):
    help = (
        "Seed a large benchmark organisation (people, episodes, time points, answers)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--service-users", type=int, default=100_000)
        parser.add_argument("--administrations", type=int, default=1_000_000)
        parser.add_argument("--workers", type=int, default=40)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--chunk", type=int, default=5_000, help="people written per batch"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people, answers = options["service_users"], options["administrations"]
        if people < 1 or answers < 0:
            raise CommandError(
                "--service-users must be at least 1 and --administrations not negative."
            )
        if Organisation.objects.filter(slug=SLUG).exists():
            raise CommandError(
                f"The organisation {SLUG!r} is already seeded; use a fresh database."
            )
        started = time.monotonic()
        rng = np.random.default_rng(options["seed"])
        organisation, services, workers, rules = self._organisation(options["workers"])
        per_person = answers / people
        today = timezone.localdate()
        written_people = written_answers = 0
        for offset in range(0, people, options["chunk"]):
            size = min(options["chunk"], people - offset)
            quota = round(per_person * (offset + size)) - written_answers
            written_answers += self._chunk(
                organisation, services, workers, rules, offset, size, quota, rng, today
            )
            written_people += size
            self.stdout.write(
                f"  {written_people:,} people, {written_answers:,} answers "
                f"({time.monotonic() - started:.0f} s)"
            )
        from openproms.core.tasks import database_optimise_now

        database_optimise_now()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {written_people:,} people and {written_answers:,} answers in "
                f"{time.monotonic() - started:.0f} s. Sign in as worker1@{SLUG}.example "
                f"(password {DEMO_PASSWORD})."
            )
        )

    def _organisation(
        self, n_workers: int
    ) -> tuple[
        Organisation, list[Service], list[User], dict[tuple[int, str, str], PlanRule]
    ]:
        password = make_password(DEMO_PASSWORD)
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name="Benchmark Trust", slug=SLUG, is_demo=True
            )
            services = [
                Service.objects.create(
                    organisation=organisation, name=f"Service {i + 1}"
                )
                for i in range(4)
            ]
            staff = [
                ("admin", "org_admin"),
                ("manager", "manager"),
                ("data", "data_officer"),
            ]
            staff += [(f"worker{i + 1}", "worker") for i in range(n_workers)]
            workers = []
            for name, role in staff:
                email = f"{name}@{SLUG}.example"
                user = User.objects.create(
                    username=email,
                    email=email,
                    password=password,
                    full_name=name.title(),
                )
                Membership.objects.create(
                    user=user, organisation=organisation, role=role
                )
                if role == "worker":
                    workers.append(user)
            rules: dict[tuple[int, str, str], PlanRule] = {}
            for measure_id in MEASURES:
                measure = get_measure(measure_id)
                OrganisationMeasure.objects.create(
                    organisation=organisation,
                    measure_id=measure.id,
                    measure_version=measure.version,
                )
            for service in services:
                since = timezone.now() - dt.timedelta(days=3650)
                plan = MeasurementPlan.objects.create(
                    organisation=organisation,
                    service=service,
                    name="Core outcomes",
                    created_at=since,
                )
                for measure_id in MEASURES:
                    measure = get_measure(measure_id)
                    rules[(service.pk, measure_id, "start")] = PlanRule.objects.create(
                        plan=plan,
                        measure_id=measure.id,
                        measure_version=measure.version,
                        kind=PlanRule.Kind.START,
                        window_days=WINDOW_DAYS,
                        created_at=since,
                    )
                    rules[(service.pk, measure_id, "every")] = PlanRule.objects.create(
                        plan=plan,
                        measure_id=measure.id,
                        measure_version=measure.version,
                        kind=PlanRule.Kind.EVERY_N_WEEKS,
                        weeks=INTERVAL_WEEKS,
                        window_days=WINDOW_DAYS,
                        created_at=since,
                    )
        return organisation, services, workers, rules

    @transaction.atomic
    def _chunk(
        self,
        organisation: Organisation,
        services: list[Service],
        workers: list[User],
        rules: dict[tuple[int, str, str], PlanRule],
        offset: int,
        size: int,
        quota: int,
        rng: np.random.Generator,
        today: dt.date,
    ) -> int:
        now = timezone.now()
        people = ServiceUser.objects.bulk_create(
            [
                ServiceUser(
                    organisation=organisation,
                    reference=f"B{offset + i + 1:07d}",
                    given_name="Person",
                    family_name=f"{offset + i + 1}",
                    created_at=now,
                    updated_at=now,
                )
                for i in range(size)
            ]
        )
        # Occasions per person: quota spread evenly, two measures per occasion.
        counts = np.full(size, quota // size)
        counts[: quota % size] += 1
        occasions = (counts + 1) // 2
        # Start early enough that every answered occasion is in the past; the next
        # occasion is then pending (due soon, due or overdue) for the due lists.
        span = 7 * INTERVAL_WEEKS * np.maximum(occasions - 1, 0)
        starts = [today - dt.timedelta(days=int(d + rng.integers(1, 50))) for d in span]
        service_of = rng.integers(0, len(services), size)
        worker_of = rng.integers(0, len(workers), size)
        episodes = Episode.objects.bulk_create(
            [
                Episode(
                    organisation=organisation,
                    service_user=person,
                    service=services[service_of[i]],
                    start_date=starts[i],
                    key_worker=workers[worker_of[i]],
                    created_at=now,
                )
                for i, person in enumerate(people)
            ]
        )
        wellbeing0 = rng.uniform(0.15, 0.55, size)
        slope = rng.normal(0.008, 0.01, size)
        time_points: list[TimePoint] = []
        answer_rows: list[
            tuple[int, str, float, dt.date]
        ] = []  # (person index, measure, level, date)
        remaining = counts.copy()
        for i, episode in enumerate(episodes):
            for k in range(int(occasions[i]) + 1):
                due = episode.start_date + dt.timedelta(weeks=INTERVAL_WEEKS * k)
                for measure_id in MEASURES:
                    kind = "start" if k == 0 else "every"
                    rule = rules[(episode.service_id, measure_id, kind)]
                    answered = remaining[i] > 0 and due <= today
                    time_points.append(
                        TimePoint(
                            organisation=organisation,
                            episode=episode,
                            rule=rule,
                            sequence=1 if k == 0 else k,
                            label="Start" if k == 0 else f"Week {INTERVAL_WEEKS * k}",
                            measure_id=measure_id,
                            measure_version=rule.measure_version,
                            due_date=due,
                            window_start=due
                            - dt.timedelta(days=0 if k == 0 else WINDOW_DAYS),
                            window_end=due + dt.timedelta(days=WINDOW_DAYS),
                            status=TimePoint.Status.COMPLETED
                            if answered
                            else TimePoint.Status.PENDING,
                        )
                    )
                    if answered:
                        remaining[i] -= 1
                        weeks = (due - episode.start_date).days / 7
                        answer_rows.append(
                            (
                                i,
                                measure_id,
                                float(wellbeing0[i] + slope[i] * weeks),
                                due,
                            )
                        )
                if due > today:
                    break
        TimePoint.objects.bulk_create(time_points, batch_size=2000)
        completed = [
            tp for tp in time_points if tp.status == TimePoint.Status.COMPLETED
        ]
        written = 0
        for measure_id in MEASURES:
            measure = get_measure(measure_id)
            rows = [r for r in answer_rows if r[1] == measure_id]
            tps = [tp for tp in completed if tp.measure_id == measure_id]
            if not rows:
                continue
            levels = np.array([r[2] for r in rows])
            codes = simulated_codes(measure, levels, rng)
            scores = score_table(measure, codes)
            administrations = [
                Administration(
                    organisation=organisation,
                    service_user=people[row[0]],
                    episode=episodes[row[0]],
                    time_point=tp,
                    measure_id=measure.id,
                    measure_version=measure.version,
                    answers=dict(
                        zip(measure.item_ids, (int(c) for c in codes[j]), strict=True)
                    ),
                    mode=Administration.Mode.PAPER_ENTRY,
                    submission_id=uuid.uuid4().hex,
                    payload_hash="seeded",
                    completed_at=timezone.make_aware(
                        dt.datetime.combine(row[3], dt.time(12))
                    ),
                    created_at=now,
                    scored_with=measure.key,
                )
                for j, (row, tp) in enumerate(zip(rows, tps, strict=True))
            ]
            Administration.objects.bulk_create(administrations, batch_size=2000)
            results = []
            outcome_scores = []
            for scale_id, columns in scores.scales.items():
                labels = scores.band_labels(scale_id)
                for j, administration in enumerate(administrations):
                    value = float(columns.value[j])
                    result = ScaleResult(
                        organisation_id=administration.organisation_id,
                        administration=administration,
                        scale_id=scale_id,
                        value=None if np.isnan(value) else value,
                        band=labels[j] or "",
                        band_index=int(columns.band[j])
                        if columns.band[j] >= 0
                        else None,
                        is_case=None if columns.case[j] < 0 else bool(columns.case[j]),
                        prorated=bool(columns.prorated[j]),
                        items_missing=int(columns.n_missing[j]),
                    )
                    results.append(result)
                    outcome_scores += outcome_score_rows(
                        administration,
                        [result],
                        is_exit=tps[j].rule.kind == PlanRule.Kind.EXIT,
                    )
            ScaleResult.objects.bulk_create(results, batch_size=2000)
            OutcomeScore.objects.bulk_create(outcome_scores, batch_size=2000)
            values = np.vstack([c.value for c in scores.scales.values()])
            no_score = np.flatnonzero(np.all(np.isnan(values), axis=0)).tolist()
            for start in range(0, len(no_score), 2000):
                TimePoint.objects.filter(
                    pk__in=[tps[j].pk for j in no_score[start : start + 2000]]
                ).update(no_score=True)
            written += len(administrations)
        return written
