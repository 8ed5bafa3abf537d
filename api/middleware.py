"""Cross-cutting HTTP concerns: the access log, the deadline on request bodies, the error page,
compression and CORS (caching is ``api.caching``).

- ``AccessLog``: one JSON object per request on the ``cnrs_kg.access`` logger: method, path,
  status, duration in milliseconds, and for SPARQL requests the query's length (never its text,
  which may be large or private), so that slow queries can be found and counted.
- ``BodyDeadline``: the whole request body within ``seconds`` of the request's head, else a 408
  and the connection closed. uvicorn waits for a body as long as the client keeps the connection,
  so a client sending less than its ``Content-Length`` would hold a connection (and a task) forever.
- ``BodyLimit``: a request body over ``limit`` bytes is a 413 at once: refused on its declared
  ``Content-Length`` before a byte is read, or as soon as the bytes received pass the limit (a
  chunked body), so that no endpoint buffers more than the limit.
- ``ErrorPage``: an exception an endpoint lets out is logged with its traceback and answered with a
  one-line 500, never the traceback or a path of the installation.
- ``compression()``: starlette-compress, answering zstd, brotli or gzip by ``Accept-Encoding`` for
  every text answer of ``MIN_COMPRESSED`` bytes or more, the project's RDF, result and export
  formats included (the library knows only the web's common types).
- ``cors(origins)``: Starlette's CORS, allowing the request headers the API reads (``X-Explain``,
  ``Idempotency-Key``, ``Authorization``, the conditional ones) and exposing the answer headers a
  page needs (``Content-Disposition`` of exports, ``ETag``, ``Link`` pages, the write generation).
"""

from __future__ import annotations

import json
import logging
import time

import anyio
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_compress import CompressMiddleware, add_compress_type

from api.negotiation import GRAPH_TYPES, SOLUTION_TYPES
from api.writes import GENERATION, IDEMPOTENCY_KEY, REPLAYED
from graph.exports import FORMATS

ACCESS_LOG = logging.getLogger("cnrs_kg.access")
ERROR_LOG = logging.getLogger("cnrs_kg.error")


class BodyTimeout(Exception):
    """The client did not send its request body within the deadline (raised by ``receive``)."""


class AccessLog:
    """ASGI middleware writing one structured line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            return message

        async def capturing_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, counting_receive, capturing_send)
        except BodyTimeout:
            status = 408  # answered by BodyDeadline, outside
            raise
        finally:
            record = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - start) * 1000, 1),
                "query_bytes": len(scope.get("query_string", b"")) + received,
                "client": (scope.get("client") or ("", 0))[0],
            }
            ACCESS_LOG.info(json.dumps(record, separators=(",", ":")))


async def plain_answer(send: Send, status: int, text: str, *, close: bool = False) -> None:
    """A one-line ``text/plain`` answer sent straight to the server (from middleware, outside the app)."""
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    """The request body is over the server's limit (raised by ``receive``)."""


class _BodyGuard:
    """Runs the app with a ``receive`` that may refuse the body (``refused``, raised once).

    Once it has, whatever the application answers (it may catch the error, or turn it into a 500)
    is dropped: the client gets ``status`` with ``Connection: close``, so that the server closes
    the connection instead of reading on. Subclasses say how ``receive`` checks the body.
    """

    refused: type[Exception]
    status: int

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def guard(self, receive: Receive) -> Receive:
        raise NotImplementedError

    def refusal(self) -> str:
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        checked = self.guard(receive)
        failed = started = False

        async def guarded_receive() -> Message:
            nonlocal failed
            try:
                return await checked()
            except self.refused:
                failed = True
                raise

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if failed:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except self.refused:
            if started:
                raise  # too late for a refusal: the server closes the connection
        finally:
            if failed and not started:
                await plain_answer(send, self.status, self.refusal(), close=True)


class BodyDeadline(_BodyGuard):
    """ASGI middleware: the whole request body within ``seconds``, else 408 and the connection closed."""

    refused = BodyTimeout
    status = 408

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        super().__init__(app)
        self.seconds = seconds

    def guard(self, receive: Receive) -> Receive:
        deadline = anyio.current_time() + self.seconds
        body_done = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()  # after the body, only the disconnect is waited for
            with anyio.move_on_after(max(0.0, deadline - anyio.current_time())) as waiting:
                message = await receive()
            if waiting.cancelled_caught:
                raise BodyTimeout(f"request body not received within {self.seconds:g} s")
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        return timed_receive

    def refusal(self) -> str:
        return f"request body not received within {self.seconds:g} s; send the whole body at once\n"


class BodyLimit(_BodyGuard):
    """ASGI middleware: request bodies of at most ``limit`` bytes; a larger one is a one-line 413,
    refused on its declared ``Content-Length`` before a byte is read."""

    refused = BodyTooLarge
    status = 413

    def __init__(self, app: ASGIApp, limit: int) -> None:
        super().__init__(app)
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope.get("headers") or []).get(b"content-length", b"") if scope["type"] == "http" else b""
        if declared.isdigit() and int(declared) > self.limit:
            await plain_answer(send, self.status, self.refusal(), close=True)
            return
        await super().__call__(scope, receive, send)

    def guard(self, receive: Receive) -> Receive:
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise BodyTooLarge(f"request body over {self.limit} bytes")
            return message

        return counted_receive

    def refusal(self) -> str:
        return f"request body over {self.limit:,} bytes, this server's limit; load large files with 'cnrs-kg load'\n"


