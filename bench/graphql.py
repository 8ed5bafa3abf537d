"""GraphQL against hand-written SPARQL: partners and networks, over HTTP, on the same server and store.

For each question (the partners of the CNRS; the network two ties around the CNRS; the network two
ties around a laboratory, LIX), the GraphQL request (``/graphql``, answered through
``graph.explore``) and a hand-written SPARQL query answering the same question (``/sparql``) are
sent to one ``cnrs-kg serve`` (with its query workers) over the same store. Prints:

- the answer sizes of both, so one can check they answer the same question;
- one client: the median time of each over ``--runs`` requests and the ratio GraphQL / SPARQL, and
  the time of the ``graph.explore`` call the GraphQL request makes, run in this process on the
  store opened read-only (what the GraphQL layer adds is the difference, less the worker pool's hops);
- 16 concurrent clients: requests per second, p50 and p99 of each.

The GraphQL side does more than the SPARQL side: it also finds each partner's instruments,
years and sources, and computes the network metrics (degree, betweenness, PageRank, Louvain).

The store is the bundled data, plus ``--works N`` SYNTHETIC OpenAlex works (``cnrs-kg generate``)
when N > 0; ``--store DIR`` keeps it between runs (built there unless ``DIR/READY`` says it holds N
works already). Usage: python bench/graphql.py [--works N] [--store DIR] [--runs R] [--seconds S]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.background import background_server, free_port
from graph import OxigraphStore, explore
from graph.loading import write_sources
from loaders import load_path
from loaders.bundled import bundled_sources
from loaders.openalex.synthetic import generate_works

CNRS = "https://w3id.org/cnrs-kg/id/org/ror/02feahw73"
LIX = "https://w3id.org/cnrs-kg/id/org/hal/2071"  # a CNRS mixed unit (UMR 7161) with co-publications
CLIENTS = 16
PREFIXES = """PREFIX kg: <https://w3id.org/cnrs-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

PARTNERS_GRAPHQL = """query ($of: String!) { partners(of: $of, first: 100) { totalCount
  nodes { weight types firstYear lastYear node { iri label countryCode } } } }"""
# Partners through shared instruments (one per instrument) and co-publications (per year links).
PARTNERS_SPARQL = (
    PREFIXES
    + """SELECT ?partner (SAMPLE(?l) AS ?label) (SUM(?w) AS ?weight) WHERE {
  {
    SELECT ?partner (COUNT(DISTINCT ?i) AS ?w) WHERE {
      ?m org:member <SEED> . ?i kg:hasParty ?m , ?pm . ?pm org:member ?partner . FILTER(?partner != <SEED>)
    } GROUP BY ?partner
  } UNION {
    SELECT ?partner (SUM(?n) AS ?w) WHERE {
      GRAPH ?g { { ?k kg:linkSource <SEED> ; kg:linkTarget ?partner }
                 UNION { ?k kg:linkTarget <SEED> ; kg:linkSource ?partner }
                 ?k kg:year ?y ; kg:fullCount ?n . OPTIONAL { ?k kg:internal ?internal } }
      FILTER(!BOUND(?internal) || !?internal)
    } GROUP BY ?partner
  }
  OPTIONAL { ?partner rdfs:label ?l }
} GROUP BY ?partner ORDER BY DESC(?weight) ?partner LIMIT 100"""
)

NETWORK_GRAPHQL = """query ($seed: String!) {
  network(seeds: [$seed], hops: 2, include: [INSTRUMENT, COPUBLICATION]) {
    nodes { iri label kind hops metrics { degree weightedDegree betweenness pagerank community } }
    edges { sourceIri targetIri type weight } } }"""
# Nodes: the seed and what one or two ties (a shared instrument, a co-publication link) reach;
# edges: every tie among them, weighted.
TIE = (
    "((^org:member/^kg:hasParty/kg:hasParty/org:member)|(^kg:linkSource/kg:linkTarget)|(^kg:linkTarget/kg:linkSource))"
)
NODES = (
    "{ SELECT DISTINCT ?NODE WHERE { { BIND(<SEED> AS ?NODE) } "
    f"UNION {{ <SEED> {TIE} ?NODE }} UNION {{ <SEED> {TIE}/{TIE} ?NODE }} }} }}"
)
NETWORK_SPARQL = (
    PREFIXES
    + """SELECT ?a ?b ?type (SUM(?w) AS ?weight) WHERE {
  """
    + NODES.replace("NODE", "a")
    + """
  { ?ma org:member ?a . ?i kg:hasParty ?ma , ?mb . ?mb org:member ?b . BIND("instrument" AS ?type) BIND(1 AS ?w) }
  UNION
  { GRAPH ?g { ?k kg:linkSource ?a ; kg:linkTarget ?b ; kg:year ?y ; kg:fullCount ?w } BIND("copublication" AS ?type) }
  """
    + NODES.replace("NODE", "b")
    + """
  FILTER(STR(?a) < STR(?b) || ?type = "copublication")
} GROUP BY ?a ?b ?type"""
)


@dataclass(frozen=True)
class Case:
    name: str
    graphql: str
    variables: dict[str, str]
    sparql: str

    def explore(self, store: OxigraphStore) -> object:
        """The ``graph.explore`` call the GraphQL request makes."""
        if "of" in self.variables:
            return explore.partners(store, self.variables["of"])
        include = [explore.EdgeType.INSTRUMENT, explore.EdgeType.COPUBLICATION]
        return explore.network(store, [self.variables["seed"]], hops=2, include=include)


