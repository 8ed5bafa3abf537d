"""What each GraphQL node type reads from the graph: the classes that make an IRI one of it, and,
field by field, the predicates its value comes from.

A resolver asks for its field's predicates; the DataLoaders (``dataloaders``) fetch, for a whole
level of a query at once, the predicates of the fields the query selects there (``predicates_for``).
``values`` (every value of a field with its source, ``types.values``) reads the predicates of all the
fields its argument may name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox

from api.graphql.types.enums import InstitutionField, InstrumentField, Measure, OfficeField
from ontology import BIBO, DCTERMS, FABIO, FOAF, KG, ORG, PROV, QB, RDF, RDFS, SCHEMA, SKOS
from ontology.iris import ID


@dataclass(frozen=True)
class Kind:
    """A node type: its GraphQL name, the ``rdf:type`` classes that identify it, its fields' predicates."""

    name: str
    classes: tuple[ox.NamedNode, ...]
    fields: dict[str, tuple[ox.NamedNode, ...]]

    @property
    def class_iris(self) -> frozenset[str]:
        return frozenset(c.value for c in self.classes)

    @property
    def predicates(self) -> tuple[ox.NamedNode, ...]:
        """Every predicate of every field, and ``rdf:type``."""
        return _sorted([RDF.type, *(p for ps in self.fields.values() for p in ps)])

    def predicates_for(self, names: Iterable[str]) -> tuple[ox.NamedNode, ...]:
        """The predicates the named fields need (``sources`` needs them all), and ``rdf:type``."""
        names = set(names)
        if "sources" in names:
            return self.predicates
        return _sorted([RDF.type, *(p for n in names for p in self.fields.get(n, ()))])


def _sorted(predicates: Iterable[ox.NamedNode]) -> tuple[ox.NamedNode, ...]:
    """Distinct and in IRI order, so equal sets make equal loader keys."""
    return tuple(sorted(set(predicates), key=lambda p: p.value))


def _with_values(
    fields: dict[str, tuple[ox.NamedNode, ...]], stated: type[Enum]
) -> dict[str, tuple[ox.NamedNode, ...]]:
    """``fields`` and ``values``, which reads the predicates of every field that ``stated`` names, and the
    pages each source cites for the entity (``pages``, where the kind has them)."""
    names = [member.value for member in stated] + (["pages"] if "pages" in fields else [])
    return {**fields, "values": tuple(dict.fromkeys(p for name in names for p in fields[name]))}


