"""Stateless replicas: three ``cnrs-kg serve --store URL`` over one ``oxigraph serve``, behind nginx.

The engine is filled by ``cnrs-kg load --bundled --store URL``; each replica is a ``cnrs-kg serve``
child process on a free loopback port, the first one writable (``CNRS_KG_TOKEN``). What a user of
the set-up relies on:

- a write through one replica is seen by the others at their next request, cached pages included;
- every replica gives the same ``ETag`` to the same request, so a 304 holds across replicas;
- 64 clients reading for 30 s through nginx, one replica killed with SIGKILL half-way: every answer
  is the one the embedded store gives to the same request, and no read fails (nginx sends a read
  whose replica died to the next one), but one in flight on the killed replica whose answer nginx
  had begun to relay (it cannot send that again: the client sees the connection cut). The reads
  are GETs, GraphQL included (``/graphql?query=``): nginx never resends a POST, which may have
  written.

The figures (requests, answers per second, latencies, errors, retried) are printed (``pytest -s``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.testing import cnrs_kg_command, free_port, stop, wait_until_answering
from ontology.iris import GRAPH, ID
from tests.engines.nginx import running_nginx
from tests.engines.oxigraph import oxigraph_serve

EXAMPLES = Path(__file__).parents[2] / "examples"
REPLICAS = 3
CLIENTS = 64
RUN_SECONDS = 30.0
KILL_AFTER_SECONDS = 12.0
START_SECONDS = 60.0
TOKEN = "replica-test-token"
JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
WRITTEN = ID + "test/written-through-a"  # an entity of no kind: no example query, page or export sees it
WRITTEN_GRAPH = GRAPH + "test/replicas"
# The 1-hop network of the CNRS, as the GraphQL example asks it but lighter (no metrics).
NETWORK_1_HOP = """query NetworkOneHop {
  network(seeds: ["CNRS"], hops: 1, include: [INSTRUMENT, COPUBLICATION], maxNodes: 40) {
    nodes { iri label kind hops }
    edges { sourceIri targetIri type weight }
  }
}"""


@dataclass(frozen=True)
class Read:
    """One GET of the read mix: a path with its query string, and what it accepts."""

    path: str
    accept: str = "*/*"


def read_mix() -> list[Read]:
    """SPARQL examples, GraphQL partners and a 1-hop network (as GETs), a small export, entity pages."""
    reads = [Read("/sparql?" + urlencode({"query": p.read_text(encoding="utf-8")}), JSON) for p in _examples("rq")]
    partners = (EXAMPLES / "partners_cnrs.graphql").read_text(encoding="utf-8")
    for query in (partners, NETWORK_1_HOP):
        reads.append(Read("/graphql?" + urlencode({"query": query}), "application/json"))
    reads.append(Read("/export/network.cyjs?" + urlencode({"seeds": "VN", "hops": 1, "maxNodes": 30})))
    for entity in ("org/ror/02feahw73", "country/SG"):
        reads += [Read(f"/id/{entity}", TURTLE), Read(f"/id/{entity}", "text/html")]
    return reads


def _examples(suffix: str) -> list[Path]:
    found = sorted(EXAMPLES.glob(f"*.{suffix}"))
    assert found, f"no examples/*.{suffix}"
    return found


def _body(response: httpx.Response) -> object:
    """What an answer says: JSON parsed (key order aside), anything else as its text."""
    if "json" in response.headers.get("content-type", ""):
        return response.json()
    return response.text


def cnrs_kg(*args: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(cnrs_kg_command(*args), capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]


@dataclass
class Replica:
    """A ``cnrs-kg serve`` child process and its base URL."""

    process: subprocess.Popen[bytes]
    base: str

    @property
    def address(self) -> str:
        return self.base.removeprefix("http://")


@contextmanager
def replicas(engine: str, folder: Path) -> Iterator[list[Replica]]:
    """``REPLICAS`` servers over ``engine``, started together; the first writable with ``TOKEN``."""
    started: list[Replica] = []
    try:
        for number in range(REPLICAS):
            port = free_port()
            args = ["serve", "--port", str(port), "--store", engine]
            env = dict(os.environ)
            if number == 0:
                args.append("--writable")
                env["CNRS_KG_TOKEN"] = TOKEN
            log = (folder / f"replica-{number}.log").open("wb")
            process = subprocess.Popen(cnrs_kg_command(*args), env=env, stdout=log, stderr=subprocess.STDOUT)
            log.close()
            started.append(Replica(process, f"http://127.0.0.1:{port}"))
        deadline = time.monotonic() + START_SECONDS
        for number, replica in enumerate(started):
            path = folder / f"replica-{number}.log"
            wait_until_answering(
                replica.process, replica.base + "/health", deadline, path, name=f"replica {replica.base}"
            )
        yield started
    finally:
        for replica in started:
            stop(replica.process)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An ``oxigraph serve`` filled by ``cnrs-kg load --bundled``."""
    with oxigraph_serve(tmp_path_factory.mktemp("replicas-engine") / "data", timeout_s=60) as url:
        cnrs_kg("load", "--bundled", "--store", url)
        yield url


