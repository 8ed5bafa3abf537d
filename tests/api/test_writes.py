"""Writing is off by default; on a writable server it needs the token."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import WritePolicy, check_policy
from api.background import background_server, cnrs_kg_command, free_port
from tests.conftest import copy_store

INSERT = "INSERT DATA { GRAPH <https://w3id.org/cnrs-kg/graph/test/writes> { <urn:a> <urn:b> 'c' } }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/cnrs-kg/graph/test/writes> { ?s ?p ?o } }"
UPDATE = {"content-type": "application/sparql-update"}


def store_copy(bundled_store_path: Path, tmp_path: Path) -> Path:
    return copy_store(bundled_store_path, tmp_path / "store")


def written(client: TestClient | httpx.Client) -> int:
    response = client.get("/sparql", params={"query": COUNT})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_read_only_by_default(bundled_store_path: Path, tmp_path: Path) -> None:
    with TestClient(create_app(store_copy(bundled_store_path, tmp_path))) as client:
        for response in (
            client.post("/sparql", content=INSERT, headers=UPDATE),
            client.post("/sparql", data={"update": INSERT}),
        ):
            assert response.status_code == 403
            assert "read-only" in response.text
        assert written(client) == 0


def test_writable_server_needs_its_token(bundled_store_path: Path, tmp_path: Path) -> None:
    policy = WritePolicy(writable=True, token="s3cret")
    with TestClient(create_app(store_copy(bundled_store_path, tmp_path), write_policy=policy)) as client:
        missing = client.post("/sparql", content=INSERT, headers=UPDATE)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = client.post("/sparql", content=INSERT, headers={**UPDATE, "authorization": "Bearer nope"})
        assert wrong.status_code == 403
        assert written(client) == 0
        done = client.post("/sparql", content=INSERT, headers={**UPDATE, "authorization": "Bearer s3cret"})
        assert done.status_code == 204
        assert written(client) == 1


def test_malformed_update_is_400_and_changes_nothing(bundled_store_path: Path, tmp_path: Path) -> None:
    policy = WritePolicy(writable=True)
    with TestClient(create_app(store_copy(bundled_store_path, tmp_path), write_policy=policy)) as client:
        response = client.post("/sparql", content="INSERT DATA { <urn:a> <urn:b> ", headers=UPDATE)
        assert response.status_code == 400
        assert written(client) == 0


def test_writable_without_token_may_only_bind_loopback() -> None:
    assert check_policy(WritePolicy(writable=True), "127.0.0.1") is None
    assert "needs a token" in str(check_policy(WritePolicy(writable=True), "0.0.0.0"))
    assert check_policy(WritePolicy(writable=True, token="t"), "0.0.0.0") is None
    assert check_policy(WritePolicy(), "0.0.0.0") is None


@pytest.fixture
def public_server(bundled_store_path: Path, tmp_path: Path) -> Iterator[httpx.Client]:
    """A real `cnrs-kg serve --writable` bound to every interface (0.0.0.0), with a token."""
    port = free_port()
    store = str(store_copy(bundled_store_path, tmp_path))
    command = cnrs_kg_command("serve", "--writable", "--host", "0.0.0.0", "--port", str(port), "--store", store)
    base = f"http://127.0.0.1:{port}"
    with (
        background_server(command, f"{base}/health", env={**os.environ, "CNRS_KG_TOKEN": "s3cret"}),
        httpx.Client(base_url=base, timeout=10) as client,
    ):
        yield client


def test_update_without_token_to_a_public_server_is_refused(public_server: httpx.Client) -> None:
    assert public_server.post("/sparql", content=INSERT, headers=UPDATE).status_code == 401
    assert public_server.post("/sparql", data={"update": INSERT}).status_code == 401
    wrong = public_server.post("/sparql", content=INSERT, headers={**UPDATE, "authorization": "Bearer guess"})
    assert wrong.status_code == 403
    assert written(public_server) == 0


def test_using_graph_uri_sets_the_update_dataset(bundled_store_path: Path, tmp_path: Path) -> None:
    """using-graph-uri makes the WHERE clause read one graph only (as a USING clause would)."""
    policy = WritePolicy(writable=True)
    update = (
        "INSERT { GRAPH <https://w3id.org/cnrs-kg/graph/test/writes> { ?o <urn:count> ?c } } "
        "WHERE { ?o <https://w3id.org/cnrs-kg/ontology#phdStudentCount> ?c }"
    )
    seed = "https://w3id.org/cnrs-kg/graph/seed/003_1063290ea1a7e848.txt"
    ror = "https://w3id.org/cnrs-kg/graph/ror/ror_asean_schema_v1.json"
    with TestClient(create_app(store_copy(bundled_store_path, tmp_path), write_policy=policy)) as client:
        nothing = client.post("/sparql", params={"using-graph-uri": ror}, content=update, headers=UPDATE)
        assert nothing.status_code == 204
        assert written(client) == 0  # the ROR graph holds no PhD figures
        done = client.post("/sparql", params={"using-graph-uri": seed}, content=update, headers=UPDATE)
        assert done.status_code == 204
        assert written(client) == 6  # the six 2004 figures of seed 003


def test_using_graph_uri_with_a_with_clause_is_refused(bundled_store_path: Path, tmp_path: Path) -> None:
    policy = WritePolicy(writable=True)
    update = "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    with TestClient(create_app(store_copy(bundled_store_path, tmp_path), write_policy=policy)) as client:
        response = client.post("/sparql", params={"using-named-graph-uri": "urn:x"}, content=update, headers=UPDATE)
        assert response.status_code == 400
        assert "use one or the other" in response.text