def _kinds() -> dict[str, Kind]:
    names = (SKOS.prefLabel, RDFS.label, SKOS.altLabel)
    dates = {"start": (SCHEMA.startDate,), "end": (SCHEMA.endDate,)}
    institution = Kind(
        "Institution",
        (
            ORG.Organization,
            ORG.FormalOrganization,
            ORG.OrganizationalUnit,
            FOAF.Organization,
            KG.ResearchOrganisation,
            KG.ResearchUnit,
            KG.MixedResearchUnit,
            KG.InternationalResearchLaboratory,
        ),
        _with_values(
            {
                "name": names,
                "names": (*names, KG.acronym),
                "acronyms": (KG.acronym,),
                "types": (KG.organisationType,),
                "categories": (RDF.type,),
                "country": (KG.country,),
                "countryCode": (KG.country,),
                "website": (FOAF.homepage,),
                "foundingYear": (KG.establishmentYear, SCHEMA.foundingDate),
                "status": (KG.rorStatus,),
                "ror": (KG.rorId, SCHEMA.sameAs),
                "identifiers": (
                    KG.rorId,
                    SCHEMA.sameAs,
                    KG.halStructureId,
                    KG.openAlexId,
                    KG.gridId,
                    KG.isni,
                    KG.fundrefId,
                    KG.wikidataId,
                    KG.rnsr,
                    KG.idref,
                    KG.unitCode,
                ),
                **dates,
            },
            InstitutionField,
        ),
    )
    country = Kind(
        "Country",
        (KG.Country,),
        {
            "name": names,
            "code": (KG.alpha2,),
            "alpha3": (KG.alpha3,),
            "numericCode": (KG.numericCode,),
            "region": (KG.region,),
            "subRegion": (KG.subRegion,),
            "intermediateRegion": (KG.intermediateRegion,),
        },
    )
    region = Kind("Region", (KG.Region,), {"name": names, "code": (KG.numericCode,)})
    group = Kind(
        "CountryGroup",
        (KG.CountryGroup,),
        {"name": names, "acronym": (KG.acronym,), "founded": (SCHEMA.foundingDate,)},
    )
    instrument = Kind(
        "Instrument",
        (KG.CooperationInstrument,),
        _with_values(
            {
                "name": names,
                "acronym": (KG.acronym,),
                "code": (KG.unitCode,),
                "kind": (KG.instrumentKind,),
                "formerKinds": (KG.formerKind,),
                "formerNames": (KG.formerName,),
                "country": (KG.country,),
                "countryCode": (KG.country,),
                "signed": (KG.signatureDate,),
                "signaturePlace": (KG.signaturePlace,),
                "renewals": (KG.renewalDate,),
                "status": (KG.status,),
                "verified": (KG.verificationStatus,),
                "dateNote": (KG.dateNote,),
                "note": (SKOS.note,),
                "pages": (DCTERMS.source,),
                **dates,
            },
            InstrumentField,
        ),
    )
    office = Kind(
        "Office",
        (KG.RegionalOffice,),
        _with_values(
            {
                "name": names,
                "country": (KG.country,),
                "countryCode": (KG.country,),
                "dateNote": (KG.dateNote,),
                "note": (SKOS.note,),
                "quotes": (KG.quote,),
                "pages": (DCTERMS.source,),
                **dates,
            },
            OfficeField,
        ),
    )
    publication = Kind(
        "Publication",
        (FABIO.Expression,),
        {
            "title": (DCTERMS.title,),
            "year": (FABIO.hasPublicationYear,),
            "doi": (BIBO.doi,),
            "openalex": (KG.openAlexId,),
            "hal": (KG.halId,),
            "type": (KG.workType,),
            "citedBy": (KG.citedByCount,),
            "pages": (DCTERMS.source,),
            "copublication": (RDF.type,),
        },
    )
    measures = tuple(KG.term(m.value) for m in Measure)
    indicator = Kind(
        "Indicator",
        (QB.Observation,),
        {
            "measure": (QB.measureType,),
            "value": measures,
            "valueText": measures,
            "qualifier": (KG.valueQualifier,),
            "area": (KG.refArea,),
            "year": (KG.refPeriod,),
            "organisation": (KG.refOrganisation,),
            "instrumentKind": (KG.refInstrumentKind,),
            "dataset": (QB.dataSet,),
            "quote": (KG.quote,),
        },
    )
    source = Kind(
        "Source",
        (KG.SourceGraph,),
        {
            "name": (DCTERMS.title, RDFS.label),
            "kind": (KG.sourceKind,),
            "url": (PROV.hadPrimarySource,),
            "document": (PROV.hadPrimarySource,),
            "retrievedOn": (PROV.generatedAtTime, DCTERMS.date),
            "licence": (DCTERMS.license,),
            "synthetic": (KG.synthetic,),
            "description": (DCTERMS.description,),
        },
    )
    return {
        k.name: k for k in (institution, country, region, group, instrument, office, publication, indicator, source)
    }


_CACHE: dict[str, Kind] = {}


def kind(name: str) -> Kind:
    """The kind named ``name`` (built on first use: ``KG`` reads the ontology file)."""
    if not _CACHE:
        _CACHE.update(_kinds())
    return _CACHE[name]


_PREFIXES: tuple[tuple[str, str], ...] = (
    ("Institution", "org/"),
    ("Country", "country/"),
    ("Region", "area/"),
    ("CountryGroup", "group/"),
    ("Instrument", "instrument/"),
    ("Office", "office/"),
    ("Publication", "work/"),
    ("Indicator", "dataset/"),
)


def kind_of_iri(iri: str) -> str | None:
    """The node type an entity IRI was minted for, from its path (``org/`` -> Institution...).

    >>> kind_of_iri("https://w3id.org/cnrs-kg/id/org/ror/02feahw73"), kind_of_iri("urn:x")
    ('Institution', None)
    """
    if not iri.startswith(ID):
        return None
    tail = iri[len(ID) :]
    for name, prefix in _PREFIXES:
        if tail.startswith(prefix):
            if name == "Instrument" and "/party/" in tail:
                return None
            if name == "Indicator" and "/obs/" not in tail:
                return None
            return name
    return None