class ErrorPage:
    """ASGI middleware: an unexpected exception is logged with its traceback and answered with a
    one-line 500 (Starlette's own page is plain too, but the server would log the error twice)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except (BodyTimeout, BodyTooLarge):
            raise  # the client's slowness or size, answered by BodyDeadline or BodyLimit
        except Exception:
            ERROR_LOG.exception("%s %s failed", scope["method"], scope["path"])
            if started:
                return  # too late for a 500: the server closes the unfinished response
            await plain_answer(
                send, 500, "internal server error: the server logged it; try again later, or report it if it persists\n"
            )


MIN_COMPRESSED = 1024  # below a packet or so, compressing saves nothing worth its time
GRAPHQL_RESPONSE = "application/graphql-response+json"


def is_text(media_type: str) -> bool:
    """Whether a media type is text, so worth compressing (a zip is not).

    >>> is_text("application/gexf+xml"), is_text("text/tab-separated-values; charset=utf-8"), is_text("application/zip")
    (True, True, False)
    """
    essence = media_type.split(";")[0].strip().lower()
    return essence.startswith("text/") or essence.endswith(("+xml", "+json", "/json", "/xml"))


def compressed_types() -> list[str]:
    """Every text media type the server answers with: RDF and SPARQL results (all text), exports, GraphQL."""
    exports = [f.media_type for f in FORMATS.values() if is_text(f.media_type)]
    types = [f.media_type for f in (*SOLUTION_TYPES, *GRAPH_TYPES)] + exports + [GRAPHQL_RESPONSE]
    return sorted({t.split(";")[0].strip().lower() for t in types})


CODINGS = ("gzip", "br", "zstd")  # what starlette-compress writes


def chosen_coding(accept_encoding: str) -> str | None:
    """The coding to answer with: the highest q the client gives one of ``CODINGS``, ties going to
    the one it names first (starlette-compress alone prefers zstd, then br, then gzip, whatever the
    client's q-values: ``curl --compressed`` asks ``deflate, gzip, br, zstd``, and gets gzip).

    >>> chosen_coding("deflate, gzip, br, zstd"), chosen_coding("br;q=1, gzip;q=0.5"), chosen_coding("gzip;q=0, zstd")
    ('gzip', 'br', 'zstd')
    >>> chosen_coding("identity"), chosen_coding("*"), chosen_coding("gzip;q=bad, br")
    (None, 'gzip', 'br')
    """
    best: tuple[float, int, str] | None = None
    for order, part in enumerate(accept_encoding.split(",")):
        name, _, parameters = part.strip().partition(";")
        coding, q = name.strip().lower(), 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0  # a q that cannot be read accepts nothing
        coding = CODINGS[0] if coding == "*" else coding
        if coding in CODINGS and q > 0 and (best is None or (q, -order) > (best[0], best[1])):
            best = (q, -order, coding)
    return None if best is None else best[2]


class Compression:
    """starlette-compress, told the one coding ``chosen_coding`` picks from the request's
    ``Accept-Encoding`` (the request reaches the endpoint and the other middleware unchanged)."""

    def __init__(self, app: ASGIApp, minimum_size: int = MIN_COMPRESSED) -> None:
        self.app = app
        self.compress = CompressMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = b",".join(value for name, value in scope["headers"] if name == b"accept-encoding")
        coding = chosen_coding(asked.decode("latin-1"))
        headers = [(name, value) for name, value in scope["headers"] if name != b"accept-encoding"]
        if coding is not None:
            headers.append((b"accept-encoding", coding.encode()))
        await self.compress({**scope, "headers": headers}, receive, send)


def compression() -> Middleware:
    """starlette-compress over every text answer of ``MIN_COMPRESSED`` bytes or more, in the coding
    the client prefers (it adds ``Vary: Accept-Encoding`` to what it compresses)."""
    for media_type in compressed_types():
        add_compress_type(media_type)  # the library's own registry; adding again is harmless
    return Middleware(Compression, minimum_size=MIN_COMPRESSED)


EXPLAIN = "X-Explain"  # asks GraphQL to explain (api.graphql.explain), answered in the body's extensions
CORS_ALLOW_HEADERS = [
    "Accept",
    "Content-Type",
    "Authorization",
    IDEMPOTENCY_KEY,
    EXPLAIN,
    "If-None-Match",
    "If-Modified-Since",
]
CORS_EXPOSE_HEADERS = [
    "Content-Disposition",
    "ETag",
    "Link",
    "Location",
    "WWW-Authenticate",
    GENERATION,
    REPLAYED,
]


def cors(origins: list[str]) -> Middleware:
    """Starlette's CORS for ``origins`` (``*`` for any), with the project's own headers."""
    return Middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"],
        allow_headers=CORS_ALLOW_HEADERS,
        expose_headers=CORS_EXPOSE_HEADERS,
    )
