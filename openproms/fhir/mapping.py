"""How the items of a QuestionnaireResponse map onto a measure's items.

A :class:`Plan` says, by linkId, which items are questions of the measure (and how
to turn an answer into the measure's answer code), which carry a score the sender
worked out (compared, never stored), and which are groups or display text. Plans
come from three places, tried in this order by
:func:`openproms.fhir.response_in.read_questionnaire_response`:

1. a Questionnaire given with the response: our own (its canonical URL is ours),
   or one published elsewhere whose items carry LOINC or SNOMED CT codes that the
   definition has, with the answers' numbers in ``ordinalValue`` or
   ``itemWeight`` (:func:`plan_from_questionnaire`);
   (or, when the Questionnaire has a crosswalk, :func:`crosswalk_plan`);
2. the response's ``questionnaire`` canonical URL: ours (:func:`own_plan`), or a
   Questionnaire with a crosswalk (:func:`crosswalk_plan`);
3. a measure named by the caller, whose item ids are the linkIds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from openproms.fhir import uris
from openproms.fhir.crosswalk import Crosswalk, crosswalks
from openproms.fhir.issues import FhirInputError, Issue, error
from openproms.fhir.questionnaire import display_link_ids
from openproms.fhir.validation import validation_issues
from openproms.scoring.definitions import Item, MeasureDefinition
from openproms.scoring.errors import MeasureNotFound

Resolve = Callable[[str, str | None], MeasureDefinition]
AnswerReader = Callable[[Item, Mapping[str, Any], str], "int | Issue"]


@dataclass(frozen=True)
class Plan:
    """How to read a response's items as answers to ``measure``."""

    measure: MeasureDefinition
    questions: Mapping[str, str]  # linkId -> item id
    scores: Mapping[str, str]  # linkId -> scale id
    passive: frozenset[str]  # groups and display items
    read_answer: AnswerReader
    described_as: str  # how the plan was found, for notes
    notes: tuple[Issue, ...] = field(default=())


def question_name(defn: MeasureDefinition, item_id: str) -> str:
    """``question 3 of PHQ-9``: how an issue names one of the measure's items."""
    return f"question {defn.item_ids.index(item_id) + 1} of {defn.short_name}"


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _ordinal(element: Mapping[str, Any]) -> float | None:
    for ext in element.get("extension", []) or []:
        if isinstance(ext, Mapping) and ext.get("url") in (
            uris.ORDINAL_VALUE,
            uris.ITEM_WEIGHT,
        ):
            value = ext.get("valueDecimal", ext.get("valueInteger"))
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
    return None


def _integer_answer(
    defn: MeasureDefinition, item: Item, answer: Mapping[str, Any], where: str
) -> int | Issue:
    rs = item.response_set
    value = answer.get("valueInteger")
    if value is None or _whole(value) is None or isinstance(value, float):
        found = ", ".join(k for k in answer if k.startswith("value")) or "no value"
        return error(
            "value",
            f"{question_name(defn, item.id)} needs a whole number from {rs.min} to "
            f"{rs.max} in valueInteger; the answer has {found}",
            where,
        )
    return int(value)


# ------------------------------------------------------------------- our own


def own_plan(defn: MeasureDefinition, *, described_as: str) -> Plan:
    """Read a response to our own Questionnaire: linkIds are item ids, coded
    answers are in the measure's own code systems, ranges in ``valueInteger``."""

    def read(item: Item, answer: Mapping[str, Any], where: str) -> int | Issue:
        rs = item.response_set
        if rs.is_range:
            return _integer_answer(defn, item, answer, where)
        coding = answer.get("valueCoding")
        name = question_name(defn, item.id)
        if not isinstance(coding, Mapping):
            return error(
                "value",
                f"{name} needs a valueCoding from {uris.answer_system(defn.id, rs.id)}",
                where,
            )
        expected = uris.answer_system(defn.id, rs.id)
        system = coding.get("system")
        if system is not None and system != expected:
            return error(
                "value",
                f"{name}: the answer's code system {system!r} is not {expected!r}",
                where,
            )
        code = coding.get("code")
        if not isinstance(code, str) or not code.lstrip("-").isdigit():
            return error(
                "value",
                f"{name}: answer code {code!r} is not one of {rs.describe()}",
                where,
            )
        return int(code)

    return Plan(
        measure=defn,
        questions={i: i for i in defn.item_ids},
        scores={},
        passive=display_link_ids(defn),
        read_answer=read,
        described_as=described_as,
    )


# ---------------------------------------------------------------- crosswalks


