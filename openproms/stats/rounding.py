"""Numbers rounded for people to read: the one rounding every report shares.

``round(-0.04, 1)`` is ``-0.0`` in floating point, which a page, a CSV or a
spreadsheet shows as "-0.0": a change that reads as a (tiny) worsening when the
figure is nothing at all. Every figure a report shows is rounded here, so that a
rounded zero is always plain 0.
"""

from __future__ import annotations


def rounded(value: float, places: int) -> float:
    """``value`` rounded to ``places`` decimal places (Python's round half to
    even), with a negative zero made 0.0: ``-0.0 + 0.0`` is ``+0.0`` under IEEE
    754, and adding 0.0 changes no other number."""
    return float(round(value, places)) + 0.0


def fixed(value: float, places: int) -> str:
    """``value`` as text with exactly ``places`` decimals, never "-0.00"."""
    return f"{rounded(value, places):.{places}f}"
