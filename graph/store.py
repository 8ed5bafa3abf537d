"""The store behind cnrs-kg, and the small interface later backends implement.

``Backend`` is what the loaders, the CLI and the API rely on; ``OxigraphStore`` is the embedded
implementation on disk. A remote SPARQL endpoint can implement the same protocol.

Every query runs with the union of the named graphs as its default graph, so facts are found
whatever their source; ``GRAPH ?g`` still tells which source says what.

Replacing sources' graphs is all-or-nothing and writes only the difference:

- a graph that holds data is compared with its new content in memory (read in full first, so a
  bad record raises before anything is written), and the quads to remove and to add are applied
  by one SPARQL update, which Oxigraph runs as one transaction; that update also clears the journal;
- a graph that is empty (a first load) is streamed straight into the store under an entry in a
  journal graph, never held in memory whole; a failure while streaming undoes it.

Until that update commits, the bulk-written graphs are hidden from queries in this process, and a
store opened after a crash drops every graph still in the journal (they were empty before), so a
killed writer leaves the store as it was. Reloading an unchanged source writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from platformdirs import user_data_dir

from graph.errors import QueryError, StoreLockedError, StoreOpenError
from ontology.iris import GRAPH

STORE_ENV = "CNRS_KG_STORE"
JOURNAL = ox.NamedNode(GRAPH + "_journal")
PENDING = ox.NamedNode(GRAPH + "_journal#pending")

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def default_store_path() -> Path:
    """``$CNRS_KG_STORE`` if set, else ``store`` in the user's data directory."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env)
    return Path(user_data_dir("cnrs-kg", appauthor=False)) / "store"


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
    """The full new content of one named graph."""

    graph: ox.NamedNode
    triples: Iterable[ox.Triple]


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


class Backend(Queryable, Protocol):
    """What cnrs-kg needs from an RDF store: queries, and the writes and reads of whole graphs."""

    def replace_graphs(self, contents: Sequence[GraphContent]) -> list[GraphChange]:
        """Replace each graph's content, all of them in one transaction."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Statements per named graph."""
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


