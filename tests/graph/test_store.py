"""The store: atomic replacement, idempotent reloads, union queries, lock detection."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

import graph
from graph import GraphContent, OxigraphStore, QueryError, StoreLockedError, StoreOpenError
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

            def update(self, sparql: str) -> None:
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
