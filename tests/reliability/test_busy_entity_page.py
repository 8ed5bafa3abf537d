"""A big entity page and /health, asked in a loop by 8 clients, leave the server free for a cheap query.

At 30,000 works the CNRS is named by tens of thousands of affiliations. Its entity page once took
seconds in the server process and held every other request back; now the page shows its first
statements and incoming links (with counts and next links), read in the query workers, and
/health reads no statement, so an ``ASK`` sent meanwhile is answered at once.

The store: the bundled data plus 30,000 SYNTHETIC works (``cnrs-kg generate``, seed 0), written by
the store's own write path. The derived network is not computed (the page and /health do not read
it, and computing it for 30,000 works is the real-scale issue's benchmark, not this test's setup).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.testing import background_server, cnrs_kg_command, free_port
from graph import OxigraphStore
from graph.store import GraphContent
from loaders import load_path
from loaders.openalex.synthetic import generate_works
from tests.conftest import copy_store

WORKS = 30_000
CLIENTS = 8
CNRS_PAGE = "/id/org/ror/02feahw73"
ASK = "ASK { ?s ?p ?o }"
ASKS = 15


@pytest.fixture(scope="module")
def store_with_works(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("works30k")
    works = folder / "works.jsonl.gz"
    generate_works(WORKS, works, seed=0)
    path = copy_store(bundled_store_path, folder / "store")
    with OxigraphStore(path) as store:
        sources = list(load_path(works, "openalex"))
        store.replace_graphs([GraphContent(source.graph, source.all_triples()) for source in sources])
    return path


@pytest.fixture(scope="module")
def busy_server(store_with_works: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = cnrs_kg_command("serve", "--port", str(port), "--store", str(store_with_works))
    with background_server(command, f"{base}/health", log=store_with_works.parent / "server.log"):
        yield base


def _hammer(base: str, stop: threading.Event, answers: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            answers.append(client.get(CNRS_PAGE, headers={"Accept": "text/html"}).status_code)
            answers.append(client.get("/health").status_code)


def test_an_ask_is_answered_at_once_while_8_clients_load_the_cnrs_page(busy_server: str) -> None:
    with httpx.Client(base_url=busy_server, timeout=60) as client:
        page = client.get(CNRS_PAGE, headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert len(page.content) < 400_000, "the page shows the first statements, not all of them"
    stop = threading.Event()
    answers: list[int] = []
    clients = [threading.Thread(target=_hammer, args=(busy_server, stop, answers)) for _ in range(CLIENTS)]
    for thread in clients:
        thread.start()
    times = []
    try:
        time.sleep(1.0)  # let the clients fill the server
        with httpx.Client(base_url=busy_server, timeout=60) as client:
            for _ in range(ASKS):
                start = time.perf_counter()
                answer = client.get(
                    "/sparql", params={"query": ASK}, headers={"Accept": "application/sparql-results+json"}
                )
                times.append(time.perf_counter() - start)
                assert answer.status_code == 200
                assert answer.json()["boolean"] is True
                time.sleep(0.2)
    finally:
        stop.set()
        for thread in clients:
            thread.join()
    median = statistics.median(times)
    print(
        f"\nASK while {CLIENTS} clients load the CNRS page and /health: median {median * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms; {len(answers)} pages and probes answered"
    )
    assert set(answers) == {200}
    assert answers, "the clients were answered meanwhile"
    assert median < 0.2, f"ASK took {median * 1000:.0f} ms (median of {ASKS}) while the page was being loaded"
