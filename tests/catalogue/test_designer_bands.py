"""Bands of an organisation's own measure and the scores between them: a whole
score left out is refused; a score with decimals between two bands as written
(6.67 between "0 to 6" and "7 to 12", a blank answer filled in) counts in the
lower band, and the designer, the measure page and the result page say so."""

from __future__ import annotations

import uuid
from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from openproms.catalogue.models import BespokeMeasure
from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import Administration
from openproms.scoring import get_measure
from tests.catalogue.test_designer import (
    _errors,
    _manager,
    _url,
    in_use_with_a_person,
    posted,
)
from tests.conftest import Tenant, verified_client

GAP = {"band-1-high": "6", "band-2-low": "7"}


def _words(response: object) -> str:
    return " ".join(unescape(strip_tags(response.content.decode())).split())  # type: ignore[attr-defined]


def test_a_score_between_bands_counts_in_the_lower_one() -> None:
    bands = get_measure("core10").scale("clinical").bands
    assert bands is not None
    assert bands.between(5.5) == 0 and bands.index_of(5.5) == 0
    assert bands.between(5.0) is None and bands.between(6.0) is None
    assert bands.between(40.0) is None  # the top band has nothing above it


@pytest.mark.django_db
def test_a_whole_score_left_between_bands_is_refused(tenant_a: Tenant) -> None:
    response = _manager(tenant_a).post(
        _url("design_new", tenant_a), posted(**{"band-2-low": "8"})
    )
    assert response.status_code == 400
    assert (
        "There is a gap between band 1 (to 5) and band 2 (from 8): a score of 6 "
        "would be in neither. Start band 2 at 6, or end band 1 at 7"
        in _errors(response)
    )
    assert not BespokeMeasure.objects.exists()


@pytest.mark.django_db
def test_the_designer_says_how_a_score_between_bands_is_read(
    tenant_a: Tenant,
) -> None:
    client = _manager(tenant_a)
    response = client.post(_url("design_new", tenant_a), posted(**GAP), follow=True)
    assert response.status_code == 200, _errors(response)
    own = BespokeMeasure.objects.get()
    bands = own.definition["scales"][0]["bands"]["bands"]
    assert [(b["min"], b["max"], b["label"]) for b in bands] == [
        (0, 6, "Low"),
        (7, 12, "High"),
    ]
    text = _words(response)
    assert "so a score can fall between your bands" in text
    assert (
        "A score between 6 and 7 (such as 6.5) counts in “Low”: it runs up to "
        "where “High” starts." in text
    )
    client.post(_url("design_publish", tenant_a, own))
    published = _words(client.get(_url("design_edit", tenant_a, own)))
    assert "A score between 6 and 7 (such as 6.5) counts in “Low”" in published


@pytest.mark.django_db
def test_whole_scores_need_no_note(tenant_a: Tenant) -> None:
    response = _manager(tenant_a).post(
        _url("design_new", tenant_a),
        posted(**GAP, max_missing="0"),
        follow=True,
    )
    assert response.status_code == 200
    assert "between your bands" not in _words(response)


@pytest.mark.django_db
def test_the_result_page_names_both_bands_for_a_score_between_them(
    tenant_a: Tenant,
) -> None:
    client = _manager(tenant_a)
    client.post(_url("design_new", tenant_a), posted(**GAP))
    own = BespokeMeasure.objects.get()
    client.post(_url("design_publish", tenant_a, own))
    person = in_use_with_a_person(tenant_a, own, "P-GAP")
    definition = measure_definition(
        organisation=tenant_a.organisation, measure_id=own.measure_id
    )
    # Answers 3, 2, blank, 0: 5 over three answers, scaled up to four questions
    # is 6.67, between "Low" (0 to 6) and "High" (7 to 12).
    data = {"submission_id": str(uuid.uuid4()), "confirm_blanks": "on"}
    for item_id, code in zip(definition.item_ids, [3, 2, None, 0], strict=True):
        if code is not None:
            data[f"i_{item_id}"] = str(code)
    worker = verified_client(tenant_a.members["worker"].user)
    response = worker.post(
        reverse(
            "collection:answer_measure",
            kwargs={
                "org_slug": tenant_a.organisation.slug,
                "person_pk": person.pk,
                "measure_id": own.measure_id,
            },
        ),
        data,
        follow=True,
    )
    assert response.status_code == 200
    total = Administration.objects.get().results.get(scale_id="total")
    assert total.value == pytest.approx(6.67) and total.band == "Low"
    text = _words(response)
    assert "6.67" in text
    assert (
        "Your score falls between the range called “Low” (0 to 6) and the range "
        "called “High” (7 to 12), so it counts in the lower one, “Low”." in text
    )
    assert "This is in the range called" not in text
    # The measure page says the same rule.
    page = _words(
        client.get(
            reverse(
                "catalogue:measure_detail",
                kwargs={
                    "org_slug": tenant_a.organisation.slug,
                    "measure_id": own.measure_id,
                    "measure_version": "1",
                },
            )
        )
    )
    assert "A score between two bands (such as 6.5) counts in the lower band" in page
