"""The one map from typed errors to HTTP answers: endpoints raise, ``HANDLERS`` answers.

The HTTP side's own errors (the graph's are ``graph.errors``), each with its status:

HTTPError
├── BadRequest             400  a malformed request: parameter, header, body
├── Unauthorized           401  a write without its bearer token (``WWW-Authenticate: Bearer``)
├── Forbidden              403  a write the server does not take (read-only, wrong token, its own graphs)
├── NotFound               404  no such graph, entity or receipt
├── NotAcceptable          406  no offer fits ``Accept``; ``offers`` are the media types there are
├── PayloadTooLarge        413  a request body over the limit
├── UnsupportedMediaType   415  a request body in a format not taken
├── Unprocessable          422  a well-formed request that cannot be done (a reused idempotency key)
└── ServiceUnavailable     503  the server is too busy for it now

``HANDLERS`` (Starlette's ``exception_handlers``) answers each of them, and the graph's errors,
with its status and one ``text/plain`` line, the error's ``str()``: ``QueryError`` and
``BadArgument`` 400, ``ResultTooLarge`` 422, ``QueryTimeout`` and ``StoreLockedError`` 503, an engine that
does not answer (``graph.remote.StoreUnreachable``) 503 with a fixed line. Any other
exception (a bare ``GraphError`` included: a worker that died) is ours: ``api.middleware.ErrorPage``
logs it with its traceback and answers a masked 500. A ``ValueError`` is not the client's unless
it is a ``BadArgument``.

The errors pickle with their arguments, so that a query worker's refusal crosses the pipe with
its type (``api.workers``):

>>> import pickle
>>> refusal = pickle.loads(pickle.dumps(NotAcceptable(["text/turtle", "application/n-triples"], "a graph")))
>>> str(refusal)
'no acceptable format: a graph is served as text/turtle, application/n-triples; ask for one of them in Accept'
>>> refusal.status, refusal.offers
(406, ('text/turtle', 'application/n-triples'))
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from graph.errors import BadArgument, QueryError, QueryTimeout, ResultTooLarge, StoreLockedError
from graph.remote import StoreUnreachable

log = logging.getLogger("cnrs_kg.api")

__all__ = [
    "HANDLERS",
    "BadRequest",
    "Forbidden",
    "HTTPError",
    "NotAcceptable",
    "NotFound",
    "PayloadTooLarge",
    "ServiceUnavailable",
    "Unauthorized",
    "Unprocessable",
    "UnsupportedMediaType",
]


class HTTPError(Exception):
    """An error the client caused (or must wait out); ``str()`` is one line: what, and what to do."""

    status: ClassVar[int] = 400
    headers: ClassVar[Mapping[str, str]] = {}


class BadRequest(HTTPError):
    status = 400


class Unauthorized(HTTPError):
    status = 401
    headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}


class Forbidden(HTTPError):
    status = 403


class NotFound(HTTPError):
    status = 404


class NotAcceptable(HTTPError):
    """No offer fits the request's ``Accept``; ``what`` names what is served (``a graph``)."""

    status = 406

    def __init__(self, offers: Sequence[str], what: str = "this resource") -> None:
        self.offers = tuple(offers)
        self.what = what
        super().__init__(
            f"no acceptable format: {what} is served as {', '.join(self.offers)}; ask for one of them in Accept"
        )

    def __reduce__(self) -> tuple[type[NotAcceptable], tuple[tuple[str, ...], str]]:
        return type(self), (self.offers, self.what)


class PayloadTooLarge(HTTPError):
    status = 413


class UnsupportedMediaType(HTTPError):
    status = 415


class Unprocessable(HTTPError):
    status = 422


class ServiceUnavailable(HTTPError):
    status = 503


def _answer(status: int, headers: Mapping[str, str] | None = None) -> Callable[[Request, Exception], Response]:
    def answer(request: Request, exc: Exception) -> Response:
        return PlainTextResponse(f"{exc}\n", status_code=status, headers=dict(headers or {}))

    return answer


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPError)
    return _answer(exc.status, exc.headers)(request, exc)


def engine_unreachable(exc: Exception) -> Response:
    """503, so that a balancer tries another replica; the engine's address stays in the log. Also
    answered by ``api.caching``, which asks the engine before any endpoint (outside these handlers)."""
    log.warning("the SPARQL engine did not answer: %s", exc)
    message = "the SPARQL engine behind this server did not answer; try again shortly\n"
    return PlainTextResponse(message, status_code=503, headers={"Retry-After": "5", "Cache-Control": "no-store"})


def _unreachable(request: Request, exc: Exception) -> Response:
    return engine_unreachable(exc)


# Starlette picks the handler of the nearest class in the exception's MRO.
HANDLERS: dict[Any, Callable[[Request, Exception], Response]] = {
    HTTPError: _http,
    QueryError: _answer(400),
    BadArgument: _answer(400),
    ResultTooLarge: _answer(422),
    QueryTimeout: _answer(503),
    StoreLockedError: _answer(503),
    StoreUnreachable: _unreachable,
}
