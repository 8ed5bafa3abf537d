"""From SPARQL answers to plain Python: rows of plain values, and the facts known about an entity.

A query's answer is read into ``Row`` dictionaries of plain ``Value`` terms by ``read_rows``, in
the thread that ran it: pyoxigraph results must be consumed in the thread that made them. Rows of
``?e ?p ?o ?g`` fold into one ``EntityFacts`` per entity (``collect``), which the GraphQL node
types read field by field.

>>> Value.of(ox.Literal("2014", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))).year
2014
>>> label = "http://www.w3.org/2000/01/rdf-schema#label"
>>> rows = [{"e": Value("urn:a", iri=True), "p": Value(label, iri=True), "o": Value("A"), "g": Value("urn:g")}]
>>> found = collect(rows, [label])["urn:a"]
>>> found.text(ox.NamedNode(label)), found.graphs()
('A', ['urn:g'])

Where sources disagree, ``first`` is the preferred value; a date keeps the precision of the source
saying it best (``2005-09-22`` over ``2005``):

>>> signed = "https://w3id.org/cnrs-kg/ontology#signatureDate"
>>> day, year = Value("2005-09-22", datatype=XSD + "date"), Value("2005", datatype=XSD + "gYear")
>>> facts = EntityFacts("urn:a")
>>> facts.add(signed, year, "urn:seed"); facts.add(signed, day, "urn:table")
>>> facts.text(ox.NamedNode(signed))
'2005-09-22'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph import Queryable

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
DATE_TYPES = frozenset(XSD + name for name in ("gYear", "gYearMonth", "date"))  # dates at their precision


@dataclass(frozen=True, slots=True)
class Value:
    """One RDF term as plain data: an IRI (``iri`` True) or a literal with its language or datatype."""

    text: str
    iri: bool = False
    language: str | None = None
    datatype: str | None = None

    @classmethod
    def of(cls, term: object) -> Value:
        if isinstance(term, ox.NamedNode):
            return cls(term.value, iri=True)
        if isinstance(term, ox.Literal):
            return cls(term.value, language=term.language, datatype=term.datatype.value)
        return cls(str(term))

    @property
    def year(self) -> int | None:
        head = self.text.lstrip("-")[:4]
        return int(head) if len(head) == 4 and head.isdigit() else None

    @property
    def number(self) -> float | None:
        try:
            return float(self.text)
        except ValueError:
            return None


Row = dict[str, Value]


def read_rows(queries: Queryable, sparql: str) -> list[Row]:
    """Run a SELECT and read all its rows, here (call it in the thread that should wait for the store)."""
    result = queries.query(sparql)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT query")
    names = list(enumerate(v.value for v in result.variables))
    seen: dict[object, Value] = {}  # terms repeat a lot across rows: convert each once
    rows = []
    for solution in result:
        row: Row = {}
        for index, name in names:
            term = solution[index]
            if term is not None:
                value = seen.get(term)
                if value is None:
                    value = seen[term] = Value.of(term)
                row[name] = value
        rows.append(row)
    return rows


@dataclass
class EntityFacts:
    """What the store says about one entity, predicate by predicate, with the graph stating each value.

    ``fetched`` holds the predicates that were asked for: a predicate outside it is unknown here,
    not absent from the store.
    """

    iri: str
    fetched: frozenset[str] = frozenset()
    statements: dict[str, dict[Value, list[str]]] = field(default_factory=dict)

    def add(self, predicate: str, value: Value, graph: str | None) -> None:
        graphs = self.statements.setdefault(predicate, {}).setdefault(value, [])
        if graph is not None and graph not in graphs:
            graphs.append(graph)

    def covers(self, predicates: Iterable[str]) -> bool:
        return all(p in self.fetched for p in predicates)

    def values(self, predicate: ox.NamedNode) -> list[Value]:
        return list(self.statements.get(predicate.value, {}))

    def texts(self, predicate: ox.NamedNode) -> list[str]:
        return list(dict.fromkeys(v.text for v in self.values(predicate)))

    def first(self, predicate: ox.NamedNode) -> Value | None:
        """The preferred value: English or plain first, then the lowest (for dates: the earliest), said
        as precisely as a source says it (``2005-09-22`` rather than the ``2005`` of a vaguer source;
        never a more precise value that contradicts it, such as ``2007-01`` for ``2006``)."""
        values = sorted(self.values(predicate), key=lambda v: (v.language not in ("en", None), v.text))
        if not values:
            return None
        best = values[0]
        if best.datatype not in DATE_TYPES:
            return best
        finer = [v for v in values if v.datatype in DATE_TYPES and v.text.startswith(best.text + "-")]
        return max(finer, key=lambda v: len(v.text), default=best)

    def text(self, predicate: ox.NamedNode) -> str | None:
        value = self.first(predicate)
        return None if value is None else value.text

    def graphs(self, predicates: Iterable[ox.NamedNode] | None = None) -> list[str]:
        """The graphs stating any of ``predicates`` (all fetched ones if None), sorted."""
        names = None if predicates is None else {p.value for p in predicates}
        found = {
            g
            for predicate, values in self.statements.items()
            if names is None or predicate in names
            for graphs in values.values()
            for g in graphs
        }
        return sorted(found)

    def graphs_of(self, predicate: ox.NamedNode, value: str) -> list[str]:
        for candidate, graphs in self.statements.get(predicate.value, {}).items():
            if candidate.text == value:
                return graphs
        return []

    def has_type(self, classes: Iterable[str]) -> bool:
        types = {v.text for v in self.statements.get(RDF_TYPE, {})}
        return bool(types & set(classes))


def collect(rows: Iterable[Row], predicates: Iterable[str], *, key: str = "e") -> dict[str, EntityFacts]:
    """Fold ``?<key> ?p ?o ?g`` rows into one ``EntityFacts`` per entity (rows without ``?p`` only create it)."""
    fetched = frozenset(predicates)
    facts: dict[str, EntityFacts] = {}
    for row in rows:
        entity = row.get(key)
        if entity is None:
            continue
        entry = facts.get(entity.text)
        if entry is None:
            entry = facts[entity.text] = EntityFacts(entity.text, fetched)
        predicate, obj = row.get("p"), row.get("o")
        if predicate is not None and obj is not None:
            graph = row.get("g")
            entry.add(predicate.text, obj, None if graph is None else graph.text)
    return facts
