"""Printed forms filled in as a person would, for the journeys that take paper
back in: the form drawn for its person (token, reference), marks in pen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from openproms.catalogue.selectors import measure_definition
from openproms.paper import FormContext, make_layout
from openproms.paper.marks import MarkStyle, Pen, draw_mark, scale_mapping
from openproms.paper.simulate import render_pages
from openproms.scans.models import PrintedForm
from openproms.scans.services import printed_reference

Marks = Mapping[str, Sequence[tuple[int, MarkStyle]]]


def filled(
    form: PrintedForm, marks: Marks, seed: int, dpi: float
) -> list[np.ndarray[Any, Any]]:
    """The form as printed for its person, with ``marks`` (item -> [(code, style)])
    drawn on it in pen, as a scan at ``dpi`` sees it (grey, 0-255)."""
    definition = measure_definition(
        organisation=form.organisation,
        measure_id=form.measure_id,
        version=form.measure_version,
    )
    context = FormContext(
        organisation=form.organisation.name,
        reference=printed_reference(form.service_user),  # type: ignore[arg-type]
        token=form.token,
    )
    layout = make_layout(definition, form.variant, context)  # type: ignore[arg-type]
    rng = np.random.default_rng(seed)
    images = []
    for page, rendered in zip(layout.pages, render_pages(layout, dpi), strict=True):
        pen = Pen(rendered.shape, scale_mapping(dpi / 25.4), dpi / 25.4)
        for row in page.items:
            for code, style in marks.get(row.item_id, ()):
                option = next(o for o in row.options if o.code == code)
                draw_mark(pen, option, row, style, rng)
        images.append(np.clip(pen.apply(rendered) * 255.0, 0, 255).astype(np.uint8))
    return images
