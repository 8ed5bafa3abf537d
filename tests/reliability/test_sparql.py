"""Fuzzing ``/sparql`` on a live server: malformed and deeply nested queries, bad bodies, slow clients.

Whatever a client sends, the server answers 4xx (or a correct answer, or 503 for a query it
stopped at its time budget), never another 5xx, never a traceback or a path of its files; it
keeps answering ``/health``; and it reaches out to no other server (SERVICE, LOAD).

The slow clients of ``stalls`` are opened when the module starts and held while its other tests
run; the last test checks that the server dropped every one within ``STALL_LIMIT``.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import copy_store
from tests.reliability.knobs import FUZZ, FUZZ_BUDGET, STALL_LIMIT
from tests.reliability.probes import HealthWatch, Listener, judge, raw, request_bytes
from tests.reliability.servers import Server, serve
from tests.reliability.stalls import Stalls
from tests.reliability.tally import TALLY

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.rq"))
QUERIES = [path.read_text(encoding="utf-8") for path in EXAMPLES]
# Pieces of SPARQL to splice in: brackets, quotes, escapes, keywords, odd characters. Never
# SERVICE: a mutated query must not send the server to a host named in an example.
PIECES = [
    "{", "}", "(", ")", "[", "]", ".", ";", ",", '"', "'", '"""', "<", ">", "#", "\\", "\\u0000", "?x", "$",
    "@en", "^^", "SELECT", "WHERE", "OPTIONAL {", "FILTER(", "UNION", "GRAPH ?g", "MINUS {", "VALUES ?x {",
    "BIND(", "LIMIT -1", "OFFSET 99999999999999999999", "a", "*", "/", "|", "^", "+", "!", "\x00", "\u2028",
    "\ufeff", "é", "\U0001d518", "COUNT(*)", "GROUP BY", "ORDER BY", "DESCRIBE", "CONSTRUCT", "ASK",
]  # fmt: skip
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"


@pytest.fixture(scope="module", autouse=True)
def stalls(fuzz_server: Server) -> Iterator[Stalls]:
    """Slow clients, held from the start of the module to its last test."""
    held = Stalls(fuzz_server.port)
    held.start()
    yield held
    held.stop()


@pytest.fixture(scope="module")
def client(fuzz_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fuzz_server.base, timeout=30) as session:
        yield session


def send(client: httpx.Client, method: str, text: str | bytes) -> httpx.Response:
    """``text`` as a query by GET, by POST form or by POST body, with a short budget of its own."""
    params = {"timeout": "1"}
    if method == "GET":
        return client.get("/sparql", params={**params, "query": text})
    if method == "form":
        return client.post("/sparql", params=params, data={"query": text})
    return client.post("/sparql", params=params, content=text, headers={"content-type": QUERY})


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """An example query, cut, spliced, or with a span repeated, one to four times."""
    text = draw(st.sampled_from(QUERIES))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        how = draw(st.sampled_from(["cut", "drop", "splice", "repeat"]))
        if how == "cut":
            text = text[:i]
        elif how == "drop":
            text = text[:i] + text[j:]
        elif how == "splice":
            text = text[:i] + draw(st.sampled_from(PIECES) | st.text(max_size=6)) + text[i:]
        else:
            text = text[:i] + text[i:j] * draw(st.integers(2, 50)) + text[j:]
    return text


@FUZZ
@given(text=mutated(), method=st.sampled_from(["GET", "form", "body"]))
def test_malformed_queries_are_refused_or_answered(client: httpx.Client, text: str, method: str) -> None:
    response = send(client, method, text)
    assert not judge(response.status_code, response.text, what=f"{method} {text[:80]!r}")


NOT_UTF8 = [
    "SELECT * WHERE { ?s ?p 'café' }".encode("latin-1"),
    "SELECT * WHERE { ?s ?p 'café' }".encode("utf-16"),
    b"SELECT * WHERE { ?s ?p '\xff\xfe\xfd' }",
    b"SELECT * WHERE { ?s ?p '\xc3' }",  # a UTF-8 sequence cut short
    b"SELECT * WHERE { ?s ?p '\xed\xa0\x80' }",  # an encoded surrogate
    b"\x00\x01\x02\x03",
]


