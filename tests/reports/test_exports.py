"""Report files and disclosure control on every path a commissioner can reach.

The property tests build reports from random small datasets and random periods
(the selectors are replaced by a stand-in that filters the generated data by the
period the same way) and check every figure in the page, the chart data, the CSV
and the workbook: counts are 0 or multiples of 5 and never 1-7 (NHS) / under 10
(ONS); means and statistics appear only with n >= 8 (10); percentages are
computed from the rounded figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openproms.accounts.models import CommissionerMembership
from openproms.reports import exports, selectors
from openproms.reports.models import Contract
from openproms.reports.report_builder import build_report
from openproms.stats import (
    NHS_RULE,
    ONS_RULE,
    PERCENTAGE_OF,
    ScoreArrays,
    follow_up_capture,
)
from tests.conftest import Tenant, verified_client
from tests.reports.test_commissioner_reports import (
    END,
    START,
    make_contract,
    report_url,
    staff_report_url,
    ten_people,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------- files


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


def test_cells_that_look_like_formulas_are_made_text() -> None:
    for bad in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"):
        assert exports.safe_cell(bad) == "'" + bad
    assert exports.safe_cell("Wellbeing") == "Wellbeing"
    assert exports.safe_cell(-4.9) == -4.9  # numbers stay numbers
    assert exports.safe_cell("*") == "*"


@pytest.mark.django_db
def test_csv_and_workbook_cannot_carry_a_formula_from_a_contract_name(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    from openpyxl import load_workbook

    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body, name='=HYPERLINK("x")')
    contract.reference = "@SUM(1)"
    contract.save()
    report = build_report(contract, start=START, end=END)
    rows = list(csv.reader(io.StringIO(exports.report_csv(report).decode("utf-8-sig"))))
    assert rows[1][0] == '\'=HYPERLINK("x")'
    for row in rows[1:]:
        for cell in row:  # a negative number is written as a number, not as text
            assert not cell.startswith(exports.FORMULA_START) or _is_number(cell), row
    book = load_workbook(io.BytesIO(exports.report_xlsx(report)))
    values = [
        cell for ws in book for row in ws.iter_rows(values_only=True) for cell in row
    ]
    texts = [v for v in values if isinstance(v, str)]
    assert "'@SUM(1)" in texts
    assert not any(v.startswith(exports.FORMULA_START) for v in texts)
    # Negative numbers (a fall in the score) stay numbers, not text.
    assert any(isinstance(v, float) and v < 0 for v in values)


@pytest.mark.django_db
def test_the_pdf_renders_with_title_a_disclosed_figure_and_the_methods(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    import pypdfium2 as pdfium

    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    response = verified_client(commissioner.user).get(
        report_url(contract, period="2025-Q2", format="pdf")
    )
    assert response["Content-Type"] == "application/pdf"
    pdf = pdfium.PdfDocument(response.content)
    image = pdf[0].render(scale=1).to_pil()
    assert image.width > 500 and image.height > 700
    low, high = image.convert("L").getextrema()
    assert low < high  # something was drawn
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    assert "Talking therapies: outcomes report" in text
    assert "Mean change" in text and "-4.9" in text  # disclosed (n = 10)
    assert "Methods" in text and "Disclosure control" in text
    assert "NHS (R1)" in text


# --------------------------------------------------------------------- properties

people = st.lists(
    st.tuples(
        st.integers(0, 27),  # first PHQ-9 total
        st.integers(0, 27),  # later PHQ-9 total
        st.integers(0, 364),  # day of the later score in the contract year
    ),
    max_size=40,
)
periods = st.tuples(st.integers(0, 364), st.integers(0, 364)).map(sorted)
rules = st.sampled_from([Contract.DisclosureRule.NHS, Contract.DisclosureRule.ONS])
summaries = st.tuples(
    st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60)
)


def _stand_in(data: list[tuple[int, int, int]], summary: tuple[int, ...]) -> Any:
    """Selectors over generated data: a pair counts when its later score falls in
    the period, as in the real selector."""

    def in_period(day: int, start: dt.date, end: dt.date) -> bool:
        return start <= START + dt.timedelta(days=day) <= end

    def outcome_values(**kw: Any) -> selectors.OutcomeValues:
        chosen = [
            (first, later)
            for first, later, day in data
            if in_period(day, kw["start"], kw["end"])
        ]
        first = np.array([pair[0] for pair in chosen], dtype=float)
        later = np.array([pair[1] for pair in chosen], dtype=float)
        return selectors.OutcomeValues(
            ScoreArrays(first, later), follow_up_capture(len(chosen), len(chosen))
        )

    def collection_summary(**kw: Any) -> dict[str, Any]:
        engaged, new, baseline, followed = summary
        baseline = min(baseline, new)
        followed = min(followed, baseline)
        return {
            "people_engaged": engaged,
            "new_episodes": new,
            "baseline_completed": baseline,
            "follow_up": follow_up_capture(baseline, followed),
        }

    return outcome_values, collection_summary


def _check_count(value: Any, rule: Any) -> None:
    if value in ("*", "c"):
        return
    assert isinstance(value, int) and not isinstance(value, bool), value
    assert value % 5 == 0, value
    if value == 0:
        assert rule.keep_zero, "ONS shows no zeros"
    else:
        assert value >= rule.suppress_below, value


def _parse(text: str) -> Any:
    if text in ("*", "c", "-"):
        return text
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def _check_report_figures(report: Any, raw_n: int, rule: Any) -> None:
    by_section: dict[str, dict[str, Any]] = {}
    for f in report.all_figures():
        by_section.setdefault(f.section, {})[f.name] = f.value
        if f.kind == "count":
            _check_count(f.value, rule)
            if f.name == "n" and f.section.startswith("Outcomes"):
                # The pairs are the generated ones in the period, disclosed.
                if isinstance(f.value, int):
                    assert abs(f.value - raw_n) <= 2, (f.value, raw_n)
                else:
                    assert raw_n < rule.suppress_below, (f.value, raw_n)
        elif (
            f.kind in ("mean", "statistic")
            and f.section.startswith("Outcomes")
            and raw_n < rule.min_contributors
        ):
            assert f.value == "*", (f.name, f.value, raw_n)
    pct_of = dict(PERCENTAGE_OF) | {
        "baseline_completion_pct": ("with_baseline", "new_episodes"),
    }
    merged_reach = {
        **by_section.get("Reach", {}),
        **by_section.get("Completion and follow-up", {}),
    }
    for section, values in by_section.items():
        pool = {**merged_reach, **values} if section != "Reach" else merged_reach
        for name, value in values.items():
            if name not in pct_of:
                continue
            num_name, den_name = pct_of[name]
            num, den = pool.get(num_name), pool.get(den_name)
            if isinstance(num, int) and isinstance(den, int) and den > 0:
                assert value == round(100.0 * num / den, 1), (name, value, num, den)
            else:
                assert value in ("*", "c"), (name, value, num, den)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=people, period=periods, rule_key=rules, summary=summaries)
@pytest.mark.django_db
def test_every_format_of_a_built_report_is_disclosure_controlled(
    tenant_a: Tenant,
    commissioner: CommissionerMembership,
    data: list[tuple[int, int, int]],
    period: list[int],
    rule_key: str,
    summary: tuple[int, ...],
) -> None:
    contract = Contract.objects.filter(name="Property").first() or make_contract(
        tenant_a, commissioner.body, name="Property"
    )
    contract.disclosure_rule = rule_key
    contract.save()
    rule = NHS_RULE if rule_key == "nhs" else ONS_RULE
    start = START + dt.timedelta(days=period[0])
    end = START + dt.timedelta(days=period[1])
    raw_n = sum(1 for *_, day in data if period[0] <= day <= period[1])
    values, summary_fn = _stand_in(data, summary)
    with (
        mock.patch("openproms.reports.selectors.outcome_values", values),
        mock.patch("openproms.reports.selectors.collection_summary", summary_fn),
    ):
        report = build_report(contract, start=start, end=end)
        _check_report_figures(report, raw_n, rule)
        # Any dates: the organisation's own page (a funder's is whole quarters
        # only), which shows the same disclosed figures.
        client = verified_client(tenant_a.members["manager"].user)
        query = {"period": "custom", "start": start.isoformat(), "end": end.isoformat()}
        page = client.get(staff_report_url(contract, **query))
        csv_bytes = client.get(
            staff_report_url(contract, **query, format="csv")
        ).content
        xlsx_bytes = client.get(
            staff_report_url(contract, **query, format="xlsx")
        ).content
    assert page.status_code == 200
    html = page.content.decode()
    cells = re.findall(r'data-kind="(\w+)" data-code="([^"]+)">([^<]*)<', html)
    assert len(cells) == len(report.all_figures())
    for kind, _code, text in cells:
        if kind == "count":
            _check_count(_parse(text), rule)
    # Chart data: only disclosed percentages and means, never a suppressed one.
    drawable = {
        f.value for f in report.all_figures() if f.kind in ("percentage", "mean")
    }
    for spec in re.findall(
        r'<script type="application/json" data-chart="[^"]+">(.*?)</script>', html
    ):
        for row in json.loads(spec)["data"]["values"]:
            assert isinstance(row["value"], int | float) and row["value"] in drawable
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert len(rows) == len(report.all_figures())
    for row in rows:
        if row["Kind"] == "count":
            _check_count(_parse(row["Value"]), rule)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx_bytes))
    counted = 0
    for ws in book:
        for row in ws.iter_rows(values_only=True):
            if len(row) >= 4 and row[2] == "count":
                counted += 1
                _check_count(row[3], rule)
    assert counted == sum(1 for f in report.all_figures() if f.kind == "count")
