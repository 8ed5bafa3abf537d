"""Large graphs made in a second process while the store loads them (``graph.produce``): the same
statements as when they are made in the loading process, the same skipped records, and a failure
there leaves the store as it was.

The size thresholds are lowered here so that small real records take the path a million works take.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

import graph.store
import loaders.base
from graph.backend import GraphContent
from graph.produce import ChildFailed
from graph.store import OxigraphStore
from graph.writing import write_sources
from loaders import load_path
from loaders.base import LoadError
from ontology import iris

OPENALEX = Path(__file__).parents[1] / "fixtures" / "openalex"
HARVEST = Path(__file__).parents[1] / "fixtures" / "harvest" / "openalex"
WORKS = [OPENALEX / "W2741809807.json", HARVEST / "W2741809807.json", HARVEST / "W2755950973.json"]


def _works_file(path: Path, *bad: str) -> Path:
    """The real works of the fixtures as JSON Lines, gzipped, with ``bad`` lines after the first."""
    records = [json.dumps(json.loads(work.read_text(encoding="utf-8"))) for work in WORKS]
    text = "\n".join([records[0], *bad, *records[1:]]) + "\n"
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    return path


def _statements(store: OxigraphStore) -> set[ox.Quad]:
    """Every statement but the bookkeeping's (which names the time of the write)."""
    return {q for q in store.quads() if "/_meta/" not in q.graph_name.value}  # type: ignore[union-attr]


def _load(store_path: Path, works: Path, *, apart: bool, monkeypatch: pytest.MonkeyPatch) -> list[LoadError]:
    monkeypatch.setattr(loaders.base, "READ_APART_FROM", 0 if apart else 1 << 40)
    monkeypatch.setattr(graph.store, "LINES_APART_FROM", 0 if apart else 1 << 40)
    sources = load_path(works, "openalex", strict=False)
    assert (sources[0].producer is not None) is apart
    with OxigraphStore(store_path) as store:
        write_sources(store, sources)
    return [problem for source in sources for problem in source.problems]


def test_a_file_read_apart_writes_what_reading_here_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    works = _works_file(tmp_path / "works.jsonl.gz", "{not json", '{"id": "W1"}')
    here = _load(tmp_path / "here", works, apart=False, monkeypatch=monkeypatch)
    apart = _load(tmp_path / "apart", works, apart=True, monkeypatch=monkeypatch)
    assert [(p.line, p.field) for p in apart] == [(p.line, p.field) for p in here] == [(2, None), (3, "title")]
    assert str(apart[0]).startswith(f"{works}:2: ")
    with OxigraphStore(tmp_path / "here", read_only=True) as a, OxigraphStore(tmp_path / "apart", read_only=True) as b:
        assert _statements(a) == _statements(b)
        network = {q.graph_name for q in _statements(b) if "/network/" in q.graph_name.value}  # type: ignore[union-attr]
        assert network  # the network's lines were made apart too
        assert a.graph_sizes() == b.graph_sizes()


def test_a_strict_file_read_apart_stops_at_its_bad_record_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with OxigraphStore(tmp_path / "store") as store:
        write_sources(store, load_path(OPENALEX / "W-api-response.json", "openalex"))
        before, generation = store.graph_sizes(), store.generation
    monkeypatch.setattr(loaders.base, "READ_APART_FROM", 0)
    works = _works_file(tmp_path / "works.jsonl.gz", '{"id": "W1"}')
    sources = load_path(works, "openalex", strict=True)
    with OxigraphStore(tmp_path / "store") as store:
        with pytest.raises(LoadError, match=r"works\.jsonl\.gz:2:title: work with neither a title"):
            write_sources(store, sources)
        assert (store.graph_sizes(), store.generation) == (before, generation)
        assert not store.has_graph(iris.source_graph("openalex", works.name))


class Dying:
    """A producer whose process dies half-way, as one killed or out of memory does."""

    def produce(self) -> Iterator[ox.Triple]:
        yield ox.Triple(ox.NamedNode("https://w3id.org/cnrs-kg/id/work/x"), ox.NamedNode("urn:p"), ox.Literal("1"))
        os._exit(9)

    def report(self) -> object:
        return None

    def received(self, report: object) -> None:
        raise AssertionError("a dead process reports nothing")


def test_a_process_that_dies_half_way_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    with OxigraphStore(tmp_path / "store") as store:
        write_sources(store, load_path(OPENALEX / "W-api-response.json", "openalex"))
        before, generation = store.graph_sizes(), store.generation
        lost = ox.NamedNode("https://w3id.org/cnrs-kg/graph/lost")
        with pytest.raises(ChildFailed, match=r"stopped \(exit status 9\)"):
            store.replace_graphs([GraphContent(lost, [], Dying())])
        assert (store.graph_sizes(), store.generation) == (before, generation)
        assert not store.has_graph(lost)
    with OxigraphStore(tmp_path / "store", read_only=True) as reopened:
        assert reopened.graph_sizes() == before
