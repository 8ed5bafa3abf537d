"""What a place or an instrument stands for in the network questions: the organisations located in a
country, a UN M49 region or a group of countries, and the parties of an instrument.

A seed of ``network`` that is a country (``country/VN``), a region (``area/m49/035``), a group
(``group/asean``) or an instrument (``instrument/irl-ipal``) stands for these organisations
(``members``); ``partners`` keeps the partners located in the countries, regions or groups asked,
of the organisation types asked (``located``). An organisation is located where ``kg:country``
says; a country is in a region through ``kg:region``, ``kg:subRegion`` or
``kg:intermediateRegion``, and in a group through an ``org:Membership`` of it. Group memberships
are read whatever their dates (ASEAN's members of today stand for ASEAN in every year).

Every IRI enters the queries as a term in ``VALUES`` (``graph.sparql.bind``), never as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum

import pyoxigraph as ox

from graph import Queryable, sparql
from graph.explore import queries as q
from ontology import iris

# The organisations each seed stands for; instruments and offices, which also carry kg:country, are
# not organisations of a place.
MEMBERS = (
    sparql.PROLOGUE
    + """SELECT DISTINCT ?seed ?org WHERE {
  {
    { VALUES ?seed { __SEEDS__ } ?org kg:country ?seed }
    UNION { VALUES ?seed { __SEEDS__ } ?country kg:region|kg:subRegion|kg:intermediateRegion ?seed .
            ?org kg:country ?country }
    UNION { VALUES ?seed { __SEEDS__ } ?seed org:hasMembership ?m . ?m org:member ?country .
            ?org kg:country ?country }
    FILTER NOT EXISTS { ?org a kg:CooperationInstrument }
    FILTER NOT EXISTS { ?org a kg:RegionalOffice }
  }
  UNION { VALUES ?seed { __SEEDS__ } ?seed kg:hasParty ?party . ?party org:member ?org }
}"""
)

# The organisations among ?org located in one of the places (any place when none is given) and of
# one of the types (any type when none is given): the places as in MEMBERS.
LOCATED = (
    sparql.PROLOGUE
    + """SELECT DISTINCT ?org WHERE {
  VALUES ?org { __ORGS__ }
  __FILTERS__
}"""
)
_PLACES = """{ VALUES ?place { __PLACE_TERMS__ } ?org kg:country ?place }
  UNION { VALUES ?place { __PLACE_TERMS__ } ?org kg:country ?country .
          ?country kg:region|kg:subRegion|kg:intermediateRegion ?place }
  UNION { VALUES ?place { __PLACE_TERMS__ } ?place org:hasMembership ?m . ?m org:member ?country .
          ?org kg:country ?country }"""
# The countries each seed stands for at the country level: a country itself, the countries of a region
# or group, an institution's country, an instrument's own and its parties' countries.
COUNTRIES = (
    sparql.PROLOGUE
    + """SELECT DISTINCT ?seed ?country WHERE {
  { VALUES ?seed { __SEEDS__ } ?seed a kg:Country BIND(?seed AS ?country) }
  UNION { VALUES ?seed { __SEEDS__ } ?country kg:region|kg:subRegion|kg:intermediateRegion ?seed }
  UNION { VALUES ?seed { __SEEDS__ } ?seed org:hasMembership ?m . ?m org:member ?country }
  UNION { VALUES ?seed { __SEEDS__ } ?seed kg:country ?country }
  UNION { VALUES ?seed { __SEEDS__ } ?seed kg:hasParty ?party . ?party org:member ?o . ?o kg:country ?country }
}"""
)
_TYPES = "VALUES ?type { __TYPE_TERMS__ } ?org kg:organisationType ?type ."


class SeedKind(Enum):
    INSTITUTION = "institution"
    COUNTRY = "country"
    REGION = "region"
    GROUP = "group"
    INSTRUMENT = "instrument"


_KINDS = {
    iris.ID + "country/": SeedKind.COUNTRY,
    iris.ID + "area/m49/": SeedKind.REGION,
    iris.ID + "group/": SeedKind.GROUP,
    iris.ID + "instrument/": SeedKind.INSTRUMENT,
}


def seed_kind(iri: str) -> SeedKind:
    """What a seed IRI names, from its shape.

    >>> seed_kind("https://w3id.org/cnrs-kg/id/area/m49/035"), seed_kind("https://w3id.org/cnrs-kg/id/org/ror/02feahw73")
    (<SeedKind.REGION: 'region'>, <SeedKind.INSTITUTION: 'institution'>)
    >>> seed_kind("https://w3id.org/cnrs-kg/id/instrument/irl-ipal/party/02feahw73")
    <SeedKind.INSTITUTION: 'institution'>
    """
    for base, kind in _KINDS.items():
        if iri.startswith(base) and "/" not in iri[len(base) :]:
            return kind
    return SeedKind.INSTITUTION


def members(store: Queryable, seeds: Sequence[str]) -> dict[str, set[str]]:
    """The organisations each place or instrument seed stands for (an empty set: none is known)."""
    return _per_seed(store, MEMBERS, [seed for seed in seeds if seed_kind(seed) is not SeedKind.INSTITUTION])


def countries(store: Queryable, seeds: Sequence[str]) -> dict[str, set[str]]:
    """The countries each seed stands for at the country level (an empty set: none is known)."""
    return _per_seed(store, COUNTRIES, list(seeds))


def _per_seed(store: Queryable, query: str, seeds: list[str]) -> dict[str, set[str]]:
    """The IRIs ``query`` (selecting ?seed and one other variable) gives each seed."""
    found: dict[str, set[str]] = {seed: set() for seed in seeds}
    if not seeds:
        return found
    result = store.query(sparql.bind(query, SEEDS=q.nodes(seeds)))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        seed, other = row[0], row[1]
        if isinstance(seed, ox.NamedNode) and isinstance(other, ox.NamedNode):
            found[seed.value].add(other.value)
    return found


def located_query(orgs: Sequence[ox.NamedNode], places: Sequence[ox.NamedNode], types: Sequence[ox.NamedNode]) -> str:
    """``LOCATED`` with the place and type filters asked for (none: that filter left out), bound."""
    filters = "\n".join(part for part, wanted in ((_PLACES, places), (_TYPES, types)) if wanted)
    return sparql.bind(LOCATED.replace("__FILTERS__", filters), ORGS=orgs, PLACE_TERMS=places, TYPE_TERMS=types)


def located(store: Queryable, orgs: Iterable[str], places: Sequence[str], types: Sequence[str]) -> set[str]:
    """The organisations of ``orgs`` located in one of ``places`` (country, region or group IRIs) and of
    one of ``types`` (``kg:organisationType`` IRIs); no places or no types: any."""
    chosen = sorted(set(orgs))
    if not chosen or (not places and not types):
        return set(chosen)
    query = located_query(q.nodes(chosen), q.nodes(places), q.nodes(types))
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return {row["org"].value for row in result if isinstance(row["org"], ox.NamedNode)}
