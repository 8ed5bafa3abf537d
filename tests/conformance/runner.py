"""Run the W3C SPARQL 1.1 Protocol and Graph Store Protocol manifests against a live server.

    python -m tests.conformance.runner --suite protocol [--suite graph-store] [--base-url URL]

Each manifest entry (``mf:ProtocolTest``, ``mf:GraphStoreProtocolTest``) is a list of
``ht:Request`` exchanges, each with the ``ht:Response`` it expects: ``mf:expectedStatus`` (a code
such as ``hts:Created`` or a class such as ``hts:StatusCode2xx``), ``mf:expectedFormat``
(boolean, tabular, RDF), ``mf:expectedBoolean``, ``mf:expectedLocation`` (a template variable
bound to the ``Location`` header for the next requests), and response ``ht:headers`` and
``ht:body`` (RDF compared by isomorphism). The manifests' ``/sparql/`` and ``/gsp`` paths are
mapped onto ``--sparql-path`` and ``--store-path``.

Before every test the runner empties the store (``DROP ALL``) and loads the test's
``ut:graphData`` with SPARQL updates, as the tests themselves do: point ``--base-url`` only at a
disposable writable server. Without ``--base-url`` it starts ``cnrs-kg serve --writable`` on a free
loopback port over a temporary store, and stops it at the end. If ``CNRS_KG_TOKEN`` is set, every
request carries it as a bearer token.

Output: one ``PASS name`` or ``FAIL name: reason`` line per test, then ``<suite>: N passed, M
failed`` per suite; exit status 0 when every test passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import url2pathname

import httpx
import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import ClosedNamespace
from rdflib.term import Node

from api.testing import background_server, cnrs_kg_command, free_port

W3C = Path(__file__).parent / "w3c"
TOKEN_ENV = "CNRS_KG_TOKEN"

MF = ClosedNamespace(
    URIRef("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"),
    [
        "Manifest",
        "entries",
        "include",
        "name",
        "action",
        "requires",
        "expectedStatus",
        "expectedBoolean",
        "expectedFormat",
        "expectedLocation",
    ],
)
HT = ClosedNamespace(
    URIRef("http://www.w3.org/2011/http#"),
    ["requests", "methodName", "absolutePath", "headers", "fieldName", "fieldValue", "body", "resp"],
)
CNT = ClosedNamespace(URIRef("http://www.w3.org/2011/content#"), ["chars", "characterEncoding"])
UT = ClosedNamespace(URIRef("http://www.w3.org/2009/sparql/tests/test-update#"), ["graphData", "graph"])
HTS = "http://www.w3.org/2011/http-statusCodes#"
SRX = "{http://www.w3.org/2005/sparql-results#}"

# The status codes the manifests name (hts: local names), and status classes like StatusCode2xx.
STATUS_CODES = {"OK": 200, "Created": 201, "Accepted": 202, "NoContent": 204, "BadRequest": 400, "NotFound": 404}
STATUS_CLASS = re.compile(r"StatusCode([1-5])xx")

BOOLEAN_TYPES = ("application/sparql-results+xml", "application/sparql-results+json")
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "text/n3": "n3",
}
EXPECTED_TYPES = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": tuple(RDF_PARSERS)}


@dataclass(frozen=True)
class Suite:
    name: str
    manifest: Path
    prefix: str  # the path prefix the manifest uses for the endpoint under test


SUITES = {
    "protocol": Suite("protocol", W3C / "protocol" / "manifest.ttl", "/sparql/"),
    "graph-store": Suite("graph-store", W3C / "graph-store-protocol" / "manifest.ttl", "/gsp"),
}


@dataclass(frozen=True)
class Expected:
    statuses: tuple[str, ...]  # hts: local names
    boolean: bool | None = None
    format: str | None = None
    location: str | None = None  # template variable bound to the Location header
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    encoding: str
    expected: Expected


@dataclass(frozen=True)
class GraphData:
    file: Path
    graph: str


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    exchanges: tuple[Exchange, ...]
    graph_data: tuple[GraphData, ...] = ()
    requires: tuple[str, ...] = ()


@dataclass
class Target:
    """Where the tests go: the server's base URL and the paths of its two endpoints."""

    base_url: str
    sparql_path: str = "/sparql"
    store_path: str = "/store"
    auth: dict[str, str] = field(default_factory=dict)


