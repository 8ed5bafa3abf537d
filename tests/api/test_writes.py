"""Writing is off by default; on a writable server it needs the token; a committed write says so
(its generation), is done once per idempotency key, and a client can ask after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import WritePolicy, check_policy
from api.testing import background_server, cnrs_kg_command, free_port
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


GENERATION = "x-store-generation"
GRAPH = "https://w3id.org/cnrs-kg/graph/test/writes"
TURTLE = {"content-type": "text/turtle"}


def test_every_committed_write_carries_the_generation(bundled_store_path: Path, tmp_path: Path) -> None:
    policy = WritePolicy(writable=True)
    with TestClient(create_app(store_copy(bundled_store_path, tmp_path), write_policy=policy)) as client:
        start = client.get("/health").json()["generation"]
        answers = [
            client.post("/sparql", content=INSERT, headers=UPDATE),
            client.put("/store", params={"graph": GRAPH}, content=b"<urn:a> <urn:b> 'd' .", headers=TURTLE),
            client.post("/store", params={"graph": GRAPH}, content=b"<urn:a> <urn:b> 'e' .", headers=TURTLE),
            client.delete("/store", params={"graph": GRAPH}),
        ]
        assert [a.status_code for a in answers] == [204, 204, 204, 204]
        assert [int(a.headers[GENERATION]) for a in answers] == [start + 1, start + 2, start + 3, start + 4]
        assert client.get("/health").json()["generation"] == start + 4
        refused = client.delete("/store", params={"graph": GRAPH})  # nothing committed: no generation
        assert refused.status_code == 404
        assert GENERATION not in refused.headers


def test_an_idempotency_key_writes_once_and_answers_the_first_outcome(bundled_store_path: Path, tmp_path: Path) -> None:
    policy = WritePolicy(writable=True)
    with TestClient(create_app(store_copy(bundled_store_path, tmp_path), write_policy=policy)) as client:
        key = {"idempotency-key": "6f1c2a52-0d4e-4b8f-9d55-3c1e2b7a9f00"}
        first = client.post("/store", content=b"<urn:a> <urn:b> 'c' .", headers={**TURTLE, **key})
        again = client.post("/store", content=b"<urn:a> <urn:b> 'c' .", headers={**TURTLE, **key})
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.headers["location"] == first.headers["location"]  # the graph created once, not twice
        assert again.headers[GENERATION] == first.headers[GENERATION]
        assert again.headers["idempotent-replayed"] == "true"
        assert client.get("/health").json()["generation"] == int(first.headers[GENERATION])
        other = client.post("/store", content=b"<urn:a> <urn:b> 'other' .", headers={**TURTLE, **key})
        assert other.status_code == 422
        assert "another request" in other.text
        status = client.get(f"/writes/{key['idempotency-key']}")
        assert status.status_code == 200
        assert status.json()["generation"] == int(first.headers[GENERATION])
        assert client.get("/writes/never-sent").status_code == 404
        malformed = client.post("/sparql", content=INSERT, headers={**UPDATE, "idempotency-key": "two words"})
        assert malformed.status_code == 400


def test_an_update_may_not_write_the_stores_own_graphs(bundled_store_path: Path, tmp_path: Path) -> None:
    policy = WritePolicy(writable=True)
    with TestClient(create_app(store_copy(bundled_store_path, tmp_path), write_policy=policy)) as client:
        update = "DROP GRAPH <https://w3id.org/cnrs-kg/graph/_journal>"
        response = client.post("/sparql", content=update, headers=UPDATE)
        assert response.status_code == 400
        assert "keeps itself" in response.text


def _serve(command: list[str], base: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).is_success:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not answer {base}/health")


def test_a_client_learns_after_a_crash_whether_its_write_committed(bundled_store_path: Path, tmp_path: Path) -> None:
    """The server is killed after a write; restarted, it tells the write committed and does not redo it."""
    store = str(store_copy(bundled_store_path, tmp_path))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = cnrs_kg_command("serve", "--writable", "--port", str(port), "--store", store, "--workers", "0")
    key = {"idempotency-key": "load-2025-06-01-a"}
    server = _serve(command, base)
    try:
        done = httpx.post(f"{base}/sparql", content=INSERT, headers={**UPDATE, **key}, timeout=30)
        assert done.status_code == 204
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    server = _serve(command, base)
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            status = client.get(f"/writes/{key['idempotency-key']}")
            assert status.status_code == 200
            assert status.json()["generation"] == int(done.headers[GENERATION])
            assert client.get("/writes/load-2025-06-01-b").status_code == 404
            again = client.post("/sparql", content=INSERT, headers={**UPDATE, **key})
            assert (again.status_code, again.headers[GENERATION]) == (204, done.headers[GENERATION])
            assert written(client) == 1
    finally:
        server.terminate()
        server.wait(10)
