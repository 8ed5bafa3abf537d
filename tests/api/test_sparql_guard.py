"""``api.sparql_guard`` on a real server: SERVICE and LOAD call nothing unless allowed, and a deep
query or update is refused before any engine sees it.

The endpoints a query might call are real sockets on loopback ports (``Listener``), which count
the connections they accept: "never called" is measured there. The forms of SERVICE that a naive
text check misses are first shown to reach such a socket when Oxigraph runs them directly.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socket import socket
from typing import Any

import psutil
import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from api import sparql_guard
from api.app import create_app
from api.auth import WritePolicy
from api.sparql import MAX_BODY
from api.sparql_guard import MAX_DEPTH, Busy, Refused, ServiceAllowlist, check, scan
from api.testing import free_port
from cli import app as cli
from tests.conftest import copy_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UPDATE = {"content-type": "application/sparql-update"}
QUERY = {"content-type": "application/sparql-query"}
CNRS = "https://w3id.org/cnrs-kg/id/org/cnrs"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
# What the listener answers: a SELECT result, and (to a LOAD) one triple.
RESULT = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"urn:from-the-service"}}]}}'
TRIPLE = b'<urn:loaded> <http://www.w3.org/2000/01/rdf-schema#label> "loaded" .\n'


class Listener(ThreadingHTTPServer):
    """An HTTP endpoint on a free loopback port that counts the connections it accepts.

    ``redirect``: answer every request with a 302 to that URL; ``silent``: never answer.
    """

    daemon_threads = True

    def __init__(self, redirect: str | None = None, silent: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.redirect, self.silent = redirect, silent
        self.connections = 0
        self.requests: list[tuple[str, str, str]] = []  # method, path, content type
        self.url = f"http://127.0.0.1:{self.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections += 1
        super().process_request(request, client_address)

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.shutdown()
        self.server_close()

    def quiet_since(self, connections: int) -> bool:
        """No new connection since ``connections``, after a short wait for a late one."""
        time.sleep(0.3)
        return self.connections == connections


class _Handler(BaseHTTPRequestHandler):
    server: Listener

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.answer(RESULT, "application/sparql-results+json")

    def do_GET(self) -> None:
        self.answer(TRIPLE, "application/n-triples")

    def answer(self, body: bytes, media_type: str) -> None:
        self.server.requests.append((self.command, self.path, self.headers.get("content-type", "")))
        if self.server.silent:
            time.sleep(30)
            return
        if self.server.redirect:
            self.send_response(302)
            self.send_header("location", self.server.redirect)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("content-type", media_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with Listener() as server:
        yield server


@pytest.fixture(scope="module")
def redirector(listener: Listener) -> Iterator[Listener]:
    with Listener(redirect=listener.url) as server:
        yield server


@pytest.fixture(scope="module")
def pool(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The bundled store behind one query worker process, no endpoint allowed (the default)."""
    store = copy_store(bundled_store_path, tmp_path_factory.mktemp("pool") / "store")
    with TestClient(create_app(store, workers=1)) as client:
        yield client


@pytest.fixture(scope="module")
def federated(
    bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory, listener: Listener, redirector: Listener
) -> Iterator[TestClient]:
    """The same, allowing the listener's /sparql (and the redirector)."""
    store = copy_store(bundled_store_path, tmp_path_factory.mktemp("federated") / "store")
    with TestClient(create_app(store, workers=1, allow_service=[listener.url, redirector.url])) as client:
        yield client


def service(url: str) -> str:
    return f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} LIMIT 1"


def workers() -> set[int]:
    """The process ids of this process's children: the query workers of the apps under test."""
    return {child.pid for child in psutil.Process().children(recursive=True)}


