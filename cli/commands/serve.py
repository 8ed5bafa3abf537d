"""``cnrs-kg serve``: SPARQL, Graph Store, GraphQL, linked data and /health over HTTP."""

from __future__ import annotations

import gc
import logging
import os
from typing import Annotated

import typer

from api.auth import TOKEN_ENV, WritePolicy, check_policy
from api.server import BODY_TIMEOUT, HEAD_TIMEOUT, KEEP_ALIVE, MAX_CONNECTIONS
from api.workers import DEFAULT_BUDGET, DEFAULT_MAX_ROWS
from cli.app import StoreOption, app, engine_endpoints, fail, store_url
from graph import default_store_path

GC_THRESHOLDS = (50_000, 20, 10)  # Python's are (700, 10, 10): a network answer makes objects by the 100,000


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    cors_origin: Annotated[
        list[str] | None, typer.Option("--cors-origin", help="Origin allowed to call from a browser ('*': any).")
    ] = None,
    writable: Annotated[
        bool, typer.Option("--writable", help="Accept SPARQL updates (with the CNRS_KG_TOKEN bearer token).")
    ] = False,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Time budget of a query, in seconds (a request's 'timeout' may lower it).")
    ] = DEFAULT_BUDGET,
    max_rows: Annotated[
        int, typer.Option(min=0, help="Cap on the rows or triples of a query's answer (0: no cap).")
    ] = DEFAULT_MAX_ROWS,
    workers: Annotated[
        int, typer.Option(min=0, help="Query worker processes (0: queries in the server process, with no budget).")
    ] = 2,
    header_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a client has to send a request's line and headers.")
    ] = HEAD_TIMEOUT,
    body_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a client has to send a request's body (then 408).")
    ] = BODY_TIMEOUT,
    keep_alive: Annotated[int, typer.Option(min=1, help="Seconds an idle connection stays open.")] = KEEP_ALIVE,
    max_connections: Annotated[
        int, typer.Option(min=1, help="Open connections at most (503 past it).")
    ] = MAX_CONNECTIONS,
    allow_service: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-service",
            help="URL prefix of an endpoint that SPARQL SERVICE and LOAD may call (repeatable; none by default).",
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Serve SPARQL, Graph Store, linked data and /health over HTTP, with a JSON access log."""
    from api import server
    from api.app import create_app

    url = store_url(store)
    path = store or default_store_path()
    if url is None and not path.exists():
        raise fail(f"{path}: no store there; run 'cnrs-kg load --bundled' first")
    policy = WritePolicy(writable=writable, token=os.environ.get(TOKEN_ENV) or None)
    refusal = check_policy(policy, host)
    if refusal:
        raise fail(refusal)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no line per request to an engine
    try:
        app = create_app(
            url or path,
            cors_origins=tuple(cors_origin or ()),
            write_policy=policy,
            workers=workers,
            budget=timeout,
            max_rows=max_rows or None,
            allow_service=tuple(allow_service or ()),
            engine_endpoints=engine_endpoints(),
        )
    except ValueError as exc:  # an --allow-service that is not a URL prefix
        raise fail(f"--allow-service: {exc}") from None
    # The modules loaded so far live as long as the server: kept out of the collector's scans, and
    # collections made rarer, a network of 20,000 edges is answered a quarter faster.
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    server.serve(
        app,
        host,
        port,
        head_timeout=header_timeout,
        body_timeout=body_timeout,
        keep_alive=keep_alive,
        max_connections=max_connections,
    )
