"""Ladder and bespoke measures use the same schema as the library."""

from __future__ import annotations

import pytest

from openproms.scoring import (
    DefinitionError,
    bespoke_definition,
    get_measure,
    ladder_definition,
    score_response,
)


def test_ladder_builder_makes_a_valid_definition_with_an_overall_mean() -> None:
    d = ladder_definition("our_ladder", "Our ladder", [("home", "Home"), ("work", "Work"),
                                                        ("health", "Health")])  # fmt: skip
    assert d.kind == "ladder"
    assert [s.id for s in d.scales] == ["home", "work", "health", "overall"]
    r = score_response(d, {"our_ladder_home": 3, "our_ladder_work": 8})
    assert r["home"].value == 3
    assert r["health"].value is None
    assert (r["overall"].value, r["overall"].prorated) == (5.5, True)


def test_ladder_ratings_outside_1_to_10_are_invalid() -> None:
    d = ladder_definition("l2", "L2", {"home": "Home"})
    with pytest.raises(ValueError, match="l2_home"):
        score_response(d, {"l2_home": 11})


def test_bad_domain_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="domain id"):
        ladder_definition("l3", "L3", [("Home Life", "Home")])
    with pytest.raises(DefinitionError):
        ladder_definition("Bad-Id", "Bad", [("home", "Home")])


def test_the_shipped_example_ladder_is_ours_not_outcomes_star() -> None:
    d = get_measure("openproms_life_ladder")
    assert d.kind == "ladder"
    assert d.licence.holder == "openproms contributors"
    assert "Outcomes Star" in d.description  # says what it is not
    assert len(d.items) == 7


def test_bespoke_measures_are_checked_against_the_same_schema() -> None:
    raw = dict(get_measure("openproms_life_ladder").raw)
    raw = {**raw, "id": "org_thing", "kind": "bespoke"}
    assert bespoke_definition(raw).kind == "bespoke"
    with pytest.raises(DefinitionError, match="guidance"):
        bespoke_definition({k: v for k, v in raw.items() if k != "guidance"})
    with pytest.raises(ValueError, match='kind "bespoke"'):
        bespoke_definition(dict(get_measure("phq9").raw))
