"""Scale: load N synthetic works and ask the network questions, each against a reference on the same data.

Everything goes through the public interfaces, in subprocesses and over HTTP, in a work folder
(``--dir``, else a temporary one; its files are removed at the end unless ``--keep``):

1. **Load.** ``cnrs-kg generate --works N`` (SYNTHETIC works, marked so in their graph), a store
   with the bundled data (``cnrs-kg load --bundled``, kept in ``--dir`` for the next run), a copy
   of it, then ``cnrs-kg load WORKS`` into the copy, measured: wall time and peak RSS of the load
   process (``os.wait4``: the process's own high-water mark, that of no other process). Reference:
   the same works (``loaders.load_path``, written as N-Quads beforehand) bulk loaded into an empty
   raw ``pyoxigraph.Store`` by another process, measured the same way. Our load does more: it
   checks every record and derives the collaboration network.
2. **Questions.** ``cnrs-kg serve`` on the loaded store; for each question, ``--repeat`` GraphQL
   requests (``/graphql``, or ``/export`` for the GEXF file) and as many runs of the hand-written
   SPARQL an analyst would send to the same server's ``/sparql`` over the raw publications
   (``kg:affiliatedInstitution``, ``kg:affiliatedCountry``, ``fabio:hasPublicationYear`` of the
   works, the hierarchy climbed with a property path; never the materialised network graphs),
   alternated so that both meet the same state of the machine; a side stops early once it has
   spent ``--budget`` seconds on a question. Median, p99, the ratio of the medians, and each
   side's answer size (marked when they differ); an error answer (``QUERY_TIMEOUT``,
   ``COST_LIMIT_EXCEEDED``...) is printed instead of a time, and not asked again. Questions:
   partners of the CNRS (all years, 2015-2024); networks of 1 and 2 hops around the CNRS, its
   lab with most synthetic works, and Viet Nam, with and without ``--min-weight``; a path from
   the CNRS to Viet Nam; the trend of the CNRS with its top partner; the GEXF export of the
   CNRS's 1-hop network. All are co-publications only, full counting; GraphQL asks no node
   metrics (SPARQL cannot compute them), and, where the server takes ``maxNodes``, the whole
   network (``--max-nodes``, its limit) rather than the strongest ties.
3. **Check** (``--check``; by default when N <= 30,000): the top-10 partners of the CNRS with
   their counts and their total number, for all years and for 2015-2024, and the trend, from
   GraphQL, equal the figures recounted in Python from the raw facts read over ``/sparql``, under
   the counting rules of ``graph.links`` (``bench.scale_rules``). PASS or FAIL with the first
   differences; it also says where the hand-written SPARQL differs from the rules.
4. **Concurrency:** ``--clients`` threads send the questions that GraphQL answered alone, in
   turn, for ``--seconds``: GraphQL, then the hand-written SPARQL of the same questions (where
   it failed alone it fails again, counted). Throughput, median and p99 latency, errors by kind;
   and the server's peak memory (its process and its query workers, polled).

Usage: python -m bench.scale [--works N] [--repeat R] [--budget S] [--clients C] [--seconds S]
[--min-weight W] [--max-nodes M] [--lab IRI] [--check | --no-check] [--dir DIR] [--keep]
(development: ``--works 2000 --repeat 3 --seconds 5``, a few minutes; ``--dir D --keep`` reuses
the works file and the bundled store of the previous run).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pyoxigraph as ox
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.testing import background_server, cnrs_kg_command, free_port
from bench import scale_rules
from bench.loadgen import hammer
from loaders import load_path

CNRS = "https://w3id.org/cnrs-kg/id/org/ror/02feahw73"
VIETNAM = "https://w3id.org/cnrs-kg/id/country/VN"
COUNTRY = "https://w3id.org/cnrs-kg/id/country/"
WINDOW = (2015, 2024)
PAGE = 50_000  # rows a page of raw facts, under the server's cap of 100,000
console = Console(highlight=False, width=None if sys.stdout.isatty() else 180)  # piped: wide tables

# A raw pyoxigraph bulk load, in a process of its own (argv: store folder, N-Quads file).
BULK_LOAD = (
    "import sys, pyoxigraph as ox; store = ox.Store(sys.argv[1]); "
    "store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS); store.flush()"
)


# ---------------------------------------------------------------------------------------------
# 1. Load


@dataclass(frozen=True)
class Run:
    """A process run to its end: wall time and its peak resident memory."""

    seconds: float
    peak_mib: float


def measured(name: str, command: list[str], log: Path) -> Run:
    """Run ``command`` (its output to ``log``); exit with the log's end if it fails.

    ``os.wait4`` gives the rusage of this one child (its own peak RSS, or that of a descendant it
    waited for if higher): not the sum over processes, and nothing of the other children of this
    benchmark, which ``RUSAGE_CHILDREN`` would mix in.
    """
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-1500:]
        raise SystemExit(f"{name} failed with exit status {process.returncode}:\n{tail}")
    return Run(seconds, usage.ru_maxrss / 1024)  # KiB on Linux


def write_nquads(works: Path, target: Path) -> int:
    """The works' graph (its description and triples, as the project's loader reads them) as N-Quads."""
    count = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal count
        for source in load_path(works, None):
            for triple in source.all_triples():
                count += 1
                yield ox.Quad(triple.subject, triple.predicate, triple.object, source.graph)

    ox.serialize(quads(), target, ox.RdfFormat.N_QUADS)
    return count


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def bundled(self) -> Path:
        return self.root / "bundled-store"

    @property
    def store(self) -> Path:
        return self.root / "store"

    def works(self, n: int) -> Path:
        return self.root / f"synthetic-works-{n}.jsonl.gz"

    def raw(self, n: int) -> Path:
        return self.root / f"raw-store-{n}"

    def nquads(self, n: int) -> Path:
        return self.root / f"synthetic-works-{n}.nq"

    def log(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def clean(self, n: int) -> None:
        """Remove what this benchmark wrote, and nothing else of the folder."""
        for folder in (self.bundled, self.store, self.raw(n)):
            shutil.rmtree(folder, ignore_errors=True)
        for name in ("generate", "load-bundled", "load-works", "bulk-load", "server"):
            self.log(name).unlink(missing_ok=True)
        for path in (self.works(n), self.nquads(n)):
            path.unlink(missing_ok=True)


def prepare(space: Workspace, n: int) -> None:
    """The works file and the bundled store, reused when a kept folder has them."""
    if space.works(n).exists():
        console.print(f"works: reusing {space.works(n).name}")
    else:
        run = measured(
            "cnrs-kg generate",
            cnrs_kg_command("generate", "--works", str(n), "-o", str(space.works(n)), "--seed", "1"),
            space.log("generate"),
        )
        console.print(f"works: {n:,} synthetic works generated in {run.seconds:.1f} s")
    ready = space.bundled / "READY"
    if ready.exists():
        console.print("bundled store: reusing it")
    else:
        shutil.rmtree(space.bundled, ignore_errors=True)
        run = measured(
            "cnrs-kg load --bundled",
            cnrs_kg_command("load", "--bundled", "--store", str(space.bundled)),
            space.log("load-bundled"),
        )
        ready.write_text("cnrs-kg load --bundled\n")
        console.print(f"bundled store: loaded in {run.seconds:.1f} s")
    if not space.nquads(n).exists():
        statements = write_nquads(space.works(n), space.nquads(n))
        console.print(f"works as N-Quads for the raw load: {statements:,} statements")


def load(space: Workspace, n: int) -> tuple[Run, Run]:
    """Our load of the works into a copy of the bundled store, then the raw bulk load: both measured."""
    shutil.rmtree(space.store, ignore_errors=True)
    shutil.copytree(space.bundled, space.store, ignore=shutil.ignore_patterns("LOCK", "READY"))
    ours = measured(
        "cnrs-kg load",
        cnrs_kg_command("load", str(space.works(n)), "--store", str(space.store)),
        space.log("load-works"),
    )
    shutil.rmtree(space.raw(n), ignore_errors=True)
    raw = measured(
        "the raw bulk load",
        [sys.executable, "-c", BULK_LOAD, str(space.raw(n)), str(space.nquads(n))],
        space.log("bulk-load"),
    )
    shutil.rmtree(space.raw(n), ignore_errors=True)  # only its time and memory matter
    return ours, raw


def print_load(n: int, statements: int, ours: Run, raw: Run) -> None:
    table = Table(title=f"Load of {n:,} synthetic works ({statements:,} statements) into the bundled store")
    for column in ("", "wall time", "works/min", "peak RSS"):
        table.add_column(column, justify="left" if not column else "right")
    table.add_row(
        "cnrs-kg load (checks, writes, derives the network)",
        f"{ours.seconds:.1f} s",
        f"{n / ours.seconds * 60:,.0f}",
        f"{ours.peak_mib:,.0f} MiB",
    )
    table.add_row(
        "raw pyoxigraph Store.bulk_load (works graph only)",
        f"{raw.seconds:.1f} s",
        f"{n / raw.seconds * 60:,.0f}",
        f"{raw.peak_mib:,.0f} MiB",
    )
    table.add_row("ratio ours/raw", f"{ours.seconds / raw.seconds:.1f}x", "", f"{ours.peak_mib / raw.peak_mib:.1f}x")
    console.print(table)
    console.print("(wall times of the two processes, start-up and imports included)")


# ---------------------------------------------------------------------------------------------
# 2. Questions


class Refused(Exception):
    """An error answer: its kind (QUERY_TIMEOUT, COST_LIMIT_EXCEEDED, HTTP 400...) and its message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def refusal(response: httpx.Response) -> Refused:
    """The kind of an HTTP error answer of ``/sparql`` or ``/export``, named as GraphQL names it."""
    text = response.text.strip().splitlines()[0] if response.text.strip() else ""
    if response.status_code == 503 and "time budget" in text:
        return Refused("QUERY_TIMEOUT", text)
    if response.status_code == 422:
        return Refused("RESULT_TOO_LARGE", text)
    if response.status_code == 400 and "limit" in text:
        return Refused("COST_LIMIT_EXCEEDED", text)
    return Refused(f"HTTP {response.status_code}", text)


