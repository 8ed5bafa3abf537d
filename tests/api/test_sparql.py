"""``/sparql`` and ``/health`` over HTTP, on the bundled store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app

IRL_QUERY = (
    "SELECT ?name WHERE { ?irl <https://w3id.org/cnrs-kg/ontology#instrumentKind> "
    "<https://w3id.org/cnrs-kg/ontology#IRL> ; <https://w3id.org/cnrs-kg/ontology#country> "
    "<https://w3id.org/cnrs-kg/id/country/SG> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name }"
)


@pytest.fixture
def client(bundled_store_path: Path, tmp_path: Path) -> Iterator[TestClient]:
    path = tmp_path / "store"
    shutil.copytree(bundled_store_path, path)
    (path / "LOCK").unlink(missing_ok=True)
    with TestClient(create_app(path)) as test_client:
        yield test_client


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["graphs"] == 10
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


def test_missing_query_is_400(client: TestClient) -> None:
    assert client.get("/sparql").status_code == 400


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
