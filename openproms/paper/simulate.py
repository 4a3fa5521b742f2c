"""Capture simulation for tests and the benchmark: rendering forms, filling them
with known answers and degrading them like scanners and phone cameras do.

Everything is seeded; nothing here is used when reading real scans.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from openproms.paper.layout import Layout, PageLayout
from openproms.paper.marks import MARK_STYLES, MarkStyle, Pen, draw_mark, scale_mapping
from openproms.paper.render import render_pdf
from openproms.paper.simulate_capture import (
    blur,
    jpeg,
    keystone,
    light,
    motion_blur,
    noise,
    on_background,
    phone,
    photocopy,
    resample,
    rot90,
    rotate,
    shadow,
)
from openproms.paper.simulate_damage import (
    coffee_ring,
    desk_photo,
    fax,
    fold,
    folded_photo,
    staple,
    tear_corner,
    water_stain,
    written_notes,
)

__all__ = [
    "SCENARIOS",
    "Degradation",
    "ItemTruth",
    "blur",
    "coffee_ring",
    "desk_photo",
    "fax",
    "fill_page",
    "filled_form",
    "fold",
    "folded_photo",
    "jpeg",
    "keystone",
    "light",
    "motion_blur",
    "noise",
    "on_background",
    "pages_pdf",
    "phone",
    "photocopy",
    "render_pages",
    "resample",
    "rot90",
    "rotate",
    "shadow",
    "staple",
    "tear_corner",
    "water_stain",
    "written_notes",
]

GrayImage = npt.NDArray[np.uint8]
FloatImage = npt.NDArray[np.float32]
Degradation = Callable[[GrayImage, np.random.Generator], GrayImage]


def render_pages(
    layout: Layout, dpi: float, only: Sequence[int] | None = None
) -> list[FloatImage]:
    """Render the pages of ``layout`` to float images (1 = white): every page, or
    those whose 0-based numbers are in ``only`` (in that order)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(render_pdf([layout]))
    out: list[FloatImage] = []
    try:
        for k in range(len(doc)) if only is None else only:
            arr = np.asarray(doc[k].render(scale=dpi / 72.0, grayscale=True).to_numpy())
            if arr.ndim == 3:
                arr = arr[..., 0]
            out.append(arr.astype(np.float32) / 255.0)
    finally:
        doc.close()
    return out


@dataclass(frozen=True, slots=True)
class ItemTruth:
    """What was drawn for one item and what a correct reader must conclude.

    ``expect`` is the code a reader may accept, None for "blank", or "flag" when
    only a person can decide (several marks, a faint mark)."""

    item_id: str
    marks: tuple[tuple[int, MarkStyle], ...]
    expect: int | str | None


def fill_page(
    page_img: FloatImage,
    page: PageLayout,
    dpi: float,
    rng: np.random.Generator,
    answers: Mapping[str, int | None] | None = None,
    styles: tuple[MarkStyle, ...] = MARK_STYLES,
    mix: tuple[float, float, float, float, float] = (0.80, 0.08, 0.04, 0.04, 0.04),
) -> tuple[GrayImage, list[ItemTruth]]:
    """Draw marks on a rendered page and return it with the ground truth.

    With ``answers`` each given item gets one clear mark (a style from ``styles``
    other than light pencil) on that code, or nothing for None. Otherwise each
    item is drawn from ``mix`` = (one mark, blank, two marks, crossed out and
    re-marked, ambiguous: light pencil).
    """
    ppm = dpi / 25.4
    pen = Pen(page_img.shape, scale_mapping(ppm), ppm)
    truths: list[ItemTruth] = []
    clear = tuple(s for s in styles if s != "light_pencil") or ("cross",)
    for row in page.items:
        if not row.options:
            truths.append(ItemTruth(row.item_id, (), None))
            continue
        opts = row.options
        if answers is not None:
            code = answers.get(row.item_id)
            if code is None:
                truths.append(ItemTruth(row.item_id, (), None))
                continue
            o = next(o for o in opts if o.code == code)
            st: MarkStyle = clear[int(rng.integers(len(clear)))]
            draw_mark(pen, o, row, st, rng)
            truths.append(ItemTruth(row.item_id, ((code, st),), code))
            continue
        kind = rng.choice(5, p=np.array(mix) / sum(mix))
        picks = rng.permutation(len(opts))
        if kind == 0:
            o = opts[picks[0]]
            st = clear[int(rng.integers(len(clear)))]
            draw_mark(pen, o, row, st, rng)
            truths.append(ItemTruth(row.item_id, ((o.code, st),), o.code))
        elif kind == 1:
            truths.append(ItemTruth(row.item_id, (), None))
        elif kind == 2 and len(opts) >= 2:
            marks = []
            for j in picks[:2]:
                st = clear[int(rng.integers(len(clear)))]
                if st == "fill":
                    st = "cross"
                draw_mark(pen, opts[j], row, st, rng)
                marks.append((opts[j].code, st))
            truths.append(ItemTruth(row.item_id, tuple(marks), "flag"))
        elif kind == 3 and len(opts) >= 2:
            a, b = opts[picks[0]], opts[picks[1]]
            first: MarkStyle = "cross" if rng.random() < 0.5 else "tick"
            draw_mark(pen, a, row, first, rng)
            draw_mark(pen, a, row, "cancel", rng)
            second: MarkStyle = ("cross", "tick", "slash")[int(rng.integers(3))]
            draw_mark(pen, b, row, second, rng)
            truths.append(
                ItemTruth(row.item_id, ((a.code, "cancel"), (b.code, second)), b.code)
            )
        else:
            o = opts[picks[0]]
            draw_mark(pen, o, row, "light_pencil", rng)
            truths.append(ItemTruth(row.item_id, ((o.code, "light_pencil"),), "flag"))
    out = np.clip(pen.apply(page_img) * 255.0, 0, 255).astype(np.uint8)
    return out, truths


