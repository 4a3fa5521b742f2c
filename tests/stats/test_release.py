"""What a funder may ask for (decision 0015): whole financial quarters only, and no
two of a funder's contracts sharing a service and a quarter.

The brute-force reader of tests/stats/attacker.py combines every count published to
a funder. It finds the attacks the rule closes (single days inside a window, months
inside a quarter, quarters inside a year, a report on services A and B beside one on
A, the two residual cases of tests/stats/test_disclosure.py), and, on random
contracts and random data (hypothesis), finds nothing in what the rule lets a funder
ask for: every count they can request, for every contract, every quarter and every
service, all at once.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openproms.stats import NHS_RULE, ONS_RULE, Rule
from openproms.stats.release import (
    Scope,
    blocks_are_disjoint,
    conflicting_quarters,
    quarter_of,
    whole_quarters,
)
from tests.stats.attacker import pinned_small, publish

BOTH_RULES = [NHS_RULE, ONS_RULE]


# --- the quarters ---------------------------------------------------------------


def test_quarters_are_the_uk_financial_quarters() -> None:
    q = quarter_of(date(2026, 2, 14))
    assert (q.key, q.start, q.end) == ("2025-Q4", date(2026, 1, 1), date(2026, 3, 31))
    assert q.label == "January to March 2026 (2025-26 Q4)"
    q = quarter_of(date(2026, 4, 1))
    assert (q.key, q.label) == ("2026-Q1", "April to June 2026 (2026-27 Q1)")
    assert quarter_of(date(2026, 12, 31)).end == date(2026, 12, 31)


def test_only_whole_quarters_inside_the_contract_are_offered() -> None:
    keys = [q.key for q in whole_quarters(date(2025, 5, 15), date(2026, 5, 14))]
    assert keys == ["2025-Q2", "2025-Q3", "2025-Q4"]  # April-June 2025 is cut
    assert whole_quarters(date(2025, 4, 2), date(2025, 6, 30)) == []
    year = whole_quarters(date(2025, 4, 1), date(2026, 3, 31))
    assert [q.key for q in year] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


@given(
    start=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    days=st.integers(0, 1500),
)
def test_the_quarters_offered_are_whole_disjoint_and_inside(
    start: date, days: int
) -> None:
    end = start + timedelta(days=days)
    quarters = whole_quarters(start, end)
    for q in quarters:
        assert start <= q.start and q.end <= end
        assert quarter_of(q.start) == q == quarter_of(q.end)
    for a, b in itertools.pairwise(quarters):
        assert a.end + timedelta(days=1) == b.start


def test_contracts_sharing_a_service_conflict_only_in_shared_quarters() -> None:
    year = Scope(frozenset({"A", "B"}), date(2025, 4, 1), date(2026, 3, 31))
    same_year_a = Scope(frozenset({"A"}), date(2025, 4, 1), date(2026, 3, 31))
    next_year = Scope(frozenset({"A"}), date(2026, 4, 1), date(2027, 3, 31))
    other_service = Scope(frozenset({"C"}), date(2025, 4, 1), date(2026, 3, 31))
    # Ends mid-quarter: the cut quarter is offered by neither.
    renewal = Scope(frozenset({"A"}), date(2026, 2, 15), date(2027, 3, 31))
    assert len(conflicting_quarters(year, same_year_a)) == 4
    assert conflicting_quarters(year, next_year) == []
    assert conflicting_quarters(year, other_service) == []
    assert conflicting_quarters(year, renewal) == []


# --- the attacks the rule closes ---------------------------------------------------


def days(n: int) -> list[date]:
    return [date(2025, 7, 1) + timedelta(days=i) for i in range(n)]


def test_single_days_inside_a_window_pin_each_day_and_the_window() -> None:
    # The attack: seven days with one person each ("*"), every other day 0,
    # and the window holding them shows "*": it can only be 7, each day 1.
    window = days(30)
    raw = dict.fromkeys(window, 0) | dict.fromkeys(window[3:10], 1)
    cells = [frozenset({day}) for day in window] + [frozenset(window)]
    shown = publish(raw, cells, NHS_RULE)
    assert {value for _, value in shown} == {0, "*"}
    pinned = pinned_small(shown, NHS_RULE)
    assert pinned[frozenset(window[3:10])] == 7
    assert all(pinned[frozenset({day})] == 1 for day in window[3:10])


def test_months_inside_a_quarter_pin_a_month() -> None:
    # 8, 8 and 1 are shown 10, 10 and "*"; the quarter's 17 is shown 15 (13..17),
    # so the months add up to at least 8 + 8 + 1 = 17: the third month is 1.
    raw = {"jul": 8, "aug": 8, "sep": 1}
    cells = [frozenset({m}) for m in raw] + [frozenset(raw)]
    shown = publish(raw, cells, NHS_RULE)
    assert [v for _, v in shown] == [10, 10, "*", 15]
    assert pinned_small(shown, NHS_RULE)[frozenset({"sep"})] == 1


def test_quarters_inside_a_year_pin_every_quarter() -> None:
    # Four quarters of 7 ("*", at most 7 each) in a year of 28 (shown 30, so at
    # least 28): every quarter is 7. A funder is offered quarters, never the year.
    raw = {f"Q{i}": 7 for i in range(1, 5)}
    cells = [frozenset({q}) for q in raw] + [frozenset(raw)]
    shown = publish(raw, cells, NHS_RULE)
    assert [v for _, v in shown] == ["*", "*", "*", "*", 30]
    pinned = pinned_small(shown, NHS_RULE)
    assert all(pinned[frozenset({q})] == 7 for q in raw)


def test_the_three_overlapping_reports_residual_needs_overlapping_contracts() -> None:
    # tests/stats/test_disclosure.py pins it: groups 7, 1, 7, 12, 7 and two reports,
    # "all" (34) and "all but the second group" (33). For a funder the groups would
    # be services, and the two reports two contracts of theirs covering the same
    # quarter, one with the second service and one without: exactly what
    # conflicting_quarters refuses (and so the contract form, and the report page
    # for contracts made before).
    raw = {f"s{i}": c for i, c in enumerate([7, 1, 7, 12, 7])}
    everyone = frozenset(raw)
    cells = [frozenset({s}) for s in raw] + [everyone, everyone - {"s1"}]
    assert pinned_small(publish(raw, cells, NHS_RULE), NHS_RULE)
    q = date(2025, 7, 1), date(2025, 9, 30)
    assert conflicting_quarters(Scope(everyone, *q), Scope(everyone - {"s1"}, *q))


def test_the_ons_residual_needs_two_overlapping_contracts_too() -> None:
    # Under the ONS rule 18 and 9 are shown 20 and "*"; with the group's own "*"
    # the group is pinned to 9. Forming it takes "all" and "all but the group" for
    # the same quarter: two contracts sharing a service and a quarter (refused), or
    # a period and a longer one holding it (never offered).
    raw = {"group": 9, "rest": 9}
    cells = [frozenset(raw), frozenset({"rest"}), frozenset({"group"})]
    shown = publish(raw, cells, ONS_RULE)
    assert [v for _, v in shown] == [20, "*", "*"]
    assert pinned_small(shown, ONS_RULE)[frozenset({"group"})] == 9
    q = date(2025, 7, 1), date(2025, 9, 30)
    both, rest = frozenset({"group", "rest"}), frozenset({"rest"})
    assert conflicting_quarters(Scope(both, *q), Scope(rest, *q))


# --- what a funder may ask for: nothing is pinned ----------------------------------

SERVICES = ["A", "B", "C"]


@st.composite
def funder_contracts(draw: st.DrawFn) -> list[Scope]:
    """Contracts one funder holds with one organisation, as the contract form lets
    them be: each drawn at random, and kept only if it conflicts with none kept."""
    kept: list[Scope] = []
    for _ in range(draw(st.integers(1, 5))):
        start = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 500)))
        scope = Scope(
            frozenset(draw(st.sets(st.sampled_from(SERVICES), min_size=1))),
            start,
            start + timedelta(days=draw(st.integers(0, 500))),
        )
        if not any(conflicting_quarters(scope, other) for other in kept):
            kept.append(scope)
    return kept


@settings(max_examples=150, deadline=None)
@given(
    contracts=funder_contracts(),
    counts=st.lists(st.integers(0, 14), min_size=60, max_size=60),
    rule=st.sampled_from(BOTH_RULES),
)
def test_nothing_a_funder_can_request_pins_a_small_count(
    contracts: list[Scope], counts: list[int], rule: Rule
) -> None:
    # Every count the funder can ask for: each contract, each quarter offered.
    # Atoms: one service in one quarter (the finest grain any report reads).
    cells = []
    for scope in contracts:
        for quarter in whole_quarters(scope.start, scope.end):
            cells.append(frozenset((s, quarter.key) for s in scope.services))
    if not cells:
        return
    blocks = [(frozenset(s for s, _ in cell), next(iter(cell))[1]) for cell in cells]
    assert blocks_are_disjoint(blocks)
    atoms = sorted({atom for cell in cells for atom in cell}, key=str)
    raw = {atom: counts[i % len(counts)] for i, atom in enumerate(atoms)}
    assert pinned_small(publish(raw, cells, rule), rule) == {}


@pytest.mark.parametrize("rule", BOTH_RULES)
def test_a_sum_of_independent_blocks_is_pinned_only_when_each_is_zero(
    rule: Rule,
) -> None:
    # The proof's last step, by brute force: blocks published once each, however
    # many, leave every union of them with at least two values unless all are 0.
    for raw_counts in [(0, 1), (1, 1, 1), (7, 0, 0), (8, 3), (0, 0, 9)]:
        raw = {f"b{i}": c for i, c in enumerate(raw_counts)}
        cells = [frozenset({k}) for k in raw]
        assert pinned_small(publish(raw, cells, rule), rule) == {}