class OxigraphStore:
    """An embedded Oxigraph store on disk (or in memory when ``path`` is None)."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        self.generation = 0  # counts writes, so that readers in other processes know to reopen
        self._pending: set[ox.NamedNode] = set()
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                if not self.path.exists():
                    raise StoreOpenError(str(self.path), "no store there; run 'cnrs-kg load --bundled' first")
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            message = str(exc)
            if "lock" in message.lower():
                raise StoreLockedError(str(self.path)) from exc
            raise StoreOpenError(str(self.path), message) from exc
        if not read_only:
            self._recover()
        elif self._store.contains_named_graph(JOURNAL):
            # A writer crashed, or is writing now: its half-written graphs stay out of sight.
            self._pending = self._journaled()

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store, for benchmarks and bulk tools."""
        return self._store

    def _recover(self) -> None:
        """Drop the graphs a crashed load was writing (they were empty before it started)."""
        if not self._store.contains_named_graph(JOURNAL):
            return
        for graph in self._journaled():
            self._store.remove_graph(graph)
        self._store.remove_graph(JOURNAL)

    def _journaled(self) -> set[ox.NamedNode]:
        quads = self._store.quads_for_pattern(None, PENDING, None, JOURNAL)
        return {q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graphs: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Evaluate ``sparql`` over the union of graphs, or over the dataset the caller names.

        ``default_graphs`` / ``named_graphs`` are the SPARQL protocol's ``default-graph-uri`` and
        ``named-graph-uri``: when either is given, the default graph is the merge of
        ``default_graphs`` (empty if None) and the named graphs are ``named_graphs`` (none if None).
        """
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        try:
            if default_graphs is not None or named_graphs is not None:
                return self._store.query(
                    sparql,
                    base_iri=base_iri,
                    default_graph=list(default_graphs or []),
                    named_graphs=list(named_graphs or []),
                    substitutions=subs or None,  # type: ignore[arg-type]
                )
            if self._pending:
                hidden = self._pending | {JOURNAL}
                graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
                    g for g in self._store.named_graphs() if g not in hidden
                ]
                return self._store.query(
                    sparql,
                    base_iri=base_iri,
                    default_graph=graphs,
                    substitutions=subs or None,  # type: ignore[arg-type]
                )
            return self._store.query(
                sparql,
                base_iri=base_iri,
                use_default_graph_as_union=True,
                substitutions=subs or None,  # type: ignore[arg-type]
            )
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"SPARQL evaluation error: {exc}") from exc

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update in one transaction; ``QueryError`` if it is malformed or fails."""
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"SPARQL update error: {exc}") from exc
        finally:
            self.generation += 1

    def drop_graph(self, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
        """Remove a named graph (or empty the default graph); False if there was no such named graph."""
        try:
            if isinstance(graph, ox.DefaultGraph):
                self._store.clear_graph(graph)
                return True
            if not self._store.contains_named_graph(graph):
                return False
            self._store.remove_graph(graph)
            return True
        finally:
            self.generation += 1

    def replace_graphs(self, contents: Sequence[GraphContent]) -> list[GraphChange]:
        names = [content.graph for content in contents]
        if len(set(names)) != len(names):
            raise ValueError("a graph appears twice in one replacement")
        changes: dict[ox.NamedNode, GraphChange] = {}
        operations: list[str] = []
        fresh: list[GraphContent] = []
        for content in contents:
            graph = content.graph
            current = {quad.triple for quad in self._store.quads_for_pattern(None, None, None, graph)}
            if not current:
                fresh.append(content)  # streamed, never held in memory whole
                continue
            triples = list(dict.fromkeys(content.triples))
            wanted = set(triples)
            added = [t for t in triples if t not in current]
            removed = [t for t in current if t not in wanted]
            changes[graph] = GraphChange(graph.value, len(current), len(wanted), len(added), len(removed))
            if any(_has_blank_node(t) for t in removed):
                # SPARQL cannot name a stored blank node: rewrite the whole graph, still in the one update.
                operations.append(f"DROP SILENT GRAPH {graph}")
                operations.append(f"INSERT DATA {{ GRAPH {graph} {{ {_ntriples(triples)} }} }}")
                continue
            if removed:
                operations.append(f"DELETE DATA {{ GRAPH {graph} {{ {_ntriples(removed)} }} }}")
            if added:
                operations.append(f"INSERT DATA {{ GRAPH {graph} {{ {_ntriples(added)} }} }}")
            if not wanted:
                operations.append(f"DROP SILENT GRAPH {graph}")
        try:
            if fresh:
                self._write_fresh(fresh)
                operations.append(f"DROP SILENT GRAPH {JOURNAL}")
            if operations:
                self._store.update(" ;\n".join(operations))
        except BaseException:
            self._recover()
            raise
        finally:
            self._pending = set()
            self.generation += 1
        for content in fresh:
            after = self._count(content.graph)
            changes[content.graph] = GraphChange(content.graph.value, 0, after, after, 0)
            if not after and self._store.contains_named_graph(content.graph):
                self._store.remove_graph(content.graph)
        return [changes[graph] for graph in names]

    def _write_fresh(self, fresh: list[GraphContent]) -> None:
        """Bulk-write graphs that were empty, journaled so that a failure before the commit undoes them."""
        self._pending.update(content.graph for content in fresh)
        self._store.extend([ox.Quad(c.graph, PENDING, ox.Literal("loading"), JOURNAL) for c in fresh])
        self._store.bulk_extend(quad for content in fresh for quad in _in_graph(content.triples, content.graph))

    def _count(self, graph: ox.NamedNode) -> int:
        result = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        assert isinstance(result, ox.QuerySolutions)
        return next(int(row["n"].value) for row in result)

    def graph_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        result = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            g, n = row["g"], row["n"]
            if isinstance(g, ox.NamedNode) and g != JOURNAL and isinstance(n, ox.Literal):
                sizes[g.value] = int(n.value)
        return dict(sorted(sizes.items()))

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def match(
        self,
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.Literal | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        hidden = self._pending | {JOURNAL}
        for quad in self._store.quads_for_pattern(subject, predicate, obj, graph):
            if quad.graph_name not in hidden:
                yield quad

    def flush(self) -> None:
        if not self.read_only and self.path is not None:
            self._store.flush()

    def close(self) -> None:
        self.flush()
        del self._store

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _ntriples(triples: Iterable[ox.Triple]) -> str:
    """Triples as N-Triples statements, which are valid SPARQL ``DATA`` blocks (terms are escaped by pyoxigraph)."""
    return " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)


def _in_graph(triples: Iterable[ox.Triple], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, graph)
