"""Deciding (OMR step 6): each box's state from its measures, then the item's
decision (one answer, blank, several or uncertain), its confidence and the reason
in words a person reads.

Faint marks, ink outside boxes, poor registration and written numbers always go to
a person; a completely filled box next to another marked box is read as crossed
out (the form's printed instruction).
"""

from __future__ import annotations

from dataclasses import replace

from openproms.paper.layout import ItemRow
from openproms.paper.read_types import (
    BoxReading,
    BoxState,
    Decision,
    ItemReading,
    Measure,
    Thresholds,
)

BILEVEL_BLANK = (
    "no mark seen, but this page is black and white only (a photocopy or a 1-bit "
    "scan), where light pencil can vanish: check the paper"
)
"""Why a blank item on a black-and-white page goes to a person: a copier's or
scanner's threshold turns light pencil into white paper, so "no mark" cannot be
told from "a mark the copy lost" (benchmarks/README.md, photocopy)."""

COARSE_BILEVEL = (
    "this page is black and white at low resolution (a fax?), where a thin or a "
    "second mark can be lost or a filled box look crossed out: check the paper"
)
"""Why every item of a black-and-white page under :data:`COARSE_PPM` goes to a
person. At about 100 dpi a 1-bit threshold breaks thin pen strokes into specks
or loses them, and a fax's dropped scan lines move the page under the marks: on
300 faxed pages the reader accepted 463 of 1,431 items and 12 were wrong (two
marks read as one, a filled box read as crossed out, a circle read on another
label; benchmarks/README.md, "Fax at length"). A 200-dpi copy is read as usual
(30,665 items, no silent error)."""
COARSE_PPM = 5.0
"""Source pixels per page millimetre under which a black-and-white page is coarse
(5 px/mm is 127 dpi; a fax arrives at about 4, a copier's scan at 8 or more)."""


def to_person(item: ItemReading, why: str) -> ItemReading:
    """``item`` sent to a person for ``why``, what was read kept as the
    suggestion (its decision, code and the boxes to look at first)."""
    if item.needs_person and item.reason.startswith(why):
        return item
    read = "no mark seen" if item.reason == BILEVEL_BLANK else item.reason
    return replace(item, needs_person=True, reason=f"{why} (read: {read})")


def _clarity(x: float, lo: float, hi: float) -> float:
    """1 far from the doubtful band [lo, hi], 0.5 at its edge, < 0.5 inside."""
    if x <= lo:
        return min(1.0, 0.5 + 0.5 * (lo - x) / max(lo, 1e-6))
    if x >= hi:
        return min(1.0, 0.5 + 0.5 * (x - hi) / max(hi, 1e-6))
    mid = (lo + hi) / 2
    return 0.5 * abs(x - mid) / ((hi - lo) / 2)


def _below(x: float, lo: float) -> float:
    """1 at 0, 0.5 at ``lo``, falling to 0 at twice ``lo`` and beyond: the
    clarity of a measurement that is only ever doubtful upwards."""
    return min(1.0, max(0.0, 1.0 - 0.5 * x / max(lo, 1e-6)))


_DOUBT = {
    "faint": "faint mark",
    "ink_nearby": "ink near the box",
    "shadowed": "dark paper round the box: a shadow?",
    "missing": "box not on the page: torn off or covered?",
}
_SEEN = {
    "marked": "marked",
    "circled": "label circled",
    "cancelled": "filled in",
}
"""How a reason names the other marks seen on an item that goes to a person."""


