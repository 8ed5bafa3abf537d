"""``/sparql`` and ``/health`` over HTTP, on the bundled store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from api.app import create_app

IRL_QUERY = (
    "SELECT ?name WHERE { ?irl <https://w3id.org/cnrs-kg/ontology#instrumentKind> "
    "<https://w3id.org/cnrs-kg/ontology#IRL> ; <https://w3id.org/cnrs-kg/ontology#country> "
    "<https://w3id.org/cnrs-kg/id/country/SG> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name }"
)


@pytest.fixture
def client(bundled_copy: Path) -> Iterator[TestClient]:
    with TestClient(create_app(bundled_copy)) as test_client:
        yield test_client


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["graphs"] == 24  # 23 described graphs (tests/test_bundled.py) and the ontology
    assert body["statements"] > 50_000


def test_select_by_get_answers_json(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": IRL_QUERY})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    names = {b["name"]["value"] for b in response.json()["results"]["bindings"]}
    assert len(names) >= 4


def test_select_by_post_form_and_direct(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": IRL_QUERY})
    direct = client.post("/sparql", content=IRL_QUERY, headers={"content-type": "application/sparql-query"})
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()


def test_ask(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s a <https://w3id.org/cnrs-kg/ontology#Country> }"})
    assert response.json()["boolean"] is True


def test_construct_answers_turtle(client: TestClient) -> None:
    vn = "<https://w3id.org/cnrs-kg/id/country/VN>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    query = f"CONSTRUCT {{ {vn} {label} ?l }} WHERE {{ {vn} {label} ?l }}"
    response = client.get("/sparql", params={"query": query}, headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert "Viet Nam" in response.text


def test_csv_results_by_accept(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT (1 AS ?x) WHERE {}"}, headers={"accept": "text/csv"})
    assert response.text.splitlines() == ["x", "1"]


def test_malformed_query_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert response.status_code == 400
    assert "syntax" in response.text.lower()


def test_a_body_that_is_not_utf8_is_400(client: TestClient) -> None:
    query = "SELECT * WHERE { ?s ?p 'Universit\u00e9' }".encode("latin-1")
    response = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert "not UTF-8" in response.text


def test_missing_query_is_400(client: TestClient) -> None:
    assert (
        client.get("/sparql", params={"default-graph-uri": "https://w3id.org/cnrs-kg/graph/ontology"}).status_code
        == 400
    )
    assert client.post("/sparql", data={"foo": "bar"}).status_code == 400
    assert client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400


def test_bare_get_returns_the_service_description(client: TestClient) -> None:
    response = client.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = ox.NamedNode("http://testserver/sparql")
    assert ox.Quad(endpoint, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")) in triples
    assert ox.Quad(endpoint, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")) in triples


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ONTOLOGY = "https://w3id.org/cnrs-kg/graph/ontology"
SEED = "https://w3id.org/cnrs-kg/graph/seed/003_1063290ea1a7e848.txt"


def count(client: TestClient, query: str, params: list[tuple[str, str]]) -> int:
    response = client.get("/sparql", params=[("query", query), *params])
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_uri_restricts_the_default_graph(client: TestClient) -> None:
    ontology_only = count(client, COUNT, [("default-graph-uri", ONTOLOGY)])
    both = count(client, COUNT, [("default-graph-uri", ONTOLOGY), ("default-graph-uri", SEED)])
    everything = count(client, COUNT, [])
    assert 700 < ontology_only < both < everything


def test_named_graph_uri_names_the_graphs_and_empties_the_default(client: TestClient) -> None:
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(client, named, [("named-graph-uri", SEED)]) == 1
    assert count(client, COUNT, [("named-graph-uri", SEED)]) == 0  # the default graph is empty


def test_dataset_parameters_of_a_direct_post_come_from_the_url(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        params={"default-graph-uri": ONTOLOGY},
        content=COUNT,
        headers={"content-type": "application/sparql-query"},
    )
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == count(
        client, COUNT, [("default-graph-uri", ONTOLOGY)]
    )


def test_bad_graph_iri_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert "default-graph-uri" in response.text


def test_other_methods_are_405(client: TestClient) -> None:
    assert client.put("/sparql", content="ASK {}").status_code == 405
    assert client.delete("/sparql").status_code == 405


def test_unacceptable_accept_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": "image/png"})
    assert response.status_code == 406


def test_unknown_content_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content="ASK {}", headers={"content-type": "text/plain"})
    assert response.status_code == 415


def test_updates_are_refused(client: TestClient) -> None:
    before = client.get("/health").json()["statements"]
    response = client.post("/sparql", content="DROP ALL", headers={"content-type": "application/sparql-update"})
    assert response.status_code == 403
    assert client.get("/health").json()["statements"] == before


def test_access_log_has_one_structured_line_per_request(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    import json

    with caplog.at_level("INFO", logger="cnrs_kg.access"):
        client.get("/sparql", params={"query": "ASK {}"})
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "cnrs_kg.access"]
    assert records[-1]["path"] == "/sparql"
    assert records[-1]["status"] == 200
    assert records[-1]["ms"] >= 0
    assert records[-1]["query_bytes"] > 0


def test_cors_is_off_by_default_and_configurable(bundled_copy: Path) -> None:
    path = bundled_copy
    headers = {"origin": "https://example.org"}
    with TestClient(create_app(path)) as plain:
        assert "access-control-allow-origin" not in plain.get("/health", headers=headers).headers
    with TestClient(create_app(path, cors_origins=["https://example.org"])) as open_app:
        assert open_app.get("/health", headers=headers).headers["access-control-allow-origin"] == "https://example.org"


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { BIND(<thing> AS ?x) }"})
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "http://testserver/thing"


def test_browsers_get_the_query_editor_with_the_example_queries(client: TestClient) -> None:
    page = client.get("/sparql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/static/vendor/yasgui/yasgui.min.js">' in page.text
    embedded = page.text.split('<script id="examples" type="application/json">', 1)[1].split("</script>", 1)[0]
    examples = json.loads(embedded)  # the examples survive their embedding in the page whole
    assert {e["name"] for e in examples} >= {"irl singapore", "phd students 2004", "asean members"}
    assert any("phdStudentCount" in e["query"] for e in examples)
