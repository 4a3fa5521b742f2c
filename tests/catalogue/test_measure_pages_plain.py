"""Every library measure's page reads as plain English to a manager: no
developers' references ("measures guide", section marks, the guide's "[U]"
marker, "openproms policy") and no label left with nothing after it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from openproms.scoring import default_library
from tests.conftest import Tenant, verified_client
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db

JARGON = re.compile(r"\[U\]|\[V\]|§|measures guide|openproms policy", re.IGNORECASE)
# A label with nothing after it: a line ending in a colon, or a label followed
# straight away by another ("Wording: Source: ...").
EMPTY_LABEL = re.compile(r"^[^\n]*:[ \t]*$|\b[A-Za-z]+:\s+Source:", re.MULTILINE)


def test_every_library_measure_page_is_plain_english(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    for definition in default_library():
        response = client.get(
            reverse(
                "catalogue:measure_detail",
                kwargs={
                    "org_slug": tenant_a.organisation.slug,
                    "measure_id": definition.id,
                    "measure_version": definition.version,
                },
            )
        )
        assert response.status_code == 200, definition.key
        main = response.content.decode().split("<main", 1)[1]
        text = visible_text(main)
        assert not JARGON.findall(text), (definition.key, JARGON.findall(text))
        # A question's own wording may end in a colon, its answers below it.
        questions = {i.text for i in definition.items if i.text} | {
            i.preamble for i in definition.items if i.preamble
        }
        labels = "\n".join(line for line in text.split("\n") if line not in questions)
        assert not EMPTY_LABEL.findall(labels), (
            definition.key,
            EMPTY_LABEL.findall(labels),
        )


def test_phq9_says_in_plain_words_that_every_question_must_be_answered(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    text = visible_text(
        client.get(
            reverse(
                "catalogue:measure_detail",
                kwargs={
                    "org_slug": tenant_a.organisation.slug,
                    "measure_id": "phq9",
                    "measure_version": "1",
                },
            )
        ).content
    )
    assert (
        "openproms's own rule: no published rule for scoring PHQ-9 with questions "
        "left blank has been confirmed, so every question must be answered" in text
    )
    assert "Where the wording comes from: CamCOPS" in text
    assert (
        "The same change in the worse direction counts as reliable deterioration"
        in (text.replace("\n", " "))
    )