class SetupError(Exception):
    """Emptying the store or loading a test's data failed."""


def _local(node: Node) -> str:
    return str(node).rsplit("#", 1)[-1]


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    value = graph.value(subject, predicate)
    return None if value is None else str(value)


def _items(graph: Graph, subject: Node, predicate: URIRef) -> list[Node]:
    head = graph.value(subject, predicate)
    return [] if head is None else list(graph.items(head))


def _headers(graph: Graph, subject: Node) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in _items(graph, subject, HT.headers)
    )


def _expected(graph: Graph, response: Node) -> Expected:
    boolean = graph.value(response, MF.expectedBoolean)
    body = graph.value(response, HT.body)
    return Expected(
        statuses=tuple(sorted(_local(s) for s in graph.objects(response, MF.expectedStatus))),
        boolean=bool(boolean.toPython()) if isinstance(boolean, Literal) else None,
        format=_text(graph, response, MF.expectedFormat),
        location=_text(graph, response, MF.expectedLocation),
        headers=_headers(graph, response),
        body=None if body is None else _text(graph, body, CNT.chars),
    )


def _exchange(graph: Graph, request: Node) -> Exchange:
    body = graph.value(request, HT.body)
    response = graph.value(request, HT.resp)
    return Exchange(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=_headers(graph, request),
        body=None if body is None else _text(graph, body, CNT.chars),
        encoding=(body is not None and _text(graph, body, CNT.characterEncoding)) or "UTF-8",
        expected=_expected(graph, response) if response is not None else Expected(statuses=()),
    )


def _file(iri: Node) -> Path:
    return Path(url2pathname(urlparse(str(iri)).path))


def _graph_data(graph: Graph, node: Node) -> GraphData:
    file, label = graph.value(node, UT.graph), graph.value(node, RDFS.label)
    if file is None or label is None:
        raise ValueError(f"ut:graphData {node} needs ut:graph and rdfs:label")
    return GraphData(_file(file), str(label))


def load_manifest(path: Path) -> list[Case]:
    """The test cases of a manifest, in its order, followed by those of the manifests it includes."""
    graph = Graph()
    graph.parse(path, format="turtle", publicID=path.resolve().as_uri())
    cases: list[Case] = []
    for manifest in graph.subjects(RDF.type, MF.Manifest):
        for test in _items(graph, manifest, MF.entries):
            action = graph.value(test, MF.action)
            if action is None:
                raise ValueError(f"{path}: test {test} has no mf:action")
            data = [_graph_data(graph, d) for d in graph.objects(test, UT.graphData)]
            cases.append(
                Case(
                    name=_local(test),
                    title=str(graph.value(test, MF.name)),
                    exchanges=tuple(_exchange(graph, r) for r in _items(graph, action, HT.requests)),
                    graph_data=tuple(sorted(data, key=lambda d: d.graph)),
                    requires=tuple(sorted(_local(r) for r in graph.objects(test, MF.requires))),
                )
            )
        for included in _items(graph, manifest, MF.include):
            cases += load_manifest(_file(included))
    return cases


def status_matches(code: int, expected: str) -> bool:
    """Whether ``code`` is the status an ``hts:`` term names.

    >>> status_matches(204, "StatusCode2xx"), status_matches(201, "Created"), status_matches(200, "NoContent")
    (True, True, False)
    """
    found = STATUS_CLASS.fullmatch(expected)
    if found:
        return code // 100 == int(found.group(1))
    return STATUS_CODES.get(expected) == code


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """The media type of a Content-Type value, lowercased, and its parameters.

    >>> media_type("Text/Turtle; charset=UTF-8")
    ('text/turtle', {'charset': 'utf-8'})
    """
    kind, *params = content_type.split(";")
    pairs = (p.split("=", 1) for p in params if "=" in p)
    return kind.strip().lower(), {k.strip().lower(): v.strip().strip('"').lower() for k, v in pairs}


