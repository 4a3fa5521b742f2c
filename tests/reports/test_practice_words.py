"""A GP practice's patients read of their "care team", never of "your worker": on
their progress page and sheet, on the results after answering, and on the
handed-over screen; a charity's people still read "your worker". The same in
Welsh."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.models import Organisation
from openproms.collection import kiosk, links
from openproms.collection.models import CollectionSettings
from openproms.scoring.easy_read import (
    ASK_WHICH_WAY,
    CAVEAT,
    GROUP_CLOSINGS,
    PRACTICE_WORDING,
    practice_words,
)
from tests.conftest import Tenant, verified_client
from tests.people.factories import on_caseload
from tests.reports import hand_over, phq9_answers, scored
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _practice(tenant: Tenant) -> Tenant:
    tenant.organisation.kind = Organisation.Kind.GP_PRACTICE
    tenant.organisation.save()
    return tenant


def _worse(tenant: Tenant, **person):  # type: ignore[no-untyped-def]
    """A person whose PHQ-9 went up (worse) from 8 to 18."""
    who = on_caseload(tenant, "W1", given_name="Pat", family_name="Jones", **person)
    scored(tenant, who, "phq9", phq9_answers(8), 30)
    scored(tenant, who, "phq9", phq9_answers(18), 1)
    return who


def _progress(tenant: Tenant, who) -> str:  # type: ignore[no-untyped-def]
    made = links.link_create(
        organisation=tenant.organisation,
        service_user=who,
        time_points=[],
        actor=tenant.members["worker"].user,
    )
    page = Client().get(f"/s/{made.token}/progress/")
    assert page.status_code == 200
    return visible_text(page.content)


def _sheet(tenant: Tenant, who) -> str:  # type: ignore[no-untyped-def]
    client = verified_client(tenant.members["worker"].user)
    url = reverse(
        "reports:progress_sheet",
        kwargs={"org_slug": tenant.organisation.slug, "person_pk": who.pk},
    )
    document = pdfium.PdfDocument(client.get(url).content)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())


def test_a_practice_patient_reads_of_their_care_team(tenant_b: Tenant) -> None:
    tenant = _practice(tenant_b)
    who = _worse(tenant)
    for text in (_progress(tenant, who), _sheet(tenant, who)):
        assert "worker" not in text.lower()
        assert "Your care team can talk with you about this." in text
        assert "Talk to your care team about what your scores mean for you." in text


def test_a_charity_person_still_reads_of_their_worker(tenant_a: Tenant) -> None:
    who = _worse(tenant_a)
    for text in (_progress(tenant_a, who), _sheet(tenant_a, who)):
        assert "care team" not in text
        assert "Your worker can talk with you about this." in text
        assert "Talk to your worker about what your scores mean for you." in text


def test_in_welsh_a_practice_patient_reads_of_their_care_team(
    tenant_b: Tenant,
) -> None:
    tenant = _practice(tenant_b)
    who = _worse(tenant, preferred_language="cy")
    text = _progress(tenant, who)
    assert "Siaradwch â'ch tîm gofal am beth mae eich sgoriau'n ei olygu i chi." in text
    assert "Gall eich tîm gofal siarad â chi am hyn." in text
    assert "gweithiwr" not in text


def test_where_results_are_not_shown_the_practice_says_its_care_team_will_talk(
    tenant_b: Tenant,
) -> None:
    tenant = _practice(tenant_b)
    who = _worse(tenant)
    CollectionSettings.objects.create(service=tenant.service, show_results=False)
    text = _progress(tenant, who)
    assert (
        "This service does not show results on screen. "
        "Your care team will talk to you about them." in text
    )
    assert "worker" not in text.lower()


def test_the_results_after_answering_name_the_care_team(tenant_b: Tenant) -> None:
    tenant = _practice(tenant_b)
    who = _worse(tenant)
    latest = who.administrations.order_by("-completed_at").first()
    # Just answered with the clinician on screen (opened later, the page is
    # the clinician's look back, with no sentence to the patient).
    type(latest).objects.filter(pk=latest.pk).update(
        completed_at=timezone.now(), mode="assisted"
    )
    client = verified_client(tenant.members["worker"].user)
    page = client.get(
        reverse(
            "collection:answer_result",
            kwargs={
                "org_slug": tenant.organisation.slug,
                "administration_pk": latest.pk,
            },
        )
    )
    text = visible_text(page.content)
    assert "Your care team can talk these results through with you." in text
    assert "Your worker" not in text


@pytest.mark.parametrize(
    ("practice", "fallback"),
    [(True, "the member of staff"), (False, "your worker")],
)
def test_the_handed_over_screen_asks_for_it_back_in_the_organisations_words(
    tenant_b: Tenant, practice: bool, fallback: str
) -> None:
    tenant = _practice(tenant_b) if practice else tenant_b
    who = _worse(tenant)
    client = hand_over(verified_client(tenant.members["worker"].user), tenant, who, "")
    page = client.get(
        reverse(
            "collection:kiosk_answer", kwargs={"org_slug": tenant.organisation.slug}
        )
    )
    assert page.status_code == 200
    assert (
        f"You have finished. Please hand the screen back to {fallback}."
        in visible_text(page.content)
    )


def test_every_easy_read_sentence_naming_the_worker_has_the_practice_wording() -> None:
    sentences = [*GROUP_CLOSINGS.values(), *CAVEAT, ASK_WHICH_WAY]
    naming = [s for s in sentences if "worker" in s]
    assert naming and all(s in PRACTICE_WORDING for s in naming)
    words = practice_words(lambda s: s)
    for sentence in PRACTICE_WORDING:
        assert "worker" not in words(sentence) and "care team" in words(sentence)
    assert words("A small change may not mean much.") == (
        "A small change may not mean much."
    )


@pytest.mark.parametrize(
    ("full_name", "called"),
    [
        ("Wendy Hall", "Wendy"),
        ("Dr Tom Reid", "Dr Reid"),
        ("Dr. Ayesha Khan", "Dr. Khan"),
        ("Nurse Jo Patel", "Nurse Patel"),
        ("Dr", ""),
        ("", ""),
    ],
)
def test_the_screen_is_handed_back_to_the_name_the_person_calls_them(
    full_name: str, called: str
) -> None:
    assert kiosk.name_to_hand_back_to(full_name) == called
