"""Subject access: summary.html shows every kind of record data.json holds, and
no section says it holds nothing while the same download holds something of
that kind (decision 0014)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from openproms.collection.models import Administration
from openproms.governance.subject_access import SECTIONS
from openproms.governance.subject_access_summary import SHOWN_IN
from openproms.people import services as people_services
from openproms.people.models import ServiceUser
from openproms.scoring import default_library
from openproms.sharing.models import ResearchConsent
from tests.conftest import Tenant, verified_client
from tests.governance import subject_access_factories as f
from tests.text_checks import internal_ids_in, visible_text

# The section that also lists the answers given each way.
MODE_SECTION = {
    "self": "links",
    "paper_entry": "paper",
    "paper_scan": "scans",
    "import": "imported",
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _download(tenant: Tenant, person: ServiceUser) -> tuple[dict[str, Any], str]:
    """data.json and summary.html of the person's download."""
    url = reverse(
        "governance:subject_access_download",
        kwargs={"org_slug": tenant.organisation.slug, "person_pk": person.pk},
    )
    response = verified_client(tenant.members["org_admin"].user).get(url)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    return data, archive.read("summary.html").decode()


def _sections(markup: str) -> dict[str, str]:
    """The visible text under each heading of the summary with an id (each h2,
    and Contacts, an h3), by the heading's id."""
    parts = re.split(r'<h[23] id="([a-z_-]+)"', markup)
    found = {"top": visible_text(parts[0])}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        found[name] = visible_text(body)
    return found


def _claims_nothing(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip().startswith("No ")]


def _assert_consistent(data: dict[str, Any], markup: str) -> None:
    """A section saying "No ..." shows no row of data.json, of any key it shows."""
    sections = _sections(markup)
    modes = {a["mode"] for a in data["administrations"]}
    for name, text in sections.items():
        claims = _claims_nothing(text)
        if not claims:
            continue
        held = [key for key, shown in SHOWN_IN.items() if shown == name and data[key]]
        held += [mode for mode in modes if MODE_SECTION.get(mode) == name]
        assert held == [], f"{name} says {claims} but data.json holds {held}"


def _tester_person(tenant: Tenant) -> ServiceUser:
    """The tester's case: a research consent decision and no other, a paper form
    typed in once (no typing record kept) and answers given through a
    self-completion link no longer held."""
    worker = tenant.members["worker"].user
    person = people_services.service_user_create(
        organisation=tenant.organisation,
        data={"reference": "PSG-10", "given_name": "Vik", "family_name": "Okoro"},
        actor=worker,
    )
    people_services.episode_open(
        service_user=person,
        service=tenant.service,
        start_date=dt.date(2026, 9, 8),
        key_worker=worker,
        actor=worker,
    )
    ResearchConsent.objects.create(
        service_user=person,
        given=False,
        recorded_by=worker,
        recorded_at=dt.datetime(2026, 11, 18, 10, tzinfo=dt.UTC),
    )
    f._submit(
        tenant,
        person,
        "ucla3",
        {"ucla3_1": 2, "ucla3_2": 3, "ucla3_3": 3},
        mode=Administration.Mode.PAPER_ENTRY,
        when=dt.datetime(2026, 9, 9, 10, 32, tzinfo=dt.UTC),
    )
    f._submit(
        tenant,
        person,
        "ons4",
        {
            "ons4_life_satisfaction": 2,
            "ons4_worthwhile": 1,
            "ons4_happiness": 3,
            "ons4_anxiety": 6,
        },
        mode=Administration.Mode.SELF,
        when=dt.datetime(2026, 9, 9, 10, 14, tzinfo=dt.UTC),
    )
    return person


def test_a_research_consent_typed_in_form_and_link_answer_are_in_the_summary(
    tenant_a: Tenant,
) -> None:
    person = _tester_person(tenant_a)
    data, markup = _download(tenant_a, person)
    assert data["consents"] == [] and data["research_consents"][0]["given"] is False
    assert data["paper_entries"] == [] and data["self_completion_links"] == []
    modes = {a["measure_id"]: a["mode"] for a in data["administrations"]}
    assert modes == {"ucla3": "paper_entry", "ons4": "self"}

    sections = _sections(markup)
    consent = sections["consent"]
    assert "To use their answers for research" in consent
    assert "Did not agree" in consent and "18 Nov 2026" in consent
    assert "Worker of Alpha Charity" in consent
    assert "No consent decisions recorded." not in consent
    paper = sections["paper"]
    assert "UCLA-3 on 9 September 2026, saved by Worker of Alpha Charity" in paper
    assert "No paper forms typed in." not in paper
    links = sections["links"]
    assert "ONS4 on 9 September 2026" in links
    assert "No self-completion links." not in links
    _assert_consistent(data, markup)
    assert internal_ids_in(visible_text(markup), list(default_library())) == []


def test_every_kind_of_record_in_data_json_has_its_place_in_the_summary(
    tenant_a: Tenant,
) -> None:
    assert set(SHOWN_IN) == set(SECTIONS) - {"format_version"}
    filled = f.filled_person(tenant_a)
    data, markup = _download(tenant_a, filled.person)
    sections = _sections(markup)
    assert set(SHOWN_IN.values()) <= set(sections)
    for key, name in SHOWN_IN.items():
        assert data[key], key  # the filled person has every kind
        assert not _claims_nothing(sections[name]), (key, sections[name])
    # Kinds once left out of the summary: each shown in words.
    assert "To use their answers for research" in sections["consent"]
    assert f.CONSENT_NOTE in sections["consent"]
    reminders = sections["reminders"]
    assert f"Email to {f.LINK_EMAIL}, agreed on 1 March 2025" in reminders
    assert "Not sent: The questionnaire is no longer due." in reminders
    assert "PHQ-9" in reminders
    gp = sections["gp"]
    assert "To Elm Tree Surgery" in gp
    assert "Downloaded to send to the practice" in gp
    assert "Summary for Samira Okafor." in gp and "9434765919" in gp
    assert "Preferred language" in sections["details"]
    _assert_consistent(data, markup)
    assert internal_ids_in(visible_text(markup), list(default_library())) == []


def test_a_person_with_nothing_says_so_in_every_section(tenant_a: Tenant) -> None:
    person = ServiceUser.objects.create(
        organisation=tenant_a.organisation, reference="NEW-1"
    )
    data, markup = _download(tenant_a, person)
    sections = _sections(markup)
    for name in ("consent", "links", "paper", "scans", "imported", "reminders", "gp"):
        assert _claims_nothing(sections[name]), name
    _assert_consistent(data, markup)