def crosswalk_plan(walk: Crosswalk, resolve: Resolve) -> Plan:
    """Read a response through a crosswalk's hand-made map (see crosswalk.py)."""
    defn = resolve(walk.measure, walk.version)

    def read(item: Item, answer: Mapping[str, Any], where: str) -> int | Issue:
        coding = answer.get("valueCoding")
        name = question_name(defn, item.id)
        if not isinstance(coding, Mapping):
            return error("value", f"{name} needs a valueCoding", where)
        system = coding.get("system")
        if system is not None and system != walk.answer_system:
            return error(
                "value",
                f"{name}: the answer's code system {system!r} is not "
                f"{walk.answer_system!r}",
                where,
            )
        code = coding.get("code")
        if code not in walk.answer_codes:
            known = ", ".join(repr(c) for c in walk.answer_codes)
            return error(
                "value", f"{name}: answer code {code!r} is not one of {known}", where
            )
        return walk.answer_codes[str(code)]

    return Plan(
        measure=defn,
        questions=walk.items,
        scores=walk.scores,
        passive=walk.groups,
        read_answer=read,
        described_as=f"read through openproms' crosswalk for the {walk.title} "
        f"({walk.source.citation})",
    )


# ------------------------------------------------ a Questionnaire from elsewhere


def _flatten(items: object, path: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    if not isinstance(items, list):
        return
    for n, item in enumerate(items):
        if isinstance(item, Mapping):
            where = f"{path}.item[{n}]"
            yield item, where
            yield from _flatten(item.get("item"), where)


def _codes(element: Mapping[str, Any]) -> set[tuple[str, str]]:
    out = set()
    for c in element.get("code", []) or []:
        if isinstance(c, Mapping) and isinstance(c.get("code"), str):
            out.add((str(c.get("system")), c["code"]))
    return out


def _definition_codes(codes: Iterable[Any]) -> set[tuple[str, str]]:
    return {(uris.SYSTEMS[c.system], c.code) for c in codes}


def _option_ordinals(
    q: Mapping[str, Any], item: Mapping[str, Any]
) -> dict[tuple[str | None, str], float | None]:
    """Each answer coding the Questionnaire offers, with its ordinal (or None)."""
    found: dict[tuple[str | None, str], float | None] = {}
    for option in item.get("answerOption", []) or []:
        coding = option.get("valueCoding") if isinstance(option, Mapping) else None
        if isinstance(coding, Mapping) and isinstance(coding.get("code"), str):
            value = _ordinal(option)
            found[(coding.get("system"), coding["code"])] = (
                value if value is not None else _ordinal(coding)
            )
    value_set = item.get("answerValueSet")
    if isinstance(value_set, str) and value_set.startswith("#"):
        for contained in q.get("contained", []) or []:
            if contained.get("id") != value_set[1:]:
                continue
            for include in contained.get("compose", {}).get("include", []):
                for concept in include.get("concept", []):
                    found[(include.get("system"), concept["code"])] = _ordinal(concept)
    return found


def _match_measure(
    q: Mapping[str, Any],
    library: Iterable[MeasureDefinition],
    questions: list[tuple[Mapping[str, Any], str]],
) -> MeasureDefinition | None:
    wanted = _codes(q)
    by_panel = [d for d in library if _definition_codes(d.codes) & wanted]
    if len(by_panel) == 1:
        return by_panel[0]
    item_codes = set().union(*(_codes(i) for i, _ in questions)) if questions else set()
    best: list[MeasureDefinition] = []
    best_count = 0
    for d in library:
        ours = set().union(*(_definition_codes(i.codes) for i in d.items))
        count = len(ours & item_codes)
        if count and count == len(ours) and count >= best_count:
            best = [*best, d] if count == best_count else [d]
            best_count = count
    return best[0] if len(best) == 1 else None


def plan_from_questionnaire(
    q: Mapping[str, Any],
    *,
    resolve: Resolve,
    library: Iterable[MeasureDefinition],
    measure: str | None = None,
) -> Plan:
    """A plan from the Questionnaire a response answers.

    Our own Questionnaire (canonical URL under ``uris.BASE``) gives
    :func:`own_plan`. Any other is matched to a measure by its codes (the panel
    code, or the item codes covering every coded item of one measure), unless
    ``measure`` names it; each of its questions maps to the item (or scale) with
    the same LOINC or SNOMED CT code, and each answer to the measure's code by
    the option's ``ordinalValue`` / ``itemWeight``. Ways the Questionnaire breaks
    the FHIR specification are kept as warnings (openproms reads only its codes and
    answer numbers); a Questionnaire that matches no measure is an error.
    """
    if q.get("resourceType") != "Questionnaire":
        raise FhirInputError(
            [error("structure", "the Questionnaire given is not a Questionnaire")]
        )
    defects = validation_issues(q, severity="warning")
    notes = [
        Issue(
            "warning",
            i.code,
            "the Questionnaire breaks the FHIR specification where openproms does "
            f"not read it, so it was used as it is: {i.message}",
            i.expression,
        )
        for i in defects
    ]
    url = q.get("url")
    if isinstance(url, str) and url.startswith(uris.QUESTIONNAIRE_BASE):
        mid = url[len(uris.QUESTIONNAIRE_BASE) :]
        version = q.get("version")
        defn = _resolve(resolve, mid, version if isinstance(version, str) else None)
        plan = own_plan(defn, described_as=f"openproms' Questionnaire for {defn.key}")
        return dataclasses.replace(plan, notes=tuple(notes))
    walk = crosswalks().get(url) if isinstance(url, str) else None
    if walk is not None:
        return dataclasses.replace(crosswalk_plan(walk, resolve), notes=tuple(notes))
    flat = list(_flatten(q.get("item"), "Questionnaire"))
    questions = [(i, w) for i, w in flat if i.get("type") not in ("group", "display")]
    library = list(library)
    if measure is not None:
        defn = _resolve(resolve, measure, None)
    else:
        found = _match_measure(q, library, questions)
        if found is None:
            raise FhirInputError(
                [
                    error(
                        "not-found",
                        "the Questionnaire's codes match no single measure in the "
                        "library (it needs the measure's LOINC or SNOMED CT panel "
                        "code, or item codes covering every coded item of one "
                        "measure); name the measure instead",
                        "Questionnaire.code",
                    )
                ]
            )
        defn = _resolve(resolve, found.id, found.version)
    item_by_code = {
        code: item.id for item in defn.items for code in _definition_codes(item.codes)
    }
    scale_by_code = {
        code: scale.id
        for scale in defn.scales
        for code in _definition_codes(scale.codes)
    }
    mapped: dict[str, str] = {}
    scores: dict[str, str] = {}
    passive: set[str] = set()
    ordinals: dict[str, dict[tuple[str | None, str], float | None]] = {}
    for item, _ in flat:
        link_id = str(item.get("linkId"))
        codes = _codes(item)
        if item.get("type") in ("group", "display"):
            passive.add(link_id)
        elif hits := {item_by_code[c] for c in codes if c in item_by_code}:
            if len(hits) == 1:
                mapped[link_id] = hits.pop()
                ordinals[link_id] = _option_ordinals(q, item)
        elif len(hits := {scale_by_code[c] for c in codes if c in scale_by_code}) == 1:
            scores[link_id] = hits.pop()
    item_to_link = {v: k for k, v in mapped.items()}

    def read(item: Item, answer: Mapping[str, Any], where: str) -> int | Issue:
        if item.response_set.is_range and "valueInteger" in answer:
            return _integer_answer(defn, item, answer, where)
        name = question_name(defn, item.id)
        coding = answer.get("valueCoding")
        if not isinstance(coding, Mapping):
            return error("value", f"{name} needs a valueCoding", where)
        offered = ordinals[item_to_link[item.id]]
        system, code = coding.get("system"), coding.get("code")
        keys = [k for k in offered if k[1] == code and system in (None, k[0])]
        from_questionnaire = offered[keys[0]] if keys else None
        from_answer = _ordinal(coding)
        if not keys and from_answer is None:
            return error(
                "value",
                f"{name}: answer {system or ''}|{code} is not one the "
                "Questionnaire offers",
                where,
            )
        if (
            from_questionnaire is not None
            and from_answer is not None
            and from_questionnaire != from_answer
        ):
            return error(
                "conflict",
                f"{name}: the answer's ordinalValue {from_answer:g} disagrees with "
                f"the Questionnaire's {from_questionnaire:g}",
                where,
            )
        value = from_questionnaire if from_questionnaire is not None else from_answer
        whole = _whole(value)
        if whole is None:
            return error(
                "value",
                f"{name}: answer {code!r} has no whole-number ordinalValue in the "
                "Questionnaire",
                where,
            )
        return whole

    return Plan(
        measure=defn,
        questions=mapped,
        scores=scores,
        passive=frozenset(passive),
        read_answer=read,
        described_as=f"matched to {defn.key} by the codes of the Questionnaire "
        f"{q.get('url') or q.get('title') or ''}".rstrip(),
        notes=tuple(notes),
    )


def _resolve(
    resolve: Resolve, measure_id: str, version: str | None
) -> MeasureDefinition:
    try:
        return resolve(measure_id, version)
    except MeasureNotFound as exc:
        raise FhirInputError([error("not-found", str(exc))]) from None
