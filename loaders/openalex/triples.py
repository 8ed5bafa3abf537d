"""A ``Work`` as triples: the work, its authorships, the institutions they name, and its research
fields (``topics``); no blank node.

An institution's IRI is its ROR one when the record gives a ROR id, when the same file showed
that OpenAlex id with one before, or when the bundled crosswalk knows it; otherwise it is minted
from the OpenAlex id. ``Institutions`` remembers what a file has shown, in bounded memory, so a
snapshot of any size can be read: an institution named by many works is described again now and
then (the store keeps one copy of each triple), never remembered without limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import pyoxigraph as ox

from loaders.openalex.records import ORG_TYPES, Institution, Work
from loaders.openalex.topics import Field, field_triples, work_fields
from ontology import BIBO, DCTERMS, FABIO, KG, ORG, RDF, RDFS, SCHEMA, XSD, iris

SOURCE = "openalex"
OPENALEX = "https://openalex.org/"


@dataclass(frozen=True, slots=True)
class _Terms:
    """The hot path's terms, looked up once: ``Vocabulary`` attribute access costs more than the triple."""

    type: ox.NamedNode
    expression: ox.NamedNode
    copublication: ox.NamedNode
    title: ox.NamedNode
    doi: ox.NamedNode
    openalex_id: ox.NamedNode
    year: ox.NamedNode
    gyear: ox.NamedNode
    integer: ox.NamedNode
    work_type: ox.NamedNode
    cited_by: ox.NamedNode
    source: ox.NamedNode
    has_authorship: ox.NamedNode
    authorship: ox.NamedNode
    position: ox.NamedNode
    author_name: ox.NamedNode
    affiliation: ox.NamedNode
    author_country: ox.NamedNode
    affiliated_institution: ox.NamedNode
    affiliated_country: ox.NamedNode
    organization: ox.NamedNode
    label: ox.NamedNode
    ror_id: ox.NamedNode
    same_as: ox.NamedNode
    country: ox.NamedNode
    organisation_type: ox.NamedNode
    sub_organization_of: ox.NamedNode
    has_sub_organization: ox.NamedNode
    org_types: dict[str, ox.NamedNode]


@cache
def _terms() -> _Terms:
    """Built on first use, not at import, since ``KG`` reads the ontology file."""
    return _Terms(
        type=RDF.type,
        expression=FABIO.Expression,
        copublication=KG.CoPublication,
        title=DCTERMS.title,
        doi=BIBO.doi,
        openalex_id=KG.openAlexId,
        year=FABIO.hasPublicationYear,
        gyear=XSD.gYear,
        integer=XSD.integer,
        work_type=KG.workType,
        cited_by=KG.citedByCount,
        source=DCTERMS.source,
        has_authorship=KG.hasAuthorship,
        authorship=KG.Authorship,
        position=KG.authorPosition,
        author_name=KG.authorName,
        affiliation=KG.affiliation,
        author_country=KG.authorCountry,
        affiliated_institution=KG.affiliatedInstitution,
        affiliated_country=KG.affiliatedCountry,
        organization=ORG.Organization,
        label=RDFS.label,
        ror_id=KG.rorId,
        same_as=SCHEMA.sameAs,
        country=KG.country,
        organisation_type=KG.organisationType,
        sub_organization_of=ORG.subOrganizationOf,
        has_sub_organization=ORG.hasSubOrganization,
        org_types={key: KG.term(name) for key, name in ORG_TYPES.items()},
    )


@lru_cache(maxsize=512)
def _country(code: str) -> ox.NamedNode:
    return iris.country(code)


@lru_cache(maxsize=256)
def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_terms().integer)


