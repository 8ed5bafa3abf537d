"""What every node type shares: its facts and their sources, names, dates, and cursor pagination.

Pagination follows Relay: ``first`` (at most ``MAX_PAGE``, ``DEFAULT_PAGE`` if not given) and
``after`` (an opaque cursor, the base64 of ``offset:N``). Dates in the graph have the precision
their source gives (``2014``, ``2007-01``, ``2014-05-30``); ``asOf`` and ``during`` read a start
as the first day it can mean and an end as the last, so an instrument "ended 2014" is active on
2014-12-31 but not on 2015-01-01. The ``Date`` they take (``PartialDate``) has a precision too: a
year or a month as ``asOf`` is the span of its days, and a relation holds "as of 2014" when it
holds on one of them (the Hanoi office, closed in 2014, and the Singapore office, opened in 2014).
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar, cast

import strawberry
from graphql import GraphQLError, Node, StringValueNode, ValueNode, print_ast
from strawberry import relay
from strawberry.types.scalar import ScalarDefinition

from api.graphql.context import Info
from api.graphql.errors import BadInput, PageTooLarge
from api.graphql.mapping import kind
from api.graphql.types.enums import DatePrecision
from graph.entities import EntityFacts, Value
from ontology import RDFS, SKOS
from ontology.literals import date_precision, date_span

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


class PartialDate(datetime.date):
    """A date as precise as it is given: a year (``2020``), a month (``2020-06``) or a day
    (``2020-06-30``). As a ``datetime.date`` it is its first day; ``last`` is its last day.

    >>> june = PartialDate("2020-06")
    >>> june == datetime.date(2020, 6, 1), june.last, june.precision, str(june)
    (True, datetime.date(2020, 6, 30), <DatePrecision.MONTH: 'month'>, '2020-06')
    """

    text: str
    last: datetime.date
    precision: DatePrecision

    def __new__(cls, text: str) -> Self:
        first, last = date_span(text)  # ValueError for anything else
        made = super().__new__(cls, first.year, first.month, first.day)
        made.text, made.last = text.strip(), last
        made.precision = DatePrecision(date_precision(text))
        return made

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"PartialDate({self.text!r})"


def last_day(day: datetime.date) -> datetime.date:
    """The last day a date given as ``asOf`` or as the end of ``during`` can mean."""
    return day.last if isinstance(day, PartialDate) else day


DATE_FORMS = "give a year (2020), a month (2020-06) or a day (2020-06-30)"


def _not_a_date(value: str, where: str | None = None, nodes: list[Node] | None = None) -> GraphQLError:
    named = f"{where}: " if where else ""
    return GraphQLError(f"{named}{value} is not a date; {DATE_FORMS}", nodes=nodes, extensions={"code": BadInput.code})


def parse_date(value: object) -> PartialDate:
    """A ``Date`` given in the variables (a string), or a one-line ``BAD_USER_INPUT`` error."""
    if isinstance(value, str):
        try:
            return PartialDate(value)
        except ValueError:
            pass
        raise _not_a_date(repr(value))
    raise _not_a_date(f"{value!r} (not a string: quote it)")


def _argument_of(node: ValueNode) -> str | None:
    """The argument (or input field, ``filter.asOf``) a literal is the value of, read in the document:
    a scalar's parser is not told where its literal stands."""
    if node.loc is None:
        return None
    before = node.loc.source.body[: node.loc.start]
    found = re.search(r"(\w+)\s*:\s*$", before)
    if found is None:
        return None
    outer = re.search(r"(\w+)\s*:\s*\{[^{}]*$", before[: found.start()])  # the input object it is in
    return f"{outer[1]}.{found[1]}" if outer else found[1]


def parse_date_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> PartialDate:
    """A ``Date`` written in the document, or a ``BAD_USER_INPUT`` error naming its argument."""
    if isinstance(node, StringValueNode):
        try:
            return PartialDate(node.value)
        except ValueError:
            pass
        raise _not_a_date(repr(node.value), _argument_of(node), [node])
    unquoted = f"{print_ast(node)} (not a string: quote it)"
    raise _not_a_date(unquoted, _argument_of(node), [node])


DATE = strawberry.scalar(
    name="Date",
    description="A date in ISO 8601, as precise as it is known: a year (2020), a month (2020-06) or a day "
    "(2020-06-30). As `asOf` (or `activeOn`), a year or a month means at some time in it: what held on "
    "at least one of its days. As the ends of `during`, a start means its first day and an end its last.",
    serialize=str,
    parse_value=parse_date,
    parse_literal=parse_date_literal,
)
# Every ``datetime.date`` argument of the schema is a ``Date`` of this precision (``api.graphql.schema``).
SCALARS: dict[object, ScalarDefinition] = {datetime.date: DATE}


@strawberry.input(
    description="A span of time, both ends included; either end may be left open. Each end is a year, a month or "
    'a day: `{start: "2015", end: "2024"}` runs from 2015-01-01 to 2024-12-31.'
)
class DateRange:
    start: datetime.date | None = None
    end: datetime.date | None = None


AS_OF_TEXT = "What held at this date; a year or a month means at some time in it (2014: on one day of 2014 at least)."
DURING_TEXT = "What held at some time in this span (each end a year, a month or a day)."
AsOf = Annotated[datetime.date | None, strawberry.argument(description=AS_OF_TEXT)]
During = Annotated[DateRange | None, strawberry.argument(description=DURING_TEXT)]


@strawberry.input(description="A span of years, both ends included; either end may be left open.")
class YearRange:
    start: int | None = None
    end: int | None = None


_DATE_PART = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")  # a date's own part, without time or time zone


def _span(value: Value | None) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day a date of the store can mean (None: no date it can read)."""
    found = None if value is None else _DATE_PART.match(value.text)
    try:
        return None if found is None else date_span(found[0])
    except ValueError:
        return None


def earliest(value: Value | None) -> datetime.date | None:
    """The first day a date of any precision can mean ("2014" -> 2014-01-01)."""
    span = _span(value)
    return None if span is None else span[0]


def latest(value: Value | None) -> datetime.date | None:
    """The last day a date of any precision can mean ("2014" -> 2014-12-31)."""
    span = _span(value)
    return None if span is None else span[1]


def check_dates(as_of: datetime.date | None, during: DateRange | None) -> None:
    if as_of is not None and during is not None:
        raise BadInput("give asOf or during, not both")
    if during is not None and during.start and during.end and during.start > last_day(during.end):
        raise BadInput(f"during: start {during.start} is after end {during.end}")


def holds(start: Value | None, end: Value | None, as_of: datetime.date | None, during: DateRange | None) -> bool:
    """Whether a relation dated ``start``-``end`` (open where None) holds on ``as_of`` / overlaps ``during``.

    A year or a month as ``as_of`` is a span like ``during``: the relation holds on one of its days.
    """
    if as_of is not None:
        during = DateRange(start=as_of, end=as_of)
    if during is None:
        return True
    first, last = earliest(start), latest(end)
    return (first is None or during.end is None or first <= last_day(during.end)) and (
        last is None or during.start is None or during.start <= last
    )


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
