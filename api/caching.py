"""HTTP caching in one ASGI middleware, ``Caching``: validators, conditional requests, Cache-Control.

- Data answers (a 200 to a GET or HEAD of ``DATA_PATHS``: SPARQL queries, linked-data pages, VoID,
  exports, the Graph Store, GraphQL queries, the explorer's helpers) carry a weak ``ETag`` made of
  the store's write generation and time, the server's start, and what the request asks: host,
  path, query string, ``Accept`` and ``Accept-Encoding`` (the representation, so that a gzip and an
  identity answer never share a tag). Every write moves the generation, so a tag never outlives
  the data it describes; the server's start is in it because a new version or configuration may
  answer the same request otherwise.
- Over a remote store (``graph.remote``), any number of replicas answer behind a balancer, so the
  tag depends only on the engine's state and the request: the generation and last write read from
  the engine at each request, and cnrs-kg's version (``ORIGIN``) instead of the server's start. Every
  replica gives the same tag to the same request, so a 304 holds when the balancer switches; the
  replicas must run the same version and configuration (``--timeout``, ``--max-rows``), as they must
  to give the same answers. That read, once per request (but for ``/static/``), is also what moves
  the store's ``generation`` before the endpoint runs, so that the caches each process keeps by
  generation (VoID, linked-data pages, collaboration profiles) see a write made through another
  replica at the next request. An engine that does not answer it: 503, one line.
- The tag is computed before the answer, so ``If-None-Match`` naming it is a 304 at once: the query
  is not run. ``If-Modified-Since`` is honoured when the request has no ``If-None-Match``.
- ``Last-Modified``: the later of the store's last write and the server's start (over a remote
  store: the last write only), to the second; left out while that second is the current one, since
  a write later in the same second would carry the same date, and when nothing was ever written
  to a remote store.
- ``Cache-Control``, unless the endpoint set one: data answers ``public, max-age=0, must-revalidate``
  (stored, always revalidated: cheap with the tag); ``/static/`` assets a week; writes, errors,
  ``/health`` and write receipts ``no-store``; other pages ``no-cache``.
- A GraphQL answer holding ``errors`` (a query over the time budget, say) gets no tag, and neither
  does a request asking to explain (its timings are new each time).

>>> matches('W/"3-ab", "x"', 'W/"3-ab"'), matches("*", 'W/"3-ab"'), matches('"3-ac"', 'W/"3-ab"')
(True, False, False)
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import engine_unreachable
from graph import OxigraphStore
from graph.remote import RemoteStore, StoreUnreachable

__all__ = ["ASSETS", "DATA", "DATA_PATHS", "NO_STORE", "ORIGIN", "PAGES", "Basis", "Caching", "matches"]

DATA = "public, max-age=0, must-revalidate"
ASSETS = "public, max-age=604800"  # vendor scripts change only with the project's lock file
NO_STORE = "no-store"
PAGES = "no-cache"
# Answers that depend only on the store and the request.
DATA_PATHS = (
    "/sparql",
    "/id/",
    "/.well-known/void",
    "/export/",
    "/store",
    "/graphql",
    "/explore/",
    "/ontology",
    "/graph/",
    "/rules/",
)
PRIVATE_PATHS = ("/health", "/writes/")
VARY = ("Accept", "Accept-Encoding")  # what the tag is made of, besides the URL
# What replicas over one engine share in place of a start time: the software that answers.
ORIGIN = f"cnrs-kg {importlib.metadata.version('cnrs-kg')}"


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p.rstrip("/") or path.startswith(p if p.endswith("/") else p + "/") for p in prefixes)


def matches(if_none_match: str, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag``, by the weak comparison RFC 9110 asks for GET.

    ``*`` is not taken as a match: it asks whether the resource exists, which is not known before
    the endpoint runs, and a 200 is always a correct answer.
    """
    wanted = tag.removeprefix("W/")
    return any(given.strip().removeprefix("W/") == wanted for given in if_none_match.split(","))


def _is_data(scope: Scope, headers: Headers) -> bool:
    """A GET or HEAD of a data path whose answer depends only on the store and the request."""
    path: str = scope["path"]
    if scope["method"] not in ("GET", "HEAD") or not _under(path, DATA_PATHS):
        return False
    if path == "/graphql" or path.startswith("/graphql/"):
        params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        explain = "x-explain" in headers or "explain" in "".join(params.get("extensions", []))
        return "query" in params and not explain  # without a query: GraphiQL, a page
    return True


def _cache_control(scope: Scope, status: int) -> str:
    """What ``Cache-Control`` a response with ``status`` to this request says (unless it says its own)."""
    path: str = scope["path"]
    if status >= 400 or scope["method"] not in ("GET", "HEAD") or _under(path, PRIVATE_PATHS):
        return NO_STORE
    if _under(path, ("/static/",)):
        return ASSETS
    return PAGES


def _second(at: datetime) -> datetime:
    return at.replace(microsecond=0)


@dataclass(frozen=True)
class Basis:
    """What the validators of one request are made of, read once before it is answered.

    ``origin``: the server's start (embedded store) or ``ORIGIN`` (remote); ``since``: a time the
    answers may have changed at besides the last write (the server's start), or None.
    """

    generation: int
    modified: str | None
    origin: str
    since: datetime | None


