"""The root ``Query``: look-ups by id, the lists, and the network questions of ``graph.explore``."""

from __future__ import annotations

import datetime
from typing import Annotated

import pyoxigraph as ox
import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry import relay

from api import refs
from api.graphql import lists, lookahead
from api.graphql.context import Info
from api.graphql.errors import BadInput
from api.graphql.filters import CountryFilter, IndicatorFilter, InstitutionFilter, InstrumentFilter, PublicationFilter
from api.graphql.types.common import AsOf, Connection, During, YearRange, connection, field, paginate
from api.graphql.types.common import window as page_window
from api.graphql.types.enums import (
    Counting,
    CountryGroupKey,
    EdgeType,
    InstitutionOrder,
    InstrumentKind,
    Level,
    OrganisationType,
    to_iri,
)
from api.graphql.types.fields import CopublicationFields, FieldArgument, fields_of
from api.graphql.types.gaps import AgreementGap, gaps_of
from api.graphql.types.institution import Institution
from api.graphql.types.instrument import Instrument, Office
from api.graphql.types.instrument_phases import DormantInstrument, dormant
from api.graphql.types.network import Network, Partner, Path, Trend, YearValue, detail_groups, entity
from api.graphql.types.places import Country, CountryGroup, Region
from api.graphql.types.profile import CollaborationProfile, profile_of
from api.graphql.types.publication import Indicator, Publication
from api.graphql.types.works_behind import (
    CollaborationKind,
    CollaborationWorks,
    Copublications,
    collaboration_works,
    copublications_between,
)
from graph import CostLimitExceeded, Queryable, explore
from graph.links.fields import field_iri
from ontology import iris

# The place arguments of the partners a question ranks (``partners``, ``gaps``).
PartnerCountries = Annotated[
    list[str] | None, strawberry.argument(description="Partners located in these countries (VN, country:VN).")
]
PartnerRegion = Annotated[
    str | None, strawberry.argument(description="Partners located in this region or group (region:035, ASEAN).")
]

NODE_TYPES: dict[str, type[relay.Node]] = {
    t.__name__: t for t in (Institution, Country, Region, CountryGroup, Instrument, Office, Publication, Indicator)
}
MAX_NETWORK_NODES = 2000


def window(during: YearRange | None) -> explore.Window:
    if during is None:
        return explore.Window()
    if during.start is not None and during.end is not None and during.start > during.end:
        raise BadInput(f"during: start {during.start} is after end {during.end}")
    return explore.Window(during.start, during.end)


async def explored(function: object, *args: object, **kwargs: object) -> object:
    """Run a ``graph.explore`` function in a worker thread; its argument errors are the client's."""
    try:
        return await run_in_threadpool(function, *args, **kwargs)  # type: ignore[arg-type]
    except CostLimitExceeded:
        raise
    except ValueError as exc:
        raise BadInput(str(exc)) from exc


async def known(queries: Queryable, ref: refs.Ref) -> list[str]:
    """The entity ``ref`` names, if the store holds it (for look-ups where not found is null)."""
    return [iri for iri in await run_in_threadpool(refs.lookup, queries, [ref]) if iri is not None]


async def first_of(cls: type[relay.Node], info: Info, candidates: list[str]) -> relay.Node | None:
    for found in await cls.resolve_nodes(info=info, node_ids=candidates):  # type: ignore[misc]
        if found is not None:
            return found  # type: ignore[no-any-return]
    return None


