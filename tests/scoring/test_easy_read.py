"""Easy Read words about a person's scores over time (no database)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openproms.scoring import default_library, get_measure
from openproms.scoring.easy_read import (
    CAVEAT,
    NoScore,
    numbers_listed,
    scale_story,
    summary,
)


def test_since_last_time_is_the_previous_score_and_since_you_started_the_first() -> (
    None
):
    # First 6, then 4, now 6: the same as when they started, up since last time.
    story = scale_story(get_measure("ucla3"), "total", [6, 4, 6])
    assert story.since_started == (
        "Since you started, your UCLA-3 total score has stayed at 6."
    )
    assert story.since_last_time == "Since last time, it went up from 4 to 6."
    assert story.movement == "same"


def test_a_move_since_you_started_is_not_called_the_same_as_last_time() -> None:
    story = scale_story(get_measure("ucla3"), "total", [4, 6, 6])
    assert story.since_started == (
        "Since you started, your UCLA-3 total score went up from 4 to 6."
    )
    assert story.since_last_time == "Since last time, it has stayed at 6."
    assert story.movement == "worse"  # lower is better on UCLA-3


def test_with_two_scores_last_time_is_when_they_started_so_it_is_said_once() -> None:
    story = scale_story(get_measure("phq9"), "total", [18, 8])
    assert story.since_started == (
        "Since you started, your PHQ-9 total score went down from 18 to 8."
    )
    assert story.since_last_time == ""
    assert story.summary_lines == (story.since_started,)


def test_a_change_at_least_the_reliable_change_threshold_is_better_or_worse() -> None:
    # 4 or more points on GAD-7, both ways (NHS Talking Therapies; secondary source).
    gad7 = get_measure("gad7")
    assert scale_story(gad7, "total", [14, 12, 10]).movement == "better"
    assert scale_story(gad7, "total", [14, 12, 11]).movement == "same"


def test_a_small_move_the_wrong_way_is_worse_when_its_threshold_is_unverified() -> None:
    # PHQ-9's reliable deterioration (6 points) is marked unverified, so it is not
    # used: the direction decides, and the person's worker is told to talk it over.
    phq9 = get_measure("phq9")
    assert scale_story(phq9, "total", [18, 14, 8]).movement == "better"
    assert scale_story(phq9, "total", [8, 10]).movement == "worse"


def test_a_change_below_the_threshold_is_about_the_same_and_says_it_is_small() -> None:
    story = scale_story(get_measure("phq9"), "total", [10, 12, 9])
    assert story.movement == "same"
    assert story.note == "That is a small change."
    assert story.summary_lines == (
        "Since you started, your PHQ-9 total score went down from 10 to 9.",
        # The note is about the move since they started: said straight after it.
        "That is a small change.",
        "Since last time, it went down from 12 to 9.",
    )


def test_a_minimal_important_difference_decides_where_there_is_no_threshold() -> None:
    wemwbs = get_measure("wemwbs")  # 3 points (the Warwick WEMWBS FAQ)
    assert scale_story(wemwbs, "total", [40, 43]).movement == "better"
    small = scale_story(wemwbs, "total", [40, 42])
    assert (small.movement, small.note) == ("same", "That is a small change.")


def test_with_no_agreed_figure_the_direction_decides() -> None:
    ons4 = get_measure("ons4")
    assert scale_story(ons4, "life_satisfaction", [2, 4, 7]).movement == "better"
    assert scale_story(ons4, "anxiety", [3, 4]).movement == "worse"


def test_a_verified_threshold_makes_a_small_change_about_the_same() -> None:
    # CORE-10's reliable change (6 points, Barkham et al. 2013) is verified.
    story = scale_story(get_measure("core10"), "clinical", [20, 18])
    assert story.movement == "same"
    assert story.note == "That is a small change."


def test_where_the_better_direction_is_unverified_no_verdict_is_given() -> None:
    story = scale_story(get_measure("mycaw"), "concern_1", [5, 2])
    assert story.movement == "changed"
    assert story.better_line == (
        "Ask your worker if a higher or a lower score is better."
    )


def test_one_score_has_nothing_to_compare() -> None:
    story = scale_story(get_measure("gad7"), "total", [9])
    assert story.movement == "once"
    assert story.since_started == "Your GAD-7 total score is 9."
    assert story.previous is None


def test_how_to_read_the_scale_and_cited_averages() -> None:
    story = scale_story(get_measure("swemwbs"), "metric", [19.25, 23.21])
    assert story.about == (
        "Scores go from 7 to 35.",
        "A higher score is better.",
        "The average for men in England is 23.7.",
        "The average for women in England is 23.2.",
    )
    assert story.since_started.endswith("went up from 19.25 to 23.21.")


def test_a_label_ending_in_score_is_not_doubled() -> None:
    story = scale_story(get_measure("core10"), "clinical", [20, 10])
    assert "CORE-10 clinical score went down" in story.since_started
    assert "score score" not in story.since_started


def test_the_summary_groups_better_same_worse_in_order_and_leaves_out_empty_ones() -> (
    None
):
    phq9, gad7, ons4 = get_measure("phq9"), get_measure("gad7"), get_measure("ons4")
    stories = [
        scale_story(phq9, "total", [8, 16]),
        scale_story(gad7, "total", [14, 6]),
        scale_story(ons4, "happiness", [6, 6]),
        scale_story(ons4, "worthwhile", [5]),
    ]
    groups = summary(stories)
    assert [g.heading for g in groups] == [
        "What got better",
        "What stayed about the same",
        "What got worse",
        "Answered once so far",
    ]
    assert [s.name for s in groups[0].stories] == ["GAD-7 total"]
    assert groups[2].closing == "Your worker can talk with you about this."
    assert groups[3].closing == "There is nothing to compare yet."
    assert groups[0].closing == ""


JARGON = re.compile(
    r"\b(RCI|SEM|S_diff|reliable|caseness|clinical cut-off)\b|[%<>=±/+]"
)
SCALES = [(d, s) for d in default_library() for s in d.scales if s.method != "profile"]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_sentence_is_jargon_free_and_short(data: st.DataObject) -> None:
    defn, scale = data.draw(st.sampled_from(SCALES))
    values = data.draw(
        st.lists(
            st.integers(int(scale.range_min), int(scale.range_max)).map(float),
            min_size=1,
            max_size=6,
        ).filter(lambda vs: all(scale.range_min <= v <= scale.range_max for v in vs))
    )
    story = scale_story(defn, scale.id, values)
    # Labels come from display names and may hold a symbol ("Energy/fatigue"); the
    # words around them may not.
    lines = [*story.summary_lines, *story.about, *CAVEAT]
    for line in lines:
        words = line.replace(story.name, "NAME")
        assert not JARGON.search(words), line
        assert len(words.split(". ")) <= 2, line  # one idea a line
    for group in summary([story]):
        assert group.stories == (story,)


@pytest.mark.parametrize(("defn", "scale"), SCALES, ids=lambda x: getattr(x, "id", ""))
def test_every_library_scale_has_a_story(defn, scale) -> None:  # type: ignore[no-untyped-def]
    low, high = scale.range_min, scale.range_max
    story = scale_story(defn, scale.id, [high, low, high])
    assert story.name in story.since_started
    assert story.range_line.startswith("Scores go from ")


def test_latest_answers_with_no_score_are_said_and_last_time_is_not() -> None:
    ons4 = get_measure("ons4")
    blank = NoScore(on="8 December 2026", last_on="21 September 2026", blank=(3,))
    story = scale_story(ons4, "happiness", [6, 5, 4], no_score=blank)
    assert story.summary_lines == (
        "From when you started to 21 September 2026, your ONS4 Happiness score "
        "went down from 6 to 4.",
        "Your latest answers, on 8 December 2026, gave no ONS4 Happiness score "
        "because question 3 was left blank.",
    )
    assert story.since_last_time == ""
    assert story.short_lines[0] == (
        "Your ONS4 Happiness score went down from 6 to 4 by 21 September 2026."
    )
    assert story.about[0] == story.no_score_line
    once = scale_story(ons4, "happiness", [4], no_score=blank)
    assert once.summary_lines[0] == (
        "Your last ONS4 Happiness score, on 21 September 2026, was 4."
    )


def test_blank_questions_are_listed_as_a_person_writes_them() -> None:
    assert numbers_listed([3]) == "3"
    assert numbers_listed([2, 5]) == "2 and 5"
    assert numbers_listed([1, 2, 4]) == "1, 2 and 4"
    ons4 = get_measure("ons4")
    many = NoScore(on="8 December 2026", last_on="1 May 2026", blank=(1, 3))
    story = scale_story(ons4, "happiness", [4, 5], no_score=many)
    assert "because questions 1 and 3 were left blank." in story.no_score_line
