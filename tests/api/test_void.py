"""``/.well-known/void`` over HTTP, on a copy of the bundled store: counts kept at write time, never stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import WritePolicy
from api.testing import background_server, cnrs_kg_command, free_port
from graph import OxigraphStore

VOID = "http://rdfs.org/ns/void#"
TRIPLES = ox.NamedNode(VOID + "triples")
SUBSET = ox.NamedNode(VOID + "subset")
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ROR_GRAPH = ox.NamedNode("https://w3id.org/cnrs-kg/graph/ror/ror_02feahw73_cnrs_v2.9.json")


@pytest.fixture
def client(bundled_copy: Path) -> Iterator[TestClient]:
    with TestClient(create_app(bundled_copy)) as test_client:
        yield test_client


@pytest.fixture
def description(client: TestClient) -> ox.Store:
    response = client.get("/.well-known/void")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    store = ox.Store()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(response.content, format=ox.RdfFormat.TURTLE)
    )
    return store


def _dataset(description: ox.Store) -> ox.NamedNode:
    (quad,) = description.quads_for_pattern(None, TITLE, ox.Literal("cnrs-kg"))
    assert isinstance(quad.subject, ox.NamedNode)
    return quad.subject


def _integer(description: ox.Store, subject: ox.NamedNode | ox.BlankNode, predicate: ox.NamedNode) -> int:
    (quad,) = description.quads_for_pattern(subject, predicate, None)
    assert isinstance(quad.object, ox.Literal)
    return int(quad.object.value)


def test_dataset(description: ox.Store, bundled: OxigraphStore) -> None:
    dataset = _dataset(description)
    assert _integer(description, dataset, TRIPLES) == sum(bundled.graph_sizes().values())
    (endpoint,) = description.quads_for_pattern(dataset, ox.NamedNode(VOID + "sparqlEndpoint"), None)
    assert endpoint.object == ox.NamedNode("http://testserver/sparql")
    space = ox.Literal("https://w3id.org/cnrs-kg/id/")
    assert list(description.quads_for_pattern(dataset, ox.NamedNode(VOID + "uriSpace"), space))
    vocabularies = {q.object for q in description.quads_for_pattern(dataset, ox.NamedNode(VOID + "vocabulary"), None)}
    assert ox.NamedNode("http://www.w3.org/ns/org#") in vocabularies
    assert ox.NamedNode("https://w3id.org/cnrs-kg/ontology#") in vocabularies


def test_one_subset_per_graph(description: ox.Store, bundled: OxigraphStore) -> None:
    sizes = bundled.graph_sizes()
    subsets = {q.object for q in description.quads_for_pattern(_dataset(description), SUBSET, None)}
    assert {s.value for s in subsets if isinstance(s, ox.NamedNode)} == set(sizes)
    for subset in subsets:
        assert isinstance(subset, ox.NamedNode)
        assert _integer(description, subset, TRIPLES) == sizes[subset.value]


def test_subset_copies_the_graph_description(description: ox.Store) -> None:
    (title,) = description.quads_for_pattern(ROR_GRAPH, TITLE, None)
    assert isinstance(title.object, ox.Literal)
    assert title.object.value.startswith("Research Organization Registry records")
    licence = ox.NamedNode("https://creativecommons.org/publicdomain/zero/1.0/")
    assert list(description.quads_for_pattern(ROR_GRAPH, ox.NamedNode("http://purl.org/dc/terms/license"), licence))


def test_class_partitions(description: ox.Store, bundled: OxigraphStore) -> None:
    counts = bundled.query(
        "SELECT ?g ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } } GROUP BY ?g ?class",
        substitutions={"g": ROR_GRAPH},
    )
    assert isinstance(counts, ox.QuerySolutions)
    expected = {row["class"]: int(row["n"].value) for row in counts}
    partitions = description.query(
        "SELECT ?g ?class ?n WHERE { ?g <http://rdfs.org/ns/void#classPartition> ?p . "
        "?p <http://rdfs.org/ns/void#class> ?class ; <http://rdfs.org/ns/void#entities> ?n }",
        substitutions={ox.Variable("g"): ROR_GRAPH},
    )
    assert isinstance(partitions, ox.QuerySolutions)
    found = {row["class"]: int(row["n"].value) for row in partitions}
    assert found == expected
    assert expected


def test_negotiates_graph_types(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"accept": "application/n-triples"})
    assert response.headers["content-type"].startswith("application/n-triples")
    assert list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    assert client.get("/.well-known/void", headers={"accept": "image/png"}).status_code == 406


def _parsed(turtle: bytes) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    return store


def test_a_write_is_counted_at_once(bundled_copy: Path) -> None:
    graph = ox.NamedNode("https://w3id.org/cnrs-kg/graph/test/void")
    org = "http://www.w3.org/ns/org#Organization"
    body = f"<urn:a> a <{org}> ; <http://www.w3.org/2000/01/rdf-schema#label> 'A' . <urn:b> a <{org}> ."
    with TestClient(create_app(bundled_copy, write_policy=WritePolicy(writable=True))) as client:
        before = _parsed(client.get("/.well-known/void").content)
        total = _integer(before, _dataset(before), TRIPLES)
        put = client.put("/store", params={"graph": graph.value}, content=body, headers={"content-type": "text/turtle"})
        assert put.status_code == 201
        after = _parsed(client.get("/.well-known/void").content)
        assert _integer(after, graph, TRIPLES) == 3
        assert _integer(after, _dataset(after), TRIPLES) == total + 3
        partitions = after.query(
            "SELECT ?g ?class ?n WHERE { ?g <http://rdfs.org/ns/void#classPartition> ?p . "
            "?p <http://rdfs.org/ns/void#class> ?class ; <http://rdfs.org/ns/void#entities> ?n }",
            substitutions={ox.Variable("g"): graph},
        )
        assert isinstance(partitions, ox.QuerySolutions)
        assert [(row["class"].value, row["n"].value) for row in partitions] == [(org, "2")]
        assert client.delete("/store", params={"graph": graph.value}).status_code == 204
        dropped = _parsed(client.get("/.well-known/void").content)
        assert not list(dropped.quads_for_pattern(graph, TRIPLES, None))
        assert _integer(dropped, _dataset(dropped), TRIPLES) == total


def test_counts_match_a_scan_of_the_store(description: ox.Store, bundled: OxigraphStore) -> None:
    result = bundled.raw.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(result, ox.QuerySolutions)
    scanned = {row["g"]: int(row["n"].value) for row in result}
    assert {g: _integer(description, g, TRIPLES) for g in scanned if isinstance(g, ox.NamedNode)} == scanned


def test_json_ld_is_compacted(client: TestClient) -> None:
    document = client.get("/.well-known/void", headers={"accept": "application/ld+json"}).json()
    assert document["@context"]["void"] == VOID
    dataset = document["@graph"][0]
    assert dataset["@id"] == "http://testserver/.well-known/void#cnrs-kg"
    assert "void:Dataset" in dataset["@type"]


def test_the_service_description_names_the_void_dataset(client: TestClient) -> None:
    sd = "http://www.w3.org/ns/sparql-service-description#"
    response = client.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    described = _parsed(response.content)
    service = ox.NamedNode("http://testserver/sparql")
    (default,) = described.quads_for_pattern(service, ox.NamedNode(sd + "defaultDataset"), None)
    dataset = default.object
    assert isinstance(dataset, ox.NamedNode)
    assert list(described.quads_for_pattern(dataset, ox.NamedNode(RDF_TYPE), ox.NamedNode(sd + "Dataset")))
    # Its IRI dereferences to the VoID document, which describes it and names the endpoint back.
    document = client.get(urlsplit(dataset.value).path, headers={"accept": "text/turtle"})
    void = _parsed(document.content)
    assert list(void.quads_for_pattern(dataset, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Dataset")))
    assert list(void.quads_for_pattern(dataset, ox.NamedNode(VOID + "sparqlEndpoint"), service))


def _total(base: str, headers: dict[str, str]) -> tuple[httpx.Response, int | None]:
    response = httpx.get(f"{base}/.well-known/void", headers={"accept": "text/turtle", **headers})
    if response.status_code != 200:
        return response, None
    described = _parsed(response.content)
    return response, _integer(described, _dataset(described), TRIPLES)


def test_a_graph_written_a_second_before_is_counted_over_http(bundled_copy: Path) -> None:
    """Over a real server, asked again with the validators of the answer before the write: the
    new graph is there at once (never a 304, never the figures of before)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = cnrs_kg_command("serve", "--port", str(port), "--store", str(bundled_copy), "--writable")
    graph = "https://w3id.org/cnrs-kg/graph/test/void-over-http"
    with background_server(command, f"{base}/health"):
        before, total = _total(base, {})
        assert total is not None
        assert total == httpx.get(f"{base}/health").json()["statements"]
        validators = {"If-None-Match": before.headers.get("etag", '"none"')}
        if "last-modified" in before.headers:
            validators["If-Modified-Since"] = before.headers["last-modified"]
        body = "<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> 'a' , 'b' ."
        put = httpx.put(f"{base}/store", params={"graph": graph}, content=body, headers={"content-type": "text/turtle"})
        assert put.status_code == 201
        after, counted = _total(base, validators)
        assert after.status_code == 200
        assert counted == total + 2 == httpx.get(f"{base}/health").json()["statements"]
        assert list(_parsed(after.content).quads_for_pattern(ox.NamedNode(graph), TRIPLES, None))
        update = "INSERT DATA { GRAPH <" + graph + "> { <urn:b> <http://www.w3.org/2000/01/rdf-schema#label> 'c' } }"
        posted = httpx.post(f"{base}/sparql", content=update, headers={"content-type": "application/sparql-update"})
        assert posted.status_code == 204
        again = {"If-None-Match": after.headers.get("etag", '"none"')}
        assert _total(base, again)[1] == total + 3
