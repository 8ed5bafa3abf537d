"""A ``RorRecord`` as triples: the organisation, its names, ids, place and relations, with no blank node."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from loaders.ror.fields import _ID_TYPES, _ORG_TYPES
from loaders.ror.records import RorRecord
from ontology import DCTERMS, FOAF, KG, ORG, RDF, RDFS, SCHEMA, SKOS, XSD, iris
from ontology.literals import date_literal, year


@dataclass(frozen=True, slots=True)
class _Terms:
    """The hot path's terms, looked up once: ``Vocabulary`` attribute access costs more than the triple."""

    type: ox.NamedNode
    organization: ox.NamedNode
    research_organisation: ox.NamedNode
    formal_organization: ox.NamedNode
    research_unit: ox.NamedNode
    mixed_unit: ox.NamedNode
    supervising_body: ox.NamedNode
    supervises: ox.NamedNode
    unit: ox.NamedNode
    unit_of: ox.NamedNode
    has_unit: ox.NamedNode
    organisation_type: ox.NamedNode
    label: ox.NamedNode
    pref_label: ox.NamedNode
    alt_label: ox.NamedNode
    acronym: ox.NamedNode
    ror_id: ox.NamedNode
    same_as: ox.NamedNode
    homepage: ox.NamedNode
    page: ox.NamedNode
    country: ox.NamedNode
    latitude: ox.NamedNode
    longitude: ox.NamedNode
    decimal: ox.NamedNode
    established: ox.NamedNode
    status: ox.NamedNode
    modified: ox.NamedNode
    cnrs: ox.NamedNode
    org_types: dict[str, ox.NamedNode]
    external: dict[str, ox.NamedNode]
    edges: dict[str, tuple[ox.NamedNode, ox.NamedNode]]  # relationship -> (predicate, inverse)


@cache
def _terms() -> _Terms:
    """Built on first use, not at import, since ``KG`` reads the ontology file."""
    return _Terms(
        type=RDF.type,
        organization=ORG.Organization,
        research_organisation=KG.ResearchOrganisation,
        formal_organization=ORG.FormalOrganization,
        research_unit=KG.ResearchUnit,
        mixed_unit=KG.MixedResearchUnit,
        supervising_body=KG.supervisingBody,
        supervises=KG.supervises,
        unit=ORG.OrganizationalUnit,
        unit_of=ORG.unitOf,
        has_unit=ORG.hasUnit,
        organisation_type=KG.organisationType,
        label=RDFS.label,
        pref_label=SKOS.prefLabel,
        alt_label=SKOS.altLabel,
        acronym=KG.acronym,
        ror_id=KG.rorId,
        same_as=SCHEMA.sameAs,
        homepage=FOAF.homepage,
        page=FOAF.page,
        country=KG.country,
        latitude=SCHEMA.latitude,
        longitude=SCHEMA.longitude,
        decimal=XSD.decimal,
        established=KG.establishmentYear,
        status=KG.rorStatus,
        modified=DCTERMS.modified,
        cnrs=iris.ror_org(iris.CNRS_ROR),
        org_types={key: KG.term(name) for key, name in _ORG_TYPES.items()},
        external={key: KG.term(name) for key, name in _ID_TYPES.items()},
        edges={
            "parent": (ORG.subOrganizationOf, ORG.hasSubOrganization),
            "child": (ORG.hasSubOrganization, ORG.subOrganizationOf),
            "predecessor": (KG.predecessor, KG.successor),
            "successor": (KG.successor, KG.predecessor),
            "related": (KG.relatedOrganisation, KG.relatedOrganisation),
        },
    )


# The CNRS's ten institutes, CNRS Ingénierie and two directorates in ROR (release v2.9), as
# ``cnrs_internal_bodies`` finds them among the CNRS's children. A file holding records under them
# but not their own records (the organisations the bundle references: labs under an institute,
# delegations) must still tell them apart, or an institute would become a lab's supervising
# body; tests/loaders/test_ror_referenced.py keeps this set equal to the data's.
CNRS_BODIES = frozenset(
    {
        "00rydyx93", "00s19x989", "00z54nq84", "01q76b368", "02cte4b68", "03fd77x13",
        "03yz3tz18", "043nepn57", "04b0z7q78", "04kdfz702", "04z22qz54", "050jcm728",
    }
)  # fmt: skip


