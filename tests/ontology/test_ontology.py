"""The ontology is code: parsed by the production parser and linted closed-world."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

import ontology
from ontology import KG, ONTOLOGY_IRI, ONTOLOGY_PATH, SHAPES_PATH

KG_NS = "https://w3id.org/cnrs-kg/ontology#"


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_PATH, format="turtle")


def test_parsed_by_oxigraph() -> None:
    quads = list(ox.parse(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE))
    assert len(quads) > 500
    assert list(ox.parse(path=str(SHAPES_PATH), format=ox.RdfFormat.TURTLE))


def test_header(onto: rdflib.Graph) -> None:
    header = rdflib.URIRef(ONTOLOGY_IRI)
    assert (header, RDF.type, OWL.Ontology) in onto
    version_iri = onto.value(header, OWL.versionIRI)
    version = onto.value(header, OWL.versionInfo)
    assert version_iri is not None
    assert str(version_iri).endswith(str(version))
    assert onto.value(header, rdflib.URIRef("http://purl.org/dc/terms/license")) is not None
    assert str(onto.value(header, rdflib.URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"))) == "kg"


def test_every_own_term_is_declared_labelled_and_commented(onto: rdflib.Graph) -> None:
    used = {
        term for triple in onto for term in triple if isinstance(term, rdflib.URIRef) and str(term).startswith(KG_NS)
    }
    problems = []
    for term in sorted(used):
        if onto.value(term, RDF.type) is None:
            problems.append(f"{term}: no rdf:type")
        labels = [o for o in onto.objects(term, RDFS.label) if getattr(o, "language", None) == "en"]
        comments = [o for o in onto.objects(term, RDFS.comment) if getattr(o, "language", None) == "en"]
        if not labels:
            problems.append(f"{term}: no rdfs:label@en")
        if not comments:
            problems.append(f"{term}: no rdfs:comment@en")
        if onto.value(term, RDFS.isDefinedBy) != rdflib.URIRef(ONTOLOGY_IRI):
            problems.append(f"{term}: no rdfs:isDefinedBy")
    assert not problems, "\n".join(problems)


def test_inverses_are_declared_both_ways(onto: rdflib.Graph) -> None:
    for a, b in onto.subject_objects(OWL.inverseOf):
        assert (b, OWL.inverseOf, a) in onto, f"{b} does not declare itself inverse of {a}"


def test_shapes_only_use_declared_kg_terms() -> None:
    text = SHAPES_PATH.read_text(encoding="utf-8")
    used = set(re.findall(r"\bkg:([A-Za-z][A-Za-z0-9]*)", text))
    unknown = sorted(used - KG.terms)
    assert not unknown, f"shapes use undeclared kg: terms {unknown}"


def test_closed_namespace_rejects_misspelt_terms() -> None:
    assert KG.ResearchUnit.value == KG_NS + "ResearchUnit"
    with pytest.raises(AttributeError, match="kg:ResearchUnti"):
        _ = KG.ResearchUnti


def test_reform_names_point_to_current_kinds(onto: rdflib.Graph) -> None:
    replaced = rdflib.URIRef("http://purl.org/dc/terms/isReplacedBy")
    pairs = {(str(a).removeprefix(KG_NS), str(b).removeprefix(KG_NS)) for a, b in onto.subject_objects(replaced)}
    assert pairs == {("UMI", "IRL"), ("LIA", "IRP"), ("GDRI", "IRN"), ("PICS", "IEA")}


def test_public_names() -> None:
    assert set(ontology.__all__) >= {"KG", "ORG", "ONTOLOGY_PATH", "SHAPES_PATH", "ONTOLOGY_GRAPH", "iris"}
    for name in ontology.__all__:
        assert hasattr(ontology, name)
