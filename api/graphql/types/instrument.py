"""``Instrument`` (IRL, IRP, IRN, IEA, agreements, networks...), its ``Party`` ties, and ``Office``."""

from __future__ import annotations

from typing import ClassVar

import strawberry

from api.graphql import lookahead
from api.graphql.context import Info
from api.graphql.dataloaders import Link
from api.graphql.mapping import kind
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
from api.graphql.types.enums import (
    InstrumentField,
    InstrumentKind,
    InstrumentStatus,
    OfficeField,
    PartyRole,
    from_iris,
    to_iri,
)
from api.graphql.types.institution import Institution, at, by_name, text_of
from api.graphql.types.instrument_phases import InstrumentCopublications, copublications_of
from api.graphql.types.places import Country
from api.graphql.types.values import SourcedValue, stated
from graph.entities import EntityFacts
from ontology import DCTERMS, KG, SCHEMA, SKOS
from ontology.iris import ID
from ontology.labels import fallback_label


@strawberry.type(description="An institution's part in an instrument: its role and dates.")
class Party:
    institution: Institution
    instrument: Instrument
    role: PartyRole | None = strawberry.field(description="Its role (UNIT: a laboratory the instrument involves).")
    start: str | None = strawberry.field(description="When it joined, if the source says (else see the instrument).")
    end: str | None
    note: str | None
    graphs: strawberry.Private[list[str]]

    @classmethod
    def of(cls, link: Link, *, institution: Institution, instrument: Instrument) -> Party:
        roles = from_iris(PartyRole, link.roles | link.via)
        return cls(
            institution=institution,
            instrument=instrument,
            role=roles[0] if roles else None,
            start=text_of(link.start),
            end=text_of(link.end),
            note=next(iter(sorted(link.notes)), None),
            graphs=link.graphs,
        )

    @field(description="The sources stating the tie.")
    async def sources(self, info: Info) -> list[Source]:
        return await sources(info, self.graphs)


def _country(facts: EntityFacts) -> Country | None:
    iri = facts.text(KG.country)
    return None if iri is None else Country(iri=iri)


@strawberry.type(description="A CNRS cooperation instrument: a laboratory, project, network, action or agreement.")
class Instrument(EntityNode):
    KIND: ClassVar[str] = "Instrument"
    iri: str
    loaded: strawberry.Private[EntityFacts | None] = None

    @field(description="Its key in the CNRS table, such as irl-ipal.")
    def key(self) -> str:
        return self.iri.removeprefix(ID + "instrument/")

    @strawberry.field
    async def name(self, info: Info) -> str:
        return best_name(await self.facts(info, "name")) or fallback_label(self.iri)

    @strawberry.field
    async def acronym(self, info: Info) -> str | None:
        return (await self.facts(info, "acronym")).text(KG.acronym)

    @field(description="Its CNRS unit code, such as UMI 3288.")
    async def code(self, info: Info) -> str | None:
        return (await self.facts(info, "code")).text(KG.unitCode)

    @field(description="Its current kind.")
    async def kind(self, info: Info) -> InstrumentKind | None:
        kinds = from_iris(InstrumentKind, (await self.facts(info, "kind")).texts(KG.instrumentKind))
        return kinds[0] if kinds else None

    @field(description="Kinds it had before (UMI, LIA...).")
    async def former_kinds(self, info: Info) -> list[InstrumentKind]:
        return from_iris(InstrumentKind, (await self.facts(info, "formerKinds")).texts(KG.formerKind))

    @strawberry.field
    async def former_names(self, info: Info) -> list[str]:
        return (await self.facts(info, "formerNames")).texts(KG.formerName)

    @field(description="ISO 3166-1 alpha-2 code of the country where it is.")
    async def country_code(self, info: Info) -> str | None:
        country = (await self.facts(info, "countryCode")).text(KG.country)
        return None if country is None else country.rsplit("/", 1)[-1]

    @strawberry.field
    async def country(self, info: Info) -> Country | None:
        return _country(await self.facts(info, "country"))

    @field(
        description="When it started, as precise as the source (2014, 2007-01, 2014-05-30); where sources "
        "disagree, the earliest (`values(field: START)` lists each)."
    )
    async def start(self, info: Info) -> str | None:
        return (await self.facts(info, "start")).text(SCHEMA.startDate)

    @field(description="When it ended, if it did.")
    async def end(self, info: Info) -> str | None:
        return (await self.facts(info, "end")).text(SCHEMA.endDate)

    @field(description="When its agreement was signed, as precise as the source (2005, 2005-09, 2005-09-22).")
    async def signed(self, info: Info) -> str | None:
        return (await self.facts(info, "signed")).text(KG.signatureDate)

    @strawberry.field
    async def signature_place(self, info: Info) -> str | None:
        return (await self.facts(info, "signaturePlace")).text(KG.signaturePlace)

    @field(description="When it was renewed.")
    async def renewals(self, info: Info) -> list[str]:
        return sorted((await self.facts(info, "renewals")).texts(KG.renewalDate))

    @strawberry.field
    async def status(self, info: Info) -> InstrumentStatus | None:
        found = from_iris(InstrumentStatus, (await self.facts(info, "status")).texts(KG.status))
        return found[0] if found else None

    @field(description="False when the source's compiler could not confirm it in a public document.")
    async def verified(self, info: Info) -> bool:
        return not (await self.facts(info, "verified")).texts(KG.verificationStatus)

    @field(description="The dates as the source words them.")
    async def date_note(self, info: Info) -> str | None:
        return (await self.facts(info, "dateNote")).text(KG.dateNote)

    @strawberry.field
    async def note(self, info: Info) -> str | None:
        return (await self.facts(info, "note")).text(SKOS.note)

    @field(description="The web pages its facts come from.")
    async def pages(self, info: Info) -> list[str]:
        return sorted((await self.facts(info, "pages")).texts(DCTERMS.source))

    @field(description="The sources stating its facts, each with the pages it cites for it.")
    async def sources(self, info: Info) -> list[Source]:
        return await self.node_sources(info, DCTERMS.source.value)

    @field(description="Every value its sources give for a field, each with its source (the field shows one).")
    async def values(self, info: Info, field: InstrumentField) -> list[SourcedValue]:
        return stated(await self.facts(info, "values"), kind(self.KIND), field.value)

    @field(description="Its parties: the CNRS, universities, agencies, with roles and dates.")
    async def parties(
        self,
        info: Info,
        roles: list[PartyRole] | None = None,
        as_of: AsOf = None,
        during: During = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Party]:
        check_dates(as_of, during)
        predicates = lookahead.predicates(info, "Institution", *at("institution"), also=["name"])
        links = await info.context.loaders.related("instrument_parties", self.iri, predicates)
        found = []
        for link in sorted(links, key=by_name):
            party = Party.of(link, institution=Institution(iri=link.target.iri, loaded=link.target), instrument=self)
            if (roles is None or party.role in roles) and holds(link.start, link.end, as_of, during):
                found.append(party)
        return paginate(found, first, after)

    async def _related(self, info: Info, relation: str, kind_name: str) -> list[Link]:
        predicates = lookahead.predicates(info, kind_name, *lookahead.NODES, also=["name"])
        return sorted(await info.context.loaders.related(relation, self.iri, predicates), key=by_name)

    @field(description="The laboratories it establishes or involves.")
    async def labs(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Institution]:
        links = await self._related(info, "instrument_labs", "Institution")
        return paginate([Institution(iri=k.target.iri, loaded=k.target) for k in links], first, after)

    @field(description="Earlier instruments it continues (an LIA that became an IRL...).")
    async def predecessors(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Instrument]:
        links = await self._related(info, "instrument_predecessors", "Instrument")
        return paginate([Instrument(iri=k.target.iri, loaded=k.target) for k in links], first, after)

    @field(
        description="Its co-publications with each partner party (in IRI order): between its CNRS side and the "
        "partner, per year and before, during and after its active span (from the network index)."
    )
    async def copublications(self, info: Info) -> list[InstrumentCopublications]:
        return await copublications_of(info, self.iri)

    @field(description="The CNRS offices that manage it.")
    async def offices(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Office]:
        links = await self._related(info, "instrument_offices", "Office")
        return paginate([Office(iri=k.target.iri, loaded=k.target) for k in links], first, after)


