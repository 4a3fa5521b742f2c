"""The reader's per-item decisions on a small seeded sample of the benchmark corpus,
pinned: a change to the reader that changes any decision, code, confidence or
reason shows up here (benchmarks/omr/decisions_digest.py gives the same lines for
any sample; regenerate the pinned file with the command in its first line only
when the change is meant)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIGEST = ROOT / "benchmarks" / "omr" / "decisions_digest.py"
PINNED = Path(__file__).parent / "data" / "decisions_pinned.tsv"
SCENARIOS = ("clean", "hard_shadow", "photocopy", "phone_typical")
PAGES = 2


@pytest.fixture(scope="module")
def digest():
    spec = importlib.util.spec_from_file_location("decisions_digest", DIGEST)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _pinned() -> list[str]:
    lines = PINNED.read_text(encoding="utf-8").splitlines()
    return [ln for ln in lines if not ln.startswith(("#", "sha256 "))]


def test_decisions_on_the_seeded_sample_are_unchanged(digest):
    got = list(digest.decision_lines(SCENARIOS, pages=PAGES))
    want = _pinned()
    assert len(got) == len(want)
    changed = [(w, g) for w, g in zip(want, got, strict=True) if w != g]
    assert not changed, "decisions changed:\n" + "\n".join(
        f"- {w}\n+ {g}" for w, g in changed
    )


def test_the_sample_covers_accepted_and_checked_items():
    lines = _pinned()
    who = {ln.split("\t")[5] for ln in lines}
    scenarios = {ln.split("\t")[0] for ln in lines}
    assert who == {"auto", "person"}
    assert scenarios == set(SCENARIOS)