CASES = [
    Case("partners of the CNRS", PARTNERS_GRAPHQL, {"of": CNRS}, PARTNERS_SPARQL.replace("SEED", CNRS)),
    Case("network, 2 hops around the CNRS", NETWORK_GRAPHQL, {"seed": CNRS}, NETWORK_SPARQL.replace("SEED", CNRS)),
    Case("network, 2 hops around LIX (a lab)", NETWORK_GRAPHQL, {"seed": LIX}, NETWORK_SPARQL.replace("SEED", LIX)),
]


def graphql_request(client: httpx.Client, base: str, case: Case) -> httpx.Response:
    return client.post(f"{base}/graphql", json={"query": case.graphql, "variables": case.variables}, timeout=300)


def sparql_request(client: httpx.Client, base: str, case: Case) -> httpx.Response:
    headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    return client.post(f"{base}/sparql", content=case.sparql.encode(), headers=headers, timeout=300)


Send = Callable[[httpx.Client, str, Case], httpx.Response]


def sizes(client: httpx.Client, base: str, case: Case) -> str:
    """What each side answers: partners or nodes and edges."""
    body = graphql_request(client, base, case).json()
    if "errors" in body:
        raise SystemExit(f"{case.name}: GraphQL error {body['errors']}")
    rows = sparql_request(client, base, case).json()["results"]["bindings"]
    if "partners" in body["data"]:
        return f"GraphQL {body['data']['partners']['totalCount']} partners, SPARQL {len(rows)} partners (top 100)"
    network = body["data"]["network"]
    nodes = {r["a"]["value"] for r in rows} | {r["b"]["value"] for r in rows}
    return (
        f"GraphQL {len(network['nodes'])} nodes {len(network['edges'])} edges, "
        f"SPARQL {len(nodes)} nodes (with a tie) {len(rows)} edges"
    )


def median_ms(send: Send, client: httpx.Client, base: str, case: Case, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = send(client, base, case)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{case.name}: HTTP {response.status_code}: {response.text[:200]}")
    return statistics.median(times)


def explore_ms(store: OxigraphStore, case: Case, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        case.explore(store)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def concurrent(send: Send, base: str, case: Case, seconds: float) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) of ``CLIENTS`` clients sending ``case`` for ``seconds``."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    def loop() -> None:
        nonlocal errors
        with httpx.Client() as client:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    ok = send(client, base, case).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=loop) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return len(latencies) / elapsed, percentile(latencies, 50), percentile(latencies, 99), errors


def build_store(path: Path, works: int) -> None:
    ready = path / "READY"
    if ready.exists() and ready.read_text().strip() == str(works):
        return
    with OxigraphStore(path) as store:
        write_sources(store, [d for item in bundled_sources() for d in load_path(item.path, item.kind)])
        if works:
            works_file = path.parent / f"synthetic-works-{works}.jsonl.gz"
            if not works_file.exists():
                generate_works(works, works_file, seed=1)
            write_sources(store, load_path(works_file, "openalex", strict=True), with_ontology=False)
    ready.write_text(str(works))


def run(store: Path, works: int, runs: int, seconds: float) -> None:
    t0 = time.perf_counter()
    build_store(store, works)
    label = "the bundled data" + (f" + {works:,} synthetic works" if works else "")
    print(f"store: {label} ({time.perf_counter() - t0:.0f} s to prepare)", flush=True)
    with OxigraphStore(store, read_only=True) as direct:  # before the server: it writes while it starts
        for case in CASES:
            case.explore(direct)  # warm up
        inside = {case.name: explore_ms(direct, case, runs) for case in CASES}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port)]
    log = store.parent / "graphql-bench-server.log"
    with background_server([*command, "--store", str(store)], f"{base}/health", log=log, timeout=120):
        with httpx.Client() as client:
            print(f"{'question':38} {'GraphQL ms':>10} {'SPARQL ms':>10} {'ratio':>6} {'explore ms':>10}   answers")
            for case in CASES:
                answers = sizes(client, base, case)  # also warms both paths up
                ours = median_ms(graphql_request, client, base, case, runs)
                theirs = median_ms(sparql_request, client, base, case, runs)
                print(
                    f"{case.name:38} {ours:10.1f} {theirs:10.1f} {ours / theirs:6.2f} {inside[case.name]:10.1f}"
                    f"   {answers}",
                    flush=True,
                )
        print(f"{CLIENTS} clients, {seconds:g} s each: {'':21} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} errors")
        for case in CASES:
            for name, send in (("GraphQL", graphql_request), ("SPARQL", sparql_request)):
                rate, p50, p99, errors = concurrent(send, base, case, seconds)
                print(f"  {case.name:38} {name:8} {rate:7.1f} {p50:8.1f} {p99:8.1f} {errors}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=0, help="synthetic works added to the bundled data")
    parser.add_argument("--store", type=Path, help="keep the store there between runs")
    parser.add_argument("--runs", type=int, default=20, help="requests per side for the one-client medians")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each 16-client measure")
    args = parser.parse_args()
    if args.store is not None:
        args.store.parent.mkdir(parents=True, exist_ok=True)
        run(args.store, args.works, args.runs, args.seconds)
        return
    with tempfile.TemporaryDirectory(prefix="cnrs-kg-bench-graphql-") as tmp:
        run(Path(tmp) / "store", args.works, args.runs, args.seconds)


if __name__ == "__main__":
    main()
