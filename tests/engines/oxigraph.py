"""``oxigraph serve`` for the tests: started on a free loopback port over a temporary directory, stopped after.

The server answers over the union of its graphs (``--union-default-graph``), as cnrs-kg needs
(``graph.remote``). ``oxigraph`` is the PyPI package pinned with pyoxigraph, in the virtual environment.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from api.testing import background_server

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
ATTEMPTS = 3  # a free port found may be taken by another process before the server binds it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def oxigraph_serve(location: Path, *, timeout_s: int | None = None, union: bool = True) -> Iterator[str]:
    """An ``oxigraph serve`` over ``location`` until the block ends; yields its base URL.

    ``timeout_s``: the engine's own query timeout (``--timeout-s``), for tests of budgets.
    ``union``: queries over the union of the graphs (what cnrs-kg needs); False to test its refusal.
    """
    for attempt in range(ATTEMPTS):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        if union:
            command.append("--union-default-graph")
        if timeout_s is not None:
            command += ["--timeout-s", str(timeout_s)]
        server = ExitStack()
        try:
            server.enter_context(
                background_server(command, f"{url}/query?query=ASK%7B%7D", log=location.with_suffix(".log"))
            )
        except RuntimeError:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        with server:
            yield url
        return
