"""The records of a subject access download (decision 0014), read one kind at a
time: every stored field of a record with staff named and choices in words
(:func:`record`), the person's answers with each question as worded in the
version answered, their scanned pages and the images that go in the ZIP file,
and every audit event about them. Gathered into one document by
subject_access.subject_access_gather."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from openproms.accounts.models import Organisation, User
from openproms.audit.labels import action_label, read_label, record_label
from openproms.audit.models import AuditEvent
from openproms.audit.reads import DOWNLOAD_ACTION, VIEW_ACTION
from openproms.audit.services import person_marker
from openproms.collection.models import Administration
from openproms.governance.subject_access_words import (
    Definitions,
    questions,
    wording_note,
)
from openproms.people.models import ServiceUser
from openproms.scans.models import ScanPage
from openproms.scoring.phrasing import score_text

# Fields never exported: secrets that would let someone use a link or a printed
# form, and the organisation (it is named once, under "about").
LEAVE_OUT = frozenset(
    {"token_hash", "short_code_hash", "token", "payload", "organisation"}
)


@dataclass
class Image:
    """A scanned page's image and its name inside the ZIP file."""

    name: str
    page: ScanPage


class Users:
    """Staff names by key, looked up once each."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def name(self, pk: int | None) -> str | None:
        if pk is None:
            return None
        if pk not in self.names:
            user = User.objects.filter(pk=pk).first()
            self.names[pk] = (
                user.display_name
                if user is not None
                else "A member of staff whose account was removed"
            )
        return self.names[pk]


def record(
    obj: models.Model, users: Users, *, leave_out: Iterable[str] = ()
) -> dict[str, Any]:
    """Every stored field of a record: users by name, other records by key,
    coded choices also in words (``<field>_words``)."""
    skip = LEAVE_OUT | set(leave_out)
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in skip:
            continue
        value = getattr(obj, f.attname)
        if f.is_relation and f.related_model is User:
            row[f.name] = users.name(value)
        elif f.is_relation:
            row[f.name] = value
        else:
            row[f.name] = value
            if f.choices and value not in (None, ""):
                row[f"{f.name}_words"] = getattr(obj, f"get_{f.name}_display")()
    return row


def answer_rows(
    organisation: Organisation,
    person: ServiceUser,
    definitions: Definitions,
    users: Users,
) -> tuple[list[Administration], list[dict[str, Any]]]:
    administrations = list(
        Administration.objects.filter(organisation=organisation, service_user=person)
        .prefetch_related("results", "edits")
        .order_by("completed_at", "pk")
    )
    rows = []
    for a in administrations:
        defn = definitions.get(a.measure_id, a.measure_version)
        row = record(a, users)
        row["measure_name"] = definitions.name(a.measure_id, a.measure_version)
        row["measure_title"] = defn.title if defn is not None else ""
        row["wording_note"] = (
            wording_note(
                defn,
                definitions.supplied.get((defn.id, defn.version)),
                a.completed_at,
            )
            if defn is not None
            else "This measure is no longer known to openproms, so its questions "
            "are shown by number."
        )
        row["questions"] = questions(defn, a.answers)
        scores = []
        for result in a.results.all():
            score = record(result, users, leave_out=("administration",))
            label = "Score"
            if defn is not None and any(x.id == result.scale_id for x in defn.scales):
                label = defn.scale(result.scale_id).label
            score["scale_label"] = label
            score["value_words"] = (
                score_text(result.value) if result.value is not None else "No score"
            )
            scores.append(score)
        row["scores"] = scores
        row["edits"] = [
            record(edit, users, leave_out=("administration",)) for edit in a.edits.all()
        ]
        rows.append(row)
    return administrations, rows


def _scan_name(number: int, row: dict[str, Any], page: ScanPage) -> str:
    suffix = PurePosixPath(page.image.name).suffix.lower() or ".png"
    measure = slugify(row["measure_name"]) or "form"
    return (
        f"scans/{number:03d}-{measure}-{timezone.localtime(page.created_at):%Y-%m-%d}"
        f"-page-{page.page_number or page.index + 1}{suffix}"
    )


def scanned_pages(
    organisation: Organisation,
    person: ServiceUser,
    administration_ids: list[int],
    definitions: Definitions,
    users: Users,
) -> tuple[list[dict[str, Any]], list[Image], list[int]]:
    pages = list(
        ScanPage.objects.filter(organisation=organisation)
        .filter(
            # Pages saved as their answers, and pages of a form printed for them
            # not saved as anyone's answers (a form printed for them but saved as
            # another person's answers shows that person's answers: not theirs).
            Q(administration_id__in=administration_ids)
            | Q(form__service_user=person, administration__isnull=True)
        )
        .prefetch_related("items")
        .order_by("created_at", "pk")
    )
    rows, images, item_ids = [], [], []
    for number, page in enumerate(pages, start=1):
        row = record(page, users, leave_out=("image", "aligned", "file", "batch"))
        row["measure_name"] = (
            definitions.name(page.measure_id, page.measure_version)
            if page.measure_id
            else "A form not yet read"
        )
        row["items"] = [record(i, users, leave_out=("page",)) for i in page.items.all()]
        item_ids += [i.pk for i in page.items.all()]
        row["image_file"] = None
        if page.image and page.image_removed_at is None:
            row["image_file"] = _scan_name(number, row, page)
            images.append(Image(row["image_file"], page))
        rows.append(row)
    return rows, images, item_ids


READ_ACTIONS = frozenset({VIEW_ACTION, DOWNLOAD_ACTION})

# Records whose stored text names the code printed on a form ("phq9 form
# K3X..."): their events are shown by the kind of record only.
_TEXT_HOLDS_A_CODE = frozenset({"scans.printedform"})


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _record_words(event: AuditEvent) -> str:
    if event.action in READ_ACTIONS:
        return read_label(
            str(event.detail.get("view", "")), int(event.detail.get("people", 0))
        )
    text = "" if event.object_type in _TEXT_HOLDS_A_CODE else event.object_repr
    return record_label(event.object_type, text)


def audit_events(
    organisation: Organisation,
    person: ServiceUser,
    refs: Mapping[str, Iterable[int]],
    users: Users,
) -> list[dict[str, Any]]:
    """Every event about the person: those that name them among the people they
    are about (every read of a page or download showing them, and changes since
    decision 0013), and those whose record is one of theirs (older events)."""
    about = Q(people__contains=person_marker(person.pk))
    for object_type, keys in refs.items():
        ids = [str(k) for k in keys]
        if ids:
            about |= Q(object_type=object_type, object_id__in=ids)
    # Events naming the person among their people: every read of their
    # record (the person page, lists, downloads) and changes about them.
    for key in refs.get("people.serviceuser", ()):
        about |= Q(people__contains=person_marker(int(key)))
    events = AuditEvent.objects.filter(organisation=organisation).filter(about)
    rows = []
    for event in events.order_by("at", "pk"):
        who = users.name(event.actor_id) if event.actor_id else None
        rows.append(
            {
                "at": event.at,
                "who": who or _capitalised(event.actor_label) or "The system",
                "action": event.action,
                "action_words": action_label(event.action),
                "record_type": event.object_type,
                "record_key": event.object_id,
                "record_words": _record_words(event),
                "detail": event.detail,
            }
        )
    return rows
