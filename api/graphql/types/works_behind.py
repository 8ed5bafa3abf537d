"""The works behind a co-publication figure (``graph.analytics.works``) as GraphQL types, and their resolver.

The lists are those ``graph.analytics.works`` makes with the counting rules (a link's) or with the
profile's classification (a collaboration profile's figures), paged here, never recomputed: their
``totalCount`` is the figure under full counting, and the weights of all their works add up to the
fractional figure. Each work is a ``Publication`` too, whose other facts load on demand.
"""

from __future__ import annotations

from enum import Enum

import strawberry
from starlette.concurrency import run_in_threadpool

from api import refs
from api.graphql.context import Info
from api.graphql.errors import BadInput
from api.graphql.mapping import kind_of_iri
from api.graphql.types.common import Connection, Source, connection, field
from api.graphql.types.common import window as page_window
from api.graphql.types.enums import Counting
from api.graphql.types.institution import Institution
from api.graphql.types.network import Entity, entity
from api.graphql.types.places import Country
from api.graphql.types.publication import Publication
from graph import explore
from graph.analytics.works import CountedWork, ProfileWorks, WorksBehind, profile_works, works_behind
from graph.backend import backend_behind
from graph.links.fields import field_iri
from ontology import BIBO, DCTERMS


@strawberry.type(description="A work counted in a co-publication figure, with what it adds to it.")
class CountedPublication:
    iri: str
    year: int = strawberry.field(description="The year it counts for: its earliest publication year.")
    weight: float = strawberry.field(
        description="What it adds to the figure: 1 (full counting), or its fraction (fractional counting)."
    )

    @field(description="The publication, with all its fields.")
    def publication(self) -> Publication:
        return Publication(iri=self.iri)

    @strawberry.field
    async def doi(self, info: Info) -> str | None:
        return (await Publication(iri=self.iri).facts(info, "doi")).text(BIBO.doi)

    @strawberry.field
    async def title(self, info: Info) -> str | None:
        return (await Publication(iri=self.iri).facts(info, "title")).text(DCTERMS.title)

    @field(description="The sources stating its facts (the graphs of OpenAlex, HAL...).")
    async def sources(self, info: Info) -> list[Source]:
        return await Publication(iri=self.iri).sources(info)

    @classmethod
    def of(cls, work: CountedWork, counting: Counting) -> CountedPublication:
        return cls(iri=work.iri, year=work.year, weight=round(work.weight(counting), 6))


@strawberry.type(
    description="The works behind the co-publication figure of two nodes over a window: exactly those the counting "
    "rules count in it (organisations rolled up through the hierarchy as it stood each year, reconciled ones as "
    "one), newest first."
)
class Copublications:
    between: list[Entity] = strawberry.field(description="The two nodes.")
    counting: Counting
    start_year: int | None
    end_year: int | None
    total_count: int = strawberry.field(description="How many works: the figure under full counting.")
    weight: float = strawberry.field(description="The figure under the counting asked for: the works' weights summed.")
    candidates: int = strawberry.field(
        description="The works the index lookups found naming something under both ends, before the rules."
    )
    works: Connection[CountedPublication] = strawberry.field(description="The page of works asked for.")
    explain: str = strawberry.field(
        description="SPARQL to run on /sparql listing the candidates; its comments say what the rules then keep."
    )
    field: str | None = strawberry.field(
        description="The IRI of the research field whose works only are counted (null: every work)."
    )

    @classmethod
    def of(cls, found: WorksBehind, ends: list[str], counting: Counting, offset: int, size: int) -> Copublications:
        page = [CountedPublication.of(work, counting) for work in found.works[offset : offset + size]]
        return cls(
            between=[entity(iri) for iri in ends],
            counting=counting,
            start_year=found.window.start,
            end_year=found.window.end,
            total_count=found.full,
            weight=found.weight(counting),
            candidates=found.candidates,
            works=connection(page, offset, found.full, has_next=offset + size < found.full),
            explain=found.explain(),
            field=found.field,
        )


async def copublications_between(
    info: Info,
    between: list[str],
    window: explore.Window,
    counting: Counting,
    first: int | None,
    after: str | None,
    field: str | None = None,
) -> Copublications:
    """The page of works behind the figure of the two nodes ``between`` names (any reference ``api.refs`` reads),
    in the research field ``field`` (as a user gives it) when one is given."""
    if len(between) != 2:
        raise BadInput(f"between: {len(between)} nodes given; give two institutions or countries, such as CNRS, VN")
    try:
        field_in = None if field is None else field_iri(field)
    except ValueError as exc:  # BadArgument: the client's
        raise BadInput(str(exc)) from exc
    ends = await refs.resolve_async(info.context.queries, [refs.parse(text, "between") for text in between])
    return await copublications_of(info, ends[0], ends[1], window, counting, first, after, field_in)


