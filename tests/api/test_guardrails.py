"""Guardrails of /sparql: the per-query time budget, the row cap, reads during writes, killed writers.

The runaway query of the issue (a three-way cross product counted) would run for minutes on the
bundled store; the server must answer 503 within its budget + 1 s, stop burning CPU within
budget + 5 s, and keep answering other queries meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import WritePolicy
from api.testing import background_server, cnrs_kg_command, free_port
from graph import OxigraphStore

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASEAN_2019 = """PREFIX org: <http://www.w3.org/ns/org#>
SELECT (COUNT(DISTINCT ?country) AS ?n) WHERE {
  ?m org:organization <https://w3id.org/cnrs-kg/id/group/asean> ; org:member ?country }"""
SIMPLE = "ASK { ?s ?p ?o }"
# Seconds of evaluation on the bundled store (millions of solutions counted), then a write; an
# update's WHERE reads the default graph, which is empty here: the data is in the named graphs.
SLOW_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g1 { ?a a ?c } GRAPH ?g2 { ?d a ?c } }"
SLOW_DELETE = f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {{ {SLOW_COUNT} }} GRAPH ?g {{ ?s ?p ?o }} }}"
SLOW_INSERT = (
    f"INSERT {{ GRAPH <https://w3id.org/cnrs-kg/graph/test/slow> {{ <urn:count> <urn:is> ?n }} }} "
    f"WHERE {{ {{ {SLOW_COUNT} }} }}"
)
BUDGET = 2.0


def _cpu_seconds(process: psutil.Process) -> float:
    """CPU time of a process and all its children (the query workers)."""
    total = 0.0
    for proc in [process, *process.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _server_process(port: int) -> psutil.Process:
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
            return psutil.Process(conn.pid)
    raise AssertionError(f"no process listens on port {port}")


@pytest.fixture(scope="module")
def budget_server(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.conftest import copy_store

    store = copy_store(bundled_store_path, tmp_path_factory.mktemp("budget") / "store")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = cnrs_kg_command("serve", "--store", str(store), "--port", str(port), "--timeout", str(BUDGET))
    log = tmp_path_factory.mktemp("budget-log") / "server.log"
    with background_server(command, f"{base}/health", log=log):
        yield base


def test_runaway_query_is_stopped_while_others_are_answered(budget_server: str) -> None:
    server = _server_process(int(budget_server.rsplit(":", 1)[1]))
    outcome: dict[str, object] = {}

    def runaway() -> None:
        start = time.monotonic()
        response = httpx.get(f"{budget_server}/sparql", params={"query": RUNAWAY}, timeout=60)
        outcome["elapsed"] = time.monotonic() - start
        outcome["response"] = response

    started = time.monotonic()
    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    answered = 0
    while thread.is_alive():  # meanwhile, other queries are answered, promptly
        before = time.monotonic()
        reply = httpx.get(f"{budget_server}/sparql", params={"query": SIMPLE}, timeout=10)
        assert reply.status_code == 200
        assert reply.json()["boolean"] is True
        assert time.monotonic() - before < 1.0
        answered += 1
        time.sleep(0.1)
    thread.join()
    response = outcome["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 503
    assert f"time budget of {BUDGET:g} s" in response.text
    assert outcome["elapsed"] < BUDGET + 1.0  # type: ignore[operator]
    assert answered >= 5

    # Within budget + 5 s of the request, the server and its workers are idle again.
    time.sleep(max(0.0, started + BUDGET + 4.0 - time.monotonic()))
    before = _cpu_seconds(server)
    time.sleep(1.0)
    assert _cpu_seconds(server) - before < 0.3


def test_a_request_may_lower_the_budget_but_not_raise_it(budget_server: str) -> None:
    start = time.monotonic()
    lowered = httpx.get(f"{budget_server}/sparql", params={"query": RUNAWAY, "timeout": "0.5"}, timeout=60)
    assert lowered.status_code == 503
    assert "time budget of 0.5 s" in lowered.text
    assert time.monotonic() - start < 1.5
    raised = httpx.post(f"{budget_server}/sparql", data={"query": RUNAWAY, "timeout": "600"}, timeout=60)
    assert raised.status_code == 503
    assert f"time budget of {BUDGET:g} s" in raised.text
    bad = httpx.get(f"{budget_server}/sparql", params={"query": SIMPLE, "timeout": "soon"}, timeout=10)
    assert bad.status_code == 400
    assert "timeout: 'soon' is not a positive number of seconds" in bad.text
    # The pool recovered: its workers answer again.
    answer = httpx.get(f"{budget_server}/sparql", params={"query": ASEAN_2019}, timeout=10)
    assert answer.status_code == 200


def test_answers_over_the_row_cap_are_refused_with_a_clear_message(bundled_copy: Path) -> None:
    with TestClient(create_app(bundled_copy, max_rows=1000)) as client:
        over = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert over.status_code == 422
        assert "more than 1000 rows" in over.text
        assert "add a LIMIT" in over.text
        fits = client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1000"},
            headers={"accept": "application/sparql-results+json"},
        )
        assert fits.status_code == 200
        assert len(fits.json()["results"]["bindings"]) == 1000
        as_csv = client.get(
            "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 10"}, headers={"accept": "text/csv"}
        )
        assert as_csv.text.splitlines()[0] == "s"
        assert len(as_csv.text.splitlines()) == 11
        graph = client.get(
            "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"accept": "text/turtle"}
        )
        assert graph.status_code == 422
        assert "more than 1000 rows" in graph.text


def test_reads_are_answered_while_an_update_runs(bundled_copy: Path) -> None:
    policy = WritePolicy(writable=True)
    with TestClient(create_app(bundled_copy, write_policy=policy)) as client:
        done: dict[str, int] = {}

        def write() -> None:
            response = client.post(
                "/sparql", content=SLOW_INSERT, headers={"content-type": "application/sparql-update"}
            )
            done["status"] = response.status_code

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.3)
        during = 0
        while writer.is_alive():
            before = time.monotonic()
            reply = client.get("/sparql", params={"query": ASEAN_2019})
            assert reply.status_code == 200
            assert time.monotonic() - before < 1.0
            during += 1
        writer.join()
        assert done["status"] == 204
        assert during >= 3  # the update ran for seconds, and reads went on
        # Once the update committed, the workers see it.
        seen = client.get("/sparql", params={"query": "ASK { <urn:count> <urn:is> ?n }"})
        assert seen.json()["boolean"] is True


def test_a_killed_writer_leaves_the_store_as_it_was(bundled_copy: Path, tmp_path: Path) -> None:
    with OxigraphStore(bundled_copy, read_only=True) as store:
        before = store.graph_sizes()
    port = free_port()
    command = cnrs_kg_command("serve", "--store", str(bundled_copy), "--port", str(port), "--writable")
    with background_server(command, f"http://127.0.0.1:{port}/health", log=tmp_path / "server.log"):
        server = _server_process(port)

        def delete_everything() -> None:
            with contextlib.suppress(httpx.TransportError):
                httpx.post(
                    f"http://127.0.0.1:{port}/sparql",
                    content=SLOW_DELETE,
                    headers={"content-type": "application/sparql-update"},
                    timeout=60,
                )

        writer = threading.Thread(target=delete_everything)
        writer.start()
        time.sleep(1.0)  # the update is evaluating: kill the server mid-write
        os.kill(server.pid, signal.SIGKILL)
        writer.join(timeout=10)
    with OxigraphStore(bundled_copy) as store:
        assert store.graph_sizes() == before