def test_a_service_query_is_refused_and_its_endpoint_never_called(pool: TestClient, listener: Listener) -> None:
    before = listener.connections
    query = service(listener.url)
    for response in (
        pool.get("/sparql", params={"query": query}),
        pool.post("/sparql", data={"query": query}),
        pool.post("/sparql", content=query, headers=QUERY),
    ):
        assert response.status_code == 400
        assert response.text == (
            "SERVICE at line 1, column 18: this server calls no other endpoint; "
            "its operator can allow an endpoint with 'cnrs-kg serve --allow-service URL_PREFIX'\n"
        )
    assert listener.quiet_since(before)


@pytest.mark.parametrize(
    "query",
    [
        f'ASK {{ <{CNRS}> {LABEL} ?name FILTER(?name != "SERVICE <http://127.0.0.1:9/> {{ }}") }}',
        f"ASK {{ <{CNRS}> {LABEL} ?name FILTER(?name != '''LOAD <http://127.0.0.1:9/>''') }}",
        f"# SERVICE <http://127.0.0.1:9/sparql> {{ ?s ?p ?o }}\nASK {{ <{CNRS}> {LABEL} ?name }}",
        f"ASK {{ <{CNRS}> <http://example.org/#SERVICE> ?o }}",
        f"PREFIX myservice: <http://example.org/> ASK {{ <{CNRS}> myservice:service ?service }}",
        f"PREFIX ex: <http://example.org/> ASK {{ VALUES (?a ?b) {{ (<{CNRS}> ex:service) }} }}",
    ],
    ids=["string", "long-string", "comment", "iri", "names", "list"],
)
def test_service_in_a_string_an_iri_or_a_comment_is_no_refusal(pool: TestClient, query: str) -> None:
    response = pool.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text


def nested(kind: str, levels: int) -> str:
    """A query nesting one construct ``levels`` deep."""
    return {
        "groups": "ASK" + "{" * levels + "?s ?p ?o" + "}" * levels,
        "optional": "ASK{" + "OPTIONAL{" * levels + "?s ?p ?o" + "}" * levels + "}",
        "sub-selects": "SELECT*{" * levels + "?s ?p ?o" + "}" * levels,
        "lists": "ASK{?s ?p " + "(" * levels + "1" + ")" * levels + "}",
        "unions": "ASK{" + "{" * levels + "?s ?p ?o" + "}UNION{}" * levels + "}",
        "paths": "ASK{?s " + "(" * levels + "<urn:p>" + ")" * levels + " ?o}",
        "expressions": "ASK{?s ?p ?o FILTER(" + "(" * levels + "?o" + ")" * levels + ")}",
        "negations": "ASK{?s ?p ?o FILTER(" + "!" * levels + "?o)}",
    }[kind]


KINDS = ["groups", "optional", "sub-selects", "lists", "unions", "paths", "expressions", "negations"]
DEEP = [5_000, 99_000]  # 99,000: the deepest nest of OPTIONAL under the 1 MB body cap


@pytest.mark.parametrize("levels", DEEP)
@pytest.mark.parametrize("kind", KINDS)
def test_a_deep_query_is_refused_before_any_worker(pool: TestClient, kind: str, levels: int) -> None:
    query = nested(kind, levels)
    assert len(query) <= MAX_BODY
    alive = workers()
    start = time.monotonic()
    response = pool.post("/sparql", content=query, headers=QUERY)
    assert time.monotonic() - start < 3.0
    assert response.status_code == 400
    found = re.fullmatch(
        r"the query nests (\d+) levels deep \(line 1, column \d+\), over the limit of 64: .*\n", response.text
    )
    assert found, response.text
    assert int(found.group(1)) >= levels
    assert workers() == alive  # no worker died (and none was replaced)
    assert pool.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_the_service_description_advertises_federation_only_when_allowed(
    pool: TestClient, federated: TestClient
) -> None:
    federation = ox.NamedNode("http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery")

    def features(client: TestClient) -> set[ox.NamedNode]:
        described = ox.parse(
            client.get("/sparql", headers={"accept": "text/turtle"}).content, format=ox.RdfFormat.TURTLE
        )
        return {quad.object for quad in described if quad.predicate.value.endswith("#feature")}

    assert federation not in features(pool)
    assert federation in features(federated)


