"""What a store holds: statements per graph, entities per class, and the state of its writes.

``compute_stats`` is ``cnrs-kg stats`` (it scans for the entities per class); ``health`` is the
readiness part of ``/health``, read from the store's bookkeeping, maintained counts and index
lookups only (no scan), so it answers at once however large the store.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph.links import NetworkStatus, network_status
from graph.sparql import bind
from graph.store import Backend, OxigraphStore
from ontology import ONTOLOGY_GRAPH

# Entities per class, the ontology's own classes left out (``__ONTOLOGY__``: its graph).
CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?class }
  FILTER(?g != __ONTOLOGY__)
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""


@dataclass(frozen=True)
class Stats:
    graphs: dict[str, int]
    classes: dict[str, int]
    generation: int
    network: NetworkStatus

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


def compute_stats(store: Backend) -> Stats:
    classes: dict[str, int] = {}
    result = store.query(bind(CLASS_COUNTS, ONTOLOGY=ONTOLOGY_GRAPH))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        cls, n = row["class"], row["n"]
        if isinstance(cls, ox.NamedNode) and isinstance(n, ox.Literal):
            classes[cls.value] = int(n.value)
    return Stats(store.graph_sizes(), classes, store.generation, network_status(store))


def health(store: OxigraphStore) -> dict[str, object]:
    """Liveness and readiness: the write generation and time, the counts kept at write time, the
    derived network's state. No scan: the bookkeeping and counts are kept in memory, and the
    publication graphs are two index lookups (``graph.links.network_status``)."""
    state = store.state()
    network = network_status(store)
    report: dict[str, object] = {
        "status": "ok",
        "generation": state.generation,
        "last_write": state.modified,
        "graphs": state.graphs,
        "statements": state.statements,
        "network": {
            "stale": network.stale,
            "derived_from": network.derived_from,
            "publications": network.publications,
        },
    }
    if network.stale:
        report["warnings"] = [network.message]
    return report