class Caching:
    """ASGI middleware: ETag, Last-Modified and 304s for data answers, and Cache-Control on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.started = datetime.now(UTC)
        self.instance = str(time.time_ns())

    def basis(self, store: OxigraphStore | RemoteStore) -> Basis:
        """The store's state now: from memory (embedded), or one query to the engine (remote)."""
        book = store.bookkeeping()
        if isinstance(store, RemoteStore):
            return Basis(book.generation, book.modified, ORIGIN, None)
        return Basis(store.generation, book.modified, self.instance, self.started)

    def tag(self, basis: Basis, scope: Scope, headers: Headers) -> str:
        """The weak ETag of the answer to this request on the store in the state ``basis``."""
        digest = hashlib.sha256()
        parts = [
            basis.origin,
            basis.modified or "",
            headers.get("host", ""),
            scope.get("root_path", ""),
            scope.get("raw_path") or scope["path"],
            scope.get("query_string", b""),
            *(",".join(headers.getlist(name)).lower().replace(" ", "") for name in VARY),
        ]
        for part in parts:
            data = part.encode("utf-8") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return f'W/"{basis.generation}-{digest.hexdigest()[:24]}"'

    @staticmethod
    def last_modified(basis: Basis) -> datetime | None:
        """When the answers last changed (the last write, or the server's start); None within that
        second, or if neither is known."""
        times = [_second(basis.since)] if basis.since is not None else []
        if basis.modified:
            times.append(datetime.fromisoformat(basis.modified.replace("Z", "+00:00")))
        latest = max(times, default=None)
        return None if latest is None or latest >= _second(datetime.now(UTC)) else latest

    async def read(self, store: OxigraphStore | RemoteStore) -> Basis:
        """``basis``, off the event loop when it asks the engine."""
        if isinstance(store, RemoteStore):
            return await run_in_threadpool(self.basis, store)
        return self.basis(store)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":  # preflights: CORSMiddleware's own
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        store = scope.get("state", {}).get("store")
        data = isinstance(store, OxigraphStore | RemoteStore) and _is_data(scope, headers)
        basis: Basis | None = None
        if data or (isinstance(store, RemoteStore) and not _under(scope["path"], ("/static/",))):
            assert isinstance(store, OxigraphStore | RemoteStore)
            try:
                # Read before the answer is computed: a write meanwhile makes the tag stale, never too new.
                basis = await self.read(store)
            except StoreUnreachable as exc:  # a balancer tries the next replica on a 503
                await engine_unreachable(exc)(scope, receive, send)
                return
        if data and basis is not None:
            validators = _validators(self.tag(basis, scope, headers), self.last_modified(basis))
            if _not_modified(headers, validators):
                await _answer_304(send, validators)
                return
            await self.app(scope, receive, _tagging(send, scope, validators))
            return
        await self.app(scope, receive, _stating(send, scope))


def _validators(tag: str, modified: datetime | None) -> dict[str, str]:
    """The headers a data answer (or its 304) carries."""
    found = {"ETag": tag, "Cache-Control": DATA, "Vary": ", ".join(VARY)}
    if modified is not None:
        found["Last-Modified"] = format_datetime(modified, usegmt=True)
    return found


def _not_modified(headers: Headers, validators: dict[str, str]) -> bool:
    """RFC 9110 13.2.2: If-None-Match if given, else If-Modified-Since."""
    if_none_match = ",".join(headers.getlist("if-none-match"))
    if if_none_match:
        return matches(if_none_match, validators["ETag"])
    since, modified = headers.get("if-modified-since"), validators.get("Last-Modified")
    if not since or modified is None:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):  # not an HTTP date: ignored, as RFC 9110 asks
        return False


async def _answer_304(send: Send, validators: dict[str, str]) -> None:
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in validators.items()]
    await send({"type": "http.response.start", "status": 304, "headers": raw})
    await send({"type": "http.response.body", "body": b""})


def _with(message: Message, extra: dict[str, str], *, replace: bool = False) -> Message:
    """The start ``message`` with ``extra`` headers (each only if absent unless ``replace``; Vary merged),
    on a new list: an endpoint may keep its response, and its headers, to answer again."""
    headers = MutableHeaders(raw=list(message["headers"]))
    for name, value in extra.items():
        if name == "Vary":
            have = {v.strip().lower() for v in headers.get("vary", "").split(",")}
            for token in value.split(", "):
                if token.lower() not in have:
                    headers.add_vary_header(token)
        elif replace or name not in headers:
            headers[name] = value
    return {**message, "headers": headers.raw}


def _stating(send: Send, scope: Scope) -> Send:
    """``send`` stating the Cache-Control of the kind of answer."""

    async def stating_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = Headers(raw=message["headers"])
            etag = headers.get("etag", "")
            message = _with(message, {"Cache-Control": _cache_control(scope, int(message["status"]))})
            if headers.get("content-encoding") and etag.startswith('"'):
                # A static file's strong tag names its bytes, not the compressed ones (nginx does the same).
                message = _with(message, {"ETag": "W/" + etag}, replace=True)
        await send(message)

    return stating_send


def _tagging(send: Send, scope: Scope, validators: dict[str, str]) -> Send:
    """``send`` adding the validators to a 200 data answer; the start is held until the first body,
    so that a GraphQL answer holding errors goes untagged."""
    start: Message | None = None

    async def tagging_send(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if start is not None:
            held, start = start, None
            status = int(held["status"])
            body: bytes = message.get("body", b"") if message["type"] == "http.response.body" else b""
            if status == 200 and not (scope["path"].startswith("/graphql") and b'"errors":' in body):
                held = _with(held, validators)
            else:
                cache_control = NO_STORE if status == 200 else _cache_control(scope, status)
                held = _with(held, {"Cache-Control": cache_control})
            await send(held)
        await send(message)

    return tagging_send
