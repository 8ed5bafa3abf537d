"""The counting rules of the network, one work at a time (the package docstring states them):
``Hierarchy`` (each organisation's parents, the years each edge holds, the years each parent existed;
the levels of an affiliation in a year) and ``count_work``."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations, product

import pyoxigraph as ox

from graph import sparql
from graph.backend import Queryable
from graph.links.queries import COUNTRY, INST, INST_COUNTRY, hierarchy_query

# The rules this module counts by (the package docstring states them), named in each network graph's
# description (``dcterms:conformsTo``): a network counted by other rules is reported stale and
# counted again. A change of what a work counts for takes a new number.
COUNTING_RULES = "https://w3id.org/cnrs-kg/rules/counting/2"


@dataclass
class Tally:
    full: int = 0
    fractional: float = 0.0
    internal: bool = False
    first: int = 0
    last: int = 0


Key = tuple[str, str, str]  # kind, source IRI, target IRI
Span = tuple[int | None, int | None]  # first and last year, None: unbounded


@dataclass(frozen=True)
class Levels:
    """An affiliation's levels in one year: ``steps[0]`` is the affiliation, ``steps[k + 1]`` the
    parents of ``steps[k]`` (a body without a parent that year stays itself), up to the first level
    that repeats one before it; ``whole`` is its organisation set, every level together."""

    steps: tuple[frozenset[str], ...]
    whole: frozenset[str]

    def at(self, level: int) -> frozenset[str]:
        return self.steps[min(level, len(self.steps) - 1)]


@dataclass
class Hierarchy:
    """Parents of each organisation, with the years each edge holds (from the child's dates), and
    the years each parent existed (from its own dates; a body without dates always did)."""

    parents: dict[str, list[tuple[str, int | None, int | None]]] = field(default_factory=dict)
    lifetimes: dict[str, Span] = field(default_factory=dict)
    _cache: dict[tuple[str, int], Levels] = field(default_factory=dict)

    def existed(self, org: str, when: int) -> bool:
        first, last = self.lifetimes.get(org, (None, None))
        return (first is None or first <= when) and (last is None or when <= last)

    def parents_in(self, org: str, when: int) -> list[str]:
        """The parents of ``org`` in year ``when``: the edge holds then, and the parent existed."""
        return [
            parent
            for parent, start, end in self.parents.get(org, ())
            if (start is None or start <= when) and (end is None or when <= end) and self.existed(parent, when)
        ]

    def levels(self, org: str, when: int) -> Levels:
        key = (org, when)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        steps = [frozenset((org,))]
        while True:
            above = frozenset(parent for node in steps[-1] for parent in (self.parents_in(node, when) or (node,)))
            if above in steps:  # no longer changes, or a cycle in the hierarchy came back
                break
            steps.append(above)
        result = self._cache[key] = Levels(tuple(steps), frozenset[str]().union(*steps))
        return result


def read_hierarchy(store: Queryable) -> Hierarchy:
    """Every edge of the hierarchy, with the years it holds (the child's dates) and the years its
    parent existed (the parent's)."""
    hierarchy = Hierarchy()
    result = store.query(sparql.PROLOGUE + hierarchy_query("every"))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        child, parent, text = row["child"], row["parent"], row["facts"]
        if isinstance(child, ox.NamedNode) and isinstance(parent, ox.NamedNode):
            facts = sparql.Facts.parse(text.value if isinstance(text, ox.Literal) else "")
            edges = hierarchy.parents.setdefault(child.value, [])
            for start, end in product(_years(facts, "start"), _years(facts, "end")):
                if (parent.value, start, end) not in edges:
                    edges.append((parent.value, start, end))
            hierarchy.lifetimes[parent.value] = _lifetime(facts)
    return hierarchy


def _years(facts: sparql.Facts, tag: str) -> list[int | None]:
    """The years of the dates ``tag`` (None for one without a year), or [None] (no bound) without any."""
    return [int(d[:4]) if d[:4].isdigit() else None for d in facts.get(tag)] or [None]


def _lifetime(facts: sparql.Facts) -> Span:
    """The parent's first and last year. Where its sources disagree, it existed whenever one says so:
    from the earliest start to the latest end."""
    starts, ends = _years(facts, "pstart"), _years(facts, "pend")
    first = None if None in starts else min(year for year in starts if year is not None)
    last = None if None in ends else max(year for year in ends if year is not None)
    return first, last


def _add(table: dict[Key, Tally], key: Key, weight: float, internal: bool = False) -> None:
    tally = table.get(key)
    if tally is None:
        tally = table[key] = Tally()
    tally.full += 1
    tally.fractional += weight
    tally.internal = tally.internal or internal


def _pair(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x < y else (y, x)


def ties(levels: dict[str, Levels]) -> dict[tuple[str, str], bool]:
    """One work's institution ties (ends in IRI order), each once, and whether it is internal.

    At level 0 every two affiliations are tied, internal when one is the other's ancestor (a lab with
    its own university on the byline). At a level k above, the bodies affiliation a reaches there
    and b's organisation set does not hold are tied to those b reaches there and a's set does not
    hold: never two bodies one affiliation reaches alone, never a body with one below it.
    """
    found: dict[tuple[str, str], bool] = {}
    for a, b in combinations(sorted(levels), 2):
        mine, theirs = levels[a], levels[b]
        found[(a, b)] = a in theirs.whole or b in mine.whole
        for level in range(1, max(len(mine.steps), len(theirs.steps))):
            ours_only, theirs_only = mine.at(level) - theirs.whole, theirs.at(level) - mine.whole
            for x, y in product(ours_only, theirs_only):
                found.setdefault(_pair(x, y), False)
    return found


def count_work(
    table: dict[Key, Tally],
    when: int,
    affiliations: set[str],
    countries: set[str],
    home: dict[str, set[str]],
    hierarchy: Hierarchy,
) -> None:
    """Add one work's links of one year to ``table`` (see the package docstring for the rules)."""
    levels = {inst: hierarchy.levels(inst, when) for inst in affiliations}
    if len(affiliations) >= 2:
        weight = 1.0 / (len(affiliations) - 1)
        for (a, b), internal in ties(levels).items():
            _add(table, (INST, a, b), weight, internal)
    credited = frozenset[str]().union(*(found.whole for found in levels.values()))
    for inst in credited:
        others = countries - home.get(inst, set())
        for country in others:
            _add(table, (INST_COUNTRY, inst, country), 1.0 / len(others))
    if len(countries) >= 2:
        weight = 1.0 / (len(countries) - 1)
        for a, b in combinations(sorted(countries), 2):
            _add(table, (COUNTRY, a, b), weight)
