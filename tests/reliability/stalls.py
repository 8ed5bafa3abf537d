"""Slow clients: connections that hold a server without ever finishing their request.

Four kinds, ``per_kind`` connections each, all driven by one thread that wakes every ``tick``:

- ``trickled body``: a POST declaring a 100 kB body, sent one byte per tick (slowloris);
- ``short body``: a POST whose body stops short of its Content-Length;
- ``unfinished headers``: headers sent one byte per tick, never ended;
- ``idle``: a connection that sends nothing.

``dropped`` tells, for each connection, how many seconds after it opened the server closed it or
answered it (None while it is still held).
"""

from __future__ import annotations

import select
import socket
import threading
import time
from dataclasses import dataclass, field

KINDS = ("trickled body", "short body", "unfinished headers", "idle")


@dataclass
class _Conn:
    kind: str
    sock: socket.socket
    opened: float
    pending: bytes  # what is still to be sent, a byte per tick
    dropped: float | None = None


def _opening(kind: str) -> tuple[bytes, bytes]:
    """What a connection of ``kind`` sends at once, and what it then trickles."""
    post = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    if kind == "trickled body":
        return post + b"Content-Length: 100000\r\n\r\n", b"query=" + b"a" * 99_994
    if kind == "short body":
        return post + b"Content-Length: 1000\r\n\r\nquery=ASK", b""
    if kind == "unfinished headers":
        return b"GET /health HTTP/1.1\r\n", b"X-Slow: " + b"a" * 10_000
    return b"", b""


@dataclass
class Stalls:
    port: int
    per_kind: int = 16
    tick: float = 0.25
    conns: list[_Conn] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        for kind in KINDS:
            for _ in range(self.per_kind):
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                first, rest = _opening(kind)
                sock.sendall(first)
                sock.setblocking(False)
                self.conns.append(_Conn(kind, sock, time.monotonic(), rest))
        self._thread = threading.Thread(target=self._drive, daemon=True)
        self._thread.start()

    def _drive(self) -> None:
        while not self._stop.wait(self.tick):
            open_ = [c for c in self.conns if c.dropped is None]
            readable, _, _ = select.select([c.sock for c in open_], [], [], 0)
            now = time.monotonic()
            for conn in open_:
                if conn.sock in readable:  # the server answered (408, 413...) or closed: either frees it
                    conn.dropped = now - conn.opened
                    continue
                if conn.pending:
                    try:
                        conn.sock.send(conn.pending[:1])
                        conn.pending = conn.pending[1:]
                    except OSError:
                        conn.dropped = now - conn.opened

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        for conn in self.conns:
            conn.sock.close()

    def held(self, longer_than: float) -> dict[str, int]:
        """How many connections of each kind the server held open longer than ``longer_than`` seconds."""
        now = time.monotonic()
        counts: dict[str, int] = {}
        for conn in self.conns:
            if (conn.dropped if conn.dropped is not None else now - conn.opened) > longer_than:
                counts[conn.kind] = counts.get(conn.kind, 0) + 1
        return counts