Rows = scale_rules.Rows


def select(client: httpx.Client, base: str, query: str) -> Rows:
    headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    response = client.post(f"{base}/sparql", content=query.encode(), headers=headers)
    if response.status_code != 200:
        raise refusal(response)
    rows: Rows = response.json()["results"]["bindings"]
    return rows


def select_all(client: httpx.Client, base: str, query: str) -> Rows:
    """Every row of an ordered SELECT, page by page under the server's row cap."""
    rows: Rows = []
    while True:
        page = select(client, base, f"{query} LIMIT {PAGE} OFFSET {len(rows)}")
        rows += page
        if len(page) < PAGE:
            return rows


def graphql(client: httpx.Client, base: str, query: str, variables: dict[str, object]) -> dict[str, Any]:
    response = client.post(f"{base}/graphql", json={"query": query, "variables": variables})
    if not response.headers.get("content-type", "").startswith("application/json"):
        raise refusal(response)  # an HTTP error page: the server was too busy, or failed
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        error = body["errors"][0]
        raise Refused(error.get("extensions", {}).get("code", f"HTTP {response.status_code}"), error["message"])
    data: dict[str, Any] = body["data"]
    return data


Ask = Callable[[httpx.Client, str], str]
"""Sends one question (one or more requests) and returns the answer's size, or raises ``Refused``."""