@pytest.fixture(scope="module")
def started(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Replica]]:
    with replicas(engine, tmp_path_factory.mktemp("replicas")) as running:
        yield running


def ask(replica: Replica) -> bool:
    query = f"ASK {{ <{WRITTEN}> ?p ?o }}"
    answer = httpx.get(replica.base + "/sparql", params={"query": query}, headers={"Accept": JSON}, timeout=30)
    assert answer.status_code == 200, answer.text
    value: bool = answer.json()["boolean"]
    return value


def write(replica: Replica, update: str) -> int:
    """A SPARQL update through ``replica``; the generation that holds it."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    answer = httpx.post(replica.base + "/sparql", data={"update": update}, headers=headers, timeout=30)
    assert answer.status_code == 204, answer.text
    return int(answer.headers["x-store-generation"])


def test_a_write_through_one_replica_is_seen_by_the_others_at_once(started: list[Replica]) -> None:
    """An update through A, then an ASK and the entity's page (a per-process cache) through B and C;
    the same when it is dropped again."""
    a, *others = started
    page = "/id/" + WRITTEN.removeprefix(ID)
    for replica in others:  # an unknown entity's 404 is kept by each process until the generation moves
        assert httpx.get(replica.base + page, headers={"Accept": TURTLE}).status_code == 404
        assert not ask(replica)
    generation = write(a, f'INSERT DATA {{ GRAPH <{WRITTEN_GRAPH}> {{ <{WRITTEN}> <{RDFS_LABEL}> "through A" }} }}')
    for replica in others:
        assert ask(replica)
        seen = httpx.get(replica.base + page, headers={"Accept": TURTLE})
        assert seen.status_code == 200
        assert '"through A"' in seen.text
        assert httpx.get(replica.base + "/health").json()["generation"] == generation
    write(a, f"DROP GRAPH <{WRITTEN_GRAPH}>")
    for replica in others:
        assert not ask(replica)
        assert httpx.get(replica.base + page, headers={"Accept": TURTLE}).status_code == 404


def test_every_replica_gives_the_same_tag_and_honours_the_others(started: list[Replica]) -> None:
    """The ETag depends on the engine's state and the request only (its Host as the balancer passes
    it on included): a 304 from B for A's tag."""
    read = read_mix()[0]
    headers = {"Accept": read.accept, "Host": "kg.example.org"}
    tags = []
    for replica in started:
        answer = httpx.get(replica.base + read.path, headers=headers, timeout=30)
        assert answer.status_code == 200
        tags.append(answer.headers["etag"])
    assert len(set(tags)) == 1
    for replica in started[1:]:
        again = httpx.get(replica.base + read.path, headers={**headers, "If-None-Match": tags[0]}, timeout=30)
        assert again.status_code == 304


@dataclass
class Tally:
    """What the clients saw, added to under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)  # in flight when the replica was killed, cut mid-answer
    killed_at: list[float] = field(default_factory=list)  # when (``time.monotonic``)

    def add(self, seconds: float, wrong: str | None = None, error: str | None = None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if wrong is not None:
                self.wrong.append(wrong)
            if error is not None:
                self.errors.append(error)


def expected_answers(bundled_store_path: Path, base: str, reads: list[Read]) -> dict[Read, object]:
    """The embedded store's answer to each read, asked as if through the balancer (same Host)."""
    expected: dict[Read, object] = {}
    with TestClient(create_app(bundled_store_path, workers=0), base_url=base) as client:
        for read in reads:
            answer = client.get(read.path, headers={"Accept": read.accept})
            assert answer.status_code == 200, (read.path[:80], answer.text[:300])
            expected[read] = _body(answer)  # type: ignore[arg-type]
    return expected


