"""Concurrent HTTP clients for the benchmarks: threads sending requests until a budget is spent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Hammered:
    """What the clients measured: latencies of the answered requests (sorted), failures, wall time."""

    latencies_ms: list[float]
    errors: int
    seconds: float


def hammer(
    send: Callable[[httpx.Client, int], bool], clients: int, seconds: float, requests: int | None = None
) -> Hammered:
    """``clients`` threads call ``send(client, k)`` (k: the thread's number, then +1 per request; False or an
    HTTP error is a failure) until ``seconds`` pass or ``requests`` were issued in all."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = issued = 0
    start = time.perf_counter()
    deadline = start + seconds

    def loop(k: int) -> None:
        nonlocal errors, issued
        with httpx.Client(timeout=60.0) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if requests is not None and issued >= requests:
                        return
                    issued += 1
                t0 = time.perf_counter()
                try:
                    ok = send(client, k)
                except (httpx.HTTPError, RuntimeError):
                    ok = False
                elapsed_ms = (time.perf_counter() - t0) * 1000
                k += 1
                with lock:
                    if ok:
                        latencies.append(elapsed_ms)
                    else:
                        errors += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Hammered(sorted(latencies), errors, time.perf_counter() - start)
