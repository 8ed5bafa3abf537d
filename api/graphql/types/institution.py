"""``Institution``: the CNRS, its laboratories, institutes and partners, with their hierarchy,
the instruments they take part in and their co-publication figures."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated, ClassVar

import strawberry

from api.graphql import lookahead
from api.graphql.context import Info
from api.graphql.dataloaders import Link
from api.graphql.errors import BadInput
from api.graphql.mapping import kind
from api.graphql.types.common import (
    AsOf,
    Connection,
    DateRange,
    During,
    EntityNode,
    Name,
    NameKind,
    Source,
    YearRange,
    best_name,
    check_dates,
    field,
    holds,
    paginate,
    sources,
)
from api.graphql.types.enums import (
    Counting,
    HierarchyRelation,
    InstitutionCategory,
    InstitutionField,
    InstrumentKind,
    OrganisationType,
    PartyRole,
    from_iris,
    to_iri,
)
from api.graphql.types.values import SourcedValue, stated
from graph.entities import EntityFacts
from ontology import FOAF, KG, RDF, RDFS, SCHEMA, SKOS
from ontology.iris import ID
from ontology.labels import fallback_label

if TYPE_CHECKING:
    from api.graphql.types.instrument import Party
    from api.graphql.types.places import Country

ROR_ORG = ID + "org/ror/"
INSTRUMENT = "api.graphql.types.instrument"
PLACES = "api.graphql.types.places"
FIRST_YEAR = 1900  # an open window starts here


def at(field: str) -> tuple[tuple[str, ...], ...]:
    """Where a connection's items hold ``field`` (``edges.node.<field>``, ``nodes.<field>``)."""
    return tuple((*path, field) for path in lookahead.NODES)


def by_name(link: Link) -> tuple[str, str]:
    return ((best_name(link.target) or "").lower(), link.target.iri)


def ror_of(facts: EntityFacts) -> str | None:
    """Its ROR id: stated (``kg:rorId``, ``schema:sameAs`` a ror.org IRI), else the one its IRI was minted from."""
    direct = facts.text(KG.rorId)
    if direct:
        return direct
    same = [t for t in facts.texts(SCHEMA.sameAs) if t.startswith("https://ror.org/")]
    if same:
        return same[0].removeprefix("https://ror.org/")
    # ontology.iris mints org/ror/<id> from a checked ROR id only: a source that names a body by
    # its ROR IRI (the CNRS table, HAL, OpenAlex) gives its id, with or without a ROR record.
    return facts.iri.removeprefix(ROR_ORG) if facts.iri.startswith(ROR_ORG) else None


def text_of(value: object) -> str | None:
    return getattr(value, "text", None)


@strawberry.type(description="Identifiers of an institution in other registries.")
class Identifiers:
    ror: str | None = strawberry.field(description="Research Organization Registry, such as 02feahw73.")
    hal: list[str] = strawberry.field(description="HAL (AuréHAL) structure ids, such as 441569.")
    openalex: list[str] = strawberry.field(description="OpenAlex institution ids, such as I1294671590.")
    grid: list[str]
    isni: list[str]
    fundref: list[str]
    wikidata: list[str]
    rnsr: list[str]
    idref: list[str]
    unit_codes: list[str] = strawberry.field(description="CNRS unit codes, such as UMI 3288.")


@strawberry.type(description="A parent or a child of an institution, with the dates of the tie.")
class HierarchyLink:
    institution: Institution = strawberry.field(description="The institution at the other end.")
    relations: list[HierarchyRelation]
    start: str | None = strawberry.field(description="Start of the tie (the child's start), as precise as the source.")
    end: str | None = strawberry.field(description="End of the tie (the child's end).")
    graphs: strawberry.Private[list[str]]

    @field(description="The sources stating the tie.")
    async def sources(self, info: Info) -> list[Source]:
        return await sources(info, self.graphs)


@strawberry.type(description="Co-publications with authors in one country (institution-country links).")
class CountryWeight:
    country: Annotated[Country, strawberry.lazy(PLACES)]
    weight: float = strawberry.field(description="Publications with co-authors in the country, under the counting.")
    first_year: int | None
    last_year: int | None


@strawberry.type(description="Co-publication figures of an institution, from the materialised network.")
class CopublicationSummary:
    partner_count: int = strawberry.field(description="Institutions co-publishing with it (internal ties excluded).")
    first_year: int | None
    last_year: int | None
    countries: list[CountryWeight] = strawberry.field(description="Partner countries, most co-publications first.")


