"""Printed forms, uploaded batches, the pages read from them and their items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PrintedForm(models.Model):
    """One printed copy of a form: what the opaque token in its QR code stands for.

    Pre-assigned copies name the person and time point; blank copies name only the
    measure (the person is chosen when the scan is checked)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=32, unique=True)
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    variant = models.CharField(max_length=20)
    pages = models.PositiveSmallIntegerField()
    service_user = models.ForeignKey(
        "people.ServiceUser",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="printed_forms",
    )
    time_point = models.ForeignKey(
        "collection.TimePoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="printed_forms",
    )
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    printed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organisation", "printed_at"])]

    def __str__(self) -> str:
        return f"{self.measure_id} form {self.token}"

    @property
    def is_blank(self) -> bool:
        return self.variant.startswith("blank")


class ScanBatch(models.Model):
    """One upload: one or more files, read in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be read"
        READING = "reading", "Being read"
        DONE = "done", "Read"
        FAILED = "failed", "Stopped with an error"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    pages_read = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # Crash safety (decision 0022): when a page was last recorded, and how many
    # times reading carried on after the server stopped part-way.
    progress_at = models.DateTimeField(null=True, blank=True)
    resumed = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"Batch {self.pk}"


class ScanFile(models.Model):
    """One uploaded file. The upload itself is deleted once it has been read (each
    page's image is kept on its page instead)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        READ = "read", "Read"
        REFUSED = "refused", "Refused"

    batch = models.ForeignKey(ScanBatch, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    upload = models.FileField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.WAITING
    )
    reason = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.name

    def audit_text(self) -> str:
        """Nothing: the uploaded file's name may name the person on it."""
        return ""


class ScanPage(models.Model):
    """One form page found in an upload, and what became of it."""

    class Status(models.TextChoices):
        REFUSED = "refused", "Could not be used"
        BLANK = "blank", "Blank page"
        NO_CODE = "no_code", "Form code unreadable"
        UNMATCHED = "unmatched", "Person not known"
        TO_CHECK = "to_check", "Answers to check"
        WAITING = "waiting", "Waiting for the form's other pages"
        EMPTY = "empty", "No answers marked"
        SAVED = "saved", "Saved"
        UNSCORED = "unscored", "Saved without a score"
        DECLINED = "declined", "Handed back empty"
        DUPLICATE = "duplicate", "Scanned before"
        ALREADY_ANSWERED = "answered", "Already answered"

    OPEN = (
        Status.NO_CODE,
        Status.UNMATCHED,
        Status.TO_CHECK,
        Status.WAITING,
        Status.EMPTY,
    )
    SAVED_AS_ANSWERS = (Status.SAVED, Status.UNSCORED)

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    batch = models.ForeignKey(ScanBatch, on_delete=models.CASCADE, related_name="pages")
    file = models.ForeignKey(ScanFile, on_delete=models.CASCADE, related_name="pages")
    index = models.PositiveIntegerField(help_text="Page or frame in the file, from 0.")
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    form = models.ForeignKey(
        PrintedForm,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scan_pages",
    )
    measure_id = models.CharField(max_length=60, blank=True)
    measure_version = models.CharField(max_length=20, blank=True)
    variant = models.CharField(max_length=20, blank=True)
    page_number = models.PositiveSmallIntegerField(null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    payload = models.CharField(max_length=300, blank=True)
    image = models.FileField(max_length=300, blank=True)
    aligned = models.FileField(max_length=300, blank=True)
    image_sha256 = models.CharField(max_length=64, blank=True)
    image_removed_at = models.DateTimeField(null=True, blank=True)
    registration_mm = models.FloatField(null=True, blank=True)
    rotation = models.IntegerField(null=True, blank=True)
    administration = models.ForeignKey(
        "collection.Administration",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scan_pages",
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["batch_id", "file_id", "index", "id"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "image_sha256"]),
        ]

    def __str__(self) -> str:
        return f"Page {self.index + 1} of {self.file}"

    def audit_text(self) -> str:
        """The page's place in its upload, without the file's name."""
        return f"Page {self.index + 1}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ScanItem(models.Model):
    """The reader's decision on one item of a page, and the person's when needed."""

    page = models.ForeignKey(ScanPage, on_delete=models.CASCADE, related_name="items")
    item_id = models.CharField(max_length=60)
    number = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=10)  # answer, blank, multiple, uncertain
    read_code = models.IntegerField(null=True, blank=True)
    confidence = models.FloatField()
    reason = models.CharField(max_length=300, blank=True)
    candidates = models.JSONField(default=list)
    crop = models.JSONField(help_text="The item's row on the page: [x, y, w, h] in mm.")
    needs_person = models.BooleanField()
    decided = models.BooleanField()
    code = models.IntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["page_id", "number"]
        indexes = [models.Index(fields=["page", "decided"])]

    def __str__(self) -> str:
        return f"{self.item_id} on {self.page}"

    def audit_text(self) -> str:
        """The question and page, without the file's name."""
        return f"{self.item_id} on page {self.page.index + 1}"
