"""``Country``, ``Region`` (UN M49) and ``CountryGroup`` (ASEAN), with dated group memberships."""

from __future__ import annotations

from typing import ClassVar

import pyoxigraph as ox
import strawberry

from api.graphql import lookahead
from api.graphql.context import Info
from api.graphql.dataloaders import Link
from api.graphql.types.common import (
    AsOf,
    Connection,
    During,
    EntityNode,
    Source,
    best_name,
    check_dates,
    field,
    holds,
    paginate,
    sources,
)
from api.graphql.types.institution import at, by_name, text_of
from graph.entities import EntityFacts
from ontology import KG, SCHEMA
from ontology.labels import fallback_label


@strawberry.type(description="A UN M49 area: the world, a region, a sub-region or an intermediate region.")
class Region(EntityNode):
    KIND: ClassVar[str] = "Region"
    iri: str
    loaded: strawberry.Private[EntityFacts | None] = None

    @field(description="Its M49 code, such as 035 (South-eastern Asia).")
    async def code(self, info: Info) -> str:
        return (await self.facts(info, "code")).text(KG.numericCode) or self.iri.rsplit("/", 1)[-1]

    @strawberry.field
    async def name(self, info: Info) -> str:
        return best_name(await self.facts(info, "name")) or fallback_label(self.iri)

    @field(description="The sources stating its facts.")
    async def sources(self, info: Info) -> list[Source]:
        return await self.node_sources(info)


@strawberry.type(description="A country or territory with an ISO 3166-1 code.")
class Country(EntityNode):
    KIND: ClassVar[str] = "Country"
    iri: str
    loaded: strawberry.Private[EntityFacts | None] = None

    @field(description="ISO 3166-1 alpha-2 code, such as SG.")
    async def code(self, info: Info) -> str:
        return (await self.facts(info, "code")).text(KG.alpha2) or self.iri.rsplit("/", 1)[-1]

    @field(description="ISO 3166-1 alpha-3 code, such as SGP.")
    async def alpha3(self, info: Info) -> str | None:
        return (await self.facts(info, "alpha3")).text(KG.alpha3)

    @field(description="ISO 3166-1 numeric code, such as 702.")
    async def numeric_code(self, info: Info) -> str | None:
        return (await self.facts(info, "numericCode")).text(KG.numericCode)

    @strawberry.field
    async def name(self, info: Info) -> str:
        return best_name(await self.facts(info, "name")) or fallback_label(self.iri)

    async def _area(self, info: Info, field: str) -> Region | None:
        facts = await self.facts(info, field)
        iri = facts.text(kind_predicate(field))
        return None if iri is None else Region(iri=iri)

    @field(description="Its UN M49 region (Asia...).")
    async def region(self, info: Info) -> Region | None:
        return await self._area(info, "region")

    @field(description="Its UN M49 sub-region (South-eastern Asia...).")
    async def sub_region(self, info: Info) -> Region | None:
        return await self._area(info, "subRegion")

    @field(description="Its UN M49 intermediate region, where it has one.")
    async def intermediate_region(self, info: Info) -> Region | None:
        return await self._area(info, "intermediateRegion")

    @field(description="The country groups it belongs to (ASEAN), with the dates of its membership.")
    async def groups(
        self,
        info: Info,
        as_of: AsOf = None,
        during: During = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Membership]:
        check_dates(as_of, during)
        predicates = lookahead.predicates(info, "CountryGroup", *at("group"), also=["name"])
        links = await info.context.loaders.related("country_groups", self.iri, predicates)
        found = [
            Membership.of(link, country=self, group=CountryGroup(iri=link.target.iri, loaded=link.target))
            for link in sorted(links, key=by_name)
            if holds(link.start, link.end, as_of, during)
        ]
        return paginate(found, first, after)

    @field(description="The sources stating its facts.")
    async def sources(self, info: Info) -> list[Source]:
        return await self.node_sources(info)


def kind_predicate(field: str) -> ox.NamedNode:
    return {"region": KG.region, "subRegion": KG.subRegion, "intermediateRegion": KG.intermediateRegion}[field]


@strawberry.type(description="An intergovernmental organisation of countries, such as ASEAN.")
class CountryGroup(EntityNode):
    KIND: ClassVar[str] = "CountryGroup"
    iri: str
    loaded: strawberry.Private[EntityFacts | None] = None

    @strawberry.field
    async def name(self, info: Info) -> str:
        return best_name(await self.facts(info, "name")) or fallback_label(self.iri)

    @strawberry.field
    async def acronym(self, info: Info) -> str | None:
        return (await self.facts(info, "acronym")).text(KG.acronym)

    @field(description="When it was founded.")
    async def founded(self, info: Info) -> str | None:
        return (await self.facts(info, "founded")).text(SCHEMA.foundingDate)

    @field(description="Its member countries, with the dates they joined (and left).")
    async def members(
        self,
        info: Info,
        as_of: AsOf = None,
        during: During = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Membership]:
        check_dates(as_of, during)
        predicates = lookahead.predicates(info, "Country", *at("country"), also=["name"])
        links = await info.context.loaders.related("group_members", self.iri, predicates)
        found = [
            Membership.of(link, country=Country(iri=link.target.iri, loaded=link.target), group=self)
            for link in sorted(links, key=by_name)
            if holds(link.start, link.end, as_of, during)
        ]
        return paginate(found, first, after)

    @field(description="The sources stating its facts.")
    async def sources(self, info: Info) -> list[Source]:
        return await self.node_sources(info)


@strawberry.type(description="A country's membership of a group, with its dates.")
class Membership:
    country: Country
    group: CountryGroup
    start: str | None = strawberry.field(description="When the country joined, as precise as the source.")
    end: str | None = strawberry.field(description="When it left, if it did.")
    graphs: strawberry.Private[list[str]]

    @classmethod
    def of(cls, link: Link, *, country: Country, group: CountryGroup) -> Membership:
        return cls(country=country, group=group, start=text_of(link.start), end=text_of(link.end), graphs=link.graphs)

    @field(description="The sources stating the membership.")
    async def sources(self, info: Info) -> list[Source]:
        return await sources(info, self.graphs)
