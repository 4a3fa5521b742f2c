"""Subject access: everything an organisation holds about one person, gathered
for one download (decision 0014).

:func:`subject_access_gather` reads every record keyed to the person, scoped to
the organisation, into plain dictionaries: ``data.json`` is those dictionaries
(every stored field, plus the same facts in words), and ``summary.html`` is
rendered from them. :func:`subject_access_export` puts them in one ZIP file with
the person's FHIR Bundle and the images of their scanned pages, and writes the
one audit event.

Each answer is shown with the question's wording from the measure version the
answers were given on, with the organisation's licensed wording applied; where a
licence keeps the wording out of openproms and the organisation never supplied
it, the question is named by its number and the summary says why.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.catalogue.descriptions import question_name
from openproms.collection.fhir_io import person_bundle
from openproms.collection.models import (
    AcceptabilityResponse,
    PaperEntry,
    RiskAlert,
    SelfCompletionLink,
    TimePoint,
)
from openproms.governance.subject_access_records import (
    Image,
    Users,
    answer_rows,
    audit_events,
    record,
    scanned_pages,
)
from openproms.governance.subject_access_summary import summary_context
from openproms.governance.subject_access_words import Definitions
from openproms.imports.models import ImportedScore
from openproms.people.models import Contact, Episode, EpisodePause, ServiceUser
from openproms.scans.models import PrintedForm
from openproms.sharing.models import GpShare

FORMAT_VERSION = 1

# The top-level keys of data.json, each with what it holds. The same words are
# written into the file ("about" -> "sections") and into docs/decisions/0014.
SECTIONS: dict[str, str] = {
    "format_version": "The version of this file's layout (a whole number; it "
    "goes up when a key is renamed or removed).",
    "about": "Who this file is about, which organisation holds the data, when and "
    "by whom it was downloaded, and what each top-level key holds.",
    "person": "The person's details as recorded: every stored field.",
    "consents": "Every consent decision recorded, newest first.",
    "episodes": "Each period of support in a service, with its key worker.",
    "episode_pauses": "Pauses in an episode (the episode key says which).",
    "contacts": "Each session: the date, whether the person attended, who saw "
    "them, and the group session it was part of.",
    "time_points": "Each occasion a measure was due, and what became of it.",
    "administrations": "Each completed measure: the answers as stored and, for "
    "each question, the wording shown and the answer in words; the scores; "
    "corrections made afterwards with their reasons.",
    "risk_alerts": "Alerts raised by an answer to a risk question, and who "
    "acknowledged them.",
    "self_completion_links": "Links sent or printed for the person to answer on "
    "their own (when made, sent to, used, cancelled; never the link itself).",
    "paper_entries": "Paper forms typed in, and the second typing where one was "
    "asked for.",
    "acceptability_feedback": "What the person said about answering the questions.",
    "printed_forms": "Paper forms printed with the person's details on them "
    "(never the code printed on the form).",
    "contact_agreements": "How the person agreed to be reminded (email, text "
    "message or none), the address or number, and the date they agreed.",
    "reminders": "Each reminder made for them: how and where it was sent, what "
    "became of it, and why one was not sent.",
    "scanned_pages": "Scanned pages of the person's forms: what was read and "
    "checked, and the name of the page's image in the scans folder.",
    "research_consents": "Every decision on their answers being used for "
    "research, newest first.",
    "gp_shares": "Each summary of their results sent to their GP practice: when, "
    "by whom, to which practice, what became of it, and the text sent (the PDF "
    "and FHIR Bundle sent hold the same).",
    "imported_scores": "Scores brought in from earlier records without their "
    "answers, kept as given and never worked out again.",
    "audit_events": "Every event in the audit log about the person or one of "
    "their records: when, who, what was done (looked at a page or a download "
    "showing them, or changed something), to which record or on which page.",
}

# Every model keyed to a person (through any chain of foreign keys from
# people.ServiceUser) and the key of data.json that holds it. A test walks the
# models and fails on one missing here: a new record about people must be added
# to the download (decision 0014).
HELD_IN: dict[str, str] = {
    "people.serviceuser": "person",
    "people.consent": "consents",
    "people.episode": "episodes",
    "people.episodepause": "episode_pauses",
    "people.contact": "contacts",
    "collection.timepoint": "time_points",
    "collection.administration": "administrations",
    "collection.scaleresult": "administrations",
    "collection.administrationedit": "administrations",
    # A copy of each stored scale value laid out for reports (decision 0007):
    # the same values are under "administrations" -> "scores".
    "collection.outcomescore": "administrations",
    "collection.riskalert": "risk_alerts",
    "collection.selfcompletionlink": "self_completion_links",
    "collection.paperentry": "paper_entries",
    "collection.acceptabilityresponse": "acceptability_feedback",
    "scans.printedform": "printed_forms",
    "scans.scanpage": "scanned_pages",
    "scans.scanitem": "scanned_pages",
    "sharing.researchconsent": "research_consents",
    "sharing.gpshare": "gp_shares",
    "imports.importedscore": "imported_scores",
    "reminders.contactagreement": "contact_agreements",
    "reminders.reminder": "reminders",
}

# Records of apps above this one's reach that need only their fields: data.json
# key, (app label, model name). Read by name so governance imports no such app.
_FIELDS_ONLY = {
    "contact_agreements": ("reminders", "ContactAgreement"),
    "reminders": ("reminders", "Reminder"),
}


@dataclass
class SubjectAccess:
    """Everything gathered: the data.json document, the summary's words, images."""

    data: dict[str, Any]
    summary: dict[str, Any]
    images: list[Image] = field(default_factory=list)


