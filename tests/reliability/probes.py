"""Talking to a live server the way hostile or broken clients do, and judging its answers.

- ``judge``: what is wrong with an answer to a fuzzed request (a 5xx other than a stopped query,
  a traceback or a filesystem path in the body); every judged answer is counted in ``TALLY``.
- ``raw``: one request written byte for byte on a socket (``..`` and ``%00`` kept, a body shorter
  than its Content-Length, any bytes in the path), for what an HTTP client library would fix.
- ``HealthWatch``: ``/health`` polled in a thread while a test runs; it records every probe that
  failed or took longer than a second;
- ``Listener``: a local port that counts the connections made to it (a server sent to fetch a URL);
- ``fragment_dag``, ``alias_flood``: GraphQL documents of a few kilobytes that cost a naive server minutes.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

from tests.reliability.tally import TALLY

PROJECT = str(Path(__file__).resolve().parents[2])
LEAKS = ("Traceback (most recent call last)", 'File "/', "site-packages", PROJECT, "/tmp/pytest-", "/usr/lib/python")
BUDGET_MESSAGE = "time budget"


def leak(body: str) -> str | None:
    """The first sign of a traceback or of a filesystem path in an answer's body, if any."""
    return next((sign for sign in LEAKS if sign in body), None)


def judge(status: int, body: str, *, what: str = "") -> list[str]:
    """What is wrong with one answer (nothing: an empty list); counts it as a fuzzed request.

    A 503 that says the query ran over its time budget is the server doing its job; any other 5xx is
    an error (counted in ``TALLY.errors``).
    """
    TALLY.fuzzed += 1
    problems = []
    if status >= 500 and not (status == 503 and BUDGET_MESSAGE in body):
        TALLY.errors += 1
        problems.append(f"{what}: {status} {body[:200]!r}")
    sign = leak(body)
    if sign is not None:
        problems.append(f"{what}: the answer shows {sign!r}: {body[:300]!r}")
    return problems


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def request_bytes(
    method: str,
    target: bytes,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    *,
    length: int | None = None,
) -> bytes:
    """An HTTP/1.1 request as sent on the wire; ``length`` declares a Content-Length other than the body's."""
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [f"{k}: {v}".encode() for k, v in (headers or {}).items()]
    if body or length is not None:
        lines.append(f"Content-Length: {len(body) if length is None else length}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def raw(base: str, request: bytes, *, timeout: float = 10.0) -> RawAnswer:
    """Send ``request`` as is and read the answer; ``TimeoutError`` if none comes within ``timeout``."""
    with socket.create_connection(("127.0.0.1", port_of(base)), timeout=timeout) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
            return RawAnswer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            response.close()


def raw_get(base: str, target: bytes, headers: Mapping[str, str] | None = None) -> RawAnswer:
    return raw(base, request_bytes("GET", target, headers))


@dataclass
class HealthWatch:
    """Polls ``base``/health every ``every`` seconds until the block ends; ``failures`` says what went wrong."""

    base: str
    limit: float = 1.0
    every: float = 0.1
    checks: int = 0
    slowest: float = 0.0
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _poll(self) -> None:
        with httpx.Client(timeout=self.limit + 4) as client:
            while True:
                start = time.monotonic()
                try:
                    status = client.get(f"{self.base}/health").status_code
                    problem = None if status == 200 else f"/health answered {status}"
                except httpx.HTTPError as exc:
                    problem = f"/health failed: {type(exc).__name__}"
                elapsed = time.monotonic() - start
                self.slowest = max(self.slowest, elapsed)
                if problem is None and elapsed > self.limit:
                    problem = f"/health took {elapsed:.1f} s"
                self.checks += 1
                if problem is not None:
                    self.failures.append(problem)
                if self._stop.wait(self.every):
                    return

    def __enter__(self) -> HealthWatch:
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def assert_answered(self) -> None:
        assert self.checks >= 1
        assert not self.failures, f"{len(self.failures)} of {self.checks} /health probes failed: {self.failures[:5]}"


class Listener:
    """A TCP port that counts the connections made to it (a server sent to fetch something)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def fragment_dag(levels: int = 22) -> str:
    """Fragments each spreading the previous one twice: 2**levels fields once expanded."""
    fragments = ["fragment F0 on Institution { name }"]
    fragments += [f"fragment F{i} on Institution {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)]
    return f'{{ institution(ror: "02feahw73") {{ ...F{levels - 1} }} }} ' + " ".join(fragments)


def alias_flood(aliases: int = 109) -> str:
    """The two-hop network of the CNRS, ``aliases`` times over (about 1.5 s of SPARQL each)."""
    fields = " ".join(f'a{i}: network(seeds: "CNRS", hops: 2) {{ nodes {{ hops }} }}' for i in range(aliases))
    return f"{{ {fields} }}"