@dataclass(frozen=True)
class Question:
    name: str
    graphql: Ask
    sparql: Ask
    sparql_queries: str  # how many queries the hand-written side sends
    comparable: bool = True  # whether both sides' answers have the same size when they agree


H = "(org:subOrganizationOf|kg:supervisingBody)"
PREFIXES = scale_rules.PREFIXES + "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
YEARS = " ".join(f'"{y}"^^xsd:gYear' for y in range(WINDOW[0], WINDOW[1] + 1))
XSD = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"


def iri(node: str) -> str:
    """A node IRI as SPARQL text; the IRIs come from this benchmark or from the server's answers."""
    if any(c in node for c in '<>"{}|^`\\ '):
        raise ValueError(f"not an IRI: {node!r}")
    return f"<{node}>"


def is_country(node: str) -> bool:
    return node.startswith(COUNTRY)


# Partners by hand: works with an affiliation at or under the seed and another affiliation (at or
# under the partner), or a country of the seed's works; then the seed's own hierarchy and country
# are no partners.
PARTNERS_SPARQL = """SELECT ?partner ?works WHERE {
  { SELECT ?partner (COUNT(DISTINCT ?w) AS ?works) WHERE {
      { ?w kg:affiliatedInstitution ?a , ?b . FILTER(?a != ?b) ?a __H__* __SEED__ . ?b __H__* ?partner . }
      UNION { ?w kg:affiliatedInstitution ?a ; kg:affiliatedCountry ?partner . ?a __H__* __SEED__ . }
      __YEARS__
    } GROUP BY ?partner }
  FILTER NOT EXISTS { ?partner __H__* __SEED__ } FILTER NOT EXISTS { __SEED__ __H__+ ?partner }
  FILTER NOT EXISTS { __SEED__ kg:country ?partner }
} ORDER BY DESC(?works) ?partner LIMIT 10"""


def partners_sparql(seed: str, window: bool) -> str:
    years = f"?w fabio:hasPublicationYear ?year . VALUES ?year {{ {YEARS} }}" if window else ""
    text = PARTNERS_SPARQL.replace("__YEARS__", years).replace("__SEED__", iri(seed)).replace("__H__", H)
    return PREFIXES + XSD + text


# The ties of nodes F to nodes N (any node when N is not given), by kind of the two ends, each
# counted in distinct works: institution-institution (from different affiliations, each at or
# under its end), institution-country (not the institution's own), country-country.
TIE_BRANCHES = {
    ("inst", "inst"): "?a __H__* ?f . ?w kg:affiliatedInstitution ?a , ?b . FILTER(?a != ?b) ?b __H__* ?n . "
    "FILTER(?n != ?f)",
    ("inst", "country"): "?a __H__* ?f . ?w kg:affiliatedInstitution ?a ; kg:affiliatedCountry ?n . "
    "FILTER NOT EXISTS { ?f kg:country ?n }",
    ("country", "inst"): "?w kg:affiliatedCountry ?f ; kg:affiliatedInstitution ?b . ?b __H__* ?n . "
    "FILTER NOT EXISTS { ?n kg:country ?f }",
    ("country", "country"): "?w kg:affiliatedCountry ?f , ?n . FILTER(?n != ?f)",
}


