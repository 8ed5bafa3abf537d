"""The store behind cnrs-kg, and the small interface later backends implement.

``Backend`` is what the loaders, the CLI and the API rely on; ``OxigraphStore`` is the embedded
implementation on disk. A remote SPARQL endpoint can implement the same protocol.

Every query runs with the union of the named graphs as its default graph, so facts are found
whatever their source; ``GRAPH ?g`` still tells which source says what.

Replacing sources' graphs is atomic and writes only the difference: the new content is read in
full first (a bad record raises before anything is written), compared with each graph's current
content, and the quads to remove and to add are applied in a single SPARQL update, which Oxigraph
runs as one transaction. Reloading an unchanged source writes nothing.

Sources too large to diff in memory (over ``inline_limit`` quads in one call) go through staging
graphs instead: bulk-written, then folded into the live graphs by one DELETE/INSERT update. A
failure before that update drops the staging graphs and leaves the live ones as they were; a
staging graph left by a crash is dropped the next time the store is opened for writing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from platformdirs import user_data_dir

from graph.errors import QueryError, StoreLockedError, StoreOpenError
from ontology.iris import GRAPH

STORE_ENV = "CNRS_KG_STORE"
STAGING_PREFIX = GRAPH + "_staging/"

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


class Backend(Protocol):
    """What cnrs-kg needs from an RDF store."""

    def query(
        self, sparql: str, *, substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryResult:
        """Run a SPARQL query over the union of graphs; raise ``QueryError`` on a bad query."""
        ...

    def replace_graphs(self, contents: Sequence[GraphContent]) -> list[GraphChange]:
        """Replace each graph's content, all of them in one transaction."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Statements per named graph."""
        ...

    def close(self) -> None: ...


class OxigraphStore:
    """An embedded Oxigraph store on disk (or in memory when ``path`` is None)."""

    def __init__(
        self, path: Path | str | None = None, *, read_only: bool = False, inline_limit: int = 2_000_000
    ) -> None:
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        self.inline_limit = inline_limit
        self._staging: set[str] = set()
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
            self._drop_stale_staging()

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store, for benchmarks and bulk tools."""
        return self._store

    def _drop_stale_staging(self) -> None:
        for graph in list(self._store.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(STAGING_PREFIX):
                self._store.remove_graph(graph)

    def query(
        self, sparql: str, *, substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryResult:
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        try:
            if self._staging:
                graphs = [
                    g
                    for g in self._store.named_graphs()
                    if not (isinstance(g, ox.NamedNode) and g.value in self._staging)
                ]
                return self._store.query(sparql, default_graph=graphs, substitutions=subs or None)  # type: ignore[arg-type]
            return self._store.query(sparql, use_default_graph_as_union=True, substitutions=subs or None)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"SPARQL evaluation error: {exc}") from exc

    def update(self, sparql: str) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc

    def replace_graphs(self, contents: Sequence[GraphContent]) -> list[GraphChange]:
        materialised = [(content.graph, list(dict.fromkeys(content.triples))) for content in contents]
        if sum(len(triples) for _, triples in materialised) > self.inline_limit:
            return self._replace_via_staging(materialised)
        changes: list[GraphChange] = []
        operations: list[str] = []
        for graph, triples in materialised:
            current = {quad.triple for quad in self._store.quads_for_pattern(None, None, None, graph)}
            wanted = set(triples)
            added = [t for t in triples if t not in current]
            removed = [t for t in current if t not in wanted]
            changes.append(GraphChange(graph.value, len(current), len(wanted), len(added), len(removed)))
            if removed:
                operations.append(f"DELETE DATA {{ GRAPH {graph} {{ {_ntriples(removed)} }} }}")
            if added:
                operations.append(f"INSERT DATA {{ GRAPH {graph} {{ {_ntriples(added)} }} }}")
            if not wanted and self._store.contains_named_graph(graph):
                operations.append(f"DROP SILENT GRAPH {graph}")
        if operations:
            self._store.update(" ;\n".join(operations))
        return changes

    def _replace_via_staging(self, materialised: list[tuple[ox.NamedNode, list[ox.Triple]]]) -> list[GraphChange]:
        staged: list[tuple[ox.NamedNode, ox.NamedNode]] = []
        try:
            for graph, triples in materialised:
                staging = ox.NamedNode(f"{STAGING_PREFIX}{uuid.uuid4().hex}")
                self._staging.add(staging.value)
                staged.append((graph, staging))
                self._store.add_graph(staging)
                self._store.bulk_extend(_in_graph(triples, staging))
            changes = [self._diff(graph, staging) for graph, staging in staged]
            self._store.update(" ;\n".join(_FOLD.format(graph=g, staging=s) for g, s in staged))
            for (graph, triples), change in zip(materialised, changes, strict=True):
                if not triples and change.before:
                    self._store.remove_graph(graph)
            return changes
        finally:
            for _, staging in staged:
                if self._store.contains_named_graph(staging):
                    self._store.remove_graph(staging)
                self._staging.discard(staging.value)

    def _count(self, graph: ox.NamedNode) -> int:
        return _int(self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    def _diff(self, graph: ox.NamedNode, staging: ox.NamedNode) -> GraphChange:
        before = self._count(graph)
        after = self._count(staging)
        added = _int(
            self._store.query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {staging} {{ ?s ?p ?o }}"
                f" FILTER NOT EXISTS {{ GRAPH {graph} {{ ?s ?p ?o }} }} }}"
            )
        )
        return GraphChange(graph.value, before, after, added, before - (after - added))

    def graph_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        result = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            g, n = row["g"], row["n"]
            if isinstance(g, ox.NamedNode) and not g.value.startswith(STAGING_PREFIX) and isinstance(n, ox.Literal):
                sizes[g.value] = int(n.value)
        return dict(sorted(sizes.items()))

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))

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


# Folds a staging graph into its live graph: removes what the staging graph lacks, adds what it has new.
_FOLD = """DELETE {{ GRAPH {graph} {{ ?ds ?dp ?do }} }} INSERT {{ GRAPH {graph} {{ ?is ?ip ?io }} }} WHERE {{
  {{ GRAPH {graph} {{ ?ds ?dp ?do }} FILTER NOT EXISTS {{ GRAPH {staging} {{ ?ds ?dp ?do }} }} }}
  UNION {{ GRAPH {staging} {{ ?is ?ip ?io }} FILTER NOT EXISTS {{ GRAPH {graph} {{ ?is ?ip ?io }} }} }}
}}"""


def _ntriples(triples: Iterable[ox.Triple]) -> str:
    """Triples as N-Triples statements, which are valid SPARQL ``DATA`` blocks (terms are escaped by pyoxigraph)."""
    return " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)


def _in_graph(triples: Iterable[ox.Triple], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, graph)


def _int(result: QueryResult) -> int:
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        value = row[0]
        return int(value.value) if isinstance(value, ox.Literal) else 0
    return 0
