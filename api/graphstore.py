"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol, reading and writing whole graphs.

A request names one graph:

- ``/store?graph=IRI`` (indirect identification; the IRI is percent-decoded once, like any query
  parameter, so ``%2531`` names an IRI holding ``%31``);
- ``/store/{path}`` (direct identification): the graph whose IRI is the request URL as sent,
  ``<scheme>://<host>/store/{path}``, percent-encoding kept;
- ``/store?default``: Oxigraph's real default graph. SPARQL queries on this server run over the
  union of the named graphs, but the Graph Store's default graph is the store's own, so a ``PUT``
  there replaces only what was put there, never the sources' named graphs.

Methods:

- ``GET`` / ``HEAD``: the graph, in the format ``Accept`` asks for (Turtle by default); 404 when a
  named graph does not exist (an empty graph that exists is 200 with an empty body). A named graph
  is read by the query workers (``api.workers``) as the SPARQL endpoint's queries are: 422 over
  the row cap, 503 over the time budget, each one line;
- ``PUT``: replace the graph with the body, parsed by its ``Content-Type``; 201 if the graph was
  new, else 204;
- ``POST`` to a graph: add the body's triples (a ``multipart/form-data`` body is several RDF files,
  each in its own format, all merged); 201 if the graph was new, else 204;
- ``POST /store`` without a graph: create a graph with a fresh IRI under ``/store/``; 201 with
  that IRI in ``Location``;
- ``POST /store`` of a dataset (TriG, N-Quads: ``DATASET_TYPES``): add each of its graphs under its
  own name, its default graph's triples to the default graph, in one update; 204. The protocol
  defines POST to the Graph Store (5.5: the statements of the payload go in as a new graph); a
  dataset names its graphs itself, and is taken as Oxigraph's server takes it at its ``/store``;
- ``DELETE``: drop the graph (empty the default graph); 204, or 404 when it does not exist.

The protocol defines no PUT of the Graph Store itself: ``PUT /store`` is 405 (``Allow: POST``),
which the protocol answers a method it does not support on a resource; a PUT replaces one graph.

Writes are refused as ``api.auth`` says (403 read-only, 401/403 token) before the body is read. A
body is parsed in full before anything is written, so a body that does not parse leaves the graph
as it was, and a ``PUT`` swaps the content in one SPARQL update, which Oxigraph runs as one
transaction. A committed write answers with its ``X-Store-Generation``; with an ``Idempotency-Key``
it is done once, and a repeat answers the first outcome (``api.writes``).

Refusals are raised as typed errors and answered by ``api.errors``.
Status codes: 400 for a bad graph IRI, for ``graph`` and ``default`` together or neither, for a
body that does not parse (with the parser's message), for a dataset sent to one graph (naming the
graph it names) and for a dataset naming a graph by a blank node; 403 for the store's own graphs
(journal, bookkeeping); 404; 405 for ``PUT /store``; 406 when no format fits ``Accept``; 413 for a
body over ``MAX_BODY``; 415 for a content type that is not RDF; 422 for an ``Idempotency-Key``
used for another request.
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from itertools import islice
from typing import ClassVar
from uuid import uuid4

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import refuse_write
from api.errors import (
    BadRequest,
    Forbidden,
    HTTPError,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
)
from api.negotiation import GRAPH_TYPES, Format, negotiated
from api.sparql import MAX_BODY
from api.workers import Job, QueryRunner
from api.writes import Outcome, committed, fingerprint, idempotency_key, write_once
from graph import Backend, OxigraphStore, ResultTooLarge
from graph.meta import is_reserved