def _boolean(content_type: str, body: bytes) -> bool:
    if content_type == "application/sparql-results+json":
        value = json.loads(body)["boolean"]
        if not isinstance(value, bool):
            raise ValueError(f"'boolean' is {value!r}")
        return value
    element = ET.fromstring(body).find(f"{SRX}boolean")
    if element is None or element.text not in ("true", "false"):
        raise ValueError("no <boolean>true|false</boolean>")
    return element.text == "true"


def _rdf(content_type: str, body: str, base: str) -> Graph:
    parser = RDF_PARSERS.get(content_type)
    if parser is None:
        raise ValueError(f"no RDF parser for {content_type!r}")
    return Graph().parse(data=body, format=parser, publicID=base)


def check(response: httpx.Response, expected: Expected) -> str | None:
    """Why ``response`` does not meet ``expected`` (None if it does)."""
    if expected.statuses and not any(status_matches(response.status_code, s) for s in expected.statuses):
        text = response.text.strip().splitlines()[0][:120] if response.text.strip() else ""
        return f"expected {' or '.join(expected.statuses)}, got {response.status_code}" + (f" ({text})" if text else "")
    content_type, params = media_type(response.headers.get("content-type", ""))
    for name, value in expected.headers:
        actual = response.headers.get(name)
        if actual is None:
            return f"no {name} header (expected {value!r})"
        if name.lower() == "content-type":
            want_type, want_params = media_type(value)
            if content_type != want_type or want_params.get("charset", "") not in ("", params.get("charset", "")):
                return f"content-type {actual!r}, expected {value!r}"
        elif actual.strip() != value.strip():
            return f"{name} {actual!r}, expected {value!r}"
    if expected.format is not None:
        allowed = EXPECTED_TYPES.get(expected.format, ())
        if content_type not in allowed:
            return f"content-type {content_type!r} is not a {expected.format} result ({', '.join(allowed)})"
        try:
            if expected.format == "RDF":
                _rdf(content_type, response.text, str(response.url))
            elif content_type in BOOLEAN_TYPES and (expected.format == "boolean" or expected.boolean is not None):
                answer = _boolean(content_type, response.content)
                if expected.boolean is not None and answer != expected.boolean:
                    return f"ASK answered {str(answer).lower()}, expected {str(expected.boolean).lower()}"
        except Exception as exc:
            return f"unreadable {content_type} body: {exc}"
    if expected.body is not None:
        try:
            wanted = _rdf(media_type(dict(expected.headers).get("content-type", content_type))[0], expected.body, "")
            got = _rdf(content_type, response.text, str(response.url))
        except Exception as exc:
            return f"cannot compare bodies: {exc}"
        if not isomorphic(wanted, got):
            return f"body is not the expected graph ({len(got)} triples, expected {len(wanted)})"
    return None


def _endpoint_path(path: str, suite: Suite, target: Target) -> str:
    endpoint = target.sparql_path if suite.name == "protocol" else target.store_path
    if not path.startswith(suite.prefix):
        raise ValueError(f"path {path!r} does not start with {suite.prefix!r}")
    rest = path[len(suite.prefix) :]
    return endpoint + rest if not rest or rest[0] in "?/" else endpoint + "/" + rest


def _update(client: httpx.Client, target: Target, text: str) -> None:
    headers = {"content-type": "application/sparql-update", **target.auth}
    response = client.post(target.sparql_path, content=text.encode(), headers=headers)
    if not response.is_success:
        raise SetupError(f"setup update refused ({response.status_code}: {response.text.strip()[:120]})")


def prepare(client: httpx.Client, target: Target, case: Case) -> None:
    """Empty the store, then load the case's graphs (each file into the graph its label names)."""
    _update(client, target, "DROP ALL")
    for data in case.graph_data:
        triples = ox.parse(path=data.file, format=ox.RdfFormat.from_extension(data.file.suffix.lstrip(".")))
        body = " .\n".join(str(t) for t in triples)
        _update(client, target, f"INSERT DATA {{ GRAPH <{data.graph}> {{\n{body} .\n}} }}")