class Institutions:
    """What one file has shown of institutions so far: ROR ids by OpenAlex id, IRIs, descriptions.

    Each memory is bounded: ``remember`` OpenAlex ids with their ROR id (OpenAlex has about
    120,000 institutions, so a whole snapshot fits), and ``recent`` IRIs and descriptions, forgotten
    all at once when full.

    >>> known = Institutions({"I1294671590": "02feahw73"})
    >>> known.iri("I1294671590").value
    'https://w3id.org/cnrs-kg/id/org/ror/02feahw73'
    >>> known.iri("I4210166736").value
    'https://w3id.org/cnrs-kg/id/org/openalex/I4210166736'
    """

    def __init__(self, crosswalk: Mapping[str, str], *, remember: int = 250_000, recent: int = 65_536) -> None:
        self._crosswalk = crosswalk
        self._seen: dict[str, str] = {}
        self._remember = remember
        self._recent = recent
        self._nodes: dict[str, ox.NamedNode] = {}
        self._described: set[tuple[Institution | Field, ox.NamedNode]] = set()

    def ror(self, openalex: str) -> str | None:
        """The ROR id of an OpenAlex institution, if this file showed it or the crosswalk has it."""
        return self._seen.get(openalex) or self._crosswalk.get(openalex)

    def note(self, institution: Institution) -> None:
        """Remember the ROR id an institution record gives, for its later mentions as an ancestor."""
        if institution.ror and len(self._seen) < self._remember:
            self._seen.setdefault(institution.openalex, institution.ror)

    def iri(self, openalex: str, ror: str | None = None) -> ox.NamedNode:
        """The IRI of an institution: its ROR one when known, else its OpenAlex one."""
        ror = ror or self.ror(openalex)
        key = ror or openalex
        node = self._nodes.get(key)
        if node is None:
            if len(self._nodes) >= self._recent:
                self._nodes.clear()
            node = self._nodes[key] = iris.ror_org(ror) if ror else iris.openalex_org(openalex)
        return node

    def first_time(self, institution: Institution | Field, node: ox.NamedNode) -> bool:
        """Whether this description of the institution (or research field) has not been given lately."""
        key = (institution, node)
        if key in self._described:
            return False
        if len(self._described) >= self._recent:
            self._described.clear()
        self._described.add(key)
        return True


def work_triples(work: Work, institutions: Institutions) -> list[ox.Triple]:
    """The triples of one work, its authorships, and the institutions not described lately."""
    t = _terms()
    triple = ox.Triple
    out: list[ox.Triple] = []
    add = out.append
    w = iris.work_doi(work.doi) if work.doi else iris.work_openalex(work.openalex)
    add(triple(w, t.type, t.expression))
    add(triple(w, t.title, ox.Literal(work.title)))
    if work.doi:
        add(triple(w, t.doi, ox.Literal(work.doi)))
    add(triple(w, t.openalex_id, ox.Literal(work.openalex)))
    if work.year is not None:
        add(triple(w, t.year, ox.Literal(f"{work.year:04d}", datatype=t.gyear)))
    if work.type:
        add(triple(w, t.work_type, ox.Literal(work.type)))
    if work.cited_by is not None:
        add(triple(w, t.cited_by, _integer(work.cited_by)))
    add(triple(w, t.source, ox.NamedNode(OPENALEX + work.openalex)))

    affiliated: dict[ox.NamedNode, None] = {}
    countries: dict[str, None] = {}
    institution_countries: set[str] = set()
    for position, authorship in enumerate(work.authorships, 1):
        a = iris.authorship(w, SOURCE, position)
        add(triple(w, t.has_authorship, a))
        add(triple(a, t.type, t.authorship))
        add(triple(a, t.position, _integer(position)))
        if authorship.name:
            add(triple(a, t.author_name, ox.Literal(authorship.name)))
        for institution in authorship.institutions:
            institutions.note(institution)
            node = institutions.iri(institution.openalex, institution.ror)
            add(triple(a, t.affiliation, node))
            affiliated[node] = None
            if institution.country:
                institution_countries.add(institution.country)
            if institutions.first_time(institution, node):
                out.extend(institution_triples(institution, node, institutions))
        for code in authorship.countries:
            add(triple(a, t.author_country, _country(code)))
            countries[code] = None

    if len(institution_countries) >= 2:
        add(triple(w, t.type, t.copublication))
    for node in affiliated:
        add(triple(w, t.affiliated_institution, node))
    for code in countries:
        add(triple(w, t.affiliated_country, _country(code)))
    out.extend(work_fields(w, work.topics))
    for topic in work.topics:
        for field in topic.chain():
            if institutions.first_time(field, field.iri):
                out.extend(field_triples(field))
    return out


def institution_triples(institution: Institution, node: ox.NamedNode, institutions: Institutions) -> list[ox.Triple]:
    """What a work's record says of one institution, and its place in its lineage."""
    t = _terms()
    triple = ox.Triple
    out = [
        triple(node, t.type, t.organization),
        triple(node, t.label, ox.Literal(institution.name)),
        triple(node, t.openalex_id, ox.Literal(institution.openalex)),
    ]
    ror = institution.ror or institutions.ror(institution.openalex)
    if ror:
        out.append(triple(node, t.ror_id, ox.Literal(ror)))
        out.append(triple(node, t.same_as, iris.ror_url(ror)))
    if institution.country:
        out.append(triple(node, t.country, _country(institution.country)))
    if institution.type:
        out.append(triple(node, t.organisation_type, t.org_types[institution.type]))
    for openalex in institution.lineage:
        ancestor = institutions.iri(openalex)
        if ancestor != node:
            out.append(triple(node, t.sub_organization_of, ancestor))
            out.append(triple(ancestor, t.has_sub_organization, node))
    return out
