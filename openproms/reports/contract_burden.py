"""The burden of a service's contracts: what every contract paying for the service
requires, per time point, as questions asked of each person, and the questions
saved where one measure's answers give another (PHQ-9 gives PHQ-2, WEMWBS gives
SWEMWBS) or one set of answers counts for several contracts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from openproms.catalogue.selectors import measure_definition
from openproms.reports.models import Contract, ContractRequirement
from openproms.scoring import MeasureDefinition

TIME_POINT_LABELS = {
    "start": "At the start",
    "follow_up": "At each follow-up",
    "exit": "At the end",
}


@dataclass
class BurdenMeasure:
    measure_id: str
    name: str
    items: int
    contracts: list[str]
    covered_by: str | None  # the measure whose answers give this one


@dataclass
class BurdenPoint:
    key: str
    label: str
    measures: list[BurdenMeasure]

    @property
    def items_separately(self) -> int:
        return sum(m.items for m in self.measures)

    @property
    def items_asked(self) -> int:
        return sum(m.items for m in self.measures if m.covered_by is None)

    @property
    def items_saved(self) -> int:
        return self.items_separately - self.items_asked


@dataclass
class Burden:
    contracts: list[Contract]
    points: list[BurdenPoint]
    summary: list[str]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def service_burden(*, organisation: Any, service: Any) -> Burden:
    """The union of every requirement of the service's contracts, per time point:
    questions asked per person, and those saved where one measure's answers give
    another (the definitions' derivations: PHQ-9 gives PHQ-2, WEMWBS gives SWEMWBS)."""
    contracts = list(
        Contract.objects.filter(organisation=organisation, services=service)
        .select_related("commissioner")
        .prefetch_related("requirements")
        .distinct()
    )
    wanted: dict[str, dict[str, list[str]]] = {k: {} for k in TIME_POINT_LABELS}
    for contract in contracts:
        for requirement in contract.requirements.all():
            keys = ["start"]
            if (
                requirement.time_points
                == ContractRequirement.TimePoints.START_AND_LATEST
            ):
                keys.append("follow_up")
            elif (
                requirement.time_points == ContractRequirement.TimePoints.START_AND_EXIT
            ):
                keys.append("exit")
            for key in keys:
                wanted[key].setdefault(requirement.measure_id, []).append(contract.name)
    definitions = {
        measure_id: _definition_for(organisation, measure_id)
        for point in wanted.values()
        for measure_id in point
    }
    points: list[BurdenPoint] = []
    for key, required in wanted.items():
        if not required:
            continue
        measures: list[BurdenMeasure] = []
        for measure_id, names in sorted(required.items()):
            definition = definitions[measure_id]
            if definition is None:
                continue
            sources = {d.from_measure for d in definition.derivations}
            covered = None
            if sources and sources <= set(required):
                covered = " and ".join(
                    (definitions[s].short_name if definitions.get(s) else s)  # type: ignore[union-attr]
                    for s in sorted(sources)
                )
            measures.append(
                BurdenMeasure(
                    measure_id=measure_id,
                    name=definition.short_name,
                    items=len(definition.items),
                    contracts=sorted(set(names)),
                    covered_by=covered,
                )
            )
        points.append(BurdenPoint(key, TIME_POINT_LABELS[key], measures))
    summary: list[str] = []
    if not contracts:
        summary.append("No contracts pay for this service yet, so nothing is required.")
    else:
        all_measures = {m.measure_id for p in points for m in p.measures}
        summary.append(
            f"{_plural(len(contracts), 'contract')} "
            f"{'asks' if len(contracts) == 1 else 'ask'} for "
            f"{_plural(len(all_measures), 'measure')} from this service."
        )
        for point in points:
            summary.append(
                f"{point.label}, each person is asked {_plural(point.items_asked, 'question')}."
            )
        for point in points:
            for m in point.measures:
                if m.covered_by:
                    summary.append(
                        f"{point.label}, {m.name} is worked out from the {m.covered_by} "
                        f"answers, which saves each person {_plural(m.items, 'question')}."
                    )
        shared = sorted(
            {m.name for p in points for m in p.measures if len(m.contracts) > 1}
        )
        if shared:
            summary.append(
                "One set of answers counts for every contract that asks for it: "
                + ", ".join(shared)
                + (" is" if len(shared) == 1 else " are")
                + " asked once and reported to each funder."
            )
            for point in points:
                each = sum(m.items * len(m.contracts) for m in point.measures)
                if each > point.items_separately:
                    summary.append(
                        f"{point.label}, collecting for each contract on its own "
                        f"would mean {_plural(each, 'question')} per person; "
                        f"sharing the answers saves "
                        f"{_plural(each - point.items_separately, 'question')}."
                    )
    return Burden(contracts=contracts, points=points, summary=summary)


def _definition_for(organisation: Any, measure_id: str) -> MeasureDefinition | None:
    try:
        return measure_definition(organisation=organisation, measure_id=measure_id)
    except Http404:
        return None
