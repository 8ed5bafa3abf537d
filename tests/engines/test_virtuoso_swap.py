"""The swap in chunks of ``graph.remote.RemoteStore`` on a real Virtuoso, where each operation of an
update is its own transaction: a graph over the threshold (lowered, so that HAL records take the
big path) is replaced as the ``MOVE`` replaces it, and a swap cut between chunks is finished by the
next write. The chunk size Virtuoso accepts under its transaction log limit (SR325) was measured
once (the figures are beside ``SWAP_CHUNK``): loading 200,000 statements takes too long for a test."""

from __future__ import annotations

import pytest

from graph import GraphContent
from graph.meta import RESERVED
from graph.remote import RemoteStore
from graph.remote import store as remote_store
from graph.remote.store import BOOKKEEPING
from tests.graph import test_remote, test_remote_swap
from tests.graph.test_remote_swap import CHUNK, NEW, OLD, SMALL, THRESHOLD, Cut, G, cut_after, hal, replace

virtuoso = test_remote.virtuoso  # the fixtures: one Virtuoso for the module, emptied for each test
on_virtuoso = test_remote.on_virtuoso


def reserved_graphs(store: RemoteStore) -> set[str]:
    """The store's own graphs (Virtuoso keeps no empty graph: those holding a statement)."""
    held = test_remote.select(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {g for (g,) in held if g.startswith(RESERVED)}


def test_a_graph_over_the_threshold_is_swapped_on_virtuoso_as_the_move_swaps_it(
    on_virtuoso: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    moved = replace(on_virtuoso, OLD, NEW)
    expected = test_remote_swap.statements(on_virtuoso, G), on_virtuoso.graph_sizes()
    for graph in (G, SMALL):
        on_virtuoso.drop_graph(graph)
    monkeypatch.setattr(remote_store, "MOVE_UP_TO", THRESHOLD)
    monkeypatch.setattr(remote_store, "SWAP_CHUNK", CHUNK)
    assert replace(on_virtuoso, OLD, NEW) == moved
    assert (test_remote_swap.statements(on_virtuoso, G), on_virtuoso.graph_sizes()) == expected
    assert reserved_graphs(on_virtuoso) == {BOOKKEEPING.value}


def test_a_swap_cut_on_virtuoso_is_finished_by_the_next_write(
    on_virtuoso: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_store, "MOVE_UP_TO", THRESHOLD)
    monkeypatch.setattr(remote_store, "SWAP_CHUNK", CHUNK)
    replace(on_virtuoso, OLD)
    with monkeypatch.context() as cut:
        cut_after(cut, 1)
        with pytest.raises(Cut):
            replace(on_virtuoso, NEW)
    assert test_remote_swap.journal(on_virtuoso)
    on_virtuoso.replace_graphs([GraphContent(SMALL, hal(3))])
    assert test_remote_swap.statements(on_virtuoso, G) == set(hal(*NEW))
    assert reserved_graphs(on_virtuoso) == {BOOKKEEPING.value}
