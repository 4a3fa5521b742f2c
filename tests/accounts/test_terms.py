"""A GP practice's pages say "named clinician" where a charity's say "key worker":
on the caseload, the due list's filter, the person page, the form that opens an
episode and the outcomes dashboard's comparison."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openproms.accounts.models import Organisation
from openproms.accounts.terms import terms_for
from tests.conftest import Tenant, verified_client
from tests.people import factories
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db


def _pages(tenant: Tenant) -> str:
    person = factories.on_caseload(tenant, "R1", given_name="Robin")
    slug = tenant.organisation.slug
    client = verified_client(tenant.members["worker"].user)
    urls = [
        reverse("people:caseload", kwargs={"org_slug": slug}),
        reverse("collection:due_list", kwargs={"org_slug": slug}),
        reverse("people:person_detail", args=[slug, person.pk]),
        reverse("people:episode_open", args=[slug, person.pk]),
    ]
    text = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text.append(visible_text(response.content))
    return "\n".join(text)


def test_a_gp_practice_says_named_clinician(tenant_b: Tenant) -> None:
    tenant_b.organisation.kind = Organisation.Kind.GP_PRACTICE
    tenant_b.organisation.save()
    text = _pages(tenant_b)
    assert "key worker" not in text.lower()
    assert "The people whose support you hold as named clinician." in text
    assert "People I am named clinician for" in text
    assert "Named clinician: " in text
    assert "Choose a named clinician" in text


def test_a_charity_says_key_worker(tenant_a: Tenant) -> None:
    text = _pages(tenant_a)
    assert "named clinician" not in text.lower()
    assert "The people whose support you hold as key worker." in text
    assert "People I am key worker for" in text
    assert "Key worker: " in text


def test_the_words_follow_the_kind_of_organisation() -> None:
    gp = Organisation(kind=Organisation.Kind.GP_PRACTICE)
    charity = Organisation(kind=Organisation.Kind.CHARITY)
    assert terms_for(gp) == {
        "key_worker": "named clinician",
        "Key_worker": "Named clinician",
    }
    assert terms_for(charity)["Key_worker"] == "Key worker"
    assert terms_for(None)["key_worker"] == "key worker"
