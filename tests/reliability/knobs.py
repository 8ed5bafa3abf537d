"""How long and how hard the suite runs: a few minutes in ``make test``, longer in ``make soak``.

``make soak`` sets ``CNRS_KG_SOAK=1``: the load test runs a minute instead of a dozen seconds,
fuzzing draws ten times as many examples, and the load killed at five points is a 20,000-work one
(it takes minutes on a 2-core machine; ``make test`` kills a 200-work load at the same fractions).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

SOAK = os.environ.get("CNRS_KG_SOAK", "") not in ("", "0")

FUZZ_EXAMPLES = 500 if SOAK else 50  # hypothesis examples per fuzzing test
LOAD_SECONDS = 60.0 if SOAK else 12.0
LOAD_CLIENTS = 64
WORKS = 20_000 if SOAK else 200  # synthetic works of the load killed at five points
KILL_FRACTIONS = (0.1, 0.3, 0.5, 0.7, 0.9)  # of the time the same load takes unkilled
# Of the time a server's write takes (an update, a PUT): most of a PUT's is the upload, its update comes last.
WRITE_KILL_FRACTIONS = (0.25, 0.5, 0.75, 0.85, 0.95) if SOAK else (0.85,)

TOKEN = "reliability-s3cret"  # the bearer token of the suite's writable servers
FUZZ_BUDGET = 2.0  # seconds: the time budget of the fuzzed server's queries (--timeout)
STALL_LIMIT = 30.0  # seconds a server may wait for a stalled request's headers or body before dropping it

FUZZ = settings(  # the hypothesis settings of every fuzzing test
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,  # nothing written to .hypothesis/
    derandomize=not SOAK,  # make test: the same examples every run; make soak: new ones
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each step would be a live request
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