def run_case(client: httpx.Client, target: Target, suite: Suite, case: Case) -> str | None:
    """Why ``case`` failed (None if it passed)."""
    try:
        prepare(client, target, case)
    except (SetupError, httpx.HTTPError, OSError, SyntaxError, ValueError) as exc:
        return f"setup: {exc}"
    variables: dict[str, str] = {}
    for number, exchange in enumerate(case.exchanges, 1):
        path, body = exchange.path, exchange.body
        for variable, value in variables.items():
            path, body = path.replace(variable, value), body and body.replace(variable, value)
        try:
            path = _endpoint_path(path, suite, target)
        except ValueError as exc:
            return f"request {number}: {exc}"
        where = f"request {number}/{len(case.exchanges)} {exchange.method} {path}"
        try:
            response = client.request(
                exchange.method,
                path,
                content=None if body is None else body.encode(exchange.encoding),
                headers=[*exchange.headers, *target.auth.items()],
            )
        except httpx.HTTPError as exc:
            return f"{where}: {type(exc).__name__}: {exc}"
        problem = check(response, exchange.expected)
        if problem is not None:
            return f"{where}: {problem}"
        if exchange.expected.location is not None:
            location = response.headers.get("location")
            if location is None:
                return f"{where}: no Location header"
            variables[exchange.expected.location] = urljoin(str(response.url), location)
    return None


def run_suite(client: httpx.Client, target: Target, suite: Suite) -> tuple[int, int]:
    """Run every case of ``suite``, printing one line each and the summary; (passed, failed)."""
    passed = failed = 0
    for case in load_manifest(suite.manifest):
        problem = run_case(client, target, suite, case)
        if problem is None:
            passed += 1
            print(f"PASS {case.name}", flush=True)
        else:
            failed += 1
            needs = f" [requires {', '.join(case.requires)}]" if case.requires else ""
            print(f"FAIL {case.name}: {problem}{needs}", flush=True)
    print(f"{suite.name}: {passed} passed, {failed} failed", flush=True)
    return passed, failed


@contextmanager
def served(timeout: float = 60.0) -> Iterator[str]:
    """A ``cnrs-kg serve --writable`` on a free loopback port over an empty temporary store."""
    with tempfile.TemporaryDirectory(prefix="cnrs-kg-conformance-") as tmp:
        port = free_port()
        store = Path(tmp) / "store"
        store.mkdir()
        command = cnrs_kg_command(
            "serve", "--writable", "--host", "127.0.0.1", "--port", str(port), "--store", str(store)
        )
        base_url = f"http://127.0.0.1:{port}"
        with background_server(command, f"{base_url}/health", log=Path(tmp) / "server.log", timeout=timeout):
            yield base_url


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conformance.runner", description=__doc__.split("\n")[0])
    parser.add_argument("--suite", action="append", choices=sorted(SUITES), required=True, help="repeatable")
    parser.add_argument("--base-url", help="a disposable writable server (default: start one on a temporary store)")
    parser.add_argument("--sparql-path", default="/sparql", help="path of the SPARQL endpoint (default: /sparql)")
    parser.add_argument("--store-path", default="/store", help="path of the Graph Store endpoint (default: /store)")
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_ENV)
    auth = {"authorization": f"Bearer {token}"} if token else {}

    def run(base_url: str) -> int:
        target = Target(base_url.rstrip("/"), args.sparql_path, args.store_path, auth)
        failed = 0
        with httpx.Client(base_url=target.base_url, timeout=30, follow_redirects=True) as client:
            for name in dict.fromkeys(args.suite):
                failed += run_suite(client, target, SUITES[name])[1]
        return 1 if failed else 0

    if args.base_url:
        return run(args.base_url)
    try:
        with served() as base_url:
            return run(base_url)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
