"""A measure's names as people read them: each name once.

A definition has a ``title`` ("Patient Health Questionnaire (PHQ-9)") and a
``short_name`` ("PHQ-9"). Shown side by side they would repeat the short name
("Patient Health Questionnaire (PHQ-9) (PHQ-9)"); these functions give each
place the form that says it once.
"""

from __future__ import annotations

from openproms.scoring.definitions import MeasureDefinition


def display_title(defn: MeasureDefinition) -> str:
    """The title with the short name in it exactly once: "Patient Health
    Questionnaire (PHQ-9)", "Oxford Hip Score (OHS)", "Life ladder"."""
    if defn.short_name.casefold() in defn.title.casefold():
        return defn.title
    return f"{defn.title} ({defn.short_name})"


def full_name(defn: MeasureDefinition) -> str:
    """The title without a trailing "(short name)", for showing under the short
    name: "Patient Health Questionnaire"; "" when it would only repeat it."""
    suffix = f" ({defn.short_name})"
    name = defn.title
    if name.endswith(suffix) and len(name) > len(suffix):
        name = name[: -len(suffix)]
    return "" if name.casefold() == defn.short_name.casefold() else name
