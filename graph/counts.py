"""Statistics of each named graph (what VoID reports), counted when the graph is written.

A graph's statistics are its statements, the entities of each class it types and the predicates
it uses. The store counts them right after each commit, for the graphs the write changed only, and
keeps them in ``COUNTS_FILE`` in the store directory with the generation they reflect (replaced
atomically). A store opened after a crash between a commit and that file counts again the graphs
changed since (the bookkeeping says which), so the figures are never those of another state.

>>> stats = GraphStats(3, {"http://www.w3.org/ns/org#Organization": 1}, ("http://www.w3.org/2000/01/rdf-schema#label",))
>>> GraphStats.from_json(stats.to_json()) == stats
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.sparql import bind

COUNTS_FILE = "cnrs-kg-counts.json"

# The graph is written into the text (``bind``), not substituted: pyoxigraph 0.5 substitutes only
# variables of the projection.
PREDICATES = "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH __GRAPH__ { ?s ?p ?o } } GROUP BY ?p"
CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH __GRAPH__ { ?s a ?c } FILTER(isIRI(?c)) } GROUP BY ?c"


@dataclass(frozen=True)
class GraphStats:
    """One graph's statements, entities per class (distinct typed subjects) and predicates."""

    triples: int
    classes: dict[str, int]
    predicates: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"triples": self.triples, "classes": self.classes, "predicates": list(self.predicates)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> GraphStats:
        triples, classes, predicates = data["triples"], data["classes"], data["predicates"]
        if not (isinstance(triples, int) and isinstance(classes, dict) and isinstance(predicates, list)):
            raise ValueError("not the statistics of a graph")
        return cls(triples, {str(c): int(n) for c, n in classes.items()}, tuple(str(p) for p in predicates))


def _rows(store: ox.Store, query: str, graph: ox.NamedNode) -> Iterable[tuple[str, int]]:
    result = store.query(bind(query, GRAPH=graph))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        term, n = row[0], row[1]
        if isinstance(term, ox.NamedNode) and isinstance(n, ox.Literal):
            yield term.value, int(n.value)


def count_graph(store: ox.Store, graph: ox.NamedNode) -> GraphStats | None:
    """The statistics of ``graph`` (two scans of that graph alone); None if it holds nothing."""
    predicates = dict(_rows(store, PREDICATES, graph))
    if not predicates:
        return None
    return GraphStats(sum(predicates.values()), dict(sorted(_rows(store, CLASSES, graph))), tuple(sorted(predicates)))


def load_counts(folder: Path | None) -> tuple[int, dict[str, GraphStats]] | None:
    """The generation and statistics the store directory's counts file holds; None if absent or unreadable."""
    if folder is None:
        return None
    try:
        data = json.loads((folder / COUNTS_FILE).read_text(encoding="utf-8"))
        return int(data["generation"]), {g: GraphStats.from_json(s) for g, s in data["graphs"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # counted again from the store


def save_counts(folder: Path | None, generation: int, graphs: dict[str, GraphStats]) -> None:
    """Replace the counts file at once (a reader sees the old file or the new, never half of one)."""
    if folder is None:
        return
    data = {"generation": generation, "graphs": {g: s.to_json() for g, s in sorted(graphs.items())}}
    temporary = folder / f".{COUNTS_FILE}.{os.getpid()}"
    try:
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, folder / COUNTS_FILE)
    except OSError:
        temporary.unlink(missing_ok=True)  # a full disk: the counts are made again at the next open
