"""What every node type shares: its facts and their sources, names, dates, and cursor pagination.

Pagination follows Relay: ``first`` (at most ``MAX_PAGE``, ``DEFAULT_PAGE`` if not given) and
``after`` (an opaque cursor, the base64 of ``offset:N``). Dates in the graph have the precision
their source gives (``2014``, ``2007-01``, ``2014-05-30``); ``asOf`` and ``during`` read a start
as the first day it can mean and an end as the last, so an instrument "ended 2014" is active on
2014-12-31 but not on 2015-01-01.
"""

from __future__ import annotations

import asyncio
import base64
import calendar
import datetime
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

import strawberry
from strawberry import relay

from api.graphql.context import Info
from api.graphql.errors import BadInput, PageTooLarge
from api.graphql.mapping import kind
from graph.entities import EntityFacts, Value
from ontology import RDFS, SKOS

DEFAULT_PAGE = 20
MAX_PAGE = 100

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def field(*, description: str | None = None, name: str | None = None) -> Callable[[F], F]:
    """``strawberry.field`` as a typed decorator (its overload with options returns ``Any``)."""
    return cast("Callable[[F], F]", strawberry.field(description=description, name=name))


@strawberry.type(description="An edge in a connection.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list, with Relay cursors.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="How many items the whole list holds.")

    @field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def offset_of(after: str | None) -> int:
    """The offset of the item after cursor ``after`` (0 without one)."""
    if after is None:
        return 0
    try:
        kind_, _, number = base64.b64decode(after.encode(), validate=True).decode().partition(":")
        if kind_ == "offset" and number.isdigit():
            return int(number) + 1
    except (ValueError, UnicodeDecodeError):
        pass
    raise BadInput(f"after: {after!r} is not a cursor of this list; pass an edge's cursor or pageInfo.endCursor")


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0:
        raise BadInput(f"first: {first} is negative; ask for 0 to {MAX_PAGE} items")
    if first > MAX_PAGE:
        raise PageTooLarge(first, MAX_PAGE)
    return first


def window(first: int | None, after: str | None) -> tuple[int, int]:
    """(offset, size) of the page asked for, checked."""
    return offset_of(after), page_size(first)


def paginate(items: Sequence[T], first: int | None, after: str | None) -> Connection[T]:
    """A page of ``items`` (already filtered and ordered)."""
    offset, size = window(first, after)
    chunk = items[offset : offset + size]
    return connection(chunk, offset, len(items), has_next=offset + size < len(items))


def connection(chunk: Sequence[T], offset: int, total: int | None, *, has_next: bool) -> Connection[T]:
    edges = [Edge(cursor=cursor(offset + i), node=node) for i, node in enumerate(chunk)]
    info = relay.PageInfo(
        has_next_page=has_next,
        has_previous_page=offset > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=info, total_count=offset + len(chunk) if total is None else total)


# -- dates ----------------------------------------------------------------------------------------


@strawberry.input(description="A span of days, both ends included; either end may be left open.")
class DateRange:
    start: datetime.date | None = None
    end: datetime.date | None = None


@strawberry.input(description="A span of years, both ends included; either end may be left open.")
class YearRange:
    start: int | None = None
    end: int | None = None


def earliest(value: Value | None) -> datetime.date | None:
    """The first day a date of any precision can mean ("2014" -> 2014-01-01)."""
    if value is None:
        return None
    parts = value.text.split("T")[0].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2][:2]) if len(parts) > 2 else 1
        return datetime.date(year, month, day)
    except (ValueError, IndexError):
        return None


def latest(value: Value | None) -> datetime.date | None:
    """The last day a date of any precision can mean ("2014" -> 2014-12-31)."""
    if value is None:
        return None
    parts = value.text.split("T")[0].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 12
        day = int(parts[2][:2]) if len(parts) > 2 else calendar.monthrange(year, month)[1]
        return datetime.date(year, month, day)
    except (ValueError, IndexError):
        return None


def check_dates(as_of: datetime.date | None, during: DateRange | None) -> None:
    if as_of is not None and during is not None:
        raise BadInput("give asOf or during, not both")
    if during is not None and during.start and during.end and during.start > during.end:
        raise BadInput(f"during: start {during.start} is after end {during.end}")


def holds(start: Value | None, end: Value | None, as_of: datetime.date | None, during: DateRange | None) -> bool:
    """Whether a relation dated ``start``-``end`` (open where None) holds on ``as_of`` / overlaps ``during``."""
    first, last = earliest(start), latest(end)
    if as_of is not None:
        return (first is None or first <= as_of) and (last is None or as_of <= last)
    if during is not None:
        return (first is None or during.end is None or first <= during.end) and (
            last is None or during.start is None or during.start <= last
        )
    return True