@pytest.mark.parametrize("body", NOT_UTF8, ids=range(len(NOT_UTF8)))
@pytest.mark.parametrize("content_type", [QUERY, FORM, f"{QUERY}; charset=latin-1"])
def test_bodies_that_are_not_utf8_are_refused_or_answered(client: httpx.Client, body: bytes, content_type: str) -> None:
    payload = b"query=" + body if content_type == FORM else body
    response = client.post("/sparql", content=payload, headers={"content-type": content_type})
    assert not judge(response.status_code, response.text, what=repr(body))


@FUZZ
@given(body=st.binary(max_size=2000), content_type=st.sampled_from([QUERY, FORM, UPDATE, "text/plain", ""]))
def test_random_bytes_are_refused(client: httpx.Client, body: bytes, content_type: str) -> None:
    response = client.post("/sparql", content=body, headers={"content-type": content_type})
    assert not judge(response.status_code, response.text, what=repr(body[:80]))
    assert response.status_code != 200 or content_type in (QUERY, FORM)


def test_oversized_bodies_are_refused_at_once(fuzz_server: Server, client: httpx.Client) -> None:
    """413 for a body over the limit, sent whole, chunked, or only declared (without waiting for it)."""
    whole = client.post("/sparql", content=b"#" * 2_000_000, headers={"content-type": QUERY})
    assert whole.status_code == 413, whole.text

    def chunks() -> Iterator[bytes]:
        for _ in range(50):
            yield b"#" * 100_000

    chunked = client.post("/sparql", content=chunks(), headers={"content-type": QUERY})
    assert chunked.status_code == 413, chunked.text
    start = time.monotonic()
    declared = request_bytes("POST", b"/sparql", {"Content-Type": QUERY}, b"ASK {}", length=1_000_000_000)
    try:
        answer = raw(fuzz_server.base, declared, timeout=5)
    except TimeoutError:
        pytest.fail("a request declaring a 1 GB body got no answer within 5 s: the server waits for the body")
    assert answer.status == 413, answer.text
    assert time.monotonic() - start < 2
    for response in (whole, chunked):
        assert not judge(response.status_code, response.text, what="oversized body")


def nested(kind: str, depth: int) -> str:
    """A query nesting one construct ``depth`` levels deep."""
    triple = "?s ?p ?o"
    if kind == "groups":
        return "SELECT * WHERE " + "{ " * depth + triple + " }" * depth
    if kind == "OPTIONAL":
        return "SELECT * WHERE { " + f"{triple} OPTIONAL {{ " * depth + triple + " }" * depth + " }"
    if kind == "sub-selects":
        return "SELECT * WHERE " + "{ SELECT * WHERE " * depth + f"{{ {triple} }}" + " }" * depth
    if kind == "collections":
        return "SELECT * WHERE { ?s ?p " + "( " * depth + "1" + " )" * depth + " }"
    if kind == "UNION":
        return "SELECT * WHERE { " + f"{{ {triple} }} UNION " * depth + f"{{ {triple} }} }}"
    if kind == "paths":
        return "SELECT * WHERE { ?s " + "(<urn:p>/" * depth + "<urn:p>" + ")" * depth + " ?o }"
    assert kind == "expressions"
    return "SELECT * WHERE { ?s ?p ?o FILTER(" + "!(" * depth + "true" + ")" * depth + ") }"


@pytest.mark.parametrize("depth", [5_000, 100_000])
@pytest.mark.parametrize("kind", ["groups", "OPTIONAL", "sub-selects", "collections", "UNION", "paths", "expressions"])
def test_deeply_nested_queries_are_refused(client: httpx.Client, kind: str, depth: int) -> None:
    """400 (413 when the text is over the body limit), in one line, fast; the server lives on.

    A chain of UNIONs nests only in the algebra, not in the text: no depth limit refuses it, and the
    worker (with its deep stack) evaluates it, so its answer is the row cap's 422 or the budget's 503.
    """
    start = time.monotonic()
    response = client.post("/sparql", content=nested(kind, depth), headers={"content-type": QUERY})
    elapsed = time.monotonic() - start
    assert not judge(response.status_code, response.text, what=f"{kind} nested {depth} deep")
    refusals = (400, 413, 422, 503) if kind == "UNION" else (400, 413)
    assert response.status_code in refusals, response.text[:300]
    assert len(response.text.strip().splitlines()) == 1, response.text[:300]
    assert elapsed < 2, f"refused after {elapsed:.1f} s"
    assert client.get("/health").status_code == 200


