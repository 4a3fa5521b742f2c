"""What a printed form's QR code says (:class:`Payload`): the layout version, the
measure and its version, the variant, the page, the page count, the page's
geometry fingerprint and the opaque token; and reading it back
(:func:`parse_payload`). The layout (layout.py) writes it; the reader refuses a
page whose payload it cannot parse or whose layout it cannot rebuild."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Variant = Literal["standard", "large_print", "blank", "blank_large_print"]
VARIANTS: tuple[Variant, ...] = (
    "standard",
    "large_print",
    "blank",
    "blank_large_print",
)
VARIANT_CODES: dict[Variant, str] = {
    "standard": "S",
    "large_print": "L",
    "blank": "B",
    "blank_large_print": "BL",
}
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Payload:
    """What the QR code says: enough to rebuild the page layout, and the token."""

    version: int
    measure_key: str
    variant: Variant
    page: int
    count: int
    fingerprint: str
    token: str | None

    def encode(self) -> str:
        return "|".join(
            [
                f"OPF{self.version}",
                self.measure_key,
                VARIANT_CODES[self.variant],
                str(self.page),
                str(self.count),
                self.fingerprint,
                self.token or "",
            ]
        )


def parse_payload(text: str) -> Payload | None:
    """Parse a QR payload; None when it is not an openproms form code."""
    parts = text.split("|")
    if len(parts) != 7 or not parts[0].startswith("OPF"):
        return None
    ver, key, vcode, page, count, fp, token = parts
    variants = {v: k for k, v in VARIANT_CODES.items()}
    try:
        version = int(ver[3:])
        p, c = int(page), int(count)
    except ValueError:
        return None
    if vcode not in variants or not 1 <= p <= c or "@" not in key:
        return None
    if token and not TOKEN_RE.match(token):
        return None
    return Payload(version, key, variants[vcode], p, c, fp, token or None)
