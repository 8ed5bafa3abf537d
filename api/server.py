"""Serving the app with uvicorn, with limits on slow, idle and too many clients.

uvicorn's own settings bound what they can: an idle connection between two requests
(``timeout_keep_alive``), the size of a request head (``h11_max_incomplete_event_size``), open
connections (``limit_concurrency``: a 503 past it) and the queue of connections not yet accepted
(``backlog``). uvicorn has no limit on the time a client takes to send a request; here:

- ``HeadTimeoutProtocol`` (uvicorn's h11 protocol) closes a connection whose request head is not
  complete ``head_timeout`` seconds after the connection opened or after the previous response:
  a connection that sends nothing, a request line that never ends (no version), headers sent one
  byte at a time;
- ``api.middleware.BodyDeadline`` answers 408 and closes the connection when the whole body has
  not arrived ``body_timeout`` seconds after the head.

WebSockets are off: no endpoint uses them, and an upgraded connection would leave both limits.

>>> settings = config(lambda scope, receive, send: None, "127.0.0.1", 8000, head_timeout=2)
>>> settings.head_timeout, settings.timeout_keep_alive, settings.limit_concurrency
(2, 5, 1000)
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from typing_extensions import TypedDict, Unpack
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from api.middleware import BodyDeadline

__all__ = [
    "BODY_TIMEOUT",
    "HEAD_TIMEOUT",
    "KEEP_ALIVE",
    "MAX_CONNECTIONS",
    "MAX_HEAD",
    "Config",
    "HeadTimeoutProtocol",
    "Limits",
    "config",
    "serve",
]

HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
KEEP_ALIVE = 5
MAX_CONNECTIONS = 1000
MAX_HEAD = 16 * 1024  # h11's default, stated: request line and headers together
BACKLOG = 2048
log = logging.getLogger("cnrs_kg.server")


class Config(uvicorn.Config):
    """uvicorn's configuration, plus the time a client has to send a request head."""

    def __init__(self, app: ASGIApp, *, head_timeout: float = HEAD_TIMEOUT, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.head_timeout = head_timeout


class HeadTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head is late (see the module).

    The timer runs from ``connection_made`` and from the end of each response, and stops when h11
    has parsed a request head, which is when uvicorn starts a new request cycle.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.head_timeout = config.head_timeout if isinstance(config, Config) else HEAD_TIMEOUT
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a request head was parsed
            self._stop_head_timer()

    def on_response_complete(self) -> None:
        # Started first: a pipelined request, whose head super() parses, stops it again.
        self._start_head_timer()
        super().on_response_complete()

    def _start_head_timer(self) -> None:
        self._stop_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            log.info("closed a connection from %s: no complete request head in %g s", self.client, self.head_timeout)
            self.transport.close()


class Limits(TypedDict, total=False):
    """The limits ``config`` takes, by keyword."""

    head_timeout: float
    body_timeout: float
    keep_alive: int
    max_connections: int
    max_head: int
    backlog: int


def config(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    head_timeout: float = HEAD_TIMEOUT,
    body_timeout: float = BODY_TIMEOUT,
    keep_alive: int = KEEP_ALIVE,
    max_connections: int = MAX_CONNECTIONS,
    max_head: int = MAX_HEAD,
    backlog: int = BACKLOG,
) -> Config:
    """The uvicorn configuration serving ``app`` on ``host:port`` with these limits (seconds, counts,
    bytes); the access log is the app's own (``api.middleware.AccessLog``)."""
    return Config(
        BodyDeadline(app, body_timeout),
        head_timeout=head_timeout,
        host=host,
        port=port,
        http=HeadTimeoutProtocol,
        ws="none",
        timeout_keep_alive=keep_alive,
        limit_concurrency=max_connections,
        h11_max_incomplete_event_size=max_head,
        backlog=backlog,
        log_level="info",
        access_log=False,
    )


def serve(app: ASGIApp, host: str, port: int, **limits: Unpack[Limits]) -> None:
    """Serve ``app`` until the process is told to stop; ``limits``: the keywords of ``config``."""
    uvicorn.Server(config(app, host, port, **limits)).run()
