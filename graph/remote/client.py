"""The HTTP side of a remote store: one client for an engine's three endpoints, and its errors.

``SparqlClient`` speaks the standard protocols only: SPARQL 1.1 Query (an HTML form POST, answers
in SPARQL JSON or N-Triples, parsed by pyoxigraph into the types ``OxigraphStore.query`` returns),
SPARQL 1.1 Update (a form POST), and the Graph Store HTTP Protocol (a POST of N-Triples, streamed).

Credentials come from the environment (``CNRS_KG_STORE_TOKEN``: a bearer token, else
``CNRS_KG_STORE_USER`` and ``CNRS_KG_STORE_PASSWORD``: basic), never from the URL, so that they
appear neither on a command line nor in a log or an error message:

>>> Endpoints.of("https://kg.example.org/").query
'https://kg.example.org/query'
>>> Endpoints.of("https://me:secret@kg.example.org")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.errors.StoreOpenError: https://kg.example.org: cannot open the store: credentials in the URL are refused; ...

A query has a time budget: past it, the request is closed on our side (the engine may go on until
its own timeout, e.g. ``oxigraph serve --timeout-s``) and ``QueryTimeout`` is raised, as the
embedded store's query workers do.
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from graph.backend import QueryResult
from graph.errors import QueryError, QueryTimeout, StoreOpenError

USER_ENV = "CNRS_KG_STORE_USER"
PASSWORD_ENV = "CNRS_KG_STORE_PASSWORD"
TOKEN_ENV = "CNRS_KG_STORE_TOKEN"
CONNECT_TIMEOUT = 10.0
# SELECT and ASK as SPARQL JSON, CONSTRUCT and DESCRIBE as N-Triples: the engine picks by the query's form.
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/plain;q=0.1"
N_TRIPLES = "application/n-triples"
_ENV_NAMES = f"{USER_ENV} and {PASSWORD_ENV} (or {TOKEN_ENV})"


def is_remote(location: object) -> bool:
    """True for a store given as an ``http(s)://`` URL (else it is a directory).

    >>> is_remote("http://127.0.0.1:7878"), is_remote("/var/lib/cnrs-kg")
    (True, False)
    """
    return str(location).lower().startswith(("http://", "https://"))


class StoreUnreachable(StoreOpenError):
    """The engine did not answer, refused our credentials, or failed (a 5xx): not the query's fault."""


class EngineFailed(StoreUnreachable):
    """The engine answered a request with a 5xx: an update it could not apply (Oxigraph server answers
    500 to ``DROP GRAPH`` of a graph that does not exist), or a failure of its own."""


@dataclass(frozen=True)
class Endpoints:
    """Where an engine answers queries, updates and Graph Store requests (Oxigraph server's names by default)."""

    base: str
    query: str
    update: str
    store: str

    @classmethod
    def of(cls, url: str, *, update: str | None = None, store: str | None = None) -> Endpoints:
        for given in (url, update, store):
            if given is not None and urlsplit(given).password is not None:
                raise StoreOpenError(redacted(given), f"credentials in the URL are refused; set {_ENV_NAMES} instead")
        base = url.rstrip("/")
        return cls(base, f"{base}/query", update or f"{base}/update", store or f"{base}/store")


def redacted(url: str) -> str:
    """``url`` without its user information, for messages.

    >>> redacted("https://me:secret@kg.example.org/sparql")
    'https://kg.example.org/sparql'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)).rstrip("/")


def credentials(environ: Mapping[str, str] | None = None) -> httpx.Auth | None:
    """The engine's credentials from the environment: a bearer token, or a user and password, or none."""
    env = os.environ if environ is None else environ
    token = env.get(TOKEN_ENV)
    if token:
        return _Bearer(token)
    user = env.get(USER_ENV)
    if user:
        return httpx.BasicAuth(user, env.get(PASSWORD_ENV, ""))
    return None


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:  # never the token, should the object be printed
        return "_Bearer(<token>)"


