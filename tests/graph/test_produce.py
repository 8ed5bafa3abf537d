"""Large graphs made in a second process while the store loads them (``graph.produce``): the same
statements as when they are made in the loading process, the same skipped records, and a failure
there leaves the store as it was.

The size thresholds are lowered here so that small real records take the path a million works take.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyoxigraph as ox
import pytest

import graph.links.tapped
import graph.links.works
import graph.produce
import graph.store
import loaders.base
from graph.backend import GraphContent
from graph.links.index import current_index
from graph.links.profiles import COUNTRY
from graph.links.table import unpack
from graph.links.tapped import TappedFacts
from graph.produce import ChildFailed
from graph.store import OxigraphStore
from graph.writing import write_sources
from loaders import load_path
from loaders.base import LoadError
from loaders.openalex.synthetic import generate_works
from ontology import FABIO, KG, iris

OPENALEX = Path(__file__).parents[1] / "fixtures" / "openalex"
HARVEST = Path(__file__).parents[1] / "fixtures" / "harvest" / "openalex"
WORKS = [OPENALEX / "W2741809807.json", HARVEST / "W2741809807.json", HARVEST / "W2755950973.json"]


def _works_file(path: Path, *bad: str, generated: int = 0) -> Path:
    """The real works of the fixtures as JSON Lines, gzipped, with ``bad`` lines after the first; and
    ``generated`` synthetic works after them, the first real work again last (a record that repeats
    a work further on)."""
    records = [json.dumps(json.loads(work.read_text(encoding="utf-8"))) for work in WORKS]
    lines = [records[0], *bad, *records[1:]]
    if generated:
        synthetic = path.with_name("synthetic.jsonl")
        generate_works(generated, synthetic, seed=7)
        lines += [*synthetic.read_text(encoding="utf-8").splitlines(), records[0]]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    return path


def _statements(store: OxigraphStore) -> set[ox.Quad]:
    """Every statement but the bookkeeping's (which names the time of the write)."""
    return {q for q in store.quads() if "/_meta/" not in q.graph_name.value}  # type: ignore[union-attr]


def _load(
    store_path: Path, works: Path, *, apart: bool, monkeypatch: pytest.MonkeyPatch, before: Path | None = None
) -> list[LoadError]:
    monkeypatch.setattr(loaders.base, "READ_APART_FROM", 0 if apart else 1 << 40)
    monkeypatch.setattr(graph.store, "LINES_APART_FROM", 0 if apart else 1 << 40)
    with OxigraphStore(store_path) as store:
        if before is not None:  # loaded here, in both cases
            write_sources(store, load_path(before, "openalex"))
        sources = load_path(works, "openalex", strict=False)
        assert (sources[0].producer is not None) is apart
        write_sources(store, sources)
    return [problem for source in sources for problem in source.problems]


@pytest.mark.parametrize(
    ("before", "shared"),
    [(None, False), (OPENALEX / "W-api-response.json", True)],
    ids=["empty store, counted here", "a work stated before, counted by two processes"],
)
def test_a_file_read_apart_writes_and_counts_what_reading_here_does(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    before: Path | None,
    shared: bool,
) -> None:
    """Same statements, same skipped records, and the same network: counted from the works' facts
    taken as they were written (by one process, or by two, each on a share of them), except a work
    another graph states (read back from the store) and the real work the file repeats at its end
    (read back too)."""
    monkeypatch.setattr(graph.links.tapped, "SHARE_FROM_BYTES", 0 if shared else 1 << 40)
    # Small loads are loaded a segment at a time, then the rest at once: both ways here.
    monkeypatch.setattr(graph.produce, "SEGMENT", 1000 if shared else 300_000)
    monkeypatch.setattr(graph.produce, "FEW", 5000 if shared else 3_000_000)
    monkeypatch.setattr(graph.links.works, "PROCESSES", 2)
    works = _works_file(tmp_path / "works.jsonl.gz", "{not json", '{"id": "W1"}', generated=300)
    here = _load(tmp_path / "here", works, apart=False, monkeypatch=monkeypatch, before=before)
    with caplog.at_level(logging.INFO, logger="cnrs_kg.writing"):
        apart = _load(tmp_path / "apart", works, apart=True, monkeypatch=monkeypatch, before=before)
    # The generated works, and the second real one unless another graph states it: not the repeated one.
    taken = 300 if before else 301
    assert f"works counted from their statements as written: {taken}" in caplog.text
    assert [(p.line, p.field) for p in apart] == [(p.line, p.field) for p in here] == [(2, None), (3, "title")]
    assert str(apart[0]).startswith(f"{works}:2: ")
    with OxigraphStore(tmp_path / "here", read_only=True) as a, OxigraphStore(tmp_path / "apart", read_only=True) as b:
        assert _statements(a) == _statements(b)
        network = {q.graph_name for q in _statements(b) if "/network/" in q.graph_name.value}  # type: ignore[union-attr]
        assert len(network) > 5  # the network's lines were made apart too
        assert a.graph_sizes() == b.graph_sizes()
        assert _links(a) == _links(b)  # the index too, its field tables and profile rows included


def _links(store: OxigraphStore) -> set[tuple[object, ...]]:
    """The index's year links, each field's and the profile rows, by the IRIs of their ends and bodies
    (numbers differ by store)."""
    index = current_index(store)
    assert index is not None
    assert index.years.fields  # counted by field
    rows: set[tuple[object, ...]] = set()
    for name, table in {"": index.years, **index.years.fields}.items():
        years, kinds, sources, targets = unpack(np.asarray(table.keys))
        columns = zip(
            years.tolist(), kinds.tolist(), sources.tolist(), targets.tolist(), table.full.tolist(), strict=True
        )
        for year, kind, a, b, full in columns:
            rows.add((name, year, kind, *sorted((index.nodes.iris[a], index.nodes.iris[b])), full))
    profiles = index.years.profiles
    assert profiles is not None  # the collaboration profiles, counted with the links
    years, kinds, bodies, others = unpack(np.asarray(profiles.keys))
    for year, row, body, other, full in zip(
        years.tolist(), kinds.tolist(), bodies.tolist(), others.tolist(), profiles.full.tolist(), strict=True
    ):
        named = index.nodes.iris[other] if row == COUNTRY else other  # else a kind's number, or 0
        rows.add(("profiles", year, row, index.nodes.iris[body], named, full))
    return rows


def test_a_tap_leaves_out_the_works_stated_elsewhere_or_repeated_apart(tmp_path: Path) -> None:
    """The facts taken from a tap are only those of works no other graph states, written together."""
    tap = tmp_path / "0.facts"
    year, institution = FABIO.hasPublicationYear.value, KG.affiliatedInstitution.value
    numbers = {year: 0, institution: 1}
    rows = [
        ("w1", year, "2019"), ("w1", institution, "o1"), ("w2", year, "2020"),
        ("w3", year, "2018"), ("w3", year, "2017"), ("w2", institution, "o2"),
    ]  # fmt: skip
    tap.write_text("".join(f"{w}\t{numbers[p]}\t{o}\n" for w, p, o in rows), encoding="utf-8")
    facts = TappedFacts(tap, elsewhere={"w1"})
    assert list(facts) == [("w3", 2017, set(), set(), set())]
    assert facts.taken == {"w3"}


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