__all__ = ["DATASET_TYPES", "MAX_BODY", "MethodNotAllowed", "routes"]

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
RDF_TYPES = ", ".join(f.media_type for f in GRAPH_TYPES)
DATASET_TYPES = (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
GRAPH_CONTENT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"
_OVER_CAP = "more than {cap} triples, the cap of this server; read it in pages from /sparql (CONSTRUCT, LIMIT, OFFSET)"
_NAME_ONE = "name a graph: '/store?graph=IRI', '/store?default' or '/store/{path}'"
_ONE_GRAPH = (
    "{part} is a dataset naming the graph {graph}, and a request to one graph takes that graph's triples only: "
    "POST the dataset to /store to write each graph under its own name, or send the graph's triples alone"
)
_NO_PUT = (
    "the Graph Store protocol defines no PUT of the whole store: PUT one graph ('/store?graph=IRI', "
    "'/store?default' or '/store/{path}'), or POST a dataset (TriG, N-Quads) to /store to add its graphs"
)


class MethodNotAllowed(HTTPError):
    """A method the Graph Store protocol does not define on this resource (405, with ``Allow``)."""

    status = 405
    headers: ClassVar[Mapping[str, str]] = {"Allow": "POST"}


@dataclass(frozen=True)
class Target:
    """The graph a request names: an IRI, or None for the default graph."""

    iri: str | None

    def term(self) -> ox.NamedNode | ox.DefaultGraph:
        return ox.DefaultGraph() if self.iri is None else ox.NamedNode(self.iri)


@dataclass(frozen=True)
class Part:
    """One RDF document of a request body: the whole body, or one file of a multipart body."""

    name: str
    media_type: str
    data: bytes


def routes() -> list[Route]:
    return [
        Route("/store", graph_store, methods=METHODS, name="graph_store"),
        Route("/store/{path:path}", graph_store, methods=METHODS, name="graph_store_graph"),
    ]


def _request_iri(request: Request) -> str:
    """The request URL without its query, with the path as the client sent it."""
    raw = request.scope.get("raw_path")
    url = request.url
    path = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else url.path
    return f"{url.scheme}://{url.netloc}{path}"


def _target(request: Request) -> Target | None:
    """The graph the request names; None for the graph store itself (``/store`` without parameter)."""
    graphs = request.query_params.getlist("graph")
    default = "default" in request.query_params
    direct = "path" in request.path_params
    if len(graphs) + default + direct > 1:
        raise BadRequest("name one graph: '?graph=IRI', '?default' or a path under /store/, not several")
    if default:
        return Target(None)
    iri = _request_iri(request) if direct else graphs[0] if graphs else None
    if iri is None:
        return None
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise BadRequest(f"graph: {iri!r} is not an absolute IRI") from None
    if is_reserved(iri):
        raise Forbidden(f"{iri} is one of the store's own graphs (journal, bookkeeping), kept by the server itself")
    return Target(iri)


async def _body(request: Request) -> bytes:
    """The request body, refused (``PayloadTooLarge``) as soon as it passes ``MAX_BODY``."""
    too_big = PayloadTooLarge(f"request body over {MAX_BODY} bytes: load large files with 'cnrs-kg load'")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _parts(content_type: str, body: bytes) -> list[Part]:
    """The RDF documents of a body: one, or one per file of a ``multipart/form-data`` body."""
    media_type = content_type.split(";")[0].strip().lower()
    if not media_type:
        raise UnsupportedMediaType(f"no Content-Type: send the graph as one of {RDF_TYPES}")
    if media_type != "multipart/form-data":
        return [Part("the body", media_type, body)]
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", errors="replace")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart() or message.defects:
        raise BadRequest("the multipart/form-data body is malformed (is its boundary right?)")
    parts = []
    for index, part in enumerate(message.iter_parts(), start=1):
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            raise BadRequest(f"part {index} of the multipart body is not a file")
        name = part.get_filename() or f"part {index}"
        parts.append(Part(name, part.get_content_type() if "content-type" in part else "", payload))
    return parts


def _format(part: Part) -> ox.RdfFormat | None:
    """The part's RDF format, by media type, or by file extension when it has no useful type."""
    fmt = ox.RdfFormat.from_media_type(part.media_type) if part.media_type else None
    if fmt is None and part.media_type in ("", "application/octet-stream") and "." in part.name:
        fmt = ox.RdfFormat.from_extension(part.name.rsplit(".", 1)[1])
    return fmt


_ENTITY = re.compile(rb"""<!ENTITY\s+(%\s+)?([^\s"'>]+)\s+(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC)\b)""")
MAX_EXPANSION = 10 * MAX_BODY


def _unbounded_entities(data: bytes) -> str | None:
    """Why an RDF/XML document's entities are refused, if they are: XML's entities are macros, and
    an entity built of entities ("billion laughs") expands a kilobyte into gigabytes in the parser.
    Flat internal entities (namespace abbreviations, the common use) are accepted within
    ``MAX_EXPANSION`` bytes of expanded text; nested, parameter and external entities are not.

    >>> _unbounded_entities(b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r>&b;</r>')
    "entity 'b' refers to other entities"
    >>> _unbounded_entities(b'<!DOCTYPE r [<!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#">]><r/>') is None
    True
    """
    values: dict[bytes, int] = {}
    for match in _ENTITY.finditer(data):
        parameter, name, double, single, external = match.groups()
        if parameter or external:
            return f"entity {name.decode(errors='replace')!r} is a {'parameter' if parameter else 'external'} entity"
        value = double if double is not None else single
        if b"&" in value or b"%" in value:
            return f"entity {name.decode(errors='replace')!r} refers to other entities"
        values[name] = len(value)
    if not values:
        return None
    expanded = sum(values.get(ref, 0) for ref in re.findall(rb"&([^\s&;]+);", data))
    if expanded > MAX_EXPANSION:
        return f"its entities expand to {expanded:,} bytes, over {MAX_EXPANSION:,}"
    return None


def _parse(parts: list[Part], base_iri: str) -> list[ox.Triple]:
    """Every triple of every part; the first part that fails is refused (415 or 400)."""
    triples: list[ox.Triple] = []
    for part in parts:
        fmt = _checked_format(part)
        for quad in _quads(part, fmt, base_iri):
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                raise BadRequest(_ONE_GRAPH.format(part=part.name, graph=quad.graph_name))
            triples.append(quad.triple)
    return triples


def _checked_format(part: Part) -> ox.RdfFormat:
    """The part's RDF format (else 415), its RDF/XML entities bounded (else 400)."""
    fmt = _format(part)
    if fmt is None:
        raise UnsupportedMediaType(f"{part.name}: unsupported content type {part.media_type!r}: use one of {RDF_TYPES}")
    refused = _unbounded_entities(part.data) if fmt == ox.RdfFormat.RDF_XML else None
    if refused is not None:
        raise BadRequest(f"{part.name} is refused: {refused}; give the document with its entities expanded")
    return fmt


def _quads(part: Part, fmt: ox.RdfFormat, base_iri: str) -> Iterator[ox.Quad]:
    """The quads of one part, a syntax error raised as 400 with the parser's position."""
    try:
        # Blank nodes renamed: each document's are its own, apart from the store's and each other's.
        yield from ox.parse(part.data, fmt, base_iri=base_iri, rename_blank_nodes=True)
    except (SyntaxError, ValueError) as exc:
        raise BadRequest(f"{part.name} is not valid {fmt.name}: {exc}") from None


def _dataset(parts: list[Part], base_iri: str) -> dict[ox.NamedNode | ox.DefaultGraph, list[ox.Triple]]:
    """The triples of every graph of every part (datasets, each parsed in full first), by graph."""
    graphs: dict[ox.NamedNode | ox.DefaultGraph, list[ox.Triple]] = {}
    for part, fmt in ((part, _checked_format(part)) for part in parts):
        for quad in _quads(part, fmt, base_iri):
            graph = quad.graph_name
            if isinstance(graph, ox.BlankNode):
                raise BadRequest(f"{part.name} names a graph by a blank node (_:{graph.value}): name it by an IRI")
            if isinstance(graph, ox.NamedNode) and is_reserved(graph.value):
                raise Forbidden(
                    f"{graph.value} is one of the store's own graphs (journal, bookkeeping), kept by the server"
                )
            graphs.setdefault(graph, []).append(quad.triple)
    return graphs


def _is_dataset(parts: list[Part]) -> bool:
    """Whether the body is a dataset (TriG, N-Quads); 400 if it mixes datasets and graphs."""
    kinds = {_format(part) in DATASET_TYPES for part in parts}
    if len(kinds) > 1:
        raise BadRequest("the body mixes datasets (TriG, N-Quads) and graphs: send each kind in its own request")
    return kinds == {True}


def _exists(store: Backend, target: Target) -> bool:
    term = target.term()
    return isinstance(term, ox.DefaultGraph) or store.has_graph(term)


def _named_graph(runner: QueryRunner, target: Target, fmt: Format) -> bytes:
    """A named graph, read and serialised by a query worker within the time budget (else
    ``QueryTimeout``) and the row cap (else ``Unprocessable``, naming the graph)."""
    assert target.iri is not None
    job = Job.of(
        GRAPH_CONTENT,
        None,
        None,
        None,
        substitutions={"graph": ox.NamedNode(target.iri)},
        accept=fmt.media_type,
        max_rows=runner.max_rows,
    )
    try:
        return runner.run(job).body
    except ResultTooLarge as exc:
        raise Unprocessable(f"graph {target.iri} has {_OVER_CAP.format(cap=exc.cap)}") from None


def _default_graph(store: Backend, cap: int | None, fmt: Format) -> bytes:
    """The store's own default graph, which the workers' queries cannot name (they see the union of
    the graphs); a scan stopped past the row cap, so it stays bounded in this process too. An
    engine's default graph is the union as well, and only its own Graph Store names the real one."""
    assert fmt.rdf is not None
    if not isinstance(store, OxigraphStore):
        raise NotFound("the default graph of a SPARQL engine is read from the engine's own Graph Store (?default)")
    quads = store.raw.quads_for_pattern(None, None, None, ox.DefaultGraph())
    triples = [quad.triple for quad in (quads if cap is None else islice(quads, cap + 1))]
    if cap is not None and len(triples) > cap:
        raise Unprocessable(f"the default graph has {_OVER_CAP.format(cap=cap)}")
    return ox.serialize(triples, format=fmt.rdf) or b""


def _read(store: Backend, runner: QueryRunner, target: Target, accept: str | None, head: bool) -> Response:
    """GET and HEAD (blocking: run in a thread)."""
    if not _exists(store, target):
        raise NotFound(f"no graph {target.iri}")
    fmt = negotiated(accept, GRAPH_TYPES, "a graph")
    body = _default_graph(store, runner.max_rows, fmt) if target.iri is None else _named_graph(runner, target, fmt)
    headers = {"Vary": "Accept"}
    if head:
        # The headers GET would send, Content-Length included, and no body.
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, media_type=fmt.media_type, headers=headers)


