"""A person with something in every record kept about them, for the subject
access tests and the benchmark's checks."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from openproms.catalogue.models import MeasureWording
from openproms.catalogue.selectors import measure_definition
from openproms.collection.links import link_create
from openproms.collection.models import (
    AcceptabilityResponse,
    Administration,
    AdministrationEdit,
    MeasurementPlan,
    PaperEntry,
    PlanRule,
    TimePoint,
)
from openproms.collection.services import administration_submit
from openproms.imports.models import ImportedScore
from openproms.people import services as people_services
from openproms.people.models import (
    Consent,
    Contact,
    EpisodePause,
    GroupSession,
    ServiceUser,
)
from openproms.reminders.models import ContactAgreement, Reminder
from openproms.scans.models import PrintedForm, ScanBatch, ScanFile, ScanItem, ScanPage
from openproms.sharing.models import GpShare, ResearchConsent
from tests.conftest import Tenant

# Texts that must appear in the export, each in its own record.
CONSENT_NOTE = "Agreed at the first session"
PAUSE_REASON = "In hospital for a fortnight"
GROUP_TITLE = "Walking group"
MISSED_NOTE = "Phoned twice, no answer"
EDIT_REASON = "Typed the wrong box for question two"
ALERT_NOTE = "Called and made a safety plan"
LINK_EMAIL = "sam.sender@example.org"
FEEDBACK_COMMENT = "Easy enough on my phone"
WHO5_WORDING = "I have felt calm and relaxed, in the organisation's words"


@dataclass
class Filled:
    person: ServiceUser
    phq9: Administration
    who5_supplied: Administration
    wemwbs_missing: Administration
    page: ScanPage
    image: bytes


def png(shade: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (40, 60), shade).save(buffer, "PNG")
    return buffer.getvalue()


def _submit(
    tenant: Tenant,
    person: ServiceUser,
    measure_id: str,
    answers: dict[str, int | None],
    *,
    mode: str = Administration.Mode.ASSISTED,
    when: dt.datetime | None = None,
    time_point: TimePoint | None = None,
) -> Administration:
    worker = tenant.members["worker"].user
    return administration_submit(
        organisation=tenant.organisation,
        service_user=person,
        measure=measure_definition(
            organisation=tenant.organisation, measure_id=measure_id
        ),
        answers=answers,
        mode=mode,
        submission_id=str(uuid.uuid4()),
        episode=person.episodes.first(),
        completed_at=when,
        collected_by=worker,
        time_point=time_point,
    ).administration


def filled_person(
    tenant: Tenant, reference: str = "SAR-1", nhs_number: str = "9434765919"
) -> Filled:
    """A person with details, consents, an episode with a pause, contacts (one in a
    group), time points (one missed), PHQ-9 answers raising a risk alert, WHO-5
    answered after the organisation supplied its wording, WEMWBS answered with no
    wording supplied, a correction, a self-completion link, a paper entry,
    feedback, a printed form, a scanned page with its image, a research consent
    decision and a summary shared with their GP."""
    admin = tenant.members["org_admin"].user
    worker = tenant.members["worker"].user
    org = tenant.organisation
    person = people_services.service_user_create(
        organisation=org,
        data={
            "reference": reference,
            "given_name": "Samira",
            "family_name": "Okafor",
            "date_of_birth": dt.date(1984, 3, 9),
            "nhs_number": nhs_number,
            "postcode": "LS1 4AP",
            "sex": "female",
            "email": "samira@example.org",
            "phone": "07700 900123",
        },
        actor=worker,
    )
    people_services.consent_record(
        service_user=person,
        kind=Consent.Kind.TAKE_PART,
        given=True,
        decided_on=dt.date(2025, 1, 6),
        note=CONSENT_NOTE,
        actor=worker,
    )
    plan = MeasurementPlan.objects.create(
        organisation=org, service=tenant.service, name="Wellbeing plan"
    )
    rule = PlanRule.objects.create(
        plan=plan, measure_id="phq9", measure_version="1", kind=PlanRule.Kind.START
    )
    episode = people_services.episode_open(
        service_user=person,
        service=tenant.service,
        start_date=dt.date(2025, 1, 6),
        key_worker=worker,
        actor=worker,
    )
    EpisodePause.objects.create(
        episode=episode,
        start_date=dt.date(2025, 2, 1),
        end_date=dt.date(2025, 2, 14),
        reason=PAUSE_REASON,
    )
    group = GroupSession.objects.create(
        organisation=org,
        service=tenant.service,
        date=dt.date(2025, 1, 20),
        title=GROUP_TITLE,
        facilitator=worker,
    )
    Contact.objects.create(
        organisation=org, episode=episode, date=dt.date(2025, 1, 13), seen_by=worker
    )
    Contact.objects.create(
        organisation=org,
        episode=episode,
        date=dt.date(2025, 1, 20),
        group_session=group,
    )
    point = TimePoint.objects.filter(
        episode=episode
    ).first() or TimePoint.objects.create(
        organisation=org,
        episode=episode,
        rule=rule,
        sequence=1,
        label="Start",
        measure_id="phq9",
        measure_version="1",
        due_date=dt.date(2025, 1, 6),
        window_start=dt.date(2025, 1, 6),
    )
    missed = TimePoint.objects.create(
        organisation=org,
        episode=episode,
        rule=rule,
        sequence=99,
        label="Follow-up",
        measure_id="phq9",
        measure_version="1",
        due_date=dt.date(2025, 3, 3),
        window_start=dt.date(2025, 3, 3),
        status=TimePoint.Status.MISSED,
        missed_reason=TimePoint.MissedReason.DID_NOT_ATTEND,
        missed_note=MISSED_NOTE,
        missed_recorded_by=worker,
    )
    phq9 = _submit(
        tenant,
        person,
        "phq9",
        {f"phq9_{n}": 1 for n in range(1, 9)} | {"phq9_9": 2, "phq9_difficulty": 1},
        time_point=point if point.status == TimePoint.Status.PENDING else None,
        when=timezone.now() - dt.timedelta(days=30),
    )
    AdministrationEdit.objects.create(
        administration=phq9,
        edited_by=worker,
        reason=EDIT_REASON,
        before={"phq9_2": 0},
        after={"phq9_2": 1},
    )
    alert = phq9.alerts.get()
    alert.acknowledged_by = worker
    alert.acknowledged_at = timezone.now()
    alert.acknowledgement_note = ALERT_NOTE
    alert.save()
    MeasureWording.objects.get_or_create(
        organisation=org,
        measure_id="who5",
        measure_version="1",
        defaults={
            "wording": {
                "items": {
                    f"who5_{n}": f"Statement {n}, as the organisation words it"
                    for n in range(1, 6)
                }
                | {"who5_2": WHO5_WORDING}
            },
            "licence_reference": "Licence 12",
            "supplied_by": admin,
            "supplied_at": timezone.now() - dt.timedelta(days=60),
        },
    )
    who5 = _submit(
        tenant,
        person,
        "who5",
        {f"who5_{n}": 3 for n in range(1, 6)},
        when=timezone.now() - dt.timedelta(days=20),
    )
    wemwbs = _submit(
        tenant,
        person,
        "wemwbs",
        {f"wemwbs_{n}": 4 for n in range(1, 15)},
        mode=Administration.Mode.PAPER_SCAN,
        when=timezone.now() - dt.timedelta(days=10),
    )
    link_create(
        organisation=org,
        service_user=person,
        time_points=[missed],
        actor=worker,
        send_to=LINK_EMAIL,
        url_for_token=lambda token: f"https://example.org/s/{token}/",
    )
    agreement = ContactAgreement.objects.create(
        organisation=org,
        service_user=person,
        preference=ContactAgreement.Preference.EMAIL,
        address=LINK_EMAIL,
        agreed_on=dt.date(2025, 3, 1),
        recorded_by=worker,
    )
    Reminder.objects.create(
        organisation=org,
        service_user=person,
        time_point=missed,
        channel=agreement.preference,
        address=agreement.address,
        provider="smtp",
        status=Reminder.Status.STOPPED,
        stop_reason="The questionnaire is no longer due.",
    )
    PaperEntry.objects.create(
        organisation=org,
        service_user=person,
        measure_id="phq9",
        measure_version="1",
        completed_on=dt.date(2025, 3, 1),
        first_answers={"phq9_1": 0},
        first_by=tenant.members["data_officer"].user,
        status=PaperEntry.Status.AWAITING_SECOND,
        submission_id=str(uuid.uuid4()),
    )
    AcceptabilityResponse.objects.create(
        organisation=org,
        service=tenant.service,
        administration=who5,
        mode=who5.mode,
        rating=4,
        comment=FEEDBACK_COMMENT,
    )
    form = PrintedForm.objects.create(
        organisation=org,
        token=f"SECRETTOKEN{reference}",
        measure_id="wemwbs",
        measure_version="1",
        variant="standard",
        pages=1,
        service_user=person,
        printed_by=worker,
    )
    batch = ScanBatch.objects.create(organisation=org, status=ScanBatch.Status.DONE)
    scan_file = ScanFile.objects.create(
        batch=batch, name="scan.pdf", size=1, sha256="0" * 64, status="read"
    )
    image = png()
    page = ScanPage(
        organisation=org,
        batch=batch,
        file=scan_file,
        index=0,
        status=ScanPage.Status.SAVED,
        form=form,
        measure_id="wemwbs",
        measure_version="1",
        variant="standard",
        page_number=1,
        page_count=1,
        payload=f"openproms:SECRETTOKEN{reference}",
        administration=wemwbs,
    )
    page.image.save(f"scans/test/{reference}.png", ContentFile(image), save=False)
    page.save()
    ScanItem.objects.create(
        page=page,
        item_id="wemwbs_1",
        number=1,
        decision="answer",
        read_code=4,
        confidence=0.99,
        crop=[20, 60, 170, 12],
        needs_person=False,
        decided=True,
        code=4,
    )
    ResearchConsent.objects.create(service_user=person, given=True, recorded_by=worker)
    GpShare.objects.create(
        organisation=org,
        practice_name="Elm Tree Surgery",
        service_user=person,
        nhs_number=person.nhs_number,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        record_text=f"Summary for {person.given_name} {person.family_name}.",
        pdf=b"%PDF-1.4",
        bundle={"resourceType": "Bundle", "type": "collection", "entry": []},
        shared_by=worker,
        status=GpShare.Status.DOWNLOADED,
    )
    ImportedScore.objects.create(
        organisation=org,
        service_user=person,
        measure_id="phq9",
        measure_version="1",
        scale_id="total",
        value=14,
        completed_on=dt.date(2019, 5, 1),
        source_key=f"imported-{reference}",
    )
    return Filled(person, phq9, who5, wemwbs, page, image)
