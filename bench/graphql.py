"""GraphQL against hand-written SPARQL: partners and networks, over HTTP, on the same server and store.

For each question (the partners of the CNRS; the network two ties around the CNRS; the network two
ties around a laboratory, LIX), the GraphQL request (``/graphql``, answered through
``graph.explore``) and a hand-written SPARQL query answering the same question (``/sparql``) are
sent to one ``cnrs-kg serve`` (with its query workers) over the same store. The hand-written
SPARQL asks partners in one query, and a network hop by hop as one would by hand: the ties of the
seed, then those of the first ring, then every tie among the nodes found, then their labels (four
queries). Prints:

- the answer sizes, and whether both sides give the same answers (they must: the hand-written
  SPARQL computes what the GraphQL query asks for, by the same rules);
- one client: the median time of each over ``--runs`` requests, sent in turn, and the ratio
  GraphQL / SPARQL, and
  the time of the ``graph.explore`` call the GraphQL request makes, run in this process on the
  store opened read-only (what the GraphQL layer adds is the difference, less the worker pool's hops);
- 16 concurrent clients: requests per second, p50 and p99 of each.

The GraphQL side does more than the SPARQL side: it also reads the ties' sources (which the
query does not ask for) and computes the network metrics (degree, betweenness, PageRank, Louvain).

The store is the bundled data, plus ``--works N`` SYNTHETIC OpenAlex works (``cnrs-kg generate``)
when N > 0; ``--store DIR`` keeps it between runs (built there unless ``DIR/READY`` says it holds N
works already). With many works, the networks around the CNRS exceed the 2,000 nodes GraphQL allows:
``--min-weight W`` keeps the ties of weight W or more, on both sides.
Usage: python -m bench.graphql [--works N] [--store DIR] [--runs R] [--seconds S] [--min-weight W]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.testing import background_server, free_port
from bench.loadgen import hammer
from graph import CostLimitExceeded, OxigraphStore, explore
from graph.writing import write_sources
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
# The same answer by hand: per partner, the instruments shared (each active from its start, else
# signature, year to its end year, else the year before its successor starts, else, ended, its last
# renewal, else this year) and the co-publications (per year links, but none with a parent or
# child), with the label (English first), the country code, the kinds of ties and the first and
# last years.
PARTNERS_SPARQL = (
    PREFIXES
    + """PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?partner (STRAFTER(MIN(?ranked), " ") AS ?label) (SAMPLE(?code) AS ?country) (SAMPLE(?w) AS ?weight)
       (SAMPLE(?kinds) AS ?types) (SAMPLE(?first) AS ?firstYear) (SAMPLE(?last) AS ?lastYear) WHERE {
  { SELECT ?partner (SUM(?tw) AS ?w) (GROUP_CONCAT(DISTINCT ?type) AS ?kinds) (MIN(?tf) AS ?first)
           (MAX(?tl) AS ?last) WHERE {
  {
    SELECT ?partner ("INSTRUMENT" AS ?type) (COUNT(DISTINCT ?i) AS ?tw) (MIN(?from) AS ?tf) (MAX(?to) AS ?tl) WHERE {
      { SELECT ?i ?partner (MIN(?started) AS ?s0) (MIN(?signed) AS ?s1) (MAX(?ended) AS ?e0) (MIN(?next) AS ?e1)
               (MAX(?renewed) AS ?r) (SAMPLE(?over) AS ?isOver) WHERE {
          ?m org:member <SEED> . ?i kg:hasParty ?m , ?pm . ?pm org:member ?partner . FILTER(?partner != <SEED>)
          OPTIONAL { ?i schema:startDate ?d0 BIND(YEAR(?d0) AS ?started) }
          OPTIONAL { ?i kg:signatureDate ?d1 BIND(YEAR(?d1) AS ?signed) }
          OPTIONAL { ?i schema:endDate ?d2 BIND(YEAR(?d2) AS ?ended) }
          OPTIONAL { ?n kg:predecessorInstrument ?i . ?n schema:startDate|kg:signatureDate ?d3
                     BIND(YEAR(?d3) - 1 AS ?next) }
          OPTIONAL { ?i kg:renewalDate ?d4 BIND(YEAR(?d4) AS ?renewed) }
          OPTIONAL { ?i kg:status kg:Ended BIND(true AS ?over) }
        } GROUP BY ?i ?partner }
      BIND(COALESCE(?s0, ?s1) AS ?from)
      BIND(COALESCE(?e0, ?e1, IF(BOUND(?isOver), COALESCE(?r, ?from), 1 / 0), YEAR(NOW())) AS ?end)
      BIND(IF(BOUND(?from), IF(?end < YEAR(NOW()), ?end, YEAR(NOW())), ?unbound) AS ?to)
    } GROUP BY ?partner
  } UNION {
    SELECT ?partner ("COPUBLICATION" AS ?type) (SUM(?n) AS ?tw) (MIN(?y) AS ?tf) (MAX(?y) AS ?tl) WHERE {
      GRAPH ?g { { ?k kg:linkSource <SEED> ; kg:linkTarget ?partner }
                 UNION { ?k kg:linkTarget <SEED> ; kg:linkSource ?partner }
                 ?k kg:year ?year ; kg:fullCount ?n . OPTIONAL { ?k kg:internal ?internal } }
      FILTER(!BOUND(?internal) || !?internal)
      BIND(YEAR(?year) AS ?y)
    } GROUP BY ?partner
  }
  } GROUP BY ?partner }
  OPTIONAL { { ?partner skos:prefLabel ?l BIND(IF(LANG(?l) = "en", 0, IF(LANG(?l) = "", 2, 3)) AS ?rank) }
             UNION { ?partner rdfs:label ?l BIND(IF(LANG(?l) = "en", 1, IF(LANG(?l) = "", 4, 5)) AS ?rank) } }
  BIND(CONCAT(STR(?rank), " ", STR(?l)) AS ?ranked)
  OPTIONAL { ?partner kg:country/kg:alpha2 ?cc } OPTIONAL { ?partner kg:alpha2 ?own }
  BIND(COALESCE(?own, ?cc) AS ?code)
} GROUP BY ?partner ORDER BY DESC(?weight) ?partner LIMIT 100"""
)

NETWORK_GRAPHQL = """query ($seed: String!, $minWeight: Float!) {
  network(seeds: [$seed], hops: 2, include: [INSTRUMENT, COPUBLICATION], minWeight: $minWeight) {
    nodes { iri label kind hops metrics { degree weightedDegree betweenness pagerank community } }
    edges { sourceIri targetIri type weight } } }"""
# By hand, a network is asked hop by hop: the ties of a ring (their ends are the next ring), then
# every tie among all the nodes found; weights are instruments shared, or co-publications summed
# over the year graphs; a tie weighs at least the minimum weight.
RING_SPARQL = (
    PREFIXES
    + """SELECT DISTINCT ?n WHERE {
  { SELECT ?from ?n (COUNT(DISTINCT ?i) AS ?w) WHERE {
      VALUES ?from { FROM } ?m org:member ?from . ?i kg:hasParty ?m , ?pm . ?pm org:member ?n . FILTER(?n != ?from)
    } GROUP BY ?from ?n }
  UNION
  { SELECT ?from ?n (SUM(?c) AS ?w) WHERE {
      VALUES ?from { FROM }
      GRAPH ?g { { ?k kg:linkSource ?from ; kg:linkTarget ?n } UNION { ?k kg:linkTarget ?from ; kg:linkSource ?n }
                 ?k kg:year ?y ; kg:fullCount ?c }
    } GROUP BY ?from ?n }
  FILTER(?w > 0 && ?w >= MIN)
}"""
)
EDGES_SPARQL = (
    PREFIXES
    + """SELECT ?a ?b ?type ?w WHERE {
  { SELECT ?a ?b ("instrument" AS ?type) (COUNT(DISTINCT ?i) AS ?w) WHERE {
      VALUES ?a { NODES } ?ma org:member ?a . ?i kg:hasParty ?ma , ?mb . ?mb org:member ?b . VALUES ?b { NODES }
      FILTER(STR(?a) < STR(?b))
    } GROUP BY ?a ?b }
  UNION
  { SELECT ?a ?b ("copublication" AS ?type) (SUM(?c) AS ?w) WHERE {
      VALUES ?a { NODES } GRAPH ?g { ?k kg:linkSource ?a ; kg:linkTarget ?b ; kg:year ?y ; kg:fullCount ?c }
      VALUES ?b { NODES }
    } GROUP BY ?a ?b }
  FILTER(?w > 0 && ?w >= MIN)
}"""
)

# And the nodes' labels (English first, as GraphQL chooses) and kinds.
LABELS_SPARQL = (
    PREFIXES
    + """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?n (STRAFTER(MIN(?ranked), " ") AS ?label) (SAMPLE(?isCountry) AS ?country) WHERE {
  VALUES ?n { NODES }
  OPTIONAL { { ?n skos:prefLabel ?l BIND(IF(LANG(?l) = "en", 0, IF(LANG(?l) = "", 2, 3)) AS ?rank) }
             UNION { ?n rdfs:label ?l BIND(IF(LANG(?l) = "en", 1, IF(LANG(?l) = "", 4, 5)) AS ?rank) } }
  BIND(CONCAT(STR(?rank), " ", STR(?l)) AS ?ranked)
  OPTIONAL { ?n a kg:Country BIND(true AS ?isCountry) }
} GROUP BY ?n"""
)


@dataclass(frozen=True)
class Case:
    name: str
    graphql: str
    variables: dict[str, object]

    def explore(self, store: OxigraphStore) -> object:
        """The ``graph.explore`` call the GraphQL request makes."""
        if "of" in self.variables:
            return explore.partners(store, str(self.variables["of"]))
        include = [explore.EdgeType.INSTRUMENT, explore.EdgeType.COPUBLICATION]
        weight = float(str(self.variables["minWeight"]))
        return explore.network(store, [str(self.variables["seed"])], hops=2, include=include, min_weight=weight)

    def sparql(self, client: httpx.Client, base: str) -> Rows:
        """The same question in hand-written SPARQL: one query for partners; for a network, one per
        hop, one for the ties among all the nodes found and one for their labels (their rows follow
        the ties' rows)."""
        if "of" in self.variables:
            return select(client, base, PARTNERS_SPARQL.replace("SEED", str(self.variables["of"])))
        seed, weight = str(self.variables["seed"]), str(float(str(self.variables["minWeight"])))
        nodes = [seed]
        ring = [seed]
        for _ in range(2):
            query = RING_SPARQL.replace("FROM", " ".join(f"<{n}>" for n in ring)).replace("MIN", weight)
            ring = [r["n"]["value"] for r in select(client, base, query) if r["n"]["value"] not in nodes]
            nodes += ring
        values = " ".join(f"<{n}>" for n in nodes)
        edges = select(client, base, EDGES_SPARQL.replace("NODES", values).replace("MIN", weight))
        return edges + select(client, base, LABELS_SPARQL.replace("NODES", values))


def cases(min_weight: float, lab: str) -> list[Case]:
    network = {"minWeight": min_weight}
    return [
        Case("partners of the CNRS", PARTNERS_GRAPHQL, {"of": CNRS}),
        Case("network, 2 hops around the CNRS", NETWORK_GRAPHQL, {"seed": CNRS, **network}),
        Case(f"network, 2 hops around {lab.rsplit('/', 2)[-1]} (a lab)", NETWORK_GRAPHQL, {"seed": lab, **network}),
    ]


Rows = list[dict[str, dict[str, str]]]


def select(client: httpx.Client, base: str, query: str) -> Rows:
    headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    response = client.post(f"{base}/sparql", content=query.encode(), headers=headers, timeout=600)
    if response.status_code != 200:
        raise RuntimeError(f"SPARQL: HTTP {response.status_code}: {response.text[:200]}")
    rows: Rows = response.json()["results"]["bindings"]
    return rows


def graphql_request(client: httpx.Client, base: str, case: Case) -> None:
    body = {"query": case.graphql, "variables": case.variables}
    response = client.post(f"{base}/graphql", json=body, timeout=600)
    if response.status_code != 200 or "errors" in response.json():
        raise RuntimeError(f"{case.name}: GraphQL: HTTP {response.status_code}: {response.text[:300]}")


def sparql_request(client: httpx.Client, base: str, case: Case) -> None:
    case.sparql(client, base)


Send = Callable[[httpx.Client, str, Case], None]


def _value(row: dict[str, dict[str, str]], name: str) -> str | None:
    return row[name]["value"] if name in row else None


def _year(row: dict[str, dict[str, str]], name: str) -> int | None:
    return int(row[name]["value"]) if name in row else None


def agreement(client: httpx.Client, base: str, case: Case) -> str:
    """What each side answers, and whether the answers are the same: partners with their weight,
    kinds, years, country and label; or nodes with their label and kind, and typed weighted ties."""
    body = client.post(f"{base}/graphql", json={"query": case.graphql, "variables": case.variables}, timeout=600)
    data = body.json()
    if "errors" in data:
        raise RuntimeError(f"GraphQL: {data['errors'][0]['message']} ({data['errors'][0]['extensions']['code']})")
    rows = case.sparql(client, base)
    if "partners" in data["data"]:
        ours: set[tuple[object, ...]] = {
            tuple(
                [
                    p["node"]["iri"],
                    p["weight"],
                    p["firstYear"],
                    p["lastYear"],
                    " ".join(sorted(p["types"])),
                    p["node"]["countryCode"],
                    p["node"]["label"],
                ]
            )
            for p in data["data"]["partners"]["nodes"]
        }
        theirs: set[tuple[object, ...]] = {
            tuple(
                [
                    r["partner"]["value"],
                    float(r["weight"]["value"]),
                    _year(r, "firstYear"),
                    _year(r, "lastYear"),
                    " ".join(sorted(r["types"]["value"].split())),
                    _value(r, "country"),
                    _value(r, "label"),
                ]
            )
            for r in rows
        }
        size = f"{len(ours)} partners"
    else:
        network = data["data"]["network"]
        ours = {(n["iri"], n["label"], n["kind"]) for n in network["nodes"]}
        ours |= {(e["sourceIri"], e["targetIri"], e["type"], e["weight"]) for e in network["edges"]}
        theirs = {
            (r["n"]["value"], _value(r, "label"), "COUNTRY" if "country" in r else "INSTITUTION")
            for r in rows
            if "n" in r
        }
        theirs |= {
            (r["a"]["value"], r["b"]["value"], r["type"]["value"].upper(), float(r["w"]["value"]))
            for r in rows
            if "a" in r
        }
        size = f"{len(network['nodes'])} nodes {len(network['edges'])} edges"
    differ = len(ours ^ theirs)
    return f"{size}; " + ("the same answers" if not differ else f"{differ} facts differ")


def medians_ms(client: httpx.Client, base: str, case: Case, runs: int) -> tuple[float, float]:
    """The median times of the GraphQL request and of the hand-written SPARQL, sent in turn (so that
    both meet the same state of the machine)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for send, side in ((graphql_request, times[0]), (sparql_request, times[1])):
            start = time.perf_counter()
            send(client, base, case)
            side.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


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

    def once(client: httpx.Client, k: int) -> bool:
        send(client, base, case)  # raises on a failed answer
        return True

    done = hammer(once, CLIENTS, seconds)
    rate = len(done.latencies_ms) / done.seconds
    return rate, percentile(done.latencies_ms, 50), percentile(done.latencies_ms, 99), done.errors


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


def run(store: Path, works: int, runs: int, seconds: float, min_weight: float, lab: str, *, in_process: bool) -> None:
    questions = cases(min_weight, lab)
    t0 = time.perf_counter()
    build_store(store, works)
    label = "the bundled data" + (f" + {works:,} synthetic works" if works else "")
    label += f", networks' minWeight {min_weight:g}"
    print(f"store: {label} ({time.perf_counter() - t0:.0f} s to prepare)", flush=True)
    inside: dict[str, float] = {}
    if in_process:
        with OxigraphStore(store, read_only=True) as direct:  # before the server: it writes while it starts
            for case in questions:
                try:
                    inside[case.name] = explore_ms(direct, case, min(runs, 3))
                except CostLimitExceeded:
                    inside[case.name] = float("nan")
                print(f"  graph.explore in this process: {case.name}: {inside[case.name]:.1f} ms", flush=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", "from cli import main; main()", "serve", "--port", str(port)]
    log = store.parent / "graphql-bench-server.log"
    probe = f"{base}/health"  # answers from memory (graph.stats.health), however large the store
    with background_server([*command, "--store", str(store)], probe, log=log, timeout=120):
        with httpx.Client() as client:
            print(f"{'question':38} {'GraphQL ms':>10} {'SPARQL ms':>10} {'ratio':>6} {'explore ms':>10}   answers")
            answered = []
            for case in questions:
                try:
                    answers = agreement(client, base, case)  # also warms both paths up
                except RuntimeError as exc:
                    answers = f"failed: {exc}"
                try:
                    graphql_ms, sparql_ms = medians_ms(client, base, case, runs)
                    ours, theirs, ratio = f"{graphql_ms:.1f}", f"{sparql_ms:.1f}", f"{graphql_ms / sparql_ms:6.2f}"
                    answered.append(case)
                except RuntimeError as exc:
                    ours, theirs, ratio = "failed", "-", "     -"
                    answers = str(exc).split(": ", 2)[-1][:160]
                alone = f"{inside[case.name]:10.1f}" if case.name in inside else "         -"
                print(f"{case.name:38} {ours:>10} {theirs:>10} {ratio} {alone}   {answers}", flush=True)
        if seconds > 0:
            print(f"{CLIENTS} clients, {seconds:g} s each: {'':21} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} errors")
        for case in answered if seconds > 0 else []:
            for name, send in (("GraphQL", graphql_request), ("SPARQL", sparql_request)):
                rate, p50, p99, errors = concurrent(send, base, case, seconds)
                print(f"  {case.name:38} {name:8} {rate:7.1f} {p50:8.1f} {p99:8.1f} {errors}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=0, help="synthetic works added to the bundled data")
    parser.add_argument("--store", type=Path, help="keep the store there between runs")
    parser.add_argument("--runs", type=int, default=20, help="requests per side for the one-client medians")
    parser.add_argument("--seconds", type=float, default=10.0, help="each 16-client measure (0: none)")
    parser.add_argument(
        "--min-weight",
        type=float,
        default=0.0,
        help="the networks' minimum tie weight (with many works: under 2,000 nodes)",
    )
    parser.add_argument("--lab", default=LIX, help="the laboratory whose network is asked (an IRI; default LIX)")
    parser.add_argument("--no-explore", action="store_true", help="skip timing graph.explore in this process")
    args = parser.parse_args()
    if args.store is not None:
        args.store.parent.mkdir(parents=True, exist_ok=True)
        run(args.store, args.works, args.runs, args.seconds, args.min_weight, args.lab, in_process=not args.no_explore)
        return
    with tempfile.TemporaryDirectory(prefix="cnrs-kg-bench-graphql-") as tmp:
        run(
            Path(tmp) / "store",
            args.works,
            args.runs,
            args.seconds,
            args.min_weight,
            args.lab,
            in_process=not args.no_explore,
        )


if __name__ == "__main__":
    main()
