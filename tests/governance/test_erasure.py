"""Erasing a person: a record of every kind about them, made through the app's own
services, then erased; every text column of every table and every stored file is
scanned for their name, NHS number, date of birth, reference and free text."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from openproms.audit.models import AuditEvent
from openproms.catalogue.selectors import measure_definition
from openproms.collection import (
    answer_services,
    links,
    paper_entry_services,
    scheduling,
)
from openproms.collection.models import (
    Administration,
    MeasurementPlan,
    PlanRule,
    RiskAlert,
    TimePoint,
)
from openproms.collection.services import (
    administration_edit,
    administration_submit,
    risk_alert_acknowledge,
)
from openproms.governance.erasure import person_erase
from openproms.governance.erasure_views import removed_in_words
from openproms.governance.models import RELEASED_REPORTS_NOTE, Erasure
from openproms.imports.models import ImportedScore
from openproms.people import services as people_services
from openproms.people.models import Consent, Episode, ServiceUser
from openproms.reminders import services as reminder_services
from openproms.reminders.models import Reminder
from openproms.reports.progress_services import progress_sheet_export
from openproms.scans import services as scan_services
from openproms.scans.models import ScanFile, ScanPage
from openproms.sharing.gp_services import gp_share_send
from openproms.sharing.research_consent import research_consent_record
from tests.route_objects.scans import as_pdf, as_png, scanned_pages

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Zephyrine", "Quillfeather"
REFERENCE = "ZQ-48213"
NHS_NUMBER = "9434765919"
BIRTH = dt.date(1961, 4, 23)
EMAIL = "zephyrine.q@example.org"
FREE_TEXT = "marmalade whisper"
PHQ9 = {f"phq9_{n}": n % 4 for n in range(1, 10)} | {"phq9_difficulty": 1}

SENTINELS = (
    GIVEN,
    FAMILY,
    REFERENCE,
    NHS_NUMBER,
    "943 476 5919",
    BIRTH.isoformat(),
    BIRTH.strftime("%d/%m/%Y"),
    EMAIL,
    FREE_TEXT,
)


# Text of every kind a column can hold (EmailField is a CharField; a FileField
# holds the stored file's name).
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)


def models_about_a_person() -> set[type[models.Model]]:
    """Every model a row about one person can live in: those reached from
    ServiceUser by following relations pointing at what was reached."""
    found: set[type[models.Model]] = {ServiceUser}
    frontier: list[type[models.Model]] = [ServiceUser]
    while frontier:
        model = frontier.pop()
        for relation in model._meta.related_objects:
            target = relation.related_model
            if isinstance(target, type) and target not in found:
                found.add(target)
                frontier.append(target)
    return found


def _text_columns(model: type[models.Model]) -> list[str]:
    return [
        f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)
    ]


def found_in_database() -> list[str]:
    """Where any sentinel appears in any text column of any table."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = _text_columns(model)
        if not columns:
            continue
        for row in model._base_manager.values_list(*columns):
            for column, value in zip(columns, row, strict=True):
                text = str(value).casefold()
                digits = text.replace(" ", "")
                for needle in SENTINELS:
                    if needle.casefold() in text or (
                        needle.isdigit() and needle in digits
                    ):
                        hits.append(f"{model._meta.label}.{column}: {needle}")
    return hits


def found_in_files(root: Path) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        name = path.name.casefold()
        data = path.read_bytes().lower()
        for needle in SENTINELS:
            if needle.casefold() in name or needle.lower().encode() in data:
                hits.append(f"{path}: {needle}")
    return hits


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _person(tenant: Any, reference: str, given: str, family: str) -> ServiceUser:
    admin = tenant.members["org_admin"].user
    return people_services.service_user_create(
        organisation=tenant.organisation,
        data={
            "reference": reference,
            "given_name": given,
            "family_name": family,
            "date_of_birth": BIRTH if reference == REFERENCE else dt.date(1970, 1, 1),
            "nhs_number": NHS_NUMBER if reference == REFERENCE else "",
            "email": EMAIL if reference == REFERENCE else "",
            "postcode": "LS1 4AP",
        },
        actor=admin,
    )


