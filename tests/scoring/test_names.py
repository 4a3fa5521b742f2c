"""Each measure's names, said once: the title with the short name in it once, and
the title without its short name for showing under it."""

from __future__ import annotations

import re

import pytest

from openproms.scoring import default_library, display_title, full_name, get_measure
from openproms.scoring.cli import main as cli


@pytest.mark.parametrize(
    ("measure", "title", "name"),
    [
        (
            "phq9",
            "Patient Health Questionnaire (PHQ-9)",
            "Patient Health Questionnaire",
        ),
        ("oxford_hip", "Oxford Hip Score (OHS)", "Oxford Hip Score"),
        ("dialog", "DIALOG scale", "DIALOG scale"),
        ("openproms_life_ladder", "Life ladder", ""),
        (
            "promis_global10",
            "PROMIS Global Health (v1.2, PROMIS-10)",
            "PROMIS Global Health (v1.2, PROMIS-10)",
        ),
    ],
)
def test_titles_and_names_say_the_short_name_once(
    measure: str, title: str, name: str
) -> None:
    defn = get_measure(measure)
    assert display_title(defn) == title
    assert full_name(defn) == name


def test_no_library_title_repeats_its_short_name_or_names_openproms() -> None:
    for defn in default_library():
        shown = f"{defn.short_name} {full_name(defn)}"
        assert not re.search(r"\(([^()]+)\)\s*\(\1\)", display_title(defn))
        assert display_title(defn).casefold().count(defn.short_name.casefold()) == 1
        assert not re.search(r"\bopenproms\b", defn.title), defn.title
        assert shown.casefold().count(f"({defn.short_name.casefold()})") == 0


def test_measures_show_names_the_measure_once_and_ends_the_holder_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli(["measures", "show", "phq9"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Patient Health Questionnaire (PHQ-9) - phq9@1"
    assert "(PHQ-9) (PHQ-9)" not in out
    assert "Licence: open; Pfizer Inc. No permission" in out
    assert "Inc.." not in out
