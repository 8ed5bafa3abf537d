"""The read model's SPARQL: every constant parses once bound, names only declared ``kg:`` terms,
and answers the questions GraphQL asks of the bundled data; ``bind`` lets only terms and integers in."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from graph import OxigraphStore
from graph.entities import bind, named_nodes, read_rows
from graph.entities import queries as q
from ontology import KG, SKOS
from tests.graph.explore.bundled import CNRS, CNRS_GRAPH, instrument

IPAL = instrument("irl-ipal")


def assembled() -> dict[str, str]:
    """Every query GraphQL can send, with the fragments the resolvers put in place."""
    filters = "\n".join([*q.INSTITUTION_FILTERS.values()])
    found = {
        "DETAILS": q.DETAILS,
        "BY_IDENTIFIER": q.BY_IDENTIFIER,
        "COPUBLICATIONS_ALL": q.COPUBLICATIONS_ALL,
        "COPUBLICATIONS_BY_YEAR": q.COPUBLICATIONS_BY_YEAR,
        "ALL_OF_CLASS": q.ALL_OF_CLASS,
        "GROUP_MEMBERS": q.GROUP_MEMBERS,
        "INSTRUMENTS_OF_PARTY": q.INSTRUMENTS_OF_PARTY,
    }
    for order in (q.ORDER_BY_NAME, q.ORDER_BY_IRI):
        found[f"INSTITUTION_PAGE {order}"] = (
            q.INSTITUTION_PAGE.replace("__FILTERS__", filters)
            .replace("__COUNT__", q.INSTITUTION_COUNT.replace("__FILTERS__", filters))
            .replace("__ORDER__", order)
        )
    filters = "\n".join(q.PUBLICATION_FILTERS.values())
    found["PUBLICATION_PAGE"] = q.PUBLICATION_PAGE.replace("__FILTERS__", filters).replace(
        "__COUNT__", q.PUBLICATION_COUNT.replace("__FILTERS__", filters)
    )
    for name, pattern in q.RELATIONS.items():
        found[f"RELATION {name}"] = q.RELATION.replace("__PATTERN__", pattern)
    return found


def filled(template: str) -> str:
    """``template`` with an integer for ``LIMIT``/``OFFSET`` and a term everywhere else."""
    names = set(re.findall(r"__([A-Z][A-Z0-9_]*)__", template))
    return bind(template, **{n: 1 if n in ("LIMIT", "OFFSET") else [ox.Literal("1")] for n in names})


@pytest.mark.parametrize(("name", "template"), assembled().items(), ids=list(assembled()))
def test_every_query_parses_once_bound(name: str, template: str) -> None:
    result = ox.Store().query(filled(template))
    assert isinstance(result, ox.QuerySolutions), name


def test_every_kg_term_the_queries_name_is_declared() -> None:
    named = {term for text in assembled().values() for term in re.findall(r"\bkg:([A-Za-z]+)", text)}
    assert named, "the queries name kg: terms"
    assert named <= KG.terms, sorted(named - KG.terms)


def test_bind_writes_terms_escaped_and_integers_only() -> None:
    text = bind("SELECT * { VALUES ?x { __X__ } } LIMIT __N__", X=[ox.Literal('a" } DROP ALL #')], N=3)
    assert text == 'SELECT * { VALUES ?x { "a\\" } DROP ALL #" } } LIMIT 3'
    assert bind("VALUES ?x { __X__ }", X=[]) == "VALUES ?x { UNDEF }"
    with pytest.raises(TypeError, match="NamedNode or Literal"):
        bind("__X__", X=["<urn:a>"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="terms or an int"):
        bind("__X__", X=True)
    with pytest.raises(KeyError, match="__Y__"):
        bind("__X__ __Y__", X=1)


def test_named_nodes_are_distinct_and_validated() -> None:
    assert [n.value for n in named_nodes(["urn:a", "urn:b", "urn:a"])] == ["urn:a", "urn:b"]
    with pytest.raises(ValueError, match="IRI"):
        named_nodes(["not an iri"])


def test_the_parties_of_an_instrument_come_with_their_role_and_facts(bundled: OxigraphStore) -> None:
    template = q.RELATION.replace("__PATTERN__", q.RELATIONS["instrument_parties"])
    rows = read_rows(bundled, bind(template, KEYS=named_nodes([IPAL]), P=[SKOS.prefLabel]))
    edges = {r["e"].text: r for r in rows if "key" in r}
    assert edges[CNRS]["role"].text == KG.SupervisingBodyRole.value
    assert edges[CNRS]["mg"].text == CNRS_GRAPH
    labels = {r["e"].text: r["o"].text for r in rows if "p" in r}
    assert labels[CNRS] == "Centre National de la Recherche Scientifique"


def test_an_entity_is_found_by_its_identifier(bundled: OxigraphStore) -> None:
    rows = read_rows(bundled, bind(q.BY_IDENTIFIER, ID=[ox.Literal("02feahw73")], P=[KG.rorId]))
    assert [r["e"].text for r in rows] == [CNRS]
