"""``/ontology``: the ontology at its own IRI, in HTML with an anchor per term and in every RDF format."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.jsonld import compact
from api.ontology_page import read_ontology
from ontology import KG, ONTOLOGY_PATH

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(None)) as test_client:  # the ontology comes from its file, not the store
        yield test_client


def _canonical(content: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    dataset = ox.Dataset(ox.parse(content, format=fmt, base_iri="https://w3id.org/cnrs-kg/ontology"))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def test_turtle_is_the_ontology_file(client: TestClient) -> None:
    for accept in ("text/turtle", "*/*", None):
        response = client.get("/ontology", headers={"accept": accept} if accept else {})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/turtle")
        assert response.content == ONTOLOGY_PATH.read_bytes()


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ],
)
def test_every_rdf_format_holds_the_same_graph(client: TestClient, accept: str, fmt: ox.RdfFormat) -> None:
    response = client.get("/ontology", headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    expected = _canonical(ONTOLOGY_PATH.read_bytes(), ox.RdfFormat.TURTLE)
    assert _canonical(response.content, fmt) == expected
    assert len(expected) > 900


def test_json_ld_has_a_context_of_the_ontology_prefixes(client: TestClient) -> None:
    document = client.get("/ontology", headers={"accept": "application/ld+json"}).json()
    assert document["@context"]["kg"] == KG.base
    assert document["@graph"][0]["@id"] == "https://w3id.org/cnrs-kg/ontology"
    assert document["@graph"][0]["owl:versionInfo"] == "1.0.0"


def test_browsers_get_documentation_with_an_anchor_per_term(client: TestClient) -> None:
    response = client.get("/ontology", headers={"accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    anchors = set(re.findall(r'<section class="term" id="([^"]+)">', html))
    assert anchors == set(KG.terms)
    research_unit = html.split('<section class="term" id="ResearchUnit">', 1)[1].split("</section>", 1)[0]
    assert "A laboratory or research unit under one or more supervising bodies" in research_unit
    assert 'href="http://www.w3.org/ns/org#OrganizationalUnit"' in research_unit  # its superclass, out
    assert 'href="/ontology#MixedResearchUnit"' in research_unit  # its subclass, here
    assert "<script" not in html


def test_the_version_iri_answers_and_another_version_is_a_404(client: TestClient) -> None:
    current = client.get("/ontology/1.0.0", headers={"accept": "text/turtle"})
    assert current.status_code == 200
    assert current.content == ONTOLOGY_PATH.read_bytes()
    older = client.get("/ontology/0.9.0", headers={"accept": "text/turtle"})
    assert older.status_code == 404
    assert older.text.count("\n") == 1
    assert "https://w3id.org/cnrs-kg/ontology/1.0.0" in older.text


def test_unacceptable_or_unknown_formats(client: TestClient) -> None:
    assert client.get("/ontology", headers={"accept": "image/png"}).status_code == 406
    unknown = client.get("/ontology", params={"format": "png"})
    assert unknown.status_code == 400
    assert unknown.text.startswith("unknown format 'png'")


def test_two_readings_of_the_file_give_the_same_bytes() -> None:
    """Blank nodes are named by their order in the file, not by the parser's random labels."""
    first, second = read_ontology(), read_ontology()
    assert first.triples == second.triples
    assert compact(first.triples) == compact(second.triples)
