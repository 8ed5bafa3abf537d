"""The store behind cnrs-kg, and the small interface later backends implement.

``Backend`` (``graph.backend``, re-exported here) is what the loaders, the CLI and the API rely
on; ``OxigraphStore`` is the embedded implementation on disk. A remote SPARQL endpoint can
implement the same protocol.

Every query runs with the union of the named graphs as its default graph, so facts are found
whatever their source; ``GRAPH ?g`` still tells which source says what.

Every write is one transaction, and it carries the store's bookkeeping (``graph.meta``): the write
generation, incremented by each write and persisted with it, the graphs it changed, and, for a
write sent with an idempotency key, its receipt. So ``generation`` says which writes a store holds
after a crash, and a client can ask whether its write committed. The statistics of the changed
graphs (``graph.counts``) are counted right after the commit.

Replacing sources' graphs is all-or-nothing and writes only the difference:

- a graph that holds data is compared with its new content in memory (read in full first, so a
  bad record raises before anything is written), and the quads to remove and to add are applied
  by one SPARQL update, which Oxigraph runs as one transaction; that update also clears the journal;
- a graph that is empty (a first load) is streamed straight into the store under an entry in a
  journal graph, never held in memory whole; a failure while streaming undoes it. A large file's
  statements are made by a second process while this one loads them (``graph.produce``), and so are
  the millions of lines of a network patch.

Until that update commits, the bulk-written graphs are hidden from queries in this process, and a
store opened after a crash drops every graph still in the journal (they were empty before), so a
killed writer leaves the store as it was. A bulk write that fails (a full disk) leaves partial
``bulk-*.sst`` files, removed at once and again by the next writable open. Reloading an unchanged
source writes nothing.

Writes run one at a time (``writing()`` holds the lock, for a caller that checks before writing).
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence, Sized
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from platformdirs import user_data_dir

from graph.backend import Backend, Commit, GraphChange, GraphContent, GraphPatch, Queryable, QueryResult, StoreState
from graph.counts import COUNTS_FILE, GraphStats, count_graph, load_counts, save_counts
from graph.errors import QueryError, StoreLockedError, StoreOpenError
from graph.meta import Bookkeeping, Receipt, WriteKey, is_reserved, now
from graph.produce import Lines, Triples, load_apart
from graph.sparql import DELETE_DATA, DELETE_SUBJECTS, DROP_GRAPH, INSERT_DATA, bind
from graph.update_scope import written_graphs
from ontology.iris import GRAPH

if TYPE_CHECKING:
    from typing_extensions import Buffer

__all__ = [
    "JOURNAL",
    "PENDING",
    "STORE_ENV",
    "Backend",
    "Commit",
    "GraphChange",
    "GraphContent",
    "GraphPatch",
    "OxigraphStore",
    "QueryResult",
    "Queryable",
    "StoreState",
    "default_store_path",
]

STORE_ENV = "CNRS_KG_STORE"
JOURNAL = ox.NamedNode(GRAPH + "_journal")
PENDING = ox.NamedNode(GRAPH + "_journal#pending")
PARTIAL_FILES = "bulk-*.sst"
PATCH_CHUNK = 10_000  # subjects whose statements one update of a patch removes
# From this many lines, a patch's lines are made in another process while this one loads them.
LINES_APART_FROM = 500_000
UNKNOWN_BASIS = -1  # a derived graph being patched: derived from nothing known until the patch commits
# what pyoxigraph's bulk writer leaves when it fails (seen on a full disk)

log = logging.getLogger("cnrs_kg.store")


def default_store_path() -> Path:
    """``$CNRS_KG_STORE`` if set, else ``store`` in the user's data directory."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env)
    return Path(user_data_dir("cnrs-kg", appauthor=False)) / "store"


