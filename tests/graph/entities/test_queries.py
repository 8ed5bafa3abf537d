"""The read model's SPARQL answers the questions GraphQL asks of the bundled data. (That every
query of it parses in every composition and names only declared terms: ``tests/graph/test_sparql.py``.)"""

from __future__ import annotations

import pyoxigraph as ox

from graph import OxigraphStore
from graph.entities import queries as q
from graph.entities import read_rows
from graph.sparql import bind, named_nodes
from ontology import KG, SKOS
from tests.graph.explore.bundled import CEA, CNRS, CNRS_GRAPH, FRANCE, instrument

IPAL = instrument("irl-ipal")


def test_the_parties_of_an_instrument_come_with_their_role_and_facts(bundled: OxigraphStore) -> None:
    rows = read_rows(bundled, bind(q.relation("instrument_parties"), KEYS=named_nodes([IPAL]), P=[SKOS.prefLabel]))
    edges = {r["e"].text: r for r in rows if "key" in r}
    assert edges[CNRS]["role"].text == KG.SupervisingBodyRole.value
    assert edges[CNRS]["mg"].text == CNRS_GRAPH
    labels = {r["e"].text: r["o"].text for r in rows if "p" in r}
    assert labels[CNRS] == "Centre National de la Recherche Scientifique"


def test_an_entity_is_found_by_its_identifier(bundled: OxigraphStore) -> None:
    rows = read_rows(bundled, bind(q.BY_IDENTIFIER, ID=[ox.Literal("02feahw73")], P=[KG.rorId]))
    assert [r["e"].text for r in rows] == [CNRS]


def test_copublications_read_the_network_over_all_years_or_per_year(bundled: OxigraphStore) -> None:
    """Over all years a link carries its first and last year; per year, its year."""
    every = read_rows(bundled, q.copublications(named_nodes([CNRS]), None))
    cea = [r for r in every if CEA in (r["s"].text, r["t"].text)]
    assert [(r["first"].year, r["year"].year) for r in cea] == [(2014, 2014)]
    assert [r["year"].year for r in read_rows(bundled, q.copublications(named_nodes([CNRS]), [2014]))]
    assert read_rows(bundled, q.copublications(named_nodes([CNRS]), [2015, 2016])) == []


def test_a_page_is_composed_of_the_filters_named(bundled: OxigraphStore) -> None:
    template = q.page("institution", ["country"], order="iri", count=True)
    rows = read_rows(bundled, bind(template, COUNTRY=[ox.NamedNode(FRANCE)], LIMIT=2, OFFSET=0, P=[KG.country]))
    total = next(int(r["total"].text) for r in rows if "total" in r)
    page = {r["e"].text for r in rows if "e" in r}
    assert total > 2
    assert len(page) == 2
    assert all(r["o"].text == FRANCE for r in rows if "o" in r)
