"""Cross-cutting HTTP concerns: the structured access log.

One JSON object per request on the ``cnrs_kg.access`` logger: method, path, status, duration in
milliseconds, and for SPARQL requests the query's length (never its text, which may be large or
private), so that slow queries can be found and counted.
"""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOG = logging.getLogger("cnrs_kg.access")


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
