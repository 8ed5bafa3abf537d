"""What the matcher knows of an organisation (``Profile``), read from the store: the organisations to
reconcile and the ROR records to reconcile them with.

- ``sources``: every organisation a publication graph (``kg:PublicationSourceGraph``: HAL,
  OpenAlex) states without a ROR id, that is, whose IRI is not a ROR organisation's: a HAL
  structure (``org/hal/<id>``) or an OpenAlex institution (``org/openalex/<id>``), with the names,
  acronyms and countries those graphs give it.
- ``ror_records``: every organisation the ROR graphs (``kg:sourceKind "ror"``) describe, with the
  names ROR gives it (display name, labels and aliases, in every language), its acronyms, countries
  and status. Only ROR's own statements: a publication graph also names a ROR organisation it
  cites (OpenAlex's display name), and those names must not make a candidate look closer than
  ROR says it is.

Neither the ROR loader nor the HAL and OpenAlex loaders keep a city (ROR's GeoNames city, HAL's
address lines), so a profile has none: the country is the only place compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.backend import Queryable
from graph.sparql import PROLOGUE
from ontology import KG, RDFS, SKOS, iris

ROR_PREFIX = iris.ror_org("02feahw73").value.removesuffix("02feahw73")
COUNTRY_PREFIX = iris.country("FR").value.removesuffix("FR")

# The organisations of the publication graphs without a ROR IRI, with their names, acronyms and countries.
SOURCES = (
    PROLOGUE
    + """SELECT DISTINCT ?g ?o ?p ?v WHERE {
  GRAPH ?g {
    ?g a kg:PublicationSourceGraph .
    ?o a org:Organization .
    VALUES ?p { rdfs:label skos:prefLabel skos:altLabel kg:acronym kg:country }
    ?o ?p ?v .
  }
  FILTER(ISIRI(?o) && !STRSTARTS(STR(?o), STR(ror:)))
}"""
)
# What the ROR graphs state of their organisations: names, acronyms, countries, status.
RECORDS = (
    PROLOGUE
    + """SELECT DISTINCT ?g ?o ?p ?v WHERE {
  GRAPH ?g {
    ?g kg:sourceKind "ror" .
    VALUES ?p { rdfs:label skos:prefLabel skos:altLabel kg:acronym kg:country kg:rorStatus }
    ?o ?p ?v .
  }
  FILTER(STRSTARTS(STR(?o), STR(ror:)))
}"""
)
_NAMES = frozenset({RDFS.label.value, SKOS.prefLabel.value, SKOS.altLabel.value})
_INACTIVE = frozenset({"inactive", "withdrawn"})


@dataclass(frozen=True)
class Profile:
    """An organisation as the matcher compares it: its IRI, names (every language), acronyms, countries
    (ISO alpha-2; empty: not known), whether it is active (ROR's status), and the graphs that say so."""

    iri: str
    names: tuple[str, ...]
    acronyms: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()
    active: bool = True
    graphs: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """The name shown in a report: the preferred one (ROR's display name), and whether ROR says the
        organisation is no longer active (a person confirming a match wants to know)."""
        name = self.names[0] if self.names else (self.acronyms[0] if self.acronyms else self.iri)
        return name if self.active else f"{name} (inactive in ROR)"


@dataclass
class _Builder:
    names: dict[str, None] = field(default_factory=dict)
    preferred: set[str] = field(default_factory=set)
    acronyms: dict[str, None] = field(default_factory=dict)
    countries: set[str] = field(default_factory=set)
    active: bool = True
    graphs: set[str] = field(default_factory=set)

    def add(self, predicate: str, value: ox.NamedNode | ox.Literal) -> None:
        if isinstance(value, ox.NamedNode):
            if predicate == KG.country.value and value.value.startswith(COUNTRY_PREFIX):
                self.countries.add(value.value.removeprefix(COUNTRY_PREFIX))
        elif predicate in _NAMES:
            self.names[value.value] = None
            if predicate == SKOS.prefLabel.value:
                self.preferred.add(value.value)
        elif predicate == KG.acronym.value:
            self.acronyms[value.value] = None
        elif predicate == KG.rorStatus.value and value.value in _INACTIVE:
            self.active = False

    def profile(self, iri: str) -> Profile:
        # In one order whatever order the store answers in (the first a tie meets is the evidence
        # written): the preferred names first.
        names = tuple(sorted(self.names, key=lambda name: (name not in self.preferred, name)))
        acronyms = tuple(sorted(self.acronyms))
        return Profile(iri, names, acronyms, frozenset(self.countries), self.active, frozenset(self.graphs))


def _profiles(rows: Iterable[ox.QuerySolution]) -> list[Profile]:
    found: dict[str, _Builder] = defaultdict(_Builder)
    for row in rows:
        graph, org, predicate, value = row["g"], row["o"], row["p"], row["v"]
        usable = isinstance(value, ox.NamedNode | ox.Literal) and isinstance(predicate, ox.NamedNode)
        if isinstance(org, ox.NamedNode) and usable:
            found[org.value].add(predicate.value, value)
            found[org.value].graphs.add(graph.value)
    return [builder.profile(iri) for iri, builder in sorted(found.items()) if builder.names or builder.acronyms]


def sources(store: Queryable) -> list[Profile]:
    """The organisations to reconcile: those of the publication graphs without a ROR id, in IRI order."""
    result = store.query(SOURCES)
    assert isinstance(result, ox.QuerySolutions)
    return _profiles(result)


def ror_records(store: Queryable) -> list[Profile]:
    """The ROR organisations the store describes, as ROR names them, in IRI order."""
    result = store.query(RECORDS)
    assert isinstance(result, ox.QuerySolutions)
    return _profiles(result)
