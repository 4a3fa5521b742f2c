"""Shared helpers for the paper tests: wording-supplied definitions and renders."""

from __future__ import annotations

import numpy as np

from openproms.paper import FormContext, Layout, make_layout
from openproms.paper.simulate import render_pages
from openproms.scoring import (
    MeasureDefinition,
    default_library,
    definition_with_wording,
    get_measure,
    has_wording,
)

DPI = 150.0


def printable_measures() -> list[MeasureDefinition]:
    """Every library measure whose wording ships with openproms."""
    return [d for d in default_library() if has_wording(d)]


def eq5d_with_wording() -> MeasureDefinition:
    """EQ-5D-5L with invented test wording (the real wording is licensed and never
    shipped), standing in for what a licensed organisation would supply."""
    d = get_measure("eq5d5l")
    return definition_with_wording(
        d,
        {
            "items": {i.id: f"Invented test wording for {i.id}" for i in d.items},
            "options": {"level": {c: f"Level {c}" for c in range(1, 6)}},
        },
    )


def layout_for(
    defn: MeasureDefinition,
    variant: str = "standard",
    token: str = "tok-1",  # noqa: S107 (a form token, not a password)
) -> Layout:
    return make_layout(defn, variant, FormContext("Test Org", "AB 0001", token))  # type: ignore[arg-type]


def page_image(layout: Layout, page: int = 1, dpi: float = DPI) -> np.ndarray:
    """A clean grey uint8 render of one page."""
    img = render_pages(layout, dpi)[page - 1]
    return (img * 255).astype(np.uint8)
