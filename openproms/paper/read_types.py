"""What the OMR reader gives back and the thresholds it decides by.

The canonical page scale (:data:`S`), the decision thresholds (:class:`Thresholds`,
set on the benchmark corpus and documented in docs/paper.md) and the readings of a
box, an item and a page. The steps that produce them are in ``read_find`` (finding
the page), ``read_align`` (aligning it), ``read_measure`` and ``read_bands``
(measuring boxes) and ``read_decide`` (deciding); ``read`` runs them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from openproms.paper.inputs import GrayImage
from openproms.paper.layout import Payload, Rect
from openproms.scoring import MeasureDefinition

S = 6.0
"""Pixels per millimetre of the canonical (aligned) page image."""
STRONG = 0.35
"""Darkness of a strongly inked pixel (pen, marker, pressed pencil; not a light
pencil mark, which stays below about 0.3)."""

Decision = Literal["answer", "blank", "multiple", "uncertain"]
BoxState = Literal[
    "empty",
    "marked",
    "faint",
    "cancelled",
    "circled",
    "ink_nearby",
    "shadowed",
    "missing",
]
PageStatus = Literal["read", "needs_identity", "rejected", "blank"]
FloatImage = npt.NDArray[np.float32]


def percentile(a: npt.NDArray[Any], q: int) -> npt.NDArray[Any]:
    """The ``q``th percentile over the last axis leaving NaN out (NaN where all
    are): exactly what ``np.nanpercentile(a, q, axis=-1)`` gives, and for an
    array with no NaN what ``np.percentile(a, q, axis=-1)`` gives (linear
    interpolation, done in ``a``'s own precision as NumPy does for a whole-number
    ``q``), without NumPy's per-slice cost on many small slices, or its fixed
    cost on one small array (tests/paper/test_percentile.py)."""
    s = np.sort(a, axis=-1)  # NaN sorts last
    n = np.sum(~np.isnan(a), axis=-1)
    at = (n - 1) * (q / 100.0)
    below = np.floor(at)
    last = at >= n - 1  # the largest value itself
    lo = np.clip(np.where(last, n - 1, below), 0, None).astype(np.intp)
    hi = np.clip(np.where(last, n - 1, below + 1), 0, None).astype(np.intp)
    gamma = at - np.where(last, -1, below)
    x = np.take_along_axis(s, lo[..., None], -1)[..., 0]
    y = np.take_along_axis(s, hi[..., None], -1)[..., 0]
    d = y - x
    near_hi = y - d * (1 - gamma).astype(a.dtype)
    near_lo = x + d * gamma.astype(a.dtype)
    out = np.where(gamma >= 0.5, near_hi, near_lo)
    return np.where(n > 0, out, np.nan).astype(a.dtype, copy=False)


Measure = tuple[int, float, float, float, float, float, float, float]
"""(code, mean, strong-ink share, unexplained ink mm2, peak, shade, paper noise,
the unexplained ink's part in broad areas mm2): see :func:`_measure_row`."""
Resolver = Callable[[Payload], MeasureDefinition]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds (darkness is 0 for paper, 1 for black ink).

    Box darkness is measured above the page's own empty-box level. Defaults were
    set on the benchmark corpus (benchmarks/omr) and are documented in docs/paper.md.
    """

    marked: float = 0.075
    """Mean darkness above which a box is marked."""
    faint: float = 0.028
    """Mean darkness above which a box is not clearly empty."""
    strong_ink: float = 0.02
    """Share of strongly inked pixels (darkness > 0.35) a marked box needs; a
    mark with less (light pencil) goes to a person however large it is."""
    faint_peak: float = 0.06
    """Peak smoothed darkness above the page's empty boxes that marks a box as
    not clearly empty (a thin light pencil stroke with little mean darkness)."""
    sure_ink: float = 0.04
    """Share of strongly inked pixels above which a box with a marked mean is
    surely not light pencil. Between ``strong_ink`` and this a person looks: sensor
    noise lifts a few light-pencil pixels over the strong level (a light pencil
    cross under noise reached 0.021 and was accepted)."""
    pencil_ink: float = 0.10
    """Share of strongly inked pixels under which a marked box may still be light
    pencil that noise or a phone's contrast lifted over the strong level (one,
    under a bad phone photo, had 4.8% and was accepted): see ``pencil_peak``."""
    pencil_peak: float = 0.32
    """Peak smoothed darkness (above the page's empty boxes) that a marked box with
    under ``pencil_ink`` strong ink needs to be accepted: light pencil peaked at
    up to 0.27 on phone photos, pen ticks and crosses at 0.28-0.48."""
    shadow_paper: float = 0.15
    """Darkness of broad areas of the paper round a box (see :func:`_local_paper`)
    from which the box is in a shadow the page's background did not divide out,
    and goes to a person (a soft shadow leaves about 0.06)."""
    doubt_peak: float = 0.04
    """Peak smoothed darkness from which an otherwise empty box is in doubt (up to
    ``faint_peak``): a light tick smeared by motion blur peaked at 0.057 and read
    as blank; empty boxes stay below 0.04 but for about 1 in 1,000 on bad phone
    photos, and a soft shadow band over a box leaves about 0.034."""
    doubt_noise: float = 2.5
    """Peak smoothed darkness above the paper round a box, in units of that
    paper's own noise (:func:`_local_paper`), from which an otherwise empty box
    is in doubt. On a phone photo half in shadow the page's empty boxes peak
    high (noise grows in shadow), which hid light pencil in the lit part:
    on 1,000 light-pencil pages, of 12 pencil items read as blank 10 had 2.5-4.9,
    while about 3 in 10,000 empty boxes of phone photos reached 2.5 (at most 2.8; a
    noisy scan's at most 1.8)."""
    noise_floor: float = 0.008
    """Least paper noise round a box from which :attr:`doubt_noise` applies.
    Scans without sensor noise measure none (most paper pixels are exactly white,
    even after JPEG or blur), and their darkness has no shadow-dependent noise
    for a page-wide level to misjudge; a soft shadow band's edge there peaks at up
    to 0.043 over no noise at all. Photos measure 0.009-0.04 (phone_typical's 1st
    percentile 0.0086), a noisy scan 0.017-0.019."""
    clear_ink: float = 0.06
    """Share of strongly inked pixels that marks a box even when its mean darkness
    is low (a thin slash)."""
    cancelled_ink: float = 0.9
    """Share of strongly inked pixels above which a box is filled in (a heavy
    cross in a thick pen, blurred, reaches about 0.8: it must stay "marked", or
    two crosses would read as a changed answer)."""
    cancelled_dark: float = 0.5
    """Mean darkness a filled-in box also needs."""
    circle_mm2: float = 7.0
    """Unexplained ink (mm2) in an option's column above which it counts as circled."""
    circle_broad: float = 0.5
    """Share of that ink in broad areas (kept through a 1.5 mm opening) from which
    it is not a circle but a stain's rim or a tide line crossing the column: a
    person looks ("ink near the box"). Pen circles, even blurred or photographed,
    keep at most 0.35 of their ink through the opening; a coffee ring's rim read
    as a circle round a label kept 0.77 (benchmarks/README.md, "coffee_ring at
    length")."""
    nearby_mm2: float = 1.6
    """Unexplained ink (mm2) above which a person should look."""
    registration_mm: float = 1.2
    """Worst corner-mark residual above which all answers go to a person."""
    row_match: float = 0.3
    """Lowest match of a row's printed boxes before its answers go to a person."""
    accept: float = 0.5
    """Lowest confidence accepted without a person."""
    print_seen: float = 0.2
    """Share of a box's printed outline (its darkness where the printed page is
    dark) below which the box is not on the page (a torn-off corner, a flap, a
    sticker over it): whatever was marked there is lost, so the item goes to a
    person. A blurred, faxed or copied outline keeps well over half."""


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class BoxReading:
    """Measurements of one answer box."""

    code: int
    darkness: float
    ink: float
    outside_mm2: float
    state: BoxState


@dataclass(frozen=True, slots=True)
class ItemReading:
    """The decision for one item.

    ``decision`` is "answer" (``code`` set), "blank", "multiple" or "uncertain";
    ``needs_person`` is True unless the decision was accepted automatically.
    ``crop`` is the item's row on the page, in page millimetres (use
    :meth:`PageReading.crop` or :meth:`PageReading.to_source` to show it).
    """

    item_id: str
    number: int
    decision: Decision
    code: int | None
    confidence: float
    needs_person: bool
    reason: str
    crop: Rect
    boxes: tuple[BoxReading, ...] = ()
    candidates: tuple[int, ...] = ()
    """Codes a person should look at first (the marked or doubtful boxes)."""


@dataclass(slots=True)
class PageReading:
    """One form page found in an input (or the reason none could be read)."""

    source: str
    index: int
    status: PageStatus
    reason: str | None = None
    payload: Payload | None = None
    items: tuple[ItemReading, ...] = ()
    registration_mm: float | None = None
    homography: tuple[float, ...] | None = None
    """Page mm -> source pixels (row-major 3x3), when registered."""
    rotation: int | None = None
    """Approximate rotation of the page in the input, degrees clockwise."""
    aligned: GrayImage | None = field(default=None, repr=False)
    """The page warped to 6 px/mm (kept only when asked)."""

    @property
    def token(self) -> str | None:
        return self.payload.token if self.payload else None

    @property
    def measure_key(self) -> str | None:
        return self.payload.measure_key if self.payload else None

    @property
    def page(self) -> int | None:
        return self.payload.page if self.payload else None

    @property
    def needs_person(self) -> bool:
        return self.status != "read" or any(i.needs_person for i in self.items)

    def answers(self) -> dict[str, int | None]:
        """Accepted answers (code, or None for an accepted blank)."""
        return {i.item_id: i.code for i in self.items if not i.needs_person}

    def to_source(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        """Map a page point (mm) to the input image's pixels."""
        if self.homography is None:
            raise ValueError("page was not registered")
        h = np.array(self.homography).reshape(3, 3)
        v = h @ np.array([x_mm, y_mm, 1.0])
        return (float(v[0] / v[2]), float(v[1] / v[2]))

    def crop(self, rect: Rect, pad_mm: float = 2.0) -> GrayImage:
        """The aligned image inside ``rect`` (needs ``keep_image=True``)."""
        if self.aligned is None:
            raise ValueError("read with keep_image=True to crop")
        r = rect.inset(-pad_mm)
        y0, y1 = max(0, int(r.y * S)), math.ceil(r.y1 * S)
        x0, x1 = max(0, int(r.x * S)), math.ceil(r.x1 * S)
        return self.aligned[y0:y1, x0:x1].copy()