def test_an_allowed_service_is_called(federated: TestClient, listener: Listener) -> None:
    before = len(listener.requests)
    port = listener.server_address[1]
    for query in (
        service(listener.url),
        f"PREFIX remote: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE SILENT remote:sparql {{ ?s ?p ?o }} }}",
        f"BASE <http://127.0.0.1:{port}/x/> SELECT * WHERE {{ SERVICE <../sparql> {{ ?s ?p ?o }} }}",
    ):
        response = federated.get("/sparql", params={"query": query})
        assert response.status_code == 200, response.text
        assert response.json()["results"]["bindings"] == [{"s": {"type": "uri", "value": "urn:from-the-service"}}]
    assert listener.requests[before:] == [("POST", "/sparql", "application/sparql-query")] * 3


def test_other_endpoints_stay_refused(federated: TestClient, listener: Listener) -> None:
    port = listener.server_address[1]
    before = listener.connections
    for endpoint in (
        f"http://127.0.0.1:{port}/other",
        f"http://127.0.0.1:{port}/sparql2",
        f"http://127.0.0.1:{port}/sparql/../admin",
        f"http://127.0.0.1:{port}/sparql/%2e%2e/admin",
        f"https://127.0.0.1:{port}/sparql",
        f"http://127.0.0.1:{free_port()}/sparql",
        f"http://127.0.0.1.nip.io:{port}/sparql",
        f"http://127.0.0.1:{port}@127.0.0.2:{port}/sparql",
    ):
        response = federated.get("/sparql", params={"query": service(endpoint)})
        assert response.status_code == 400, endpoint
        assert response.text.startswith(f"SERVICE <{endpoint}> is not allowed: only {listener.url}")
    variable = f"SELECT * WHERE {{ VALUES ?e {{ <{listener.url}> }} SERVICE ?e {{ ?s ?p ?o }} }}"
    response = federated.get("/sparql", params={"query": variable})
    assert response.status_code == 400
    assert response.text == "SERVICE with a variable endpoint is refused: name the endpoint's IRI\n"
    assert listener.quiet_since(before)


def test_a_redirect_is_not_followed(federated: TestClient, listener: Listener, redirector: Listener) -> None:
    """Oxigraph follows no redirect: the 302 ends the query, its Location is never called."""
    before, calls = listener.connections, redirector.connections
    response = federated.get("/sparql", params={"query": service(redirector.url)})
    assert response.status_code == 400
    assert "too many redirects" in response.text
    assert redirector.connections == calls + 1
    assert listener.quiet_since(before)


def test_an_allowed_service_is_under_the_query_budget(bundled_copy: Path) -> None:
    """A service that never answers: the worker is stopped at the end of the budget, as any query."""
    with (
        Listener(silent=True) as silent,
        TestClient(create_app(bundled_copy, workers=1, budget=1.5, allow_service=[silent.url])) as client,
    ):
        start = time.monotonic()
        response = client.get("/sparql", params={"query": service(silent.url)})
        assert response.status_code == 503
        assert time.monotonic() - start < 3.0
        assert silent.connections == 1


def writable(*allowed: str) -> TestClient:
    return TestClient(create_app(None, write_policy=WritePolicy(writable=True), allow_service=allowed))


