"""``/sparql``: SPARQL 1.1 Protocol queries over GET and POST (read-only).

- Queries by GET (``?query=``), by POST form and by POST ``application/sparql-query``, each with
  optional ``default-graph-uri`` and ``named-graph-uri`` parameters (in the URL, or in the form).
- A GET with no parameter returns the YASGUI query editor to browsers (``Accept: text/html``),
  its tabs preloaded with ``examples/*.rq``, and the SPARQL 1.1 Service Description to others.
- Updates by POST form (``update=``) and POST ``application/sparql-update``, with optional
  ``using-graph-uri`` and ``using-named-graph-uri`` (``api.sparql_update``), only on a writable
  server and with its token (``api.auth``): 204 when done, with ``X-Store-Generation``; once only
  per ``Idempotency-Key`` (``api.writes``).
- Queries run in worker processes (``api.workers``) within the server's time budget, which a
  ``timeout`` parameter (seconds) may lower for one query, and under its cap on result rows.
- Refusals are raised as typed errors and answered by ``api.errors``.
- Status codes follow the protocol: 400 for a missing, repeated or malformed query or update or a
  bad graph IRI, 401/403 for a refused update (see ``api.auth``), 405 for another method, 406 when no result
  format fits ``Accept``, 413 for a body over the limit, 415 for an unknown request content type;
  and 422 for an answer over the row cap, 503 for a query over its time budget (it was stopped).
- Before any engine sees it, a query or update nested too deep, or calling another endpoint
  (``SERVICE``, ``LOAD``) that the server does not allow, is a 400 (``api.sparql_guard``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.auth import refuse_write
from api.errors import BadRequest, PayloadTooLarge, ServiceUnavailable, UnsupportedMediaType
from api.negotiation import GRAPH_TYPES, Format, negotiate, negotiated
from api.sparql_guard import Busy, Refused, ServiceAllowlist, check
from api.sparql_update import DatasetConflict, add_using
from api.void import VOID, dataset_iri
from api.workers import Job, QueryRunner
from api.writes import Outcome, committed, fingerprint, idempotency_key, write_once
from graph import OxigraphStore

MAX_BODY = 1_000_000
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass
class ProtocolUpdate:
    """An update request (only run on a writable server, see ``api.auth``)."""

    update: str
    base_iri: str | None = None


@dataclass
class ProtocolQuery:
    """A query and the dataset the request names (None: the union of all graphs)."""

    query: str
    default_graphs: list[ox.NamedNode] | None = None
    named_graphs: list[ox.NamedNode] | None = None
    base_iri: str | None = None
    timeout: float | None = None  # seconds, to lower the server's budget for this query


def _graphs(values: Sequence[str], parameter: str) -> list[ox.NamedNode]:
    graphs = []
    for value in values:
        try:
            graphs.append(ox.NamedNode(value))
        except ValueError:
            raise BadRequest(f"{parameter}: {value!r} is not an absolute IRI") from None
    return graphs


async def _read(request: Request) -> ProtocolQuery | ProtocolUpdate | None:
    """The request's query and dataset; None for a bare GET (the service description)."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if request.method == "GET":
        if not params:
            return None
        queries = params.get("query", [])
    else:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if len(body) > MAX_BODY:
            raise PayloadTooLarge(f"request body over {MAX_BODY} bytes")
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:  # a query repaired with U+FFFD would answer another question
            raise BadRequest(f"the request body is not UTF-8 (byte {exc.start}); send SPARQL as UTF-8") from None
        if content_type == "application/sparql-query":
            queries = [body.decode("utf-8", errors="replace")]
        elif content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
            if "update" in params:
                if "query" in params or len(params["update"]) != 1:
                    raise BadRequest("give exactly one 'update' parameter, and no 'query' with it")
                return _update(params, params["update"][0])
            queries = params.get("query", [])
        elif content_type == "application/sparql-update":
            return _update(params, body.decode("utf-8", errors="replace"))
        else:
            raise UnsupportedMediaType(
                f"unsupported content type {content_type!r}: use application/sparql-query "
                "or application/x-www-form-urlencoded"
            )
    if len(queries) != 1:
        raise BadRequest("exactly one 'query' parameter is required")
    defaults = _graphs(params.get("default-graph-uri", []), "default-graph-uri")
    named = _graphs(params.get("named-graph-uri", []), "named-graph-uri")
    timeout = _timeout(params.get("timeout", []))
    dataset_given = bool(defaults or named)
    return ProtocolQuery(
        queries[0], defaults if dataset_given else None, named if dataset_given else None, timeout=timeout
    )


def _timeout(values: Sequence[str]) -> float | None:
    """The ``timeout`` parameter: seconds, to lower the server's budget (never to raise it)."""
    if not values:
        return None
    try:
        seconds = float(values[-1])
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise BadRequest(f"timeout: {values[-1]!r} is not a positive number of seconds")
    return seconds


