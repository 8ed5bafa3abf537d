"""The network's names and its two queries: the graphs it is written to, ``HIERARCHY`` (the
organisation hierarchy with its dates and sources, which the roll-up climbs and the explorer draws)
and ``LINKS`` (the one reader of the stored links in RDF: a rebuild of the index, GraphQL's
co-publications of one entity)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyoxigraph as ox

from graph import sparql
from ontology import iris

NETWORK_KIND = "network"
ALL_YEARS = "all"
PERIOD = 5
PERIOD_NAME = re.compile(r"^\d{4}-\d{4}$")
INST, INST_COUNTRY, COUNTRY = "institution-institution", "institution-country", "country-country"
KINDS = (INST, INST_COUNTRY, COUNTRY)  # numbered in this order in the index (``graph.links.table``)
KIND_TERMS = {INST: "InstitutionInstitution", INST_COUNTRY: "InstitutionCountry", COUNTRY: "CountryCountry"}

# The organisation hierarchy the roll-up climbs, also the explorer's HIERARCHY edges: each child
# and parent (``org:subOrganizationOf``, or ``kg:supervisingBody``, its sub-property) that
# ``HIERARCHY_EDGES`` names, and their facts (``sparql.Facts``): the graphs stating the edge
# (``graph``), the child's dates, between which it holds (``start``, ``end``), and the parent's own,
# between which it existed (``pstart``: a start date, or the year ROR says it was established;
# ``pend``): a body gets no credit from a work of a year it did not exist in. Edges are matched in
# their graphs, whose names the facts reuse (matching them in the union first, and their graphs
# after, took twice as long). The parents' dates are grouped apart and joined on ?parent: as more
# arms of the child's UNION, whose arms share no variable, Oxigraph 0.5 paired every edge with every
# dated organisation (ten times slower).
HIERARCHY = """SELECT ?child ?parent
  (CONCAT(GROUP_CONCAT(DISTINCT ?fact; separator="\\n"), "\\n", COALESCE(SAMPLE(?lifetime), "")) AS ?facts) WHERE {
  GRAPH ?g { __EDGES__ }
  FILTER(?child != ?parent)
  { BIND("graph" AS ?tag) } UNION { ?child schema:startDate ?v BIND("start" AS ?tag) }
  UNION { ?child schema:endDate ?v BIND("end" AS ?tag) }
  BIND(CONCAT(?tag, " ", STR(COALESCE(?v, ?g))) AS ?fact)
  OPTIONAL { SELECT ?parent (GROUP_CONCAT(DISTINCT ?date; separator="\\n") AS ?lifetime) WHERE {
      { ?parent schema:startDate|kg:establishmentYear ?d BIND("pstart" AS ?when) }
      UNION { ?parent schema:endDate ?d BIND("pend" AS ?when) }
      BIND(CONCAT(?when, " ", STR(?d)) AS ?date)
    } GROUP BY ?parent }
} GROUP BY ?child ?parent"""
HIERARCHY_EDGES = {
    "around": """VALUES ?f { __AROUND__ } VALUES ?o { __OTHERS__ }
  { ?f org:subOrganizationOf|kg:supervisingBody ?o BIND(?f AS ?child) BIND(?o AS ?parent) }
  UNION { ?o org:subOrganizationOf|kg:supervisingBody ?f BIND(?o AS ?child) BIND(?f AS ?parent) }""",
    "every": "?child org:subOrganizationOf|kg:supervisingBody ?parent",
}
"""Which edges ``HIERARCHY`` reads: those with one end among ``__AROUND__`` and the other among
``__OTHERS__`` (``sparql.ANY``: any), or every edge (without the two directions ``around`` asks:
twice as fast as ``around`` with both ends free)."""


def hierarchy_query(edges: str, around: Sequence[ox.NamedNode] = (), others: Sequence[ox.NamedNode | None] = ()) -> str:
    """``HIERARCHY`` over ``HIERARCHY_EDGES[edges]``, bound, without the prologue (``graph.explore`` nests it)."""
    return sparql.bind(HIERARCHY.replace("__EDGES__", HIERARCHY_EDGES[edges]), AROUND=around, OTHERS=others)


# The stored links, the one reader of the network (``graph.explore``, GraphQL, a refresh): in the
# graphs ?g (``sparql.ANY``: every graph), each link ?l of kind ?kind from ?s to ?t, its counts,
# ``kg:internal`` when stated, its years as ``LINK_SPANS`` names them, and the ends ``LINK_ENDS``
# names. The node VALUES sit inside GRAPH: outside it, Oxigraph 0.5 joins them after scanning every
# link (500x slower).
LINKS = """SELECT DISTINCT ?g ?l ?kind ?s ?t ?year ?first ?full ?frac ?internal WHERE {
  VALUES ?g { __GRAPHS__ }
  GRAPH ?g {
    __ENDS__
    ?l kg:linkSource ?s ; kg:linkTarget ?t ; __SPAN__ ; kg:linkKind ?kind ; kg:fullCount ?full ;
       kg:fractionalCount ?frac .
    OPTIONAL { ?l kg:internal ?internal }
  }
}"""
LINK_ENDS = {
    "around": "VALUES ?f { __NODES__ } { ?l kg:linkSource ?f } UNION { ?l kg:linkTarget ?f }",
    "within": "VALUES ?s { __NODES__ } VALUES ?t { __NODES__ }",
    "all": "",
}
"""Which links of the graphs ``LINKS`` reads: with an end among the nodes (``around``), both ends
among them (``within``), or every one (``all``)."""
# Constant predicates: one bound from VALUES made the explorer's query 30% slower.
LINK_SPANS = {"year": "kg:year ?year", "years": "kg:firstYear ?first ; kg:lastYear ?year"}
"""Which links ``LINKS`` reads, by their years: a year graph's (``year``: ?year), or a period's or all
years' (``years``: ?first, and ?year the last)."""


def links_query(ends: str, span: str, graphs: Sequence[ox.NamedNode | None], nodes: Sequence[ox.NamedNode] = ()) -> str:
    """``LINKS`` with the ends and span named, bound, without the prologue (``graph.explore`` nests it)."""
    template = LINKS.replace("__ENDS__", LINK_ENDS[ends]).replace("__SPAN__", LINK_SPANS[span])
    return sparql.bind(template, GRAPHS=graphs, NODES=nodes)


def network_graph(name: str) -> ox.NamedNode:
    return iris.source_graph(NETWORK_KIND, name)


NETWORK_PREFIX = network_graph(ALL_YEARS).value.removesuffix(ALL_YEARS)


def period_of(year: int) -> str:
    """The five-year period a year belongs to, aligned on multiples of five.

    >>> period_of(2015), period_of(2024)
    ('2015-2019', '2020-2024')
    """
    start = year - year % PERIOD
    return f"{start}-{start + PERIOD - 1}"


# The newest retrieval date of the graphs ?g (each states its own, ``describe_source``).
RETRIEVED = (
    sparql.PROLOGUE
    + """SELECT (MAX(STR(?d)) AS ?latest) WHERE {
  VALUES ?g { __GRAPHS__ } GRAPH ?g { ?g prov:generatedAtTime ?d }
}"""
)