def test_load_and_service_in_updates_are_refused_unless_allowed(listener: Listener) -> None:
    before = listener.connections
    graph = "<urn:graph:loaded>"
    load = f"LOAD <{listener.url}/data> INTO GRAPH {graph}"
    with writable() as client:
        response = client.post("/sparql", content=load, headers=UPDATE)
        assert response.status_code == 400
        assert response.text.startswith("LOAD at line 1, column 1: this server calls no other endpoint;")
        update = f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        refused = client.post("/sparql", data={"update": update})
        assert refused.status_code == 400
        assert refused.text.startswith("SERVICE at line 1")
    assert listener.quiet_since(before)
    with writable(listener.url) as client:
        other = client.post("/sparql", content=f"LOAD <{listener.url}2/data>", headers=UPDATE)
        assert other.status_code == 400
        assert listener.quiet_since(before)
        assert client.post("/sparql", content=load, headers=UPDATE).status_code == 204
        count = client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH {graph} {{ ?s ?p ?o }} }}"})
        assert count.json()["results"]["bindings"][0]["n"]["value"] == "1"
    assert listener.requests[-1] == ("GET", "/sparql/data", "")


@pytest.mark.parametrize("levels", DEEP)
def test_a_deep_update_is_refused_before_the_store_sees_it(levels: int) -> None:
    """Updates run in the server process: a deep one would bring the whole server down."""
    with writable() as client:
        for update in (
            "INSERT { <urn:a> <urn:b> <urn:c> } WHERE " + "{" * levels + "}" * levels,
            "INSERT DATA { <urn:a> <urn:b> " + "(" * levels + "1" + ")" * levels + " }",
        ):
            response = client.post("/sparql", content=update, headers=UPDATE)
            assert response.status_code == 400
            assert re.fullmatch(r"the update nests \d+ levels deep \(.*\), over the limit of 64: .*\n", response.text)
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is False


# Forms of SERVICE that a search for the word would miss, or that a lexer unaware of Oxigraph's
# grammar would read as an IRI, a comment or a string; each one reaches the endpoint in Oxigraph.
EVASIONS = [
    "SELECT * WHERE { SERVICESILENT<{url}> { ?s ?p ?o } }",
    "PREFIX e: <{base}> SELECT * WHERE { SERVICEe:sparql { ?s ?p ?o } }",
    "PREFIX : <{base}> SELECT * WHERE { BIND(0 AS ?x) FILTER(?x <1)SERVICE:sparql#a#>\n{ ?s ?p ?o } }",
    "PREFIX : <{base}> SELECT * WHERE { BIND(0 AS ?x) FILTER(?x <2)SERVICE:sparql#>\n{ ?s ?p ?o } }",
    "SELECT * WHERE { BIND(0 AS ?x) FILTER(?x <1)SERVICE<{url}>{?s ?p ?o} }",
    "SELECT * WHERE { {}SERVICE<{url}>{ ?s ?p ?o } }",
    "PREFIX : <{base}> SELECT * WHERE { ?s ?p true.SERVICE:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o.SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?y { '''x' } SERVICE <{url}> { ?s ?p ?o } }",
    "PREFIX e: <urn:e:> SELECT * WHERE { BIND(e:a\\'b AS ?y) SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o # comment\rSERVICE <{url}> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("evasion", EVASIONS)
def test_an_evasion_that_reaches_the_network_in_oxigraph_is_refused(listener: Listener, evasion: str) -> None:
    base = listener.url.removesuffix("sparql")
    query = evasion.replace("{url}", listener.url).replace("{base}", base)
    before = listener.connections
    engine = ox.Store()
    for value in (ox.NamedNode("urn:o"), ox.Literal(True)):
        engine.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), value))
    list(engine.query(query))  # type: ignore[arg-type]  # a SELECT: solutions, not a boolean
    assert listener.connections > before  # a real call, without the guard
    with pytest.raises(Refused):
        check(query, update=False, allowed=ServiceAllowlist())
    with pytest.raises(Refused):  # allowing the endpoint does not make an unreadable call checkable
        check(query, update=False, allowed=ServiceAllowlist.of(["http://127.0.0.1:9/"]))


