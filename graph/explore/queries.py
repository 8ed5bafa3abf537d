"""The SPARQL behind ``graph.explore``: the edges of each type around a set of nodes, and their details.

Every question is a ``Part``: a SELECT and the function that reads its rows into plain facts
(``graph.explore`` turns them into edges). ``batch`` asks several parts as *one* query, a UNION of
sub-selects each tagged with its index, and gives each part its own rows back: a level of a
network (its edge types, the nodes' details) is one round trip to the store.

Every part takes the nodes it is about as ``VALUES`` written by ``graph.sparql.bind`` from
``ox.NamedNode`` terms (constructing one validates the IRI), so no caller's text reaches the query.
The hierarchy part asks ``graph.links``'s own ``HIERARCHY``: the explorer reads the hierarchy as
the roll-up does. Co-publications are not asked here: they are read from the network index
(``graph.explore.edges``).

Instrument and hierarchy queries group their facts (source graphs, dates, pages) per pair of
nodes with ``GROUP_CONCAT`` over tagged strings (``"start 2014"``, ``"graph https://..."``), read
back by ``graph.sparql.Facts``: a pair is one row however many sources state it, without the cross
products of optional dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pyoxigraph as ox

from graph import Queryable, sparql
from graph.errors import BadArgument
from graph.links import hierarchy_query
from graph.sparql import Facts
from ontology import iris

COUNTRY_BASE = iris.ID + "country/"

# Two parties (?f among the nodes asked for, ?o any other, or among ?o when given) of one instrument:
# the facts of the instrument (dates, status, successor, pages) are read once per instrument, those
# of the pair (the graphs stating the two memberships, the memberships' own dates) once per pair.
# The pages' filter is in a sub-select of its own: Virtuoso 7.2 refuses a FILTER in a branch of this
# UNION (SP031 "Internal error: sparp_gp_deprecate()"); the answer is the same. That sub-select
# finds its instruments again from the nodes asked for: on its own, it would read the source of
# every work in the store (a million at real scale: partners of the CNRS went past 30 s).
INSTRUMENTS = """SELECT ?inst ?f ?o ?facts ?fgraph ?ograph ?fdates ?odates WHERE {
  { SELECT ?inst (GROUP_CONCAT(DISTINCT ?fact; separator="\\n") AS ?facts) WHERE {
      { SELECT DISTINCT ?inst WHERE { VALUES ?f { __AROUND__ } ?inst kg:hasParty ?mf . ?mf org:member ?f } }
      { ?inst schema:startDate ?v BIND(CONCAT("start ", STR(?v)) AS ?fact) }
      UNION { ?inst kg:signatureDate ?v BIND(CONCAT("signed ", STR(?v)) AS ?fact) }
      UNION { ?inst kg:renewalDate ?v BIND(CONCAT("renewed ", STR(?v)) AS ?fact) }
      UNION { ?inst schema:endDate ?v BIND(CONCAT("end ", STR(?v)) AS ?fact) }
      UNION { ?inst kg:status ?v BIND(CONCAT("status ", STR(?v)) AS ?fact) }
      UNION { ?next kg:predecessorInstrument ?inst .
              { ?next schema:startDate ?v } UNION { ?next kg:signatureDate ?v }
              BIND(CONCAT("next ", STR(?v)) AS ?fact) }
      UNION { { SELECT DISTINCT ?inst ?v WHERE { VALUES ?f { __AROUND__ } ?inst kg:hasParty ?mf .
                  ?mf org:member ?f . ?inst dcterms:source ?v FILTER(isIRI(?v)) } }
              BIND(CONCAT("page ", STR(?v)) AS ?fact) }
    } GROUP BY ?inst }
  { SELECT ?inst ?f ?o (GROUP_CONCAT(DISTINCT ?tf; separator="\\n") AS ?fgraph)
      (GROUP_CONCAT(DISTINCT ?to; separator="\\n") AS ?ograph)
      (GROUP_CONCAT(DISTINCT ?fact; separator="\\n") AS ?fdates)
      (GROUP_CONCAT(DISTINCT ?fact2; separator="\\n") AS ?odates) WHERE {
      VALUES ?f { __AROUND__ } VALUES ?o { __OTHERS__ }
      ?mf org:member ?f . GRAPH ?gf { ?inst kg:hasParty ?mf }
      GRAPH ?go { ?inst kg:hasParty ?mo } ?mo org:member ?o .
      FILTER(?o != ?f)
      BIND(CONCAT("graph ", STR(?gf)) AS ?tf) BIND(CONCAT("graph ", STR(?go)) AS ?to)
      OPTIONAL { ?mf ?p ?v FILTER(?p = schema:startDate || ?p = schema:endDate)
                 BIND(CONCAT(IF(?p = schema:startDate, "party-start ", "party-end "), STR(?v)) AS ?fact) }
      OPTIONAL { ?mo ?q ?w FILTER(?q = schema:startDate || ?q = schema:endDate)
                 BIND(CONCAT(IF(?q = schema:startDate, "party-start ", "party-end "), STR(?w)) AS ?fact2) }
    } GROUP BY ?inst ?f ?o }
}"""

# Two supervising bodies (?f among the nodes asked for, ?o any other, or among ?o when given) of one
# unit (``kg:supervisingBody``), one row per unit, with its facts: the graphs stating the two
# supervisions and the unit's dates, between which it is co-supervised.
COSUPERVISION = """SELECT ?unit ?f ?o (GROUP_CONCAT(DISTINCT ?fact; separator="\\n") AS ?facts) WHERE {
  VALUES ?f { __AROUND__ } VALUES ?o { __OTHERS__ }
  GRAPH ?gf { ?unit kg:supervisingBody ?f } GRAPH ?go { ?unit kg:supervisingBody ?o }
  FILTER(?f != ?o)
  { BIND("graph" AS ?tag) BIND(1 AS ?side) } UNION { BIND("graph" AS ?tag) BIND(2 AS ?side) }
  UNION { ?unit schema:startDate ?v BIND("start" AS ?tag) } UNION { ?unit schema:endDate ?v BIND("end" AS ?tag) }
  BIND(CONCAT(?tag, " ", STR(COALESCE(?v, IF(?side = 1, ?gf, ?go)))) AS ?fact)
} GROUP BY ?unit ?f ?o"""

# The details of the nodes ?n, by group: a label and the classes always, the other groups when asked.
DETAILS = """SELECT DISTINCT ?n ?p ?v WHERE {
  VALUES ?n { __NODES__ }
  { ?n skos:prefLabel ?v BIND("pref" AS ?p) }
  UNION { ?n rdfs:label ?v BIND("label" AS ?p) }
  UNION { ?n rdf:type ?v BIND("type" AS ?p) }
  __GROUPS__
}"""
DETAIL_GROUPS = {
    "country": """UNION { ?n kg:country ?v BIND("country" AS ?p) }
  UNION { ?n kg:alpha2 ?v BIND("alpha2" AS ?p) }""",
    "ids": """UNION { ?n kg:rorId ?v BIND("ror" AS ?p) }
  UNION { ?n kg:halStructureId ?v BIND("hal" AS ?p) }
  UNION { ?n kg:openAlexId ?v BIND("openalex" AS ?p) }""",
    "region": """UNION { ?n kg:region ?r . ?r rdfs:label ?v BIND("region" AS ?p) }
  UNION { ?n kg:country ?c . ?c kg:region ?r . ?r rdfs:label ?v BIND("country-region" AS ?p) }""",
}
"""What ``details`` can read besides labels and classes: ``country`` (an institution's country, a
country's alpha-2 code), ``ids`` (ROR, HAL, OpenAlex) and ``region`` (the M49 region's name)."""


def checked_iris(iris: Iterable[str], what: str) -> list[str]:
    """The IRIs a caller gave, without repeats, in their order; ``BadArgument`` naming the first that
    is not an IRI, before any query is sent.

    >>> checked_iris(["https://w3id.org/cnrs-kg/id/country/SG", "https://w3id.org/cnrs-kg/id/country/SG"], "seed")
    ['https://w3id.org/cnrs-kg/id/country/SG']
    >>> checked_iris(["SG"], "seed")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.BadArgument: seed 'SG' is not an IRI; give an entity IRI such as https://w3id.org/.../SG
    """
    out = list(dict.fromkeys(iris))
    for iri in out:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise BadArgument(f"{what} {iri!r} is not an IRI; give an entity IRI such as {COUNTRY_BASE}SG") from None
    return out


def nodes(iris: Iterable[str]) -> list[ox.NamedNode]:
    """IRIs as terms, sorted; a malformed IRI raises ``ValueError`` naming it."""
    terms = []
    for iri in sorted(set(iris)):
        try:
            terms.append(ox.NamedNode(iri))
        except ValueError as exc:
            raise ValueError(f"{iri!r} is not an IRI: {exc}") from None
    return terms


T = TypeVar("T")
Rows = list[ox.QuerySolution]


@dataclass(frozen=True)
class Part(Generic[T]):
    """One question: a SELECT (without prefixes) and what reads its rows."""

    select: str
    read: Callable[[Rows], T]


_PARALLEL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="cnrs-kg-batch")


def batch(store: Queryable, parts: Sequence[Part[Any]]) -> list[Any]:
    """Each part's answer, all asked in one query: a UNION of the parts' sub-selects, each row tagged
    with ``?part``, its part's index (a sub-select's variables are its own, so parts do not mix).

    A store that answers several queries at once (its ``concurrency`` attribute, such as the
    server's pool of query workers, is over 1) gets the parts as separate queries, sent together:
    the level then takes as long as its slowest part, not as long as all of them.
    """
    if not parts:
        return []
    if len(parts) == 1:
        return [parts[0].read(list(_solutions(store, parts[0].select)))]
    if getattr(store, "concurrency", 1) > 1:
        pending = [_PARALLEL.submit(lambda p: list(_solutions(store, p.select)), part) for part in parts]
        return [part.read(future.result()) for part, future in zip(parts, pending, strict=True)]
    rows: list[Rows] = [[] for _ in parts]
    for row in _solutions(store, sparql.union([part.select for part in parts])):
        tag = row["part"]
        if isinstance(tag, ox.Literal) and tag.value.isdigit() and int(tag.value) < len(parts):
            rows[int(tag.value)].append(row)
    return [part.read(found) for part, found in zip(parts, rows, strict=True)]


def ask(store: Queryable, part: Part[T]) -> T:
    """One part's answer, in one query."""
    answer: T = batch(store, [part])[0]
    return answer


def _solutions(store: Queryable, select: str) -> ox.QuerySolutions:
    result = store.query(sparql.PROLOGUE + select)
    assert isinstance(result, ox.QuerySolutions)
    return result


def _iri(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def _text(term: object) -> str:
    return term.value if isinstance(term, ox.Literal) else ""


@dataclass(frozen=True)
class Shared:
    """Two parties of one instrument, with the facts that date it and say where it comes from."""

    instrument: str
    party: str  # one of the nodes asked for
    other: str
    facts: Facts


def instruments(around: list[ox.NamedNode], others: list[ox.NamedNode] | None = None) -> Part[list[Shared]]:
    """Pairs of parties of one instrument, one party among ``around`` (and the other among ``others``)."""

    def read(rows: Rows) -> list[Shared]:
        found = []
        for row in rows:
            inst, party, other = _iri(row["inst"]), _iri(row["f"]), _iri(row["o"])
            if inst is not None and party is not None and other is not None:
                texts = (_text(row[name]) for name in ("facts", "fgraph", "ograph", "fdates", "odates"))
                found.append(Shared(inst, party, other, Facts.parse(*texts)))
        return found

    return Part(sparql.bind(INSTRUMENTS, AROUND=around, OTHERS=sparql.ANY if others is None else others), read)


@dataclass(frozen=True)
class Cosupervised:
    """A unit that two bodies supervise, with the facts that date it and say where it comes from."""

    unit: str
    body: str  # one of the nodes asked for
    other: str
    facts: Facts


def cosupervision(around: list[ox.NamedNode], others: list[ox.NamedNode] | None = None) -> Part[list[Cosupervised]]:
    """Pairs of supervising bodies of one unit, one among ``around`` (and the other among ``others``)."""

    def read(rows: Rows) -> list[Cosupervised]:
        found = []
        for row in rows:
            unit, body, other = _iri(row["unit"]), _iri(row["f"]), _iri(row["o"])
            if unit is not None and body is not None and other is not None:
                found.append(Cosupervised(unit, body, other, Facts.parse(_text(row["facts"]))))
        return found

    return Part(sparql.bind(COSUPERVISION, AROUND=around, OTHERS=sparql.ANY if others is None else others), read)


@dataclass(frozen=True)
class Parent:
    child: str
    parent: str
    facts: Facts


def hierarchy(around: list[ox.NamedNode], others: list[ox.NamedNode] | None = None) -> Part[list[Parent]]:
    """Child-parent pairs with one end among ``around`` (and the other among ``others``)."""

    def read(rows: Rows) -> list[Parent]:
        found = []
        for row in rows:
            child, parent = _iri(row["child"]), _iri(row["parent"])
            if child is not None and parent is not None:
                found.append(Parent(child, parent, Facts.parse(_text(row["facts"]))))
        return found

    return Part(hierarchy_query("around", around, sparql.ANY if others is None else others), read)


# Label preference: skos:prefLabel before rdfs:label, English before no language before any other;
# but an English rdfs:label before a preferred label in another language.
_LABEL_RANK = {("pref", "en"): 0, ("label", "en"): 1, ("pref", ""): 2, ("pref", "*"): 3, ("label", ""): 4}


@dataclass
class Details:
    labels: list[tuple[int, str]] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    alpha2: set[str] = field(default_factory=set)
    ror: set[str] = field(default_factory=set)
    hal: set[str] = field(default_factory=set)
    openalex: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    country_regions: set[str] = field(default_factory=set)

    @property
    def label(self) -> str | None:
        return min(self.labels)[1] if self.labels else None


def details(iris: list[ox.NamedNode], groups: Iterable[str] | None = None) -> Part[dict[str, Details]]:
    """Labels and classes of each node, and the ``groups`` of ``DETAIL_GROUPS`` asked for (all when None)."""
    asked = list(DETAIL_GROUPS) if groups is None else [g for g in DETAIL_GROUPS if g in set(groups)]

    def read(rows: Rows) -> dict[str, Details]:
        found: dict[str, Details] = {term.value: Details() for term in iris}
        for row in rows:
            node, prop, value = _iri(row["n"]), _text(row["p"]), row["v"]
            if node is None or node not in found:
                continue
            entry = found[node]
            if prop in ("pref", "label") and isinstance(value, ox.Literal):
                language = value.language or ""
                rank = _LABEL_RANK.get((prop, language), _LABEL_RANK.get((prop, "*"), 5))  # 5: rdfs:label, other
                entry.labels.append((rank, value.value))
            elif prop == "type" and isinstance(value, ox.NamedNode):
                entry.types.add(value.value)
            elif prop == "country" and isinstance(value, ox.NamedNode):
                entry.countries.add(value.value)
            elif isinstance(value, ox.Literal):
                {
                    "alpha2": entry.alpha2,
                    "ror": entry.ror,
                    "hal": entry.hal,
                    "openalex": entry.openalex,
                    "region": entry.regions,
                    "country-region": entry.country_regions,
                }.get(prop, set()).add(value.value)
        return found

    select = DETAILS.replace("__GROUPS__", "\n  ".join(DETAIL_GROUPS[g] for g in asked))
    return Part(sparql.bind(select, NODES=iris), read)
