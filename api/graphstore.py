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
  named graph does not exist (an empty graph that exists is 200 with an empty body);
- ``PUT``: replace the graph with the body, parsed by its ``Content-Type``; 201 if the graph was
  new, else 204;
- ``POST`` to a graph: add the body's triples (a ``multipart/form-data`` body is several RDF files,
  each in its own format, all merged); 201 if the graph was new, else 204;
- ``POST /store`` without a graph: create a graph with a fresh IRI under ``/store/``; 201 with
  that IRI in ``Location``;
- ``DELETE``: drop the graph (empty the default graph); 204, or 404 when it does not exist.

Writes are refused as ``api.auth`` says (403 read-only, 401/403 token) before the body is read. A
body is parsed in full before anything is written, so a body that does not parse leaves the graph
as it was, and a ``PUT`` swaps the content in one SPARQL update, which Oxigraph runs as one
transaction.

Status codes: 400 for a bad graph IRI, for ``graph`` and ``default`` together or neither, or for a
body that does not parse (with the parser's message) or names graphs of its own; 403 for the
store's journal graph; 404; 406 when no format fits ``Accept``; 413 for a body over
``MAX_BODY``; 415 for a content type that is not RDF.
"""

from __future__ import annotations

import email.policy
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from uuid import uuid4

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api.auth import refuse_write
from api.formats import GRAPH_TYPES, negotiate
from api.sparql import MAX_BODY
from graph import OxigraphStore
from graph.store import JOURNAL

__all__ = ["MAX_BODY", "routes"]

METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
RDF_TYPES = ", ".join(f.media_type for f in GRAPH_TYPES)


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


def _error(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=status)


def _request_iri(request: Request) -> str:
    """The request URL without its query, with the path as the client sent it."""
    raw = request.scope.get("raw_path")
    url = request.url
    path = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else url.path
    return f"{url.scheme}://{url.netloc}{path}"


def _target(request: Request) -> Target | Response | None:
    """The graph the request names; None for the graph store itself (``/store`` without parameter)."""
    graphs = request.query_params.getlist("graph")
    default = "default" in request.query_params
    direct = "path" in request.path_params
    if len(graphs) + default + direct > 1:
        return _error(400, "name one graph: '?graph=IRI', '?default' or a path under /store/, not several")
    if default:
        return Target(None)
    iri = _request_iri(request) if direct else graphs[0] if graphs else None
    if iri is None:
        return None
    try:
        ox.NamedNode(iri)
    except ValueError:
        return _error(400, f"graph: {iri!r} is not an absolute IRI")
    if iri.startswith(JOURNAL.value):
        return _error(403, f"{iri} is the store's journal graph, kept by the server itself")
    return Target(iri)


async def _body(request: Request) -> bytes | Response:
    """The request body, refused with 413 as soon as it passes ``MAX_BODY``."""
    too_big = _error(413, f"request body over {MAX_BODY} bytes: load large files with 'cnrs-kg load'")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _parts(content_type: str, body: bytes) -> list[Part] | Response:
    """The RDF documents of a body: one, or one per file of a ``multipart/form-data`` body."""
    media_type = content_type.split(";")[0].strip().lower()
    if not media_type:
        return _error(415, f"no Content-Type: send the graph as one of {RDF_TYPES}")
    if media_type != "multipart/form-data":
        return [Part("the body", media_type, body)]
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", errors="replace")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart() or message.defects:
        return _error(400, "the multipart/form-data body is malformed (is its boundary right?)")
    parts = []
    for index, part in enumerate(message.iter_parts(), start=1):
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return _error(400, f"part {index} of the multipart body is not a file")
        name = part.get_filename() or f"part {index}"
        parts.append(Part(name, part.get_content_type() if "content-type" in part else "", payload))
    return parts


def _format(part: Part) -> ox.RdfFormat | None:
    """The part's RDF format, by media type, or by file extension when it has no useful type."""
    fmt = ox.RdfFormat.from_media_type(part.media_type) if part.media_type else None
    if fmt is None and part.media_type in ("", "application/octet-stream") and "." in part.name:
        fmt = ox.RdfFormat.from_extension(part.name.rsplit(".", 1)[1])
    return fmt


def _parse(parts: list[Part], base_iri: str) -> list[ox.Triple] | Response:
    """Every triple of every part, or the error response for the first part that fails."""
    triples: list[ox.Triple] = []
    for part in parts:
        fmt = _format(part)
        if fmt is None:
            return _error(415, f"{part.name}: unsupported content type {part.media_type!r}: use one of {RDF_TYPES}")
        try:
            # Blank nodes renamed: each document's are its own, apart from the store's and each other's.
            quads = ox.parse(part.data, fmt, base_iri=base_iri, without_named_graphs=True, rename_blank_nodes=True)
            triples.extend(quad.triple for quad in quads)
        except (SyntaxError, ValueError) as exc:
            return _error(400, f"{part.name} is not valid {fmt.name}: {exc}")
    return triples


def _exists(store: OxigraphStore, target: Target) -> bool:
    term = target.term()
    return isinstance(term, ox.DefaultGraph) or store.raw.contains_named_graph(term)


def _read(store: OxigraphStore, target: Target, accept: str | None, head: bool) -> Response:
    """GET and HEAD: serialised in this thread, since pyoxigraph iterators cannot cross threads."""
    if not _exists(store, target):
        return _error(404, f"no graph {target.iri}")
    fmt = negotiate(accept, GRAPH_TYPES)
    if fmt is None or fmt.rdf is None:
        return _error(406, f"no acceptable format; a graph is served as {RDF_TYPES}")
    quads = store.raw.quads_for_pattern(None, None, None, target.term())
    body = ox.serialize((quad.triple for quad in quads), format=fmt.rdf) or b""
    headers = {"Vary": "Accept"}
    if head:
        # The headers GET would send, Content-Length included, and no body.
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, media_type=fmt.media_type, headers=headers)