async def copublications_of(
    info: Info,
    a: str,
    b: str,
    window: explore.Window,
    counting: Counting,
    first: int | None,
    after: str | None,
    field: str | None = None,
) -> Copublications:
    """The page of works behind the figure of the nodes ``a`` and ``b`` (entity IRIs), in the research
    field ``field`` (an IRI, ``graph.links.fields.field_iri``) when one is given."""
    store = backend_behind(info.context.queries)
    if store is None:
        raise BadInput(
            "copublications: this server answers from a SPARQL endpoint, whose works it cannot read one by one"
        )
    offset, size = page_window(first, after)
    try:
        found = await run_in_threadpool(works_behind, store, a, b, window, field)
    except ValueError as exc:  # BadArgument: the client's
        raise BadInput(str(exc)) from exc
    return Copublications.of(found, [a, b], counting, offset, size)


@strawberry.enum(
    description="A figure of a collaboration profile: a kind of collaboration, or the academic-corporate works."
)
class CollaborationKind(Enum):
    INTERNATIONAL = "international"
    NATIONAL_ONLY = "national"
    INSTITUTIONAL_ONLY = "institutional"
    SINGLE = "single"
    ACADEMIC_CORPORATE = "corporate"


@strawberry.type(
    description="The works behind a figure of a body's collaboration profile over a window: exactly those the "
    "profile counts in it, newest first."
)
class CollaborationWorks:
    of: Institution
    kind: CollaborationKind | None = strawberry.field(description="Null: every work of the body.")
    partner_country: Country | None = strawberry.field(description="Its international works with this country.")
    counting: Counting
    start_year: int | None
    end_year: int | None
    total_count: int = strawberry.field(description="How many works: the figure under full counting.")
    weight: float = strawberry.field(
        description="The figure under the counting asked for: the works' weights (the body's shares) summed."
    )
    works: Connection[CountedPublication] = strawberry.field(description="The page of works asked for.")
    explain: str = strawberry.field(
        description="SPARQL to run on /sparql listing the body's works in the window; its comments say how the "
        "profile then sorts them."
    )

    @classmethod
    def of_found(
        cls, found: ProfileWorks, kind: CollaborationKind | None, counting: Counting, offset: int, size: int
    ) -> CollaborationWorks:
        page = [CountedPublication.of(work, counting) for work in found.works[offset : offset + size]]
        return cls(
            of=Institution(iri=found.body),
            kind=kind,
            partner_country=None if found.country is None else Country(iri=found.country),
            counting=counting,
            start_year=found.window.start,
            end_year=found.window.end,
            total_count=found.full,
            weight=found.weight(counting),
            works=connection(page, offset, found.full, has_next=offset + size < found.full),
            explain=found.explain(),
        )


async def collaboration_works(
    info: Info,
    of: str,
    kind: CollaborationKind | None,
    partner_country: str | None,
    window: explore.Window,
    counting: Counting,
    first: int | None,
    after: str | None,
) -> CollaborationWorks:
    """The page of works behind a figure of the profile of the institution ``of`` names."""
    queries = info.context.queries
    asked = [refs.parse(of, "of"), *([refs.parse(partner_country, "partnerCountry")] if partner_country else [])]
    body, *country = await refs.resolve_async(queries, asked)
    if kind_of_iri(body) != "Institution":
        raise BadInput(f"of: {of!r} is not an institution; give one, such as CNRS or a ROR id")
    if country and kind_of_iri(country[0]) != "Country":
        raise BadInput(f"partnerCountry: {partner_country!r} is not a country; give one, such as VN")
    store = backend_behind(queries)
    if store is None:
        raise BadInput("collaborationWorks: this server answers from a SPARQL endpoint, whose works it cannot read")
    offset, size = page_window(first, after)
    try:
        found = await run_in_threadpool(
            lambda: profile_works(
                store, body, window, kind=None if kind is None else kind.value, country=country[0] if country else None
            )
        )
    except ValueError as exc:  # BadArgument: the client's
        raise BadInput(str(exc)) from exc
    return CollaborationWorks.of_found(found, kind, counting, offset, size)
