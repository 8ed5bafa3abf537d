"""Serve the bundled store with ``cnrs-kg serve`` and with Oxigraph's own server, and load both over HTTP.

Prints, for 1, 4 and 16 concurrent clients on 127.0.0.1: requests per second, p50 and p99 latency
and errors for each server, then the ratios ours/oxigraph. Every client sends the same fixed mix
(the example queries of ``examples/`` and a few simple SELECT, ASK and CONSTRUCT queries), each
by POST ``application/sparql-query``, one after the other; a level stops after ``--requests``
requests or ``--seconds`` seconds, whichever comes first.

Oxigraph's server (``pip install oxigraph``) runs ``serve-read-only --union-default-graph`` on a
copy of the store, so both answer over the union of the named graphs, as ours does. The load
generator is Python threads with one ``httpx.Client`` each: at 16 clients it competes with the
servers for the CPU, so the figures are a comparison on one machine, not either server's ceiling.
Usage: python -m bench.sparql [--requests N] [--seconds S]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.testing import background_server, free_port
from bench.loadgen import hammer
from graph import OxigraphStore
from graph.writing import write_sources
from loaders import load_path
from loaders.bundled import bundled_sources

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CONCURRENCY = (1, 4, 16)
SOLUTIONS = "application/sparql-results+json"
TRIPLES = "application/n-triples"
SIMPLE = {
    "select_labels": "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 50",
    "select_count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ask_asean": "ASK { <https://w3id.org/cnrs-kg/id/group/asean> ?p ?o }",
    "construct_sg": (
        "CONSTRUCT { <https://w3id.org/cnrs-kg/id/country/SG> ?p ?o } "
        "WHERE { <https://w3id.org/cnrs-kg/id/country/SG> ?p ?o }"
    ),
}


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    accept: str


@dataclass(frozen=True)
class Level:
    """One server at one concurrency: what the clients measured."""

    server: str
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


def query_mix() -> list[Query]:
    mix = [Query(path.stem, path.read_text(), SOLUTIONS) for path in sorted(EXAMPLES.glob("*.rq"))]
    for name, text in SIMPLE.items():
        mix.append(Query(name, text, TRIPLES if text.startswith("CONSTRUCT") else SOLUTIONS))
    return mix


def executable(name: str) -> str | None:
    """``name`` beside this interpreter (the venv's scripts), else on the PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def send(client: httpx.Client, endpoint: str, query: Query) -> httpx.Response:
    headers = {"Content-Type": "application/sparql-query", "Accept": query.accept}
    return client.post(endpoint, content=query.text.encode(), headers=headers)


def check(endpoint: str, mix: list[Query]) -> dict[str, str]:
    """One unmeasured pass (warms the caches): each query's answer size, or its failure."""
    sizes = {}
    with httpx.Client(timeout=60.0) as client:
        for query in mix:
            response = send(client, endpoint, query)
            if response.status_code != 200:
                sizes[query.name] = f"HTTP {response.status_code}"
            elif query.accept == TRIPLES:
                sizes[query.name] = f"{len(response.text.splitlines())} triples"
            elif "boolean" in (body := response.json()):
                sizes[query.name] = str(body["boolean"]).lower()
            else:
                sizes[query.name] = f"{len(body['results']['bindings'])} rows"
    return sizes


def measure(name: str, endpoint: str, mix: list[Query], clients: int, requests: int, seconds: float) -> Level:
    """``clients`` threads each send the mix in turn (from a different start) until the budget is spent."""
    done = hammer(
        lambda client, k: send(client, endpoint, mix[k % len(mix)]).status_code == 200, clients, seconds, requests
    )
    return Level(name, clients, len(done.latencies_ms) + done.errors, done.errors, done.seconds, done.latencies_ms)


def run_levels(name: str, endpoint: str, mix: list[Query], requests: int, seconds: float) -> list[Level]:
    sizes = check(endpoint, mix)
    print(f"{name:9} answers: " + ", ".join(f"{q}={s}" for q, s in sizes.items()))
    return [measure(name, endpoint, mix, clients, requests, seconds) for clients in CONCURRENCY]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="Requests per server and concurrency level.")
    parser.add_argument("--seconds", type=float, default=10.0, help="Time limit per server and concurrency level.")
    args = parser.parse_args()
    mix = query_mix()
    ours_bin = executable("cnrs-kg")
    oxigraph_bin = executable("oxigraph")
    if ours_bin is None:
        raise SystemExit("cnrs-kg is not installed: pip install -e '.[dev]'")
    results: list[Level] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sources = [data for item in bundled_sources() for data in load_path(item.path, item.kind)]
        with OxigraphStore(root / "ours") as store:
            write_sources(store, sources)
        print(f"{len(mix)} queries in the mix: {', '.join(q.name for q in mix)}")
        if oxigraph_bin is None:
            print("oxigraph is not installed (pip install oxigraph): measuring ours alone")
        else:
            copy = shutil.copytree(root / "ours", root / "oxigraph", ignore=shutil.ignore_patterns("LOCK"))
            port = free_port()
            command = [oxigraph_bin, "serve-read-only", "--location", str(copy), "--bind", f"127.0.0.1:{port}"]
            base = f"http://127.0.0.1:{port}"
            with background_server([*command, "--union-default-graph"], f"{base}/query?query=ASK%7B%7D"):
                results += run_levels("oxigraph", f"{base}/query", mix, args.requests, args.seconds)
        port = free_port()
        command = [ours_bin, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(root / "ours")]
        base = f"http://127.0.0.1:{port}"
        with background_server(command, f"{base}/health"):
            results += run_levels("ours", f"{base}/sparql", mix, args.requests, args.seconds)
    print(f"{'server':9} {'clients':>7} {'requests':>8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for level in results:
        print(
            f"{level.server:9} {level.clients:7} {level.requests:8} {level.rate:9.1f} "
            f"{level.percentile(50):8.1f} {level.percentile(99):8.1f} {level.errors:6}"
        )
    by_key = {(level.server, level.clients): level for level in results}
    for clients in CONCURRENCY:
        ours, theirs = by_key.get(("ours", clients)), by_key.get(("oxigraph", clients))
        if ours and theirs:
            print(
                f"ratio ours/oxigraph, {clients:2} clients: requests/s {ours.rate / theirs.rate:.2f}x, "
                f"p50 {ours.percentile(50) / theirs.percentile(50):.2f}x"
            )


if __name__ == "__main__":
    main()
