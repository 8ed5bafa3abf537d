"""What cnrs-kg needs from an RDF store (``Backend``), and the values its writes return.

``graph.store.OxigraphStore`` implements it; a remote SPARQL endpoint could too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from graph.meta import Bookkeeping
from graph.produce import Producer

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


@dataclass(frozen=True)
class GraphChange:
    """What replacing one graph did: statement counts before and after, quads added and removed."""

    graph: str
    before: int
    after: int
    added: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class GraphContent:
    """The full new content of one named graph; ``producer``, if any, makes the same statements in
    another process (``graph.produce``), which a store may use to write a graph that was empty."""

    graph: ox.NamedNode
    triples: Iterable[ox.Triple]
    producer: Producer | None = None


@dataclass(frozen=True)
class GraphPatch:
    """A change to one named graph: every statement about ``subjects`` removed and the statements
    ``removed``, then ``triples`` added, and ``lines``: more statements as N-Triples lines (each
    ending with a newline), for millions of them (parsed by the store, not built one Python object at
    a time)."""

    graph: ox.NamedNode
    subjects: Sequence[ox.NamedNode]
    triples: Iterable[ox.Triple] = ()
    lines: Iterable[str] = ()
    removed: Iterable[ox.Triple] = ()


@dataclass(frozen=True)
class Commit:
    """A committed write: the store's generation after it, and when it committed."""

    generation: int
    modified: str


@dataclass(frozen=True)
class StoreState:
    """What a store holds, read from its bookkeeping and counts (no scan)."""

    generation: int
    modified: str | None
    graphs: int
    statements: int


class Queryable(Protocol):
    """Anything that answers SPARQL queries: the store itself, or the server's pool of query workers."""

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graphs: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query over the union of graphs (or the dataset given); ``QueryError`` if bad,
        ``QueryTimeout`` if over a time budget, ``ResultTooLarge`` if over a row cap."""
        ...


@runtime_checkable
class Backend(Queryable, Protocol):
    """What cnrs-kg needs from an RDF store: queries, and the writes and reads of whole graphs."""

    generation: int

    def replace_graphs(
        self, contents: Sequence[GraphContent], *, derived: Mapping[str, int] | None = None
    ) -> list[GraphChange]:
        """Replace each graph's content, all of them in one transaction; ``derived`` records, per
        derived graph, the generation of the sources it was computed from (``graph.meta``)."""
        ...

    def patch_graphs(self, patches: Iterable[GraphPatch], *, derived: Mapping[str, int]) -> list[GraphChange]:
        """Apply large changes to derived graphs in bounded memory, in several transactions.

        Before the first, the ``derived`` graphs are recorded as derived from nothing known (so a
        patch cut short leaves them reported stale); after the last, as derived from ``derived``.
        """
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Statements per named graph."""
        ...

    def has_graph(self, graph: ox.NamedNode) -> bool:
        """Whether the store holds ``graph``, empty or not (the Graph Store protocol's 404 or 200)."""
        ...

    def bookkeeping(self) -> Bookkeeping:
        """The store's generation and what each write changed (``graph.meta``)."""
        ...

    def match(
        self,
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.Literal | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching a pattern, in one graph or all (a triple in two graphs comes twice)."""
        ...

    def close(self) -> None: ...


def backend_behind(queries: Queryable) -> Backend | None:
    """The store behind ``queries``: itself, or the store a wrapper holds (the server's pool of query
    workers names it ``store``; a request's recording of its queries names what it wraps ``inner``)."""
    candidate: object = queries
    for _ in range(4):
        if isinstance(candidate, Backend):
            return candidate
        candidate = getattr(candidate, "store", None) or getattr(candidate, "inner", None)
    return None