def ties_sparql(sources: list[str], targets: list[str] | None, min_weight: float) -> str:
    """One query for the ties of ``sources`` (to ``targets``, each pair once, when given) of weight
    ``min_weight`` or more."""
    kinds = {"inst": [n for n in sources if not is_country(n)], "country": [n for n in sources if is_country(n)]}
    ends = (
        None
        if targets is None
        else {"inst": [n for n in targets if not is_country(n)], "country": [n for n in targets if is_country(n)]}
    )
    branches = []
    for (left, right), pattern in TIE_BRANCHES.items():
        if not kinds[left] or (ends is not None and (not ends[right] or (left, right) == ("country", "inst"))):
            continue  # among given nodes, the institution-country branch has each mixed pair already
        restrict = ""
        if ends is not None:
            restrict = f" VALUES ?n {{ {' '.join(map(iri, ends[right]))} }}"
            restrict += " FILTER(STR(?f) < STR(?n))" if left == right else ""
        branches.append(
            f"{{ SELECT ?f ?n (COUNT(DISTINCT ?w) AS ?c) WHERE {{ VALUES ?f {{ {' '.join(map(iri, kinds[left]))} }} "
            f"{pattern.replace('__H__', H)}{restrict} }} GROUP BY ?f ?n }}"
        )
    return PREFIXES + f"SELECT ?f ?n ?c WHERE {{ {' UNION '.join(branches)} FILTER(?c >= {min_weight:g}) }}"


LABELS_SPARQL = (
    "SELECT ?n (SAMPLE(?l) AS ?label) WHERE { VALUES ?n { __NODES__ } OPTIONAL { ?n rdfs:label ?l } } GROUP BY ?n"
)


def network_by_hand(client: httpx.Client, base: str, seed: str, hops: int, min_weight: float) -> str:
    """A network as an analyst asks it: the ties of each ring (their new ends are the next ring),
    then every tie among the nodes found, then their labels: hops + 2 queries."""
    nodes, ring = [seed], [seed]
    for _ in range(hops):
        found = {row["n"]["value"] for row in select(client, base, ties_sparql(ring, None, min_weight))}
        ring = sorted(found - set(nodes))
        nodes += ring
    edges = select(client, base, ties_sparql(nodes, nodes, min_weight))
    select(client, base, PREFIXES + LABELS_SPARQL.replace("__NODES__", " ".join(map(iri, nodes))))
    return f"{len(nodes):,} nodes, {len(edges):,} edges"


def pair_pattern(a: str, b: str) -> str:
    """The works that tie institution ``a`` to ``b`` (an institution, or a country not ``a``'s own)."""
    if is_country(b):
        return (
            f"?w kg:affiliatedInstitution ?a ; kg:affiliatedCountry {iri(b)} . ?a {H}* {iri(a)} . "
            f"FILTER NOT EXISTS {{ {iri(a)} kg:country {iri(b)} }}"
        )
    return f"?w kg:affiliatedInstitution ?a , ?b . FILTER(?a != ?b) ?a {H}* {iri(a)} . ?b {H}* {iri(b)} ."


# Co-publications per year, each work in its earliest year.
TREND_SPARQL = """SELECT ?year (COUNT(?w) AS ?works) WHERE {
  { SELECT ?w (MIN(xsd:integer(SUBSTR(STR(?d), 1, 4))) AS ?year) WHERE { __PAIR__ ?w fabio:hasPublicationYear ?d }
    GROUP BY ?w }
} GROUP BY ?year ORDER BY ?year"""


def path_by_hand(client: httpx.Client, base: str, a: str, b: str) -> str:
    """Shortest co-publication paths of at most 2 steps: a direct tie, else the nodes tied to both."""
    direct = select(client, base, PREFIXES + f"SELECT ?w WHERE {{ {pair_pattern(a, b)} }} LIMIT 1")
    if direct:
        return "1 paths of 1 steps"
    left = {r["n"]["value"] for r in select(client, base, ties_sparql([a], None, 1))}
    right = {r["n"]["value"] for r in select(client, base, ties_sparql([b], None, 1))}
    return f"{len(left & right):,} paths of {2 if left & right else 0} steps"


PARTNERS_GRAPHQL = """query ($during: YearRange) { partners(of: "CNRS", kinds: [COPUBLICATION], during: $during,
  first: 10) { totalCount nodes { weight node { iri label } } } }"""
NETWORK_GRAPHQL = """query ($seed: String!, $hops: Int!, $minWeight: Float!) {
  network(seeds: [$seed], hops: $hops, include: [COPUBLICATION], minWeight: $minWeight) {
    nodes { iri label } edges { sourceIri targetIri weight } } }"""
PATH_GRAPHQL = """query ($to: String!) { path(from: "CNRS", to: $to, maxHops: 2, include: [COPUBLICATION]) {
  totalCount nodes { length } } }"""
TREND_GRAPHQL = """query ($b: String!) { trend(a: "CNRS", b: $b) { total points { year value } } }"""


def partners_question(during: bool) -> Question:
    variables: dict[str, object] = {"during": {"start": WINDOW[0], "end": WINDOW[1]} if during else None}

    def ours(client: httpx.Client, base: str) -> str:
        return f"{graphql(client, base, PARTNERS_GRAPHQL, variables)['partners']['totalCount']:,} partners"

    def theirs(client: httpx.Client, base: str) -> str:
        return f"{len(select(client, base, partners_sparql(CNRS, during)))} rows"

    name = f"partners of the CNRS, {WINDOW[0]}-{WINDOW[1]}" if during else "partners of the CNRS"
    return Question(name, ours, theirs, "1", comparable=False)  # the top 10 of all: the check compares them