def filled_form(
    layout: Layout,
    answers: Mapping[str, int | None],
    *,
    dpi: float,
    rng: np.random.Generator,
    second_marks: Mapping[str, int] | None = None,
) -> list[GrayImage]:
    """Every page of a form with one clear mark per answer, as a clean scan at
    ``dpi`` would see it. ``second_marks`` adds another mark to those items (two
    answers: a reader must send them to a person)."""
    images = []
    for page, rendered in zip(layout.pages, render_pages(layout, dpi), strict=True):
        filled, _ = fill_page(rendered, page, dpi, rng, answers=answers)
        on_page = {r.item_id for r in page.items}
        extra = {k: v for k, v in (second_marks or {}).items() if k in on_page}
        if extra:
            again = (filled / 255.0).astype(np.float32)
            filled, _ = fill_page(again, page, dpi, rng, answers=extra)
        images.append(filled)
    return images


def pages_pdf(images: Sequence[GrayImage], dpi: float) -> bytes:
    """Page images as one PDF, like an office scanner's output."""
    from PIL import Image

    pil = [Image.fromarray(img).convert("L") for img in images]
    buf = io.BytesIO()
    pil[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pil[1:])
    return buf.getvalue()


SCENARIOS: dict[str, Degradation] = {
    "clean": lambda im, r: im,
    "rotate_4": lambda im, r: rotate(im, 4 * r.choice([-1, 1])),
    "rotate_10": lambda im, r: rotate(im, 10 * r.choice([-1, 1])),
    "rotate_90": lambda im, r: rot90(im, 1),
    "rotate_180_skew_2": lambda im, r: rotate(rot90(im, 2), 2.0),
    "keystone_5": lambda im, r: keystone(im, 0.05),
    "keystone_10": lambda im, r: keystone(im, 0.10),
    "blur_2px": lambda im, r: blur(im, 2.0),
    "motion_blur_7px": lambda im, r: motion_blur(im, 7),
    "jpeg_20": lambda im, r: jpeg(im, 20),
    "low_res_100dpi": lambda im, r: resample(im, 0.5),
    "uneven_light": lambda im, r: light(im, r, 0.6),
    "hard_shadow": lambda im, r: shadow(im, r, 0.5, 0),
    "soft_shadow": lambda im, r: shadow(im, r, 0.55, 30),
    "noise": lambda im, r: noise(im, r, 12),
    "photocopy": photocopy,
    "phone_good": lambda im, r: phone(im, r, 1),
    "phone_typical": lambda im, r: phone(im, r, 2),
    "phone_bad": lambda im, r: phone(im, r, 3),
    # Paper as it really arrives (simulate_damage; docs/paper.md "Test support").
    "folded_thirds": lambda im, r: fold(im, r, (1 / 3, 2 / 3)),
    "folded_half": lambda im, r: fold(im, r, (1 / 2,)),
    "coffee_ring": coffee_ring,
    "water_stain": water_stain,
    "fax": fax,
    "desk_photo": desk_photo,
    "written_notes": written_notes,
    "upside_down_low_res": lambda im, r: jpeg(
        resample(rotate(rot90(im, 2), float(r.uniform(-1.5, 1.5))), 0.45), 60
    ),
    "corner_torn": tear_corner,
    "stapled": staple,
    "folded_photo": folded_photo,
}
"""Named degradations (applied to a 200-dpi page unless stated). The first 19 are
what scanners and cameras do to a flat page; the rest are damage the paper itself
brings (folds, stains, a fax, a desk, notes, a tear, a staple)."""