NESTED_UPDATES = {
    "groups in WHERE": "INSERT { <urn:a> <urn:b> <urn:c> } WHERE " + "{ " * 5_000 + "?s ?p ?o" + " }" * 5_000,
    "collections in INSERT DATA": "INSERT DATA { <urn:a> <urn:b> " + "( " * 5_000 + "1" + " )" * 5_000 + " }",
    "OPTIONAL in WHERE": "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 5_000 + "}" * 5_001,
    "expressions": "DELETE WHERE { ?s ?p ?o } ; INSERT { <urn:a> <urn:b> ?x } WHERE { BIND("
    + "-(" * 5_000
    + "1"
    + ")" * 5_000
    + " AS ?x) }",
}


def test_deeply_nested_updates_are_refused(bundled_store_path: Path, tmp_path: Path) -> None:
    """On a writable server, with its token: 400, and the server lives on (it parses updates itself)."""
    problems: list[str] = []
    restarts = 0

    def started(stack: ExitStack) -> Server:
        folder = tmp_path / str(restarts)
        return stack.enter_context(
            serve(copy_store(bundled_store_path, folder / "store"), folder / "log", writable=True)
        )

    stack = ExitStack()
    try:
        server = started(stack)
        for name, update in NESTED_UPDATES.items():
            headers = {"content-type": UPDATE, **server.auth}
            try:
                response = httpx.post(f"{server.base}/sparql", content=update, headers=headers, timeout=30)
            except httpx.TransportError as exc:  # the server died: note it, start another for the next update
                TALLY.fuzzed += 1
                TALLY.errors += 1
                problems.append(f"{name}: no answer ({type(exc).__name__}); the server died")
                stack.close()
                restarts += 1
                server = started(stack)
                continue
            problems += judge(response.status_code, response.text, what=name)
            if response.status_code != 400:
                problems.append(f"{name}: {response.status_code}, not 400")
    finally:
        stack.close()
    assert not problems, problems


FLAT_CHAINS = {  # no nesting, so no depth limit applies: each once overflowed Oxigraph's 8 MB stack
    "5,000 MINUS": "SELECT * WHERE { ?s ?p ?o " + " ".join(f"MINUS {{ ?s ?p {i} }}" for i in range(5_000)) + " }",
    "20,000 UNION": "SELECT * WHERE { " + " UNION ".join(f"{{ ?s ?p {i} }}" for i in range(20_000)) + " }",
    "20,000 ||": "ASK { ?s ?p ?o FILTER(" + " || ".join(f"?o = {i}" for i in range(20_000)) + ") }",
}


@pytest.mark.parametrize("name", FLAT_CHAINS)
def test_long_flat_chains_are_answered_within_the_budget(client: httpx.Client, name: str) -> None:
    """Answered, or stopped at the budget (503), by a worker that lives on: never a dead worker (500)."""
    response = client.post(
        "/sparql", params={"timeout": "1"}, content=FLAT_CHAINS[name], headers={"content-type": QUERY}
    )
    assert not judge(response.status_code, response.text, what=name)
    assert response.status_code in (200, 503), response.text[:200]


def test_a_long_flat_chain_in_an_update_leaves_the_server_alive(bundled_store_path: Path, tmp_path: Path) -> None:
    """Updates run in the server process: a chain that overflowed its stack took the server down."""
    chain = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o " + " ".join(f"MINUS {{ ?s ?p {i} }}" for i in range(5_000)) + " }"
    with serve(copy_store(bundled_store_path, tmp_path / "store"), tmp_path / "log", writable=True) as server:
        headers = {"content-type": UPDATE, **server.auth}
        response = httpx.post(f"{server.base}/sparql", content=chain.encode(), headers=headers, timeout=120)
        assert not judge(response.status_code, response.text, what="a flat chain in an update")
        assert httpx.get(f"{server.base}/health", timeout=5).status_code == 200


