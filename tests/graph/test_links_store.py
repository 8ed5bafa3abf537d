"""The network materialised in a store from the real HAL samples, refreshed as sources change."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import GraphContent, OxigraphStore
from graph.links import network_status, publication_graphs, refresh_network
from graph.writing import write_sources
from loaders import SourceData, load_path
from ontology import ONTOLOGY_GRAPH, PREFIXES, iris

HAL = Path(__file__).resolve().parents[1] / "fixtures" / "hal"
PREAMBLE = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())
CNRS = iris.ror_org("02feahw73")
LE2I, COLOURLAB, LIX, IRCCYN = iris.hal_org(22594), iris.hal_org(439007), iris.hal_org(2071), iris.hal_org(21439)


@pytest.fixture
def store() -> OxigraphStore:
    kg = OxigraphStore(None)
    write_sources(kg, [d for path in sorted(HAL.glob("*.xml")) for d in load_path(path, "hal")])
    return kg


def link(kg: OxigraphStore, kind: str, a: ox.NamedNode, b: ox.NamedNode, year: str = "2014") -> dict[str, str]:
    source, target = sorted((a, b), key=lambda n: n.value) if kind != "InstitutionCountry" else (a, b)
    result = kg.query(
        PREAMBLE
        + f"""SELECT ?full ?frac ?internal WHERE {{ ?l kg:linkKind kg:{kind} ; kg:linkSource {source} ;
              kg:linkTarget {target} ; kg:year "{year}"^^xsd:gYear ; kg:fullCount ?full ;
              kg:fractionalCount ?frac . OPTIONAL {{ ?l kg:internal ?internal }} }}"""
    )
    assert isinstance(result, ox.QuerySolutions)
    rows = [{k: row[k].value for k in ("full", "frac", "internal") if row[k] is not None} for row in result]
    return rows[0] if rows else {}


def test_links_roll_up_and_skip_a_lab_with_its_own_cnrs(store: OxigraphStore) -> None:
    assert link(store, "InstitutionInstitution", LE2I, COLOURLAB) == {"full": "1", "frac": "1", "internal": "false"}
    assert link(store, "InstitutionInstitution", CNRS, COLOURLAB)["full"] == "1"  # Le2i rolled up to the CNRS
    assert link(store, "InstitutionInstitution", LE2I, CNRS) == {}  # one lab alone: no co-publication
    # the CNRS supervises LIX and IRCCyN (hal-01149835): it is in both their sets, tied to neither
    assert link(store, "InstitutionInstitution", LIX, CNRS) == {}
    assert link(store, "InstitutionInstitution", LIX, IRCCYN) == {"full": "1", "frac": "0.5", "internal": "false"}
    assert link(store, "InstitutionCountry", CNRS, iris.country("NO"))["full"] == "1"
    # regression: a rolled-up parent is never linked to its own country
    assert link(store, "InstitutionCountry", CNRS, iris.country("FR")) == {}


def test_all_years_graph_has_first_and_last_year(store: OxigraphStore) -> None:
    result = store.query(
        PREAMBLE
        + """SELECT ?n ?first ?last WHERE { GRAPH graph:network\\/all { ?l kg:linkKind kg:CountryCountry ;
             kg:linkSource country:FR ; kg:linkTarget country:NO ; kg:fullCount ?n ;
             kg:firstYear ?first ; kg:lastYear ?last } }"""
    )
    assert isinstance(result, ox.QuerySolutions)
    assert [(r["n"].value, r["first"].value, r["last"].value) for r in result] == [("1", "2014", "2014")]


def test_network_graphs_are_described_as_derived(store: OxigraphStore) -> None:
    sizes = store.graph_sizes()
    # hal-01246266 (2015) has one affiliation in France: no link, so no 2015 graph
    assert {g.rsplit("/", 1)[1] for g in sizes if "/graph/network/" in g} == {"2014", "all"}
    result = store.query(
        PREAMBLE + "ASK { GRAPH graph:network\\/2014 { graph:network\\/2014 a kg:SourceGraph ; dcterms:source ?s } }"
    )
    assert bool(result)


def test_reloading_the_same_publications_rewrites_nothing(store: OxigraphStore) -> None:
    again = write_sources(store, [d for path in sorted(HAL.glob("*.xml")) for d in load_path(path, "hal")])
    assert not any(change.changed for change in again)


def test_removing_a_source_recomputes_its_years(store: OxigraphStore) -> None:
    graph = iris.source_graph("hal", "hal-01213935.xml")
    store.replace_graphs([GraphContent(graph, [])])
    refresh_network(store)
    assert link(store, "InstitutionInstitution", LE2I, COLOURLAB) == {}
    assert link(store, "InstitutionInstitution", LIX, IRCCYN)["full"] == "1"  # other works stay


def test_all_years_links_sum_their_years(store: OxigraphStore) -> None:
    """The all-years graph holds the sums of the year graphs, with first and last year; no period graph
    is written (windows are summed from the years, in the index)."""
    result = store.query(
        PREAMBLE
        + """SELECT ?a ?b ?all ?years ?first ?last ?low ?high WHERE {
             { SELECT ?a ?b (SUM(?n) AS ?years) (MIN(?y) AS ?low) (MAX(?y) AS ?high) WHERE {
                 ?l kg:linkKind kg:InstitutionInstitution ; kg:linkSource ?a ; kg:linkTarget ?b ;
                    kg:year ?y ; kg:fullCount ?n .
               } GROUP BY ?a ?b }
             GRAPH graph:network\\/all { ?p kg:linkSource ?a ; kg:linkTarget ?b ; kg:fullCount ?all ;
                                          kg:firstYear ?first ; kg:lastYear ?last } }"""
    )
    assert isinstance(result, ox.QuerySolutions)
    rows = [[r[name].value for name in ("all", "years", "first", "low", "last", "high")] for r in result]
    assert len(rows) > 30  # the 35 institution ties of the samples' 2014 works
    assert all(row[0] == row[1] and row[2] == row[3] and row[4] == row[5] for row in rows)
    assert not [g for g in store.graph_sizes() if "-" in g.rsplit("/", 1)[-1] and "/network/" in g]


def test_a_network_derived_from_synthetic_works_is_synthetic(tmp_path: Path) -> None:
    from loaders.openalex.synthetic import generate_works

    works = tmp_path / "synthetic.jsonl"
    generate_works(50, works, seed=3)
    kg = OxigraphStore(None)
    write_sources(kg, load_path(works))
    result = kg.query(
        PREAMBLE
        + "SELECT DISTINCT ?flag WHERE { GRAPH graph:network\\/all { graph:network\\/all kg:synthetic ?flag } }"
    )
    assert isinstance(result, ox.QuerySolutions)
    assert [row["flag"].value for row in result] == ["true"]


def test_publication_graphs_are_told_by_what_they_say_of_themselves_not_by_name() -> None:
    """The network is derived from the graphs that describe themselves as publication sources,
    whatever the loader that wrote them is called; a graph that does not is no source of it."""
    [source] = load_path(HAL / "hal-01213935.xml", "hal")
    triples = list(source.triples)
    kg = OxigraphStore(None)
    write_sources(kg, [SourceData(replace(source.info, kind="tei"), triples)])
    assert publication_graphs(kg) == {iris.source_graph("tei", "hal-01213935.xml").value}
    assert link(kg, "InstitutionInstitution", LE2I, COLOURLAB)["full"] == "1"

    other = OxigraphStore(None)
    write_sources(other, [SourceData(replace(source.info, publications=False), triples)])
    assert publication_graphs(other) == set()
    assert not any("/graph/network/" in g for g in other.graph_sizes())
    assert not network_status(other).stale  # nothing to derive


def test_a_dropped_publication_graph_leaves_the_network_stale_until_refreshed(store: OxigraphStore) -> None:
    """A dropped graph no longer says it held publications: the network remembers the graphs it cites."""
    store.drop_graph(ONTOLOGY_GRAPH)
    assert not network_status(store).stale  # not a publication graph
    store.drop_graph(iris.source_graph("hal", "hal-01213935.xml"))
    assert network_status(store).stale
    refresh_network(store)
    assert not network_status(store).stale
    assert link(store, "InstitutionInstitution", LE2I, COLOURLAB) == {}
    assert link(store, "InstitutionInstitution", LIX, IRCCYN)["full"] == "1"  # other works stay


def test_a_graph_the_network_cites_stays_a_source_without_its_description(store: OxigraphStore) -> None:
    """As in a store written before sources described themselves, or a graph written over HTTP
    without its description: the network still counts the works of a graph it was derived from."""
    before = {g: n for g, n in store.graph_sizes().items() if "/graph/network/" in g}
    [source] = load_path(HAL / "hal-01213935.xml", "hal")
    undescribed = replace(source.info, publications=False)
    store.replace_graphs([GraphContent(source.info.graph, SourceData(undescribed, list(source.triples)).all_triples())])
    assert source.info.graph.value in publication_graphs(store)
    refresh_network(store)
    assert {g: n for g, n in store.graph_sizes().items() if "/graph/network/" in g} == before
    assert link(store, "InstitutionInstitution", LE2I, COLOURLAB) == {"full": "1", "frac": "1", "internal": "false"}