# -- names and sources --------------------------------------------------------------------------


@strawberry.enum(description="Where a name comes from.")
class NameKind(Enum):
    PREFERRED = "preferred"
    LABEL = "label"
    ALTERNATIVE = "alternative"
    ACRONYM = "acronym"


@strawberry.type(description="A name of an entity, in a language where the source gives one.")
class Name:
    value: str
    language: str | None
    kind: NameKind


def best_name(facts: EntityFacts) -> str | None:
    """The preferred label (English first), else a label, else an alternative name."""
    for predicate in (SKOS.prefLabel, RDFS.label, SKOS.altLabel):
        text = facts.text(predicate)
        if text:
            return text
    return None


@strawberry.type(
    description="Where facts come from: a source (a named graph of the store) and what it says about itself."
)
class Source:
    graph: str = strawberry.field(description="The IRI of the named graph holding the source's facts.")
    loaded: strawberry.Private[EntityFacts | None] = None
    pages: list[str] = strawberry.field(
        default_factory=list, description="Web pages or documents this source cites for the entity."
    )

    def _text(self, field: str) -> str | None:
        if self.loaded is None:
            return None
        for predicate in kind("Source").fields[field]:
            text = self.loaded.text(predicate)
            if text:
                return text
        return None

    @field(description="The source's title.")
    def name(self) -> str | None:
        return self._text("name")

    @field(description="The loader that wrote it: ror, countries, cnrs, seed, openalex, hal, network...")
    def kind(self) -> str | None:
        return self._text("kind")

    @field(description="The primary source, when it is on the web.")
    def url(self) -> str | None:
        values = [] if self.loaded is None else self.loaded.values(kind("Source").fields["url"][0])
        return next((v.text for v in values if v.iri), None)

    @field(description="The primary source, when it is a document (a seed text, a declaration).")
    def document(self) -> str | None:
        values = [] if self.loaded is None else self.loaded.values(kind("Source").fields["document"][0])
        return next((v.text for v in values if not v.iri), None)

    @field(description="When the source was retrieved (or the graph generated).")
    def retrieved_on(self) -> str | None:
        return self._text("retrievedOn")

    @field(description="The licence of the source's facts (a URL).")
    def licence(self) -> str | None:
        return self._text("licence")

    @field(description="True for generated data made for benchmarks, which describes nothing real.")
    def synthetic(self) -> bool:
        return self._text("synthetic") == "true"

    @field(description="What the source holds.")
    def description(self) -> str | None:
        return self._text("description")


async def sources(info: Info, graphs: Sequence[str], pages: dict[str, list[str]] | None = None) -> list[Source]:
    """Sources for the named graphs, their self-descriptions loaded in one batch."""
    loaded = await asyncio.gather(*(info.context.loaders.facts("Source", graph) for graph in graphs))
    return [
        Source(graph=graph, loaded=facts, pages=(pages or {}).get(graph, []))
        for graph, facts in zip(graphs, loaded, strict=True)
    ]


class Entity:
    """Mixin of the node types: an IRI and the facts loaded with it, completed on demand.

    A node made by a list or relation query carries the facts of the fields the query selected;
    a field whose predicates are missing (a fragment the lookahead did not see) loads them all.
    """

    KIND: ClassVar[str]
    iri: str
    loaded: EntityFacts | None

    async def facts(self, info: Info, field: str) -> EntityFacts:
        spec = kind(self.KIND)
        needed = [p.value for p in spec.predicates_for([field])]
        if self.loaded is not None and self.loaded.covers(needed):
            return self.loaded
        found = await info.context.loaders.facts(self.KIND, self.iri)
        self.loaded = found or EntityFacts(self.iri, frozenset(p.value for p in spec.predicates))
        return self.loaded

    async def node_sources(self, info: Info, pages_predicate: str | None = None) -> list[Source]:
        facts = await self.facts(info, "sources")
        pages: dict[str, list[str]] = {}
        if pages_predicate is not None:
            for value, graphs in facts.statements.get(pages_predicate, {}).items():
                for graph in graphs:
                    pages.setdefault(graph, []).append(value.text)
        return await sources(info, facts.graphs(), pages)


class EntityNode(relay.Node, Entity):
    """Base of the Relay node types: the node id wraps the entity IRI; nodes load by IRI, batched."""

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.iri

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        found = await asyncio.gather(*(info.context.loaders.facts(cls.KIND, iri) for iri in node_ids))
        return [None if f is None else cls(iri=f.iri, loaded=f) for f in found]  # type: ignore[call-arg]
