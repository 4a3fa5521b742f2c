"""Several named answer sets in a designed measure: each question chooses one (the
first unless told), and scoring, reversing, subscales, bands, blanks, printing, OMR
read-back and the FHIR Questionnaire all follow the one definition. Clear errors
for what cannot work, and a copy of PHQ-9 keeps its last question's own answers."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from openproms.catalogue.design_document import (
    Design,
    design_document,
    design_from_document,
    score_range,
)
from openproms.catalogue.design_forms import DesignForm, design_values, rows_changed
from openproms.catalogue.models import BespokeMeasure
from openproms.fhir import questionnaire, validation_issues
from openproms.paper import FormContext, make_layout, read_image
from openproms.paper.simulate import fill_page, render_pages
from openproms.scoring import (
    MeasureDefinition,
    check_definition,
    definition_from_dict,
    score_response,
)
from tests.catalogue.test_designer import _errors, _manager, _url, posted
from tests.conftest import Tenant

HOW_MUCH = ["Not at all", "A little", "Somewhat", "Quite a lot", "Very much"]


def two_sets(**changes: str) -> dict[str, str]:
    """The designer's sound measure with a second answer set, "How much" (0-4),
    chosen by question 4 (reverse-scored), and a fifth question on a third set of
    categories that does not count towards the score."""
    values = posted(
        set_rows="3",
        max_missing="0",
        **{
            "band-2-high": "13",
            "set-2-name": "How much",
            "set-2-option_rows": "5",
            "set-3-name": "Where you heard of us",
            "set-3-categories": "on",
            "set-3-option_rows": "3",
            "question_rows": "5",
            "question-4-text": "How much has the club helped?",
            "question-4-answers": "2",
            "question-4-reverse": "on",
            "question-5-text": "Where did you hear of the club?",
            "question-5-answers": "3",
            "question-5-unscored": "on",
        },
    )
    for n, label in enumerate(HOW_MUCH, start=1):
        values[f"set-2-option-{n}-code"] = str(n - 1)
        values[f"set-2-option-{n}-label"] = label
    for n, label in enumerate(["A friend", "A poster", "Our website"], start=1):
        values[f"set-3-option-{n}-code"] = str(n)
        values[f"set-3-option-{n}-label"] = label
    values.update(changes)
    return values


def _form(values: dict[str, str]) -> DesignForm:
    return DesignForm(
        values, measure_id="club_check_in", version="1", organisation="Riverside"
    )


def _definition(values: dict[str, str] | None = None) -> MeasureDefinition:
    form = _form(values or two_sets())
    assert form.is_valid(), form.errors
    assert form.document is not None
    return definition_from_dict(form.document)


def test_each_question_has_the_answers_of_the_set_it_chose() -> None:
    form = _form(two_sets())
    assert form.is_valid(), form.errors
    document = form.document
    assert document is not None
    sets = document["response_sets"]
    assert [s["label"] for s in sets.values()] == [
        "How often",
        "How much",
        "Where you heard of us",
    ]
    assert sets["answers_3"]["categories"] is True
    items = document["items"]
    assert [i["response_set"] for i in items] == [
        "answers",
        "answers",
        "answers",
        "answers_2",
        "answers_3",
    ]
    assert items[4]["scored"] is False and items[4]["required"] is False
    total = document["scales"][0]
    assert total["items"] == [i["id"] for i in items[:4]]
    # 3 questions of 0-3 and one of 0-4: the sum runs from 0 to 13.
    assert total["range"] == {"min": 0, "max": 13}
    assert total["item_values"]["reverse"] == ["club_check_in_3", "club_check_in_4"]
    assert check_definition(document) == []


def test_a_question_added_has_the_first_set_and_reads_back_unchanged() -> None:
    design = _form(two_sets()).design
    again = _form(design_values(design)).design
    assert again == design
    added = _form(rows_changed({**two_sets(), "add_row": "question"})).design
    assert added.questions[-1].answer_set == 1 and added.questions[-1].scored
    document = design_document(
        design, measure_id="club_check_in", version="1", organisation="Riverside"
    )
    assert design_from_document(document) == design


def test_removing_an_answer_set_asks_again_for_the_questions_that_chose_it() -> None:
    values = rows_changed({**two_sets(), "remove_row": "set-2"})
    assert values["set_rows"] == "2"
    assert values["set-2-name"] == "Where you heard of us"
    assert values["set-2-option_rows"] == "3"
    assert values["question-4-answers"] == ""  # its set is gone
    assert values["question-5-answers"] == "2"  # set 3 moved up to 2
    form = _form(values)
    assert not form.is_valid()
    assert form.errors["question-4-answers"] == [
        "Question 4 has no answers: choose one of the answer sets"
    ]
    fewer = rows_changed({**two_sets(), "remove_row": "set-2-option-1"})
    assert fewer["set-2-option_rows"] == "4"
    assert fewer["set-2-option-1-label"] == "A little"
    more = rows_changed({**two_sets(), "add_row": "set-2-option"})
    assert more["set-2-option_rows"] == "6"
    new_set = rows_changed({**two_sets(), "add_row": "set"})
    assert new_set["set_rows"] == "4" and new_set["set-4-option_rows"] == "2"


def test_codes_need_only_be_unique_within_their_own_set() -> None:
    assert _form(two_sets()).is_valid()  # 0-3 and 0-4 share codes 0 to 3
    form = _form(two_sets(**{"set-2-option-3-code": "1"}))
    assert not form.is_valid()
    assert form.errors["set-2-option-3-code"] == [
        "Answer set 2, answer 3: code 1 is already used by answer 2; each answer in a "
        "set needs its own code"
    ]
    named = _form(two_sets(**{"set-2-name": "how often"}))
    assert not named.is_valid()
    assert named.errors["set-2-name"] == [
        "Answer set 2: the name 'how often' is already used by answer set 1"
    ]


def test_blanks_in_a_sum_across_different_ranges_are_refused() -> None:
    form = _form(two_sets(max_missing="1"))
    assert not form.is_valid()
    assert form.errors["max_missing"] == [
        "Blank answers cannot be allowed when the score adds up questions whose "
        "answers run over different ranges (question 1: 0 to 3, question 4: 0 to "
        "4): a blank could not be filled in fairly. Allow none, or make the score "
        "an average"
    ]
    # An average of the answers given stays inside the lowest and highest code.
    mean = _form(two_sets(max_missing="1", method="mean", band_rows="0"))
    assert mean.is_valid(), mean.errors
    assert score_range(mean.design) == (0.0, 4.0)
    assert mean.document is not None
    assert mean.document["scales"][0]["range"] == {"min": 0, "max": 4}


def test_bands_are_checked_against_the_range_across_sets() -> None:
    form = _form(two_sets(**{"band-2-high": "14"}))
    assert not form.is_valid()
    assert form.errors["band-2-low"] == [
        "Band 2: scores run from 0 to 13, so a band cannot go from 6 to 14"
    ]


def test_a_question_reversed_on_its_own_set_scores_on_that_set() -> None:
    definition = _definition()
    ids = definition.item_ids
    # 3 + 2 + (3 - 0) + (4 - 1) = 11; question 5 does not count.
    scores = score_response(definition, dict(zip(ids, [3, 2, 0, 1, 2], strict=True)))
    assert scores["total"].value == 11 and scores["total"].band == "High"
    # A subscale of questions 1 and 4 adds across the two sets.
    sub = _definition(two_sets(**{"subscale-1-questions": "1, 4"}))
    scores = score_response(sub, dict(zip(ids, [3, 2, 0, 0, None], strict=True)))
    assert scores["subscale_1"].value == 3 + 4
    assert sub.scale("subscale_1").range_max == 7


def test_the_engine_refuses_a_scale_over_answers_that_are_categories() -> None:
    form = _form(two_sets())
    assert form.is_valid() and form.document is not None
    document = form.document
    document["scales"][0]["items"].append("club_check_in_5")
    document["items"][4]["scored"] = True
    assert any("categories, not amounts" in p for p in check_definition(document))


def test_the_printed_form_shows_and_reads_back_each_questions_answers() -> None:
    definition = _definition()
    layout = make_layout(definition, "standard", FormContext("Riverside", token="t-1"))
    page = layout.page(1)
    rows = {row.item_id: row for row in page.items}
    assert [o.code for o in rows["club_check_in_4"].options] == [0, 1, 2, 3, 4]
    assert [o.code for o in rows["club_check_in_5"].options] == [1, 2, 3]
    answers = dict(zip(definition.item_ids, [3, 2, 0, 4, 3], strict=True))
    image = render_pages(layout, 150.0, only=[0])[0]
    filled, _ = fill_page(image, page, 150.0, np.random.default_rng(7), answers=answers)
    [reading] = read_image(filled, resolver=lambda payload: definition)
    assert {item.item_id: item.code for item in reading.items} == answers


def test_the_fhir_questionnaire_gives_each_item_its_own_answers() -> None:
    resource = questionnaire(_definition())
    assert validation_issues(resource) == []
    items = [i for i in resource["item"] if i["type"] != "display"]

    def labels(item: dict) -> list[str]:  # type: ignore[type-arg]
        return [o["valueCoding"]["display"] for o in item["answerOption"]]

    by_text = {i["text"]: i for i in items}
    assert labels(by_text["How much has the club helped?"]) == HOW_MUCH
    assert labels(by_text["How often have you felt calm?"])[0] == "Never"
    assert labels(by_text["Where did you hear of the club?"]) == [
        "A friend",
        "A poster",
        "Our website",
    ]


@pytest.mark.django_db
def test_a_two_set_measure_is_saved_shown_and_published(tenant_a: Tenant) -> None:
    client = _manager(tenant_a)
    bad = client.post(_url("design_new", tenant_a), two_sets(max_missing="1"))
    assert bad.status_code == 400
    assert any("different ranges" in e for e in _errors(bad))
    assert not BespokeMeasure.objects.exists()
    response = client.post(_url("design_new", tenant_a), two_sets())
    assert response.status_code == 302, _errors(response)
    draft = BespokeMeasure.objects.get(organisation=tenant_a.organisation)
    page = client.get(_url("design_edit", tenant_a, draft)).content.decode()
    assert "Answer set 2: How much" in page
    assert 'value="2" selected>How much</option>' in page
    client.post(_url("design_publish", tenant_a, draft))
    published = client.get(_url("design_edit", tenant_a, draft)).content.decode()
    assert "(answers: How much; reverse-scored)" in published
    assert "does not count towards the score" in published
    assert "Where you heard of us" in published


@pytest.mark.django_db
def test_a_copy_of_phq9_keeps_its_last_questions_own_answers(tenant_a: Tenant) -> None:
    url = reverse(
        "catalogue:design_copy",
        kwargs={
            "org_slug": tenant_a.organisation.slug,
            "measure_id": "phq9",
            "measure_version": "1",
        },
    )
    response = _manager(tenant_a).post(url)
    assert response.status_code == 302
    copy = BespokeMeasure.objects.get(organisation=tenant_a.organisation)
    assert copy.copied_from == "phq9@1"
    document = copy.definition
    items = document["items"]
    assert len(items) == 10
    sets = document["response_sets"]
    assert sets[items[0]["response_set"]]["options"][3]["label"] == "Nearly every day"
    last = sets[items[9]["response_set"]]
    assert [o["label"] for o in last["options"]] == [
        "Not difficult at all",
        "Somewhat difficult",
        "Very difficult",
        "Extremely difficult",
    ]
    assert items[9]["scored"] is False
    total = document["scales"][0]
    assert len(total["items"]) == 9 and total["range"] == {"min": 0, "max": 27}
    assert [b["label"] for b in total["bands"]["bands"]][-1] == "Severe"
    assert isinstance(design_from_document(document), Design)