@dataclass(frozen=True)
class SubjectAccessFile:
    """What was written: the file name to offer, and what it holds (counts)."""

    name: str
    counts: Mapping[str, int]


def subject_access_gather(
    *, organisation: Organisation, service_user: ServiceUser, actor: User
) -> SubjectAccess:
    """Everything the organisation holds about the person. Raises Http404 for
    another organisation's person."""
    if service_user.organisation_id != organisation.pk:
        raise Http404("No such person.")
    person = service_user
    users = Users()
    definitions = Definitions(organisation)
    consents = list(person.consents.order_by("-recorded_at", "-pk"))
    episodes = list(
        Episode.objects.filter(organisation=organisation, service_user=person)
        .select_related("service")
        .order_by("start_date", "pk")
    )
    episode_ids = [e.pk for e in episodes]
    pauses = list(EpisodePause.objects.filter(episode_id__in=episode_ids))
    contacts = list(
        Contact.objects.filter(organisation=organisation, episode_id__in=episode_ids)
        .select_related("group_session", "episode__service")
        .order_by("date", "pk")
    )
    time_points = list(
        TimePoint.objects.filter(organisation=organisation, episode_id__in=episode_ids)
        .select_related("episode__service", "rule__plan")
        .order_by("due_date", "pk")
    )
    administrations, administration_rows = answer_rows(
        organisation, person, definitions, users
    )
    administration_ids = [a.pk for a in administrations]
    alerts = list(
        RiskAlert.objects.filter(organisation=organisation, service_user=person)
        .select_related("administration")
        .order_by("created_at", "pk")
    )
    links = list(
        SelfCompletionLink.objects.filter(
            organisation=organisation, service_user=person
        )
        .prefetch_related("time_points")
        .order_by("created_at", "pk")
    )
    paper = list(
        PaperEntry.objects.filter(organisation=organisation, service_user=person)
        .select_related("time_point")
        .order_by("first_at", "pk")
    )
    feedback = list(
        AcceptabilityResponse.objects.filter(
            organisation=organisation, administration_id__in=administration_ids
        )
        .select_related("administration")
        .order_by("created_at", "pk")
    )
    printed = list(
        PrintedForm.objects.filter(organisation=organisation, service_user=person)
        .select_related("time_point")
        .order_by("printed_at", "pk")
    )
    research = list(person.research_consents.order_by("-recorded_at", "-pk"))
    shares = list(
        GpShare.objects.filter(organisation=organisation, service_user=person)
        .select_related("recipient")
        .order_by("shared_at", "pk")
    )
    imported = list(
        ImportedScore.objects.filter(
            organisation=organisation, service_user=person
        ).order_by("completed_on", "pk")
    )
    imported_rows = []
    for score in imported:
        row = record(score, users)
        row["measure_name"] = definitions.name(score.measure_id, score.measure_version)
        imported_rows.append(row)
    page_rows, images, scan_item_ids = scanned_pages(
        organisation, person, administration_ids, definitions, users
    )
    audit_rows = audit_events(
        organisation,
        person,
        {
            "people.serviceuser": [person.pk],
            "people.consent": [c.pk for c in consents],
            "people.episode": episode_ids,
            "people.contact": [c.pk for c in contacts],
            "collection.timepoint": [t.pk for t in time_points],
            "collection.administration": administration_ids,
            "collection.riskalert": [a.pk for a in alerts],
            "collection.selfcompletionlink": [k.pk for k in links],
            "collection.paperentry": [p.pk for p in paper],
            "collection.acceptabilityresponse": [f.pk for f in feedback],
            "scans.printedform": [p.pk for p in printed],
            "scans.scanpage": [p["id"] for p in page_rows],
            "scans.scanitem": scan_item_ids,
            "sharing.researchconsent": [r.pk for r in research],
            "sharing.gpshare": [s.pk for s in shares],
        },
        users,
    )

    episode_rows = []
    for e in episodes:
        row = record(e, users)
        row["service_name"] = e.service.name
        episode_rows.append(row)
    contact_rows = []
    for c in contacts:
        row = record(c, users)
        row["service_name"] = c.episode.service.name
        row["group_session_title"] = c.group_session.title if c.group_session else None
        contact_rows.append(row)
    time_point_rows = []
    for t in time_points:
        row = record(t, users)
        row["measure_name"] = definitions.name(t.measure_id, t.measure_version)
        row["service_name"] = t.episode.service.name
        row["plan_name"] = t.rule.plan.name
        time_point_rows.append(row)
    alert_rows = []
    for alert in alerts:
        row = record(alert, users)
        defn = definitions.get(
            alert.administration.measure_id, alert.administration.measure_version
        )
        row["measure_name"] = definitions.name(
            alert.administration.measure_id, alert.administration.measure_version
        )
        row["question"] = (
            question_name(defn, defn.item(alert.item_id))
            if defn is not None and alert.item_id in defn.item_ids
            else "A risk question"
        )
        alert_rows.append(row)
    link_rows = []
    for link in links:
        row = record(link, users)
        row["time_points"] = [t.pk for t in link.time_points.all()]
        row["measure_names"] = sorted(
            {
                definitions.name(t.measure_id, t.measure_version)
                for t in link.time_points.all()
            }
        )
        link_rows.append(row)
    paper_rows = []
    for entry in paper:
        row = record(entry, users)
        row["measure_name"] = definitions.name(entry.measure_id, entry.measure_version)
        paper_rows.append(row)
    feedback_rows = []
    for response in feedback:
        row = record(response, users)
        adm = response.administration
        row["measure_name"] = (
            definitions.name(adm.measure_id, adm.measure_version) if adm else None
        )
        feedback_rows.append(row)
    printed_rows = []
    for form in printed:
        row = record(form, users)
        row["measure_name"] = definitions.name(form.measure_id, form.measure_version)
        printed_rows.append(row)

    now = timezone.now()
    data: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "about": {
            "organisation": organisation.name,
            "person_reference": person.reference,
            "downloaded_at": now,
            "downloaded_by": actor.display_name,
            "sections": SECTIONS,
            "not_included": "Copies kept only to make reports fast (each stored "
            "score again, laid out for reports) hold nothing that is not in "
            "'administrations'; the FHIR Bundle in fhir-bundle.json holds the "
            "same answers and scores in the FHIR R4 standard.",
        },
        "person": record(person, users),
        "consents": [record(c, users) for c in consents],
        "episodes": episode_rows,
        "episode_pauses": [record(p, users) for p in pauses],
        "contacts": contact_rows,
        "time_points": time_point_rows,
        "administrations": administration_rows,
        "risk_alerts": alert_rows,
        "self_completion_links": link_rows,
        "paper_entries": paper_rows,
        "acceptability_feedback": feedback_rows,
        "printed_forms": printed_rows,
        **{
            key: [
                record(r, users)
                for r in apps.get_model(*model).objects.filter(
                    organisation=organisation, service_user=person
                )
            ]
            for key, model in _FIELDS_ONLY.items()
        },
        "scanned_pages": page_rows,
        "research_consents": [record(r, users) for r in research],
        # The PDF and Bundle hold the text and the answers already given; the
        # practice's own record of the person is the practice's, not ours.
        "gp_shares": [
            record(s, users, leave_out={"pdf", "bundle", "matched_person"})
            for s in shares
        ],
        "imported_scores": imported_rows,
        "audit_events": audit_rows,
    }
    summary = summary_context(
        data,
        organisation=organisation,
        person=person,
        images=[image.name for image in images],
    )
    return SubjectAccess(data=data, summary=summary, images=images)


