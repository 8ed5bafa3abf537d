"""The served process as a client on the internet meets it: slow and idle clients are cut off, reads
stay within the time budget and the row cap, refusals and errors are one line.

The server here is ``cnrs-kg serve`` over a copy of the bundled store, with one-second limits, so
that each slow client is closed within about a second.
"""

from __future__ import annotations

import re
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from api.app import create_app
from api.testing import background_server, cnrs_kg_command, free_port
from tests.conftest import copy_store

LIMIT = 1.0  # the server's header, body and keep-alive timeouts, seconds
SLACK = 2.5  # how much later than LIMIT a closing may come on a busy 2-core machine
CNRS_PAGE = "/id/org/ror/02feahw73"


@pytest.fixture(scope="module")
def server(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """``cnrs-kg serve`` with one-second limits: (base URL, port)."""
    store = copy_store(bundled_store_path, tmp_path_factory.mktemp("server") / "store")
    port = free_port()
    limits = ["--header-timeout", str(LIMIT), "--body-timeout", str(LIMIT), "--keep-alive", str(int(LIMIT))]
    command = cnrs_kg_command("serve", "--port", str(port), "--store", str(store), *limits)
    base = f"http://127.0.0.1:{port}"
    with background_server(command, f"{base}/health"):
        yield base, port


def _until_closed(sock: socket.socket, wait: float = LIMIT + SLACK) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and when it closed (seconds
    after the call); fails if it is still open after ``wait`` seconds."""
    start = time.monotonic()
    sock.settimeout(wait)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {wait} s; it sent {received[:80]!r}")
    except ConnectionResetError:
        pass  # closed while the client was still sending
    return received, time.monotonic() - start


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


# --- slow and idle clients ---------------------------------------------------------------------------


def test_a_connection_that_sends_nothing_is_closed(server: tuple[str, int]) -> None:
    with _connect(server[1]) as sock:
        received, after = _until_closed(sock)
    assert received == b""
    assert after < LIMIT + SLACK


def test_a_request_line_without_version_is_closed(server: tuple[str, int]) -> None:
    with _connect(server[1]) as sock:
        sock.sendall(b"GET /health\r\n")
        received, after = _until_closed(sock)
    assert b"200" not in received
    assert after < LIMIT + SLACK


def test_headers_sent_a_byte_at_a_time_are_cut_off(server: tuple[str, int]) -> None:
    """A head that keeps arriving, too slowly: a deadline on the whole head, not an idle timer."""
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
    start = time.monotonic()
    with _connect(server[1]) as sock:
        try:
            for byte in head:
                sock.sendall(bytes([byte]))
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed by the server while sending: what is tested
        received, _ = _until_closed(sock)
    assert received == b""
    assert time.monotonic() - start < LIMIT + SLACK


def test_a_body_shorter_than_its_length_is_a_408_and_closed(server: tuple[str, int]) -> None:
    head = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
    with _connect(server[1]) as sock:
        sock.sendall(head + b"Content-Length: 100\r\n\r\nASK {}")
        received, after = _until_closed(sock)
    status_line, _, rest = received.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 408 Request Timeout"
    assert rest.split(b"\r\n\r\n", 1)[1].count(b"\n") == 1
    assert LIMIT * 0.9 < after < LIMIT + SLACK


def test_an_idle_connection_after_a_response_is_closed(server: tuple[str, int]) -> None:
    with _connect(server[1]) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received, after = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 200 OK")
    assert after < LIMIT + SLACK


def test_a_body_sent_in_pieces_within_the_deadline_is_answered(server: tuple[str, int]) -> None:
    query = b"ASK { ?s ?p ?o }"
    head = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
    with _connect(server[1]) as sock:
        sock.sendall(head + b"Connection: close\r\nAccept: text/tab-separated-values\r\n")
        sock.sendall(b"Content-Length: %d\r\n\r\n" % len(query) + query[:5])
        time.sleep(LIMIT / 4)
        sock.sendall(query[5:])
        received, _ = _until_closed(sock)
    assert received.startswith(b"HTTP/1.1 200 OK")
    assert received.endswith(b"\r\n\r\ntrue")


# --- reads within the budget and caps ----------------------------------------------------------------


def test_the_cnrs_page_is_paged_over_http(server: tuple[str, int]) -> None:
    base = server[0]
    html = httpx.get(base + CNRS_PAGE, headers={"accept": "text/html"}, timeout=30).text
    statements = html.split('<section id="statements">', 1)[1].split("</section>", 1)[0]
    assert statements.count("<tr><td>") == 100
    assert re.search(r"Statements 1&ndash;100 of [0-9,]+\.", statements)
    turtle = httpx.get(base + CNRS_PAGE, timeout=30)
    following = httpx.get(base + turtle.links["next"]["url"], timeout=30)
    assert following.status_code == 200
    assert following.links["prev"]["url"] == CNRS_PAGE


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"seeds": "ror:0000000xx"}, "seeds"),
        ({"minWeight": "NaN"}, "minWeight"),
        ({"to": "-5"}, "to"),
    ],
)
def test_export_refusals_name_the_parameter(server: tuple[str, int], params: dict[str, str], name: str) -> None:
    response = httpx.get(server[0] + "/export/network.gexf", params=params, timeout=30)
    assert response.status_code == 400
    assert response.text.startswith(f"{name}: ")
    assert response.text.count("\n") == 1


GRAPH = "https://w3id.org/cnrs-kg/graph/cnrs/cnrs-asean"


def test_graph_store_read_over_the_row_cap_is_a_422(bundled_store_path: Path, tmp_path: Path) -> None:
    store = copy_store(bundled_store_path, tmp_path / "store")
    with TestClient(create_app(store, workers=1, max_rows=10)) as client:
        response = client.get("/store", params={"graph": GRAPH})
        default = client.get("/store", params={"default": ""})
    assert response.status_code == 422
    assert response.text.startswith(f"graph {GRAPH} has more than 10 triples")
    assert response.text.count("\n") == 1
    assert default.status_code == 200  # empty: nothing was put in the default graph


def test_graph_store_read_over_the_budget_is_a_503(bundled_store_path: Path, tmp_path: Path) -> None:
    store = copy_store(bundled_store_path, tmp_path / "store")
    with TestClient(create_app(store, workers=1, budget=0.001)) as client:
        response = client.get("/store", params={"graph": GRAPH})
        head = client.head("/store", params={"graph": GRAPH})
    assert response.status_code == 503
    assert response.text.count("\n") == 1
    assert head.status_code == 503


# --- security defaults -------------------------------------------------------------------------------


def test_cors_is_off_unless_an_origin_is_given(server: tuple[str, int]) -> None:
    origin = {"origin": "https://attacker.example"}
    response = httpx.get(server[0] + "/health", headers=origin, timeout=30)
    preflight = httpx.options(
        server[0] + "/sparql", headers={**origin, "access-control-request-method": "POST"}, timeout=30
    )
    for answer in (response, preflight):
        assert not any(name.lower().startswith("access-control-") for name in answer.headers)


SECRET = "secret-detail-of-the-failure"


async def _boom(request: Request) -> Response:
    raise RuntimeError(f"{SECRET} in {Path(__file__).resolve()}")


def failing_app() -> Starlette:
    """The server's app with one endpoint that raises (run by ``test_an_endpoint_exception...``)."""
    app = create_app(None)
    app.router.routes.append(Route("/boom", _boom))
    return app


def test_an_endpoint_exception_is_a_one_line_500_and_logged(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = f"import api.server, tests.api.test_server as t; api.server.serve(t.failing_app(), '127.0.0.1', {port})"
    log = tmp_path / "server.log"
    with background_server([sys.executable, "-c", serve], f"{base}/health", log=log):
        response = httpx.get(f"{base}/boom", timeout=30)
        after = httpx.get(f"{base}/health", timeout=30)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    assert body.count("\n") == 1
    for leak in ("Traceback", "RuntimeError", SECRET, str(Path(__file__).parent), ".py"):
        assert leak not in body
    assert after.status_code == 200
    logged = log.read_text()
    assert "Traceback" in logged
    assert SECRET in logged