PATHOLOGICAL = {
    "nested quantifiers": 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "^(a+)+$")) }',
    "huge repetition": 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "((a{1000}){1000}){1000}")) }',
    "stacked stars": 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "(?:(?:(?:a*)*)*)*b", "i")) }',
    "pattern from the data": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(REGEX(STR(?s), STR(?o))) }",
    "closure of every link": "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x>|!<urn:x>)* ?b }",
    "inverse alternation": "SELECT (COUNT(*) AS ?n) WHERE { ?a (^!<urn:x>|!<urn:x>)+/(!<urn:x>)* ?b }",
    "paths in sequence": "ASK { ?a (!<urn:x>)*/(!<urn:x>)*/(!<urn:x>)*/(!<urn:x>)* <urn:nowhere> }",
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_regex_and_paths_stay_within_the_budget(
    fuzz_server: Server, client: httpx.Client, name: str
) -> None:
    with HealthWatch(fuzz_server.base) as watch:
        start = time.monotonic()
        response = client.post("/sparql", content=PATHOLOGICAL[name], headers={"content-type": QUERY})
        elapsed = time.monotonic() - start
    assert not judge(response.status_code, response.text, what=name)
    assert elapsed < FUZZ_BUDGET + 2, f"answered after {elapsed:.1f} s, over the budget of {FUZZ_BUDGET} s"
    watch.assert_answered()


def test_a_query_sent_byte_by_byte_is_answered(fuzz_server: Server) -> None:
    """A slow client that keeps sending is served: only stalled requests are cut off."""
    body = b"ASK { ?s ?p ?o }"
    head = request_bytes("POST", b"/sparql", {"Content-Type": QUERY, "Accept": "application/sparql-results+json"})
    head = head.replace(b"\r\n\r\n", f"\r\nContent-Length: {len(body)}\r\n\r\n".encode())
    with socket.create_connection(("127.0.0.1", fuzz_server.port), timeout=10) as sock:
        for byte in head + body:
            sock.sendall(bytes([byte]))
            time.sleep(0.02)
        with sock.makefile("rb") as reply:
            answer = reply.read()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"boolean":true' in answer


def test_service_and_load_are_refused(client: httpx.Client, writable_server: Server, listener: Listener) -> None:
    """A query or update naming another server is refused (400), and no connection is made to it."""
    url = f"http://127.0.0.1:{listener.port}"
    for query in (
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
    ):
        response = client.post("/sparql", content=query, headers={"content-type": QUERY})
        assert not judge(response.status_code, response.text, what=query)
        assert response.status_code == 400, response.text
    for update in (f"LOAD <{url}/data.ttl>", f"LOAD SILENT <{url}/data.ttl> INTO GRAPH <urn:g>"):
        response = httpx.post(
            f"{writable_server.base}/sparql", content=update, headers={"content-type": UPDATE, **writable_server.auth}
        )
        assert not judge(response.status_code, response.text, what=update)
        assert response.status_code == 400, response.text
    time.sleep(0.5)
    assert listener.connections == 0


def test_stalled_requests_are_dropped(stalls: Stalls, fuzz_server: Server) -> None:
    """Every stalled connection, opened when the module started, was dropped within ``STALL_LIMIT``;
    meanwhile the other tests of the module were answered, and ``/health`` still is."""
    opened = min(conn.opened for conn in stalls.conns)
    time.sleep(max(0.0, opened + STALL_LIMIT + 3 - time.monotonic()))
    held = stalls.held(STALL_LIMIT + 2)
    TALLY.fuzzed += len(stalls.conns)
    assert httpx.get(f"{fuzz_server.base}/health", timeout=5).status_code == 200
    assert not held, f"held longer than {STALL_LIMIT:g} s: {held} (of {stalls.per_kind} of each kind)"
