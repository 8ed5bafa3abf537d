"""The HTTP application: ``create_app()`` builds it from a literal list of routes.

The lifespan opens the store once (holding its lock, so a concurrent ``cnrs-kg load`` is refused
with a clear message) and hands it to the endpoints as typed state. A store given as an
``http(s)://`` URL is a SPARQL engine (``graph.remote``): its queries run on the engine, in the
server's threads, each stopped after the budget by the HTTP client; no worker processes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypedDict

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from api import export, graph_page, graphql, graphstore, linkeddata, ontology_page, rules_page, void, writes
from api.auth import WritePolicy
from api.caching import Caching
from api.errors import HANDLERS
from api.middleware import AccessLog, BodyLimit, ErrorPage, compression, cors
from api.sparql import MAX_BODY, STATIC_DIR, sparql_endpoint
from api.sparql_guard import ServiceAllowlist
from api.workers import DEFAULT_BUDGET, DEFAULT_MAX_ROWS, LocalQueries, QueryPool, QueryRunner, deep_stacks
from graph import OxigraphStore, stats
from graph.links import warm
from graph.remote import RemoteStore, is_remote


class State(TypedDict):
    """What endpoints find on ``request.state``.

    ``store``: the store itself (writes, and point look-ups such as whether a graph exists);
    ``queries``: what runs user-shaped queries (SPARQL endpoint, GraphQL, exports, linked-data
    pages, Graph Store reads) under the time budget and row cap (a ``graph.Queryable`` too).
    """

    store: OxigraphStore | RemoteStore
    queries: QueryRunner


async def health(request: Request) -> Response:
    """Liveness and readiness (``graph.stats.health``): read from memory, so it never waits for the store."""
    store: OxigraphStore = request.state.store
    return JSONResponse(stats.health(store))


def create_app(
    store_path: Path | str | None,
    *,
    cors_origins: Sequence[str] = (),
    write_policy: WritePolicy | None = None,
    workers: int = 2,
    budget: float = DEFAULT_BUDGET,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    allow_service: Sequence[str] = (),
    engine_endpoints: tuple[str | None, str | None] = (None, None),
) -> Starlette:
    """The app serving ``store_path`` (None: an empty in-memory store, for tests; a URL: a SPARQL engine).

    ``cors_origins``: origins allowed to call the API from a browser (``*`` for any); none by default.
    ``write_policy``: read-only unless given writable (see ``api.auth``).
    ``workers``: query worker processes (``api.workers``), each query stopped after ``budget``
    seconds; 0 (or an in-memory store) runs queries in the server process, with no budget.
    ``max_rows``: the cap on the rows (or triples) of an answer; None for no cap.
    ``engine_endpoints``: a SPARQL engine's Update and Graph Store endpoints, where they are not
    ``<url>/update`` and ``<url>/store``.
    ``allow_service``: URL prefixes of the endpoints a SPARQL ``SERVICE`` or ``LOAD`` may call
    (``api.sparql_guard``); none by default. ValueError names an entry that is not a URL prefix.
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        deep_stacks()  # the threads that run updates (and queries with no workers) are started later
        store: OxigraphStore | RemoteStore
        queries: QueryRunner
        if is_remote(store_path):
            update, graph_store = engine_endpoints
            store = RemoteStore(str(store_path), update_endpoint=update, graph_store=graph_store, budget=budget)
            queries = LocalQueries(store, max_rows=max_rows)
            # No folder keeps the network index beside an engine: each replica counts it from the works
            # before it answers anything (a balancer sends it nothing until then), not within its first
            # network question's time budget.
            await run_in_threadpool(warm, store)
        else:
            store = OxigraphStore(store_path)
            if store.path is not None and workers > 0:
                queries = QueryPool(store, workers=workers, budget=budget, max_rows=max_rows)
            else:
                queries = LocalQueries(store, max_rows=max_rows)
        try:
            yield {"store": store, "queries": queries}
        finally:
            queries.close()
            store.close()

    routes = [
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/health", health, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR, check_dir=False), name="static"),
        *linkeddata.routes(),
        *graph_page.routes(),
        *ontology_page.routes(),
        *rules_page.routes(),
        *void.routes(),
        *graphstore.routes(),
        *writes.routes(),
        *graphql.routes(),
        *export.routes(),
    ]
    # Outermost first. CORS outside caching, so that a 304 carries it too; caching outside
    # compression, so that it sees the Vary the compressor set.
    middleware = [Middleware(ErrorPage), Middleware(AccessLog)]
    if cors_origins:
        middleware.append(cors(list(cors_origins)))
    middleware += [Middleware(Caching), compression(), Middleware(BodyLimit, limit=MAX_BODY)]
    # Typed errors are answered by the one map (api.errors); anything else by ErrorPage, a masked 500.
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware, exception_handlers=HANDLERS)
    app.state.write_policy = write_policy or WritePolicy()
    app.state.allow_service = ServiceAllowlist.of(allow_service)
    return app
