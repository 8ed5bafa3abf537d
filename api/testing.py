"""Run an HTTP server in a child process for as long as a ``with`` block: for tests, benchmarks, tools.

>>> cnrs_kg_command("serve", "--port", "8000")[-3:]
['serve', '--port', '8000']
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cnrs_kg_command(*args: str) -> list[str]:
    """The ``cnrs-kg`` command line run by this interpreter (no need for the console script on PATH)."""
    return [sys.executable, "-c", "from cli import main; main()", *args]


@contextmanager
def background_server(
    command: Sequence[str],
    probe: str,
    *,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 60.0,
) -> Iterator[None]:
    """Run ``command`` until the block ends; enter once ``probe`` answers 2xx.

    Raises ``RuntimeError`` if the server exits or does not answer within ``timeout`` seconds
    (quoting the end of ``log`` when given); the server is stopped (terminated, then killed) on exit.
    """
    output = log.open("wb") if log is not None else subprocess.DEVNULL
    try:
        process = subprocess.Popen(list(command), env=env, stdout=output, stderr=subprocess.STDOUT)
    finally:
        if log is not None and not isinstance(output, int):
            output.close()
    try:
        wait_until_answering(process, probe, time.monotonic() + timeout, log, name=command[0])
        yield
    finally:
        stop(process)


def wait_until_answering(
    process: subprocess.Popen[bytes], probe: str, deadline: float, log: Path | None, *, name: str
) -> None:
    """Return once ``probe`` answers 2xx; ``RuntimeError`` if ``process`` exits first (quoting the
    end of ``log``) or the monotonic ``deadline`` passes."""
    while True:
        if process.poll() is not None:
            tail = f":\n{log.read_text(errors='replace')[-2000:]}" if log is not None else ""
            raise RuntimeError(f"{name} exited with status {process.returncode} before answering{tail}")
        try:
            if httpx.get(probe, timeout=2.0).is_success:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not answer {probe} in time")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate ``process``, then kill it if it has not ended within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