def cnrs_internal_bodies(records: list[RorRecord], known: frozenset[str] = CNRS_BODIES) -> frozenset[str]:
    """ROR ids of the CNRS's own institutes and directorates: ``known`` and those among ``records``.

    ROR lists them as children of the CNRS, like its laboratories, and as parents of the labs
    they steer. They are told apart by the data: the CNRS as sole parent, and either a
    government type or at least ten CNRS labs below them. A federation or a lab of the CNRS
    alone (Institut Chevreul) has neither.
    """
    below: dict[str, int] = {}
    for record in records:
        for kind, target in record.relationships:
            if kind == "parent":
                below[target] = below.get(target, 0) + 1
    internal = set(known)
    for record in records:
        parents = [target for kind, target in record.relationships if kind == "parent"]
        if parents == [iris.CNRS_ROR] and ("government" in record.types or below.get(record.ror, 0) >= 10):
            internal.add(record.ror)
    return frozenset(internal)


def _literal(value: str, lang: str | None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def record_triples(record: RorRecord, internal: frozenset[str] = frozenset()) -> Iterator[ox.Triple]:
    """The triples one record states about its organisation, and the inverse of each relation.

    ``internal`` holds the ROR ids of CNRS institutes and directorates (``cnrs_internal_bodies``):
    they are units of the CNRS, not research units, and never a lab's supervising body.
    """
    t = _terms()
    triple = ox.Triple
    s = iris.ror_org(record.ror)
    yield triple(s, t.type, t.organization)
    if s == t.cnrs:
        yield triple(s, t.type, t.research_organisation)
        yield triple(s, t.type, t.formal_organization)
    for kind in record.types:
        yield triple(s, t.organisation_type, t.org_types[kind])

    label = _literal(*record.label)
    yield triple(s, t.label, label)
    yield triple(s, t.pref_label, label)
    for text, lang in record.alt_labels:
        alt = _literal(text, lang)
        if alt != label:  # SKOS: a label cannot be both preferred and alternative
            yield triple(s, t.alt_label, alt)
    for acronym in record.acronyms:
        yield triple(s, t.acronym, ox.Literal(acronym))

    yield triple(s, t.ror_id, ox.Literal(record.ror))
    yield triple(s, t.same_as, iris.ror_url(record.ror))
    for kind, value in record.external_ids:
        yield triple(s, t.external[kind], ox.Literal(value))
    for url in record.homepages:
        yield triple(s, t.homepage, ox.NamedNode(url))
    for url in record.pages:
        yield triple(s, t.page, ox.NamedNode(url))

    for code in record.countries:
        yield triple(s, t.country, iris.country(code))
    if record.lat is not None and record.lng is not None:
        yield triple(s, t.latitude, ox.Literal(record.lat, datatype=t.decimal))
        yield triple(s, t.longitude, ox.Literal(record.lng, datatype=t.decimal))
    if record.established is not None:
        yield triple(s, t.established, year(record.established))
    yield triple(s, t.status, ox.Literal(record.status))
    if record.modified is not None:
        yield triple(s, t.modified, date_literal(record.modified))

    parents: list[ox.NamedNode] = []
    for kind, target in record.relationships:
        o = iris.ror_org(target)
        predicate, inverse = t.edges[kind]
        yield triple(s, predicate, o)
        yield triple(o, inverse, s)
        if kind == "parent":
            parents.append(o)
    if record.ror in internal:
        yield triple(s, t.type, t.unit)
        yield triple(s, t.unit_of, t.cnrs)
        yield triple(t.cnrs, t.has_unit, s)
        return
    inside_cnrs = {iris.ror_org(ror) for ror in internal} | {t.cnrs}
    if any(parent in inside_cnrs for parent in parents):
        # A lab under a CNRS institute is supervised by the CNRS itself.
        supervisors = [parent for parent in parents if parent not in inside_cnrs] + [t.cnrs]
        yield triple(s, t.type, t.research_unit)
        if len(supervisors) >= 2:
            yield triple(s, t.type, t.mixed_unit)
        for parent in supervisors:
            yield triple(s, t.supervising_body, parent)
            yield triple(parent, t.supervises, s)
