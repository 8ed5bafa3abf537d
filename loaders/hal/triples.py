"""HAL records as triples: a document with its authorships and domains, a structure with its place in
the hierarchy.

No blank node: a work is named by its DOI (else its HAL id), an authorship by its work and its
position, a structure by ROR (else its AuréHAL id).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from loaders.hal.domains import work_domains
from loaders.hal.records import Document
from loaders.hal.structures import Structure, Structures
from ontology import BIBO, DCTERMS, FABIO, FOAF, KG, ORG, RDF, RDFS, SCHEMA, iris
from ontology.literals import date_literal, integer, year

SOURCE = "hal"
LANDING_PAGE = "https://hal.science/"


@dataclass(frozen=True, slots=True)
class _Terms:
    """Terms looked up once: ``Vocabulary`` attribute access costs more than making the triple."""

    type: ox.NamedNode
    expression: ox.NamedNode
    co_publication: ox.NamedNode
    title: ox.NamedNode
    doi: ox.NamedNode
    hal_id: ox.NamedNode
    publication_year: ox.NamedNode
    work_type: ox.NamedNode
    source: ox.NamedNode
    has_authorship: ox.NamedNode
    authorship: ox.NamedNode
    author_position: ox.NamedNode
    author_name: ox.NamedNode
    affiliation: ox.NamedNode
    author_country: ox.NamedNode
    affiliated_institution: ox.NamedNode
    affiliated_country: ox.NamedNode
    organization: ox.NamedNode
    label: ox.NamedNode
    acronym: ox.NamedNode
    structure_id: ox.NamedNode
    structure_type: ox.NamedNode
    idref: ox.NamedNode
    rnsr: ox.NamedNode
    isni: ox.NamedNode
    ror_id: ox.NamedNode
    same_as: ox.NamedNode
    homepage: ox.NamedNode
    country: ox.NamedNode
    start: ox.NamedNode
    end: ox.NamedNode
    sub_organization_of: ox.NamedNode
    has_sub_organization: ox.NamedNode
    unit_code: ox.NamedNode
    research_unit: ox.NamedNode
    mixed_unit: ox.NamedNode
    supervising_body: ox.NamedNode
    supervises: ox.NamedNode


@cache
def _terms() -> _Terms:
    """Built on first use, not at import, since ``KG`` reads the ontology file."""
    return _Terms(
        type=RDF.type,
        expression=FABIO.Expression,
        co_publication=KG.CoPublication,
        title=DCTERMS.title,
        doi=BIBO.doi,
        hal_id=KG.halId,
        publication_year=FABIO.hasPublicationYear,
        work_type=KG.workType,
        source=DCTERMS.source,
        has_authorship=KG.hasAuthorship,
        authorship=KG.Authorship,
        author_position=KG.authorPosition,
        author_name=KG.authorName,
        affiliation=KG.affiliation,
        author_country=KG.authorCountry,
        affiliated_institution=KG.affiliatedInstitution,
        affiliated_country=KG.affiliatedCountry,
        organization=ORG.Organization,
        label=RDFS.label,
        acronym=KG.acronym,
        structure_id=KG.halStructureId,
        structure_type=KG.halStructureType,
        idref=KG.idref,
        rnsr=KG.rnsr,
        isni=KG.isni,
        ror_id=KG.rorId,
        same_as=SCHEMA.sameAs,
        homepage=FOAF.homepage,
        country=KG.country,
        start=SCHEMA.startDate,
        end=SCHEMA.endDate,
        sub_organization_of=ORG.subOrganizationOf,
        has_sub_organization=ORG.hasSubOrganization,
        unit_code=KG.unitCode,
        research_unit=KG.ResearchUnit,
        mixed_unit=KG.MixedResearchUnit,
        supervising_body=KG.supervisingBody,
        supervises=KG.supervises,
    )


def document_triples(document: Document, structures: Structures) -> list[ox.Triple]:
    """The work, its authorships (in byline order) and the institutions and countries they declare.

    A work whose affiliations lie in two countries or more is a ``kg:CoPublication``.
    """
    t = _terms()
    triple = ox.Triple
    w = document.work
    out = [triple(w, t.type, t.expression)]
    for title in document.titles:
        out.append(triple(w, t.title, ox.Literal(title.text, language=title.language)))
    if document.doi is not None:
        out.append(triple(w, t.doi, ox.Literal(document.doi)))
    out.append(triple(w, t.hal_id, ox.Literal(document.hal_id)))
    if document.year is not None:
        out.append(triple(w, t.publication_year, year(document.year)))
    if document.work_type is not None:
        out.append(triple(w, t.work_type, ox.Literal(document.work_type)))
    out.append(triple(w, t.source, ox.NamedNode(LANDING_PAGE + document.hal_id)))

    institutions: dict[ox.NamedNode, None] = {}
    countries: dict[ox.NamedNode, None] = {}
    for author in document.authors:
        a = iris.authorship(w, SOURCE, author.position)
        out += [
            triple(w, t.has_authorship, a),
            triple(a, t.type, t.authorship),
            triple(a, t.author_position, integer(author.position)),
        ]
        if author.name:
            out.append(triple(a, t.author_name, ox.Literal(author.name)))
        own_countries: dict[ox.NamedNode, None] = {}
        for key in author.affiliations:
            structure = structures.get(key)
            org = structures.iri(key)
            if org is not None:
                out.append(triple(a, t.affiliation, org))
                institutions[org] = None
            if structure is not None and structure.country is not None:
                own_countries[iris.country(structure.country)] = None
        out += [triple(a, t.author_country, country) for country in own_countries]
        countries.update(own_countries)
    out += [triple(w, t.affiliated_institution, org) for org in institutions]
    out += [triple(w, t.affiliated_country, country) for country in countries]
    if len(countries) >= 2:
        out.append(triple(w, t.type, t.co_publication))
    out += work_domains(w, document.domains)
    return out


def structure_triples(structure: Structure, structures: Structures) -> list[ox.Triple]:
    """A structure, its ids, and its direct links to its parents (each with its inverse).

    A laboratory with the CNRS among its direct parents is a research unit, supervised by each of
    those parents that is an institution; with two supervising bodies or more, a mixed one.
    """
    t = _terms()
    triple = ox.Triple
    s = structures.iri(structure.key)
    assert s is not None, "a structure that parses has an AuréHAL or a ROR id"
    out = [triple(s, t.type, t.organization)]
    out += [triple(s, t.label, ox.Literal(name)) for name in structure.names]
    out += [triple(s, t.acronym, ox.Literal(acronym)) for acronym in structure.acronyms]
    if structure.hal_id is not None:
        out.append(triple(s, t.structure_id, ox.Literal(structure.hal_id)))
    if structure.type:
        out.append(triple(s, t.structure_type, ox.Literal(structure.type)))
    out += [triple(s, t.idref, ox.Literal(value)) for value in structure.idrefs]
    out += [triple(s, t.rnsr, ox.Literal(value)) for value in structure.rnsrs]
    out += [triple(s, t.isni, ox.Literal(value)) for value in structure.isnis]
    ror = structures.ror(structure.key)
    if ror is not None:
        out += [triple(s, t.ror_id, ox.Literal(ror)), triple(s, t.same_as, iris.ror_url(ror))]
    out += [triple(s, t.homepage, ox.NamedNode(url)) for url in structure.homepages]
    if structure.country is not None:
        out.append(triple(s, t.country, iris.country(structure.country)))
    if structure.start is not None:
        out.append(triple(s, t.start, date_literal(structure.start)))
    if structure.end is not None:
        out.append(triple(s, t.end, date_literal(structure.end)))

    for parent in structure.parents:
        p = structures.iri(parent.key)
        if p is None or p == s:
            continue
        out += [triple(s, t.sub_organization_of, p), triple(p, t.has_sub_organization, s)]
        # kg:unitCode is a CNRS code (UMR6306); other parents name units in their own ways.
        if parent.code is not None and structures.is_cnrs(parent.key):
            out.append(triple(s, t.unit_code, ox.Literal(parent.code)))

    supervisors = dict.fromkeys(p for parent in structures.supervisors(structure) if (p := structures.iri(parent.key)))
    if supervisors:
        out.append(triple(s, t.type, t.research_unit))
        if len(supervisors) >= 2:
            out.append(triple(s, t.type, t.mixed_unit))
        for p in supervisors:
            out += [triple(s, t.supervising_body, p), triple(p, t.supervises, s)]
    return out