@strawberry.type
class Query:
    @field(description="Any node by its global id; null if nothing has that id.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        decoded = refs.from_global_id(id)
        if decoded is None:
            raise BadInput(f"id: {id!r} is not a global id; use the `id` of a node")
        node_type = NODE_TYPES.get(decoded[0])
        if node_type is None:
            return None
        return await first_of(node_type, info, [decoded[1]])

    @field(
        description="One institution, by exactly one of: global id, IRI, ROR id (02feahw73), HAL structure id "
        "(441569) or OpenAlex id (I1294671590); null if none matches."
    )
    async def institution(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        iri: str | None = None,
        ror: str | None = None,
        hal: str | None = None,
        openalex: str | None = None,
    ) -> Institution | None:
        given = {k: v for k, v in {"id": id, "iri": iri, "ror": ror, "hal": hal, "openalex": openalex}.items() if v}
        if len(given) != 1:
            raise BadInput("give exactly one of id, iri, ror, hal, openalex")
        name, value = next(iter(given.items()))
        queries = info.context.queries
        if name == "id":
            decoded = refs.from_global_id(value)
            if decoded is None:
                raise BadInput(f"id: {value!r} is not a global id; use the `id` of a node")
            candidates = [decoded[1]] if decoded[0] == "Institution" else []
        elif name == "iri":
            try:
                candidates = [ox.NamedNode(value).value]
            except ValueError as exc:
                raise BadInput(f"iri: {value!r} is not a valid IRI") from exc
        elif name == "ror":
            try:
                candidates = [iris.ror_org(value).value]
            except iris.InvalidIdentifier as exc:
                raise BadInput(f"ror: {exc}") from exc
        elif name == "hal":
            if not value.strip().removeprefix("hal:").isdigit():
                raise BadInput(f"hal: {value!r} is not a HAL structure id (digits, such as 441569)")
            candidates = await known(queries, refs.parse(f"hal:{value.strip().removeprefix('hal:')}", name))
        else:
            try:
                bare = iris.openalex_id(value)
            except iris.InvalidIdentifier as exc:
                raise BadInput(f"openalex: {exc}") from exc
            candidates = await known(queries, refs.parse(bare, name))
        return await first_of(Institution, info, candidates)  # type: ignore[return-value]

    @field(description="Institutions, filtered, by name (or IRI).")
    async def institutions(
        self,
        info: Info,
        filter: InstitutionFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order_by: InstitutionOrder = InstitutionOrder.NAME,
    ) -> Connection[Institution]:
        return await lists.institutions(info, filter, first, after, order_by)

    @field(description="One country by its ISO alpha-2 code (SG); null if unknown.")
    async def country(self, info: Info, code: str) -> Country | None:
        try:
            iri = iris.country(code).value
        except iris.InvalidIdentifier as exc:
            raise BadInput(f"code: {exc}") from exc
        return await first_of(Country, info, [iri])  # type: ignore[return-value]

    @field(description="Countries, by name; with a group, its members as of a day or during a span.")
    async def countries(
        self, info: Info, filter: CountryFilter | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[Country]:
        return await lists.countries(info, filter, first, after)

    @field(description="A country group (ASEAN).")
    async def country_group(self, info: Info, key: CountryGroupKey) -> CountryGroup | None:
        return await first_of(CountryGroup, info, [iris.country_group(key.value).value])  # type: ignore[return-value]

    @field(description="One instrument by its global id or its key (irl-ipal); null if unknown.")
    async def instrument(
        self, info: Info, id: strawberry.ID | None = None, key: str | None = None
    ) -> Instrument | None:
        if (id is None) == (key is None):
            raise BadInput("give exactly one of id, key")
        if id is not None:
            decoded = refs.from_global_id(id)
            if decoded is None:
                raise BadInput(f"id: {id!r} is not a global id; use the `id` of a node")
            candidates = [decoded[1]] if decoded[0] == "Instrument" else []
        else:
            try:
                candidates = [iris.instrument(key or "").value]
            except iris.InvalidIdentifier as exc:
                raise BadInput(f"key: {exc}") from exc
        return await first_of(Instrument, info, candidates)  # type: ignore[return-value]

    @field(description="Cooperation instruments, by name.")
    async def instruments(
        self, info: Info, filter: InstrumentFilter | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[Instrument]:
        return await lists.instruments(info, filter, first, after)

    @field(description="The CNRS regional offices, oldest first; open at a date, or during a span.")
    async def offices(
        self,
        info: Info,
        as_of: AsOf = None,
        during: During = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Office]:
        return await lists.offices(info, as_of, during, first, after)

    @field(description="Publications, newest first.")
    async def publications(
        self, info: Info, filter: PublicationFilter | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[Publication]:
        return await lists.publications(info, filter, first, after)

    @field(description="Figures from the seed documents (RDF Data Cube observations).")
    async def indicators(
        self, info: Info, filter: IndicatorFilter | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[Indicator]:
        return await lists.indicators(info, filter, first, after)

    @field(
        description="The partners of an institution or country (CNRS, a ROR id, SG, an IRI...), heaviest first: "
        "co-publications and shared instruments by default."
    )
    async def partners(
        self,
        info: Info,
        of: str,
        kinds: list[EdgeType] | None = None,
        during: YearRange | None = None,
        counting: Counting = Counting.FULL,
        first: int | None = None,
        after: str | None = None,
        country: PartnerCountries = None,
        region: PartnerRegion = None,
        type: Annotated[
            list[OrganisationType] | None, strawberry.argument(description="Partners of these organisation types.")
        ] = None,
        field: FieldArgument = None,
    ) -> Connection[Partner]:
        queries = info.context.queries
        places = [*(country or []), *([region] if region else [])]
        argument = ["country"] * len(country or []) + ["region"] * bool(region)
        iri, *located_in = await refs.resolve_async(
            queries, [refs.parse(of, "of"), *(refs.parse(p, a) for p, a in zip(places, argument, strict=True))]
        )
        offset, size = page_window(first, after)
        found = await explored(
            explore.partners,
            queries,
            iri,
            kinds=kinds,
            window=window(during),
            counting=counting,
            first=offset + size,  # only the partners up to this page are made (and their details read)
            details=detail_groups(lookahead.selected(info, ("nodes", "node"), ("edges", "node", "node"))),
            located_in=located_in,
            types=[to_iri(t) for t in type or []],
            field=field,
        )
        assert isinstance(found, explore.Partners)
        field_in = None if field is None else field_iri(field)  # checked by the question above
        page = [Partner.of(p, iri, window(during), counting, field_in) for p in found[offset:]]
        return connection(page, offset, found.total, has_next=offset + size < found.total)

    @field(
        description=f"The network around seeds, up to `hops` (at most {explore.MAX_HOPS}) ties away, with node "
        f"metrics: at most `maxNodes` nodes (up to {MAX_NETWORK_NODES}), the strongest ties kept, and `omitted` "
        "counts the nodes left out."
    )
    async def network(
        self,
        info: Info,
        seeds: list[str],
        hops: int = 1,
        during: YearRange | None = None,
        min_weight: float = 0.0,
        counting: Counting = Counting.FULL,
        include: list[EdgeType] | None = None,
        max_nodes: int = explore.MAX_NODES,
        level: Level = Level.INSTITUTION,
        field: FieldArgument = None,
    ) -> Network:
        queries = info.context.queries
        if not seeds:
            raise BadInput("seeds: give at least one institution or country")
        if not 1 <= max_nodes <= MAX_NETWORK_NODES:
            raise BadInput(f"maxNodes: {max_nodes} is out of range; give 1 to {MAX_NETWORK_NODES}")
        node_fields = lookahead.selected(info, ("nodes",))
        found = await explored(
            explore.network,
            queries,
            await refs.resolve_async(queries, [refs.parse(s, "seeds") for s in seeds]),
            hops=hops,
            window=window(during),
            min_weight=min_weight,
            counting=counting,
            include=include,
            max_nodes=max_nodes,
            with_metrics="metrics" in node_fields,  # betweenness is costly
            details=detail_groups(node_fields),
            level=level,
            field=field,
        )
        field_in = None if field is None else field_iri(field)  # checked by the question above
        return Network.of(found, hops=hops, min_weight=min_weight, field_iri=field_in)  # type: ignore[arg-type]

    @field(
        description=f"Shortest paths between two nodes, at most `maxHops` (at most {explore.MAX_PATH_HOPS}) steps: "
        "through instruments, co-publications, shared partners and the hierarchy."
    )
    async def path(
        self,
        info: Info,
        from_: Annotated[str, strawberry.argument(name="from")],
        to: str,
        max_hops: int = 3,
        include: list[EdgeType] | None = None,
        during: YearRange | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Path]:
        queries = info.context.queries
        source, target = await refs.resolve_async(queries, [refs.parse(from_, "from"), refs.parse(to, "to")])
        found = await explored(
            explore.path, queries, source, target, max_hops=max_hops, include=include, window=window(during)
        )
        return paginate([Path.of(p) for p in found], first, after)  # type: ignore[attr-defined]

    @field(description="Co-publications per year between two institutions or countries.")
    async def trend(
        self, info: Info, a: str, b: str, counting: Counting = Counting.FULL, field: FieldArgument = None
    ) -> Trend:
        queries = info.context.queries
        first, second = await refs.resolve_async(queries, [refs.parse(a, "a"), refs.parse(b, "b")])
        found = await explored(explore.trend, queries, first, second, counting=counting, field=field)
        points = [YearValue(year=y, value=v) for y, v in sorted(found.items())]  # type: ignore[attr-defined]
        return Trend(a=entity(first), b=entity(second), counting=counting, points=points)

    @field(
        description="The works behind the co-publication figure of two nodes (institutions or countries: CNRS, VN, "
        "a ROR id...) over the window, newest first: exactly those the counting rules count in an edge's or a "
        "partner's weight, a trend, an instrument's phase or an agreement gap, with the SPARQL listing them."
    )
    async def copublications(
        self,
        info: Info,
        between: list[str],
        during: YearRange | None = None,
        counting: Counting = Counting.FULL,
        first: int | None = None,
        after: str | None = None,
        field: FieldArgument = None,
    ) -> Copublications:
        return await copublications_between(info, between, window(during), counting, first, after, field)

    @field(
        description="The works behind a figure of an institution's collaboration profile over the window (its "
        "works of a kind, its academic-corporate works, those with a partner country; all its works without "
        "either), newest first: exactly those the profile counts."
    )
    async def collaboration_works(
        self,
        info: Info,
        of: str = "CNRS",
        kind: CollaborationKind | None = None,
        partner_country: str | None = None,
        during: YearRange | None = None,
        counting: Counting = Counting.FULL,
        first: int | None = None,
        after: str | None = None,
    ) -> CollaborationWorks:
        return await collaboration_works(info, of, kind, partner_country, window(during), counting, first, after)

    @field(
        description="The collaboration profile of an institution (CNRS, a ROR id...): the shares of its works that "
        "are international, national only, institutional only and single, per year and over the window; the "
        "academic-corporate share; its partner countries."
    )
    async def profile(
        self, info: Info, of: str = "CNRS", during: YearRange | None = None, counting: Counting = Counting.FULL
    ) -> CollaborationProfile:
        return await profile_of(info, of, window(during), counting)

    @field(
        description="Agreement gaps: the partners (institutions, or countries at `level: COUNTRY`) that co-publish "
        "most with the CNRS in the window yet take part in no instrument with it active then, most co-publications "
        "first, each with its trend."
    )
    async def gaps(
        self,
        info: Info,
        country: PartnerCountries = None,
        region: PartnerRegion = None,
        during: YearRange | None = None,
        min_works: Annotated[
            float, strawberry.argument(description="The fewest co-publications in the window, under the counting.")
        ] = 1.0,
        counting: Counting = Counting.FULL,
        level: Level = Level.INSTITUTION,
        first: int | None = None,
        after: str | None = None,
        field: FieldArgument = None,
    ) -> Connection[AgreementGap]:
        places = [*((c, "country") for c in country or []), *([(region, "region")] if region else [])]
        return await gaps_of(info, places, window(during), counting, level, min_works, first, after, field)

    @field(
        description="In which research fields (OpenAlex fields, top-level HAL domains) two institutions or "
        "countries (CNRS, VN, a ROR id...) co-publish over the window, most co-publications first, and whether "
        "an instrument joins them in each: active in the window, both sides among its parties, its parties "
        "co-publishing in that field. From the network index: a work counts fully in each of its fields."
    )
    async def fields(
        self,
        info: Info,
        of: str,
        with_: Annotated[str, strawberry.argument(name="with")],
        during: YearRange | None = None,
    ) -> CopublicationFields:
        return await fields_of(info, of, with_, window(during))

    @field(
        description="Instruments active over each of the last `years` years of data, with fewer than `minWorks` "
        "co-publications (full counting, summed over their partners) in those years; fewest first."
    )
    async def dormant_instruments(
        self,
        info: Info,
        min_works: float = 1.0,
        years: int = 3,
        kinds: list[InstrumentKind] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[DormantInstrument]:
        return await dormant(info, min_works, years, kinds, first, after)


__all__ = ["NODE_TYPES", "Query", "datetime"]