@strawberry.type(description="An institution: the CNRS, a laboratory, an institute, a university, a partner...")
class Institution(EntityNode):
    KIND: ClassVar[str] = "Institution"
    iri: str = strawberry.field(description="The entity IRI, which dereferences to its page (/id/...).")
    loaded: strawberry.Private[EntityFacts | None] = None

    @field(description="Its preferred name.")
    async def name(self, info: Info) -> str:
        return best_name(await self.facts(info, "name")) or fallback_label(self.iri)

    @field(description="Every name and acronym the sources give.")
    async def names(self, info: Info) -> list[Name]:
        facts = await self.facts(info, "names")
        kinds = (
            (SKOS.prefLabel, NameKind.PREFERRED),
            (RDFS.label, NameKind.LABEL),
            (SKOS.altLabel, NameKind.ALTERNATIVE),
        )
        found = {(v.text, v.language, k): None for p, k in kinds for v in facts.values(p)}
        found |= {(v.text, None, NameKind.ACRONYM): None for v in facts.values(KG.acronym)}
        return [Name(value=t, language=lang, kind=k) for t, lang, k in found]

    @strawberry.field
    async def acronyms(self, info: Info) -> list[str]:
        return (await self.facts(info, "acronyms")).texts(KG.acronym)

    @field(description="Its organisation types (ROR).")
    async def types(self, info: Info) -> list[OrganisationType]:
        return from_iris(OrganisationType, (await self.facts(info, "types")).texts(KG.organisationType))

    @field(description="What it is for the CNRS (research unit, mixed unit, IRL...).")
    async def categories(self, info: Info) -> list[InstitutionCategory]:
        return from_iris(InstitutionCategory, (await self.facts(info, "categories")).texts(RDF.type))

    @field(description="ISO 3166-1 alpha-2 code of its country.")
    async def country_code(self, info: Info) -> str | None:
        country = (await self.facts(info, "countryCode")).text(KG.country)
        return None if country is None else country.rsplit("/", 1)[-1]

    @strawberry.field
    async def country(self, info: Info) -> Annotated[Country, strawberry.lazy(PLACES)] | None:
        from api.graphql.types.places import Country

        iri = (await self.facts(info, "country")).text(KG.country)
        return None if iri is None else Country(iri=iri)

    @field(description="Its web site.")
    async def website(self, info: Info) -> str | None:
        return (await self.facts(info, "website")).text(FOAF.homepage)

    @field(description="The year it was established.")
    async def founding_year(self, info: Info) -> int | None:
        facts = await self.facts(info, "foundingYear")
        value = facts.first(KG.establishmentYear) or facts.first(SCHEMA.foundingDate)
        return None if value is None else value.year

    @field(description="Status of its ROR record: active, inactive or withdrawn.")
    async def status(self, info: Info) -> str | None:
        return (await self.facts(info, "status")).text(KG.rorStatus)

    @field(description="Its ROR id, such as 02feahw73.")
    async def ror(self, info: Info) -> str | None:
        return ror_of(await self.facts(info, "ror"))

    @strawberry.field
    async def identifiers(self, info: Info) -> Identifiers:
        facts = await self.facts(info, "identifiers")
        return Identifiers(
            ror=ror_of(facts),
            hal=facts.texts(KG.halStructureId),
            openalex=facts.texts(KG.openAlexId),
            grid=facts.texts(KG.gridId),
            isni=facts.texts(KG.isni),
            fundref=facts.texts(KG.fundrefId),
            wikidata=facts.texts(KG.wikidataId),
            rnsr=facts.texts(KG.rnsr),
            idref=facts.texts(KG.idref),
            unit_codes=facts.texts(KG.unitCode),
        )

    @field(description="The sources stating its facts.")
    async def sources(self, info: Info) -> list[Source]:
        return await self.node_sources(info)

    @field(description="Every value its sources give for a field, each with its source (the field shows one).")
    async def values(self, info: Info, field: InstitutionField) -> list[SourcedValue]:
        return stated(await self.facts(info, "values"), kind(self.KIND), field.value)

    async def _hierarchy(
        self, info: Info, relation: str, as_of: datetime.date | None, during: DateRange | None
    ) -> list[HierarchyLink]:
        check_dates(as_of, during)
        predicates = lookahead.predicates(info, "Institution", *at("institution"), also=["name"])
        found = []
        for link in sorted(await info.context.loaders.related(relation, self.iri, predicates), key=by_name):
            if link.target.has_type([KG.RegionalOffice.value]) or not holds(link.start, link.end, as_of, during):
                continue
            found.append(
                HierarchyLink(
                    institution=Institution(iri=link.target.iri, loaded=link.target),
                    relations=from_iris(HierarchyRelation, link.via),
                    start=text_of(link.start),
                    end=text_of(link.end),
                    graphs=link.graphs,
                )
            )
        return found

    @field(description="The bodies it belongs to: supervising bodies, parents, what it is a unit of.")
    async def parents(
        self,
        info: Info,
        as_of: AsOf = None,
        during: During = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[HierarchyLink]:
        return paginate(await self._hierarchy(info, "institution_parents", as_of, during), first, after)

    @field(description="Its laboratories, institutes and other units (the regional offices are the root `offices`).")
    async def children(
        self,
        info: Info,
        as_of: AsOf = None,
        during: During = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[HierarchyLink]:
        return paginate(await self._hierarchy(info, "institution_children", as_of, during), first, after)

    @field(
        description="The instruments it takes part in, as a party or as a laboratory the instrument involves. "
        "Dated by the party's dates where the source gives them, else by the instrument's."
    )
    async def instruments(
        self,
        info: Info,
        kinds: list[InstrumentKind] | None = None,
        roles: list[PartyRole] | None = None,
        as_of: AsOf = None,
        during: During = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Annotated[Party, strawberry.lazy(INSTRUMENT)]]:
        from api.graphql.types.instrument import Instrument, Party

        check_dates(as_of, during)
        predicates = lookahead.predicates(info, "Instrument", *at("instrument"), also=["name", "kind", "start", "end"])
        links = await info.context.loaders.related("institution_instruments", self.iri, predicates)
        wanted_kinds = None if kinds is None else {to_iri(k) for k in kinds}
        found = []
        for link in sorted(links, key=by_name):
            party = Party.of(link, institution=self, instrument=Instrument(iri=link.target.iri, loaded=link.target))
            if wanted_kinds is not None and not wanted_kinds & set(link.target.texts(KG.instrumentKind)):
                continue
            if roles is not None and party.role not in roles:
                continue
            start = link.start or link.target.first(SCHEMA.startDate)
            end = link.end or link.target.first(SCHEMA.endDate)
            if holds(start, end, as_of, during):
                found.append(party)
        return paginate(found, first, after)

    @field(description="Its co-publication figures, over all years or the years of `during`.")
    async def copublications(
        self, info: Info, during: YearRange | None = None, counting: Counting = Counting.FULL
    ) -> CopublicationSummary:
        years = None
        if during is not None:
            start, end = during.start or FIRST_YEAR, during.end or datetime.date.today().year
            if start > end:
                raise BadInput(f"during: start {start} is after end {end}")
            years = tuple(range(start, end + 1))
        figures = await info.context.loaders.copublications(self.iri, years)
        partners = set()
        countries: dict[str, list[float]] = {}
        years_seen: list[int] = []
        for figure in figures:
            if figure.internal:
                continue
            years_seen += [y for y in (figure.first, figure.last) if y is not None]
            if figure.kind.endswith("#InstitutionInstitution"):
                partners.add(figure.other)
            elif figure.kind.endswith("#InstitutionCountry"):
                weight = figure.full if counting is Counting.FULL else figure.fractional
                entry = countries.setdefault(figure.other, [0.0, 9999, 0])
                entry[0] += weight
                entry[1] = min(entry[1], figure.first or 9999)
                entry[2] = max(entry[2], figure.last or 0)
        from api.graphql.types.places import Country

        ranked = sorted(countries.items(), key=lambda item: (-item[1][0], item[0]))
        return CopublicationSummary(
            partner_count=len(partners),
            first_year=min(years_seen) if years_seen else None,
            last_year=max(years_seen) if years_seen else None,
            countries=[
                CountryWeight(
                    country=Country(iri=iri),
                    weight=round(w, 6),
                    first_year=None if f == 9999 else int(f),
                    last_year=None if not last else int(last),
                )
                for iri, (w, f, last) in ranked
            ],
        )