def fill_everything(tenant: Any, django_capture_on_commit_callbacks: Any) -> None:
    """One person with a row in every model about a person, written through the
    services a user's actions go through (so their audit events are written too),
    and a second person whose records must all survive."""
    org = tenant.organisation
    admin = tenant.members["org_admin"].user
    worker = tenant.members["worker"].user
    officer = tenant.members["data_officer"]
    plan = MeasurementPlan.objects.create(
        organisation=org, service=tenant.service, name="Plan"
    )
    for measure_id in ("phq9", "gad7", "who5"):
        PlanRule.objects.create(
            plan=plan, measure_id=measure_id, measure_version="1", kind="start"
        )
    phq9 = measure_definition(organisation=org, measure_id="phq9")
    who5 = measure_definition(organisation=org, measure_id="who5")

    for reference, given, family in (
        (REFERENCE, GIVEN, FAMILY),
        ("KEEP-1", "Kept", "Other"),
    ):
        person = _person(tenant, reference, given, family)
        note = FREE_TEXT if reference == REFERENCE else "kept note"
        people_services.consent_record(
            service_user=person,
            kind=Consent.Kind.SHARE_WITH_GP,
            given=True,
            decided_on=timezone.localdate(),
            note=note,
            actor=worker,
        )
        episode = people_services.episode_open(
            service_user=person,
            service=tenant.service,
            start_date=timezone.localdate(),
            key_worker=worker,
            actor=worker,
        )
        people_services.contact_record(
            episode=episode,
            date=timezone.localdate(),
            attended=True,
            seen_by=worker,
            actor=worker,
        )
        points = {tp.measure_id: tp for tp in TimePoint.objects.filter(episode=episode)}
        # Paper: printed, scanned back, read and saved (page images on disk).
        printed = scan_services.forms_print(
            membership=officer, time_points=[points["phq9"]]
        ).printed[0]
        pages = scanned_pages(printed, PHQ9)
        with django_capture_on_commit_callbacks(execute=True):
            scan_services.batch_create(
                membership=officer,
                files=[
                    SimpleUploadedFile(
                        f"{given}-{family}-{reference}.pdf".lower(), as_pdf(pages)
                    )
                ],
            )
        # The first page scanned again: a copy, which names the first file.
        with django_capture_on_commit_callbacks(execute=True):
            scan_services.batch_create(
                membership=officer,
                files=[
                    SimpleUploadedFile(
                        f"again-{given}-{reference}.png".lower(), as_png(pages[0])
                    )
                ],
            )
        # Typed paper form, then a risk answer with a worker.
        paper_entry_services.paper_entry_record(
            organisation=org,
            service_user=person,
            measure=who5,
            answers={f"who5_{n}": 3 for n in range(1, 6)},
            completed_on=timezone.localdate(),
            submission_id=str(uuid.uuid4()),
            actor=officer.user,
            double_entry=True,
            time_point=points["who5"],
            episode=episode,
        )
        risky = administration_submit(
            organisation=org,
            service_user=person,
            measure=phq9,
            answers={**PHQ9, "phq9_9": 2},
            mode=Administration.Mode.ASSISTED,
            submission_id=str(uuid.uuid4()),
            collected_by=worker,
            episode=episode,
        ).administration
        administration_edit(
            administration=risky,
            measure=phq9,
            answers={**PHQ9, "phq9_9": 3},
            reason=note,
            expected_version=risky.version,
            actor=worker,
        )
        answer_services.acceptability_record(
            administration=risky,
            mode=Administration.Mode.ASSISTED,
            rating=4,
            comment=note,
        )
        for alert in RiskAlert.objects.filter(service_user=person):
            risk_alert_acknowledge(alert=alert, actor=worker, note=note)
        scheduling.time_point_record_missed(
            time_point=points["gad7"], reason="declined", note=note, actor=worker
        )
        links.link_create(
            organisation=org,
            service_user=person,
            time_points=[points["gad7"]],
            actor=worker,
        )
        agreement = reminder_services.agreement_record(
            service_user=person,
            preference="email",
            address=f"{given}.{family}@example.org".lower(),
            agreed_on=timezone.localdate(),
            actor=worker,
        )
        Reminder.objects.create(
            organisation=org,
            service_user=person,
            time_point=points["who5"],
            channel=agreement.preference,
            address=agreement.address,
            provider="smtp",
            status=Reminder.Status.STOPPED,
            stop_reason="The questionnaire was answered.",
        )
        progress_sheet_export(service_user=person, actor=worker)
        episode.refresh_from_db()
        people_services.episode_pause(
            episode=episode,
            start_date=timezone.localdate(),
            reason=note,
            expected_version=episode.version,
            actor=worker,
        )
        ImportedScore.objects.create(
            organisation=org,
            service_user=person,
            episode=episode,
            measure_id="gad7",
            measure_version="1",
            scale_id="total",
            value=9,
            completed_on=timezone.localdate(),
            source_key=f"imported-{reference}",
        )
        people_services.service_user_update(
            service_user=person,
            data={"phone": "07700 900123"},
            expected_version=person.version,
            actor=admin,
        )
        research_consent_record(
            service_user=person,
            given=True,
            decided_on=timezone.localdate(),
            note=note,
            actor=worker,
        )
        gp_share_send(
            service_user=person,
            recipient=None,
            practice_name="Elm Tree Surgery",
            actor=worker,
        )


