"""Disclosure control (reliability-security guide section 1; EX1 and EX2).

Unit tests pin the NHS (R1) and ONS (R2) rules cell by cell. Property tests
(hypothesis) check, for random data, random filters and random breakdowns:

* EX1: no shown count in 1-7 (R1) or under 10 (R2, zero included); every shown
  non-zero count is a multiple of 5 within 2 of the raw count; means, medians and
  statistics only with n >= 8 (R1) or n >= 10 (R2); percentages computed from the
  rounded numerator and denominator; totals rounded on their own raw value.
* EX2 (differencing): for two overlapping reports, "all" and "all except one group",
  the two published totals never pin the excluded group's count when it is small:
  at least two small values stay consistent with them (exhaustively checked too).
* Margin protection: within one published table (groups and their total), no
  suppressed group count is pinned to a single value (checked by brute force).

The residual risk the rules leave (several overlapping figures at once) is pinned
as an example in :func:`test_residual_risk_three_overlapping_figures_can_pin_a_count`
and explained in docs/stats.md. Neither it nor the ONS pair can be formed by a
funder: both need two reports on nested groups for the same period, and a funder is
offered whole quarters only, from contracts that never share a service and a quarter
(decision 0015; tests/stats/test_release.py shows the same reader finding both
leaks and finding nothing in what a funder can request).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openproms.scoring import MeasureDefinition, get_measure
from openproms.stats import (
    HIDDEN,
    NHS_RULE,
    NOT_AVAILABLE,
    ONS_RULE,
    RULES,
    SUPPRESSED,
    TOTAL,
    Cell,
    Count,
    Margin,
    Mean,
    Median,
    PairedScore,
    Percentage,
    Rule,
    Statistic,
    breakdown_margins,
    breakdown_table,
    capture_figures,
    disclose,
    disclose_cell,
    figure_margins,
    follow_up_capture,
    paired_change,
    paired_change_by,
    paired_change_by_quarter,
    paired_change_figures,
    protect_count,
)

BOTH_RULES = [NHS_RULE, ONS_RULE]
# 300 + 200 + 200 examples here, 400 more in the other stats tests: over 1,000
# generated cases in about 20 s on one core.
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
REPORTS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@functools.cache
def preimage(shown: object, rule: Rule, limit: int = 400) -> tuple[int, ...]:
    """Every raw count that ``rule`` shows as ``shown`` (anything for ``c``),
    computed by brute force so the tests do not trust the code they test."""
    if shown == HIDDEN:
        return tuple(range(limit))
    return tuple(c for c in range(limit) if protect_count(c, rule) == shown)


# --- the rules, cell by cell -------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "nhs", "ons"),
    [
        (0, 0, SUPPRESSED),
        (1, SUPPRESSED, SUPPRESSED),
        (7, SUPPRESSED, SUPPRESSED),
        (8, 10, SUPPRESSED),
        (9, 10, SUPPRESSED),
        (10, 10, 10),
        (12, 10, 10),
        (13, 15, 15),
        (17, 15, 15),
        (18, 20, 20),
        (1002, 1000, 1000),
        (1003, 1005, 1005),
    ],
)
def test_counts_follow_the_nhs_and_ons_rules(
    raw: int, nhs: object, ons: object
) -> None:
    assert protect_count(raw, NHS_RULE) == nhs
    assert protect_count(raw, ONS_RULE) == ons
    assert disclose_cell(Count(raw), NHS_RULE) == nhs


def test_percentages_use_the_rounded_numerator_and_denominator() -> None:
    assert disclose_cell(Percentage(13, 27), NHS_RULE) == 60.0  # 15 / 25, not 48.1
    assert disclose_cell(Percentage(12, 38, decimals=0), NHS_RULE) == 25
    assert disclose_cell(Percentage(3, 40), NHS_RULE) == SUPPRESSED
    assert disclose_cell(Percentage(10, 12), NHS_RULE) == 100.0
    assert disclose_cell(Percentage(0, 20), NHS_RULE) == 0.0
    assert disclose_cell(Percentage(0, 20), ONS_RULE) == SUPPRESSED
    assert disclose_cell(Percentage(0, 0), NHS_RULE) == SUPPRESSED


def test_simple_statistics_need_8_people_nhs_or_10_ons() -> None:
    for cell_type in (Mean, Median):
        assert disclose_cell(cell_type(14.26, 7), NHS_RULE) == SUPPRESSED
        assert disclose_cell(cell_type(14.26, 8), NHS_RULE) == 14.3
        assert disclose_cell(cell_type(14.26, 9), ONS_RULE) == SUPPRESSED
        assert disclose_cell(cell_type(14.26, 10), ONS_RULE) == 14.3
    assert disclose_cell(Mean(None, 0), NHS_RULE) == SUPPRESSED


def test_intervals_and_effect_sizes_are_hidden_where_their_n_is() -> None:
    assert disclose_cell(Statistic(-0.8123, 7), NHS_RULE) == SUPPRESSED
    assert disclose_cell(Statistic(-0.8123, 8), NHS_RULE) == -0.81
    assert disclose_cell(Statistic(None, 30), NHS_RULE) == NOT_AVAILABLE
    assert disclose_cell(Statistic(float("nan"), 30), NHS_RULE) == NOT_AVAILABLE


@pytest.mark.parametrize(
    "make",
    [
        lambda: Count(-1),
        lambda: Count(True),
        lambda: Count(2.5),  # type: ignore[arg-type]
        lambda: Percentage(5, 4),
        lambda: Mean(3.0, -1),
    ],
)
def test_cells_refuse_impossible_counts(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


def test_rules_refuse_an_even_base() -> None:
    with pytest.raises(ValueError, match="odd"):
        Rule("x", "x", 8, True, 10, 8, "")
    assert set(RULES) == {"nhs", "ons"}


def test_totals_are_rounded_on_their_own_raw_value() -> None:
    table = {"a": Count(8), "b": Count(8), "c": Count(8), TOTAL: Count(24)}
    shown = disclose(table, NHS_RULE)
    assert [shown[k] for k in "abc"] == [10, 10, 10]
    assert shown[TOTAL] == 25  # not 30, the sum of the shown parts


# --- margin protection -------------------------------------------------------


def test_four_hidden_sevens_would_be_pinned_by_their_total_so_it_is_hidden() -> None:
    table = {g: Count(7) for g in "abcd"} | {TOTAL: Count(28)}
    margin = Margin(TOTAL, tuple("abcd"))
    assert disclose(table, NHS_RULE)[TOTAL] == 30  # 28..32 and 4 x 7 = 28: pinned
    shown = disclose(table, NHS_RULE, [margin])
    assert shown[TOTAL] == HIDDEN
    assert [shown[g] for g in "abcd"] == [SUPPRESSED] * 4


def test_one_large_group_and_four_ones_would_be_pinned_so_the_total_is_hidden() -> None:
    counts = {"a": 8, "b": 1, "c": 1, "d": 1, "e": 1}
    table = {g: Count(v) for g, v in counts.items()} | {TOTAL: Count(12)}
    shown = disclose(table, NHS_RULE, [Margin(TOTAL, tuple(counts))])
    assert shown == {"a": 10, "b": "*", "c": "*", "d": "*", "e": "*", TOTAL: HIDDEN}


def test_a_safe_table_is_left_as_the_rule_shows_it() -> None:
    table = {"a": Count(3), "b": Count(20), "c": Count(0), TOTAL: Count(23)}
    margin = Margin(TOTAL, ("a", "b", "c"))
    assert disclose(table, NHS_RULE, [margin]) == disclose(table, NHS_RULE)


def test_margins_must_add_up() -> None:
    table = {"a": Count(3), "b": Count(20), TOTAL: Count(24)}
    with pytest.raises(ValueError, match="do not add up"):
        disclose(table, NHS_RULE, [Margin(TOTAL, ("a", "b"))])
    with pytest.raises(ValueError, match="must be counts"):
        disclose({"a": Mean(1, 3), TOTAL: Count(3)}, NHS_RULE, [Margin(TOTAL, ("a",))])


def test_hiding_a_total_hides_the_percentages_built_on_it() -> None:
    phq9 = get_measure("phq9")
    groups = {
        "A": paired_change(phq9, "total", [(20, 10)] * 7),
        "B": paired_change(phq9, "total", [(20, 10)] * 7),
        "C": paired_change(phq9, "total", [(20, 10)] * 7),
        "D": paired_change(phq9, "total", [(20, 10)] * 7),
    }
    overall = paired_change(phq9, "total", [(20, 10)] * 28)
    table = breakdown_table(groups, overall)
    shown = disclose(table, NHS_RULE, breakdown_margins(table))
    assert shown[(TOTAL, "n")] == HIDDEN
    assert shown[(TOTAL, "reliable_improvement")] == HIDDEN
    assert shown[(TOTAL, "reliable_improvement_pct")] == HIDDEN
    assert shown[(TOTAL, "mean_first")] == 20.0  # 28 people: a mean may be shown
    assert shown[("A", "mean_first")] == SUPPRESSED


def feasible_one_margin(
    shown_parts: Sequence[object], shown_total: object, rule: Rule, index: int
) -> set[int]:
    """Brute force: the values of part ``index`` consistent with the shown parts
    and total of one table (sum sets, not interval arithmetic)."""
    totals = set(preimage(shown_total, rule, 1000))
    others: set[int] = {0}
    for j, shown in enumerate(shown_parts):
        if j != index:
            others = {s + v for s in others for v in preimage(shown, rule)}
    return {
        v
        for v in preimage(shown_parts[index], rule)
        if any(v + s in totals for s in others)
    }


small_or_any = st.one_of(st.integers(0, 12), st.integers(0, 12), st.integers(0, 60))


@SETTINGS
@given(
    counts=st.lists(small_or_any, min_size=1, max_size=5),
    rule=st.sampled_from(BOTH_RULES),
)
def test_no_suppressed_count_is_pinned_by_its_own_table(
    counts: list[int], rule: Rule
) -> None:
    names = [f"g{i}" for i in range(len(counts))]
    table = {n: Count(c) for n, c in zip(names, counts, strict=True)}
    table[TOTAL] = Count(sum(counts))
    shown = disclose(table, rule, [Margin(TOTAL, tuple(names))])
    plain = disclose(table, rule)
    for key in names:  # group cells are never changed by margin protection
        assert shown[key] == plain[key]
    assert shown[TOTAL] in (plain[TOTAL], HIDDEN)
    parts = [shown[n] for n in names]
    for i, name in enumerate(names):
        if shown[name] == SUPPRESSED:
            assert len(feasible_one_margin(parts, shown[TOTAL], rule, i)) >= 2


# --- EX2: two overlapping reports -------------------------------------------


@functools.cache
def consistent_differences(
    a_shown: object, b_shown: object, rule: Rule
) -> frozenset[int]:
    """Counts d = a - b consistent with the shown a (all) and b (all except one
    group)."""
    return frozenset(
        a - b
        for a in preimage(a_shown, rule)
        for b in preimage(b_shown, rule)
        if a >= b
    )


@pytest.mark.parametrize("rule", BOTH_RULES)
def test_two_overlapping_totals_never_pin_a_small_difference_exhaustively(
    rule: Rule,
) -> None:
    # Every a < 300 and every b with a - b small. Above the threshold the rule is
    # periodic in 5 (a preimage shifts by 5 when the shown value does), so this
    # covers all counts.
    small = set(range(1, rule.suppress_below))
    fewest, fewest_small = 99, 99
    for a in range(0, 300):
        for b in range(max(0, a - rule.suppress_below + 1), a):
            consistent = consistent_differences(
                protect_count(a, rule), protect_count(b, rule), rule
            )
            assert a - b in consistent
            fewest = min(fewest, len(consistent))
            fewest_small = min(fewest_small, len(consistent & small))
    # The two totals alone: R1 leaves at least 5 values (9 and 8 are both shown
    # as 10: d in 0..4), R2 at least 3 (11 and 10: d in 0..2).
    assert fewest == (5 if rule is NHS_RULE else 3)
    # Knowing also that d is small (the group's own cell is "*"): R1 still
    # leaves at least 2 (13 and 6 are 15 and "*": d in 6..7). R2 does not: 18 and
    # 9 are 20 and "*", and "*" means 0..9 under R2, so d = 9 exactly. That is a
    # residual risk of R2 documented in docs/stats.md.
    assert fewest_small == (2 if rule is NHS_RULE else 1)


def test_the_ons_rule_residual_case_is_as_documented() -> None:
    # Not formable by a funder: test_release.py,
    # test_the_ons_residual_needs_two_overlapping_contracts_too.
    assert protect_count(18, ONS_RULE) == 20 and protect_count(9, ONS_RULE) == "*"
    assert consistent_differences(20, "*", ONS_RULE) & set(range(10)) == {9}


# --- EX1 + EX2 on real reports: random data, filters and breakdowns ----------

MEASURES = [get_measure("phq9"), get_measure("gad7"), get_measure("core10")]
WORKERS = ["Ana", "Ben", "Cal", "Dee"]
AGES = ["18-24", "25-44", "45-64", "65+"]


@st.composite
def people(draw: st.DrawFn) -> tuple[MeasureDefinition, list[PairedScore]]:
    defn = draw(st.sampled_from(MEASURES))
    scale = defn.scales[0]
    score = st.integers(int(scale.range_min), int(scale.range_max)).map(float)
    person = st.builds(
        lambda first, latest, day, w, a: PairedScore(
            first,
            latest,
            date(2025, 1, 1) + timedelta(days=day),
            {"worker": w, "age": a},
        ),
        score,
        score,
        st.integers(0, 800),
        st.sampled_from(WORKERS),
        st.sampled_from(AGES),
    )
    return defn, draw(st.lists(person, max_size=70))


def report(
    defn: MeasureDefinition, pairs: list[PairedScore], breakdown: str
) -> dict[tuple[str, str], Cell]:
    scale_id = defn.scales[0].id
    if breakdown == "quarter":
        groups = paired_change_by_quarter(defn, scale_id, pairs)
    else:
        groups = paired_change_by(defn, scale_id, pairs, breakdown)
    return breakdown_table(groups, paired_change(defn, scale_id, pairs))


def check_ex1(
    table: dict[tuple[str, str], Cell],
    shown: dict[tuple[str, str], int | float | str],
    rule: Rule,
) -> None:
    for key, cell in table.items():
        value = shown[key]
        if isinstance(cell, Count):
            if value in (SUPPRESSED, HIDDEN):
                continue
            assert isinstance(value, int)
            if value == 0:
                assert rule.keep_zero and cell.value == 0
                continue
            assert value % 5 == 0 and value >= rule.suppress_below
            assert abs(value - cell.value) <= 2
            if key[0] == TOTAL:  # totals rounded on their own raw value
                assert value == protect_count(cell.value, rule)
        elif isinstance(cell, Percentage):
            if value in (SUPPRESSED, HIDDEN):
                continue
            num = protect_count(cell.numerator, rule)
            den = protect_count(cell.denominator, rule)
            assert isinstance(num, int) and isinstance(den, int) and den > 0
            assert value == round(100 * num / den, cell.decimals)
        else:
            assert isinstance(cell, Mean | Median | Statistic)
            if cell.n < rule.min_contributors:
                assert value == SUPPRESSED
        if isinstance(cell, Count) and isinstance(value, int):
            assert not 0 < value < rule.suppress_below  # the rule's headline


@REPORTS
@given(
    data=people(),
    workers=st.sets(st.sampled_from(WORKERS), min_size=1),
    ages=st.sets(st.sampled_from(AGES), min_size=1),
    breakdown=st.sampled_from(["worker", "age", "quarter"]),
    rule=st.sampled_from(BOTH_RULES),
)
def test_reports_after_any_filter_and_breakdown_pass_the_rule(
    data: tuple[MeasureDefinition, list[PairedScore]],
    workers: set[str],
    ages: set[str],
    breakdown: str,
    rule: Rule,
) -> None:
    defn, everyone = data
    pairs = [
        p for p in everyone if p.groups["worker"] in workers and p.groups["age"] in ages
    ]
    table = report(defn, pairs, breakdown)
    shown = disclose(table, rule, breakdown_margins(table))
    check_ex1(table, shown, rule)
    # Margin protection: in each count column, no group's suppressed count is
    # pinned by the groups and the total of this table.
    rows = sorted({row for row, _ in table if row != TOTAL})
    for (row, name), cell in table.items():
        if row != TOTAL or not isinstance(cell, Count):
            continue
        parts = [shown[(g, name)] for g in rows]
        for i, g in enumerate(rows):
            if shown[(g, name)] == SUPPRESSED and len(rows) <= 4:
                feasible = feasible_one_margin(parts, shown[(TOTAL, name)], rule, i)
                assert len(feasible) >= 2


@REPORTS
@given(
    data=people(),
    breakdown=st.sampled_from(["worker", "age"]),
    rule=st.sampled_from(BOTH_RULES),
)
def test_all_versus_all_but_one_group_never_pins_that_groups_count(
    data: tuple[MeasureDefinition, list[PairedScore]], breakdown: str, rule: Rule
) -> None:
    defn, pairs = data
    if not pairs:
        return
    excluded = pairs[0].groups[breakdown]
    rest = [p for p in pairs if p.groups[breakdown] != excluded]
    scale_id = defn.scales[0].id
    cells_all = paired_change_figures(paired_change(defn, scale_id, pairs))
    cells_rest = paired_change_figures(paired_change(defn, scale_id, rest))
    shown_all = disclose(cells_all, rule, figure_margins(cells_all))
    shown_rest = disclose(cells_rest, rule, figure_margins(cells_rest))
    small = set(range(1, rule.suppress_below))
    for name, cell in cells_all.items():
        if not isinstance(cell, Count):
            continue
        other = cells_rest[name]
        assert isinstance(other, Count)
        d = cell.value - other.value
        consistent = consistent_differences(shown_all[name], shown_rest[name], rule)
        assert d in consistent
        if d in small:
            assert len(consistent) >= 2  # the two figures never pin d
            if rule is NHS_RULE:  # nor, under R1, with the group's own "*"
                assert len(consistent & small) >= 2


def test_residual_risk_three_overlapping_figures_can_pin_a_count() -> None:
    # Groups of 7, 1, 7, 12, 7 (R1 shows *, *, *, 10, *) with total 34 (35), and a
    # second report "all except the second group" with total 33 (35). Each table
    # passes margin protection on its own, but together they pin every group:
    # 33 <= total - x2 <= 7 + 7 + 12 + 7 = 33. See docs/stats.md, residual risks.
    # Not formable by a funder (decision 0015): test_release.py,
    # test_the_three_overlapping_reports_residual_needs_overlapping_contracts.
    counts = [7, 1, 7, 12, 7]
    names = [f"g{i}" for i in range(5)]
    table = {n: Count(c) for n, c in zip(names, counts, strict=True)}
    table[TOTAL] = Count(34)
    shown = disclose(table, NHS_RULE, [Margin(TOTAL, tuple(names))])
    rest_total = protect_count(33, NHS_RULE)
    assert shown[TOTAL] == 35 and rest_total == 35
    consistent = set()
    for combo in itertools.product(*(preimage(shown[n], NHS_RULE) for n in names)):
        total = sum(combo)
        if (
            protect_count(total, NHS_RULE) == 35
            and protect_count(total - combo[1], NHS_RULE) == rest_total
        ):
            consistent.add(combo)
    assert {c[0] for c in consistent} == {7}


def test_capture_figures_disclose_like_any_other_counts() -> None:
    shown = disclose(capture_figures(follow_up_capture(23, 6)), NHS_RULE)
    assert shown == {"with_baseline": 25, "with_follow_up": "*", "follow_up_pct": "*"}
    shown = disclose(capture_figures(follow_up_capture(23, 13)), NHS_RULE)
    assert shown["follow_up_pct"] == 60.0  # 15 / 25


def test_breakdown_table_refuses_a_group_named_like_the_total() -> None:
    r = paired_change(get_measure("phq9"), "total", [(20, 10)] * 3)
    with pytest.raises(ValueError, match="already called"):
        breakdown_table({TOTAL: r}, r)


def test_only_relations_that_hold_become_margins() -> None:
    phq9 = get_measure("phq9")
    a = paired_change(phq9, "total", [(20, 10)] * 9)
    b = paired_change(phq9, "total", [(12, 10)] * 9)
    wrong_total = paired_change(phq9, "total", [(20, 10)] * 30)  # not a + b
    table = breakdown_table({"A": a, "B": b}, wrong_total)
    margins = breakdown_margins(table)
    for m in margins:
        total = table[m.total]
        assert isinstance(total, Count)
        parts = [table[k] for k in m.parts]
        assert all(isinstance(p, Count) for p in parts)
        assert total.value == sum(p.value for p in parts if isinstance(p, Count))
    group_parts = (("A", "n"), ("B", "n"))
    assert not any(m.total == (TOTAL, "n") and m.parts == group_parts for m in margins)
    shown = disclose(table, NHS_RULE, margins)
    assert shown[(TOTAL, "n")] == 30 and shown[("A", "n")] == 10