class OxigraphStore:
    """An embedded Oxigraph store on disk (or in memory when ``path`` is None)."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        self._pending: set[ox.NamedNode] = set()
        self._lock = threading.RLock()
        self._failed = False  # a patch failed (a full disk): closing must not wait on a flush that cannot end
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
        self._book = Bookkeeping.read(self._store.named_graphs())
        self.generation = self._book.generation  # the query workers reopen when it moves (api.workers)
        self._counts: dict[str, GraphStats] = {}
        self._uncounted: set[str] | None = None  # None: every graph
        loaded = load_counts(self.path)
        if loaded is not None and loaded[0] <= self.generation:
            self._counts, counted_at = loaded[1], loaded[0]
            if self._book.changed_all <= counted_at:
                self._uncounted = {g for g, n in self._book.changed.items() if n > counted_at}
        if not read_only:
            self._ensure_counts()  # at open, so that the server's /health never counts

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store, for benchmarks and bulk tools."""
        return self._store

    def _recover(self) -> None:
        """Drop the graphs a crashed load was writing (they were empty before it started), and its partial files."""
        self._remove_partial_files()
        if not self._store.contains_named_graph(JOURNAL):
            return
        for graph in self._journaled():
            self._store.remove_graph(graph)
        self._store.remove_graph(JOURNAL)

    def _remove_partial_files(self) -> None:
        if self.path is not None and not self.read_only:
            for partial in self.path.glob(PARTIAL_FILES):
                partial.unlink(missing_ok=True)

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
                graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
                    g for g in self._store.named_graphs() if g not in self._pending and not _reserved(g)
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

    def writing(self) -> AbstractContextManager[bool]:
        """Hold the write lock (writes wait), for a caller that checks the store before it writes."""
        return self._lock

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        key: WriteKey | None = None,
        graphs: Collection[ox.NamedNode] | None = None,
    ) -> Commit:
        """Run a SPARQL update in one transaction with its bookkeeping; ``QueryError`` if it is malformed or fails.

        ``graphs``: the named graphs it writes, when the caller knows them (else read from its text,
        ``graph.update_scope``). ``key``: an idempotency key, whose receipt commits with the update.
        """
        if graphs is None:
            scope = written_graphs(sparql, base_iri)
            changed, every = scope.graphs, scope.every
        else:
            changed, every = frozenset(g.value for g in graphs), False
        for graph in sorted(changed):
            if is_reserved(graph):
                raise QueryError(f"<{graph}> is a graph the store keeps itself: an update may not write it")
        with self._lock:
            return self._commit(sparql, base_iri, changed=changed, every=every, key=key)

    def drop_graph(self, graph: ox.NamedNode | ox.DefaultGraph, *, key: WriteKey | None = None) -> Commit | None:
        """Remove a named graph (or empty the default graph); None if there was no such named graph."""
        with self._lock:
            if isinstance(graph, ox.DefaultGraph):
                return self.update("CLEAR DEFAULT", graphs=[], key=key)
            if not self._store.contains_named_graph(graph):
                return None
            # SILENT or not alike: the graph is there (checked above, under the lock).
            return self.update(bind(DROP_GRAPH, GRAPH=graph), graphs=[graph], key=key)

    def receipt(self, key: str) -> Receipt | None:
        """The receipt of the write committed with idempotency key ``key``, if any (kept ``RECEIPT_HOURS``)."""
        return self._book.receipt(key)

    def bookkeeping(self) -> Bookkeeping:
        return self._book

    def replace_graphs(
        self, contents: Sequence[GraphContent], *, derived: Mapping[str, int] | None = None
    ) -> list[GraphChange]:
        names = [content.graph for content in contents]
        if len(set(names)) != len(names):
            raise ValueError("a graph appears twice in one replacement")
        with self._lock:
            changes, operations, fresh = self._plan(contents)
            new_derived = {g: n for g, n in (derived or {}).items() if self._book.derived.get(g) != n}
            written = {g.value for g, change in changes.items() if change.changed} | {c.graph.value for c in fresh}
            try:
                if fresh:
                    self._write_fresh(fresh)
                    operations.append(bind(DROP_GRAPH, GRAPH=JOURNAL))
                if operations or new_derived:
                    self._commit(" ;\n".join(operations), None, changed=written, derived=new_derived, user=False)
            except BaseException:
                self._undo()
                raise
            finally:
                self._pending = set()
            for content in fresh:
                stats = self._counts.get(content.graph.value)
                after = stats.triples if stats else 0
                changes[content.graph] = GraphChange(content.graph.value, 0, after, after, 0)
        return [changes[graph] for graph in names]

    def patch_graphs(self, patches: Iterable[GraphPatch], *, derived: Mapping[str, int]) -> list[GraphChange]:
        """Apply ``patches`` in bounded memory (``Backend.patch_graphs``): removals by SPARQL updates of
        ``PATCH_CHUNK`` subjects each, additions by one bulk write of them all, then one commit that
        records the changed graphs and ``derived``.

        Not one transaction: the derived graphs (the network) are big and are rebuilt from their
        sources. A patch cut short leaves them recorded as derived from nothing known, so they are
        reported stale and recomputed whole by the next load or refresh.
        """
        with self._lock:
            self._commit("", None, changed=(), derived=dict.fromkeys(derived, UNKNOWN_BASIS), user=False)
            # The bookkeeping will not name the patched graphs before the last commit: a store opened
            # after a patch cut short finds no counts and counts every graph again, as it holds them.
            if self.path is not None:
                (self.path / COUNTS_FILE).unlink(missing_ok=True)
            before = {graph: stats.triples for graph, stats in self._counts.items()}
            patches = list(patches)
            self._failed = True  # until the last commit: a full disk may fail the removals as well as the additions
            for patch in patches:  # removals first: a bulk write is not ordered with updates
                for start in range(0, len(patch.subjects), PATCH_CHUNK):
                    chunk = patch.subjects[start : start + PATCH_CHUNK]
                    self._store.update(bind(DELETE_SUBJECTS, GRAPH=patch.graph, SUBJECTS=chunk))
                statements = iter(patch.removed)
                while chunk_of := list(itertools.islice(statements, 5 * PATCH_CHUNK)):
                    self._store.update(bind(DELETE_DATA, GRAPH=patch.graph, DATA=chunk_of))

            try:
                # One bulk write of every graph's additions: each bulk write ingests its files into the
                # whole store, so one per graph cost twice as much on a network of 26 graphs.
                terms = [(patch.graph, list(patch.triples)) for patch in patches]
                self._store.bulk_extend(quad for name, triples in terms for quad in _in_graph(triples, name))
                added = self._load_lines(patches)
                for name, triples in terms:
                    added[name.value] = added.get(name.value, 0) + len(triples)
            except BaseException:
                self._remove_partial_files()
                raise
            touched = {patch.graph.value for patch in patches}
            self._commit("", None, changed=touched, derived=derived, user=False)
            self._failed = False
            changes = []
            for graph in sorted(touched):
                after = self._counts[graph].triples if graph in self._counts else 0
                gained = added.get(graph, 0)
                was = before.get(graph, 0)
                changes.append(GraphChange(graph, was, after, gained, max(0, was + gained - after)))
            return changes

    def _load_lines(self, patches: Sequence[GraphPatch]) -> dict[str, int]:
        """Bulk-load the patches' lines, made in another process when they are many and can be; the
        statements loaded into each graph."""
        job = Lines([(patch.graph.value, patch.lines) for patch in patches])
        # Lines that know their number are made from plain data (a list, or the network's links), so
        # another process can make them too.
        sizes = [len(lines) for patch in patches if isinstance(lines := patch.lines, Sized)]
        if len(sizes) == len(patches) and sum(sizes) >= LINES_APART_FROM:
            counts = load_apart(self._store, job)
            assert isinstance(counts, dict)
            return counts
        self._store.bulk_load(input=io.BufferedReader(_Stream(job.chunks()), 1 << 20), format=ox.RdfFormat.N_QUADS)
        return dict(job.counts or {})

    def _plan(
        self, contents: Sequence[GraphContent]
    ) -> tuple[dict[ox.NamedNode, GraphChange], list[str], list[GraphContent]]:
        """Per graph that holds data, its change and the SPARQL operations that make it; and the empty graphs."""
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
                operations.append(bind(DROP_GRAPH, GRAPH=graph))
                operations.append(bind(INSERT_DATA, GRAPH=graph, DATA=triples))
                continue
            if removed:
                operations.append(bind(DELETE_DATA, GRAPH=graph, DATA=removed))
            if added:
                operations.append(bind(INSERT_DATA, GRAPH=graph, DATA=added))
            if not wanted:
                operations.append(bind(DROP_GRAPH, GRAPH=graph))
        return changes, operations, fresh

    def _commit(
        self,
        sparql: str,
        base_iri: str | None,
        *,
        changed: Collection[str],
        every: bool = False,
        derived: Mapping[str, int] | None = None,
        key: WriteKey | None = None,
        user: bool = True,
    ) -> Commit:
        """Run ``sparql`` and the bookkeeping of a new generation as one update, then count the changed graphs.

        ``user``: the update comes from a client (its failures are ``QueryError``), not from a load.
        """
        generation, modified = self.generation + 1, now()
        ops, after = self._book.commit(
            generation, modified, changed=changed, changed_all=every, derived=derived, key=key, restore=every
        )
        self._run(sparql, " ;\n".join(ops), base_iri, user=user)
        self._book, self.generation = after, generation
        self._pending = set()  # the bulk-written graphs are committed: visible from now on
        try:
            self._count(None if every or self._uncounted is None else self._uncounted | set(changed))
        except (OSError, RuntimeError) as exc:  # committed all the same: counted at the next read or open
            log.error("generation %d committed, but its graphs could not be counted now: %s", generation, exc)
            self._uncounted = None
        return Commit(generation, modified)

    def _run(self, sparql: str, bookkeeping: str, base_iri: str | None, *, user: bool) -> None:
        """``sparql`` followed by ``bookkeeping`` in one update (Oxigraph runs an update as one transaction)."""
        # The bookkeeping goes after the caller's operations, so that a DROP ALL there cannot undo it.
        # A complete update takes ';' before more operations; one that ends with ';' takes none.
        texts = [bookkeeping] if not sparql.strip() else [f"{sparql}\n;\n{bookkeeping}", f"{sparql}\n{bookkeeping}"]
        try:
            for text in texts:
                try:
                    self._store.update(text, base_iri=base_iri)
                    return
                except SyntaxError:
                    continue
            raise QueryError(f"SPARQL syntax error: {_syntax_error(sparql, base_iri)}")
        except (OSError, ValueError, RuntimeError) as exc:
            if not user and isinstance(exc, OSError):
                raise  # the store's own update (a load): the disk failed, not the update
            raise QueryError(f"SPARQL update error: {exc}") from exc

    def _undo(self) -> None:
        """After a failed replacement: free the disk of partial files, then drop the bulk-written graphs."""
        self._remove_partial_files()
        try:
            self._recover()
        except OSError as exc:  # a full disk may refuse even this: the next writable open does it
            log.error("could not undo a failed write now (%s); the next writable open will", exc)

    def _write_fresh(self, fresh: list[GraphContent]) -> None:
        """Bulk-write graphs that were empty, journaled so that a failure before the commit undoes them."""
        self._pending.update(content.graph for content in fresh)
        self._store.extend([ox.Quad(c.graph, PENDING, ox.Literal("loading"), JOURNAL) for c in fresh])
        here = [content for content in fresh if content.producer is None]
        self._store.bulk_extend(quad for content in here for quad in _in_graph(content.triples, content.graph))
        for content in fresh:
            if content.producer is not None:  # made in another process while this one loads it
                content.producer.received(load_apart(self._store, Triples(content.graph.value, content.producer)))

    def _visible_graphs(self) -> list[ox.NamedNode]:
        return [
            g
            for g in self._store.named_graphs()
            if isinstance(g, ox.NamedNode) and not _reserved(g) and g not in self._pending
        ]

    def _ensure_counts(self) -> None:
        """Count the graphs whose statistics are missing or older than their last change."""
        if self._uncounted is None or self._uncounted:
            self._count(self._uncounted)

    def _count(self, uncounted: set[str] | None) -> None:
        """Count ``uncounted`` (None: every graph), and keep the statistics.

        The table is replaced, never changed in place, and ``_uncounted`` stays empty in a writer
        between its commits, so a reader without the lock (``/health``) sees the old table or the
        new one and never waits for a write.
        """
        counts = {} if uncounted is None else dict(self._counts)
        for graph in self._visible_graphs() if uncounted is None else _graphs(uncounted):
            stats = count_graph(self._store, graph) if graph not in self._pending else None
            if stats is None:
                counts.pop(graph.value, None)
            else:
                counts[graph.value] = stats
        self._counts = dict(sorted(counts.items()))
        self._uncounted = set()
        if not self.read_only:
            save_counts(self.path, self.generation, self._counts)

    def graph_stats(self) -> dict[str, GraphStats]:
        """Statements, entities per class and predicates of every named graph that holds statements."""
        if self._uncounted is not None and not self._uncounted:
            return self._counts  # current: no lock, so that a long write does not hold up readers
        with self._lock:
            self._ensure_counts()
            return self._counts

    def graph_sizes(self) -> dict[str, int]:
        return {graph: stats.triples for graph, stats in self.graph_stats().items()}

    def has_graph(self, graph: ox.NamedNode) -> bool:
        return self._store.contains_named_graph(graph)

    def state(self) -> StoreState:
        """The generation, time of the last write, graphs and statements: read from memory, no scan."""
        sizes = self.graph_sizes()
        return StoreState(self.generation, self._book.modified, len(sizes), sum(sizes.values()))

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def match(
        self,
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.Literal | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        found = self._store.quads_for_pattern(subject, predicate, obj, graph)
        if not self._pending:  # the common case, and the one network counting takes millions of times
            yield from (quad for quad in found if quad.graph_name != JOURNAL)
            return
        hidden = self._pending | {JOURNAL}
        for quad in found:
            if quad.graph_name not in hidden:
                yield quad

    def flush(self) -> None:
        # After a failed patch the disk may still be full: RocksDB's flush then waits for room (or
        # fails); what committed is in its write-ahead log, replayed by the next open.
        if not self.read_only and self.path is not None and not self._failed:
            self._store.flush()

    def close(self) -> None:
        self.flush()
        del self._store

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reserved(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bool:
    return isinstance(graph, ox.NamedNode) and is_reserved(graph.value)


def _graphs(iris: Iterable[str]) -> Iterator[ox.NamedNode]:
    """The valid IRIs among ``iris`` as nodes (an update's scope may hold a word that is none)."""
    for iri in sorted(iris):
        try:
            yield ox.NamedNode(iri)
        except ValueError:
            continue


def _syntax_error(sparql: str, base_iri: str | None) -> str:
    """The parser's message for ``sparql`` alone (its positions are the client's), parsed in an empty store."""
    try:
        ox.Store().update(sparql, base_iri=base_iri)
    except SyntaxError as exc:
        return str(exc)
    except (OSError, ValueError, RuntimeError):
        pass
    return "the update must end with an operation, not with ';' or a PREFIX or BASE declaration"


class _Stream(io.RawIOBase):
    """Chunks of bytes as a stream the bulk loader reads."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._parts = chunks
        self._pending = b""
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int:
        if self._offset >= len(self._pending):
            self._pending, self._offset = next(self._parts, b""), 0
        view = memoryview(buffer).cast("B")
        size = min(len(view), len(self._pending) - self._offset)
        view[:size] = self._pending[self._offset : self._offset + size]
        self._offset += size
        return size


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _in_graph(triples: Iterable[ox.Triple], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    for t in triples:
        yield ox.Quad(t.subject, t.predicate, t.object, graph)