def _decide(
    row: ItemRow,
    measures: list[Measure],
    base: float,
    peak_base: float,
    th: Thresholds,
    registration_ok: bool,
    registration_reason: str,
    bilevel: bool = False,
    missing: frozenset[int] = frozenset(),
) -> ItemReading:
    """The item's decision from its boxes' measures (:func:`_measure_row`, above
    the page's empty boxes: ``base`` for the mean, ``peak_base`` for the peak).

    ``missing``: codes of boxes whose printed outline is not on the page
    (:func:`~openproms.paper.read_measure._missing_boxes`): the item goes to a
    person, since a mark there would be lost with the box."""
    boxes: list[BoxReading] = []
    clar: list[float] = []
    for code, mean, ink, outside, peak, shade, noise, broad in measures:
        d = mean - base
        faint_stroke = peak - peak_base >= th.faint_peak
        state: BoxState
        if code in missing:
            state = "missing"
        elif shade >= th.shadow_paper:
            state = "shadowed"
        elif ink >= th.cancelled_ink and d >= th.cancelled_dark:
            state = "cancelled"
        elif (d >= th.marked and ink >= th.strong_ink) or (
            d >= th.faint and ink >= th.clear_ink
        ):
            state = "marked"
        elif d >= th.faint or faint_stroke:
            state = "faint"
        elif outside >= th.circle_mm2 and broad < th.circle_broad * outside:
            state = "circled"
        elif outside >= th.nearby_mm2:
            state = "ink_nearby"
        else:
            state = "empty"
        c = _clarity(d, th.faint, th.marked)
        if faint_stroke and state not in ("marked", "cancelled"):
            c = min(c, 0.4)
        if state == "marked":
            ways = []
            if d >= th.marked and ink >= th.strong_ink:
                # Dark enough, and enough strong ink that it is not light pencil.
                ways.append(min(c, _clarity(ink, th.strong_ink, th.sure_ink)))
            if d >= th.faint and ink >= th.clear_ink:
                ways.append(_clarity(ink, th.strong_ink, th.clear_ink))
            c = max(ways)
            if ink < th.pencil_ink and peak - peak_base < th.pencil_peak:
                c = min(c, 0.45)
        if state in ("empty", "circled", "ink_nearby"):
            c = min(c, _clarity(outside, th.nearby_mm2, th.circle_mm2))
            if not bilevel and code >= 0:
                # (A black-and-white page has no faint smears: its speckle would
                # only send clear items to a person. Digit boxes for a written
                # number are not measured against the paper round them.)
                c = min(c, _clarity(peak - peak_base, th.doubt_peak, th.faint_peak))
                if noise >= th.noise_floor:
                    c = min(c, _below(peak / noise, th.doubt_noise))
        clar.append(c)
        boxes.append(
            BoxReading(code, round(d, 4), round(ink, 3), round(outside, 2), state)
        )
    conf = float(min(clar)) if clar else 0.0
    crop = row.rect

    def result(
        decision: Decision,
        code: int | None,
        reason: str,
        cands: tuple[int, ...] = (),
        force_person: bool = False,
    ) -> ItemReading:
        accepted = (
            decision in ("answer", "blank") and conf >= th.accept and not force_person
        )
        if decision in ("answer", "blank") and not force_person and not accepted:
            reason = reason.replace("one clear mark", "one mark")
            reason += ", but a measurement is close to a threshold: a person checks"
        return ItemReading(
            row.item_id,
            row.number,
            decision,
            code,
            round(conf, 3),
            not accepted,
            reason,
            crop,
            tuple(boxes),
            cands,
        )

    if row.kind == "write_in":
        inked = [b for b in boxes if b.state != "empty"]
        if not inked:
            return result("blank", None, "no number written")
        return result(
            "uncertain", None, "written number: a person reads it", force_person=True
        )
    if not registration_ok:
        seen = tuple(b.code for b in boxes if b.state != "empty")
        return result("uncertain", None, registration_reason, seen, force_person=True)
    marked: list[BoxReading] = [b for b in boxes if b.state in ("marked", "circled")]
    cancelled = [b for b in boxes if b.state == "cancelled"]
    doubtful = [b for b in boxes if b.state in _DOUBT]
    cands = tuple(b.code for b in boxes if b.state != "empty")
    if doubtful:
        # Name every mark seen, not only the doubtful ones: the person weighs a faint
        # mark against a clear one beside it.
        what = ", ".join(f"{b.code} ({_DOUBT[b.state]})" for b in doubtful)
        others = [b for b in boxes if b.state in _SEEN]
        if others:
            what += "; also seen: " + ", ".join(
                f"{b.code} ({_SEEN[b.state]})" for b in others
            )
        return result("uncertain", None, f"not clear: {what}", cands, force_person=True)
    if len(marked) == 1 and (not cancelled or marked[0].state == "marked"):
        reason = "one clear mark"
        if marked[0].state == "circled":
            reason = "label circled"
        if cancelled:
            reason += f"; filled box{'es' if len(cancelled) > 1 else ''} "
            reason += ", ".join(str(b.code) for b in cancelled) + " read as crossed out"
            conf = min(conf, 0.9)
        return result("answer", marked[0].code, reason, cands)
    if not marked and len(cancelled) == 1:
        return result("answer", cancelled[0].code, "one filled box", cands)
    if not marked and not cancelled:
        if bilevel:
            return result("blank", None, BILEVEL_BLANK, force_person=True)
        return result("blank", None, "no mark")
    return result(
        "multiple",
        None,
        "more than one box marked: " + ", ".join(str(c) for c in cands),
        cands,
    )
