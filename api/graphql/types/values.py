"""Every value of a field with the source stating it: ``SourcedValue`` and ``stated``.

Where sources disagree (the Hanoi office opened in 2006 says one seed document, in 2007 says the
CNRS table), the store keeps each value in the graph of its source. A node's field (``start``)
shows the preferred one (``EntityFacts.first``: for a date, the earliest, as precisely as a source
gives it); ``values(field: START)`` beside it lists them all, each with its source and, for a date,
its precision.

>>> from graph.entities import EntityFacts, Value
>>> from api.graphql.mapping import kind
>>> start, xsd = "https://schema.org/startDate", "http://www.w3.org/2001/XMLSchema#gYear"
>>> facts = EntityFacts("urn:office")
>>> facts.add(start, Value("2007", datatype=xsd), "urn:table")
>>> facts.add(start, Value("2006", datatype=xsd), "urn:seed")
>>> [(v.value, v.precision.name, v.preferred, v.graph) for v in stated(facts, kind("Office"), "start")]
[('2006', 'YEAR', True, 'urn:seed'), ('2007', 'YEAR', False, 'urn:table')]
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

import pyoxigraph as ox
import strawberry

from api.graphql.context import Info
from api.graphql.mapping import Kind
from api.graphql.types.common import Source, field, sources
from api.graphql.types.enums import DatePrecision, InstrumentKind, InstrumentStatus, OrganisationType, from_iris
from graph.entities import EntityFacts, Value
from ontology import DCTERMS, KG
from ontology.literals import PRECISIONS

# Fields that show every value they have (lists): each of their values is shown, none preferred over another.
LISTS = frozenset({"acronyms", "types", "formerKinds", "formerNames", "renewals"})


def _named(enum: type[Enum]) -> Callable[[Value], str | None]:
    """A ``kg:`` term as the enum of the schema names it (``kg:FrameworkAgreement`` -> ``AGREEMENT``)."""

    def show(value: Value) -> str | None:
        found = from_iris(enum, [value.text])
        return found[0].name if found else None

    return show


def _code(value: Value) -> str | None:
    """A country IRI as its ISO code, as ``countryCode`` shows it."""
    return value.text.rsplit("/", 1)[-1]


# How a value of a predicate is shown where its field shows something else than the literal's text.
SHOWN: dict[str, Callable[[Value], str | None]] = {
    KG.instrumentKind.value: _named(InstrumentKind),
    KG.formerKind.value: _named(InstrumentKind),
    KG.status.value: _named(InstrumentStatus),
    KG.organisationType.value: _named(OrganisationType),
    KG.country.value: _code,
}


@strawberry.type(
    description="One value of a field as one source states it. Where sources disagree, a field shows the "
    "preferred value and `values(field:)` lists every value, each with its source."
)
class SourcedValue:
    value: str = strawberry.field(
        description="The value as the field shows it: a date in ISO 8601 at its source's precision (2005, "
        "2005-09, 2005-09-22), a country's ISO code, a kind or status as the enums name it, or the text."
    )
    precision: DatePrecision | None = strawberry.field(
        description="For a date: YEAR, MONTH or DAY, as precisely as the source gives it."
    )
    language: str | None = strawberry.field(description="The language of a name, where the source gives one.")
    preferred: bool = strawberry.field(
        description="True for the value the field itself shows (for a list field, each value it shows)."
    )
    graph: strawberry.Private[str]
    pages: strawberry.Private[list[str]]

    @field(
        description="The source stating the value: its named graph, title, URL or document, date, licence, and the "
        "pages it cites for the entity."
    )
    async def source(self, info: Info) -> Source:
        (found,) = await sources(info, [self.graph], {self.graph: self.pages})
        return found


def _shown(predicate: str, value: Value) -> str | None:
    show = SHOWN.get(predicate)
    return value.text if show is None else show(value)


def _preferred(facts: EntityFacts, predicates: tuple[ox.NamedNode, ...], name: str) -> set[tuple[str, str | None]]:
    """The values (shown, language) the field itself shows: the first value of the first predicate that
    has one (as ``best_name`` and ``EntityFacts.text`` choose), or all of them for a list field."""
    if name in LISTS:
        return {
            (shown, v.language)
            for p in predicates
            for v in facts.values(p)
            if (shown := _shown(p.value, v)) is not None
        }
    for predicate in predicates:
        value = facts.first(predicate)
        if value is not None and (shown := _shown(predicate.value, value)) is not None:
            return {(shown, value.language)}
    return set()


def stated(facts: EntityFacts, spec: Kind, name: str) -> list[SourcedValue]:
    """Every value of the field ``name`` of ``spec`` in ``facts``, once per source: the preferred first,
    then by value and source."""
    predicates = spec.fields[name]
    preferred = _preferred(facts, predicates, name)
    pages: dict[str, list[str]] = {}
    for page, graphs in facts.statements.get(DCTERMS.source.value, {}).items():
        for graph in graphs:
            pages.setdefault(graph, []).append(page.text)
    found: dict[tuple[str, str | None, str], SourcedValue] = {}
    for predicate in predicates:
        for value, graphs in facts.statements.get(predicate.value, {}).items():
            shown = _shown(predicate.value, value)
            if shown is None:
                continue
            precision = PRECISIONS.get(value.datatype or "")
            for graph in graphs:
                found.setdefault(
                    (shown, value.language, graph),
                    SourcedValue(
                        value=shown,
                        precision=None if precision is None else DatePrecision(precision),
                        language=value.language,
                        preferred=(shown, value.language) in preferred,
                        graph=graph,
                        pages=sorted(pages.get(graph, [])),
                    ),
                )
    return sorted(found.values(), key=lambda v: (not v.preferred, v.value, v.language or "", v.graph))
