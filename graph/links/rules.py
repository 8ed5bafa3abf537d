"""The counting rules of the network, one work at a time (the package docstring states them):
``Hierarchy`` (the parents of each organisation and the years each edge holds) and ``count_work``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations, product

import pyoxigraph as ox

from graph import sparql
from graph.backend import Queryable
from graph.links.queries import COUNTRY, INST, INST_COUNTRY, hierarchy_query


@dataclass
class Tally:
    full: int = 0
    fractional: float = 0.0
    internal: bool = False
    first: int = 0
    last: int = 0


Key = tuple[str, str, str]  # kind, source IRI, target IRI


@dataclass
class Hierarchy:
    """Parents of each organisation, with the years each edge holds (from the child's dates)."""

    parents: dict[str, list[tuple[str, int | None, int | None]]] = field(default_factory=dict)
    _cache: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)

    def ancestors(self, org: str, when: int) -> frozenset[str]:
        key = (org, when)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        found: set[str] = set()
        stack = [org]
        while stack:
            node = stack.pop()
            for parent, start, end in self.parents.get(node, ()):
                if (start is None or start <= when) and (end is None or when <= end) and parent not in found:
                    found.add(parent)
                    stack.append(parent)
        found.discard(org)
        result = self._cache[key] = frozenset(found)
        return result


def read_hierarchy(store: Queryable) -> Hierarchy:
    """Every edge of the hierarchy, with the years it holds (the child's dates)."""
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
    return hierarchy


def _years(facts: sparql.Facts, tag: str) -> list[int | None]:
    """The years of the dates ``tag`` (None for one without a year), or [None] (no bound) without any."""
    return [int(d[:4]) if d[:4].isdigit() else None for d in facts.get(tag)] or [None]


def _add(table: dict[Key, Tally], key: Key, weight: float, internal: bool = False) -> None:
    tally = table.get(key)
    if tally is None:
        tally = table[key] = Tally()
    tally.full += 1
    tally.fractional += weight
    tally.internal = tally.internal or internal


def count_work(
    table: dict[Key, Tally],
    when: int,
    affiliations: set[str],
    countries: set[str],
    home: dict[str, set[str]],
    hierarchy: Hierarchy,
) -> None:
    """Add one work's links of one year to ``table`` (see the module docstring for the rules)."""
    reach: dict[str, set[str]] = defaultdict(set)  # organisation -> affiliations it is reached from
    ancestors: dict[str, frozenset[str]] = {}
    for inst in affiliations:
        ancestors[inst] = hierarchy.ancestors(inst, when)
        reach[inst].add(inst)
        for parent in ancestors[inst]:
            reach[parent].add(inst)
    if len(affiliations) >= 2:
        weight = 1.0 / (len(affiliations) - 1)
        for a, b in combinations(sorted(reach), 2):
            ra, rb = reach[a], reach[b]
            if len(ra | rb) < 2 or (len(ra) == 1 and ra == rb):
                continue  # both ends reached from one single affiliation: not a co-publication
            internal = b in hierarchy.ancestors(a, when) or a in hierarchy.ancestors(b, when)
            _add(table, (INST, a, b), weight, internal)
    for inst in reach:
        own = home.get(inst, set())
        others = countries - own
        for country in others:
            _add(table, (INST_COUNTRY, inst, country), 1.0 / len(others))
    if len(countries) >= 2:
        weight = 1.0 / (len(countries) - 1)
        for a, b in combinations(sorted(countries), 2):
            _add(table, (COUNTRY, a, b), weight)