def network_question(name: str, seed: str, hops: int, min_weight: float, max_nodes: int | None) -> Question:
    variables: dict[str, object] = {"seed": seed, "hops": hops, "minWeight": min_weight}
    text = NETWORK_GRAPHQL
    if max_nodes is not None:
        variables["maxNodes"] = max_nodes
        text = text.replace(", $minWeight: Float!", ", $minWeight: Float!, $maxNodes: Int!")
        text = text.replace("minWeight: $minWeight)", "minWeight: $minWeight, maxNodes: $maxNodes)")
        text = text.replace("nodes { iri label }", "omitted nodes { iri label }")  # the nodes left out

    def ours(client: httpx.Client, base: str) -> str:
        found = graphql(client, base, text, variables)["network"]
        omitted = f" ({found['omitted']:,} nodes omitted)" if found.get("omitted") else ""
        return f"{len(found['nodes']):,} nodes, {len(found['edges']):,} edges{omitted}"

    def theirs(client: httpx.Client, base: str) -> str:
        return network_by_hand(client, base, seed, hops, min_weight)

    weight = f", minWeight {min_weight:g}" if min_weight else ""
    return Question(f"network of {name}, {hops} hop{'s' if hops > 1 else ''}{weight}", ours, theirs, str(hops + 2))


def path_question(to: str) -> Question:
    def ours(client: httpx.Client, base: str) -> str:
        found = graphql(client, base, PATH_GRAPHQL, {"to": to})["path"]
        steps = "/".join(str(n) for n in sorted({p["length"] for p in found["nodes"]}))
        return f"{found['totalCount']:,} paths of {steps or 0} steps"

    def theirs(client: httpx.Client, base: str) -> str:
        return path_by_hand(client, base, CNRS, to)

    return Question("path CNRS to Viet Nam, 2 steps at most", ours, theirs, "1-3")


def trend_question(partner: str, label: str) -> Question:
    def ours(client: httpx.Client, base: str) -> str:
        found = graphql(client, base, TREND_GRAPHQL, {"b": partner})["trend"]
        return f"{len(found['points'])} years, {found['total']:,.0f} works"

    def theirs(client: httpx.Client, base: str) -> str:
        text = PREFIXES + XSD + TREND_SPARQL.replace("__PAIR__", pair_pattern(CNRS, partner))
        rows = select(client, base, text)
        return f"{len(rows)} years, {sum(int(r['works']['value']) for r in rows):,} works"

    return Question(f"trend CNRS and {label}", ours, theirs, "1")


def export_question(max_nodes: int | None) -> Question:
    params = {"seeds": "CNRS", "hops": "1", "include": "copublication"}
    if max_nodes is not None:
        params["maxNodes"] = str(max_nodes)

    def ours(client: httpx.Client, base: str) -> str:
        response = client.get(f"{base}/export/network.gexf", params=params)
        if response.status_code != 200:
            raise refusal(response)
        gexf = response.content
        nodes, edges = gexf.count(b"<node "), gexf.count(b"<edge ")
        return f"{nodes:,} nodes, {edges:,} edges ({len(gexf) / 1e6:.1f} MB)"

    def theirs(client: httpx.Client, base: str) -> str:
        return network_by_hand(client, base, CNRS, 1, 0)

    return Question("GEXF export, network of the CNRS, 1 hop", ours, theirs, "3")


def top_lab(client: httpx.Client, base: str) -> tuple[str, str]:
    """The CNRS lab (under it in the hierarchy) with most synthetic works, and its label."""
    query = (
        PREFIXES
        + f"""SELECT ?lab (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?w) AS ?works) WHERE {{
  GRAPH ?g {{ ?g kg:synthetic true . ?w kg:affiliatedInstitution ?lab }} ?lab {H}+ {iri(CNRS)} .
  OPTIONAL {{ ?lab rdfs:label ?l }}
}} GROUP BY ?lab ORDER BY DESC(?works) ?lab LIMIT 1"""
    )
    try:
        rows = select(client, base, query)
    except Refused as refused:
        raise SystemExit(f"could not find the CNRS lab with most works ({refused}); give one with --lab IRI") from None
    if not rows:
        raise SystemExit("no CNRS lab has a synthetic work: generate more works (--works), or give one with --lab IRI")
    return rows[0]["lab"]["value"], rows[0].get("label", rows[0]["lab"])["value"]


def top_partner(client: httpx.Client, base: str) -> tuple[str, str]:
    """The CNRS's heaviest co-publication partner, and its label: by GraphQL, else by the
    hand-written SPARQL, else Viet Nam (the trend is asked all the same)."""
    try:
        nodes = graphql(client, base, PARTNERS_GRAPHQL, {"during": None})["partners"]["nodes"]
        if nodes:
            return nodes[0]["node"]["iri"], nodes[0]["node"]["label"]
    except Refused as refused:
        console.print(f"top partner by GraphQL: {escape(str(refused))}")
    try:
        rows = select(client, base, partners_sparql(CNRS, False))
        if rows:
            return rows[0]["partner"]["value"], short(rows[0]["partner"]["value"])
    except Refused as refused:
        console.print(f"top partner by SPARQL: {escape(str(refused))}")
    return VIETNAM, "Viet Nam"