def client_loop(base: str, reads: list[Read], expected: dict[Read, object], stop: float, tally: Tally, n: int) -> None:
    """One client: the read mix in turn (each client starting elsewhere in it) until ``stop``."""
    with httpx.Client(base_url=base, timeout=60.0) as http:
        i = n
        while time.monotonic() < stop:
            read = reads[i % len(reads)]
            i += 1
            began, sent = time.perf_counter(), time.monotonic()
            try:
                answer = http.get(read.path, headers={"Accept": read.accept})
            except httpx.HTTPError as exc:
                failure = f"{type(exc).__name__} on {read.path[:60]}"
                if isinstance(exc, httpx.TransportError) and tally.killed_at and sent < tally.killed_at[0]:
                    with tally.lock:
                        tally.cut.append(failure)  # sent before the kill: maybe relayed in part by then
                    continue
                tally.add(time.perf_counter() - began, error=failure)
                continue
            seconds = time.perf_counter() - began
            if answer.status_code != 200:
                tally.add(seconds, error=f"{answer.status_code} on {read.path[:60]}: {answer.text[:120]}")
            elif _body(answer) != expected[read]:
                tally.add(seconds, wrong=read.path[:80])
            else:
                tally.add(seconds)


def test_64_clients_read_through_nginx_while_a_replica_is_killed(
    started: list[Replica], bundled_store_path: Path
) -> None:
    reads = read_mix()
    with running_nginx([replica.address for replica in started], read_seconds=60) as nginx:
        expected = expected_answers(bundled_store_path, nginx.base, reads)
        tally = Tally()
        begun = time.monotonic()
        stop = begun + RUN_SECONDS
        with ExitStack() as stack:
            pool = stack.enter_context(ThreadPoolExecutor(CLIENTS))
            runs = [pool.submit(client_loop, nginx.base, reads, expected, stop, tally, n) for n in range(CLIENTS)]
            time.sleep(KILL_AFTER_SECONDS)
            victim = started[-1]
            tally.killed_at.append(time.monotonic())
            victim.process.send_signal(signal.SIGKILL)
            for run in runs:
                run.result()
        assert victim.process.wait(timeout=10) == -signal.SIGKILL
        elapsed = time.monotonic() - begun
        log = nginx.access_log()
    retried = [line for line in log if "," in _upstreams(line)]
    figures = _figures(tally, elapsed, len(retried))
    print("\n" + json.dumps(figures, indent=1))
    assert tally.wrong == [], tally.wrong[:5]
    assert tally.errors == [], tally.errors[:5]
    # A connection cut can only be a request the killed replica held: at most its share of the clients.
    assert len(tally.cut) <= CLIENTS // len(started) + 1, tally.cut[:5]
    assert len(tally.latencies) > CLIENTS


def _upstreams(line: str) -> str:
    """The upstreams nginx tried for one request (``tries`` log format: the first quoted field)."""
    parts = line.split('"')
    return parts[1] if len(parts) > 1 else ""


def _figures(tally: Tally, elapsed: float, retried: int) -> dict[str, object]:
    latencies = sorted(tally.latencies)

    def quantile(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else 0.0

    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 1),
        "answers_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": quantile(0.5),
        "p99_ms": quantile(0.99),
        "errors": len(tally.errors),
        "cut_in_flight": len(tally.cut),
        "wrong": len(tally.wrong),
        "retried": retried,
    }


def test_a_replica_whose_engine_is_gone_answers_503_in_one_line(tmp_path: Path) -> None:
    """503, which nginx takes as a reason to try the next replica, and no traceback."""
    with ExitStack() as engine_running:
        url = engine_running.enter_context(oxigraph_serve(tmp_path / "data"))
        with TestClient(create_app(url)) as client:
            assert client.get("/id/org/ror/02feahw73", headers={"Accept": TURTLE}).status_code == 404
            engine_running.close()
            gone = client.get("/id/org/ror/02feahw73", headers={"Accept": TURTLE})
    assert gone.status_code == 503
    assert gone.headers["cache-control"] == "no-store"
    assert len(gone.text.splitlines()) == 1
    assert "Traceback" not in gone.text
