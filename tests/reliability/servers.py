"""Real ``cnrs-kg serve`` processes for the suite, on loopback and a free port, over a store copy."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from api.auth import TOKEN_ENV
from api.testing import background_server, cnrs_kg_command, free_port
from tests.reliability.knobs import TOKEN

GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@dataclass(frozen=True)
class Server:
    base: str
    store: Path
    log: Path
    token: str | None = None

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    @property
    def auth(self) -> dict[str, str]:
        """The header a write needs on this server."""
        return {"authorization": f"Bearer {self.token}"} if self.token else {}

    def process(self) -> psutil.Process:
        """The server process: the one listening on the port (``background_server`` hides its handle)."""
        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == self.port and conn.status == psutil.CONN_LISTEN and conn.pid:
                return psutil.Process(conn.pid)
        raise AssertionError(f"no process listens on port {self.port}")


@contextmanager
def serve(store: Path, log: Path, *, writable: bool = False, budget: float | None = None) -> Iterator[Server]:
    """``cnrs-kg serve`` over ``store`` until the block ends (its log in ``log``); writable ones need ``TOKEN``."""
    port = free_port()
    args = ["serve", "--port", str(port), "--store", str(store)]
    if writable:
        args.append("--writable")
    if budget is not None:
        args += ["--timeout", str(budget)]
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    if writable:
        env[TOKEN_ENV] = TOKEN
    base = f"http://127.0.0.1:{port}"
    with background_server(cnrs_kg_command(*args), f"{base}/health", env=env, log=log):
        yield Server(base, store, log, TOKEN if writable else None)


def kill(process: psutil.Process) -> None:
    """SIGKILL ``process``, then its children (query workers) by their ids, and wait until all are gone."""
    children = process.children(recursive=True)
    os.kill(process.pid, signal.SIGKILL)
    for child in children:
        with suppress(psutil.NoSuchProcess):
            child.send_signal(signal.SIGKILL)
    psutil.wait_procs([process, *children], timeout=10)


def graph_sizes(server: Server) -> dict[str, int]:
    """Statements per graph, as the server's SPARQL endpoint counts them."""
    answer = httpx.post(f"{server.base}/sparql", data={"query": GRAPH_SIZES}, headers={"accept": "text/csv"})
    assert answer.status_code == 200, answer.text
    rows = [line.split(",") for line in answer.text.strip().splitlines()[1:]]
    return {g: int(n) for g, n in rows}