def _write(
    store: OxigraphStore,
    target: Target,
    parts: list[Part],
    base_iri: str,
    *,
    replace: bool,
    key: str | None = None,
    request_id: str = "",
) -> Response:
    """PUT (``replace``) and POST: parse every part first, then write in one update (once per ``key``)."""
    triples = _parse(parts, base_iri)
    # Not ``replace_graphs``: its diff deletes with DELETE DATA, which SPARQL forbids for blank
    # nodes, and uploads often hold them. Terms reach the text as pyoxigraph's N-Triples, escaped.
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    statements = data.decode("utf-8")
    operations = []
    term = target.term()
    if isinstance(term, ox.NamedNode):
        if replace:
            operations.append(f"DROP SILENT GRAPH {term}")
        operations.append(f"CREATE SILENT GRAPH {term}")
        if statements:
            operations.append(f"INSERT DATA {{ GRAPH {term} {{ {statements} }} }}")
    else:
        if replace:
            operations.append("CLEAR SILENT DEFAULT")
        if statements:
            operations.append(f"INSERT DATA {{ {statements} }}")
    graphs = [term] if isinstance(term, ox.NamedNode) else []

    def write() -> Response:
        existed = _exists(store, target)
        outcome = Outcome(204 if existed else 201, {} if existed or target.iri is None else {"Location": target.iri})
        commit = store.update(" ;\n".join(operations), graphs=graphs, key=outcome.key(key, request_id))
        return committed(outcome, commit)

    return write_once(store, key, request_id, write)


