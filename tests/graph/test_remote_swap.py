"""The swap in chunks of ``graph.remote.RemoteStore`` on a real ``oxigraph serve``: a graph over the
threshold (lowered here, so that HAL records take the big path) is replaced as the one-update ``MOVE``
replaces it, and a swap cut between its chunks, by an error or by SIGKILL, is finished by the next
write, its staging graph kept until then."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import GraphContent
from graph.backend import GraphChange
from graph.meta import RESERVED
from graph.remote import RemoteStore
from graph.remote import store as remote_store
from graph.remote.store import BOOKKEEPING, SWAPS_GRAPH, staging_graph
from loaders import load_path
from tests.graph import test_remote

engine = test_remote.engine  # the fixtures: one ``oxigraph serve`` for the module, emptied for each test
remote = test_remote.remote

ROOT = Path(__file__).resolve().parents[2]
HAL = sorted((ROOT / "tests" / "fixtures" / "hal").glob("*.xml"))
G = ox.NamedNode("https://w3id.org/cnrs-kg/graph/test/swapped")
SMALL = ox.NamedNode("https://w3id.org/cnrs-kg/graph/test/small")
THRESHOLD = 200  # statements: G holds two HAL records (232, then 384), SMALL one (71 or 165)
CHUNK = 40  # statements per chunk: several chunks per step


def hal(*indexes: int) -> list[ox.Triple]:
    """The statements of the HAL fixture records at ``indexes`` (their graphs merged into one)."""
    return [triple for i in indexes for source in load_path(HAL[i], "hal") for triple in source.all_triples()]


OLD, NEW = (0, 1), (1, 2)  # a reload that keeps a record, drops one and adds one


@pytest.fixture
def chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Graphs over ``THRESHOLD`` statements (before or after) take the swap in chunks."""
    monkeypatch.setattr(remote_store, "MOVE_UP_TO", THRESHOLD)
    monkeypatch.setattr(remote_store, "SWAP_CHUNK", CHUNK)


def statements(store: RemoteStore, graph: ox.NamedNode) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.match(graph=graph)}


def reserved_graphs(store: RemoteStore) -> set[str]:
    """The store's own graphs as the engine holds them, empty ones too (Oxigraph server keeps them)."""
    result = store._client.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
    assert isinstance(result, ox.QuerySolutions)
    return {g.value for row in result if isinstance(g := row["g"], ox.NamedNode) and g.value.startswith(RESERVED)}


def figures(changes: list[GraphChange]) -> list[tuple[str, int, int, int, int]]:
    return [(c.graph, c.before, c.after, c.added, c.removed) for c in changes]


def replace(store: RemoteStore, *records: tuple[int, ...]) -> list[list[tuple[str, int, int, int, int]]]:
    """Write G with each content of ``records`` in turn (one replacement each), SMALL beside it."""
    return [
        figures(store.replace_graphs([GraphContent(G, hal(*indexes)), GraphContent(SMALL, hal(3))]))
        for indexes in records
    ]