def test_erasing_a_person_leaves_nothing_of_theirs_in_any_table_or_file(
    tenant_a: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    fill_everything(tenant_a, django_capture_on_commit_callbacks)
    person = ServiceUser.objects.get(reference=REFERENCE)
    kept = ServiceUser.objects.get(reference="KEEP-1")

    # The fill reaches every model a person's data can live in.
    empty = [
        model._meta.label
        for model in models_about_a_person()
        if not model._base_manager.exists()
    ]
    assert empty == []
    their_images = [
        Path(f.path)
        for page in ScanPage.objects.filter(administration__service_user=person)
        for f in (page.image, page.aligned)
        if f
    ]
    assert their_images and all(p.exists() for p in their_images)
    assert found_in_database(), "the sentinels are written before erasure"
    assert ScanPage.objects.filter(status=ScanPage.Status.DUPLICATE).count() == 2
    assert found_in_files(media) == []  # images hold pixels, file names are ours

    # Page images go once the erasure commits (scans/signals.py).
    with django_capture_on_commit_callbacks(execute=True):
        erasure = person_erase(
            service_user=person,
            reason="Asked to be erased by letter",
            actor=tenant_a.members["org_admin"].user,
        )

    assert found_in_database() == []
    assert found_in_files(media) == []
    assert not any(p.exists() for p in their_images)
    assert erasure.note == RELEASED_REPORTS_NOTE
    assert erasure.rows_removed["people.ServiceUser"] == 1
    assert erasure.rows_removed["collection.Administration"] == 2
    assert erasure.files_removed == len(their_images)
    assert not [line for line in removed_in_words(erasure) if "Other" in line]
    # The other person keeps everything.
    assert Episode.objects.filter(service_user=kept).count() == 1
    assert Administration.objects.filter(service_user=kept).count() == 2
    assert ScanFile.objects.filter(name__contains="kept").count() == 2
    assert ScanPage.objects.filter(status=ScanPage.Status.DUPLICATE).count() == 1
    kept_pages = ScanPage.objects.filter(administration__service_user=kept)
    assert all(Path(p.image.path).exists() for p in kept_pages)
    # The audit keeps the events about them, by type and key only, and the erasure.
    assert AuditEvent.objects.filter(
        object_type="people.serviceuser", object_id=str(person.pk)
    ).exists()
    event = AuditEvent.objects.get(action="person.erase")
    assert event.object_type == "governance.erasure"
    assert event.detail["rows"] == erasure.rows_total


def test_audit_events_about_a_person_hold_only_type_and_key(
    tenant_a: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    fill_everything(tenant_a, django_capture_on_commit_callbacks)
    hits = [hit for hit in found_in_database() if hit.startswith("audit.AuditEvent")]
    assert hits == []


def test_an_erasure_record_names_no_one_and_a_second_erasure_gets_a_new_token(
    tenant_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = tenant_a.members["org_admin"].user
    first = _person(tenant_a, REFERENCE, GIVEN, FAMILY)
    second = _person(tenant_a, "KEEP-1", "Kept", "Other")
    with django_capture_on_commit_callbacks(execute=True):
        one = person_erase(service_user=first, reason="On request", actor=admin)
        two = person_erase(service_user=second, reason="On request", actor=admin)
    assert one.token != two.token
    assert REFERENCE not in one.token
    assert Erasure.objects.count() == 2
    assert not ServiceUser.objects.exists()