class SparqlClient:
    """Queries, updates and Graph Store writes against one engine."""

    def __init__(self, endpoints: Endpoints, *, auth: httpx.Auth | None = None, budget: float | None = None) -> None:
        self.endpoints = endpoints
        self.budget = budget
        self._http = httpx.Client(auth=auth, timeout=httpx.Timeout(None, connect=CONNECT_TIMEOUT))

    def query(self, text: str, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> QueryResult:
        """Answer a query as pyoxigraph results; ``QueryTimeout`` past the budget, ``QueryError`` if refused."""
        form = [("query", text)]
        form += [("default-graph-uri", iri) for iri in default_graphs]
        form += [("named-graph-uri", iri) for iri in named_graphs]
        media, body = self._read(self.endpoints.query, form)
        results = ox.QueryResultsFormat.from_media_type(media)
        if results is not None:
            return ox.parse_query_results(body, format=results)
        rdf = ox.RdfFormat.from_media_type(media)
        if rdf is None:
            raise StoreUnreachable(self.endpoints.base, f"the engine answered a query in {media or 'no format'}")
        return _as_triples(body, rdf)

    def update(self, text: str) -> None:
        """Run a SPARQL update (one request: one transaction on Oxigraph server); ``QueryError`` if refused."""
        self._send("POST", self.endpoints.update, data={"update": text})

    def post_graph(self, graph: str, chunks: Iterable[bytes]) -> None:
        """Add N-Triples to ``graph`` by the Graph Store protocol, streamed: memory holds one chunk at a time.

        One request per graph, so that its blank nodes keep their identity (each request is a scope).
        """
        self._send("POST", self.endpoints.store, params={"graph": graph}, content=chunks, media=N_TRIPLES)

    def close(self) -> None:
        self._http.close()

    def _read(self, url: str, form: list[tuple[str, str]]) -> tuple[str, bytes]:
        """POST a query form and read its whole answer within the budget (a total, not per read)."""
        deadline = None if self.budget is None else time.monotonic() + self.budget
        timeout = httpx.Timeout(self.budget, connect=min(CONNECT_TIMEOUT, self.budget or CONNECT_TIMEOUT))
        headers = {"Accept": ACCEPT}
        try:
            with self._http.stream("POST", url, data=dict(_pairs(form)), headers=headers, timeout=timeout) as answer:
                _check(answer, self.endpoints.base)
                body = bytearray()
                for chunk in answer.iter_bytes():
                    body += chunk
                    if deadline is not None and time.monotonic() > deadline:
                        raise QueryTimeout(self.budget or 0.0)
                return answer.headers.get("content-type", "").split(";")[0].strip(), bytes(body)
        except httpx.TimeoutException as exc:
            if self.budget is not None and not isinstance(exc, httpx.ConnectTimeout):
                raise QueryTimeout(self.budget) from None
            raise StoreUnreachable(self.endpoints.base, f"no answer: {exc}") from None
        except httpx.HTTPError as exc:
            raise _unreachable(self.endpoints.base, exc) from None

    def _send(
        self,
        method: str,
        url: str,
        *,
        data: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        content: Iterable[bytes] | None = None,
        media: str | None = None,
    ) -> None:
        headers = {"Content-Type": media} if media else {}
        try:
            answer = self._http.request(method, url, data=data, params=params, content=content, headers=headers)
        except httpx.HTTPError as exc:
            raise _unreachable(self.endpoints.base, exc) from None
        _check(answer, self.endpoints.base)


def _pairs(form: list[tuple[str, str]]) -> Iterator[tuple[str, str | list[str]]]:
    """Form fields, a repeated name as one list (what httpx takes for repeated fields)."""
    grouped: dict[str, list[str]] = {}
    for name, value in form:
        grouped.setdefault(name, []).append(value)
    for name, values in grouped.items():
        yield name, values[0] if len(values) == 1 else values


def _check(answer: httpx.Response, base: str) -> None:
    """Raise for a refusal: the query's fault (4xx) is ``QueryError``, the engine's is ``StoreUnreachable``."""
    if answer.is_success:
        return
    answer.read()
    reason = (answer.text.strip().splitlines() or [answer.reason_phrase])[0][:500]
    if answer.status_code in (401, 403):
        refused = f"the engine refused our credentials (HTTP {answer.status_code}); set {_ENV_NAMES}"
        raise StoreUnreachable(base, refused)
    if answer.status_code == 404:
        where = redacted(str(answer.request.url).split("?", 1)[0])
        raise StoreUnreachable(
            base, f"no endpoint at {where} (HTTP 404); check --store, --update-endpoint, --graph-store"
        )
    if 400 <= answer.status_code < 500:
        raise QueryError(f"SPARQL error from the store: {reason}")
    raise EngineFailed(base, f"the engine failed (HTTP {answer.status_code}): {reason}")


def _unreachable(base: str, exc: httpx.HTTPError) -> StoreUnreachable:
    return StoreUnreachable(base, f"no answer ({type(exc).__name__}); start the engine or check the URL")


def _as_triples(body: bytes, fmt: ox.RdfFormat) -> ox.QueryTriples:
    """Triples in ``fmt`` as a ``QueryTriples``, the type the embedded store answers CONSTRUCT with
    (pyoxigraph makes one only from a query: over an in-memory store holding them)."""
    scratch = ox.Store()
    scratch.bulk_load(body, format=fmt)
    result = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result
