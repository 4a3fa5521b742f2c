"""Licensed wording: never shipped where forbidden; organisations supply their own."""

from __future__ import annotations

import pytest

from openproms.scoring import (
    WordingNotAvailable,
    definition_with_wording,
    get_measure,
    has_wording,
    item_text,
    option_label,
    require_wording,
    score_response,
)


def test_asking_for_unshipped_wording_raises_with_the_reason() -> None:
    with pytest.raises(WordingNotAvailable, match="licence") as e:
        item_text(get_measure("epds"), "epds_1")
    assert "Royal College of Psychiatrists" in str(e.value)
    assert "supply its own wording" in str(e.value)
    with pytest.raises(WordingNotAvailable):
        option_label(get_measure("wemwbs"), "wemwbs_1", 3)
    with pytest.raises(WordingNotAvailable):
        require_wording(get_measure("eq5d5l"))


def test_shipped_wording_is_available() -> None:
    d = get_measure("phq9")
    assert item_text(d, "phq9_2") == "Feeling down, depressed, or hopeless"
    assert option_label(d, "phq9_2", 3) == "Nearly every day"
    assert (
        option_label(get_measure("ons4"), "ons4_anxiety", 10)
        == "10 (Completely anxious)"
    )
    require_wording(d)


def _org_wording(n: int) -> dict[str, object]:
    return {
        "items": {f"wemwbs_{i}": f"Licensed statement {i}" for i in range(1, n + 1)},
        "options": {"frequency": {1: "A", 2: "B", 3: "C", 4: "D", 5: "E"}},
    }


def test_an_organisation_can_supply_complete_wording() -> None:
    d = definition_with_wording(get_measure("wemwbs"), _org_wording(14))
    assert d.wording_supplied
    assert has_wording(d)
    assert item_text(d, "wemwbs_3") == "Licensed statement 3"
    assert option_label(d, "wemwbs_3", 5) == "E"
    require_wording(d)
    answers = {f"wemwbs_{i}": 3 for i in range(1, 15)}
    assert score_response(d, answers)["total"].value == 42
    assert not has_wording(get_measure("wemwbs"))  # the library copy is untouched


def test_incomplete_wording_is_refused_naming_what_is_missing() -> None:
    with pytest.raises(ValueError, match="item 'wemwbs_14' has no text"):
        definition_with_wording(get_measure("wemwbs"), _org_wording(13))
    bad = _org_wording(14)
    bad["options"] = {"frequency": {1: "A"}}
    with pytest.raises(ValueError, match="labels must cover codes"):
        definition_with_wording(get_measure("wemwbs"), bad)


def test_shipped_no_derivatives_wording_cannot_be_replaced() -> None:
    with pytest.raises(ValueError, match="cannot be replaced"):
        definition_with_wording(get_measure("core10"), {"items": {}})
