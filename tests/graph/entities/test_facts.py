"""The read model over the bundled data: rows read into plain values, folded into an entity's facts."""

from __future__ import annotations

import pytest

from graph import OxigraphStore
from graph.entities import EntityFacts, Value, collect, read_rows
from graph.entities import queries as q
from graph.sparql import Listed, bind, named_nodes
from ontology import KG, ORG, RDF, SKOS
from tests.graph.explore.bundled import CNRS, GRAPH

WANTED = [RDF.type, KG.rorId, SKOS.prefLabel, KG.acronym]


def details(store: OxigraphStore, *entities: str) -> dict[str, EntityFacts]:
    rows = read_rows(store, bind(q.DETAILS, E=named_nodes(entities), P=Listed(WANTED)))
    return collect(rows, (p.value for p in WANTED))


def test_the_cnrs_facts_name_it_and_say_which_graphs_state_them(bundled: OxigraphStore) -> None:
    cnrs = details(bundled, CNRS)[CNRS]
    assert cnrs.texts(KG.rorId) == ["02feahw73"]
    assert cnrs.text(SKOS.prefLabel) == "Centre National de la Recherche Scientifique"
    assert cnrs.texts(KG.acronym) == ["CNRS"]
    assert GRAPH + "ror/ror_02feahw73_cnrs_v2.9.json" in cnrs.graphs_of(KG.rorId, "02feahw73")
    assert all(g.startswith(GRAPH) for g in cnrs.graphs())
    assert cnrs.has_type([ORG.Organization.value])
    assert cnrs.covers([KG.rorId.value])
    assert not cnrs.covers([KG.country.value])


def test_an_entity_the_store_does_not_hold_has_no_facts(bundled: OxigraphStore) -> None:
    assert details(bundled, "https://w3id.org/cnrs-kg/id/org/ror/00000000x") == {}


def test_typed_literals_keep_their_datatype_and_read_as_numbers(bundled: OxigraphStore) -> None:
    rows = read_rows(bundled, q.copublications(named_nodes([CNRS]), None))
    assert rows, "the bundled network links the CNRS"
    first = rows[0]
    assert Value(CNRS, iri=True) in (first["s"], first["t"])
    assert first["full"].datatype == "http://www.w3.org/2001/XMLSchema#integer"
    assert (first["full"].number or 0) >= 1
    assert all(r["first"].year is not None for r in rows if "first" in r)


def test_reading_rows_refuses_a_query_that_is_not_a_select(bundled: OxigraphStore) -> None:
    with pytest.raises(TypeError, match="SELECT"):
        read_rows(bundled, "ASK { ?s ?p ?o }")
