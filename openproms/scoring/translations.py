"""A measure's wording in another language: shipped, or supplied by an organisation.

A translation is a document beside the definition (never a second definition): the
same items, codes, scales and scoring, with every word a person reads given in the
other language. Scoring cannot tell the two apart; only the words change.

Document shape (``openproms/library/translations/<id>-<version>.<language>.json``
for the translations openproms ships; the same ``wording`` an organisation
supplies for one language)::

    {"measure_id": "...", "version": "...", "language": "cy",
     "source": {"citation": "...", "official": false, "note": "..."},
     "title": "...", "short_name": "...", "instructions": "...",
     "items": {item_id: text}, "short_labels": {item_id: text},
     "preambles": {item_id: text},
     "options": {response_set_id: {code: label}},
     "scales": {scale_id: label},
     "bands": {scale_id: {band number: label}}}

Bands are numbered from 1, lowest scores first, as the definition lists them;
every band of every scale that has bands needs its name (a person reads a band
name beside their score).

A translation must be complete: the title, every item's text, every answer label
(for a range, the two end labels), the instructions when the English has them,
every scale's label and every band's name. A half-translated form would show a person a mixture, so
:func:`translation_problems` lists every gap and :func:`definition_translated`
refuses an incomplete document.

Only measures whose licence allows it carry a shipped translation (decision 0028):
the project's own measures, written by openproms contributors. Licensed measures get
their translations from the organisation holding the licence.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from openproms.scoring.definition_build import build_definition
from openproms.scoring.definitions import MeasureDefinition

#: The languages a translation may be in (the codes of settings.LANGUAGES other
#: than English).
TRANSLATION_LANGUAGES: Mapping[str, str] = {"cy": "Welsh (Cymraeg)"}


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def translation_problems(
    defn: MeasureDefinition, translation: Mapping[str, Any]
) -> list[str]:
    """Every gap or mistake in ``translation`` for ``defn``, in plain words (empty
    when it is complete)."""
    problems: list[str] = []
    if not _text(translation.get("title")):
        problems.append("the title has no translation")
    if defn.instructions and not _text(translation.get("instructions")):
        problems.append("the instructions have no translation")
    items = translation.get("items")
    if not isinstance(items, Mapping):
        return [*problems, 'there is no "items" mapping of question id to text']
    for key in sorted(set(items) - set(defn.item_ids)):
        problems.append(f"{key!r} is not a question of {defn.short_name}")
    for n, item in enumerate(defn.items, start=1):
        if not _text(items.get(item.id)):
            problems.append(f"question {n} ({item.id}) has no translation")
    options = translation.get("options") or {}
    if not isinstance(options, Mapping):
        return [*problems, '"options" must map an answer set to its labels']
    for rid in sorted(set(options) - set(defn.response_sets)):
        problems.append(f"{rid!r} is not an answer set of {defn.short_name}")
    for rid, rs in defn.response_sets.items():
        given = options.get(rid) or {}
        if not isinstance(given, Mapping):
            problems.append(f"answer set {rid!r}: labels must map a code to a label")
            continue
        try:
            by_code = {int(c): _text(v) for c, v in given.items()}
        except ValueError:
            problems.append(f"answer set {rid!r}: every code must be a whole number")
            continue
        if rs.is_range:
            wanted = [
                c
                for c, label in ((rs.min, rs.min_label), (rs.max, rs.max_label))
                if label
            ]
        else:
            wanted = list(rs.codes)
        extra = sorted(set(by_code) - set(rs.codes))
        if extra:
            problems.append(f"answer set {rid!r}: {extra} are not its codes")
        missing = [c for c in wanted if not by_code.get(c)]
        if missing:
            problems.append(
                f"answer set {rid!r}: no translation for the answers coded {missing}"
            )
    scales = translation.get("scales") or {}
    for scale in defn.scales:
        if not _text(scales.get(scale.id)):
            problems.append(f"the score {scale.label!r} has no translated name")
    return problems + _band_problems(defn, translation.get("bands") or {})


def _band_problems(defn: MeasureDefinition, bands: object) -> list[str]:
    if not isinstance(bands, Mapping):
        return ['"bands" must map a score to its band names by number']
    problems: list[str] = []
    banded = {s.id: s for s in defn.scales if s.bands is not None}
    for key in sorted(set(bands) - set(banded)):
        problems.append(f"{key!r} is not a score of {defn.short_name} with bands")
    for scale_id, scale in banded.items():
        assert scale.bands is not None
        given = bands.get(scale_id) or {}
        if not isinstance(given, Mapping):
            problems.append(
                f"the bands of {scale.label!r} must map a band number to its name"
            )
            continue
        count = len(scale.bands.bands)
        extra = sorted(k for k in map(str, given) if k not in _numbers(count))
        if extra:
            problems.append(
                f"the score {scale.label!r} has bands 1 to {count}, not {extra}"
            )
        for n, band in enumerate(scale.bands.bands, start=1):
            if not _text(given.get(str(n), given.get(n))):
                problems.append(
                    f"band {n} ({band.label}) of {scale.label!r} has no translated name"
                )
    return problems


def _numbers(count: int) -> set[str]:
    return {str(n) for n in range(1, count + 1)}


def definition_translated(
    defn: MeasureDefinition, translation: Mapping[str, Any], *, language: str
) -> MeasureDefinition:
    """A copy of ``defn`` whose words are ``translation``'s, marked ``language``.

    Items, codes, scales and scoring are untouched. Raises ValueError listing every
    problem when the translation is incomplete (:func:`translation_problems`).
    """
    problems = translation_problems(defn, translation)
    if problems:
        raise ValueError(
            f"the {language} translation of {defn.short_name} is incomplete: "
            + "; ".join(problems)
        )
    raw: dict[str, Any] = copy.deepcopy(dict(defn.raw))
    raw["title"] = _text(translation["title"])
    raw["short_name"] = _text(translation.get("short_name")) or raw["title"]
    if defn.instructions:
        raw["instructions"] = _text(translation["instructions"])
    if _text(translation.get("recall_period")):
        raw["recall_period"] = _text(translation["recall_period"])
    short_labels = translation.get("short_labels") or {}
    preambles = translation.get("preambles") or {}
    for item in raw["items"]:
        item["text"] = _text(translation["items"][item["id"]])
        if _text(short_labels.get(item["id"])):
            item["short_label"] = _text(short_labels[item["id"]])
        if _text(preambles.get(item["id"])):
            item["preamble"] = _text(preambles[item["id"]])
    for rid, labels in (translation.get("options") or {}).items():
        by_code = {int(c): _text(v) for c, v in labels.items()}
        rs_raw = raw["response_sets"][rid]
        if "range" in rs_raw:
            for end in ("min", "max"):
                if by_code.get(rs_raw["range"][end]):
                    rs_raw["range"][f"{end}_label"] = by_code[rs_raw["range"][end]]
        else:
            for option in rs_raw["options"]:
                if by_code.get(option["code"]):
                    option["label"] = by_code[option["code"]]
    bands = translation.get("bands") or {}
    for scale in raw["scales"]:
        scale["label"] = _text(translation["scales"][scale["id"]])
        names = bands.get(scale["id"]) or {}
        for n, band in enumerate((scale.get("bands") or {}).get("bands", []), 1):
            band["label"] = _text(names.get(str(n), names.get(n)))
    return dataclasses.replace(
        build_definition(raw),
        wording_supplied=defn.wording_supplied,
        language=language,
    )


@functools.cache
def _shipped() -> Mapping[tuple[str, str, str], Mapping[str, Any]]:
    root = resources.files("openproms.library") / "translations"
    found: dict[tuple[str, str, str], Mapping[str, Any]] = {}
    for entry in root.iterdir():
        if entry.name.endswith(".json"):
            doc = json.loads(entry.read_text(encoding="utf-8"))
            found[(doc["measure_id"], doc["version"], doc["language"])] = doc
    return found


def shipped_translation(
    measure_id: str, version: str, language: str
) -> Mapping[str, Any] | None:
    """The translation openproms ships for a measure version, if there is one."""
    return _shipped().get((measure_id, version, language))


def shipped_languages(measure_id: str, version: str) -> tuple[str, ...]:
    """The languages openproms ships a measure version's wording in (besides
    English)."""
    return tuple(
        sorted(lang for (m, v, lang) in _shipped() if (m, v) == (measure_id, version))
    )