def _write(store: OxigraphStore, target: Target, parts: list[Part], base_iri: str, *, replace: bool) -> Response:
    """PUT (``replace``) and POST: parse every part first, then write in one update."""
    triples = _parse(parts, base_iri)
    if isinstance(triples, Response):
        return triples
    existed = _exists(store, target)
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
    if operations:
        store.update(" ;\n".join(operations))
    headers = {} if existed or target.iri is None else {"Location": target.iri}
    return Response(status_code=204 if existed else 201, headers=headers)


def _delete(store: OxigraphStore, target: Target) -> Response:
    if not store.drop_graph(target.term()):
        return _error(404, f"no graph {target.iri}")
    return Response(status_code=204)


async def graph_store(request: Request) -> Response:
    store: OxigraphStore = request.state.store
    if request.method in ("GET", "HEAD"):
        target = _target(request)
        if target is None:
            return _error(400, "name a graph: '/store?graph=IRI', '/store?default' or '/store/{path}'")
        if isinstance(target, Response):
            return target
        return await run_in_threadpool(_read, store, target, request.headers.get("accept"), request.method == "HEAD")
    refused = refuse_write(request)
    if refused is not None:
        return refused
    target = _target(request)
    if isinstance(target, Response):
        return target
    if target is None:
        if request.method != "POST":
            return _error(400, "name a graph: '/store?graph=IRI', '/store?default' or '/store/{path}'")
        target = Target(f"{_request_iri(request).rstrip('/')}/{uuid4().hex}")
    if request.method == "DELETE":
        return await run_in_threadpool(_delete, store, target)
    body = await _body(request)
    if isinstance(body, Response):
        return body
    parts = _parts(request.headers.get("content-type", ""), body)
    if isinstance(parts, Response):
        return parts
    base_iri = target.iri or _request_iri(request)
    return await run_in_threadpool(_write, store, target, parts, base_iri, replace=request.method == "PUT")