def _write_dataset(
    store: OxigraphStore, parts: list[Part], base_iri: str, key: str | None, request_id: str
) -> Response:
    """POST of a dataset to the Graph Store: every graph's triples added in one update (once per ``key``)."""
    graphs = _dataset(parts, base_iri)
    # One INSERT DATA: a blank node that two graphs of the dataset share stays one node.
    blocks = []
    for graph, triples in graphs.items():
        data = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        blocks.append(data if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{ {data} }}")
    named = [graph for graph in graphs if isinstance(graph, ox.NamedNode)]

    def write() -> Response:
        outcome = Outcome(204)
        if not blocks:  # an empty body: nothing to write (the protocol's 204 all the same)
            return Response(status_code=204)
        commit = store.update(f"INSERT DATA {{ {' '.join(blocks)} }}", graphs=named, key=outcome.key(key, request_id))
        return committed(outcome, commit)

    return write_once(store, key, request_id, write)


def _delete(store: OxigraphStore, target: Target, key: str | None, request_id: str) -> Response:
    def write() -> Response:
        outcome = Outcome(204)
        commit = store.drop_graph(target.term(), key=outcome.key(key, request_id))
        if commit is None:
            raise NotFound(f"no graph {target.iri}")
        return committed(outcome, commit)

    return write_once(store, key, request_id, write)


async def graph_store(request: Request) -> Response:
    store: OxigraphStore = request.state.store
    if request.method in ("GET", "HEAD"):
        target = _target(request)
        if target is None:
            raise BadRequest(_NAME_ONE)
        accept, head = request.headers.get("accept"), request.method == "HEAD"
        return await run_in_threadpool(_read, store, request.state.queries, target, accept, head)
    refuse_write(request)
    target = _target(request)
    key = idempotency_key(request)
    if target is None and request.method == "PUT":
        raise MethodNotAllowed(_NO_PUT)
    if target is None and request.method != "POST":
        raise BadRequest(_NAME_ONE)
    if request.method == "DELETE":
        assert target is not None
        return await run_in_threadpool(_delete, store, target, key, fingerprint("DELETE", _request_iri(request)))
    body = await _body(request)
    content_type = request.headers.get("content-type", "")
    parts = _parts(content_type, body)
    if target is None and _is_dataset(parts):
        request_id = fingerprint(request.method, str(request.url), content_type, body)
        base = _request_iri(request)
        return await run_in_threadpool(_write_dataset, store, parts, base, key, request_id)
    if target is None:
        target = Target(f"{_request_iri(request).rstrip('/')}/{uuid4().hex}")
    base_iri = target.iri or _request_iri(request)
    # The URL as sent, not the target: POST /store mints a new graph IRI at each request.
    request_id = fingerprint(request.method, str(request.url), content_type, body)
    replace = request.method == "PUT"
    return await run_in_threadpool(
        lambda: _write(store, target, parts, base_iri, replace=replace, key=key, request_id=request_id)
    )
