"""What each count means (collection/states.py): pure, no database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openproms.collection import states
from openproms.collection.states import StateCounts, tag, tally, time_point_state


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _state(today: str, *, stored: str = "pending", **kwargs: object) -> str:
    values: dict[str, object] = {
        "stored": stored,
        "missed_reason": "",
        "unscored": False,
        "due": d("2026-02-16"),
        "window_start": d("2026-02-09"),
        "window_end": d("2026-02-23"),
        "today": d(today),
    }
    values.update(kwargs)
    return time_point_state(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("today", "state", "shown"),
    [
        ("2026-02-01", "not_yet_due", "not_yet_due"),
        ("2026-02-02", "not_yet_due", "due_soon"),
        ("2026-02-08", "not_yet_due", "due_soon"),
        ("2026-02-09", "due_now", "due_now"),
        ("2026-02-16", "due_now", "due_now"),
        ("2026-02-17", "overdue", "overdue"),
        ("2026-02-23", "overdue", "overdue"),
        ("2026-02-24", "missed", "missed"),
    ],
)
def test_a_pending_time_point_follows_its_window(
    today: str, state: str, shown: str
) -> None:
    assert _state(today) == state
    assert tag(state, window_start=d("2026-02-09"), today=d(today)) == shown


def test_week_60_three_months_away_is_not_due_yet() -> None:
    # The person page called this "Due" (its stored status, pending).
    state = _state(
        "2026-12-06",
        due=d("2027-03-08"),
        window_start=d("2027-03-01"),
        window_end=d("2027-03-15"),
    )
    assert state == states.NOT_YET_DUE
    assert states.LABELS[state] == "Not due yet"


def test_an_open_ended_window_is_never_missed_by_time() -> None:
    state = _state(
        "2027-01-01",
        due=d("2026-02-02"),
        window_start=d("2026-02-02"),
        window_end=None,
    )
    assert state == states.OVERDUE


def test_stored_outcomes_decide_the_state_whatever_the_day() -> None:
    assert _state("2026-02-01", stored="completed") == states.ANSWERED
    assert _state("2026-02-01", stored="completed", unscored=True) == states.NO_SCORE
    assert _state("2026-02-01", stored="missed") == states.MISSED
    assert (
        _state("2026-02-01", stored="missed", missed_reason="did_not_attend")
        == states.MISSED
    )
    assert (
        _state("2026-02-01", stored="missed", missed_reason="declined")
        == states.DECLINED
    )
    assert _state("2026-02-01", stored="cancelled") == states.CANCELLED


def test_an_answer_with_no_score_is_not_shown_as_done() -> None:
    state = _state("2026-02-10", stored="completed", unscored=True)
    assert states.LABELS[state] == "Answered, no score"
    counts = tally([state])
    assert counts.answered == 0 and counts.no_score == 1 and counts.counted == 1


def test_tally_refuses_what_is_not_a_state() -> None:
    with pytest.raises(ValueError, match="Not a time point state"):
        tally(["done"])


def test_problems_name_a_broken_identity() -> None:
    assert StateCounts(due_soon=2, not_yet_due=1).problems() == [
        "due soon (2) is more than not yet due (1)"
    ]
    assert StateCounts(missed=-1).problems() == ["missed is negative (-1)"]


# --- every time point in exactly one state; the parts add up ------------------

DAY = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def time_points(draw: st.DrawFn) -> dict[str, object]:
    start = draw(DAY)
    due = start + dt.timedelta(days=draw(st.integers(0, 30)))
    end = draw(
        st.one_of(
            st.none(), st.integers(0, 30).map(lambda n: due + dt.timedelta(days=n))
        )
    )
    return {
        "stored": draw(
            st.sampled_from(["pending", "completed", "missed", "cancelled"])
        ),
        "missed_reason": draw(st.sampled_from(["", "declined", "too_unwell", "other"])),
        "unscored": draw(st.booleans()),
        "due": due,
        "window_start": start,
        "window_end": end,
    }


@given(st.lists(time_points(), max_size=40), DAY)
def test_each_time_point_is_in_exactly_one_state_and_the_parts_add_up(
    points: list[dict[str, object]], today: dt.date
) -> None:
    found = [time_point_state(today=today, **p) for p in points]  # type: ignore[arg-type]
    assert all(state in states.STATES for state in found)
    tags = [
        tag(s, window_start=p["window_start"], today=today)  # type: ignore[arg-type]
        for s, p in zip(found, points, strict=True)
    ]
    counts = tally(tags)
    assert counts.problems() == []
    cancelled = found.count(states.CANCELLED)
    assert counts.counted == len(points) - cancelled
    assert counts.counted == (
        counts.answered
        + counts.no_score
        + counts.declined
        + counts.missed
        + counts.still_open
    )
    assert counts.still_open == counts.due_now + counts.overdue + counts.not_yet_due
    for name in (states.ANSWERED, states.NO_SCORE, states.DECLINED, states.MISSED):
        assert getattr(counts, name) == found.count(name)
    # Pending with an open window is still open; a closed one is missed.
    for state, p in zip(found, points, strict=True):
        if p["stored"] == "pending":
            closed = p["window_end"] is not None and p["window_end"] < today  # type: ignore[operator]
            assert (state == states.MISSED) == closed
            assert (state in (states.DUE_NOW, states.OVERDUE)) == (
                not closed
                and states.window_open(today, p["window_start"], p["window_end"])  # type: ignore[arg-type]
            )
