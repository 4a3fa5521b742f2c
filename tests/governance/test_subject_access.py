"""Subject access: one ZIP of everything held about a person, for an
organisation admin only (decision 0014)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from openproms.audit.labels import ACTION_LABELS
from openproms.audit.models import AuditEvent
from openproms.governance.subject_access import FORMAT_VERSION, SECTIONS
from openproms.scoring import default_library
from tests.conftest import Tenant, verified_client
from tests.governance import subject_access_factories as f
from tests.text_checks import internal_ids_in, visible_text


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(tenant: Tenant, person_pk: int) -> str:
    return reverse(
        "governance:subject_access_download",
        kwargs={"org_slug": tenant.organisation.slug, "person_pk": person_pk},
    )


def _download(tenant: Tenant, person_pk: int, role: str = "org_admin") -> Any:
    client = verified_client(tenant.members[role].user)
    return client.get(_url(tenant, person_pk))


def _zip(response: Any) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    content = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(content)
    return zipfile.ZipFile(io.BytesIO(content))


def test_the_download_holds_every_piece_about_the_person(tenant_a: Tenant) -> None:
    filled = f.filled_person(tenant_a)
    archive = _zip(_download(tenant_a, filled.person.pk))
    names = archive.namelist()
    assert names[:3] == ["summary.html", "data.json", "fhir-bundle.json"]
    scans = [n for n in names if n.startswith("scans/")]
    assert len(scans) == 1 and scans[0].endswith(".png")
    assert archive.read(scans[0]) == filled.image

    data = json.loads(archive.read("data.json"))
    assert list(data) == list(SECTIONS)
    assert data["format_version"] == FORMAT_VERSION
    assert data["about"]["sections"] == SECTIONS
    assert data["person"]["family_name"] == "Okafor"
    assert data["person"]["nhs_number"] == "9434765919"
    assert data["person"]["sex_words"] == "Female"
    assert data["consents"][0]["note"] == f.CONSENT_NOTE
    assert data["episodes"][0]["key_worker"] == "Worker of Alpha Charity"
    assert data["episode_pauses"][0]["reason"] == f.PAUSE_REASON
    assert {c["group_session_title"] for c in data["contacts"]} == {
        None,
        f.GROUP_TITLE,
    }
    missed = [t for t in data["time_points"] if t["status"] == "missed"]
    assert missed[0]["missed_note"] == f.MISSED_NOTE
    by_measure = {a["measure_id"]: a for a in data["administrations"]}
    assert set(by_measure) == {"phq9", "who5", "wemwbs"}
    phq9 = by_measure["phq9"]
    assert phq9["answers"]["phq9_9"] == 2
    assert phq9["questions"][1]["question"] == "Feeling down, depressed, or hopeless"
    assert phq9["scores"][0]["value"] is not None
    assert phq9["edits"][0]["reason"] == f.EDIT_REASON
    assert data["risk_alerts"][0]["acknowledgement_note"] == f.ALERT_NOTE
    link = data["self_completion_links"][0]
    assert link["sent_to"] == f.LINK_EMAIL
    assert not {"token_hash", "short_code_hash"} & set(link)
    assert data["paper_entries"][0]["first_answers"] == {"phq9_1": 0}
    assert data["acceptability_feedback"][0]["comment"] == f.FEEDBACK_COMMENT
    assert "token" not in data["printed_forms"][0]
    page = data["scanned_pages"][0]
    assert page["image_file"] == scans[0] and "payload" not in page
    assert page["items"][0]["code"] == 4
    actions = {e["action"] for e in data["audit_events"]}
    assert {"person.create", "consent.record", "episode.open"} <= actions
    assert {"administration.create", "alert.raise", "link.create"} <= actions
    assert "SECRETTOKEN" not in archive.read("data.json").decode()

    bundle = json.loads(archive.read("fhir-bundle.json"))
    assert bundle["resourceType"] == "Bundle"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 3 and "Patient" in kinds


def test_the_summary_reads_in_words_with_the_wording_shown(tenant_a: Tenant) -> None:
    filled = f.filled_person(tenant_a)
    archive = _zip(_download(tenant_a, filled.person.pk))
    markup = archive.read("summary.html").decode()
    text = visible_text(markup)
    assert internal_ids_in(text, list(default_library())) == []
    assert "Samira Okafor" in text
    assert "Feeling down, depressed, or hopeless" in text  # shipped wording
    assert f.WHO5_WORDING in text  # the organisation's wording
    assert "supplied under its licence" in text
    assert "Answers whose labels were not supplied are shown by the number" in text
    assert "3 on a scale from 0 to 5" in text  # WHO-5: no answer labels supplied
    # WEMWBS: licensed, no wording supplied: numbered questions and why.
    assert "The wording of WEMWBS is not included with openproms" in text
    assert "Question 1" in text
    for words in (
        f.CONSENT_NOTE,
        f.PAUSE_REASON,
        f.GROUP_TITLE,
        f.MISSED_NOTE,
        f.EDIT_REASON,
        f.ALERT_NOTE,
        f.LINK_EMAIL,
        f.FEEDBACK_COMMENT,
        "Answers saved",
        "Risk alert raised",
        "Worker of Alpha Charity",
    ):
        assert words in text, words
    image = next(n for n in archive.namelist() if n.startswith("scans/"))
    assert f'href="{image}"' in markup
    assert "<script" not in markup and "http" not in markup.split("</style>")[0]


def test_wording_supplied_after_the_answers_says_so(tenant_a: Tenant) -> None:
    from django.utils import timezone

    from openproms.catalogue.models import MeasureWording

    filled = f.filled_person(tenant_a)
    MeasureWording.objects.filter(measure_id="who5").update(supplied_at=timezone.now())
    archive = _zip(_download(tenant_a, filled.person.pk))
    text = visible_text(archive.read("summary.html"))
    assert "after these answers were given" in text


def test_nobody_elses_data_appears(tenant_a: Tenant, tenant_b: Tenant) -> None:
    filled = f.filled_person(tenant_a, "SAR-1")
    other = f.filled_person(tenant_a, "SAR-2", nhs_number="")
    other.person.given_name = "Zebedee"
    other.person.save()
    theirs = f.filled_person(tenant_b, "SAR-3")
    archive = _zip(_download(tenant_a, filled.person.pk))
    everything = b"".join(archive.read(n) for n in archive.namelist()[:3]).decode()
    assert "Zebedee" not in everything
    assert "SAR-2" not in everything and "SAR-3" not in everything
    data = json.loads(archive.read("data.json"))
    assert {a["service_user"] for a in data["administrations"]} == {filled.person.pk}
    others = {other.phq9.pk, other.who5_supplied.pk, theirs.phq9.pk}
    assert not others & {a["id"] for a in data["administrations"]}
    mine = {str(pk) for pk in (filled.phq9.pk, filled.who5_supplied.pk)}
    records = {
        e["record_key"]
        for e in data["audit_events"]
        if e["record_type"] == "collection.administration"
    }
    assert records <= mine | {str(filled.wemwbs_missing.pk)}
    assert len([n for n in archive.namelist() if n.startswith("scans/")]) == 1


def test_another_organisations_admin_gets_not_found(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    filled = f.filled_person(tenant_a)
    admin_b = verified_client(tenant_b.members["org_admin"].user)
    assert admin_b.get(_url(tenant_a, filled.person.pk)).status_code == 404
    # Their own organisation's address with our person in it: not found either.
    assert admin_b.get(_url(tenant_b, filled.person.pk)).status_code == 404


@pytest.mark.parametrize("role", ["manager", "worker", "data_officer", "viewer"])
def test_only_an_organisation_admin_may_download(tenant_a: Tenant, role: str) -> None:
    filled = f.filled_person(tenant_a)
    before = AuditEvent.objects.filter(action="person.subject_access").count()
    assert _download(tenant_a, filled.person.pk, role).status_code == 403
    assert AuditEvent.objects.filter(action="person.subject_access").count() == before


def test_the_download_is_audited_by_key_only(tenant_a: Tenant) -> None:
    filled = f.filled_person(tenant_a)
    _download(tenant_a, filled.person.pk)
    event = AuditEvent.objects.get(action="person.subject_access")
    assert event.actor == tenant_a.members["org_admin"].user
    assert event.organisation == tenant_a.organisation
    assert (event.object_type, event.object_id) == (
        "people.serviceuser",
        str(filled.person.pk),
    )
    assert event.object_repr == ""
    assert event.detail["administrations"] == 3
    assert event.detail["scanned_images"] == 1
    assert "Samira" not in json.dumps(event.detail)
    assert "person.subject_access" in ACTION_LABELS
    # The next download lists this one among the events about the person.
    data = json.loads(_zip(_download(tenant_a, filled.person.pk)).read("data.json"))
    assert "person.subject_access" in {e["action"] for e in data["audit_events"]}


def test_the_download_lists_who_looked_at_the_persons_record(tenant_a: Tenant) -> None:
    filled = f.filled_person(tenant_a)
    page = reverse(
        "people:person_detail",
        kwargs={"org_slug": tenant_a.organisation.slug, "person_pk": filled.person.pk},
    )
    manager = tenant_a.members["manager"].user
    assert verified_client(manager).get(page).status_code == 200
    data = json.loads(_zip(_download(tenant_a, filled.person.pk)).read("data.json"))
    reads = [e for e in data["audit_events"] if e["action"] == "records.view"]
    assert len(reads) == 1
    assert reads[0]["who"] in {manager.full_name, manager.email}
    assert reads[0]["record_words"] == "Person page: 1 person"
    summary = _zip(_download(tenant_a, filled.person.pk)).read("summary.html")
    assert "Person page: 1 person" in summary.decode()


def test_the_person_page_offers_the_download_to_admins_only(tenant_a: Tenant) -> None:
    filled = f.filled_person(tenant_a)
    page = reverse(
        "people:person_detail",
        kwargs={"org_slug": tenant_a.organisation.slug, "person_pk": filled.person.pk},
    )
    link = "Download everything we hold (subject access)"
    admin = verified_client(tenant_a.members["org_admin"].user).get(page)
    assert link in admin.content.decode()
    assert _url(tenant_a, filled.person.pk) in admin.content.decode()
    manager = verified_client(tenant_a.members["manager"].user).get(page)
    assert link not in manager.content.decode()


def test_a_removed_image_is_said_to_be_deleted(tenant_a: Tenant) -> None:
    from django.utils import timezone

    filled = f.filled_person(tenant_a)
    filled.page.image.delete(save=False)
    filled.page.image_removed_at = timezone.now()
    filled.page.save()
    archive = _zip(_download(tenant_a, filled.person.pk))
    assert not [n for n in archive.namelist() if n.startswith("scans/")]
    assert "Deleted on" in visible_text(archive.read("summary.html"))


def _keyed_to_a_person() -> set[str]:
    """Every model reached from people.ServiceUser by following foreign keys
    backwards (a record of the person, of their episode, of their answers...)."""
    from django.apps import apps
    from django.db import models

    found = {apps.get_model("people", "ServiceUser")}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in found:
                continue
            if any(
                isinstance(field, models.ForeignKey) and field.related_model in found
                for field in model._meta.concrete_fields
            ):
                found.add(model)
                grew = True
    return {model._meta.label_lower for model in found}


def test_every_record_keyed_to_a_person_is_in_the_download() -> None:
    from openproms.governance.subject_access import HELD_IN

    missing = _keyed_to_a_person() - set(HELD_IN)
    assert not missing, (
        f"{sorted(missing)} hold records about a person: add them to "
        "subject_access_gather, HELD_IN and docs/decisions/0014-subject-access.md"
    )
    assert set(HELD_IN.values()) <= set(SECTIONS)


def test_every_section_is_filled_for_a_person_with_everything(
    tenant_a: Tenant,
) -> None:
    filled = f.filled_person(tenant_a)
    data = json.loads(_zip(_download(tenant_a, filled.person.pk)).read("data.json"))
    empty = [key for key, value in data.items() if value in ([], {}, None)]
    assert empty == []


def test_the_decision_record_documents_every_key_of_the_file() -> None:
    from pathlib import Path

    record = (
        Path(__file__).resolve().parents[2] / "docs/decisions/0014-subject-access.md"
    )
    text = record.read_text()
    for key, words in SECTIONS.items():
        assert f"| `{key}` | {words} |" in text, key


def test_a_person_with_nothing_yet_downloads_cleanly(tenant_a: Tenant) -> None:
    from openproms.people.models import ServiceUser

    person = ServiceUser.objects.create(
        organisation=tenant_a.organisation, reference="NEW-1"
    )
    archive = _zip(_download(tenant_a, person.pk))
    data = json.loads(archive.read("data.json"))
    assert data["administrations"] == [] and data["person"]["reference"] == "NEW-1"
    text = visible_text(archive.read("summary.html"))
    assert "No answers held." in text and "no scanned pages" in text
    assert internal_ids_in(text, list(default_library())) == []


def test_an_event_about_a_printed_form_does_not_show_its_code(
    tenant_a: Tenant,
) -> None:
    from openproms.audit.services import log_action
    from openproms.scans.models import PrintedForm

    filled = f.filled_person(tenant_a)
    form = PrintedForm.objects.get(service_user=filled.person)
    log_action(
        action="scan.assign",
        actor=tenant_a.members["data_officer"].user,
        organisation=tenant_a.organisation,
        obj=form,
    )
    archive = _zip(_download(tenant_a, filled.person.pk))
    for name in ("summary.html", "data.json"):
        assert form.token not in archive.read(name).decode(), name
    data = json.loads(archive.read("data.json"))
    assert "Printed form" in {e["record_words"] for e in data["audit_events"]}


def test_who_looked_at_the_person_is_in_the_download(tenant_a: Tenant) -> None:
    filled = f.filled_person(tenant_a)
    other = f.filled_person(tenant_a, "SAR-2", nhs_number="")
    page = reverse(
        "people:person_detail",
        kwargs={"org_slug": tenant_a.organisation.slug, "person_pk": filled.person.pk},
    )
    manager = tenant_a.members["manager"].user
    assert verified_client(manager).get(page).status_code == 200
    # Someone else's page, looked at by the worker: not about our person.
    verified_client(tenant_a.members["worker"].user).get(
        reverse(
            "people:person_detail",
            kwargs={
                "org_slug": tenant_a.organisation.slug,
                "person_pk": other.person.pk,
            },
        )
    )
    archive = _zip(_download(tenant_a, filled.person.pk))
    data = json.loads(archive.read("data.json"))
    reads = [e for e in data["audit_events"] if e["action"] == "records.view"]
    assert [e["who"] for e in reads] == [manager.display_name]
    text = visible_text(archive.read("summary.html"))
    assert "Personal records looked at" in text
    assert reads[0]["record_words"] in text
    assert internal_ids_in(text, list(default_library())) == []


def test_a_form_printed_for_them_but_saved_as_anothers_answers_stays_out(
    tenant_a: Tenant,
) -> None:
    filled = f.filled_person(tenant_a, "SAR-1")
    other = f.filled_person(tenant_a, "SAR-2", nhs_number="")
    # The other person's scanned page was printed for our person (handed to the
    # wrong person, say) and saved, once checked, as the other person's answers.
    other.page.form.service_user = filled.person
    other.page.form.save()
    data = json.loads(_zip(_download(tenant_a, filled.person.pk)).read("data.json"))
    assert [p["id"] for p in data["scanned_pages"]] == [filled.page.pk]
