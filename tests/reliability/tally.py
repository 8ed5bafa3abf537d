"""The suite's counters, printed once at the end of the run by ``conftest.pytest_terminal_summary``.

Tests add to them as they go: every request sent to fuzz a server, every fault injected (a
SIGKILL, a full disk, a second load), every unexpected 5xx answer seen, every statement a fault
lost, and the latencies of the load test's cheap requests.

>>> t = Tally()
>>> t.latencies_ms.extend([float(ms) for ms in range(1, 101)])
>>> t.percentile(99), t.percentile(50)
(99.0, 50.0)
>>> Tally().summary()
'reliability: 0 requests fuzzed, 0 faults injected, 0 errors (5xx), 0 lost statements'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Tally:
    fuzzed: int = 0
    faults: int = 0
    errors: int = 0  # 5xx answers no test expected (a 503 for a stopped query, a 507 for a full disk are expected)
    lost: int = 0
    load_requests: int = 0
    load_errors: int = 0
    load_clients: int = 0
    load_seconds: float = 0.0
    health_ms: float = 0.0  # the slowest /health answer during the load test
    latencies_ms: list[float] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        """The nearest-rank ``p``-th percentile of the load test's latencies (0 if none)."""
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    def summary(self) -> str:
        line = (
            f"reliability: {self.fuzzed:,} requests fuzzed, {self.faults} faults injected, "
            f"{self.errors} errors (5xx), {self.lost} lost statements"
        )
        if self.load_requests:
            line += (
                f"; load: {self.load_requests:,} cheap requests from {self.load_clients} clients in "
                f"{self.load_seconds:.0f} s, {self.load_errors} errors, p50 {self.percentile(50):.0f} ms, "
                f"p99 {self.percentile(99):.0f} ms; /health at worst {self.health_ms:.0f} ms"
            )
        return line


TALLY = Tally()