def subject_access_json(gathered: SubjectAccess) -> bytes:
    # No indentation: the standard library's fast (C) encoder only runs without
    # it, and the readable copy is summary.html.
    return json.dumps(gathered.data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def subject_access_html(gathered: SubjectAccess) -> bytes:
    return render_to_string(
        "governance/subject_access_summary.html", gathered.summary
    ).encode()


def subject_access_export(
    *,
    organisation: Organisation,
    service_user: ServiceUser,
    actor: User,
    out: BinaryIO,
    request: HttpRequest | None = None,
) -> SubjectAccessFile:
    """Write one ZIP file of everything held about the person to ``out``:
    summary.html, data.json, fhir-bundle.json and scans/. Audited as one
    ``person.subject_access`` event (the person by key only)."""
    gathered = subject_access_gather(
        organisation=organisation, service_user=service_user, actor=actor
    )
    bundle = person_bundle(organisation=organisation, service_user=service_user)
    start = out.tell()
    written = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.html", subject_access_html(gathered))
        archive.writestr("data.json", subject_access_json(gathered))
        archive.writestr(
            "fhir-bundle.json",
            json.dumps(bundle, cls=DjangoJSONEncoder, ensure_ascii=False),
        )
        for image in gathered.images:
            try:
                handle = image.page.image.open("rb")
            except (FileNotFoundError, ValueError):  # removed since it was listed
                continue
            # Images are compressed already: stored as they are, copied in chunks.
            entry = zipfile.ZipInfo(
                image.name, date_time=timezone.localtime().timetuple()[:6]
            )
            entry.compress_type = zipfile.ZIP_STORED
            with handle, archive.open(entry, "w") as target:
                shutil.copyfileobj(handle, target)
            written += 1
    data = gathered.data
    counts = {
        "administrations": len(data["administrations"]),
        "scanned_images": written,
        "audit_events": len(data["audit_events"]),
        "bytes": out.tell() - start,
    }
    log_action(
        action="person.subject_access",
        actor=actor,
        organisation=organisation,
        obj=service_user,
        object_repr="",
        request=request,
        detail=dict(counts),
    )
    day = timezone.localdate()
    reference = slugify(service_user.reference) or "person"
    return SubjectAccessFile(
        name=f"subject-access-{reference}-{day:%Y%m%d}.zip", counts=counts
    )
