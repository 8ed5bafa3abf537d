"""``/graph/{path}``: each named graph described at its own IRI, with a link to its contents."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import WritePolicy
from graph import OxigraphStore

GRAPH = "https://w3id.org/cnrs-kg/graph/"
ROR_GRAPH = ox.NamedNode(GRAPH + "ror/ror_02feahw73_cnrs_v2.9.json")
NETWORK = ox.NamedNode(GRAPH + "network/all")
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"


def _graph(content: bytes, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(content, format=fmt))
    return store


def _one(graph: ox.Store, subject: ox.NamedNode, predicate: str) -> ox.NamedNode | ox.Literal:
    (quad,) = graph.quads_for_pattern(subject, ox.NamedNode(predicate), None)
    assert isinstance(quad.object, ox.NamedNode | ox.Literal)
    return quad.object


def test_a_source_graph_gives_its_provenance_and_figures(client: TestClient, bundled: OxigraphStore) -> None:
    response = client.get("/graph/ror/ror_02feahw73_cnrs_v2.9.json", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    described = _graph(response.content)
    title = _one(described, ROR_GRAPH, DCTERMS + "title")
    assert title.value == "Research Organization Registry records: ror_02feahw73_cnrs_v2.9.json"
    licence = ox.NamedNode("https://creativecommons.org/publicdomain/zero/1.0/")
    assert _one(described, ROR_GRAPH, DCTERMS + "license") == licence
    assert _one(described, ROR_GRAPH, PROV + "generatedAtTime").value
    size = bundled.graph_sizes()[ROR_GRAPH.value]
    assert int(_one(described, ROR_GRAPH, VOID + "triples").value) == size


def test_its_contents_are_one_link_away(client: TestClient, bundled: OxigraphStore) -> None:
    described = _graph(client.get("/graph/ror/ror_02feahw73_cnrs_v2.9.json", params={"format": "ntriples"}).content)
    dump = _one(described, ROR_GRAPH, VOID + "dataDump")
    url = urlsplit(dump.value)
    contents = client.get(f"{url.path}?{url.query}", headers={"accept": "application/n-triples"})
    assert contents.status_code == 200
    triples = {q.triple for q in ox.parse(contents.content, format=ox.RdfFormat.N_TRIPLES)}
    assert triples == {q.triple for q in bundled.quads(ROR_GRAPH)}
    # The whole store names it as one of its subsets.
    (subset,) = described.quads_for_pattern(None, ox.NamedNode(VOID + "subset"), ROR_GRAPH)
    assert isinstance(subset.subject, ox.NamedNode)
    assert subset.subject.value == "http://testserver/.well-known/void#cnrs-kg"


def test_a_derived_graph_links_its_sources_and_rules_here(client: TestClient) -> None:
    html = client.get("/graph/network/all", headers={"accept": "text/html"}).text
    assert "<h1>Collaboration network over all years (derived from the publications)</h1>" in html
    assert 'href="/graph/hal/hal-01213935.xml"' in html  # a source, on this server
    assert 'href="/rules/counting/2"' in html  # the rules it was counted by
    assert 'rel="contents" href="/store?graph=https%3A%2F%2Fw3id.org%2Fcnrs-kg%2Fgraph%2Fnetwork%2Fall"' in html
    assert 'href="/ontology#SourceGraph"' in html
    assert "<script" not in html


def test_json_ld_is_compacted(client: TestClient) -> None:
    document = client.get("/graph/network/all", headers={"accept": "application/ld+json"}).json()
    node = document["@graph"][0]
    assert node["@id"] == NETWORK.value
    assert node["dcterms:conformsTo"] == {"@id": "https://w3id.org/cnrs-kg/rules/counting/2"}
    assert document["@context"]["void"] == VOID


@pytest.mark.parametrize(
    "path",
    ["/graph/nothing/here", "/graph/_meta/state", "/graph/_journal", "/graph/"],
)
def test_no_such_graph_is_a_404_in_one_line(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.text.count("\n") == 1
    assert "/.well-known/void" in response.text


def test_a_graph_written_over_http_has_its_page(bundled_copy: Path) -> None:
    graph = GRAPH + "test/written"
    with TestClient(create_app(bundled_copy, write_policy=WritePolicy(writable=True))) as client:
        assert client.get("/graph/test/written").status_code == 404
        body = "<urn:a> a <http://www.w3.org/ns/org#Organization> ."
        put = client.put("/store", params={"graph": graph}, content=body, headers={"content-type": "text/turtle"})
        assert put.status_code == 201
        described = _graph(client.get("/graph/test/written", headers={"accept": "text/turtle"}).content)
        assert int(_one(described, ox.NamedNode(graph), VOID + "triples").value) == 1