def matches_kind(facts: EntityFacts, kinds: list[InstrumentKind] | None) -> bool:
    return kinds is None or bool({to_iri(k) for k in kinds} & set(facts.texts(KG.instrumentKind)))


@strawberry.type(description="A CNRS regional office abroad (Hanoi, then Singapore).")
class Office(EntityNode):
    KIND: ClassVar[str] = "Office"
    iri: str
    loaded: strawberry.Private[EntityFacts | None] = None

    @strawberry.field
    async def name(self, info: Info) -> str:
        return best_name(await self.facts(info, "name")) or fallback_label(self.iri)

    @strawberry.field
    async def country(self, info: Info) -> Country | None:
        return _country(await self.facts(info, "country"))

    @field(description="When it opened, as precise as the source; where sources disagree, the earliest.")
    async def start(self, info: Info) -> str | None:
        return (await self.facts(info, "start")).text(SCHEMA.startDate)

    @field(description="When it closed, if it did.")
    async def end(self, info: Info) -> str | None:
        return (await self.facts(info, "end")).text(SCHEMA.endDate)

    @strawberry.field
    async def date_note(self, info: Info) -> str | None:
        return (await self.facts(info, "dateNote")).text(KG.dateNote)

    @field(description="What its sources say about it, verbatim.")
    async def quotes(self, info: Info) -> list[str]:
        return (await self.facts(info, "quotes")).texts(KG.quote)

    @field(description="The sources stating its facts, each with the pages it cites for it.")
    async def sources(self, info: Info) -> list[Source]:
        return await self.node_sources(info, DCTERMS.source.value)

    @field(description="Every value its sources give for a field, each with its source (the field shows one).")
    async def values(self, info: Info, field: OfficeField) -> list[SourcedValue]:
        return stated(await self.facts(info, "values"), kind(self.KIND), field.value)

    @field(description="The countries in its remit.")
    async def countries(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Country]:
        predicates = lookahead.predicates(info, "Country", *lookahead.NODES, also=["name"])
        links = sorted(await info.context.loaders.related("office_countries", self.iri, predicates), key=by_name)
        return paginate([Country(iri=k.target.iri, loaded=k.target) for k in links], first, after)

    @field(description="The instruments it manages.")
    async def instruments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Instrument]:
        predicates = lookahead.predicates(info, "Instrument", *lookahead.NODES, also=["name"])
        links = sorted(await info.context.loaders.related("office_instruments", self.iri, predicates), key=by_name)
        return paginate([Instrument(iri=k.target.iri, loaded=k.target) for k in links], first, after)
