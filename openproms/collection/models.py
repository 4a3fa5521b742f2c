"""Measurement plans, time points, answers (administrations), scores and their
corrections; risk alerts, links, acceptability and paper entries are in
:mod:`openproms.collection.response_models` (re-exported here)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CollectionSettings(models.Model):
    """How a service collects: what a person sees after answering, double entry."""

    service = models.OneToOneField(
        "accounts.Service", on_delete=models.CASCADE, related_name="collection_settings"
    )
    show_results = models.BooleanField(
        default=True,
        help_text="Show people their score and what it means after answering. "
        "Turn off to show a thank-you message only.",
    )
    double_entry = models.BooleanField(
        default=False,
        help_text="Paper forms typed in must be typed again by a second person; "
        "differences are shown to resolve.",
    )

    def __str__(self) -> str:
        return f"Collection settings for {self.service}"


class MeasurementPlan(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="plans"
    )
    service = models.ForeignKey(
        "accounts.Service", on_delete=models.CASCADE, related_name="plans"
    )
    name = models.CharField(max_length=200)
    is_pilot = models.BooleanField(
        default=False,
        help_text="Pilot data is marked everywhere and left out of funder reports by default.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["service__name", "name"]

    def __str__(self) -> str:
        return f"{self.name}{' (pilot)' if self.is_pilot else ''}"


class PlanRule(models.Model):
    """When one measure is due. See openproms/collection/schedule.py for the rules."""

    class Kind(models.TextChoices):
        START = "start", "At the start"
        EXIT = "exit", "At the end"
        EVERY_N_WEEKS = "every_n_weeks", "Every few weeks from the start"
        EVERY_NTH_SESSION = "every_nth_session", "Every few attended sessions"
        WHEN_SEEN_AFTER = "when_seen_after", "When next seen, after some weeks"
        ONE_OFF = "one_off", "Once, on a date"

    plan = models.ForeignKey(
        MeasurementPlan, on_delete=models.CASCADE, related_name="rules"
    )
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    weeks = models.PositiveIntegerField(null=True, blank=True)
    sessions = models.PositiveIntegerField(null=True, blank=True)
    on_date = models.DateField(null=True, blank=True)
    window_days = models.PositiveIntegerField(default=7)
    created_at = models.DateTimeField(
        default=timezone.now,
        help_text="Occasions whose window closed before the rule existed are not created.",
    )

    class Meta:
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.get_kind_display()}"


class TimePoint(models.Model):
    """One occasion a measure is due for an episode, and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Due"
        COMPLETED = "completed", "Completed"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "No longer needed"

    class MissedReason(models.TextChoices):
        DECLINED = "declined", "Declined"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"
        TOO_UNWELL = "too_unwell", "Too unwell"
        LEFT_SERVICE = "left_service", "Left the service"
        OTHER = "other", "Other"
        # Set only by the scheduler, on the time points it closes when the person
        # withdraws from taking part (people.consent); not offered to workers.
        WITHDREW = "withdrew", "Withdrew from taking part"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="time_points"
    )
    episode = models.ForeignKey(
        "people.Episode", on_delete=models.CASCADE, related_name="time_points"
    )
    rule = models.ForeignKey(
        PlanRule, on_delete=models.CASCADE, related_name="time_points"
    )
    sequence = models.PositiveIntegerField(
        help_text="1 for the first occasion of this rule, and so on."
    )
    label = models.CharField(max_length=100)
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    due_date = models.DateField()
    window_start = models.DateField()
    window_end = models.DateField(
        null=True, blank=True, help_text="Empty: open until next seen."
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    missed_reason = models.CharField(
        max_length=20, choices=MissedReason.choices, blank=True
    )
    missed_note = models.CharField(max_length=300, blank=True)
    missed_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    missed_recorded_at = models.DateTimeField(null=True, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)
    is_pilot = models.BooleanField(default=False)
    no_score = models.BooleanField(
        default=False,
        help_text="Its answers are stored but made no score at all (every scale "
        "had too few items answered). Kept by every path that writes scale "
        "results (decision 0040).",
    )

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "rule", "sequence"],
                name="one_time_point_per_occasion",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "due_date"], name="tp_due"),
            # Also answers "has this episode a completed baseline / later time
            # point" (reports) from the index alone.
            models.Index(
                fields=["episode", "status", "rule", "is_pilot"], name="tp_episode_rule"
            ),
            models.Index(
                fields=["organisation", "status", "window_end"], name="tp_window_end"
            ),
            # Collection rates and the dashboards' collection summary, from the
            # index alone (the episode too, for a service's time points).
            models.Index(
                fields=[
                    "organisation",
                    "status",
                    "due_date",
                    "is_pilot",
                    "episode",
                    "no_score",
                ],
                name="tp_rates_scored",
            ),
            # The API's pages: an organisation's time points in key order, and
            # those recorded as missed or printed since a time.
            models.Index(fields=["organisation", "id"], name="tp_org_key"),
            models.Index(
                fields=["organisation", "missed_recorded_at"], name="tp_missed_since"
            ),
            models.Index(
                fields=["organisation", "printed_at"], name="tp_printed_since"
            ),
            # Weeks of time points by due date with every field their state needs
            # (and the episode and rule), read from the index alone: the weekly
            # collection page (decision 0039).
            models.Index(
                fields=[
                    "organisation",
                    "due_date",
                    "status",
                    "no_score",
                    "missed_reason",
                    "window_start",
                    "window_end",
                    "episode",
                    "rule",
                ],
                name="tp_weeks_scored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.label} due {self.due_date}"


class Administration(models.Model):
    """One completed measure: the answers as given, and how they were collected."""

    class Mode(models.TextChoices):
        ASSISTED = "assisted", "With a worker, on screen"
        KIOSK = "kiosk", "On a handed-over screen"
        SELF = "self", "Self-completion link"
        PAPER_ENTRY = "paper_entry", "Paper form, typed in"
        PAPER_SCAN = "paper_scan", "Paper form, scanned"
        IMPORT = "import", "Imported"

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="administrations",
    )
    service_user = models.ForeignKey(
        "people.ServiceUser", on_delete=models.CASCADE, related_name="administrations"
    )
    episode = models.ForeignKey(
        "people.Episode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="administrations",
    )
    time_point = models.OneToOneField(
        TimePoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="administration",
    )
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    answers = models.JSONField(
        help_text="Item id to answer code (null when not answered)."
    )
    mode = models.CharField(max_length=12, choices=Mode.choices)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submission_id = models.CharField(max_length=64)
    payload_hash = models.CharField(max_length=64)
    completed_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When the answering screen these answers were given on was first "
            "shown (answer_started.py); empty for paper, imports and the API, "
            "and whenever the signed start did not come back intact."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)
    scored_with = models.CharField(
        max_length=40,
        help_text="The measure definition (id@version) the scores came from.",
    )
    is_pilot = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    # Answers sent through the REST API or FHIR: the token that sent them (kept
    # when it is revoked) and its name (kept when the token is deleted).
    api_token = models.ForeignKey(
        "api.ApiToken",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="administrations",
    )
    api_token_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-completed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "submission_id"],
                name="one_administration_per_submission",
            )
        ]
        indexes = [
            models.Index(
                fields=["service_user", "measure_id", "completed_at"],
                name="adm_person_measure",
            ),
            models.Index(fields=["organisation", "completed_at"], name="adm_org_time"),
            # The API's pages: in key order, and those saved since a time.
            models.Index(fields=["organisation", "id"], name="adm_org_key"),
            models.Index(fields=["organisation", "created_at"], name="adm_org_saved"),
            # Outcome reports read a measure's answers episode by episode.
            models.Index(
                fields=[
                    "organisation",
                    "measure_id",
                    "episode",
                    "completed_at",
                    "is_pilot",
                ],
                name="adm_outcomes",
            ),
            # Which versions of a measure a report's answers were given on
            # (reports.selectors.versions): a seek per version.
            models.Index(
                fields=[
                    "organisation",
                    "measure_id",
                    "measure_version",
                    "completed_at",
                ],
                name="adm_versions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} on {self.completed_at.day} {self.completed_at:%b %Y}"

    @property
    def minutes_to_complete(self) -> float | None:
        """Minutes from the answering screen first shown to the answers saved;
        None without a start time."""
        if self.started_at is None:
            return None
        return (self.completed_at - self.started_at).total_seconds() / 60

    @property
    def origin(self) -> str:
        """How these answers came, in words for staff: the mode, and for answers
        sent through the API the token that sent them."""
        return self.origin_for("worker")

    def origin_for(self, worker: str) -> str:
        """:attr:`origin` in the organisation's word for the staff who collect
        (``terms_for(...)["worker"]``: a GP practice's clinician)."""
        if self.api_token_name:
            return f"Sent through the API by token \u2018{self.api_token_name}\u2019"
        if self.mode == self.Mode.ASSISTED:
            return f"With a {worker}, on screen"
        return str(self.get_mode_display())  # type: ignore[attr-defined]


class ScaleResult(models.Model):
    """A stored scale score, computed by the scoring engine when answers are saved."""

    # The administration's organisation, copied when the result is written: the
    # row-level security policy compares it directly (decision 0016).
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="results"
    )
    scale_id = models.CharField(max_length=60)
    value = models.FloatField(null=True, blank=True)
    reason = models.CharField(
        max_length=300, blank=True, help_text="Why there is no value."
    )
    band = models.CharField(max_length=100, blank=True)
    band_index = models.IntegerField(null=True, blank=True)
    is_case = models.BooleanField(null=True, blank=True)
    prorated = models.BooleanField(default=False)
    items_missing = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["administration", "scale_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "scale_id"], name="one_result_per_scale"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scale_id} = {self.value}"


class OutcomeScore(models.Model):
    """A copy of one stored scale value of an administration that belongs to an
    episode, laid out for outcome reports (docs/decisions/0007-outcome-scores.md).

    Written and replaced with the :class:`ScaleResult` rows it copies (in
    ``collection.services``), and deleted with its administration or its episode.
    The completion time is integer microseconds since the epoch, so the one index
    below answers a report's read of a measure (every episode's scores, in order)
    on its own, with integer comparisons and no join.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    episode = models.ForeignKey(
        "people.Episode", on_delete=models.CASCADE, related_name="+"
    )
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="outcome_scores"
    )
    measure_id = models.CharField(max_length=60)
    scale_id = models.CharField(max_length=60)
    completed_us = models.BigIntegerField(
        help_text="The administration's completion time, microseconds since 1970 UTC."
    )
    value = models.FloatField()
    is_pilot = models.BooleanField(default=False)
    is_exit = models.BooleanField(
        default=False, help_text="Answered at an exit (end of contact) time point."
    )

    class Meta:
        indexes = [
            models.Index(
                fields=[
                    "organisation",
                    "measure_id",
                    "scale_id",
                    "episode",
                    "completed_us",
                    "administration",
                    "value",
                    "is_pilot",
                    "is_exit",
                ],
                name="outcome_scores_read",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.scale_id} = {self.value}"


class AdministrationEdit(models.Model):
    """A correction to completed answers: who, when, why, before and after."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="edits"
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300)
    before = models.JSONField()
    after = models.JSONField()

    class Meta:
        ordering = ["-edited_at"]
        # The API's "corrected since" (updated_since).
        indexes = [
            models.Index(fields=["edited_at", "administration"], name="adm_edit_since")
        ]

    def __str__(self) -> str:
        return f"Edit of {self.administration_id} at {self.edited_at}"


# Split along sub-domains; imported here so every model is found where it was.
from openproms.collection.response_models import (  # noqa: E402
    AcceptabilityResponse,
    PaperEntry,
    RiskAlert,
    SelfCompletionLink,
)

__all__ = [
    "AcceptabilityResponse",
    "Administration",
    "AdministrationEdit",
    "CollectionSettings",
    "MeasurementPlan",
    "OutcomeScore",
    "PaperEntry",
    "PlanRule",
    "RiskAlert",
    "ScaleResult",
    "SelfCompletionLink",
    "TimePoint",
]