def test_no_spelling_of_service_that_oxigraph_runs_gets_through(listener: Listener) -> None:
    """Every way of writing a SERVICE after a triple, run by Oxigraph: whenever it reaches the
    endpoint, the guard refuses it (it refuses some that do not, too)."""
    base = listener.url.removesuffix("sparql")
    head = f"PREFIX e: <{base}> PREFIX : <{base}> PREFIX ex: <urn:ex:> SELECT * WHERE {{ <urn:s> <urn:p> "
    engine = ox.Store()
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    for node in (ox.Literal(1), ox.Literal("1.0", datatype=decimal), ox.Literal(True), ox.Literal("x", language="en")):
        engine.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), node))
    for node in (ox.NamedNode("urn:ex:o"), ox.BlankNode()):  # type: ignore[assignment]
        engine.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), node))
    reached = 0
    for term, separator, keyword, silent, target in itertools.product(
        ("?o", "1", "1.0", "true", '"x"@en', "ex:o", "_:b"),
        ("", ".", " ", "#c\n", "#c\r"),
        ("SERVICE", "sErViCe"),
        ("", " SILENT", "SILENT"),
        (f"<{listener.url}>", ":sparql", "e:sparql"),
    ):
        query = f"{head}{term}{separator}{keyword}{silent}{target}{{ ?a ?b ?c }} }}"
        before = listener.connections
        with contextlib.suppress(SyntaxError, OSError):
            list(engine.query(query))  # type: ignore[arg-type]
        if listener.connections > before:
            reached += 1
            assert refusal(query, update=False, allowed=ServiceAllowlist()) is not None, query
    assert reached > 300


def test_what_may_hide_a_keyword_is_refused_with_how_to_write_it(pool: TestClient) -> None:
    prefix = pool.get("/sparql", params={"query": f"PREFIX service: <urn:x:> ASK {{ <{CNRS}> service:p ?o }}"})
    assert prefix.status_code == 400
    assert prefix.text == (
        "'service:' at line 1, column 8 may be read as SERVICE joined to other words: "
        "write SERVICE apart, and name no prefix starting with service\n"
    )
    iri = pool.get("/sparql", params={"query": f"ASK {{ VALUES (?a ?b) {{ (<{CNRS}> <urn:x#y>) }} }}"})
    assert iri.status_code == 400
    assert iri.text == (
        "the '<' at line 1, column 64, after a term inside parentheses, may be less than or start an IRI: "
        "write '< ' with a space for less than, or a prefixed name for the IRI\n"
    )


def test_the_lexer_skips_strings_iris_and_comments() -> None:
    text = "ASK { ?s ?p '''(((\\'x''' ; ?q \"{{[\" ; <urn:x((#> # ((((\n FILTER((?s)) }"
    found = scan(text)
    assert (found.depth, found.keywords, found.suspects, found.doubts, found.complete) == (3, [], [], [], True)
    # Unterminated, the rest is left to the real parser, which refuses it (400).
    assert not scan('ASK { ?s ?p "((((').complete
    assert scan("ASK { ?s ?p <urn:x ((((( }").depth == 6


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_nesting_is_measured(kind: str) -> None:
    shallow, deep = scan(nested(kind, 10)).depth, scan(nested(kind, 1000)).depth
    assert 10 <= shallow <= 12
    assert deep - shallow == 990


