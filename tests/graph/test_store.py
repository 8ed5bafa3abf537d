"""The store: atomic replacement, idempotent reloads, union queries, lock detection, write generations,
counts kept at write time, receipts, and no partial file after a failed bulk write."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

import graph
from graph import GraphContent, GraphPatch, OxigraphStore, QueryError, StoreLockedError, StoreOpenError
from graph.counts import COUNTS_FILE
from graph.meta import META, WriteKey
from graph.store import JOURNAL

G1 = ox.NamedNode("https://w3id.org/cnrs-kg/graph/test/one")
G2 = ox.NamedNode("https://w3id.org/cnrs-kg/graph/test/two")
S = ox.NamedNode("https://w3id.org/cnrs-kg/id/org/ror/02feahw73")
P = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.fixture(params=[False, True], ids=["first-load", "reload"])
def preloaded(request: pytest.FixtureRequest) -> bool:
    """Both write paths: a graph written for the first time (bulk), and one that exists (diff)."""
    value: bool = request.param
    return value


def preload(store: OxigraphStore) -> None:
    """Give G1 and G2 an earlier content, so that the next write takes the diff path, not the bulk one."""
    store.replace_graphs([GraphContent(G1, triples("earlier")), GraphContent(G2, triples("earlier"))])


def triples(*labels: str) -> list[ox.Triple]:
    return [ox.Triple(S, P, ox.Literal(label)) for label in labels]


def test_replace_is_idempotent(tmp_path: Path, preloaded: bool) -> None:
    with OxigraphStore(tmp_path / "s") as store:
        if preloaded:
            preload(store)
        first = store.replace_graphs([GraphContent(G1, triples("CNRS", "Centre national"))])
        again = store.replace_graphs([GraphContent(G1, triples("CNRS", "Centre national"))])
        assert (first[0].added, first[0].after) == (2, 2)
        assert not again[0].changed
        assert store.graph_sizes()[G1.value] == 2


def test_replace_reports_added_and_removed(tmp_path: Path, preloaded: bool) -> None:
    with OxigraphStore(tmp_path / "s") as store:
        if preloaded:
            preload(store)
        store.replace_graphs([GraphContent(G1, triples("a", "b"))])
        change = store.replace_graphs([GraphContent(G1, triples("b", "c", "d"))])[0]
        assert (change.before, change.after, change.added, change.removed) == (2, 3, 2, 1)


def test_failed_load_leaves_previous_graphs_intact(tmp_path: Path) -> None:
    def broken() -> Iterator[ox.Triple]:
        yield from triples("new")
        raise ValueError("malformed record")

    with OxigraphStore(tmp_path / "s") as store:
        store.replace_graphs([GraphContent(G1, triples("old")), GraphContent(G2, triples("other"))])
        before = store.graph_sizes()
        with pytest.raises(ValueError, match="malformed record"):
            store.replace_graphs([GraphContent(G2, triples("x", "y")), GraphContent(G1, broken())])
        assert store.graph_sizes() == before
        labels = {row["l"].value for row in store.query("SELECT ?l WHERE { ?s ?p ?l }")}  # type: ignore[union-attr]
        assert labels == {"old", "other"}


def test_queries_see_the_union_of_graphs(tmp_path: Path, preloaded: bool) -> None:
    with OxigraphStore(tmp_path / "s") as store:
        if preloaded:
            preload(store)
        store.replace_graphs([GraphContent(G1, triples("1100")), GraphContent(G2, triples("1300"))])
        result = store.query("SELECT ?l ?g WHERE { GRAPH ?g { ?s ?p ?l } } ORDER BY ?l")
        assert [(r["l"].value, r["g"].value) for r in result] == [("1100", G1.value), ("1300", G2.value)]  # type: ignore[union-attr]
        union = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?l }")
        assert next(iter(union))["n"].value == "2"  # type: ignore[arg-type]


def test_substitutions_bind_user_values_without_string_formatting(tmp_path: Path) -> None:
    with OxigraphStore(tmp_path / "s") as store:
        store.replace_graphs([GraphContent(G1, triples("CNRS"))])
        result = store.query(
            "SELECT ?s ?label WHERE { ?s ?p ?label }", substitutions={"label": ox.Literal('CNRS" } #')}
        )
        assert list(result) == []  # type: ignore[arg-type]


def test_syntax_error_is_a_query_error(tmp_path: Path) -> None:
    with OxigraphStore(tmp_path / "s") as store, pytest.raises(QueryError, match="syntax"):
        store.query("SELECT WHERE {")


def test_crash_during_a_write_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """A writer killed after bulk-writing a new graph but before its commit: reopening undoes it."""
    path = tmp_path / "s"
    with OxigraphStore(path) as store:
        store.replace_graphs([GraphContent(G1, triples("kept"))])
    # what a load does before its commit: journal entry, then a bulk-written new graph; then it dies
    code = (
        "import os, pyoxigraph as ox\n"
        "from graph.store import JOURNAL, PENDING\n"
        f"raw = ox.Store({str(path)!r})\n"
        f"g = ox.NamedNode({G2.value!r})\n"
        "raw.extend([ox.Quad(g, PENDING, ox.Literal('loading'), JOURNAL)])\n"
        f"raw.bulk_extend([ox.Quad(ox.NamedNode('urn:x'), ox.NamedNode('urn:p'), ox.Literal('half'), g)])\n"
        "raw.flush()\n"
        "os._exit(9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False)
    assert proc.returncode == 9
    with OxigraphStore(path, read_only=True) as reader:  # a reader does not see the half-written graph
        assert {row["l"].value for row in reader.query("SELECT ?l WHERE { ?s ?p ?l }")} == {"kept"}  # type: ignore[union-attr]
    with OxigraphStore(path) as store:  # a writer drops it
        assert store.graph_sizes() == {G1.value: 1}
        assert not store.raw.contains_named_graph(JOURNAL)


def test_failure_at_commit_undoes_the_bulk_written_graphs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with OxigraphStore(tmp_path / "s") as store:
        store.replace_graphs([GraphContent(G1, triples("old"))])
        raw = store.raw

        class FailingStore:
            def __getattr__(self, name: str) -> object:
                return getattr(raw, name)

            def update(self, sparql: str, **options: object) -> None:
                raise OSError("disk full")

        monkeypatch.setattr(store, "_store", FailingStore())
        with pytest.raises(OSError, match="disk full"):
            store.replace_graphs([GraphContent(G1, triples("new")), GraphContent(G2, triples("fresh", "graph"))])
        monkeypatch.undo()
        assert store.graph_sizes() == {G1.value: 1}
        assert not raw.contains_named_graph(JOURNAL)


def test_second_writer_gets_a_clear_lock_error(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with OxigraphStore(path):
        code = f"from graph import OxigraphStore; OxigraphStore({str(path)!r})"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        assert proc.returncode != 0
        assert "StoreLockedError" in proc.stderr
        assert "in use by another process" in proc.stderr
        # a reader is still allowed while the writer holds the lock
        with OxigraphStore(path, read_only=True) as reader:
            assert reader.graph_sizes() == {}


def test_lock_error_type_in_process(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with OxigraphStore(path), pytest.raises(StoreLockedError):
        OxigraphStore(path)


def test_read_only_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreOpenError, match="load --bundled"):
        OxigraphStore(tmp_path / "nothing", read_only=True)


def test_emptied_source_drops_its_graph(tmp_path: Path, preloaded: bool) -> None:
    with OxigraphStore(tmp_path / "s") as store:
        if preloaded:
            preload(store)
        store.replace_graphs([GraphContent(G1, triples("a")), GraphContent(G2, triples("b"))])
        change = store.replace_graphs([GraphContent(G1, [])])[0]
        assert (change.before, change.after, change.removed) == (1, 0, 1)
        assert store.graph_sizes() == {G2.value: 1}


def test_literals_with_quotes_and_newlines_round_trip(tmp_path: Path, preloaded: bool) -> None:
    """On the diff path the quads travel as SPARQL text: every literal must come back intact."""
    tricky = ['say "hi"', "line\nbreak", "back\\slash } .", "Nguyễn", "} ; DROP ALL ; INSERT DATA {"]
    with OxigraphStore(tmp_path / "s") as store:
        if preloaded:
            preload(store)
        store.replace_graphs([GraphContent(G1, triples(*tricky))])
        labels = {row["l"].value for row in store.query(f"SELECT ?l WHERE {{ GRAPH {G1} {{ ?s ?p ?l }} }}")}  # type: ignore[union-attr]
        assert labels == set(tricky)


def test_a_fresh_graph_failing_mid_stream_is_undone(tmp_path: Path) -> None:
    """A first load is streamed, not held in memory: a bad record half-way through undoes it all."""

    def broken() -> Iterator[ox.Triple]:
        yield from triples("one", "two")
        raise ValueError("malformed record 3")

    with OxigraphStore(tmp_path / "s") as store:
        store.replace_graphs([GraphContent(G1, triples("old"))])
        with pytest.raises(ValueError, match="record 3"):
            store.replace_graphs([GraphContent(G1, triples("new")), GraphContent(G2, broken())])
        assert store.graph_sizes() == {G1.value: 1}
        assert {r["l"].value for r in store.query("SELECT ?l WHERE { ?s ?p ?l }")} == {"old"}  # type: ignore[union-attr]


def test_fresh_graph_counts_distinct_statements(tmp_path: Path) -> None:
    with OxigraphStore(tmp_path / "s") as store:
        change = store.replace_graphs([GraphContent(G1, iter(triples("a", "a", "b")))])[0]
        assert (change.before, change.after, change.added) == (0, 2, 2)


def test_replacing_a_graph_that_holds_blank_nodes(tmp_path: Path) -> None:
    """Regression: DELETE DATA cannot name stored blank nodes; the graph is rewritten instead."""
    blank = ox.BlankNode()
    with OxigraphStore(tmp_path / "s") as store:
        store.replace_graphs([GraphContent(G1, [ox.Triple(blank, P, ox.Literal("x")), *triples("kept")])])
        change = store.replace_graphs([GraphContent(G1, triples("kept", "new"))])[0]
        assert (change.before, change.after, change.added, change.removed) == (2, 2, 1, 1)
        result = store.query(f"SELECT ?l WHERE {{ GRAPH {G1} {{ ?s ?p ?l }} }}")
        assert {r["l"].value for r in result} == {"kept", "new"}  # type: ignore[union-attr]


def test_public_names() -> None:
    for name in graph.__all__:
        assert hasattr(graph, name)
    assert {"Backend", "OxigraphStore", "GraphContent"} <= set(graph.__all__)


def scanned(store: OxigraphStore) -> dict[str, int]:
    """Statements per named graph by a full scan, to check the counts kept at write time."""
    result = store.raw.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return dict(sorted((row["g"].value, int(row["n"].value)) for row in result))  # type: ignore[union-attr]


def test_every_write_persists_the_next_generation(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with OxigraphStore(path) as store:
        assert store.generation == 0
        store.replace_graphs([GraphContent(G1, triples("a"))])
        store.replace_graphs([GraphContent(G1, triples("a"))])  # unchanged: nothing written
        assert store.update(f"INSERT DATA {{ GRAPH {G2} {{ {S} {P} 'b' }} }}").generation == 2
        with pytest.raises(QueryError):
            store.update("INSERT DATA { <urn:a> <urn:b> ")
        commit = store.drop_graph(G2)
        assert commit is not None
        assert (commit.generation, store.generation) == (3, 3)
        assert store.drop_graph(G2) is None
    for read_only in (True, False):
        with OxigraphStore(path, read_only=read_only) as reopened:
            assert reopened.generation == 3
            assert reopened.state().modified == commit.modified
            # each record replaced its older self: none left behind
            records = sorted(g.value for g in reopened.raw.named_graphs() if g.value.startswith(META))
            assert records == sorted(reopened.bookkeeping().names())


def test_counts_kept_at_write_time_match_a_scan(tmp_path: Path) -> None:
    """Loads, updates naming graphs by prefixed name, by variable, and DROP ALL: the counts follow."""
    path = tmp_path / "s"
    with OxigraphStore(path) as store:
        store.replace_graphs([GraphContent(G1, triples("a", "b")), GraphContent(G2, triples("c"))])
        store.update(f"PREFIX t: <{G1.value.rsplit('/', 1)[0]}/> INSERT DATA {{ GRAPH t:one {{ {S} {P} 'x' }} }}")
        assert store.graph_sizes() == scanned(store) == {G1.value: 3, G2.value: 1}
        store.update("DELETE { GRAPH ?g { ?s ?p 'x' } } WHERE { GRAPH ?g { ?s ?p 'x' } }")
        assert store.graph_sizes() == scanned(store) == {G1.value: 2, G2.value: 1}
        store.update("DROP ALL")
        assert store.graph_sizes() == scanned(store) == {}
        assert store.generation == 4  # the bookkeeping survives the update that drops every graph
        store.update(f"INSERT DATA {{ GRAPH {G2} {{ {S} {P} 'again' }} }}")
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.graph_sizes() == {G2.value: 1}
        assert reader.generation == 5


def test_counts_are_made_again_after_a_crash_before_they_were_saved(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with OxigraphStore(path) as store:
        store.replace_graphs([GraphContent(G1, triples("a"))])
    older = (path / COUNTS_FILE).read_bytes()
    with OxigraphStore(path) as store:
        store.replace_graphs([GraphContent(G1, triples("a", "b")), GraphContent(G2, triples("c"))])
    (path / COUNTS_FILE).write_bytes(older)  # as if killed between the commit and the counts file
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.graph_sizes() == {G1.value: 2, G2.value: 1}


def test_bookkeeping_is_invisible_to_queries(tmp_path: Path) -> None:
    with OxigraphStore(tmp_path / "s") as store:
        store.replace_graphs([GraphContent(G1, triples("a"))])
        store.update(f"INSERT DATA {{ GRAPH {G2} {{ {S} {P} 'b' }} }}")
        graphs = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert {row["g"].value for row in graphs} == {G1.value, G2.value}  # type: ignore[union-attr]
        everything = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert int(next(iter(everything))["n"].value) == 2  # type: ignore[arg-type]


def test_an_update_may_not_write_the_stores_own_graphs(tmp_path: Path) -> None:
    with OxigraphStore(tmp_path / "s") as store:
        for update in (
            f"INSERT DATA {{ GRAPH <{META}state?generation=99> {{ {S} {P} 'x' }} }}",
            f"PREFIX j: <{JOURNAL.value}> DROP GRAPH j:",
        ):
            with pytest.raises(QueryError, match="keeps itself"):
                store.update(update)
        assert store.generation == 0


def test_a_receipt_commits_with_its_write(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with OxigraphStore(path) as store:
        commit = store.update(f"CREATE GRAPH {G1}", key=WriteKey("k-1", "request", '{"status": 204}'))
    with OxigraphStore(path, read_only=True) as reader:
        receipt = reader.receipt("k-1")
        assert receipt is not None
        assert (receipt.generation, receipt.request, receipt.outcome) == (
            commit.generation,
            "request",
            '{"status": 204}',
        )
        assert reader.receipt("k-2") is None


def test_a_bulk_write_that_fails_on_a_full_disk_leaves_no_partial_file(tmp_path: Path) -> None:
    """A file size limit makes the bulk writer fail as a full disk does; its partial file is removed."""
    path = tmp_path / "s"
    code = (
        "import os, resource, signal, pyoxigraph as ox\n"
        "from graph import GraphContent, OxigraphStore\n"
        f"store = OxigraphStore({str(path)!r})\n"
        f"store.replace_graphs([GraphContent(ox.NamedNode({G1.value!r}), [ox.Triple(ox.NamedNode({S.value!r}), "
        f"ox.NamedNode({P.value!r}), ox.Literal('kept'))])])\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))\n"
        "big = (ox.Triple(ox.NamedNode(f'urn:s/{i}'), ox.NamedNode('urn:p'), ox.Literal(f'value {i} ' * 8))"
        " for i in range(100_000))\n"
        "try:\n"
        f"    store.replace_graphs([GraphContent(ox.NamedNode({G2.value!r}), big)])\n"
        "except OSError as exc:\n"
        "    print('failed:', exc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "failed:" in proc.stdout
    assert "bulk-" in proc.stdout  # the bulk writer's file is the one that failed
    assert not list(path.glob("bulk-*"))
    with OxigraphStore(path) as store:
        assert store.graph_sizes() == scanned(store) == {G1.value: 1}


def test_a_patch_cut_short_is_counted_again_at_the_next_open(tmp_path: Path) -> None:
    """A patch is not one transaction: whatever it left, the next open reports what the graphs hold."""
    path = tmp_path / "s"

    def cut_short() -> Iterator[str]:
        yield f'<{S.value}> <{P.value}> "added" .\n'
        raise OSError("No space left on device")

    with OxigraphStore(path) as store:
        store.replace_graphs([GraphContent(G1, triples("a", "b")), GraphContent(G2, triples("c"))])
        with pytest.raises(OSError, match="No space left"):
            store.patch_graphs([GraphPatch(G1, [S], (), cut_short())], derived={G1.value: store.generation})
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.graph_sizes() == scanned(reader)
        assert reader.graph_sizes()[G2.value] == 1
