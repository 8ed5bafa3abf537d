"""``Publication`` (OpenAlex and HAL works) and ``Indicator`` (Data Cube observations of the seeds)."""

from __future__ import annotations

from typing import Annotated, ClassVar

import strawberry

from api.graphql import lookahead
from api.graphql.context import Info
from api.graphql.mapping import kind, kind_of_iri
from api.graphql.types.common import Connection, EntityNode, Source, field, paginate
from api.graphql.types.enums import InstrumentKind, Measure, ValueQualifier, from_iris
from api.graphql.types.institution import Institution, by_name
from api.graphql.types.places import Country, CountryGroup, Region
from graph.entities import EntityFacts
from ontology import BIBO, DCTERMS, FABIO, KG, QB

Area = Annotated[
    Country | Region | CountryGroup, strawberry.union("Area", description="A country, an M49 area or a group.")
]


def area_of(iri: str) -> Country | Region | CountryGroup | None:
    """The node an area IRI names, from where it was minted."""
    found = kind_of_iri(iri)
    if found == "Country":
        return Country(iri=iri)
    if found == "Region":
        return Region(iri=iri)
    if found == "CountryGroup":
        return CountryGroup(iri=iri)
    return None


@strawberry.type(description="A publication, from OpenAlex or HAL (a work with a DOI in both is one publication).")
class Publication(EntityNode):
    KIND: ClassVar[str] = "Publication"
    iri: str
    loaded: strawberry.Private[EntityFacts | None] = None

    @strawberry.field
    async def title(self, info: Info) -> str | None:
        return (await self.facts(info, "title")).text(DCTERMS.title)

    @field(description="Its publication year (the earliest, when sources differ).")
    async def year(self, info: Info) -> int | None:
        years = [v.year for v in (await self.facts(info, "year")).values(FABIO.hasPublicationYear)]
        known = [y for y in years if y is not None]
        return min(known) if known else None

    @strawberry.field
    async def doi(self, info: Info) -> str | None:
        return (await self.facts(info, "doi")).text(BIBO.doi)

    @field(description="Its OpenAlex work id.")
    async def openalex(self, info: Info) -> str | None:
        return (await self.facts(info, "openalex")).text(KG.openAlexId)

    @field(description="Its HAL document id.")
    async def hal(self, info: Info) -> str | None:
        return (await self.facts(info, "hal")).text(KG.halId)

    @field(description="Its type in each source's vocabulary (article, COMM...).")
    async def types(self, info: Info) -> list[str]:
        return (await self.facts(info, "type")).texts(KG.workType)

    @field(description="Cited-by count, as the source gave it at retrieval.")
    async def cited_by(self, info: Info) -> int | None:
        value = (await self.facts(info, "citedBy")).first(KG.citedByCount)
        return None if value is None or value.number is None else int(value.number)

    @field(description="True when its authors are affiliated in at least two countries.")
    async def copublication(self, info: Info) -> bool:
        return (await self.facts(info, "copublication")).has_type([KG.CoPublication.value])

    @field(description="Its pages at the sources.")
    async def pages(self, info: Info) -> list[str]:
        return sorted((await self.facts(info, "pages")).texts(DCTERMS.source))

    @field(description="The sources stating its facts.")
    async def sources(self, info: Info) -> list[Source]:
        return await self.node_sources(info, DCTERMS.source.value)

    @field(description="Institutions its authors are affiliated with.")
    async def institutions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Institution]:
        predicates = lookahead.predicates(info, "Institution", *lookahead.NODES, also=["name"])
        links = sorted(
            await info.context.loaders.related("publication_institutions", self.iri, predicates), key=by_name
        )
        return paginate([Institution(iri=k.target.iri, loaded=k.target) for k in links], first, after)

    @field(description="Countries of its affiliations.")
    async def countries(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Country]:
        predicates = lookahead.predicates(info, "Country", *lookahead.NODES, also=["name"])
        links = sorted(await info.context.loaders.related("publication_countries", self.iri, predicates), key=by_name)
        return paginate([Country(iri=k.target.iri, loaded=k.target) for k in links], first, after)


@strawberry.type(description="A figure from a seed document: an RDF Data Cube observation.")
class Indicator(EntityNode):
    KIND: ClassVar[str] = "Indicator"
    iri: str
    loaded: strawberry.Private[EntityFacts | None] = None

    async def _measure_value(self, info: Info) -> tuple[Measure | None, str | None]:
        facts = await self.facts(info, "value")
        for measure in from_iris(Measure, facts.texts(QB.measureType)):
            text = facts.text(KG.term(measure.value))
            if text is not None:
                return measure, text
        for predicate in kind("Indicator").fields["value"]:
            text = facts.text(predicate)
            if text is not None:
                found = from_iris(Measure, [predicate.value])
                return (found[0] if found else None), text
        return None, None

    @field(description="What it measures.")
    async def measure(self, info: Info) -> Measure | None:
        return (await self._measure_value(info))[0]

    @field(description="The figure (a share is between 0 and 1).")
    async def value(self, info: Info) -> float | None:
        text = (await self._measure_value(info))[1]
        try:
            return None if text is None else float(text)
        except ValueError:
            return None

    @field(description="How the source qualifies it (exactly, about, more than...).")
    async def qualifier(self, info: Info) -> ValueQualifier | None:
        found = from_iris(ValueQualifier, (await self.facts(info, "qualifier")).texts(KG.valueQualifier))
        return found[0] if found else None

    @field(description="The year it is about, when the source gives one.")
    async def year(self, info: Info) -> int | None:
        value = (await self.facts(info, "year")).first(KG.refPeriod)
        return None if value is None else value.year

    @field(description="The country, area or group it is about.")
    async def area(self, info: Info) -> Area | None:
        iri = (await self.facts(info, "area")).text(KG.refArea)
        return None if iri is None else area_of(iri)

    @field(description="The organisation whose activity it measures.")
    async def organisation(self, info: Info) -> Institution | None:
        iri = (await self.facts(info, "organisation")).text(KG.refOrganisation)
        return None if iri is None else Institution(iri=iri)

    @field(description="The instrument kind an instrument count is about.")
    async def instrument_kind(self, info: Info) -> InstrumentKind | None:
        found = from_iris(InstrumentKind, (await self.facts(info, "instrumentKind")).texts(KG.refInstrumentKind))
        return found[0] if found else None

    @field(description="The data set it belongs to.")
    async def dataset(self, info: Info) -> str | None:
        return (await self.facts(info, "dataset")).text(QB.dataSet)

    @field(description="The words of the source stating it, verbatim.")
    async def quote(self, info: Info) -> str | None:
        return (await self.facts(info, "quote")).text(KG.quote)

    @field(description="The sources stating it.")
    async def sources(self, info: Info) -> list[Source]:
        return await self.node_sources(info)
