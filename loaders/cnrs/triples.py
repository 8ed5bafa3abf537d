"""CNRS records as triples: instruments with the units they establish, parties, regional offices."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from loaders.cnrs.records import KINDS, LAB_CLASSES, ROLES, STATUSES, Instrument, Office, Party
from ontology import DCTERMS, KG, ORG, RDF, RDFS, SCHEMA, SKOS, iris


def _en(value: str) -> ox.Literal:
    return ox.Literal(value, language="en")


def _dated(node: ox.NamedNode, start: ox.Literal | None, end: ox.Literal | None) -> Iterator[ox.Triple]:
    if start is not None:
        yield ox.Triple(node, SCHEMA.startDate, start)
    if end is not None:
        yield ox.Triple(node, SCHEMA.endDate, end)


def _ror(org: ox.NamedNode, ror_id: str) -> Iterator[ox.Triple]:
    """A body the table names by its ROR id (its own column): the id, as the ROR, HAL and OpenAlex loaders
    state it, so that it is known with or without the body's ROR record in the store."""
    yield ox.Triple(org, SCHEMA.sameAs, iris.ror_url(ror_id))
    yield ox.Triple(org, KG.rorId, ox.Literal(ror_id))


def _noted(node: ox.NamedNode, date_note: str, note: str, sources: tuple[str, ...]) -> Iterator[ox.Triple]:
    if date_note:
        yield ox.Triple(node, KG.dateNote, ox.Literal(date_note))
    if note:
        yield ox.Triple(node, SKOS.note, _en(note))
    for url in sources:
        yield ox.Triple(node, DCTERMS.source, ox.NamedNode(url))


def instrument_triples(inst: Instrument, parties: list[Party]) -> Iterator[ox.Triple]:
    """An instrument, the unit it establishes (for IRL, UMI, UMIFRE) and its parties."""
    s = iris.instrument(inst.key)
    country = iris.country(inst.country)
    yield ox.Triple(s, RDF.type, KG.CooperationInstrument)
    yield ox.Triple(s, KG.instrumentKind, KG.term(KINDS[inst.kind]))
    for kind in inst.former_kinds:
        yield ox.Triple(s, KG.formerKind, KG.term(KINDS[kind]))
    yield ox.Triple(s, RDFS.label, inst.label)
    yield ox.Triple(s, SKOS.prefLabel, inst.label)
    for former in inst.former_names:
        yield ox.Triple(s, KG.formerName, ox.Literal(former))
    if inst.acronym:
        yield ox.Triple(s, KG.acronym, ox.Literal(inst.acronym))
    for code in inst.codes:
        yield ox.Triple(s, KG.unitCode, ox.Literal(code))
    yield ox.Triple(s, KG.country, country)
    for unit in inst.labs:
        yield ox.Triple(s, KG.concernsUnit, unit.node)
    if inst.signature_date is not None:
        yield ox.Triple(s, KG.signatureDate, inst.signature_date)
    yield from _dated(s, inst.start_date, inst.end_date)
    for renewal in inst.renewal_dates:
        yield ox.Triple(s, KG.renewalDate, renewal)
    if inst.signature_place:
        yield ox.Triple(s, KG.signaturePlace, ox.Literal(inst.signature_place))
    yield ox.Triple(s, KG.status, KG.term(STATUSES[inst.status]))
    if not inst.verified:
        yield ox.Triple(s, KG.verificationStatus, KG.NotVerified)
    if inst.predecessor:
        yield ox.Triple(s, KG.predecessorInstrument, iris.instrument(inst.predecessor))
    yield from _noted(s, inst.date_note, inst.note, inst.sources)
    if inst.kind in LAB_CLASSES:
        unit = inst.labs[0]  # exactly one, checked by _instrument
        lab = unit.node
        yield ox.Triple(lab, RDF.type, KG.term(LAB_CLASSES[inst.kind]))
        if unit.field == "lab_ror":
            yield from _ror(lab, unit.id)
        yield ox.Triple(lab, RDF.type, ORG.Organization)
        yield ox.Triple(lab, RDFS.label, inst.label)
        yield ox.Triple(lab, KG.country, country)
        for party in parties:
            if party.role == "supervising_body":
                yield ox.Triple(lab, KG.supervisingBody, party.org)
    for party in parties:
        yield from party_triples(party)


def party_triples(party: Party) -> Iterator[ox.Triple]:
    """A party as an ``org:Membership`` of its body in the instrument, and the body itself."""
    m = iris.party(party.instrument, party.party_id)
    yield ox.Triple(iris.instrument(party.instrument), KG.hasParty, m)
    yield ox.Triple(m, RDF.type, ORG.Membership)
    yield ox.Triple(m, ORG.member, party.org)
    yield ox.Triple(m, ORG.organization, iris.instrument(party.instrument))
    yield ox.Triple(m, ORG.role, KG.term(ROLES[party.role]))
    yield from _dated(m, party.start_date, party.end_date)
    if party.note:
        yield ox.Triple(m, SKOS.note, _en(party.note))
    yield ox.Triple(party.org, RDF.type, ORG.Organization)
    yield ox.Triple(party.org, RDFS.label, ox.Literal(party.name))
    if party.ror:
        yield from _ror(party.org, party.party_id)


def office_triples(office: Office, offices: dict[str, Office]) -> Iterator[ox.Triple]:
    """A regional office of the CNRS and, when it continues another, the dated change between them."""
    s = iris.office(office.key)
    yield ox.Triple(s, RDF.type, KG.RegionalOffice)
    yield ox.Triple(s, RDF.type, ORG.OrganizationalUnit)
    yield ox.Triple(s, ORG.unitOf, iris.ror_org(iris.CNRS_ROR))
    yield ox.Triple(s, RDFS.label, _en(office.name))
    yield ox.Triple(s, KG.country, iris.country(office.country))
    yield from _dated(s, office.start_date, office.end_date)
    yield from _noted(s, office.date_note, office.note, office.sources)
    if office.predecessor:
        before = offices[office.predecessor]
        event, original = iris.change_event(f"office-{before.key}-to-{office.key}"), iris.office(before.key)
        yield ox.Triple(event, RDF.type, ORG.ChangeEvent)
        yield ox.Triple(event, RDFS.label, _en(f"From {before.name} to {office.name}"))
        yield ox.Triple(event, ORG.originalOrganization, original)
        yield ox.Triple(event, ORG.resultingOrganization, s)
        yield ox.Triple(original, ORG.changedBy, event)
        yield ox.Triple(s, ORG.resultedFrom, event)
        if office.start_date is not None:
            yield ox.Triple(event, DCTERMS.date, office.start_date)
        yield from _noted(event, office.date_note, "", office.sources)