def _update(params: dict[str, list[str]], text: str) -> ProtocolUpdate:
    using = _graphs(params.get("using-graph-uri", []), "using-graph-uri")
    using_named = _graphs(params.get("using-named-graph-uri", []), "using-named-graph-uri")
    try:
        return ProtocolUpdate(add_using(text, using, using_named))
    except DatasetConflict as exc:
        raise BadRequest(str(exc)) from None


def _run_update(store: OxigraphStore, request: ProtocolUpdate, key: str | None = None) -> Response:
    """204 with the generation that holds the update (``api.writes``); once only per idempotency ``key``."""
    request_id = fingerprint(request.update, request.base_iri or "")
    outcome = Outcome(204)

    def write() -> Response:  # a refused update raises QueryError (a 400)
        commit = store.update(request.update, base_iri=request.base_iri, key=outcome.key(key, request_id))
        return committed(outcome, commit)

    return write_once(store, key, request_id, write)


async def _answer(runner: QueryRunner, request: ProtocolQuery, accept: str | None) -> Response:
    """Evaluate in a query worker (see ``api.workers``), within the budget and the row cap; its
    refusals (``QueryError``, ``NotAcceptable``, ``ResultTooLarge``, ``QueryTimeout``) are raised."""
    job = Job.of(
        request.query,
        request.default_graphs,
        request.named_graphs,
        request.base_iri,
        accept=accept or "*/*",
        max_rows=runner.max_rows,
    )
    answer = await run_in_threadpool(runner.run, job, request.timeout)
    return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})


def service_description(
    endpoint: str, *, federated: bool = False, dataset: ox.NamedNode | None = None
) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint (``federated``: some SERVICE is allowed).

    ``dataset``: the store's VoID dataset (``api.void.dataset_iri``), named as the service's
    ``sd:defaultDataset``; its IRI is a fragment of the VoID document, which describes it."""
    service = ox.NamedNode(endpoint)

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
    ]
    if federated:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    if dataset is not None:
        triples += [
            ox.Triple(service, sd("defaultDataset"), dataset),
            ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
            ox.Triple(dataset, RDF_TYPE, VOID.Dataset),
        ]
    formats = {
        "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
        "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
        "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
        "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
        "text/turtle": "http://www.w3.org/ns/formats/Turtle",
        "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
        "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
        "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
        "application/n-quads": "http://www.w3.org/ns/formats/N-Quads",
        "application/trig": "http://www.w3.org/ns/formats/TriG",
    }
    triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(iri)) for iri in formats.values()]
    return triples


HTML = Format("text/html", "html")
STATIC_DIR = Path(__file__).with_name("static")
EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


@cache
def query_page() -> str:
    """The YASGUI page, its tabs preloaded with the example queries of ``examples/``."""
    examples = [
        {"name": path.stem.replace("_", " "), "query": path.read_text(encoding="utf-8")}
        for path in sorted(EXAMPLES_DIR.glob("*.rq"))
    ]
    data = json.dumps(examples).replace("</", "<\\/")  # cannot close the <script> element
    return (STATIC_DIR / "sparql.html").read_text(encoding="utf-8").replace("__EXAMPLES__", data)


def _describe(request: Request) -> Response:
    """A bare GET: the query editor for browsers, the Service Description for everyone else."""
    if negotiate(request.headers.get("accept"), [*GRAPH_TYPES, HTML]) is HTML:
        return HTMLResponse(query_page(), headers={"Vary": "Accept"})
    fmt = negotiated(request.headers.get("accept"), GRAPH_TYPES, "the service description")
    assert fmt.rdf is not None
    endpoint = str(request.url.replace(query="", fragment=""))
    federated = bool(_allowed(request))
    dataset = dataset_iri(str(request.base_url))
    body = ox.serialize(service_description(endpoint, federated=federated, dataset=dataset), format=fmt.rdf)
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


def _allowed(request: Request) -> ServiceAllowlist:
    allowed: ServiceAllowlist = getattr(request.app.state, "allow_service", ServiceAllowlist())
    return allowed


async def _guard(request: Request, parsed: ProtocolQuery | ProtocolUpdate) -> None:
    """Refuse a request too deep, or calling an endpoint not allowed (``BadRequest``; 503 if busy)."""
    text, update = (parsed.update, True) if isinstance(parsed, ProtocolUpdate) else (parsed.query, False)
    try:  # in a thread: rdflib may have to parse the text
        await run_in_threadpool(check, text, update=update, allowed=_allowed(request), base_iri=parsed.base_iri)
    except Busy as exc:
        raise ServiceUnavailable(str(exc)) from None
    except Refused as exc:
        raise BadRequest(str(exc)) from None


async def sparql_endpoint(request: Request) -> Response:
    parsed = await _read(request)
    if parsed is None:
        return _describe(request)
    parsed.base_iri = str(request.url.replace(query="", fragment=""))  # relative IRIs resolve against the endpoint
    store: OxigraphStore = request.state.store
    if isinstance(parsed, ProtocolUpdate):
        refuse_write(request)
        await _guard(request, parsed)
        key = idempotency_key(request)
        return await run_in_threadpool(_run_update, store, parsed, key)
    await _guard(request, parsed)
    return await _answer(request.state.queries, parsed, request.headers.get("accept"))
