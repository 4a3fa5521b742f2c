"""A measure's wording in another language: the shipped Welsh life ladder is
complete, scores exactly as the English, and an incomplete translation is refused
with every gap named."""

from __future__ import annotations

import pytest

from openproms.scoring import get_measure, score_response
from openproms.scoring.translations import (
    definition_translated,
    shipped_languages,
    shipped_translation,
    translation_problems,
)

LADDER = get_measure("openproms_life_ladder", "1")


def _welsh() -> dict:  # type: ignore[type-arg]
    found = shipped_translation("openproms_life_ladder", "1", "cy")
    assert found is not None
    return dict(found)


def test_the_life_ladder_ships_in_welsh_and_nothing_licensed_does() -> None:
    from openproms.scoring import default_library

    shipped = {d.id for d in default_library() if shipped_languages(d.id, d.version)}
    assert shipped == {"openproms_life_ladder"}
    assert translation_problems(LADDER, _welsh()) == []


def test_the_welsh_ladder_has_welsh_words_and_the_same_codes_and_scales() -> None:
    welsh = definition_translated(LADDER, _welsh(), language="cy")
    assert welsh.language == "cy" and welsh.title == "Ysgol bywyd"
    assert welsh.item_ids == LADDER.item_ids
    assert welsh.items[0].text.endswith("Cartref a thai?")
    rs = welsh.items[0].response_set
    assert (rs.min, rs.max) == (1, 10) and rs.min_label == "Mae pethau'n anodd iawn"
    assert [s.id for s in welsh.scales] == [s.id for s in LADDER.scales]


def test_a_translated_definition_scores_exactly_as_the_english() -> None:
    welsh = definition_translated(LADDER, _welsh(), language="cy")
    answers = {item_id: n % 10 + 1 for n, item_id in enumerate(LADDER.item_ids)}
    english_scores = score_response(LADDER, answers)
    welsh_scores = score_response(welsh, answers)
    assert {k: s.value for k, s in english_scores.scales.items()} == {
        k: s.value for k, s in welsh_scores.scales.items()
    }


def test_an_incomplete_translation_names_every_gap_and_is_refused() -> None:
    broken = _welsh()
    broken["items"] = dict(broken["items"])
    del broken["items"]["openproms_life_ladder_money"]
    broken["items"]["nonsense"] = "Beth?"
    broken["options"] = {"ladder": {"1": "Anodd"}}
    del broken["title"]
    problems = translation_problems(LADDER, broken)
    assert "the title has no translation" in problems
    assert "question 2 (openproms_life_ladder_money) has no translation" in problems
    assert "'nonsense' is not a question of Life ladder" in problems
    assert "answer set 'ladder': no translation for the answers coded [10]" in problems
    with pytest.raises(ValueError, match="incomplete"):
        definition_translated(LADDER, broken, language="cy")


def test_a_licensed_measure_without_shipped_wording_can_take_a_full_translation() -> (
    None
):
    wemwbs = get_measure("wemwbs", "1")
    assert not wemwbs.licence.wording_shipped
    document = {
        "title": "Teitl",
        "instructions": "Cyfarwyddiadau" if wemwbs.instructions else None,
        "items": {i: f"Cwestiwn {n}" for n, i in enumerate(wemwbs.item_ids, 1)},
        "options": {
            rid: {str(c): f"Ateb {c}" for c in rs.codes}
            for rid, rs in wemwbs.response_sets.items()
        },
        "scales": {s.id: f"Sgôr {s.id}" for s in wemwbs.scales},
    }
    welsh = definition_translated(wemwbs, document, language="cy")
    assert welsh.items[0].text == "Cwestiwn 1"
    assert welsh.items[0].response_set.options[0].label.startswith("Ateb")