def test_a_graph_over_the_threshold_is_swapped_as_the_move_swaps_it(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    moved = replace(remote, OLD, NEW)
    expected = statements(remote, G), remote.graph_sizes()
    remote._client.update("DROP ALL")
    monkeypatch.setattr(remote_store, "MOVE_UP_TO", THRESHOLD)
    monkeypatch.setattr(remote_store, "SWAP_CHUNK", CHUNK)
    assert replace(remote, OLD, NEW) == moved  # a first load (fill only), then a reload (trim and fill)
    assert (statements(remote, G), remote.graph_sizes()) == expected
    assert expected[1][G.value] == len(set(hal(*NEW)))
    assert reserved_graphs(remote) == {BOOKKEEPING.value}  # no staging graph, no journal left
    assert remote.bookkeeping().changed == {G.value: 2, SMALL.value: 1}


def test_a_graph_over_the_threshold_emptied_is_deleted_in_chunks(remote: RemoteStore, chunked: None) -> None:
    replace(remote, OLD)
    change = remote.replace_graphs([GraphContent(G, [])])[0]
    assert (change.before, change.after, change.removed) == (len(set(hal(*OLD))), 0, len(set(hal(*OLD))))
    assert G.value not in remote.graph_sizes()
    assert reserved_graphs(remote) == {BOOKKEEPING.value}


def test_a_graph_over_the_threshold_with_a_blank_node_is_rewritten(remote: RemoteStore, chunked: None) -> None:
    """Blank nodes never match across graphs: the trim deletes the old one, the fill brings the new."""
    note = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")

    def with_blank(indexes: tuple[int, ...]) -> list[ox.Triple]:
        return [*hal(*indexes), ox.Triple(ox.BlankNode(), note, ox.Literal("a note"))]

    remote.replace_graphs([GraphContent(G, with_blank(OLD))])
    change = remote.replace_graphs([GraphContent(G, with_blank(NEW))])[0]
    assert (change.after, change.removed) == (len(set(hal(*NEW))) + 1, len(set(hal(*OLD)) - set(hal(*NEW))) + 1)
    held = statements(remote, G)
    assert {t for t in held if not isinstance(t.subject, ox.BlankNode)} == set(hal(*NEW))
    assert [t.object for t in held if isinstance(t.subject, ox.BlankNode)] == [ox.Literal("a note")]


class Cut(Exception):
    """The writer stopped between two chunks of a swap."""


def cut_after(monkeypatch: pytest.MonkeyPatch, chunks: int) -> None:
    """Make the swap's chunk runner fail once ``chunks`` chunks have run, as a process killed there."""
    run = remote_store.RemoteStore._swap_chunk
    ran = [0]

    def one_chunk(self: RemoteStore, operation: str) -> None:
        if ran[0] == chunks:
            raise Cut
        ran[0] += 1
        run(self, operation)

    monkeypatch.setattr(remote_store.RemoteStore, "_swap_chunk", one_chunk)


def journal(store: RemoteStore) -> list[tuple[str, str, str]]:
    result = store._client.query(f"SELECT ?g ?step ?s WHERE {{ GRAPH {SWAPS_GRAPH} {{ ?g ?step ?s }} }}")
    assert isinstance(result, ox.QuerySolutions)
    return [(row["g"].value, row["step"].value.rsplit("#")[1], row["s"].value) for row in result]


@pytest.fixture
def cut_swap(remote: RemoteStore, chunked: None, monkeypatch: pytest.MonkeyPatch) -> RemoteStore:
    """A reload of G committed, its swap cut after one chunk of its trim: G part old, part new."""
    replace(remote, OLD)
    with monkeypatch.context() as cut:
        cut_after(cut, 1)
        with pytest.raises(Cut):
            replace(remote, NEW)
    return remote


def test_a_cut_swap_is_committed_and_journalled_with_its_staging_graph(cut_swap: RemoteStore) -> None:
    assert cut_swap.bookkeeping().changed == {G.value: 2, SMALL.value: 1}  # the new generation, committed
    assert journal(cut_swap) == [(G.value, "trim", staging_graph(G).value)]
    assert staging_graph(G).value in reserved_graphs(cut_swap)
    held = statements(cut_swap, G)
    assert held != set(hal(*OLD))  # part old, part new: as the module docstring says
    assert held != set(hal(*NEW))
    assert cut_swap.graph_sizes()[G.value] == len(held)  # read as it is, not kept from before


def test_the_next_write_finishes_a_cut_swap(cut_swap: RemoteStore) -> None:
    sizes = cut_swap.graph_sizes()  # read mid-swap: not kept for the generation
    cut_swap.replace_graphs([GraphContent(SMALL, hal(3))])  # unchanged: writes nothing, but finishes the swap
    assert statements(cut_swap, G) == set(hal(*NEW))
    assert cut_swap.graph_sizes() == {**sizes, G.value: len(set(hal(*NEW)))}
    assert reserved_graphs(cut_swap) == {BOOKKEEPING.value}


def test_a_journalled_staging_graph_survives_a_recovery_cut_again(
    cut_swap: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next write's recovery is cut too, in the fill this time: the staging graph the journal
    names is not dropped with the other leftovers, and the write after finishes the swap."""
    left = staging_graph(SMALL)
    cut_swap._client.update(f"INSERT DATA {{ GRAPH {left} {{ {G} {G} {G} }} }}")  # a killed load's leftover
    with monkeypatch.context() as cut:
        cut_after(cut, 3)  # the rest of the trim, then one chunk of the fill
        with pytest.raises(Cut):
            cut_swap.replace_graphs([GraphContent(SMALL, hal(3))])
    assert journal(cut_swap) == [(G.value, "fill", staging_graph(G).value)]
    assert staging_graph(G).value in reserved_graphs(cut_swap)
    cut_swap.replace_graphs([GraphContent(SMALL, hal(3))])
    assert statements(cut_swap, G) == set(hal(*NEW))
    assert reserved_graphs(cut_swap) == {BOOKKEEPING.value}


def test_a_clients_drop_all_finishes_the_swap_first(cut_swap: RemoteStore) -> None:
    cut_swap.update("DROP ALL")
    assert cut_swap.graph_sizes() == {}
    assert reserved_graphs(cut_swap) == {BOOKKEEPING.value}
    cut_swap.replace_graphs([GraphContent(G, hal(*NEW))])  # and the store writes on as before
    assert statements(cut_swap, G) == set(hal(*NEW))


WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from graph import GraphContent
    from graph.remote import store
    from loaders import load_path

    store.MOVE_UP_TO, store.SWAP_CHUNK = {threshold}, {chunk}
    run, ran = store.RemoteStore._swap_chunk, []
    def one_chunk(self, operation):
        if ran:
            os.kill(os.getpid(), signal.SIGKILL)
        ran.append(run(self, operation))
    store.RemoteStore._swap_chunk = one_chunk
    triples = [t for p in sys.argv[2:] for s in load_path(Path(p), "hal") for t in s.all_triples()]
    with store.RemoteStore(sys.argv[1]) as remote:
        remote.replace_graphs([GraphContent(store.ox.NamedNode({graph!r}), triples)])
    """
)


def test_a_writer_killed_between_two_chunks_leaves_a_swap_the_next_write_finishes(
    engine: str, remote: RemoteStore, chunked: None
) -> None:
    """SIGKILL of the writing process after the first chunk of its swap (deterministic: it kills itself)."""
    replace(remote, OLD)
    script = WRITER.format(threshold=THRESHOLD, chunk=CHUNK, graph=G.value)
    records = [str(HAL[i]) for i in NEW]
    command = [sys.executable, "-c", script, engine, *records]
    killed = subprocess.run(command, capture_output=True, timeout=120, cwd=ROOT)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    assert journal(remote) == [(G.value, "trim", staging_graph(G).value)]
    remote.replace_graphs([GraphContent(SMALL, hal(3))])
    assert statements(remote, G) == set(hal(*NEW))
    assert reserved_graphs(remote) == {BOOKKEEPING.value}


def test_a_commit_whose_answer_is_lost_keeps_its_journalled_staging_graph(
    remote: RemoteStore, chunked: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine commits, the answer never comes back: the failed write drops its staging graphs,
    but not the one the journal names, which the next write swaps in."""
    replace(remote, OLD)
    run = remote_store.RemoteStore._run

    def lost(self: RemoteStore, sparql: str, bookkeeping: str) -> None:
        run(self, sparql, bookkeeping)
        raise Cut

    with monkeypatch.context() as cut:
        cut.setattr(remote_store.RemoteStore, "_run", lost)
        with pytest.raises(Cut):
            remote.replace_graphs([GraphContent(G, hal(*NEW)), GraphContent(SMALL, hal(0))])
    assert journal(remote) == [(G.value, "trim", staging_graph(G).value)]
    assert reserved_graphs(remote) == {BOOKKEEPING.value, SWAPS_GRAPH.value, staging_graph(G).value}
    remote.replace_graphs([GraphContent(SMALL, hal(0))])
    assert statements(remote, G) == set(hal(*NEW))
    assert reserved_graphs(remote) == {BOOKKEEPING.value}
