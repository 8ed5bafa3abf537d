"""``api.errors``: each status of the one error map, raised by the real component that raises it.

Every request goes through ``create_app`` on a copy of the bundled store, with query workers, so
a refusal made in a worker process (406, 422) crosses the pipe with its type before it is mapped.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import WritePolicy
from api.errors import NotAcceptable
from api.sparql import MAX_BODY
from api.workers import QueryPool
from graph import QueryTimeout, ResultTooLarge, StoreLockedError, StoreOpenError
from tests.conftest import copy_store

TOKEN = "test-token"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TWO_ROWS = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"
UPDATE = "INSERT DATA { GRAPH <https://w3id.org/cnrs-kg/graph/test/errors> { <urn:a> <urn:b> <urn:c> } }"


@pytest.fixture(scope="module")
def client(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A writable server with a token, one query worker and a row cap of 1."""
    store = copy_store(bundled_store_path, tmp_path_factory.mktemp("errors") / "store")
    policy = WritePolicy(writable=True, token=TOKEN)
    with TestClient(create_app(store, workers=1, max_rows=1, write_policy=policy)) as client:
        yield client


class Answered(Protocol):
    """What a test reads of a TestClient response."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def text(self) -> str: ...


def one_line(response: Answered, status: int) -> str:
    """The body of a refusal with ``status``: one ``text/plain`` line."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.count("\n") == 1
    assert response.text.endswith("\n")
    return response.text


def test_a_malformed_query_is_a_400(client: TestClient) -> None:
    text = one_line(client.get("/sparql", params={"query": "SELEC ?s WHERE { ?s ?p ?o }"}), 400)
    assert text.startswith("SPARQL syntax error")


def test_a_bad_explorer_argument_is_a_400(client: TestClient) -> None:
    text = one_line(client.get("/export/network.gexf", params={"hops": "many"}), 400)
    assert text.startswith("hops: 'many' is not a whole number")


def test_a_write_without_the_token_is_a_401_asking_for_a_bearer(client: TestClient) -> None:
    response = client.post("/sparql", content=UPDATE, headers={"content-type": "application/sparql-update"})
    assert "Authorization: Bearer" in one_line(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_write_with_a_wrong_token_is_a_403(client: TestClient) -> None:
    headers = {"content-type": "application/sparql-update", "authorization": "Bearer not-the-token"}
    assert one_line(client.post("/sparql", content=UPDATE, headers=headers), 403).startswith("wrong token")


def test_a_write_to_a_read_only_server_is_a_403(bundled_store_path: Path, tmp_path: Path) -> None:
    app = create_app(copy_store(bundled_store_path, tmp_path / "store"), workers=0)
    with TestClient(app) as client:
        response = client.put("/store?graph=urn:g", content=b"", headers={"content-type": "text/turtle"})
    assert "read-only" in one_line(response, 403)


def test_an_unknown_entity_page_is_a_404(client: TestClient) -> None:
    text = one_line(client.get("/id/org/ror/000000000", headers={"accept": "text/turtle"}), 404)
    assert text.startswith("nothing is known about <https://w3id.org/cnrs-kg/id/org/ror/000000000>")
    again = client.get("/id/org/ror/000000000", headers={"accept": "text/turtle"})  # from the page cache
    assert one_line(again, 404) == text


def test_an_unacceptable_answer_format_is_a_406_from_the_worker(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"accept": "image/png"})
    text = one_line(response, 406)
    assert "application/sparql-results+json" in text
    assert "image/png" not in text


def test_an_unacceptable_graph_format_is_a_406(client: TestClient) -> None:
    text = one_line(client.get("/store?default", headers={"accept": "image/png"}), 406)
    assert "a graph is served as text/turtle" in text


def test_a_body_over_the_limit_is_a_413(client: TestClient) -> None:
    body = b"#" * (MAX_BODY + 1)
    response = client.post("/sparql", content=body, headers={"content-type": "application/sparql-query"})
    assert "limit" in one_line(response, 413)


def test_an_unknown_content_type_is_a_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"ASK {}", headers={"content-type": "text/plain"})
    assert one_line(response, 415).startswith("unsupported content type 'text/plain'")


def test_an_answer_over_the_row_cap_is_a_422_raised_in_the_worker(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": TWO_ROWS}, headers={"accept": "application/json"})
    assert one_line(response, 422) == str(ResultTooLarge(1)) + "\n"
    assert client.get("/sparql", params={"query": TWO_ROWS.replace("2", "1")}).status_code == 200


def test_a_query_over_its_budget_is_a_503(bundled_store_path: Path, tmp_path: Path) -> None:
    app = create_app(copy_store(bundled_store_path, tmp_path / "store"), workers=1, budget=0.3)
    with TestClient(app) as client:
        response = client.get("/sparql", params={"query": RUNAWAY})
    assert one_line(response, 503) == str(QueryTimeout(0.3)) + "\n"


def test_a_worker_that_dies_is_a_masked_500_logged_with_its_traceback(
    bundled_store_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(copy_store(bundled_store_path, tmp_path / "store"), workers=1, budget=30)
    with TestClient(app) as client:
        pool = client.app_state["queries"]
        assert isinstance(pool, QueryPool)
        [worker] = list(pool._all)

        def kill_soon() -> None:
            time.sleep(0.5)  # the runaway query is running in the worker by then
            worker.process.kill()

        killer = threading.Thread(target=kill_soon)
        killer.start()
        with caplog.at_level(logging.ERROR, logger="cnrs_kg.error"):
            response = client.get("/sparql", params={"query": RUNAWAY})
        killer.join()
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200  # a new worker
    text = one_line(response, 500)
    assert text.startswith("internal server error")
    assert "worker" not in text
    assert "Traceback" not in text
    assert "the query worker stopped before answering" in caplog.text
    assert any(record.exc_info for record in caplog.records)


@pytest.mark.parametrize(
    "error",
    [
        QueryTimeout(2.5),
        ResultTooLarge(10),
        StoreLockedError("/tmp/store"),
        StoreOpenError("/tmp/store", "no store there"),
        NotAcceptable(["text/turtle"], "a graph"),
    ],
)
def test_refusals_cross_a_pipe_with_their_type_and_message(error: Exception) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
