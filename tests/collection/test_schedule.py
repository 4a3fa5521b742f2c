"""The schedule rules as pure functions: no database, no Django."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openproms.collection.schedule import (
    EpisodeFacts,
    Occasion,
    Pause,
    Rule,
    in_window,
    local_date,
    occasions,
    rule_problems,
)

LONDON = ZoneInfo("Europe/London")
START = dt.date(2026, 1, 5)  # a Monday


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _dues(found: list[Occasion]) -> list[tuple[str, dt.date]]:
    return [(o.label, o.due) for o in found]


# --- at start / at exit ------------------------------------------------------


def test_the_start_occasion_is_due_on_the_start_date_with_a_window_after() -> None:
    found = occasions(Rule("start", window_days=14), EpisodeFacts(START), today=START)
    assert found == [Occasion(1, "Start", START, START, d("2026-01-19"))]


def test_there_is_no_exit_occasion_while_the_episode_is_open() -> None:
    facts = EpisodeFacts(START, end=d("2026-03-01"), closed=False)
    assert occasions(Rule("exit"), facts, today=d("2026-03-02")) == []


def test_the_exit_occasion_is_due_on_the_end_date_with_a_window_both_sides() -> None:
    facts = EpisodeFacts(START, end=d("2026-03-20"), closed=True)
    found = occasions(Rule("exit", window_days=7), facts, today=d("2026-03-20"))
    assert found == [
        Occasion(1, "End", d("2026-03-20"), d("2026-03-13"), d("2026-03-27"))
    ]


def test_an_exit_window_never_opens_before_the_start() -> None:
    facts = EpisodeFacts(START, end=d("2026-01-07"), closed=True)
    (found,) = occasions(Rule("exit", window_days=7), facts, today=d("2026-01-07"))
    assert found.window_start == START


# --- every N weeks -----------------------------------------------------------


def test_every_n_weeks_counts_from_the_start_with_a_window_either_side() -> None:
    rule = Rule("every_n_weeks", weeks=6, window_days=7)
    found = occasions(rule, EpisodeFacts(START), today=d("2026-03-01"))
    assert _dues(found) == [
        ("Week 6", d("2026-02-16")),
        ("Week 12", d("2026-03-30")),
    ]
    assert found[0].window_start == d("2026-02-09")
    assert found[0].window_end == d("2026-02-23")


def test_every_n_weeks_lists_the_past_and_the_next_beyond_a_week_ahead() -> None:
    rule = Rule("every_n_weeks", weeks=2, window_days=2)
    found = occasions(rule, EpisodeFacts(START), today=d("2026-02-20"))
    # The last listed window opens more than 7 days after today; the one before
    # does not, so "due soon" is always known in advance.
    assert found[-1].window_start > d("2026-02-27")
    assert found[-2].window_start <= d("2026-02-27")
    assert [o.sequence for o in found] == list(range(1, len(found) + 1))


def test_a_pause_before_an_occasion_moves_it_later_by_the_days_paused() -> None:
    rule = Rule("every_n_weeks", weeks=6, window_days=7)
    # Paused 19 January, resumed 2 February: 14 days.
    facts = EpisodeFacts(START, pauses=(Pause(d("2026-01-19"), d("2026-02-02")),))
    found = occasions(rule, facts, today=d("2026-03-01"))
    assert _dues(found)[:2] == [
        ("Week 6", d("2026-03-02")),
        ("Week 12", d("2026-04-13")),
    ]


def test_a_pause_after_an_occasion_does_not_move_it() -> None:
    rule = Rule("every_n_weeks", weeks=6, window_days=7)
    facts = EpisodeFacts(START, pauses=(Pause(d("2026-02-20"), d("2026-03-06")),))
    found = occasions(rule, facts, today=d("2026-03-01"))
    assert found[0].due == d("2026-02-16")
    assert found[1].due == d("2026-03-30") + dt.timedelta(days=14)


def test_two_pauses_both_stop_the_clock() -> None:
    rule = Rule("every_n_weeks", weeks=4, window_days=3)
    facts = EpisodeFacts(
        START,
        pauses=(
            Pause(d("2026-01-10"), d("2026-01-13")),  # 3 days
            Pause(d("2026-02-01"), d("2026-02-05")),  # 4 days, before the moved date
        ),
    )
    (first, *_) = occasions(rule, facts, today=d("2026-01-20"))
    assert first.due == d("2026-02-02") + dt.timedelta(days=7)


def test_while_paused_the_next_occasion_stays_after_today() -> None:
    rule = Rule("every_n_weeks", weeks=6, window_days=7)
    facts = EpisodeFacts(START, pauses=(Pause(d("2026-02-01")),))
    for today in (d("2026-02-10"), d("2026-03-15"), d("2026-06-01")):
        found = occasions(rule, facts, today=today)
        assert found[0].due > today
        assert found[0].window_end is not None and found[0].window_end > today


def test_pause_and_restart_moves_the_occasion_by_the_whole_pause() -> None:
    rule = Rule("every_n_weeks", weeks=6, window_days=7)
    running = EpisodeFacts(START, pauses=(Pause(d("2026-02-01")),))
    ended = EpisodeFacts(START, pauses=(Pause(d("2026-02-01"), d("2026-02-15")),))
    while_paused = occasions(rule, running, today=d("2026-02-10"))[0].due
    after = occasions(rule, ended, today=d("2026-02-20"))[0].due
    assert after == d("2026-02-16") + dt.timedelta(days=14)
    assert while_paused == d("2026-02-16") + dt.timedelta(days=10)


def test_a_closed_episode_has_no_interval_occasions_after_its_end() -> None:
    rule = Rule("every_n_weeks", weeks=6, window_days=7)
    facts = EpisodeFacts(START, end=d("2026-03-10"), closed=True)
    found = occasions(rule, facts, today=d("2026-06-01"))
    assert _dues(found) == [("Week 6", d("2026-02-16"))]


def test_an_episode_closed_early_has_no_interval_occasions() -> None:
    rule = Rule("every_n_weeks", weeks=6, window_days=7)
    facts = EpisodeFacts(START, end=d("2026-01-20"), closed=True)
    assert occasions(rule, facts, today=d("2026-06-01")) == []


# --- every Nth attended session ---------------------------------------------


def test_every_nth_session_is_due_at_the_nth_attended_contact() -> None:
    rule = Rule("every_nth_session", sessions=2, window_days=3)
    attended = tuple(START + dt.timedelta(weeks=w) for w in range(5))
    found = occasions(rule, EpisodeFacts(START, attended=attended), today=START)
    assert _dues(found) == [
        ("Session 2", d("2026-01-12")),
        ("Session 4", d("2026-01-26")),
    ]
    assert found[0].window_start == d("2026-01-12")
    assert found[0].window_end == d("2026-01-15")


def test_contacts_in_any_order_are_counted_in_date_order() -> None:
    rule = Rule("every_nth_session", sessions=3, window_days=0)
    attended = (d("2026-01-20"), d("2026-01-06"), d("2026-01-13"))
    (found,) = occasions(rule, EpisodeFacts(START, attended=attended), today=START)
    assert found.due == d("2026-01-20")


def test_sessions_after_an_episode_closed_do_not_count() -> None:
    rule = Rule("every_nth_session", sessions=2)
    facts = EpisodeFacts(
        START,
        end=d("2026-01-10"),
        closed=True,
        attended=(d("2026-01-06"), d("2026-01-12")),
    )
    assert occasions(rule, facts, today=d("2026-02-01")) == []


# --- when next seen after N weeks -------------------------------------------


def test_when_seen_after_stays_open_until_the_person_is_next_seen() -> None:
    rule = Rule("when_seen_after", weeks=4, window_days=2)
    facts = EpisodeFacts(START, attended=(d("2026-01-20"),))
    (found,) = occasions(rule, facts, today=d("2026-02-20"))
    assert found == Occasion(1, "Follow-up 1", d("2026-02-02"), d("2026-02-02"), None)


def test_when_seen_after_closes_its_window_after_the_next_visit() -> None:
    rule = Rule("when_seen_after", weeks=4, window_days=2)
    facts = EpisodeFacts(START, attended=(d("2026-01-20"), d("2026-03-09")))
    found = occasions(rule, facts, today=d("2026-03-09"))
    assert found == [
        Occasion(1, "Follow-up 1", d("2026-02-02"), d("2026-02-02"), d("2026-03-11"))
    ]


def test_a_sporadic_attender_is_asked_again_n_weeks_after_the_last_answer() -> None:
    rule = Rule("when_seen_after", weeks=4, window_days=2)
    facts = EpisodeFacts(START, attended=(d("2026-03-09"), d("2026-06-01")))
    found = occasions(rule, facts, today=d("2026-06-01"), completions=[d("2026-03-09")])
    assert _dues(found) == [
        ("Follow-up 1", d("2026-02-02")),
        ("Follow-up 2", d("2026-04-06")),  # 4 weeks after the answer on 9 March
    ]
    assert found[1].window_end == d("2026-06-03")


def test_a_sporadic_attender_who_did_not_answer_is_asked_at_the_next_visit() -> None:
    rule = Rule("when_seen_after", weeks=4, window_days=2)
    facts = EpisodeFacts(START, attended=(d("2026-03-09"), d("2026-03-30")))
    found = occasions(rule, facts, today=d("2026-04-01"))
    # Follow-up 1 opened at the 9 March visit and closed unanswered on 11 March;
    # the next is due straight after, so the person is asked on 30 March.
    assert found[1] == Occasion(
        2, "Follow-up 2", d("2026-03-12"), d("2026-03-12"), d("2026-04-01")
    )


def test_an_early_answer_restarts_the_when_seen_clock() -> None:
    rule = Rule("when_seen_after", weeks=4, window_days=2)
    (found,) = occasions(
        rule, EpisodeFacts(START), today=d("2026-01-25"), completions=[d("2026-01-20")]
    )
    assert found.due == d("2026-02-17")


def test_when_seen_after_never_opens_after_an_episode_closed() -> None:
    rule = Rule("when_seen_after", weeks=4, window_days=2)
    facts = EpisodeFacts(START, end=d("2026-02-20"), closed=True)
    assert occasions(rule, facts, today=d("2026-03-01")) == []


# --- one-off -----------------------------------------------------------------


def test_a_one_off_is_due_on_its_date_with_a_window_either_side() -> None:
    rule = Rule("one_off", on_date=d("2026-03-12"), window_days=5)
    (found,) = occasions(rule, EpisodeFacts(START), today=START)
    assert found == Occasion(
        1, "12 March 2026", d("2026-03-12"), d("2026-03-07"), d("2026-03-17")
    )


def test_a_one_off_before_the_episode_started_is_not_due() -> None:
    rule = Rule("one_off", on_date=d("2025-12-01"), window_days=5)
    assert occasions(rule, EpisodeFacts(START), today=START) == []


def test_a_one_off_after_the_episode_closed_is_not_due() -> None:
    rule = Rule("one_off", on_date=d("2026-05-01"), window_days=5)
    facts = EpisodeFacts(START, end=d("2026-03-01"), closed=True)
    assert occasions(rule, facts, today=START) == []


# --- impossible rules ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Rule("every_n_weeks", weeks=2, window_days=7), "window_days"),
        (Rule("every_n_weeks", weeks=None), "weeks"),
        (Rule("every_n_weeks", weeks=0), "weeks"),
        (Rule("when_seen_after", weeks=0), "weeks"),
        (Rule("every_nth_session", sessions=0), "sessions"),
        (Rule("every_nth_session"), "sessions"),
        (Rule("one_off"), "on_date"),
        (Rule("sometimes"), "kind"),
    ],
)
def test_impossible_rules_name_the_field_to_fix(rule: Rule, field: str) -> None:
    assert [p.field for p in rule_problems(rule)] == [field]
    with pytest.raises(ValueError):
        occasions(rule, EpisodeFacts(START), today=START)


def test_the_window_must_be_shorter_than_the_interval() -> None:
    assert rule_problems(Rule("every_n_weeks", weeks=2, window_days=6)) == []
    (problem,) = rule_problems(Rule("every_n_weeks", weeks=1, window_days=4))
    assert "at most 3 days" in problem.message


@given(
    weeks=st.integers(1, 12),
    window=st.integers(0, 40),
    offset=st.integers(0, 400),
)
def test_interval_windows_never_overlap(weeks: int, window: int, offset: int) -> None:
    rule = Rule("every_n_weeks", weeks=weeks, window_days=window)
    if rule_problems(rule):
        assert 2 * window >= 7 * weeks
        return
    found = occasions(rule, EpisodeFacts(START), today=START + dt.timedelta(offset))
    for before, after in itertools.pairwise(found):
        assert before.window_end is not None and before.window_end < after.window_start


# --- local dates, daylight saving and window edges ---------------------------


def test_an_answer_at_half_past_eleven_bst_on_the_last_day_counts() -> None:
    window_end = d("2026-06-10")
    answered = dt.datetime(2026, 6, 10, 22, 30, tzinfo=dt.UTC)  # 23:30 BST
    assert local_date(answered, LONDON) == window_end
    assert in_window(local_date(answered, LONDON), d("2026-06-03"), window_end)


def test_an_answer_just_after_local_midnight_is_outside_the_window() -> None:
    answered = dt.datetime(2026, 6, 10, 23, 0, 30, tzinfo=dt.UTC)  # 00:00:30 BST
    assert local_date(answered, LONDON) == d("2026-06-11")
    assert not in_window(local_date(answered, LONDON), d("2026-06-03"), d("2026-06-10"))


def test_a_window_over_the_spring_clock_change_keeps_whole_local_days() -> None:
    # Clocks go forward on Sunday 29 March 2026; the window is 7 local days.
    rule = Rule("start", window_days=7)
    (found,) = occasions(rule, EpisodeFacts(d("2026-03-26")), today=d("2026-03-26"))
    assert found.window_end == d("2026-04-02")
    last_minute = dt.datetime(2026, 4, 2, 22, 59, tzinfo=dt.UTC)  # 23:59 BST
    first_minute = dt.datetime(2026, 4, 2, 23, 0, tzinfo=dt.UTC)  # 00:00 BST next day
    assert in_window(
        local_date(last_minute, LONDON), found.window_start, found.window_end
    )
    assert not in_window(
        local_date(first_minute, LONDON), found.window_start, found.window_end
    )


def test_a_window_ending_on_the_spring_change_day_counts_that_whole_day() -> None:
    answered = dt.datetime(2026, 3, 29, 22, 45, tzinfo=dt.UTC)  # 23:45 BST Sunday
    assert local_date(answered, LONDON) == d("2026-03-29")
    before_change = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)  # 00:30 GMT
    assert local_date(before_change, LONDON) == d("2026-03-29")


def test_a_window_over_the_autumn_clock_change_keeps_whole_local_days() -> None:
    # Clocks go back on Sunday 25 October 2026: that local day has 25 hours.
    rule = Rule("every_n_weeks", weeks=2, window_days=3)
    (found, *_) = occasions(rule, EpisodeFacts(d("2026-10-08")), today=d("2026-10-08"))
    assert (found.due, found.window_end) == (d("2026-10-22"), d("2026-10-25"))
    late_sunday = dt.datetime(2026, 10, 25, 23, 30, tzinfo=dt.UTC)  # 23:30 GMT
    just_before_midnight_bst = dt.datetime(2026, 10, 24, 22, 59, tzinfo=dt.UTC)
    assert in_window(
        local_date(late_sunday, LONDON), found.window_start, found.window_end
    )
    assert local_date(just_before_midnight_bst, LONDON) == d("2026-10-24")
    monday = dt.datetime(2026, 10, 26, 0, 0, tzinfo=dt.UTC)  # 00:00 GMT Monday
    assert not in_window(
        local_date(monday, LONDON), found.window_start, found.window_end
    )


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        local_date(dt.datetime(2026, 6, 10, 23, 30), LONDON)
