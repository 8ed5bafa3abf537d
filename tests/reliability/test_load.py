"""64 clients on a mixed read workload while one client sends expensive requests.

The cheap requests are the project's own examples (``examples/*.rq`` by SPARQL, ``examples/*.graphql``
by GraphQL), entity pages and network exports; the expensive client alternates a SPARQL cross
product (stopped at its time budget) and a GraphQL alias flood (refused). None of the cheap
requests may fail, ``/health`` must answer throughout, and the p50 and p99 latencies of the cheap
requests go to the suite's summary. ``make test`` runs it ``LOAD_SECONDS`` (about 12 s), ``make
soak`` a minute.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bench.loadgen import hammer
from tests.conftest import copy_store
from tests.reliability.knobs import LOAD_CLIENTS, LOAD_SECONDS
from tests.reliability.probes import HealthWatch, alias_flood, judge
from tests.reliability.servers import Server, serve
from tests.reliability.tally import TALLY

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
JSON = {"accept": "application/sparql-results+json"}
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PAGES = ["/id/org/ror/02feahw73", "/id/country/SG", "/id/instrument/irl-healthdeep", "/id/group/asean"]
EXPORTS = [
    "/export/network.gexf?seeds=country:SG&hops=1",
    "/export/network.vosviewer.json?seeds=ror:02feahw73&include=instrument",
    "/export/network.csv.zip?seeds=country:VN&include=copublication,instrument",
]

Request = Callable[[httpx.Client, str], httpx.Response]  # a client and the server's base URL


def _sparql(text: str) -> Request:
    return lambda client, base: client.get(f"{base}/sparql", params={"query": text}, headers=JSON)


def _graphql(text: str) -> Request:
    return lambda client, base: client.post(f"{base}/graphql", json={"query": text})


def _get(path: str, accept: str) -> Request:
    return lambda client, base: client.get(f"{base}{path}", headers={"accept": accept})


def workload() -> list[tuple[str, Request]]:
    """The cheap requests, by name."""
    items = [(p.name, _sparql(p.read_text(encoding="utf-8"))) for p in sorted(EXAMPLES.glob("*.rq"))]
    items += [(p.name, _graphql(p.read_text(encoding="utf-8"))) for p in sorted(EXAMPLES.glob("*.graphql"))]
    items += [(f"{path} as {accept}", _get(path, accept)) for path in PAGES for accept in ("text/turtle", "text/html")]
    items += [(path, _get(path, "*/*")) for path in EXPORTS]
    return items


def failure(response: httpx.Response) -> str | None:
    """Why a cheap request failed (None: it did not): any status but 200, or GraphQL errors."""
    if response.status_code != 200:
        return f"{response.status_code}: {response.text[:120]}"
    if response.request.url.path == "/graphql":
        errors = response.json().get("errors")
        return f"GraphQL errors: {errors[:1]}" if errors else None
    return None


@pytest.fixture(scope="module")
def load_server(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server as ``cnrs-kg serve`` starts by default (its own time budget, two query workers)."""
    folder = tmp_path_factory.mktemp("load")
    with serve(copy_store(bundled_store_path, folder / "store"), folder / "server.log") as server:
        yield server


def test_cheap_requests_all_succeed_while_expensive_ones_run(load_server: Server) -> None:
    items = workload()
    with httpx.Client(timeout=60) as client:  # each works on its own, or the load test would measure nothing
        for name, send in items:
            assert failure(send(client, load_server.base)) is None, name
    failures: list[str] = []
    lock = threading.Lock()

    def cheap(client: httpx.Client, k: int) -> bool:
        name, send = items[k % len(items)]
        reason = failure(send(client, load_server.base))
        if reason is not None:
            with lock:
                failures.append(f"{name}: {reason}")
        return reason is None

    stop = threading.Event()
    expensive: list[str] = []

    def costly() -> None:
        with httpx.Client(base_url=load_server.base, timeout=120) as client:
            while not stop.is_set():
                response = client.get("/sparql", params={"query": CROSS_PRODUCT, "timeout": "5"})
                expensive.extend(judge(response.status_code, response.text, what="a cross product"))
                if stop.is_set():
                    return
                response = client.post("/graphql", json={"query": alias_flood()})
                expensive.extend(judge(response.status_code, response.text, what="an alias flood"))

    spender = threading.Thread(target=costly)
    # /health shares the event loop with 64 busy clients on a 2-core machine shared with the workers:
    # answered within a few seconds is "answering"; the summary gives its worst time.
    with HealthWatch(load_server.base, limit=3.0, every=0.2) as watch:
        spender.start()
        measured = hammer(cheap, LOAD_CLIENTS, LOAD_SECONDS)
        stop.set()
        spender.join()
    TALLY.load_clients = LOAD_CLIENTS
    TALLY.load_seconds += measured.seconds
    TALLY.load_requests += len(measured.latencies_ms) + measured.errors
    TALLY.load_errors += measured.errors
    TALLY.latencies_ms += measured.latencies_ms
    TALLY.health_ms = max(TALLY.health_ms, watch.slowest * 1000)
    assert measured.errors == 0, f"{measured.errors} cheap requests failed: {failures[:10]}"
    assert len(measured.latencies_ms) > LOAD_CLIENTS  # every client was answered, more than once in all
    assert not expensive, expensive
    watch.assert_answered()
