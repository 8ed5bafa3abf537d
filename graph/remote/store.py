"""``RemoteStore``: the ``Backend`` over a SPARQL engine of its own (Oxigraph server, Virtuoso...).

Reads are SPARQL queries (``match`` and ``graph_sizes`` too); the engine must answer queries over
the union of its graphs as default graph (``oxigraph serve --union-default-graph``; Virtuoso does).

Writes keep the embedded store's guarantee, that a failed or killed load leaves the previous graphs
readable, by staging: each new graph is sent in chunks (Graph Store protocol, one request each:
memory bounded but for statements with blank nodes, ``SparqlClient.post_graph``) into its
staging graph ``<.../graph/_staging/{graph, percent-encoded}>``, compared there with the current one, then ONE
SPARQL update moves every changed staging graph over its graph (``MOVE``) and writes the
bookkeeping; the engine runs one update request as one transaction (Oxigraph server does). A load
killed before that update leaves the previous graphs as they were, and staging graphs that the
next write drops before it stages anything. Staging graphs are in the union while they exist (a
load running, or killed): ``graph_sizes``, ``match`` and the bookkeeping leave them out, but a
user's query over the default graph sees their statements as well, until the load ends or the next
write; ``GRAPH ?g`` names them under the reserved ``.../graph/_`` prefix (so ``cnrs-kg stats``
counts their entities until then). That update is also where the time of a first load goes: Oxigraph
server copies each statement (``MOVE`` of the bundled 100,000 statements: 5 to 7 s of a 13 s load).

Big graphs are swapped in chunks. One update is one transaction, held whole in the engine's memory
(Oxigraph server grew past 15 GB moving a works graph of 4.4 million statements) or its transaction
log (Virtuoso refuses it, SR325). So a changed graph holding more than ``MOVE_UP_TO`` statements,
before or after (a ``MOVE`` deletes the old ones in the same transaction), is not moved by the commit
update: that update writes instead, with the bookkeeping and in the same operation, a journal
statement ``<graph> <step> <staging graph>`` into the reserved graph ``.../graph/_swaps``. Once it is
committed, the store carries out each journalled swap by updates of at most ``SWAP_CHUNK``
statements, each its own transaction: trim (delete from the graph, a chunk at a time, what the
staging graph lacks), then, the journal saying so, fill (move the staging graph's statements into the
graph, a chunk at a time: moved, not copied, so that each chunk takes the first ones left), then
drop the staging graph and the journal statement. Each step is rerun safely; a write killed in it
leaves the journal, and the next write (``_drop_leftovers``, ``update``, ``patch_graphs``) finishes
every journalled swap before anything else, and never drops a staging graph the journal names (nor
does a failed write, whose commit may have been applied with its answer lost). So the guarantee is
weaker for big graphs: their new generation is committed whole, but a reader between the commit and
the end of the swap (or, after a kill, until the next write finishes it)
sees a big graph part old, part new, its statements arriving in chunks; ``graph_sizes`` and the
counts are then read anew at each call, not kept for the generation. Graphs up to ``MOVE_UP_TO``
keep the old-or-new guarantee. Blank nodes never match across graphs: a big graph holding them has
them all deleted by the trim and inserted by the fill, which is still the new content. The journal
statement names a graph IRI as subject; it is in the union default graph while the swap runs.

Other writes: ``update`` (a client's SPARQL update, with its bookkeeping and receipt in the same
request), ``drop_graph``, and ``patch_graphs`` for the derived network, as the embedded store does them.

Bookkeeping (``graph.meta``): the embedded store keeps each record as the name of an EMPTY graph,
which no triple pattern matches. Remote engines do not keep empty graphs (Virtuoso drops them, and
the Graph Store protocol has no way to create one), so here each record is one statement in the
reserved graph ``.../graph/_bookkeeping``: ``<record> <.../graph/_bookkeeping#record>
<.../graph/_bookkeeping>``. They are in the union default graph, and a filter cannot hide them from
users' queries; they are namespaced IRIs only (no literal: label and text searches do not see
them; no ``rdf:type``: entity counts and class lists do not either) and a few dozen. The embedded
store keeps its empty graphs: there its union default graph is computed by
Oxigraph, and hiding a graph that holds statements would need an explicit dataset on every query,
17 times slower (``graph.meta``). Keeping the records in the engine, in the same update as the
data, is what makes a write and its generation commit together; a separate file would not.

Writes are not locked across processes: one writer at a time (one ``cnrs-kg load``), as with the
embedded store, but the engine does not enforce it. The bookkeeping is read from the engine at
each write and by ``bookkeeping()``, so that replicas see each other's writes.

Virtuoso (7.2, tests/engines/virtuoso.py numbers its differences; ``graph.remote.client`` adapts its
answers) runs each operation of an update as its own transaction (10), so the swap cannot be atomic
across graphs there. It is ordered so that each graph is old or new, never half: each changed
graph is replaced by ONE operation (``MOVE`` of its staging graph, or ``DROP`` of a graph emptied),
then the staging graphs left are dropped, then the bookkeeping is replaced by one operation, last.
A load killed or failed before the swap leaves what it leaves on Oxigraph server (the previous
graphs, and staging graphs until the next write). One that dies in the swap (the swap is one
request: the engine failing one of its operations, or stopping it when the client dies, which was
not observed) leaves the graphs before that operation new, the others old (with their staging
graphs, dropped by the next write), and the bookkeeping of the previous generation: the store
is readable and consistent graph by graph, but says nothing of the graphs already replaced until
the next load, which compares each graph again and rewrites what differs. A swap in chunks is
ordered the same way there: the journal is written by the bookkeeping's operation, so the two
commit together, after the moves of the small graphs. Also on Virtuoso: a
``MOVE`` from a graph that does not exist empties its target (a second writer dropping our staging
graphs would empty graphs); ``DROP ALL`` and ``CLEAR ALL``/``NAMED`` drop nothing there, so a
client's update has them written as a ``DROP`` of each named graph (``_each_graph``); an empty
graph does not exist (8), so graphs are found by a statement, never by an empty group; its own
~2,500 statements (7) are left out of counts and, for queries with a ``GRAPH`` pattern naming its
graph by an IRI and no dataset of their own, by an explicit dataset of every other graph
(``_dataset``; the client hides them from other queries by pragmas), while a query that names its
dataset with ``FROM`` sees them.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from urllib.parse import quote

import pyoxigraph as ox

from graph.backend import Commit, GraphChange, GraphContent, GraphPatch, QueryResult, StoreState
from graph.counts import GraphStats
from graph.errors import QueryError, StoreOpenError
from graph.meta import RESERVED, Bookkeeping, Receipt, WriteKey, is_reserved, now
from graph.remote import batch
from graph.remote.bindings import bound
from graph.remote.client import Endpoints, EngineFailed, SparqlClient, credentials, names_graphs, redacted
from graph.remote.queries import (
    CLASSES,
    COUNT,
    ENGINE_GRAPHS_LEFT_OUT,
    FILL,
    GRAPH_NAMES,
    GRAPH_NAMES_WITH_STATEMENTS,
    HAS_GRAPH,
    HAS_GRAPH_WITH_STATEMENTS,
    IN_DEFAULT_GRAPH,
    INSERT_RECORDS_AND_SWAPS,
    MATCH,
    MOVE,
    ONLY_IN,
    PREDICATES,
    RECORDS,
    SIZES,
    SWAPS,
    TRIM,
    TRIM_LEFT,
    WRITE_RECORDS,
    WRITE_RECORDS_AND_SWAPS,
)
from graph.sparql import DELETE_DATA, DELETE_SUBJECTS, DROP_GRAPH, INSERT_DATA, bind
from graph.update_scope import written_graphs
from ontology.iris import GRAPH

BOOKKEEPING = ox.NamedNode(GRAPH + "_bookkeeping")
RECORD = ox.NamedNode(GRAPH + "_bookkeeping#record")
VIRTUOSO_PAIRS = 400  # subject-predicate rows of one query on Virtuoso (``match_subjects``)
STAGING = GRAPH + "_staging/"  # then the graph's IRI, percent-encoded
# The journal of the swaps in chunks: ``<graph> <step> <staging graph>``, one statement per graph.
SWAPS_GRAPH = ox.NamedNode(GRAPH + "_swaps")
TRIM_STEP = ox.NamedNode(GRAPH + "_swaps#trim")  # next: delete what the staging graph lacks, then fill
FILL_STEP = ox.NamedNode(GRAPH + "_swaps#fill")  # next: move the staging graph's statements in
EMPTY_STEP = ox.NamedNode(GRAPH + "_swaps#empty")  # next: delete every statement (no staging graph)
# Statements (before or after) above which a graph is swapped in chunks, not by one MOVE: Oxigraph
# server holds a transaction in memory (the MOVE of 4.4 million statements took more than 15 GB),
# and Virtuoso refuses one over its transaction log limit (SR325).
MOVE_UP_TO = 500_000
SWAP_CHUNK = 200_000  # statements one update of a swap in chunks deletes or moves
# Virtuoso's transaction log limit is in bytes (SR325): it moved 200,000 statements (short literals)
# in one update (8.7 s), refused 500,000 (after 22 s). A quarter of what it took, for long literals;
# and faster there per statement (50,000 moved in 1.5 s).
VIRTUOSO_SWAP_CHUNK = 50_000
PATCH_CHUNK = 10_000  # subjects (or statements) one update of a patch removes
POST_CHUNK = 20_000  # statements per chunk of a streamed Graph Store request
UNKNOWN_BASIS = -1  # as graph.store: a derived graph being patched is derived from nothing known
# A DROP or CLEAR of every graph, or of the named ones; comments, IRIs and strings matched to be kept.
_ALL_GRAPHS = re.compile(
    r"""(?P<keep>\#[^\n]*|<[^<>"{}|^`\\\s]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
    r"|\b(?:DROP|CLEAR)\s+(?:SILENT\s+)?(?:ALL|NAMED)\b",
    re.IGNORECASE,
)
NO_UNION = (
    "the engine does not answer queries over the union of its graphs; "
    "start it so (oxigraph serve --union-default-graph) or give another --store"
)


