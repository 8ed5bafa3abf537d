"""The network kept in step by increments equals the network counted again from the publications,
and its counts equal those computed from the raw publications.

The organisations are the bundled ROR records and countries (real); the works are synthetic
(``cnrs-kg generate``), over those organisations, as the benchmarks use them. The second file
repeats work identifiers of the first (the generator numbers works from 1), so those works have
two sources: their affiliations are the union, their year the earliest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyoxigraph as ox
import pytest

from graph import GraphPatch, OxigraphStore
from graph.explore import trend
from graph.links import ALL_YEARS, NETWORK_PREFIX, current_index, network_graph, network_status, refresh_network
from graph.links import works as links_works
from graph.links.table import LinkTable, Nodes, unpack
from graph.writing import write_sources
from loaders import SourceData, load_path
from loaders.bundled import bundled_sources
from loaders.openalex.synthetic import generate_works
from ontology import PREFIXES, iris

PREAMBLE = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())


@pytest.fixture(scope="module")
def organisations() -> list[SourceData]:
    return [d for s in bundled_sources() if s.kind in ("ror", "countries") for d in load_path(s.path, s.kind)]


@pytest.fixture(scope="module")
def works(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("works")
    (folder / "later").mkdir()
    files = {"a": folder / "a.jsonl", "b": folder / "b.jsonl", "a-less": folder / "later" / "a.jsonl"}
    generate_works(120, files["a"], seed=1)
    generate_works(80, files["b"], seed=2, first_year=2010)
    generate_works(100, files["a-less"], seed=1)  # the same source again, its last 20 works gone
    return files


def publications(path: Path) -> list[SourceData]:
    return load_path(path, "openalex")


def network_quads(store: OxigraphStore) -> dict[str, set[ox.Triple]]:
    return {
        graph: {quad.triple for quad in store.quads(ox.NamedNode(graph))}
        for graph in store.graph_sizes()
        if graph.startswith(NETWORK_PREFIX)
    }


def index_rows(store: OxigraphStore) -> set[tuple[int, int, str, str, int, float, bool]]:
    index = current_index(store)
    assert index is not None
    years, kinds, a, b = unpack(np.asarray(index.years.keys))
    iris_ = index.nodes.iris
    return {
        (y, k, iris_[s], iris_[t], int(full), round(float(frac), 6), bool(internal))
        for y, k, s, t, full, frac, internal in zip(
            years.tolist(),
            kinds.tolist(),
            a.tolist(),
            b.tolist(),
            index.years.full,
            index.years.fractional,
            index.years.internal,
            strict=True,
        )
    }


def test_loads_one_after_another_equal_one_recount(
    organisations: list[SourceData], works: dict[str, Path], tmp_path: Path
) -> None:
    stepwise = OxigraphStore(tmp_path / "stepwise")
    write_sources(stepwise, organisations)
    write_sources(stepwise, publications(works["a"]))
    write_sources(stepwise, publications(works["b"]))
    write_sources(stepwise, publications(works["a-less"]))  # a reload that takes works away
    assert not network_status(stepwise).stale

    recounted = OxigraphStore(None)
    write_sources(recounted, [*organisations, *publications(works["b"]), *publications(works["a-less"])])
    assert network_quads(stepwise) == network_quads(recounted)
    assert index_rows(stepwise) == index_rows(recounted)
    assert sum(len(q) for q in network_quads(stepwise).values()) > 5_000  # not a vacuous pass

    # A refresh finds nothing to change, and the index on disk is the one a reader opens.
    assert not any(change.changed for change in refresh_network(stepwise))
    stepwise.close()
    reopened = OxigraphStore(tmp_path / "stepwise", read_only=True)
    assert index_rows(reopened) == index_rows(recounted)


def test_reloading_the_same_works_writes_nothing(organisations: list[SourceData], works: dict[str, Path]) -> None:
    store = OxigraphStore(None)
    write_sources(store, [*organisations, *publications(works["a"])])
    generation = store.generation
    assert not any(change.changed for change in write_sources(store, publications(works["a"])))
    assert store.generation == generation


COUNTRY_PAIRS = """SELECT ?a ?b (COUNT(DISTINCT ?w) AS ?n) WHERE {
  ?w kg:affiliatedCountry ?a , ?b . FILTER(STR(?a) < STR(?b))
} GROUP BY ?a ?b"""
WORK_YEARS = """SELECT ?w (MIN(?y) AS ?year) WHERE {
  ?w kg:affiliatedCountry country:FR , country:VN ; fabio:hasPublicationYear ?y
} GROUP BY ?w"""


def test_counts_equal_those_of_the_raw_publications(organisations: list[SourceData], works: dict[str, Path]) -> None:
    store = OxigraphStore(None)
    write_sources(store, organisations)
    write_sources(store, publications(works["a"]))
    write_sources(store, publications(works["b"]))
    # Country pairs: the works naming both countries, over all years.
    raw = store.query(PREAMBLE + COUNTRY_PAIRS)
    assert isinstance(raw, ox.QuerySolutions)
    expected = {(row["a"].value, row["b"].value): int(row["n"].value) for row in raw}
    stored = store.query(
        PREAMBLE
        + """SELECT ?a ?b ?n WHERE { GRAPH graph:network\\/all {
             ?l kg:linkKind kg:CountryCountry ; kg:linkSource ?a ; kg:linkTarget ?b ; kg:fullCount ?n } }"""
    )
    assert isinstance(stored, ox.QuerySolutions)
    found = {(row["a"].value, row["b"].value): int(row["n"].value) for row in stored}
    assert found == expected
    assert len(found) > 20
    # A trend: the works naming France and Vietnam, per earliest year.
    rows = store.query(PREAMBLE + WORK_YEARS)
    assert isinstance(rows, ox.QuerySolutions)
    per_year: dict[int, float] = defaultdict(float)
    for row in rows:
        per_year[int(row["year"].value[:4])] += 1
    assert trend(store, iris.country("FR").value, iris.country("VN").value) == dict(sorted(per_year.items()))
    assert per_year


def test_a_network_write_cut_short_is_reported_stale_and_the_next_refresh_repairs_it(
    organisations: list[SourceData], works: dict[str, Path]
) -> None:
    store = OxigraphStore(None)
    write_sources(store, [*organisations, *publications(works["a"])])
    expected = network_quads(store)
    index = current_index(store)

    def broken() -> Iterator[str]:
        yield "<urn:x> <urn:p> <urn:o> .\n"
        raise OSError("No space left on device")

    graph = network_graph("2020")
    patch = GraphPatch(
        graph,
        [ox.NamedNode(s) for s in sorted({str(t.subject)[1:-1] for t in expected[graph.value]})][:50],
        (),
        broken(),
    )
    with pytest.raises(OSError, match="No space left"):
        store.patch_graphs([patch], derived={network_graph(ALL_YEARS).value: 99})
    status = network_status(store)
    assert status.stale
    assert status.message.startswith("network write cut short")
    assert current_index(store) is index  # the questions still answer from the network as it was
    refresh_network(store)
    assert not network_status(store).stale
    assert network_quads(store) == expected


def test_works_counted_in_several_processes_count_as_in_one(
    organisations: list[SourceData], works: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = OxigraphStore(tmp_path / "store")
    write_sources(store, [*organisations, *publications(works["a"]), *publications(works["b"])])
    every = list(links_works.every_work(store))
    alone = links_works.read_context(store)
    serial = links_works.contributions(store, every, alone)
    monkeypatch.setattr(links_works, "PARALLEL_FROM", 10)
    monkeypatch.setattr(links_works, "PROCESSES", 2)
    context = links_works.read_context(store)
    parallel = links_works.contributions(store, every, context)
    assert len(serial) > 1000
    serial_rows = sorted(zip(*_named(serial, alone.nodes), strict=True))
    assert sorted(zip(*_named(parallel, context.nodes), strict=True)) == serial_rows


def _named(table: LinkTable, nodes: Nodes) -> tuple[list[tuple[int, int, str, str]], list[int], list[float]]:
    years, kinds, a, b = unpack(np.asarray(table.keys))
    ends = [(y, k, nodes.iris[s], nodes.iris[t]) for y, k, s, t in zip(years, kinds, a, b, strict=True)]
    return ends, table.full.tolist(), np.round(table.fractional, 9).tolist()