def test_every_example_query_passes() -> None:
    """The example queries nest 7 levels at most; the W3C SPARQL 1.1 suites 5; the limit is 64."""
    for path in sorted(EXAMPLES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        check(text, update=False, allowed=ServiceAllowlist())
        assert scan(text).depth <= MAX_DEPTH // 6, path.name


@pytest.mark.parametrize(
    "text",
    [
        "(" * 1_000_000,
        "()" * 500_000,
        "<a" * 500_000,
        "<" + "a" * 999_999,
        "'''" + "a" * 999_997,
        '"' + '\\"' * 499_999,
        "!" * 1_000_000,
        "<<" * 500_000,
        "#\n" * 500_000,
        "'a' " * 250_000,
        "(?a <b#c> " * 100_000,
        "SERVICE" * 140_000,
        "\ufffd" * 1_000_000,
    ],
    ids=lambda text: repr(text[:6]),
)
def test_the_lexer_is_linear_on_a_megabyte_of_anything(text: str) -> None:
    start = time.monotonic()
    refused = refusal(text, update=True, allowed=ServiceAllowlist.of(["http://127.0.0.1:9/"]))
    assert time.monotonic() - start < 3.0
    assert refused is None or "\n" not in refused


def refusal(text: str, *, update: bool, allowed: ServiceAllowlist) -> str | None:
    """Why ``check`` refuses the text; None if it does not."""
    try:
        check(text, update=update, allowed=allowed)
    except Refused as refused:
        return str(refused)
    return None


def test_a_body_that_is_not_utf8_is_a_400(pool: TestClient) -> None:
    response = pool.post("/sparql", content=b"ASK { ?s ?p \xff\xfe(( }", headers=QUERY)
    assert response.status_code == 400


def test_an_allowlist_entry_must_be_a_url_prefix(bundled_store_path: Path) -> None:
    for entry in ("ftp://a.example/", "a.example", "http://user@a.example/", "http://a.example/?q", "http:///x"):
        with pytest.raises(ValueError, match="is not an http"):
            ServiceAllowlist.of([entry])
    result = CliRunner().invoke(
        cli, ["serve", "--allow-service", "ftp://a.example/", "--store", str(bundled_store_path)]
    )
    assert result.exit_code == 1
    assert "--allow-service: 'ftp://a.example/' is not an http(s) URL prefix" in result.output


def test_an_origin_allows_all_its_paths_and_nothing_else() -> None:
    allowed = ServiceAllowlist.of(["http://a.example"])
    assert allowed.allows("http://a.example/sparql")
    assert allowed.allows("http://A.EXAMPLE:80/x/y?z")
    assert not allowed.allows("http://a.example.evil.com/sparql")
    assert not allowed.allows("http://a.example:81/sparql")
    assert not allowed.allows("http://evil.com@a.example.evil.com/")
    assert not ServiceAllowlist().allows("http://a.example/")


def test_a_service_rdflib_cannot_read_is_refused_even_when_allowed() -> None:
    allowed = ServiceAllowlist.of(["http://a.example/"])
    check("SELECT * WHERE { SERVICE <http://a.example/s> { ?s ?p ?o } }", update=False, allowed=allowed)
    for text, reason in (
        ("SELECT * WHERE { SERVICE e:s { ?s ?p ?o } }", "undeclared prefix e:"),
        ("SELECT * WHERE { SERVICE <http://a.example/s> { <<( ?s ?p ?o )>> ?p ?o } }", "could not be checked"),
    ):
        with pytest.raises(Refused, match=re.escape(reason)):
            check(text, update=False, allowed=allowed, base_iri="http://testserver/sparql")


def test_a_check_waits_for_the_parser_a_bounded_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sparql_guard, "MAX_WAIT", 0.1)
    allowed = ServiceAllowlist.of(["http://a.example/"])
    with sparql_guard._RDFLIB, pytest.raises(Busy, match="busy") as busy:  # another request parses
        check("SELECT * WHERE { SERVICE <http://a.example/s> { } }", update=False, allowed=allowed)
    assert busy.value.status == 503


def test_a_relative_service_is_resolved_against_the_endpoint() -> None:
    allowed = ServiceAllowlist.of(["http://a.example/"])
    with pytest.raises(Refused, match=re.escape("SERVICE <http://testserver/other> is not allowed")):
        check("SELECT * { SERVICE <other> {} }", update=False, allowed=allowed, base_iri="http://testserver/sparql")


def test_a_listening_socket_is_what_the_tests_count() -> None:
    with Listener() as server, socket() as client:
        client.connect(server.server_address)
        time.sleep(0.2)
        assert server.connections == 1
