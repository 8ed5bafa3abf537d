"""Closed vocabularies returning pyoxigraph terms.

A ``Vocabulary`` knows the exact set of local names it allows, so ``KG.ResearchUnti`` is an
``AttributeError`` instead of a silent new IRI. The ``kg:`` terms are read from the ontology file
itself (on first use, not at import), so the Turtle file stays the single definition.

>>> ORG.subOrganizationOf.value
'http://www.w3.org/ns/org#subOrganizationOf'
>>> KG.ResearchUnit.value
'https://w3id.org/cnrs-kg/ontology#ResearchUnit'
>>> KG.NoSuchTerm
Traceback (most recent call last):
...
AttributeError: kg:NoSuchTerm is not a term of https://w3id.org/cnrs-kg/ontology#
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import pyoxigraph as ox

ONTOLOGY_PATH = Path(__file__).with_name("cnrs-kg.ttl")
SHAPES_PATH = Path(__file__).with_name("shapes.ttl")
ONTOLOGY_IRI = "https://w3id.org/cnrs-kg/ontology"
ONTOLOGY_GRAPH = ox.NamedNode("https://w3id.org/cnrs-kg/graph/ontology")


class Vocabulary:
    """A closed namespace: attribute access yields a ``NamedNode`` for a known local name."""

    def __init__(self, prefix: str, base: str, terms: Iterable[str] | Callable[[], Iterable[str]]) -> None:
        self.prefix = prefix
        self.base = base
        self._source = terms
        self._terms: frozenset[str] | None = None
        self._cache: dict[str, ox.NamedNode] = {}

    @property
    def terms(self) -> frozenset[str]:
        if self._terms is None:
            source = self._source() if callable(self._source) else self._source
            self._terms = frozenset(source)
        return self._terms

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.term(name)

    def term(self, name: str) -> ox.NamedNode:
        node = self._cache.get(name)
        if node is None:
            if name not in self.terms:
                raise AttributeError(f"{self.prefix}:{name} is not a term of {self.base}")
            node = self._cache[name] = ox.NamedNode(self.base + name)
        return node

    def __contains__(self, iri: object) -> bool:
        value = iri.value if isinstance(iri, ox.NamedNode) else iri
        return isinstance(value, str) and value.startswith(self.base) and value[len(self.base) :] in self.terms


@cache
def _kg_terms() -> frozenset[str]:
    """Local names of every subject defined by the ontology (``rdfs:isDefinedBy`` it)."""
    store = ox.Store()
    store.load(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE)
    query = "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#isDefinedBy> <" + ONTOLOGY_IRI + "> }"
    base = KG.base
    names = set()
    for solution in store.query(query):  # type: ignore[union-attr]
        subject = solution["s"]
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(base):
            names.add(subject.value[len(base) :])
    return frozenset(names)


KG = Vocabulary("kg", ONTOLOGY_IRI + "#", _kg_terms)

RDF = Vocabulary("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", ["type", "value", "langString"])
RDFS = Vocabulary(
    "rdfs",
    "http://www.w3.org/2000/01/rdf-schema#",
    ["label", "comment", "seeAlso", "isDefinedBy", "subClassOf", "subPropertyOf", "domain", "range", "Class"],
)
OWL = Vocabulary(
    "owl",
    "http://www.w3.org/2002/07/owl#",
    ["Class", "ObjectProperty", "DatatypeProperty", "Ontology", "sameAs", "versionIRI", "versionInfo", "inverseOf"],
)
XSD = Vocabulary(
    "xsd",
    "http://www.w3.org/2001/XMLSchema#",
    ["string", "integer", "decimal", "boolean", "date", "dateTime", "gYear", "gYearMonth", "anyURI", "double"],
)
SKOS = Vocabulary(
    "skos",
    "http://www.w3.org/2004/02/skos/core#",
    [
        "Concept",
        "ConceptScheme",
        "prefLabel",
        "altLabel",
        "hiddenLabel",
        "notation",
        "inScheme",
        "note",
        "scopeNote",
        "definition",
        "broader",
        "narrower",
        "exactMatch",
    ],
)
DCTERMS = Vocabulary(
    "dcterms",
    "http://purl.org/dc/terms/",
    [
        "title",
        "description",
        "source",
        "license",
        "rights",
        "rightsHolder",
        "created",
        "modified",
        "issued",
        "date",
        "identifier",
        "type",
        "publisher",
        "creator",
        "isPartOf",
        "hasPart",
        "replaces",
        "isReplacedBy",
        "bibliographicCitation",
        "dateAccepted",
        "format",
        "subject",
        "spatial",
        "temporal",
        "conformsTo",
        "language",
    ],
)
ORG = Vocabulary(
    "org",
    "http://www.w3.org/ns/org#",
    [
        "Organization",
        "FormalOrganization",
        "OrganizationalUnit",
        "OrganizationalCollaboration",
        "Membership",
        "Role",
        "ChangeEvent",
        "Site",
        "member",
        "organization",
        "role",
        "memberDuring",
        "hasMembership",
        "hasMember",
        "memberOf",
        "subOrganizationOf",
        "hasSubOrganization",
        "unitOf",
        "hasUnit",
        "linkedTo",
        "hasSite",
        "siteAddress",
        "hasPrimarySite",
        "classification",
        "identifier",
        "purpose",
        "changedBy",
        "resultedFrom",
        "originalOrganization",
        "resultingOrganization",
        "headOf",
    ],
)
FOAF = Vocabulary(
    "foaf",
    "http://xmlns.com/foaf/0.1/",
    ["Organization", "Agent", "Document", "homepage", "page", "name", "based_near"],
)
PROV = Vocabulary(
    "prov",
    "http://www.w3.org/ns/prov#",
    [
        "Entity",
        "Activity",
        "Agent",
        "wasDerivedFrom",
        "wasGeneratedBy",
        "generatedAtTime",
        "wasAttributedTo",
        "hadPrimarySource",
        "atTime",
        "value",
        "qualifiedDerivation",
    ],
)
QB = Vocabulary(
    "qb",
    "http://purl.org/linked-data/cube#",
    [
        "DataSet",
        "Observation",
        "DataStructureDefinition",
        "DimensionProperty",
        "MeasureProperty",
        "AttributeProperty",
        "dataSet",
        "structure",
        "component",
        "dimension",
        "measure",
        "attribute",
        "measureType",
    ],
)
SCHEMA = Vocabulary(
    "schema",
    "https://schema.org/",
    [
        "Country",
        "Place",
        "PostalAddress",
        "address",
        "streetAddress",
        "postalCode",
        "addressLocality",
        "addressCountry",
        "startDate",
        "endDate",
        "foundingDate",
        "sameAs",
        "url",
        "name",
        "alternateName",
        "telephone",
        "faxNumber",
        "latitude",
        "longitude",
        "location",
        "containedInPlace",
        "identifier",
        "dissolutionDate",
    ],
)
FABIO = Vocabulary(
    "fabio",
    "http://purl.org/spar/fabio/",
    ["Expression", "Work", "JournalArticle", "ConferencePaper", "hasPublicationYear", "hasDOI"],
)
BIBO = Vocabulary("bibo", "http://purl.org/ontology/bibo/", ["doi", "Document", "AcademicArticle"])
TIME = Vocabulary(
    "time", "http://www.w3.org/2006/time#", ["Interval", "Instant", "hasBeginning", "hasEnd", "inXSDDate"]
)
VANN = Vocabulary("vann", "http://purl.org/vocab/vann/", ["preferredNamespacePrefix", "preferredNamespaceUri"])

PREFIXES: dict[str, str] = {
    v.prefix: v.base
    for v in (KG, RDF, RDFS, OWL, XSD, SKOS, DCTERMS, ORG, FOAF, PROV, QB, SCHEMA, FABIO, BIBO, TIME, VANN)
}
# Data prefixes for queries; SPARQL local names cannot hold "/", hence one prefix per kind of entity.
PREFIXES.update(
    {
        "id": "https://w3id.org/cnrs-kg/id/",
        "graph": "https://w3id.org/cnrs-kg/graph/",
        "ror": "https://w3id.org/cnrs-kg/id/org/ror/",
        "country": "https://w3id.org/cnrs-kg/id/country/",
        "area": "https://w3id.org/cnrs-kg/id/area/m49/",
        "group": "https://w3id.org/cnrs-kg/id/group/",
        "instrument": "https://w3id.org/cnrs-kg/id/instrument/",
        "office": "https://w3id.org/cnrs-kg/id/office/",
    }
)