def staging_graph(graph: ox.NamedNode) -> ox.NamedNode:
    """Where the new content of ``graph`` is written before it replaces it (a reserved name).

    >>> staging_graph(ox.NamedNode("https://example.org/g?x=1")).value.rsplit("/", 1)[1]
    'https%3A%2F%2Fexample.org%2Fg%3Fx%3D1'
    """
    return ox.NamedNode(STAGING + quote(graph.value, safe=""))


class RemoteStore:
    """A store on a SPARQL engine at ``url`` (``Endpoints``): queries, staged writes, bookkeeping.

    ``budget``: seconds a query may take before it is stopped (``QueryTimeout``); None for no limit.
    """

    path = None  # no directory: no counts file, no link index on disk, no counting processes
    read_only: bool

    def __init__(
        self,
        url: str,
        *,
        update_endpoint: str | None = None,
        graph_store: str | None = None,
        read_only: bool = False,
        budget: float | None = None,
    ) -> None:
        self.endpoints = Endpoints.of(url, update=update_endpoint, store=graph_store)
        self.url = redacted(url)
        self.read_only = read_only
        self._client = SparqlClient(self.endpoints, auth=credentials(), budget=budget)
        self._lock = threading.RLock()
        self._stats: tuple[int | None, dict[str, GraphStats]] | None = None
        self._sizes: tuple[int | None, dict[str, int]] | None = None
        self._records: set[str] = set()
        self._swapping = False  # a swap in chunks is journalled: graphs are filling, nothing is cached
        self._names: tuple[int | None, list[ox.NamedNode]] | None = None
        try:
            self._book = self._read_bookkeeping()  # also checks that the engine answers, at open
            self._check_union()
        except BaseException:
            self._client.close()
            raise
        self.generation = self._book.generation

    def _check_union(self) -> None:
        """Refuse an engine whose default graph is not the union of its graphs (every query would miss
        facts): told by the bookkeeping's statements, which are in a named graph."""
        if not self._book.generation:
            return  # nothing written yet: nothing to tell by
        seen = self._client.query(bind(IN_DEFAULT_GRAPH, RECORD=RECORD))
        if not (isinstance(seen, ox.QueryBoolean) and bool(seen)):
            raise StoreOpenError(self.url, NO_UNION)

    # --- reads -------------------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graphs: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """``Queryable.query`` on the engine; ``substitutions`` are written into the text as ``VALUES``
        blocks at the start of its groups (``graph.remote.bindings``)."""
        text = bound(sparql, substitutions or {})
        text = text if base_iri is None else f"BASE {ox.NamedNode(base_iri)}\n{text}"
        dataset = default_graphs is not None or named_graphs is not None
        named = names_graphs(text)
        if not dataset and self._client.virtuoso and "GRAPH" in named and "FROM" not in named:
            default_graphs = named_graphs = self._dataset()  # not Virtuoso's own graphs (module docstring)
            dataset = True
        return self._client.query(
            text,
            default_graphs=[g.value for g in default_graphs or []] if dataset else (),
            named_graphs=[g.value for g in named_graphs or []] if dataset else (),
        )

    def _dataset(self) -> list[ox.NamedNode]:
        """Every graph but the engine's own, kept until the generation moves (staging graphs included,
        as they are in the union of graphs on other engines)."""
        key = self._cache_key()
        if self._names is None or self._names[0] != key or key is None:
            rows = self._select(ENGINE_GRAPHS_LEFT_OUT)
            self._names = key, [g for row in rows if isinstance(g := row["g"], ox.NamedNode)]
        return list(self._names[1])

    def has_graph(self, graph: ox.NamedNode) -> bool:
        """An engine keeps a graph while it holds a statement (Virtuoso keeps no empty graph; Oxigraph
        server does, and answers this ASK true for it)."""
        if is_reserved(graph.value):
            return False
        answer = self._client.query(bind(self._any_graph(HAS_GRAPH), GRAPH=graph))
        return bool(answer)

    def graph_sizes(self) -> dict[str, int]:
        """Statements per named graph, the store's own graphs left out: one aggregate query, kept
        until the generation moves (``/health`` asks at every call; a write through cnrs-kg moves it)."""
        key = self._cache_key()
        if self._sizes is None or self._sizes[0] != key or key is None:
            rows = self._select(bind(SIZES, RESERVED=ox.Literal(RESERVED)))
            sizes = {row["g"].value: int(row["n"].value) for row in rows if isinstance(row["g"], ox.NamedNode)}
            self._sizes = key, dict(sorted(sizes.items()))
        return dict(self._sizes[1])

    def bookkeeping(self) -> Bookkeeping:
        """The records as the engine holds them now (another process may have written since)."""
        self._book = self._read_bookkeeping()
        self.generation = self._book.generation
        return self._book

    def _cache_key(self) -> int | None:
        """The generation, by which reads are kept; None (keep nothing) while a swap in chunks is
        journalled, as the statements of its graph are still arriving."""
        generation = self.bookkeeping().generation
        return None if self._swapping else generation

    def state(self) -> StoreState:
        sizes = self.graph_sizes()
        book = self.bookkeeping()
        return StoreState(book.generation, book.modified, len(sizes), sum(sizes.values()))

    def graph_stats(self) -> dict[str, GraphStats]:
        """Statements, entities per class and predicates of every graph (``graph.counts``): two
        aggregate queries, kept until the generation moves."""
        key = self._cache_key()
        if self._stats is None or self._stats[0] != key or key is None:
            self._stats = key, self._count_graphs()
        return self._stats[1]

    def match(
        self,
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        obj: ox.NamedNode | ox.Literal | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        text = bind(MATCH, ROW=[(subject, predicate, obj, graph)], RESERVED=ox.Literal(RESERVED))
        for row in self._select(text):
            s, p, o, g = row["s"], row["p"], row["o"], row["g"]
            if isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode):
                assert isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal)
                assert isinstance(g, ox.NamedNode)
                yield ox.Quad(s, p, o, g)

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return self.match(graph=graph)

    def match_subjects(self, subjects: Sequence[ox.NamedNode], predicates: Sequence[ox.NamedNode]) -> Iterator[ox.Quad]:
        """``match`` of every subject with every predicate, in one request (``graph.remote.batch``):
        how network counting reads a chunk of works. Virtuoso compiles a query's rows of values into
        code of at most 32,767 bytes (SQ199: 2,000 works with 4 predicates took 320,000): there, a
        request of ``VIRTUOSO_PAIRS`` subject-predicate pairs at most."""
        if not self._client.virtuoso:
            return batch.quads(self._select(batch.subject_facts(subjects, predicates)))
        size = max(1, VIRTUOSO_PAIRS // max(1, len(predicates)))
        return itertools.chain.from_iterable(
            batch.quads(self._select(batch.subject_facts(subjects[start : start + size], predicates)))
            for start in range(0, len(subjects), size)
        )

    # --- writes ------------------------------------------------------------------------------------

    def writing(self) -> AbstractContextManager[bool]:
        """Hold this process's write lock (other processes are not held: one writer at a time)."""
        return self._lock

    def receipt(self, key: str) -> Receipt | None:
        """The receipt of the write committed with idempotency key ``key``, if any."""
        return self.bookkeeping().receipt(key)

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        key: WriteKey | None = None,
        graphs: Collection[ox.NamedNode] | None = None,
    ) -> Commit:
        """Run a SPARQL update with its bookkeeping in one request (``OxigraphStore.update``)."""
        if graphs is None:
            scope = written_graphs(sparql, base_iri)
            changed, every = scope.graphs, scope.every
        else:
            changed, every = frozenset(g.value for g in graphs), False
        for graph in sorted(changed):
            if is_reserved(graph):
                raise QueryError(f"<{graph}> is a graph the store keeps itself: an update may not write it")
        text = sparql if base_iri is None else f"BASE {ox.NamedNode(base_iri)}\n{sparql}"
        with self._lock:
            self._finish_swaps()  # a client's write lands on the new graphs (and drops no journal)
            if every and self._client.virtuoso:
                text = self._each_graph(text)
            try:
                return self._commit(self.bookkeeping(), [text], changed=changed, every=every, key=key)
            except EngineFailed as exc:  # a client's update the engine could not apply: as the embedded store says it
                raise QueryError(f"SPARQL update error: {exc.reason}") from None

    def drop_graph(self, graph: ox.NamedNode | ox.DefaultGraph, *, key: WriteKey | None = None) -> Commit | None:
        """Remove a named graph (or empty the default graph); None if there was no such named graph."""
        with self._lock:
            if isinstance(graph, ox.DefaultGraph):
                return self.update("CLEAR DEFAULT", graphs=[], key=key)
            if is_reserved(graph.value) or graph.value not in self.graph_sizes():
                return None
            return self.update(bind(DROP_GRAPH, GRAPH=graph), graphs=[graph], key=key)

    def replace_graphs(
        self, contents: Sequence[GraphContent], *, derived: Mapping[str, int] | None = None
    ) -> list[GraphChange]:
        """``Backend.replace_graphs``: staged, compared, then swapped in by one update, or for big graphs
        journalled by it and swapped in chunks after it (module docstring)."""
        names = [content.graph for content in contents]
        if len(set(names)) != len(names):
            raise ValueError("a graph appears twice in one replacement")
        with self._lock:
            self._drop_leftovers()
            book = self.bookkeeping()
            before = self.graph_sizes()
            swaps: list[str] = []
            cleanup: list[str] = []
            journal: list[ox.Triple] = []
            changes: list[GraphChange] = []
            try:
                for content in contents:
                    change, swap, staged, journalled = self._stage(content, before.get(content.graph.value, 0))
                    changes.append(change)
                    swaps += swap
                    cleanup += staged
                    journal += journalled
                operations = swaps + cleanup  # each swap one operation: a graph is old or new, never half
                new_derived = {g: n for g, n in (derived or {}).items() if book.derived.get(g) != n}
                written = [change.graph for change in changes if change.changed]
                if written or new_derived:
                    self._commit(book, operations, changed=written, derived=new_derived, journal=journal)
                elif operations:
                    self._client.update(" ;\n".join(operations))  # only staging graphs to drop
            except BaseException:
                self._drop_staging(names)
                raise
            # Committed: from here a failure leaves the swaps journalled, for the next write to finish.
            self._finish_swaps()
            self._check_swapped(changes, journal)
        return changes

    def patch_graphs(self, patches: Iterable[GraphPatch], *, derived: Mapping[str, int]) -> list[GraphChange]:
        """``Backend.patch_graphs``: removals by updates of ``PATCH_CHUNK`` subjects or statements,
        additions streamed into each graph, then one commit of the bookkeeping.

        Not one transaction, as on the embedded store: a patch cut short leaves the derived graphs
        recorded as derived from nothing known, so they are reported stale and recomputed whole.
        """
        with self._lock:
            self._finish_swaps()
            self._commit(self.bookkeeping(), [], changed=(), derived=dict.fromkeys(derived, UNKNOWN_BASIS))
            before = self.graph_sizes()
            patches = list(patches)
            for patch in patches:  # removals first, as the embedded store does
                for start in range(0, len(patch.subjects), PATCH_CHUNK):
                    chunk = patch.subjects[start : start + PATCH_CHUNK]
                    self._client.update(bind(DELETE_SUBJECTS, GRAPH=patch.graph, SUBJECTS=chunk))
                removed = iter(patch.removed)
                while statements := list(itertools.islice(removed, PATCH_CHUNK)):
                    self._client.update(bind(DELETE_DATA, GRAPH=patch.graph, DATA=statements))
            added: dict[str, int] = {}
            for patch in patches:
                sent = _Sent()
                self._client.post_graph(patch.graph.value, sent.chunks(patch.triples, patch.lines))
                added[patch.graph.value] = added.get(patch.graph.value, 0) + sent.statements
            touched = sorted(added)
            self._commit(self.bookkeeping(), [], changed=touched, derived=derived)
            after = self.graph_sizes()
        changes = []
        for graph in touched:
            was, now_ = before.get(graph, 0), after.get(graph, 0)
            changes.append(GraphChange(graph, was, now_, added[graph], max(0, was + added[graph] - now_)))
        return changes

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the parts of a write ----------------------------------------------------------------------

    def _stage(self, content: GraphContent, before: int) -> tuple[GraphChange, list[str], list[str], list[ox.Triple]]:
        """Stream ``content`` into its staging graph; its change, the operation that applies it (none
        or one), the one that drops what is left of the staging graph (none or one), and the journal
        statement of a swap in chunks instead (none or one: a graph over ``MOVE_UP_TO``, before or after,
        as the ``MOVE`` deletes the old statements in the same transaction as it copies the new)."""
        graph, staged = content.graph, staging_graph(content.graph)
        if is_reserved(graph.value):
            raise QueryError(f"<{graph.value}> is a graph the store keeps itself: a load may not write it")
        sent = _Sent()
        self._client.post_graph(staged.value, sent.chunks(content.triples, ()))
        after = self._count(bind(COUNT, GRAPH=staged)) if sent.statements else 0
        if before == 0:
            added, removed = after, 0
        else:
            added = self._count(bind(ONLY_IN, A=staged, B=graph)) if after else 0
            removed = self._count(bind(ONLY_IN, A=graph, B=staged)) if after else before
        change = GraphChange(graph.value, before, after, added, removed)
        if not change.changed:
            return change, [], [bind(DROP_GRAPH, GRAPH=staged)], []
        if max(before, after) > MOVE_UP_TO:
            return change, [], [], [ox.Triple(graph, TRIM_STEP if after else EMPTY_STEP, staged)]
        if not after:
            return change, [bind(DROP_GRAPH, GRAPH=graph)], [bind(DROP_GRAPH, GRAPH=staged)], []
        return change, [bind(MOVE, FROM=staged, TO=graph)], [], []

    def _commit(
        self,
        book: Bookkeeping,
        operations: list[str],
        *,
        changed: Iterable[str],
        derived: Mapping[str, int] | None = None,
        every: bool = False,
        key: WriteKey | None = None,
        journal: Sequence[ox.Triple] = (),
    ) -> Commit:
        """``operations`` and the bookkeeping of the next generation, as one update (one transaction),
        with the ``journal`` statements of the swaps in chunks written by the same operation.

        The bookkeeping is the whole record graph, replaced by one operation after the others (the
        records read at the write's start deleted, those of the next generation inserted), so that
        none of them (a ``DROP ALL``) can undo it, and so that an engine that commits each operation
        on its own (Virtuoso) writes it last, once every graph is in place.
        """
        generation, modified = book.generation + 1, now()
        _, after = book.commit(generation, modified, changed=list(changed), changed_all=every, derived=derived, key=key)
        names = set(after.names())
        new = [ox.Triple(ox.NamedNode(name), RECORD, BOOKKEEPING) for name in sorted(names)]
        old = [ox.Triple(ox.NamedNode(name), RECORD, BOOKKEEPING) for name in sorted(self._records - names)]
        # Virtuoso refuses an empty template: a first write, or one that deletes no record, only inserts.
        if journal:
            template = WRITE_RECORDS_AND_SWAPS if old else INSERT_RECORDS_AND_SWAPS
        else:
            template = WRITE_RECORDS if old else INSERT_DATA
        slots = {"OLD": old, "NEW": new, "DATA": new, "JOURNAL": list(journal)}
        records = bind(template, BOOK=BOOKKEEPING, GRAPH=BOOKKEEPING, SWAPS=SWAPS_GRAPH, **slots)
        self._run(" ;\n".join(operations), records)
        self._records = names
        self._book, self.generation = after, generation
        return Commit(generation, modified)

    def _run(self, sparql: str, bookkeeping: str) -> None:
        """``sparql`` then ``bookkeeping`` as one request. A complete update takes ';' before more
        operations, one that ends with ';' (a client's) takes none: the second is tried when the first
        is refused, and the first refusal is the one raised (the second is a syntax error otherwise)."""
        if not sparql.strip():
            self._client.update(bookkeeping)
            return
        try:
            self._client.update(f"{sparql}\n;\n{bookkeeping}")
        except QueryError as refused:
            try:
                self._client.update(f"{sparql}\n{bookkeeping}")
            except QueryError:
                raise refused from None

    def _drop_leftovers(self) -> None:
        """Finish the swaps a killed or failed write journalled, then drop the staging graphs it left
        (before this write stages its own); never one the journal names."""
        self._finish_swaps()
        named = {staged.value for _, _, staged in self._journal()}
        rows = self._select(bind(self._any_graph(GRAPH_NAMES), PREFIX=ox.Literal(STAGING)))
        left = [g for row in rows if isinstance(g := row["g"], ox.NamedNode) and g.value not in named]
        if left:
            self._client.update(" ;\n".join(bind(DROP_GRAPH, GRAPH=g) for g in left))

    def _each_graph(self, sparql: str) -> str:
        """``sparql`` with each ``DROP``/``CLEAR`` of ``ALL`` or ``NAMED`` graphs written as a ``DROP`` of
        each named graph (not the bookkeeping): Virtuoso answers those two with success and drops
        nothing (they would drop its own graphs). Several operations, each committed on its own."""
        graphs = [ox.NamedNode(graph) for graph in self.graph_sizes()] or [staging_graph(BOOKKEEPING)]  # a no-op
        each = " ;\n".join(bind(DROP_GRAPH, GRAPH=graph) for graph in graphs)
        return _ALL_GRAPHS.sub(lambda found: found.group("keep") or each, sparql)

    def _any_graph(self, template: str) -> str:
        """``template`` matching a graph by an empty group, or on Virtuoso (no empty graph, and an
        empty group matches every name) its variant matching by any statement."""
        if not self._client.virtuoso:
            return template
        return {GRAPH_NAMES: GRAPH_NAMES_WITH_STATEMENTS, HAS_GRAPH: HAS_GRAPH_WITH_STATEMENTS}[template]

    def _drop_staging(self, graphs: Sequence[ox.NamedNode]) -> None:
        """Drop the staging graphs of a failed write, but those the journal names: a commit whose
        answer was lost (a timeout, a dropped connection) may have journalled them."""
        # The failure being raised says more than this one would; the next write drops them.
        with contextlib.suppress(Exception):
            named = {staged.value for _, _, staged in self._journal()}
            left = [staged for g in graphs if (staged := staging_graph(g)).value not in named]
            if left:
                self._client.update(" ;\n".join(bind(DROP_GRAPH, GRAPH=staged) for staged in left))

    # --- swaps in chunks ---------------------------------------------------------------------------

    def _journal(self) -> list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode]]:
        """The journalled swaps: (graph, its next step, its staging graph)."""
        swaps = []
        for row in self._select(bind(SWAPS, SWAPS=SWAPS_GRAPH)):
            graph, step, staged = row["g"], row["step"], row["staged"]
            if isinstance(graph, ox.NamedNode) and isinstance(step, ox.NamedNode) and isinstance(staged, ox.NamedNode):
                swaps.append((graph, step, staged))
        return swaps

    def _finish_swaps(self) -> None:
        """Carry out every journalled swap, from the step it is at (a killed write's, or this one's)."""
        swaps = self._journal()
        for graph, step, staged in swaps:
            self._swap(graph, step, staged, last=(graph, step, staged) == swaps[-1])
        self._swapping = False

    def _swap(self, graph: ox.NamedNode, step: ox.NamedNode, staged: ox.NamedNode, *, last: bool) -> None:
        """Replace ``graph`` by ``staged`` in chunks: trim (delete what ``staged`` lacks), fill (move
        its statements in), then drop it and the journal statement. Each chunk is one update, and each
        step is rerun safely after a kill; the journal says which step is next, as a fill empties the
        staging graph that a trim compares with."""
        if step == TRIM_STEP and not self._ask(bind(HAS_GRAPH_WITH_STATEMENTS, GRAPH=staged)):
            # Its staging graph was dropped by someone else (this store never drops one it journals):
            # the graph is left as it is (the next load compares it again) rather than emptied.
            self._client.update(bind(DELETE_DATA, GRAPH=SWAPS_GRAPH, DATA=[ox.Triple(graph, step, staged)]))
            return
        size = min(SWAP_CHUNK, VIRTUOSO_SWAP_CHUNK) if self._client.virtuoso else SWAP_CHUNK
        if step != FILL_STEP:
            trim = bind(TRIM, GRAPH=graph, STAGED=staged, N=size)
            self._in_chunks(trim, bind(TRIM_LEFT, GRAPH=graph, STAGED=staged))
        if step == TRIM_STEP:
            old, new = [ox.Triple(graph, step, staged)], [ox.Triple(graph, FILL_STEP, staged)]
            self._client.update(bind(WRITE_RECORDS, BOOK=SWAPS_GRAPH, OLD=old, NEW=new))
            step = FILL_STEP
        if step == FILL_STEP:
            fill = bind(FILL, GRAPH=graph, STAGED=staged, N=size)
            self._in_chunks(fill, bind(HAS_GRAPH_WITH_STATEMENTS, GRAPH=staged))
        # The journal graph dropped with its last statement: Oxigraph server would keep it, empty.
        done = (
            bind(DROP_GRAPH, GRAPH=SWAPS_GRAPH)
            if last
            else bind(DELETE_DATA, GRAPH=SWAPS_GRAPH, DATA=[ox.Triple(graph, step, staged)])
        )
        self._client.update(f"{bind(DROP_GRAPH, GRAPH=staged)} ;\n{done}")  # on Virtuoso: the drop first

    def _in_chunks(self, chunk: str, left: str) -> None:
        """Run the update ``chunk`` while the ASK ``left`` is true."""
        while self._ask(left):
            self._swap_chunk(chunk)

    def _swap_chunk(self, operation: str) -> None:
        """One chunk of a swap: one update, one transaction of at most ``SWAP_CHUNK`` statements
        (``VIRTUOSO_SWAP_CHUNK`` on Virtuoso)."""
        self._client.update(operation)

    def _check_swapped(self, changes: Sequence[GraphChange], journal: Sequence[ox.Triple]) -> None:
        """Each graph swapped in chunks holds as many statements as were staged (its ``GraphChange``)."""
        swapped = {triple.subject.value for triple in journal if isinstance(triple.subject, ox.NamedNode)}
        for change in changes:
            if change.graph in swapped:
                held = self._count(bind(COUNT, GRAPH=ox.NamedNode(change.graph)))
                if held != change.after:
                    raise EngineFailed(
                        self.url,
                        f"<{change.graph}> holds {held} statements after its swap, where {change.after} were "
                        "loaded (another writer?); load it again",
                    )

    def _ask(self, text: str) -> bool:
        answer = self._client.query(text)
        return isinstance(answer, ox.QueryBoolean) and bool(answer)

    def _read_bookkeeping(self) -> Bookkeeping:
        """The records, also kept as read (``_records``): the next commit deletes those it does not keep."""
        rows = list(self._select(bind(RECORDS, BOOK=BOOKKEEPING, RECORD=RECORD, SWAPS=SWAPS_GRAPH)))
        records = [r for row in rows if isinstance(r := row["r"], ox.NamedNode)]
        self._swapping = any(row["g"] is not None for row in rows)
        self._records = {record.value for record in records}
        return Bookkeeping.read(records)

    def _select(self, text: str) -> ox.QuerySolutions:
        result = self._client.query(text)
        assert isinstance(result, ox.QuerySolutions)
        return result

    def _count_graphs(self) -> dict[str, GraphStats]:
        predicates: dict[str, dict[str, int]] = {}
        classes: dict[str, dict[str, int]] = {}
        for template, table in ((PREDICATES, predicates), (CLASSES, classes)):
            for row in self._select(bind(template, RESERVED=ox.Literal(RESERVED))):
                graph, term, n = row[0], row[1], row[2]
                if isinstance(graph, ox.NamedNode) and isinstance(term, ox.NamedNode) and isinstance(n, ox.Literal):
                    table.setdefault(graph.value, {})[term.value] = int(n.value)
        return {
            graph: GraphStats(sum(used.values()), dict(sorted(classes.get(graph, {}).items())), tuple(sorted(used)))
            for graph, used in sorted(predicates.items())
        }

    def _count(self, text: str) -> int:
        for row in self._select(text):
            n = row["n"]
            return int(n.value) if isinstance(n, ox.Literal) else 0
        return 0


class _Sent:
    """N-Triples chunks of statements to send, counted as they go."""

    def __init__(self) -> None:
        self.statements = 0

    def chunks(self, triples: Iterable[ox.Triple], lines: Iterable[str]) -> Iterator[bytes]:
        statements = iter(triples)
        while batch := list(itertools.islice(statements, POST_CHUNK)):
            self.statements += len(batch)
            yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""
        rest = iter(lines)
        while text := "".join(itertools.islice(rest, POST_CHUNK)):
            self.statements += text.count("\n")
            yield text.encode()
