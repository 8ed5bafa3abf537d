"""Statements per graph and entities per class."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph.store import Backend

CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?class }
  FILTER(?g != <https://w3id.org/cnrs-kg/graph/ontology>)
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""


@dataclass(frozen=True)
class Stats:
    graphs: dict[str, int]
    classes: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


def compute_stats(store: Backend) -> Stats:
    classes: dict[str, int] = {}
    result = store.query(CLASS_COUNTS)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        cls, n = row["class"], row["n"]
        if isinstance(cls, ox.NamedNode) and isinstance(n, ox.Literal):
            classes[cls.value] = int(n.value)
    return Stats(store.graph_sizes(), classes)