def max_nodes_argument(client: httpx.Client, base: str, most: int) -> int | None:
    """``most`` when the server's ``network`` takes ``maxNodes`` (it then keeps the strongest ties
    of a larger network, 200 nodes by default): both sides then answer for the whole network."""
    query = '{ __type(name: "Query") { fields { name args { name } } } }'
    fields = graphql(client, base, query, {})["__type"]["fields"]
    network = next(f for f in fields if f["name"] == "network")
    return most if any(arg["name"] == "maxNodes" for arg in network["args"]) else None


def questions(client: httpx.Client, base: str, args: argparse.Namespace) -> list[Question]:
    lab, lab_label = (args.lab, short(args.lab)) if args.lab else top_lab(client, base)
    start = time.perf_counter()
    partner, partner_label = top_partner(client, base)  # the first network question the server answers
    console.print(f"first network question after the server started (partners): {time.perf_counter() - start:.1f} s")
    most = max_nodes_argument(client, base, args.max_nodes)
    console.print(f"lab with most synthetic works: {lab_label} ({lab}); top partner of the CNRS: {partner_label}")
    if most is not None:
        console.print(f"networks asked with maxNodes {most} (the whole network, as the hand-written SPARQL finds it)")
    asked = [partners_question(False), partners_question(True)]
    for name, seed in (("the CNRS", CNRS), ("a lab", lab), ("Viet Nam", VIETNAM)):
        for hops in (1, 2):
            for weight in (0, args.min_weight):
                asked.append(network_question(name, seed, hops, weight, most))
    return [*asked, path_question(VIETNAM), trend_question(partner, partner_label), export_question(most)]


@dataclass
class Timing:
    """One side's answers to one question: times of the answered requests, or the error met, and the time spent."""

    ms: list[float] = field(default_factory=list)
    error: Refused | None = None
    size: str = ""
    spent: float = 0.0

    def done(self, repeat: int, budget: float) -> bool:
        """Asked ``repeat`` times, or for ``budget`` seconds; an error answer is not asked again (a
        timeout would cost the server's whole time budget each time)."""
        return self.error is not None or len(self.ms) >= repeat or self.spent >= budget

    def once(self, ask: Ask, client: httpx.Client, base: str) -> None:
        start = time.perf_counter()
        try:
            self.size = ask(client, base)
        except Refused as refused:
            self.error = refused
        elapsed = time.perf_counter() - start
        self.spent += elapsed
        if self.error is None:
            self.ms.append(elapsed * 1000)

    def answer(self, other: Timing | None = None) -> str:
        """The answer's size, or the error's kind (its message is printed below the table); marked
        when it differs from ``other``'s size."""
        if self.error is not None:
            return f"{escape(self.size)}, [red]then error[/]" if self.ms else "[red]error[/]"
        if other is not None and other.error is None and other.size.split(" (")[0] != self.size.split(" (")[0]:
            return f"[yellow]{escape(self.size)} (differs)[/]"
        return escape(self.size)

    def median(self) -> str:
        """The median time for a progress line, or the error met."""
        return self.error.code if self.error is not None else f"{percentile(self.ms, 50):,.0f} ms"

    def cell(self, p: int) -> str:
        """The median or p99 in ms; an error answer takes the median's place, or, after answers,
        the p99's (it was the slowest)."""
        if self.error is not None and (not self.ms or p == 99):
            return f"[bold red]{self.error.code}[/]" if p == 50 or self.ms else ""
        return f"{percentile(self.ms, p):,.0f}" if self.ms else "-"


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def time_questions(
    client: httpx.Client, base: str, asked: list[Question], repeat: int, budget: float
) -> dict[str, tuple[Timing, Timing]]:
    """Each question, GraphQL and SPARQL in turn (so that both meet the same state of the machine),
    until each side was asked ``repeat`` times or spent ``budget`` seconds. The first requests are
    measured too: with few repetitions, p99 is close to the slowest request."""
    table = Table(
        title=f"Questions: GraphQL against hand-written SPARQL over raw publications, {repeat} requests each "
        f"(or {budget:g} s a side), times in ms"
    )
    columns = ["question", "GraphQL answer", "n", "median", "p99", "SPARQL answer", "queries", "n", "median", "p99"]
    for column in [*columns, "ratio"]:
        table.add_column(column, justify="left" if "answer" in column or column == "question" else "right")
    timings = {}
    for question in asked:
        ours, theirs = Timing(), Timing()
        while not (ours.done(repeat, budget) and theirs.done(repeat, budget)):
            for side, ask in ((ours, question.graphql), (theirs, question.sparql)):
                if not side.done(repeat, budget):
                    side.once(ask, client, base)
        timings[question.name] = (ours, theirs)
        both = ours.ms and theirs.ms and ours.error is None and theirs.error is None
        ratio = f"{statistics.median(ours.ms) / statistics.median(theirs.ms):.3g}" if both else "-"
        table.add_row(
            question.name,
            ours.answer(),
            str(len(ours.ms)),
            ours.cell(50),
            ours.cell(99),
            theirs.answer(ours if question.comparable else None),
            question.sparql_queries,
            str(len(theirs.ms)),
            theirs.cell(50),
            theirs.cell(99),
            ratio,
        )
        console.print(f"  {question.name}: GraphQL {ours.median()}, SPARQL {theirs.median()}")
    console.print(table)
    console.print("n: requests answered; ratio: GraphQL median / SPARQL median (under 1: GraphQL is faster)")
    for name, sides in timings.items():
        for label, timing in zip(("GraphQL", "SPARQL"), sides, strict=True):
            if timing.error is not None:
                console.print(f"  {name}, {label}: [red]{timing.error.code}[/] {escape(timing.error.message)}")
    return timings


