"""The cnrs-kg ontology: its files, its closed vocabularies and the one place IRIs are minted.

Public names:
- ``ONTOLOGY_PATH``, ``SHAPES_PATH``: the OWL ontology and its SHACL shapes (Turtle).
- ``ONTOLOGY_IRI``, ``ONTOLOGY_GRAPH``: the ontology's IRI and the named graph holding it.
- ``KG`` and the reused vocabularies (``ORG``, ``FOAF``, ``DCTERMS``, ``PROV``, ``SKOS``, ``QB``,
  ``SCHEMA``, ``FABIO``, ``BIBO``, ``RDF``, ``RDFS``, ``OWL``, ``XSD``): closed namespaces whose
  attributes are pyoxigraph ``NamedNode`` terms; a misspelt term raises ``AttributeError``.
- ``iris``: the minting functions (module).
- ``literals``: literals in the forms the ontology's ranges expect (dates, decimals, years) (module).
- ``SourceInfo``, ``describe_source``: a source, and the PROV-O description its named graph gives
  of itself (``ontology.provenance``).
"""

from ontology import iris, literals
from ontology.provenance import SourceInfo, describe_source
from ontology.vocab import (
    BIBO,
    DCTERMS,
    FABIO,
    FOAF,
    KG,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    ONTOLOGY_PATH,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    QB,
    RDF,
    RDFS,
    SCHEMA,
    SHAPES_PATH,
    SKOS,
    TIME,
    VANN,
    XSD,
    Vocabulary,
)

__all__ = [
    "BIBO",
    "DCTERMS",
    "FABIO",
    "FOAF",
    "KG",
    "ONTOLOGY_GRAPH",
    "ONTOLOGY_IRI",
    "ONTOLOGY_PATH",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SHAPES_PATH",
    "SKOS",
    "TIME",
    "VANN",
    "XSD",
    "SourceInfo",
    "Vocabulary",
    "describe_source",
    "iris",
    "literals",
]
