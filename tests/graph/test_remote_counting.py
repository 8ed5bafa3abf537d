"""Network counting over a remote store (``oxigraph serve``) reads works in batches and counts them as
the embedded store counts them: the bundled data and 300 SYNTHETIC works (``cnrs-kg generate``), loaded
into both by ``cnrs-kg load``."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from api.testing import cnrs_kg_command
from graph import OxigraphStore
from graph.links import publication_graphs
from graph.links import works as links_works
from graph.links.table import LinkTable, Nodes, unpack
from graph.remote import RemoteStore
from tests.engines.oxigraph import oxigraph_serve

WORKS = 300


Row = tuple[tuple[int, int, str, str], int, float, bool]


def cnrs_kg(*args: str) -> None:
    done = subprocess.run(cnrs_kg_command(*args), capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 2), done.stderr[-2000:]  # 2: a record skipped, reported


def fill(store: str, works: Path) -> None:
    cnrs_kg("load", "--bundled", "--store", store)
    cnrs_kg("load", str(works), "--store", store)


@pytest.fixture(scope="module")
def works(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("works") / "synthetic.jsonl.gz"
    cnrs_kg("generate", "--works", str(WORKS), "-o", str(path), "--seed", "3")
    return path


@pytest.fixture(scope="module")
def embedded(works: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    path = tmp_path_factory.mktemp("embedded") / "store"
    fill(str(path), works)
    with OxigraphStore(path, read_only=True) as store:
        yield store


@pytest.fixture(scope="module")
def remote(works: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStore]:
    """An ``oxigraph serve`` filled as ``embedded``; tests only read it."""
    with oxigraph_serve(tmp_path_factory.mktemp("engine") / "data") as url:
        fill(url, works)
        with RemoteStore(url, read_only=True) as store:
            yield store


def named(table: LinkTable, nodes: Nodes) -> list[Row]:
    """The links by their ends' IRIs (each store's register numbers them its own way), sorted."""
    years, kinds, a, b = unpack(np.asarray(table.keys))
    ends = [(int(y), int(k), nodes.iris[s], nodes.iris[t]) for y, k, s, t in zip(years, kinds, a, b, strict=True)]
    fractional = np.round(table.fractional, 9).tolist()
    return sorted(zip(ends, table.full.tolist(), fractional, table.internal.tolist(), strict=True))


def counted(store: OxigraphStore | RemoteStore, exclude: frozenset[str] = frozenset()) -> list[Row]:
    context = links_works.read_context(store)
    works = links_works.every_work(store)
    return named(links_works.contributions(store, works, context, exclude=exclude), context.nodes)


def test_a_remote_store_is_read_in_batches(remote: RemoteStore, embedded: OxigraphStore) -> None:
    assert isinstance(remote, links_works.ReadsSubjects)
    assert not isinstance(embedded, links_works.ReadsSubjects)


def test_batched_counting_over_oxigraph_serve_equals_the_embedded_counting(
    remote: RemoteStore, embedded: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(links_works, "BATCH", 7)  # many batches, works cut between them
    assert len(links_works.every_work(remote)) == len(links_works.every_work(embedded)) > WORKS
    expected = counted(embedded)
    assert len(expected) > 1000
    assert counted(remote) == expected


def test_batched_counting_leaves_out_the_excluded_graphs_as_the_embedded_one(
    remote: RemoteStore, embedded: OxigraphStore
) -> None:
    """How a load counts the works it brings as they were before it: without the graphs it replaces."""
    for graph in sorted(publication_graphs(embedded)):
        expected = counted(embedded, frozenset({graph}))
        assert counted(remote, frozenset({graph})) == expected
    assert expected != counted(embedded)
