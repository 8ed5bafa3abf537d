"""``/sparql``: SPARQL 1.1 Protocol queries over GET and POST (read-only).

Status codes follow the protocol: 400 for a missing or malformed query, 406 when no result format
fits ``Accept``, 415 for an unknown request content type. Updates are not accepted here.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from api.formats import GRAPH_TYPES, SOLUTION_TYPES, negotiate, serialize
from graph import GraphError, OxigraphStore

MAX_BODY = 1_000_000


def _error(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=status)


async def _read_query(request: Request) -> str | Response:
    if request.method == "GET":
        values = request.query_params.getlist("query")
    else:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if len(body) > MAX_BODY:
            return _error(413, f"request body over {MAX_BODY} bytes")
        if content_type == "application/sparql-query":
            return body.decode("utf-8", errors="replace")
        if content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"))
            if "update" in form:
                return _error(403, "updates are not accepted: this endpoint is read-only")
            values = form.get("query", [])
        elif content_type == "application/sparql-update":
            return _error(403, "updates are not accepted: this endpoint is read-only")
        else:
            return _error(
                415,
                f"unsupported content type {content_type!r}: use application/sparql-query "
                "or application/x-www-form-urlencoded",
            )
    if len(values) != 1:
        return _error(400, "exactly one 'query' parameter is required")
    return values[0]


def _answer(store: OxigraphStore, query: str, accept: str | None) -> Response:
    """Evaluate and serialise in one thread: pyoxigraph results cannot cross threads."""
    try:
        result = store.query(query)
    except GraphError as exc:
        return _error(400, str(exc))
    offers = GRAPH_TYPES if isinstance(result, ox.QueryTriples) else SOLUTION_TYPES
    fmt = negotiate(accept, offers)
    if fmt is None:
        wanted = ", ".join(f.media_type for f in offers)
        return _error(406, f"no acceptable result format; this query can return {wanted}")
    return Response(serialize(result, fmt), media_type=fmt.media_type, headers={"Vary": "Accept"})


async def sparql_endpoint(request: Request) -> Response:
    query = await _read_query(request)
    if isinstance(query, Response):
        return query
    store: OxigraphStore = request.state.store
    return await run_in_threadpool(_answer, store, query, request.headers.get("accept"))
