"""The Methods section of a commissioner report: how each figure is computed,
each scale's change thresholds and their sources, the fair comparison, missing
data, consent, pilot data and disclosure control, in words (read by the page,
the PDF and the workbook through ``Report.methods``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from openproms.catalogue.selectors import measure_definition
from openproms.reports import report_funnel
from openproms.reports.models import Contract
from openproms.scoring import MeasureDefinition

if TYPE_CHECKING:
    from openproms.reports.report_builder import Outcome, Report


def contract_definition(
    contract: Contract, measure_id: str
) -> MeasureDefinition | None:
    """The contract's organisation's definition of a measure, or None when it
    is no longer known."""
    try:
        return measure_definition(
            organisation=contract.organisation, measure_id=measure_id
        )
    except Http404:
        return None


def _scale_methods(contract: Contract, outcome: Outcome) -> list[str]:
    definition = contract_definition(contract, outcome.measure_id)
    if definition is None:
        return []
    scale = definition.scale(outcome.scale_id)
    name = outcome.title
    lines = [
        f"{name}: {outcome.direction.lower()}; change compares each person's {outcome.pairing}."
    ]
    rc = scale.reliable_change
    if rc is not None and rc.threshold is not None:
        verified = "verified" if rc.source.verified else "not verified"
        lines.append(
            f"{name}: a change of {rc.threshold:g} points or more counts as reliable "
            f"(source: {rc.source.citation}; {verified})."
        )
    elif rc is not None and rc.sd is not None and rc.reliability is not None:
        verified = "verified" if rc.source.verified else "not verified"
        lines.append(
            f"{name}: reliable change uses the Jacobson and Truax index with SD "
            f"{rc.sd:g} and reliability {rc.reliability:g} (source: {rc.source.citation}; "
            f"{verified})."
        )
    else:
        lines.append(
            f"{name}: the measure has no published reliable-change threshold, so "
            "reliable change is not reported."
        )
    if scale.caseness is not None:
        verified = "verified" if scale.caseness.source.verified else "not verified"
        lines.append(
            f"{name}: the clinical cut-off is {scale.caseness.threshold:g} "
            f"(source: {scale.caseness.source.citation}; {verified})."
        )
    else:
        lines.append(
            f"{name}: the measure has no clinical cut-off, so recovery is not reported."
        )
    lines.extend(f"{name}: {caveat}." for caveat in outcome.caveats)
    return lines


def methods(report: Report) -> list[tuple[str, list[str]]]:
    rule = report.rule
    contract = report.contract
    scale_lines: list[str] = []
    for outcome in report.outcomes:
        scale_lines.extend(_scale_methods(contract, outcome))
    if report.start_only:
        scale_lines.append(
            "Measures asked for at the start only (no change is reported): "
            + ", ".join(report.start_only)
            + "."
        )
    return [
        (
            "How each figure is computed",
            [
                "People engaged: people with an episode in the contract's services open "
                "at any time in the period. New episodes: episodes started in the period.",
                "Baseline completion: the share of new episodes with a completed start "
                "time point. Follow-up capture: the share of those with a baseline that "
                "also have a later completed time point.",
                "Outcomes compare each person's first score with their latest score (or "
                "their score at the end, if the contract asks for that), for people with "
                "both. Scores worked out from another measure's answers (for example "
                "PHQ-2 from PHQ-9) count too.",
                "Mean change is the mean of the later minus the first scores, with a 95% "
                "confidence interval from the t distribution. The effect size is Cohen's d: "
                "mean change divided by the standard deviation of the first scores "
                "(Becker 1988), with a 95% confidence interval.",
                "Reliable improvement and deterioration count people whose score moved "
                "by at least the measure's reliable-change threshold; recovery counts "
                "people above the clinical cut-off at the start who are below it at their "
                "later score, as a share of those above it at the start.",
            ],
        ),
        (
            "Change thresholds and their sources",
            scale_lines or ["No outcomes are reported."],
        ),
        ("Fair comparison of services", report_funnel.METHODS),
        (
            "Missing data and attrition",
            [
                "Only people with both a first and a later score contribute to the "
                "outcome figures. People who stop before their follow-up often differ "
                "from those who stay, so when follow-up capture is below 50% the results "
                "may not describe everyone who started.",
                "A missing item is handled by each measure's own published rule "
                "(prorating where it allows); answers that cannot be scored are left out.",
            ],
        ),
        (
            "Consent",
            [
                "People who have said no to their answers being included in "
                "anonymous totals for funders are left out of every figure in this "
                "report: people engaged, episodes, completion, follow-up and "
                "outcomes.",
                "Each person's consent as it stands today is used, whatever the "
                "period: someone who changes their mind is counted, or left out, in "
                "every report made after that, including reports on earlier periods.",
            ],
        ),
        (
            "Pilot data",
            [
                "Pilot data is included in this report."
                if contract.include_pilot
                else "Pilot data is excluded from this report."
            ],
        ),
        (
            "Disclosure control",
            [
                f"Rule used: {rule.name}. Source: {rule.citation}.",
                "Every count is controlled on its own raw value after the period filter "
                "and every breakdown; percentages are calculated from the rounded counts; "
                f"means and other statistics are shown only where at least "
                f"{rule.min_contributors} people contribute. '*' means hidden because "
                "the number is small; 'c' means hidden so that a small number cannot be "
                "worked out from the others; '-' means not available.",
                "Reports show only figures for groups of people, never any one person.",
            ],
        ),
    ]
