"""Per-request DataLoaders: each nesting level of a GraphQL query becomes one batched SPARQL query.

Resolvers at one level ask for what they need (an entity's facts, the edges of a relation) within
the same event-loop turn; the loader gathers their keys and runs one query with them all in a
``VALUES`` block. Keys carry the predicates wanted, so two selections asking different fields of
the same level make two queries, never a wrong answer. Loaders live for one request only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from strawberry.dataloader import DataLoader

from api.graphql.mapping import kind
from api.graphql.reading import select
from graph import Queryable
from graph.entities import EntityFacts, Row, Value, collect
from graph.entities import queries as sparql
from graph.sparql import Listed, bind, named_nodes

Predicates = tuple[ox.NamedNode, ...]
FactsKey = tuple[str, str, Predicates]  # kind name, entity IRI, predicates
RelationKey = tuple[str, str, Predicates]  # relation name, entity IRI, predicates of the far end
YearsKey = tuple[str, tuple[int, ...] | None]  # institution IRI, years (None: all years)


@dataclass
class Link:
    """One edge of a relation from ``key`` to ``target``, with what the store says about the edge."""

    key: str
    target: EntityFacts
    membership: str | None = None  # the org:Membership node, for party and member edges
    graphs: list[str] = field(default_factory=list)  # graphs stating the edge
    via: set[str] = field(default_factory=set)  # predicates the edge was found through
    roles: set[str] = field(default_factory=set)
    start: Value | None = None
    end: Value | None = None
    notes: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class LinkFigure:
    """A co-publication link of an institution (all years, or one year)."""

    other: str
    kind: str  # kg:InstitutionInstitution, kg:InstitutionCountry...
    full: float
    fractional: float
    first: int | None
    last: int | None
    internal: bool


def _later(a: Value | None, b: Value | None) -> Value | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if a.text >= b.text else b


def fold_links(rows: Sequence[Row], predicates: Predicates) -> dict[str, list[Link]]:
    """Relation rows (edge rows and fact rows, see ``graph.entities.queries.RELATION``) as links per key."""
    facts = collect((r for r in rows if "p" in r or "key" not in r), (p.value for p in predicates))
    links: dict[tuple[str, str, str | None], Link] = {}
    for row in rows:
        key, target = row.get("key"), row.get("e")
        if key is None or target is None:
            continue
        membership = row.get("m")
        ident = (key.text, target.text, None if membership is None else membership.text)
        link = links.get(ident)
        if link is None:
            target_facts = facts.get(target.text) or EntityFacts(target.text, frozenset(p.value for p in predicates))
            link = links[ident] = Link(key.text, target_facts, ident[2])
        if (graph := row.get("mg")) is not None and graph.text not in link.graphs:
            link.graphs.append(graph.text)
        if (via := row.get("via")) is not None:
            link.via.add(via.text)
        if (role := row.get("role")) is not None:
            link.roles.add(role.text)
        if (note := row.get("note")) is not None:
            link.notes.add(note.text)
        link.start = _later(link.start, row.get("start"))  # sources disagreeing on a date: the latest
        link.end = _later(link.end, row.get("end"))
    grouped: dict[str, list[Link]] = defaultdict(list)
    for link in links.values():
        grouped[link.key].append(link)
    return grouped


def figure(row: Row, other: Value) -> LinkFigure:
    """A row of ``graph.links.LINKS`` seen from one end: a year's link (``year``), or all years'
    (``first``, and ``year``, the last)."""
    first = row.get("first") or row["year"]
    return LinkFigure(
        other.text,
        row["kind"].text,
        row["full"].number or 0.0,
        row["frac"].number or 0.0,
        first.year,
        row["year"].year,
        (row.get("internal") or Value("false")).text == "true",
    )


class Loaders:
    """The DataLoaders of one request, over that request's ``Queryable``."""

    def __init__(self, queries: Queryable) -> None:
        self.queries = queries
        self._facts: DataLoader[FactsKey, EntityFacts | None] = DataLoader(self._load_facts)
        self._relations: DataLoader[RelationKey, list[Link]] = DataLoader(self._load_relations)
        self._copublications: DataLoader[YearsKey, list[LinkFigure]] = DataLoader(self._load_copublications)

    async def facts(self, kind_name: str, iri: str, predicates: Predicates | None = None) -> EntityFacts | None:
        """What the store says about ``iri`` (None if it is not a ``kind_name``)."""
        wanted = kind(kind_name).predicates if predicates is None else predicates
        return await self._facts.load((kind_name, iri, wanted))

    async def related(self, relation: str, iri: str, predicates: Predicates) -> list[Link]:
        """The edges of ``relation`` from ``iri``, each with the facts of its far end."""
        return await self._relations.load((relation, iri, predicates))

    async def copublications(self, iri: str, years: tuple[int, ...] | None) -> list[LinkFigure]:
        return await self._copublications.load((iri, years))

    async def _load_facts(self, keys: list[FactsKey]) -> list[EntityFacts | None]:
        groups: dict[Predicates, set[str]] = defaultdict(set)
        for _, iri, predicates in keys:
            groups[predicates].add(iri)
        found: dict[tuple[Predicates, str], EntityFacts] = {}
        for predicates, entities in groups.items():
            query = bind(sparql.DETAILS, E=named_nodes(sorted(entities)), P=Listed(predicates))
            rows = await select(self.queries, query)
            for iri, entry in collect(rows, (p.value for p in predicates)).items():
                found[predicates, iri] = entry
        answers: list[EntityFacts | None] = []
        for kind_name, iri, predicates in keys:
            facts = found.get((predicates, iri))
            answers.append(facts if facts is not None and facts.has_type(kind(kind_name).class_iris) else None)
        return answers

    async def _load_relations(self, keys: list[RelationKey]) -> list[list[Link]]:
        groups: dict[tuple[str, Predicates], set[str]] = defaultdict(set)
        for relation, iri, predicates in keys:
            groups[relation, predicates].add(iri)
        found: dict[tuple[str, Predicates], dict[str, list[Link]]] = {}
        for (relation, predicates), entities in groups.items():
            query = bind(sparql.relation(relation), KEYS=named_nodes(sorted(entities)), P=predicates)
            rows = await select(self.queries, query)
            found[relation, predicates] = fold_links(rows, predicates)
        return [found[relation, predicates].get(iri, []) for relation, iri, predicates in keys]

    async def _load_copublications(self, keys: list[YearsKey]) -> list[list[LinkFigure]]:
        groups: dict[tuple[int, ...] | None, set[str]] = defaultdict(set)
        for iri, years in keys:
            groups[years].add(iri)
        found: dict[tuple[tuple[int, ...] | None, str], list[LinkFigure]] = defaultdict(list)
        for years, entities in groups.items():
            for row in await select(self.queries, sparql.copublications(named_nodes(sorted(entities)), years)):
                # A link is read once, from either end: each end asked for sees it, to the other end.
                for key, other in ((row["s"], row["t"]), (row["t"], row["s"])):
                    if key.text in entities:
                        found[years, key.text].append(figure(row, other))
        return [found.get((years, iri), []) for iri, years in keys]
