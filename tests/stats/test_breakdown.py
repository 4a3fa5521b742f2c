"""Figures per group and per quarter; totals from the raw pairs."""

from __future__ import annotations

from datetime import date

import pytest

from openproms.scoring import get_measure
from openproms.stats import (
    NOT_RECORDED,
    PairedScore,
    group_pairs,
    paired_change,
    paired_change_by,
    paired_change_by_quarter,
    quarter_of,
)

PHQ9 = get_measure("phq9")


@pytest.mark.parametrize(
    ("day", "financial", "calendar"),
    [
        (date(2026, 4, 1), "2026-27 Q1", "2026 Q2"),
        (date(2026, 6, 30), "2026-27 Q1", "2026 Q2"),
        (date(2026, 7, 1), "2026-27 Q2", "2026 Q3"),
        (date(2026, 12, 31), "2026-27 Q3", "2026 Q4"),
        (date(2027, 1, 1), "2026-27 Q4", "2027 Q1"),
        (date(2027, 3, 31), "2026-27 Q4", "2027 Q1"),
        (date(1999, 5, 5), "1999-00 Q1", "1999 Q2"),
    ],
)
def test_quarters_follow_the_uk_financial_year(
    day: date, financial: str, calendar: str
) -> None:
    assert quarter_of(day) == financial
    assert quarter_of(day, financial_year=False) == calendar


def people() -> list[PairedScore]:
    return [
        PairedScore(18, 9, date(2026, 5, 1), {"worker": "B", "age": "18-24"}),
        PairedScore(12, 8, date(2026, 5, 9), {"worker": "A", "age": "25-34"}),
        PairedScore(20, 14, date(2026, 8, 1), {"worker": "A"}),
        PairedScore(15, 22, date(2027, 2, 1), {"worker": "B", "age": "25-34"}),
        PairedScore(11, 3, date(2027, 3, 1), {"worker": "A", "age": "18-24"}),
    ]


def test_groups_are_sorted_and_missing_keys_are_not_recorded() -> None:
    groups = group_pairs(people(), "age")
    assert list(groups) == ["18-24", "25-34", NOT_RECORDED]
    assert [len(v) for v in groups.values()] == [2, 2, 1]


def test_each_group_gets_the_same_figures_as_on_its_own() -> None:
    by_worker = paired_change_by(PHQ9, "total", people(), "worker")
    assert list(by_worker) == ["A", "B"]
    a_pairs = [p for p in people() if p.groups["worker"] == "A"]
    assert by_worker["A"] == paired_change(PHQ9, "total", a_pairs)
    assert sum(r.n for r in by_worker.values()) == 5
    by_fn = paired_change_by(PHQ9, "total", people(), lambda p: str(p.first > 14))
    assert {k: r.n for k, r in by_fn.items()} == {"False": 2, "True": 3}


def test_trend_groups_by_the_quarter_of_the_latest_score() -> None:
    trend = paired_change_by_quarter(PHQ9, "total", people())
    assert list(trend) == ["2026-27 Q1", "2026-27 Q2", "2026-27 Q4"]
    assert [r.n for r in trend.values()] == [2, 1, 2]
    calendar = paired_change_by_quarter(PHQ9, "total", people(), financial_year=False)
    assert list(calendar) == ["2026 Q2", "2026 Q3", "2027 Q1"]


def test_trend_needs_a_date_for_every_latest_score() -> None:
    with pytest.raises(ValueError, match="pair 2 has no date"):
        paired_change_by_quarter(
            PHQ9, "total", [PairedScore(3, 4, date(2026, 1, 1)), PairedScore(3, 4)]
        )