# ---------------------------------------------------------------------------------------------
# 3. Check


def check(client: httpx.Client, base: str, partner: str) -> bool:
    """GraphQL's partners of the CNRS (top 10, their counts and their number; all years and the
    window) and its trend with ``partner``, against the counts recounted from the raw facts."""
    start = time.perf_counter()
    facts = scale_rules.read_facts(lambda query: select_all(client, base, query))
    console.print(f"check: raw facts of {len(facts.years):,} works read in {time.perf_counter() - start:.1f} s")
    table = Table(title="Check: GraphQL against the counting rules recomputed from raw publications")
    for column in ("question", "result", "first differences"):
        table.add_column(column)
    passed = True
    for window in (None, WINDOW):
        ties = scale_rules.ties_of(facts, CNRS, *(window or (None, None)))
        expected = scale_rules.partners(ties)
        during = {"start": window[0], "end": window[1]} if window else None
        found = graphql(client, base, PARTNERS_GRAPHQL, {"during": during})["partners"]
        problems = partner_differences(found, expected)
        by_hand = [r["partner"]["value"] for r in select(client, base, partners_sparql(CNRS, window is not None))]
        name = "top-10 partners of the CNRS" + (f", {window[0]}-{window[1]}" if window else "")
        table.add_row(name, verdict(problems), escape("; ".join(problems[:3])))
        passed &= not problems
        rules_top = [iri for iri, _ in expected[:10]]
        if by_hand != rules_top:
            diff = ", ".join(f"{short(a)}/{short(b)}" for a, b in zip(by_hand, rules_top, strict=False) if a != b)
            table.add_row(
                f"  hand-written SPARQL, {name}", "[yellow]differs[/]", escape(f"order (SPARQL/rules): {diff[:150]}")
            )
    expected_years = scale_rules.ties_of(facts, CNRS).get(partner, scale_rules.Tie()).per_year
    points = graphql(client, base, TREND_GRAPHQL, {"b": partner})["trend"]["points"]
    got = {int(p["year"]): p["value"] for p in points}
    problems = [
        f"{y}: {got.get(y)} (expected {expected_years.get(y)})"
        for y in sorted(set(got) | set(expected_years))
        if got.get(y) != expected_years.get(y)
    ]
    table.add_row(f"trend CNRS and {short(partner)}", verdict(problems), escape("; ".join(problems[:3])))
    console.print(table)
    return passed and not problems


def short(node: str) -> str:
    return node.rsplit("/", 1)[-1]


def verdict(problems: list[str]) -> str:
    return "[bold red]FAIL[/]" if problems else "[bold green]PASS[/]"


def partner_differences(found: dict[str, Any], expected: list[tuple[str, int]]) -> list[str]:
    """What differs: the number of partners, a partner's count, or the top-10 counts (ties may order differently)."""
    problems = []
    if found["totalCount"] != len(expected):
        problems.append(f"{found['totalCount']:,} partners (expected {len(expected):,})")
    counts = dict(expected)
    for node in found["nodes"]:
        key = node["node"]["iri"]
        if counts.get(key) != node["weight"]:
            problems.append(f"{short(key)}: {node['weight']:g} (expected {counts.get(key)})")
    top = [w for _, w in expected[:10]]
    if [n["weight"] for n in found["nodes"]] != top:
        problems.append(f"top-10 counts {[n['weight'] for n in found['nodes']]} (expected {top})")
    return problems


# ---------------------------------------------------------------------------------------------
# 4. Concurrency


@dataclass
class Tally:
    """Error answers by kind, counted by the client threads."""

    codes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def asker(self, asks: list[Ask], base: str) -> Callable[[httpx.Client, int], bool]:
        def send(client: httpx.Client, k: int) -> bool:
            try:
                asks[k % len(asks)](client, base)
            except Refused as refused:
                code = refused.code
            except (ValueError, KeyError, TypeError):
                code = "unreadable answer"  # not JSON, or not the shape asked for
            else:
                return True
            with self.lock:
                self.codes[code] += 1
            return False

        return send


