"""The shipped library: every definition loads, validates and respects licences."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from openproms.scoring import (
    DefinitionError,
    MeasureNotFound,
    check_definition,
    default_library,
    definition_from_dict,
    get_measure,
    load_library,
)

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "openproms" / "library"

# The brief's licence policy: full wording only for these measures.
WORDING_SHIPPED = {
    "phq9", "phq2", "gad7", "gad2", "phq4", "core10", "ons4", "ons_loneliness",
    "ucla3", "rand36", "openproms_life_ladder",
}  # fmt: skip
SCORING_ONLY = {
    "wemwbs", "swemwbs", "who5", "k10", "eq5d5l", "oxford_hip", "oxford_knee",
    "reqol10", "epds", "dialog", "promis_global10", "mycaw",
}  # fmt: skip


def test_every_library_file_loads_and_validates() -> None:
    library = load_library()
    files = sorted(p.name for p in LIBRARY_DIR.glob("*.json"))
    assert len(library) == len(files) == len(WORDING_SHIPPED | SCORING_ONLY)
    for path in LIBRARY_DIR.glob("*.json"):
        assert check_definition(json.loads(path.read_text(encoding="utf-8"))) == []


def test_file_names_match_id_and_version() -> None:
    for d in default_library():
        assert (LIBRARY_DIR / f"{d.id}-{d.version}.json").exists()


def test_wording_ships_only_where_the_licence_allows() -> None:
    for d in default_library():
        if d.id in WORDING_SHIPPED:
            assert d.licence.wording_shipped, d.id
            assert all(i.text for i in d.items), d.id
            assert d.wording_source is not None, d.id
        else:
            assert d.id in SCORING_ONLY
            assert not d.licence.wording_shipped, d.id
            assert all(i.text is None for i in d.items), d.id
            assert all(
                o.label is None for rs in d.response_sets.values() for o in rs.options
            )


def test_rand36_carries_the_credit_line_and_is_never_called_sf36() -> None:
    d = get_measure("rand36")
    assert d.licence.attribution is not None
    assert (
        "developed at RAND as part of the Medical Outcomes Study"
        in d.licence.attribution
    )
    for shown in (d.title, d.short_name, d.description, d.licence.attribution):
        assert "SF-36" not in shown
    assert "never the SF-36" in d.guidance.administration
    assert len(d.scales) == 8


def test_core10_and_phq_measures_carry_attribution() -> None:
    for mid in ("core10", "phq9", "gad7", "phq4", "phq2", "gad2"):
        assert get_measure(mid).licence.attribution


def test_every_scale_threshold_and_table_carries_a_source() -> None:
    for d in default_library():
        for s in d.scales:
            assert s.missing.source.citation
            for part in (
                s.bands,
                s.caseness,
                s.reliable_change,
                s.sem,
                s.mid,
                s.conversion,
            ):
                if part is not None:
                    assert part.source.citation, (d.key, s.id)
            for n in s.norms:
                assert n.source.citation


def test_lookup_by_id_and_version_and_unknown_ids_raise() -> None:
    lib = default_library()
    assert lib.get("phq9", "1").id == "phq9"
    assert lib.get("promis_global10").version == "1.2"
    with pytest.raises(MeasureNotFound, match="no measure 'nope'"):
        lib.get("nope")
    with pytest.raises(MeasureNotFound, match="no version '9'"):
        lib.get("phq9", "9")


def _phq9_raw() -> dict[str, object]:
    return copy.deepcopy(dict(get_measure("phq9").raw))


def test_a_definition_breaking_the_schema_is_rejected_with_its_path() -> None:
    raw = _phq9_raw()
    raw["scales"][0]["method"] = "median"  # type: ignore[index]
    with pytest.raises(DefinitionError) as e:
        definition_from_dict(raw)
    assert any("scales/0/method" in p for p in e.value.problems)


def test_a_declared_range_that_does_not_match_the_rule_is_rejected() -> None:
    raw = _phq9_raw()
    raw["scales"][0]["range"] = {"min": 0, "max": 30}  # type: ignore[index]
    problems = check_definition(raw)
    assert any("does not match the scoring rule (0-27)" in p for p in problems)


def test_a_scale_naming_an_unknown_item_is_rejected() -> None:
    raw = _phq9_raw()
    raw["scales"][0]["items"] = ["phq9_1", "phq9_99"]  # type: ignore[index]
    assert any("unknown item 'phq9_99'" in p for p in check_definition(raw))


def test_wording_in_a_scoring_only_definition_is_rejected() -> None:
    raw = copy.deepcopy(dict(get_measure("epds").raw))
    raw["items"][0]["text"] = "Some licensed wording"  # type: ignore[index]
    assert any("text must be null" in p for p in check_definition(raw))


def test_a_conversion_table_with_a_gap_is_rejected() -> None:
    raw = copy.deepcopy(dict(get_measure("swemwbs").raw))
    del raw["scales"][0]["conversion"]["table"][5]  # type: ignore[index]
    assert any("one row for every raw sum 7-35" in p for p in check_definition(raw))


def test_a_reliable_change_needs_a_threshold_or_sd_and_reliability() -> None:
    raw = _phq9_raw()
    raw["scales"][0]["reliable_change"] = {  # type: ignore[index]
        "sd": 5,
        "source": {"citation": "x", "confidence": "verified"},
    }
    assert check_definition(raw)
