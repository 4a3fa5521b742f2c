"""What a translation costs a page: applying the Welsh life ladder to its definition
(done once per page a Welsh speaker reads, decision 0028) and laying out its printed
form, against the English.

Run from the repository root:
    .venv/bin/python benchmarks/scoring/bench_translation.py
"""

from __future__ import annotations

import timeit

from openproms.paper import FormContext, make_layout
from openproms.scoring import get_measure
from openproms.scoring.translations import definition_translated, shipped_translation

LADDER = get_measure("openproms_life_ladder", "1")
WELSH_DOC = shipped_translation("openproms_life_ladder", "1", "cy") or {}


def _best(stmt, number: int) -> float:  # type: ignore[no-untyped-def]
    return min(timeit.repeat(stmt, number=number, repeat=5)) / number


def main() -> None:
    translate = _best(
        lambda: definition_translated(LADDER, WELSH_DOC, language="cy"), 200
    )
    welsh = definition_translated(LADDER, WELSH_DOC, language="cy")
    context = FormContext("Test Org", "AB 0001", "tok")
    english_layout = _best(lambda: make_layout(LADDER, "standard", context), 20)
    welsh_layout = _best(lambda: make_layout(welsh, "standard", context), 20)
    print(f"apply the Welsh translation: {translate * 1e3:.2f} ms per page")
    print(f"lay out the English form: {english_layout * 1e3:.1f} ms")
    print(f"lay out the Welsh form: {welsh_layout * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
