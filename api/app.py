"""The HTTP application: ``create_app()`` builds it from a literal list of routes.

The lifespan opens the store once (holding its lock, so a concurrent ``cnrs-kg load`` is refused
with a clear message) and hands it to the endpoints as typed state.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypedDict

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.sparql import sparql_endpoint
from graph import OxigraphStore


class State(TypedDict):
    store: OxigraphStore


async def health(request: Request) -> Response:
    store: OxigraphStore = request.state.store
    sizes = store.graph_sizes()
    return JSONResponse({"status": "ok", "graphs": len(sizes), "statements": sum(sizes.values())})


def create_app(store_path: Path | str | None) -> Starlette:
    """The app serving ``store_path`` (None: an empty in-memory store, for tests)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        store = OxigraphStore(store_path)
        try:
            yield {"store": store}
        finally:
            store.close()

    routes = [
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
