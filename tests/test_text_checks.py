"""The checker of what a person reads (tests/text_checks.py) finds internal names and
doubled labels, and raises no false alarm on ordinary English."""

from __future__ import annotations

import pytest

from openproms.scoring import default_library
from tests.text_checks import internal_ids_in, visible_text

LIBRARY = list(default_library())


def found(text: str) -> list[str]:
    return internal_ids_in(text, LIBRARY)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Answer CORE10 (Week 8) with Wren on screen", "CORE10"),
        ("UCLA3, Follow-up 1", "UCLA3"),
        ("OPENPROMS_LIFE_LADDER", "OPENPROMS_LIFE_LADDER"),
        ("Type in PHQ9", "PHQ9"),
        ("phq9 (Start) was already answered", "phq9"),
        ("Question phq9_1 was left blank", "phq9_1"),
        ("global08r: 3", "global08r"),
        ("Type in mycaw", "mycaw"),
        (
            "ONS4 on 22 Jun 2026: anxiety 3.0 (Low); life_satisfaction 6.0 (Medium)",
            "life_satisfaction",
        ),
        ("confidence: 5.0\ndaily_living: 4.0", "daily_living"),
        ("CORE-10 on 23 Jun 2026: clinical: 14.0 (Moderate)", "clinical"),
        ("anxiety 3.0 (Low); happiness 6.0 (Medium)", "happiness"),
        ("clinical: 11.0 (Mild)", "clinical"),
        ("ONS personal well-being questions (ONS4) (ONS4)", "(ONS4) (ONS4)"),
        ("Measures: Life ladder (Life ladder)", "Life ladder (Life ladder)"),
        ("Anxiety / Anxiety", "Anxiety / Anxiety"),
        ("PHQ-9 / PHQ-9 total", "PHQ-9 / PHQ-9"),
        ("The next {question_count} questions", "question_count"),
        (
            "Source: core10 wording, server/camcops_server/extra_strings/core10.xml",
            "core10",
        ),
    ],
)
def test_an_internal_name_or_doubled_label_is_found(text: str, named: str) -> None:
    problems = found(text)
    assert any(named in problem for problem in problems), problems


@pytest.mark.parametrize(
    "text",
    [
        "Answer CORE-10 (Week 8) with Wren on screen",
        "ONS4 on 22 Jun 2026: Anxiety 3 (Low); Happiness 6 (Medium)",
        "K10 total 22",
        "Life ladder: Day-to-day living 4; Overall (mean of domains) 3.86",
        "CORE-10 clinical score 11 (Mild)",
        "Email worker_1@riverside.example or see https://example.org/a_b/core10",
        "Download the table as phq9_scores.csv",
        "In general / in the past 7 days",
        "The total was 14 and the anxiety 3 points lower.",
        "Call NHS 111 or Samaritans on 116 123.",
        "Wren Lewis (WC-0004) · Week 8",
        "Reference PSG-0004, NHS number 943 476 5919, postcode SW1A 1AA",
        "Hardly ever or never (1)",
        "Your score is 6 (scores go from 3 to 9).",
        "UCLA-3 and the ONS loneliness question; PROMIS-10 and EQ-5D-5L",
        "Not at all satisfied (0)",
        "Mood and feelings / Money",
        "Open a dialogue about how things are going.",
        "Source: CamCOPS (github ucam-department-of-psychiatry/camcops), "
        "server/camcops_server/extra_strings/core10.xml (from phqscreeners.com)",
        "awell-health/awell-score src/scores/promis_10 t_score_tables.ts",
        "NHS Digital MHSDS reference tables (04_mhsds_ref_tables.py)",
    ],
)
def test_ordinary_english_raises_no_alarm(text: str) -> None:
    assert found(text) == []


def test_each_problem_is_said_once_in_the_order_met() -> None:
    text = "CORE10 then UCLA3 then CORE10 again"
    assert found(text) == [
        "'CORE10' is the id of CORE-10",
        "'UCLA3' is the id of UCLA-3",
    ]


def test_visible_text_drops_tags_scripts_and_attribute_values() -> None:
    page = (
        "<html><head><style>.phq9_1{}</style></head><body>"
        '<h1 class="app_heading">CORE-10</h1><p>Score <strong>11</strong></p>'
        '<input name="core10_1" value="3"><script>var life_satisfaction=1</script>'
        "<ul><li>One</li><li>Two &amp; three</li></ul></body></html>"
    )
    text = visible_text(page)
    assert text.splitlines() == ["CORE-10", "Score 11", "One", "Two & three"]
    assert found(text) == []


def test_a_bare_none_true_or_false_is_a_programs_value() -> None:
    found = internal_ids_in("Alerts\nNone\nShared\nTrue\nNone recorded", [])
    assert found == [
        "'None' alone reads like a program's value",
        "'True' alone reads like a program's value",
    ]