def concurrency(base: str, asked: list[Question], clients: int, seconds: float) -> None:
    table = Table(title=f"{clients} clients for {seconds:g} s each, sending {len(asked)} questions in turn")
    for column in ("side", "answered/s", "median ms", "p99 ms", "errors"):
        table.add_column(column, justify="left" if column in ("side", "errors") else "right")
    rates = []
    for side, asks in (("GraphQL", [q.graphql for q in asked]), ("hand-written SPARQL", [q.sparql for q in asked])):
        tally = Tally()
        done = hammer(tally.asker(asks, base), clients, seconds)
        rates.append(len(done.latencies_ms) / done.seconds)
        unanswered = done.errors - sum(tally.codes.values())  # the clients' 60 s timeout, or a lost connection
        errors = dict(tally.codes) | ({"no HTTP answer": unanswered} if unanswered else {})
        shown = ", ".join(f"[bold red]{code}[/] {n}" for code, n in sorted(errors.items())) or "0"
        table.add_row(
            side,
            f"{rates[-1]:.2f}",
            f"{percentile(done.latencies_ms, 50):,.0f}" if done.latencies_ms else "-",
            f"{percentile(done.latencies_ms, 99):,.0f}" if done.latencies_ms else "-",
            shown,
        )
    if rates[1]:
        table.add_row("ratio GraphQL/SPARQL", f"{rates[0] / rates[1]:.3g}", "", "", "")
    console.print(table)


@contextmanager
def memory_peak(pattern: str) -> Iterator[list[float]]:
    """Polls (every 0.5 s) the summed RSS of this process's child whose command line has ``pattern``
    and of its descendants (the server and its query workers); the list holds the peak in MiB."""
    peak = [0.0]
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.5):
            for child in psutil.Process().children():
                try:
                    if pattern not in " ".join(child.cmdline()):
                        continue
                    tree = [child, *child.children(recursive=True)]
                    peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree) / 2**20)
                except psutil.Error:
                    pass  # a worker ended between the listing and the reading

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


# ---------------------------------------------------------------------------------------------


def serve_and_ask(space: Workspace, args: argparse.Namespace) -> bool:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = cnrs_kg_command("serve", "--store", str(space.store), "--port", str(port))
    passed = True
    with (
        memory_peak("serve") as peak,
        background_server(command, f"{base}/health", log=space.log("server"), timeout=300),
    ):
        with httpx.Client(timeout=120) as client:
            asked = questions(client, base, args)
            timings = time_questions(client, base, asked, args.repeat, args.budget)
            if args.check if args.check is not None else args.works <= 30_000:
                partner, _ = top_partner(client, base)
                try:
                    passed = check(client, base, partner)
                except Refused as refused:  # the facts, or GraphQL's answer, could not be read
                    console.print(f"check: [bold red]not completed[/]: {escape(str(refused))}")
                    passed = False
                console.print(f"check: {'[bold green]PASS[/]' if passed else '[bold red]FAIL[/]'}")
        answered = [q for q in asked if timings[q.name][0].error is None]
        left = [q.name for q in asked if q not in answered]
        if left:
            console.print(f"left out of the concurrent mix (GraphQL's error answer alone): {'; '.join(left)}")
        if args.seconds > 0 and answered:
            concurrency(base, answered, args.clients, args.seconds)
    console.print(f"server memory: peak {peak[0]:,.0f} MiB (the server and its query workers, RSS summed)")
    return passed


def run(space: Workspace, args: argparse.Namespace) -> bool:
    n = args.works
    prepare(space, n)
    with space.nquads(n).open("rb") as lines:
        statements = sum(1 for _ in lines)
    ours, raw = load(space, n)
    print_load(n, statements, ours, raw)
    return serve_and_ask(space, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000, help="synthetic works to generate and load")
    parser.add_argument("--repeat", type=int, default=20, help="requests per side and question")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds a side of a question is repeated for, at most (then fewer)"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=60.0, help="each side's concurrent run (0: none)")
    parser.add_argument("--min-weight", type=float, default=20.0, help="the weighted networks' minWeight")
    parser.add_argument("--check", action=argparse.BooleanOptionalAction, help="default: on for 30,000 works or fewer")
    parser.add_argument(
        "--max-nodes", type=int, default=2000, help="the networks' maxNodes, where the server takes it (its limit)"
    )
    parser.add_argument("--lab", help="the lab whose network is asked (an IRI; default: the CNRS lab with most works)")
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files in --dir for the next run")
    args = parser.parse_args()
    if args.works < 1 or args.repeat < 1 or args.clients < 1:
        parser.error("--works, --repeat and --clients take a number of 1 or more")
    if args.keep and args.dir is None:
        parser.error("--keep needs --dir: the folder to keep the files in")
    console.print(f"[bold]bench.scale[/]: {args.works:,} SYNTHETIC works, {os.cpu_count()} cores")
    if args.dir is None:
        with tempfile.TemporaryDirectory(prefix="cnrs-kg-bench-scale-") as tmp:
            passed = run(Workspace(Path(tmp)), args)
    else:
        created = not args.dir.exists()
        args.dir.mkdir(parents=True, exist_ok=True)
        space = Workspace(args.dir)
        try:
            passed = run(space, args)
        finally:
            if not args.keep:
                space.clean(args.works)
                if created:
                    args.dir.rmdir()
    if not passed:
        sys.exit(1)


if __name__ == "__main__":
    main()
