"""A brute-force reader who combines every published count (decision 0015).

Each published count is the sum of the raw counts of some *atoms* (a day, a month, a
quarter, a service in a quarter), shown under a rule. The reader knows which atoms
each count covers and what it shows, and works out every raw vector consistent with
all of them at once (no shortcut arithmetic: it enumerates). A count of any union of
atoms is *pinned* when all those vectors give it the same value; the rules' promise
is that no such value is small (1 to 7 under the NHS rule, 1 to 9 under ONS).

Atoms only linked through shared counts are enumerated together (a component);
components are independent, so a union across them is pinned only if each part is.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence

import numpy as np

from openproms.stats import HIDDEN, Rule, protect_count

Atom = Hashable
Published = tuple[frozenset[Atom], object]  # (atoms it adds up, what is shown)
LIMIT = 120  # raw counts considered per atom (the tests use far smaller ones)
MAX_ROWS = 3_000_000


def preimage(shown: object, rule: Rule) -> tuple[int, int]:
    """The least and greatest raw count shown as ``shown`` (computed by brute
    force over the rule, which maps an interval to each shown value)."""
    if shown == HIDDEN:
        return 0, LIMIT
    values = [c for c in range(LIMIT + 5) if protect_count(c, rule) == shown]
    assert values, shown
    return min(values), max(values)


def _components(published: Sequence[Published]) -> list[list[Atom]]:
    parent: dict[Atom, Atom] = {}

    def find(a: Atom) -> Atom:
        while parent.setdefault(a, a) != a:
            a = parent[a]
        return a

    for atoms, _ in published:
        first, *rest = list(atoms)
        for other in rest:
            parent[find(other)] = find(first)
        find(first)
    groups: dict[Atom, list[Atom]] = {}
    for atom in parent:
        groups.setdefault(find(atom), []).append(atom)
    return list(groups.values())


def pinned_small(published: Sequence[Published], rule: Rule) -> dict[frozenset, int]:
    """Every union of atoms whose count all the published figures together pin to a
    single value from 1 to the rule's threshold minus 1."""
    bounds = [(atoms, *preimage(shown, rule)) for atoms, shown in published]
    found: dict[frozenset, int] = {}
    for component in _components(published):
        index = {atom: i for i, atom in enumerate(component)}
        lo = np.zeros(len(component), dtype=np.int64)
        hi = np.full(len(component), LIMIT, dtype=np.int64)
        mine = [(a, low, high) for a, low, high in bounds if next(iter(a)) in index]
        for atoms, low, high in mine:
            for atom in atoms:  # no atom exceeds a count it is part of
                hi[index[atom]] = min(hi[index[atom]], high)
            if len(atoms) == 1:
                lo[index[next(iter(atoms))]] = max(lo[index[next(iter(atoms))]], low)
        sizes = hi - lo + 1
        assert int(np.prod(sizes)) <= MAX_ROWS, "component too large to enumerate"
        grids = np.indices(tuple(int(s) for s in sizes)).reshape(len(sizes), -1).T
        rows = grids + lo
        keep = np.ones(len(rows), dtype=bool)
        for atoms, low, high in mine:
            total = rows[:, [index[a] for a in atoms]].sum(axis=1)
            keep &= (total >= low) & (total <= high)
        rows = rows[keep]
        assert len(rows), "the published figures contradict each other"
        # Atoms known to be 0 add nothing to a union: leave them out of the search.
        free = [i for i in range(len(component)) if rows[:, i].any()]
        assert len(free) <= 14, "too many unions to try"
        for size in range(1, len(free) + 1):
            for subset in itertools.combinations(free, size):
                sums = rows[:, list(subset)].sum(axis=1)
                value = int(sums[0])
                if 0 < value < rule.suppress_below and (sums == value).all():
                    found[frozenset(component[i] for i in subset)] = value
    return found


def publish(
    raw: dict[Atom, int], cells: Sequence[frozenset[Atom]], rule: Rule
) -> list[Published]:
    """Each cell controlled on its own raw count, as every report does."""
    return [(cell, protect_count(sum(raw[a] for a in cell), rule)) for cell in cells]
