"""Cross-cutting HTTP concerns: the access log, the deadline on request bodies, the error page.

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
"""

from __future__ import annotations

import json
import logging
import time

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class BodyDeadline:
    """ASGI middleware: the whole request body within ``seconds``, else 408 and the connection closed.

    Once the deadline has passed, whatever the application answers (it may catch ``BodyTimeout``,
    or turn it into a 500) is dropped: the client gets the 408, with ``Connection: close`` so that
    the server closes the connection instead of reading on.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = anyio.current_time() + self.seconds
        body_done = expired = started = False

        async def timed_receive() -> Message:
            nonlocal body_done, expired
            if body_done or expired:
                return await receive()  # after the body, only the disconnect is waited for
            with anyio.move_on_after(max(0.0, deadline - anyio.current_time())) as waiting:
                message = await receive()
            if waiting.cancelled_caught:
                expired = True
                raise BodyTimeout(f"request body not received within {self.seconds:g} s")
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if expired:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, guarded_send)
        except BodyTimeout:
            if started:
                raise  # too late for a 408: the server closes the connection
        finally:
            if expired and not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = f"request body not received within {self.seconds:g} s; send the whole body at once\n".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 408,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    """The request body is over the server's limit (raised by ``receive``)."""


class BodyLimit:
    """ASGI middleware: request bodies of at most ``limit`` bytes; a larger one is a one-line 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        over = started = False

        async def counted_receive() -> Message:
            nonlocal received, over
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                over = True
                raise BodyTooLarge(f"request body over {self.limit} bytes")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            if started:
                raise
        finally:
            if over and not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = f"request body over {self.limit:,} bytes, this server's limit; load large files with 'cnrs-kg load'\n"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body.encode())).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


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
            body = b"internal server error: the server logged it; try again later, or report it if it persists\n"
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
