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
   works, the hierarchy and its dates; never the materialised network graphs), alternated so
   that both meet the same state of the machine; a side stops early once it has spent
   ``--budget`` seconds on a question. Median, p99, the ratio of the medians, and each side's
   answer size (marked when they differ); an error answer (``QUERY_TIMEOUT``,
   ``COST_LIMIT_EXCEEDED``...) is printed instead of a time, and not asked again. Questions:
   partners of the CNRS (all years, 2015-2024); networks of 1 and 2 hops around the CNRS, its
   lab with most synthetic works, and the seed ``VN`` (the institution-level question: the
   organisations located in Viet Nam, and their partners), with and without ``--min-weight``; a
   path from the CNRS to the country Viet Nam; the trend of the CNRS with its top partner; the
   GEXF export of the CNRS's 1-hop network; the agreement gaps of 2015-2024, IRL IPAL's
   co-publications by phase and the collaboration profiles over 2015-2024 of 20 institutions in
   turn, so that none is one the server kept (``graph.analytics``; by hand: the partners, the trend
   with NUS, and each body's works per year).
   All are co-publications only, full counting; GraphQL asks no node metrics (SPARQL cannot
   compute them). Networks are asked with ``maxNodes``
   ``--max-nodes``: by default 200, the server's default, the strongest ties that users get
   (the 1-hop network of the CNRS is the issue's latency target); 2,000, its limit, for the
   whole network at small N. The header of the table says which.

   The hand-written SPARQL counts by the rules of ``graph.links`` (``Rules``): a work in its
   earliest year; ties at the same level between distinct affiliations, the hierarchy as it
   stood that year (edges within the child's dates, parents within their lifetime), a root
   staying itself at the levels above; institutions with the work's other countries; internal
   ties left out of the partners. Three queries first read what it needs of the hierarchy
   (``read_hierarchy``): its longest chain, which the SPARQL climbs, and the bodies whose dates
   exclude a year of the works (where a climb meets none, the undated paths answer). Its counts
   equal the rules' when that chain has at most ``MAX_DEPTH`` steps (and so no cycle); else it
   climbs that many steps where the rules climb until a level repeats, and the header says the
   counts may differ. For a network, what the server does after counting is done in the client
   as the server does it: a ``VN`` seed stands for its organisations (the strongest, half of
   ``maxNodes``), and each ring keeps its strongest new nodes while there is room. At 2,000
   works its answers are the same as GraphQL's; it is 10 to 100 times heavier than the roll-up
   it replaced (every ancestor with every ancestor), and a 2-hop network of 200 nodes may run
   over the server's 30 s budget. It does not apply the reconciliation's matches (an
   organisation matched with a ROR organisation stays a node of its own), which the server and
   the check (``bench.scale_rules.fold``) do: one source of the network sizes it marks as
   differing (at 2,000 works, one or two nodes of 200; the partners' counts are equal).
3. **Check** (``--check``; by default when N <= 30,000): the top-10 partners of the CNRS with
   their counts and their total number, for all years and for 2015-2024, and the trend, from
   GraphQL, equal the figures recounted in Python from the raw facts read over ``/sparql``, under
   the counting rules of ``graph.links`` (``bench.scale_rules``). PASS or FAIL with the first
   differences; it also says where the hand-written SPARQL's top 10 differs from the rules'.
4. **Concurrency:** ``--clients`` threads send the questions that GraphQL answered alone, in
   turn, for ``--seconds``: GraphQL, then the hand-written SPARQL of the same questions (where
   it failed alone it fails again, counted). Throughput, median and p99 latency, errors by kind;
   and the server's peak memory (its process and its query workers, polled).

Usage: python -m bench.scale [--works N] [--repeat R] [--budget S] [--clients C] [--seconds S]
[--min-weight W] [--max-nodes M] [--lab IRI] [--check | --no-check] [--dir DIR] [--keep] [--store STORE]
[--only WORDS]
(development: ``--works 2000 --repeat 3 --seconds 5``, a few minutes; ``--dir D --keep`` reuses
the works file and the bundled store of the previous run; ``--store STORE`` asks the questions of
a store loaded beforehand, such as one of 1,000,000 works, without loading anything).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
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


# The hand-written SPARQL: the counting rules of ``graph.links`` over the raw publications.

H = "(org:subOrganizationOf|kg:supervisingBody)"
PREFIXES = (
    scale_rules.PREFIXES
    + "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)
# The most steps of the hierarchy the hand-written SPARQL climbs: each step nests its queries about
# seven levels deeper (53 at 5 steps, 60 at 6), under the server's limit of 64.
MAX_DEPTH = 6


def iri(node: str) -> str:
    """A node IRI as SPARQL text; the IRIs come from this benchmark or from the server's answers."""
    if any(c in node for c in '<>"{}|^`\\ '):
        raise ValueError(f"not an IRI: {node!r}")
    return f"<{node}>"


def is_country(node: str) -> bool:
    return node.startswith(COUNTRY)


def year_of(term: str) -> str:
    """The year of a date, a gYear or a year (its first four characters) as an integer; an error
    when they are no year, which the date bounds read as no bound, as the rules do."""
    return f"xsd:integer(SUBSTR(STR({term}), 1, 4))"


YEAR = year_of("?d")  # the work's year: ?d is the earliest publication year of ?w


@dataclass(frozen=True)
class Hierarchy:
    """What the hand-written SPARQL knows of the hierarchy before it counts (``read_hierarchy``):
    ``depth``, the steps of its longest chain, which the SPARQL climbs (``whole``: no longer chain,
    so no cycle either); and ``blockers``, the bodies whose dates may exclude a year of the works
    (first year of their lifetime, last year; None: unbounded): a climb that meets none of them
    in a work's year is the undated one, tested by paths, and only the others are climbed edge by
    edge with their dates."""

    depth: int
    whole: bool
    blockers: tuple[tuple[str, int | None, int | None], ...] = ()


@dataclass
class Rules:
    """The counting rules of ``graph.links`` as SPARQL over ``hierarchy``.

    Each branch binds ?f (among the nodes asked about) and ?n (its partner) for each work ?w that
    ties them, in the work's earliest year ?d (within ``window`` when given). Written for Oxigraph
    0.5 as it evaluates, measured at 2,000 works:

    - ``&&``, ``||`` and successive FILTERs evaluate every operand (an EXISTS after a false test
      still runs); only ``IF`` skips a branch, so every condition here is an ``IF`` chain, the
      cheap tests first (``both``, ``either``);
    - the patterns inside an EXISTS are joined without the bindings from outside (a chain of three
      patterns in one EXISTS took 25 s, nested EXISTS of one pattern each 0.15 s): a climb edge by
      edge is nested EXISTS, one parent each, pruned by the undated path to its target;
    - a UNION (or a BIND) is not joined row by row: the chains of each length as UNION branches
      were evaluated from every node (9 to 58 s for a ring of 200 nodes), so a level is a VALUES
      of the level numbers and a test; and a VALUES joined to a group is joined first (the rows
      of the group made once for each of its values: five times slower), so the rows come from a
      sub-select;
    - an EXISTS costs 5 to 50 µs: the climb edge by edge (a few hundred µs) is left to the rows
      whose affiliation has a blocker above it that year (``clear``).
    """

    hierarchy: Hierarchy
    window: tuple[int, int] | None = None
    names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def depth(self) -> int:
        return self.hierarchy.depth

    def fresh(self, stem: str) -> str:
        return f"?{stem}{next(self.names)}"

    # -- the undated hierarchy, where no blocker is met

    def clear(self, node: str) -> str:
        """No body at or above ``node`` has dates that exclude the work's year."""
        if not self.hierarchy.blockers:
            return "true"
        spans: dict[tuple[int | None, int | None], list[str]] = defaultdict(list)
        for body, first, last in self.hierarchy.blockers:
            spans[(first, last)].append(body)
        above = self.fresh("above")
        tests = []  # ``||`` evaluates every operand: each looks at its bodies only in the years they exclude
        for (first, last), bodies in sorted(spans.items(), key=repr):
            bounds = [f"{YEAR} < {first}" if first is not None else "", f"{YEAR} > {last}" if last is not None else ""]
            out = " || ".join(bound for bound in bounds if bound)
            tests.append(f"IF({out}, {above} IN ({', '.join(map(iri, bodies))}), false)")
        return f"NOT EXISTS {{ {node} {H}* {above} FILTER({' || '.join(tests)}) }}"

    def up_any(self, node: str, then: Callable[[str], str]) -> str:
        """``node`` has a parent (undated) for which ``then(parent)`` holds. A path of a fixed length
        (``?x p/p ?y``) would do, but Oxigraph walks it from its end: from the CNRS, 2,000 children."""
        parent = self.fresh("up")
        return f"EXISTS {{ {node} {H} {parent} FILTER({both(f'{parent} != {node}', then(parent))}) }}"

    def exactly(self, node: str, target: str, taken: int = 0) -> str:
        """``target`` is ?k steps above ``node`` in the undated hierarchy."""
        if taken == self.depth:
            return f"(?k = {taken} && {node} = {target})"
        return (
            f"IF(?k = {taken}, {node} = {target}, {self.up_any(node, lambda up: self.exactly(up, target, taken + 1))})"
        )

    def at_most(self, node: str, target: str, taken: int = 0) -> str:
        """``target`` is ?k steps or fewer above ``node`` in the undated hierarchy."""
        if taken == self.depth:
            return f"{node} = {target}"
        further = self.up_any(node, lambda up: self.at_most(up, target, taken + 1))
        return either(f"{node} = {target}", f"IF(?k = {taken}, false, {further})")

    def undated_root(self, node: str) -> str:
        parent = self.fresh("up")
        return f"NOT EXISTS {{ {node} {H} {parent} FILTER({parent} != {node}) }}"

    # -- the dated hierarchy, edge by edge

    def allows(self, node: str, dates: str, compare: str) -> str:
        """``node`` has no date of ``dates``, or one ``compare`` the work's year, or one without a year."""
        date, other = self.fresh("date"), self.fresh("date")
        return either(
            f"NOT EXISTS {{ {node} {dates} {other} }}",
            f"EXISTS {{ {node} {dates} {date} FILTER(COALESCE({year_of(date)} {compare} {YEAR}, true)) }}",
        )

    def holds(self, child: str, parent: str) -> str:
        """The edge ``child`` -> ``parent`` holds in the work's year: within the child's dates, and
        the parent existed (from its earliest start or ROR establishment year to its latest end)."""
        return both(
            self.allows(child, "schema:startDate", "<="),
            self.allows(child, "schema:endDate", ">="),
            self.allows(parent, "schema:startDate|kg:establishmentYear", "<="),
            self.allows(parent, "schema:endDate", ">="),
        )

    def toward(self, node: str, target: str, then: Callable[[str], str]) -> str:
        """``node`` has a parent that year, at or under ``target`` in the undated hierarchy, for which
        ``then(parent)`` holds."""
        parent = self.fresh("up")
        test = both(
            f"{parent} != {node}", f"EXISTS {{ {parent} {H}* {target} }}", self.holds(node, parent), then(parent)
        )
        return f"EXISTS {{ {node} {H} {parent} FILTER({test}) }}"

    def root(self, node: str) -> str:
        """``node`` has no parent that year: it stays itself at the levels above."""
        parent = self.fresh("up")
        return f"NOT EXISTS {{ {node} {H} {parent} FILTER({both(f'{parent} != {node}', self.holds(node, parent))}) }}"

    def reaches(self, node: str, target: str, taken: int = 0) -> str:
        """``target`` is in the organisation set of ``node`` that year: itself or an ancestor."""
        if taken == self.depth:
            return f"{node} = {target}"
        return either(f"{node} = {target}", self.toward(node, target, lambda up: self.reaches(up, target, taken + 1)))

    def dated_level(self, node: str, target: str, taken: int = 0) -> str:
        """``target`` is at level ?k of ``node`` that year: ?k steps above it, or fewer and a root
        (a body without a parent stays itself at the levels above)."""
        if taken == self.depth:
            return f"(?k = {taken} && {node} = {target})"
        further = self.toward(node, target, lambda up: self.dated_level(up, target, taken + 1))
        return f"IF(?k = {taken}, {node} = {target}, IF({node} = {target}, {self.root(target)}, {further}))"

    # -- either, by whether the affiliation is clear of blockers (``cleared``: ``clear``, or its value)

    def level(self, node: str, target: str, cleared: str, rooted: str) -> str:
        """``target`` is at level ?k of ``node`` (``rooted``: the target has no parent, undated)."""
        undated = f"IF({rooted}, {self.at_most(node, target)}, {self.exactly(node, target)})"
        return f"IF({cleared}, {undated}, {self.dated_level(node, target)})"

    def within(self, node: str, affiliation: str, cleared: str) -> str:
        """``node``, at or above ``affiliation`` in the undated hierarchy, is in its organisation set that year."""
        return either(cleared, self.reaches(affiliation, node))

    def outside(self, node: str, affiliation: str, cleared: str) -> str:
        """``node`` is not in the organisation set of ``affiliation`` that year."""
        return either(f"NOT EXISTS {{ {affiliation} {H}* {node} }}", f"!{self.within(node, affiliation, cleared)}")

    def dated(self) -> str:
        """?d, the earliest publication year of ?w (a work counts once, that year), in the window."""
        text = (
            f"?w fabio:hasPublicationYear ?d . "
            f"FILTER NOT EXISTS {{ ?w fabio:hasPublicationYear ?e FILTER({year_of('?e')} < {YEAR}) }}"
        )
        if self.window:
            text += f" FILTER({YEAR} >= {self.window[0]} && {YEAR} <= {self.window[1]})"
        return text

    def institutions(self, ends: str, once: str, internal: bool) -> list[str]:
        """Institution ties. Level 0: two affiliations ?f and ?n (``internal``: ?internal is 1 when one
        is in the other's organisation set). Levels ?k from 1: ?f at level ?k of an affiliation ?a,
        ?n at level ?k of another, ?b, neither in the other's organisation set."""
        level0 = f"{ends} ?w kg:affiliatedInstitution ?f , ?n . FILTER(?f != ?n){once} {self.dated()}"
        if internal:
            apart = both(self.outside("?n", "?f", self.clear("?f")), self.outside("?f", "?n", self.clear("?n")))
            level0 += f" BIND(IF({apart}, 0, 1) AS ?internal)"
        levels = " ".join(str(k) for k in range(1, self.depth + 1))
        # The rows are made for each level after the others are filtered, and the blockers and the
        # roots looked up once a row: in the same group as VALUES ?k, they would be made for each
        # level first.
        apart = both(
            "?a != ?b && ?n != ?f",
            self.outside("?f", "?b", self.clear("?b")),
            self.outside("?n", "?a", self.clear("?a")),
        )
        rows = (
            f"SELECT ?w ?d ?a ?b ?f ?n ?ca ?cb ?rf ?rn WHERE {{ {ends} ?a {H}* ?f . "
            f"?w kg:affiliatedInstitution ?a , ?b . ?b {H}* ?n .{once} {self.dated()} FILTER({apart}) "
            f"BIND({self.clear('?a')} AS ?ca) BIND({self.clear('?b')} AS ?cb) "
            f"BIND({self.undated_root('?f')} AS ?rf) BIND({self.undated_root('?n')} AS ?rn) }}"
        )
        levels = " ".join(str(k) for k in range(1, self.depth + 1))
        # Both ends roots, the affiliations clear of blockers: ?f and ?n stay themselves above the
        # levels where each is reached, so they share a level (the first one is enough).
        settled = "?ca && ?cb && ?rf && ?rn"
        at_level = both(self.level("?a", "?f", "?ca", "?rf"), self.level("?b", "?n", "?cb", "?rn"))
        above = f"{{ {rows} }} VALUES ?k {{ {levels} }} FILTER(IF({settled}, ?k = 1, {at_level}))" + (
            " BIND(0 AS ?internal)" if internal else ""
        )
        return [f"{{ {level0} }}", f"{{ {above} }}"]

    def institution_countries(self, ends: str, internal: bool) -> str:
        """Institution ?f, credited by an affiliation ?a at or under it that year, and a country ?n
        of the work not its own."""
        return (
            f"{{ {ends} ?a {H}* ?f . ?w kg:affiliatedInstitution ?a ; kg:affiliatedCountry ?n . "
            f"FILTER NOT EXISTS {{ ?f kg:country ?n }} {self.dated()} "
            f"FILTER({self.within('?f', '?a', self.clear('?a'))})" + (" BIND(0 AS ?internal) }" if internal else " }")
        )

    def country_institutions(self, ends: str) -> str:
        """Country ?f of the work and an institution ?n the work credits (an affiliation ?b or one of
        its ancestors that year), not in ?f."""
        return (
            f"{{ {ends} ?w kg:affiliatedCountry ?f ; kg:affiliatedInstitution ?b . ?b {H}* ?n . "
            f"FILTER NOT EXISTS {{ ?n kg:country ?f }} {self.dated()} "
            f"FILTER({self.within('?n', '?b', self.clear('?b'))}) }}"
        )

    def countries(self, ends: str, once: str) -> str:
        return f"{{ {ends} ?w kg:affiliatedCountry ?f , ?n . FILTER(?f != ?n){once} {self.dated()} }}"


def both(*tests: str) -> str:
    """All the tests, each evaluated only when those before it hold (``&&`` evaluates them all)."""
    *first, last = tests
    text = last
    for test in reversed(first):
        text = f"IF({test}, {text}, false)"
    return text


def either(first: str, second: str) -> str:
    """One test or the other, the second evaluated only when the first fails."""
    return f"IF({first}, true, {second})"


def values(variable: str, nodes: list[str]) -> str:
    return f"VALUES {variable} {{ {' '.join(map(iri, nodes))} }}"


def branches(
    rules: Rules, sources: list[str], targets: list[str] | None, *, among: bool = False, internal: bool = False
) -> list[str]:
    """The UNION branches of the ties of ``sources`` (to ``targets``, any node when None). ``among``:
    the ties among ``sources`` (``targets`` ignored), each pair once."""
    if among:
        targets = sources
    kinds = {"inst": [n for n in sources if not is_country(n)], "country": [n for n in sources if is_country(n)]}
    ends: dict[str, list[str] | None] = {"inst": None, "country": None}
    if targets is not None:
        ends = {"inst": [n for n in targets if not is_country(n)], "country": [n for n in targets if is_country(n)]}

    def given(left: str, right: str) -> str | None:
        """The VALUES of a branch, or None when it has no node to start from or to reach."""
        far = ends[right]
        if not kinds[left] or far == []:
            return None
        return values("?f", kinds[left]) + ("" if far is None else " " + values("?n", far))

    once = " FILTER(STR(?f) < STR(?n))" if among else ""
    found = []
    if (text := given("inst", "inst")) is not None:
        found += rules.institutions(text, once, internal)
    if (text := given("inst", "country")) is not None:
        found.append(rules.institution_countries(text, internal))
    if not among and (text := given("country", "inst")) is not None:  # among nodes, the branch above has them
        found.append(rules.country_institutions(text))
    if (text := given("country", "country")) is not None:
        found.append(rules.countries(text, once))
    return found


# Partners by hand: every tie of the seed, internal ones (the seed with a unit of its own on one
# byline) left out as GraphQL's partners leave them.
PARTNERS_SPARQL = """SELECT ?partner ?works WHERE {
  { SELECT (?n AS ?partner) (COUNT(DISTINCT ?w) AS ?works) (MAX(?internal) AS ?inside) WHERE { __TIES__ } GROUP BY ?n }
  FILTER(?inside = 0)
} ORDER BY DESC(?works) ?partner LIMIT 10"""
TIES_SPARQL = "SELECT ?f ?n (COUNT(DISTINCT ?w) AS ?c) WHERE { __TIES__ } GROUP BY ?f ?n"
# Co-publications of a pair per year, each work in its earliest year.
TREND_SPARQL = (
    f"SELECT ?year (COUNT(DISTINCT ?w) AS ?works) WHERE {{ __TIES__ }} GROUP BY ({YEAR} AS ?year) ORDER BY ?year"
)
PAIR_SPARQL = "SELECT ?w WHERE { __TIES__ } LIMIT 1"
# The organisations a country seed stands for at the institution level (``graph.explore.places``).
MEMBERS_SPARQL = """SELECT DISTINCT ?org WHERE { ?org kg:country __PLACE__
  FILTER NOT EXISTS { ?org a kg:CooperationInstrument } FILTER NOT EXISTS { ?org a kg:RegionalOffice } }"""
LABELS_SPARQL = (
    "SELECT ?n (SAMPLE(?l) AS ?label) WHERE { VALUES ?n { __NODES__ } OPTIONAL { ?n rdfs:label ?l } } GROUP BY ?n"
)


def union(parts: list[str]) -> str:
    return " UNION ".join(parts)


def partners_sparql(seed: str, hierarchy: Hierarchy, window: bool) -> str:
    rules = Rules(hierarchy, WINDOW if window else None)
    return PREFIXES + PARTNERS_SPARQL.replace("__TIES__", union(branches(rules, [seed], None, internal=True)))


def ties_sparql(
    sources: list[str], targets: list[str] | None, min_weight: float, hierarchy: Hierarchy, among: bool = False
) -> str:
    """The ties of ``sources`` (see ``branches``) of weight ``min_weight`` or more, in one query."""
    text = TIES_SPARQL.replace("__TIES__", union(branches(Rules(hierarchy), sources, targets, among=among)))
    return PREFIXES + text + (f" HAVING(COUNT(DISTINCT ?w) >= {min_weight:g})" if min_weight > 0 else "")


def ties_by_hand(
    client: httpx.Client, base: str, sources: list[str], min_weight: float, hierarchy: Hierarchy
) -> list[tuple[str, str, int]]:
    rows = select(client, base, ties_sparql(sources, None, min_weight, hierarchy))
    return [(r["f"]["value"], r["n"]["value"], int(r["c"]["value"])) for r in rows]


def strongest(strength: dict[str, int], room: int) -> list[str]:
    """The ``room`` nodes of the strongest ties, then by IRI: as the server keeps them."""
    return sorted(strength, key=lambda node: (-strength[node], node))[:room]


def place_seeds(
    client: httpx.Client, base: str, place: str, hops: int, min_weight: float, max_nodes: int, hierarchy: Hierarchy
) -> tuple[list[str], int, list[tuple[str, str, int]]] | None:
    """The organisations a country seed stands for (None: it stands for none), as the server keeps
    them: those with a tie, the strongest first, half of ``max_nodes`` when there are hops; then how
    many were left out, and the kept ones' ties of ``min_weight`` or more (the first ring's)."""
    members = [
        r["org"]["value"] for r in select(client, base, PREFIXES + MEMBERS_SPARQL.replace("__PLACE__", iri(place)))
    ]
    if not members:
        return None
    found = ties_by_hand(client, base, members, 0, hierarchy)
    strength: Counter[str] = Counter()
    for near, _, weight in found:
        strength[near] += weight
    tied = {member: strength[member] for member in members if strength[member] > 0} or dict.fromkeys(members, 0)
    kept = strongest(tied, max(max_nodes // 2 if hops else max_nodes, 1))
    chosen = set(kept)
    return kept, len(members) - len(kept), [tie for tie in found if tie[0] in chosen and tie[2] >= min_weight]


def network_by_hand(
    client: httpx.Client,
    base: str,
    seed: str,
    hops: int,
    min_weight: float,
    max_nodes: int | None,
    hierarchy: Hierarchy,
) -> str:
    """A network as an analyst asks it, and as the server prunes it: the ties of each ring, whose
    strongest new ends (while there is room under ``max_nodes``) are the next ring; then every tie
    among the nodes found, then their labels: hops + 2 queries, and one more for a country, which
    stands for its organisations (``place_seeds``)."""
    most = sys.maxsize if max_nodes is None else max_nodes
    start, omitted, first = [seed], 0, None
    if is_country(seed) and (standing := place_seeds(client, base, seed, hops, min_weight, most, hierarchy)):
        start, omitted, first = standing
    distance = dict.fromkeys(start, 0)
    ring = start
    for hop in range(1, hops + 1):
        found = first if first is not None else ties_by_hand(client, base, ring, min_weight, hierarchy)
        first = None
        strength: Counter[str] = Counter()
        for _, far, weight in found:
            if far not in distance:
                strength[far] += weight
        ring = strongest(strength, max(most - len(distance), 0))
        omitted += len(strength) - len(ring)
        distance.update(dict.fromkeys(ring, hop))
        if not ring:
            break
    nodes = list(distance)
    edges = select(client, base, ties_sparql(nodes, None, min_weight, hierarchy, among=True))
    select(client, base, PREFIXES + LABELS_SPARQL.replace("__NODES__", " ".join(map(iri, nodes))))
    return f"{len(nodes):,} nodes, {len(edges):,} edges" + (f" ({omitted:,} nodes omitted)" if omitted else "")


def pair_sparql(template: str, a: str, b: str, hierarchy: Hierarchy) -> str:
    """``template`` over the works that tie ``a`` to ``b``."""
    return PREFIXES + template.replace("__TIES__", union(branches(Rules(hierarchy), [a], [b])))


def path_by_hand(client: httpx.Client, base: str, a: str, b: str, hierarchy: Hierarchy) -> str:
    """Shortest co-publication paths of at most 2 steps: a direct tie, else the nodes tied to both."""
    if select(client, base, pair_sparql(PAIR_SPARQL, a, b, hierarchy)):
        return "1 paths of 1 steps"
    left = {far for _, far, _ in ties_by_hand(client, base, [a], 0, hierarchy)}
    right = {far for _, far, _ in ties_by_hand(client, base, [b], 0, hierarchy)}
    return f"{len(left & right):,} paths of {2 if left & right else 0} steps"


def ask(client: httpx.Client, base: str, query: str) -> bool:
    headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    response = client.post(f"{base}/sparql", content=query.encode(), headers=headers)
    if response.status_code != 200:
        raise refusal(response)
    return bool(response.json()["boolean"])


# The bodies of the hierarchy with dates (whether each is a parent), and the works' first and last year.
DATED_SPARQL = """SELECT ?body ?date ?value ?parent WHERE {
  { SELECT DISTINCT ?body WHERE { { ?body __H__ ?other } UNION { ?other __H__ ?body } } }
  VALUES ?date { schema:startDate kg:establishmentYear schema:endDate } ?body ?date ?value
  BIND(EXISTS { ?child __H__ ?body FILTER(?child != ?body) } AS ?parent)
}"""
WORK_YEARS_SPARQL = f"""SELECT (MIN({year_of("?d")}) AS ?first) (MAX({year_of("?d")}) AS ?last) WHERE {{
  ?w fabio:hasPublicationYear ?d }}"""


def read_hierarchy(client: httpx.Client, base: str) -> Hierarchy:
    """The hierarchy's depth (up to ``MAX_DEPTH``: one ASK a step) and its blockers (two queries)."""
    depth, whole = MAX_DEPTH, False
    for steps in range(1, MAX_DEPTH + 2):
        chain = " ".join(f"?x{k} {H} ?x{k + 1} . FILTER(?x{k} != ?x{k + 1})" for k in range(steps))
        if not ask(client, base, PREFIXES + f"ASK {{ {chain} }}"):
            depth, whole = steps - 1, True
            break
    years = select(client, base, PREFIXES + WORK_YEARS_SPARQL)
    if not years or "first" not in years[0]:
        return Hierarchy(depth, whole)
    dates: dict[str, dict[str, list[int | None]]] = defaultdict(lambda: defaultdict(list))
    parents = set()
    for row in select(client, base, PREFIXES + DATED_SPARQL.replace("__H__", H)):
        body, value = row["body"]["value"], row["value"]["value"][:4]
        dates[body][row["date"]["value"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]].append(
            int(value) if value.isdigit() else None
        )
        if row["parent"]["value"] == "true":
            parents.add(body)
    first, last = int(years[0]["first"]["value"]), int(years[0]["last"]["value"])
    found = []
    for body, known in sorted(dates.items()):
        starts = known["startDate"] + (known["establishmentYear"] if body in parents else [])
        bounds = [bound(known["startDate"], min), bound(starts, min) if body in parents else None]
        since = max((year for year in bounds if year is not None), default=None)
        until = bound(known["endDate"], max)
        if (since is not None and since > first) or (until is not None and until < last):
            found.append((body, since, until))
    return Hierarchy(depth, whole, tuple(found))


def bound(years: list[int | None], pick: Callable[[list[int]], int]) -> int | None:
    """The first (``min``) or last (``max``) of dates: None (no bound) without any, or with one
    without a year, as the rules read them."""
    return None if not years or None in years else pick([year for year in years if year is not None])


PARTNERS_GRAPHQL = """query ($during: YearRange) { partners(of: "CNRS", kinds: [COPUBLICATION], during: $during,
  first: 10) { totalCount nodes { weight node { iri label } } } }"""
NETWORK_GRAPHQL = """query ($seed: String!, $hops: Int!, $minWeight: Float!) {
  network(seeds: [$seed], hops: $hops, include: [COPUBLICATION], minWeight: $minWeight) {
    nodes { iri label } edges { sourceIri targetIri weight } } }"""
PATH_GRAPHQL = """query ($to: String!) { path(from: "CNRS", to: $to, maxHops: 2, include: [COPUBLICATION]) {
  totalCount nodes { length } } }"""
TREND_GRAPHQL = """query ($b: String!) { trend(a: "CNRS", b: $b) { total points { year value } } }"""


def partners_question(during: bool, hierarchy: Hierarchy) -> Question:
    variables: dict[str, object] = {"during": {"start": WINDOW[0], "end": WINDOW[1]} if during else None}

    def ours(client: httpx.Client, base: str) -> str:
        return f"{graphql(client, base, PARTNERS_GRAPHQL, variables)['partners']['totalCount']:,} partners"

    def theirs(client: httpx.Client, base: str) -> str:
        return f"{len(select(client, base, partners_sparql(CNRS, hierarchy, during)))} rows"

    name = f"partners of the CNRS, {WINDOW[0]}-{WINDOW[1]}" if during else "partners of the CNRS"
    return Question(name, ours, theirs, "1", comparable=False)  # the top 10 of all: the check compares them


@dataclass(frozen=True)
class NetworkAsked:
    """How the networks are asked: ``max_nodes`` (None: the server does not take it) and what the
    hand-written SPARQL knows of the hierarchy."""

    max_nodes: int | None
    hierarchy: Hierarchy


def network_question(name: str, seed: str, hops: int, min_weight: float, asked: NetworkAsked) -> Question:
    variables: dict[str, object] = {"seed": seed, "hops": hops, "minWeight": min_weight}
    text = NETWORK_GRAPHQL
    if asked.max_nodes is not None:
        variables["maxNodes"] = asked.max_nodes
        text = text.replace(", $minWeight: Float!", ", $minWeight: Float!, $maxNodes: Int!")
        text = text.replace("minWeight: $minWeight)", "minWeight: $minWeight, maxNodes: $maxNodes)")
        text = text.replace("nodes { iri label }", "omitted nodes { iri label }")  # the nodes left out

    def ours(client: httpx.Client, base: str) -> str:
        found = graphql(client, base, text, variables)["network"]
        omitted = f" ({found['omitted']:,} nodes omitted)" if found.get("omitted") else ""
        return f"{len(found['nodes']):,} nodes, {len(found['edges']):,} edges{omitted}"

    def theirs(client: httpx.Client, base: str) -> str:
        return network_by_hand(client, base, seed, hops, min_weight, asked.max_nodes, asked.hierarchy)

    weight = f", minWeight {min_weight:g}" if min_weight else ""
    queries = str(hops + 3 if is_country(seed) else hops + 2)
    return Question(f"network of {name}, {hops} hop{'s' if hops > 1 else ''}{weight}", ours, theirs, queries)


def path_question(to: str, hierarchy: Hierarchy) -> Question:
    def ours(client: httpx.Client, base: str) -> str:
        found = graphql(client, base, PATH_GRAPHQL, {"to": to})["path"]
        steps = "/".join(str(n) for n in sorted({p["length"] for p in found["nodes"]}))
        return f"{found['totalCount']:,} paths of {steps or 0} steps"

    def theirs(client: httpx.Client, base: str) -> str:
        return path_by_hand(client, base, CNRS, to, hierarchy)

    return Question("path CNRS to Viet Nam (the country), 2 steps at most", ours, theirs, "1-3")


def trend_question(partner: str, label: str, hierarchy: Hierarchy) -> Question:
    def ours(client: httpx.Client, base: str) -> str:
        found = graphql(client, base, TREND_GRAPHQL, {"b": partner})["trend"]
        return f"{len(found['points'])} years, {found['total']:,.0f} works"

    def theirs(client: httpx.Client, base: str) -> str:
        rows = select(client, base, pair_sparql(TREND_SPARQL, CNRS, partner, hierarchy))
        return f"{len(rows)} years, {sum(int(r['works']['value']) for r in rows):,} works"

    return Question(f"trend CNRS and {label}", ours, theirs, "1")


GAPS_GRAPHQL = """query ($during: YearRange) { gaps(during: $during, first: 10) {
  totalCount nodes { partner { ... on Institution { iri } } works perYear { year value } slope } } }"""
PHASES_GRAPHQL = """{ instrument(key: "irl-ipal") { copublications { partner { iri } start end
  before { years works fractional rate } during { years works fractional rate } after { years works fractional rate }
  perYear { year works fractional } } } }"""
NUS = "https://w3id.org/cnrs-kg/id/org/ror/01tgyzw49"  # a partner party of IRL IPAL


def gaps_question(hierarchy: Hierarchy) -> Question:
    """Agreement gaps of 2015-2024; by hand, the partners of the CNRS over the window (what the gaps
    are taken from: the instruments' parties are then left out in the client)."""
    variables: dict[str, object] = {"during": {"start": WINDOW[0], "end": WINDOW[1]}}

    def ours(client: httpx.Client, base: str) -> str:
        return f"{graphql(client, base, GAPS_GRAPHQL, variables)['gaps']['totalCount']:,} gaps"

    def theirs(client: httpx.Client, base: str) -> str:
        return f"{len(select(client, base, partners_sparql(CNRS, hierarchy, True)))} rows"

    return Question(f"agreement gaps of the CNRS, {WINDOW[0]}-{WINDOW[1]}", ours, theirs, "1", comparable=False)


def phases_question(hierarchy: Hierarchy) -> Question:
    """IRL IPAL's co-publications by phase with its seven partners; by hand, the trend with one of them."""

    def ours(client: httpx.Client, base: str) -> str:
        found = graphql(client, base, PHASES_GRAPHQL, {})["instrument"]["copublications"]
        return f"{len(found)} partners, {sum(len(p['perYear']) for p in found)} years"

    def theirs(client: httpx.Client, base: str) -> str:
        return f"{len(select(client, base, pair_sparql(TREND_SPARQL, CNRS, NUS, hierarchy)))} years"

    return Question("phases of IRL IPAL with its partners", ours, theirs, "1", comparable=False)


PROFILE_GRAPHQL = """query ($of: String!, $during: YearRange) { profile(of: $of, during: $during) {
  total { works international { share } nationalOnly { share } institutionalOnly { share } single { share }
    academicCorporate { share } }
  years { year works } partnerCountries { works } } }"""
BODY_WORKS_SPARQL = """SELECT ?year (COUNT(DISTINCT ?w) AS ?works) WHERE {
  { ?w kg:affiliatedInstitution __BODY__ } UNION { ?w kg:affiliatedInstitution ?unit . ?unit __H__+ __BODY__ }
  ?w fabio:hasPublicationYear ?year
} GROUP BY ?year"""


def profile_bodies(client: httpx.Client, base: str) -> list[str]:
    """The CNRS and its strongest partner institutions, 20 bodies in all: more than the server keeps
    profiles of (8), so that asking them in turn measures a profile made, never one kept."""
    query = '{ partners(of: "CNRS", kinds: [COPUBLICATION], first: 60) { nodes { node { iri countryCode } } } }'
    nodes = graphql(client, base, query, {})["partners"]["nodes"]
    located = [n["node"]["iri"] for n in nodes if "/org/" in n["node"]["iri"] and n["node"]["countryCode"]]
    return [CNRS, *located][:20]  # a body without a country has no profile (nothing can be told international)


def profile_question(bodies: list[str]) -> Question:
    """The collaboration profile over 2015-2024 of each body in turn; by hand, the body's works per
    year (its works and its units', the first thing a profile counts: its kinds need each work's
    affiliations, countries and the dated hierarchy)."""
    variables: dict[str, object] = {"during": {"start": WINDOW[0], "end": WINDOW[1]}}
    turn = itertools.cycle(bodies)
    by_hand = itertools.cycle(bodies)

    def ours(client: httpx.Client, base: str) -> str:
        found = graphql(client, base, PROFILE_GRAPHQL, {**variables, "of": next(turn)})["profile"]
        return f"{found['total']['works']:,.0f} works, {len(found['years'])} years"

    def theirs(client: httpx.Client, base: str) -> str:
        body = next(by_hand)
        query = PREFIXES + BODY_WORKS_SPARQL.replace("__BODY__", iri(body)).replace("__H__", H)
        rows = select(client, base, query)
        return f"{sum(int(r['works']['value']) for r in rows):,} works, {len(rows)} years"

    name = f"profiles of {len(bodies)} institutions in turn (the CNRS, its partners), {WINDOW[0]}-{WINDOW[1]}"
    return Question(name, ours, theirs, "1", comparable=False)


def export_question(asked: NetworkAsked) -> Question:
    params = {"seeds": "CNRS", "hops": "1", "include": "copublication"}
    if asked.max_nodes is not None:
        params["maxNodes"] = str(asked.max_nodes)

    def ours(client: httpx.Client, base: str) -> str:
        response = client.get(f"{base}/export/network.gexf", params=params)
        if response.status_code != 200:
            raise refusal(response)
        gexf = response.content
        nodes, edges = gexf.count(b"<node "), gexf.count(b"<edge ")
        return f"{nodes:,} nodes, {edges:,} edges ({len(gexf) / 1e6:.1f} MB)"

    def theirs(client: httpx.Client, base: str) -> str:
        return network_by_hand(client, base, CNRS, 1, 0, asked.max_nodes, asked.hierarchy)

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


def top_partner(client: httpx.Client, base: str, hierarchy: Hierarchy) -> tuple[str, str]:
    """The CNRS's heaviest co-publication partner, and its label: by GraphQL, else by the
    hand-written SPARQL, else Viet Nam (the trend is asked all the same)."""
    try:
        nodes = graphql(client, base, PARTNERS_GRAPHQL, {"during": None})["partners"]["nodes"]
        if nodes:
            return nodes[0]["node"]["iri"], nodes[0]["node"]["label"]
    except Refused as refused:
        console.print(f"top partner by GraphQL: {escape(str(refused))}")
    try:
        rows = select(client, base, partners_sparql(CNRS, hierarchy, False))
        if rows:
            return rows[0]["partner"]["value"], short(rows[0]["partner"]["value"])
    except Refused as refused:
        console.print(f"top partner by SPARQL: {escape(str(refused))}")
    return VIETNAM, "Viet Nam"


def max_nodes_argument(client: httpx.Client, base: str, most: int) -> tuple[int | None, str]:
    """``most`` when the server's ``network`` takes ``maxNodes`` (it keeps the strongest ties of a
    larger network), and what that asks: the server's default (what users get), or another limit."""
    query = '{ __type(name: "Query") { fields { name args { name defaultValue } } } }'
    fields = graphql(client, base, query, {})["__type"]["fields"]
    network = next(f for f in fields if f["name"] == "network")
    default = next((arg["defaultValue"] for arg in network["args"] if arg["name"] == "maxNodes"), None)
    if default is None:
        return None, "the whole network (this server takes no maxNodes)"
    if str(most) == default:
        return most, "the server's default: the strongest ties, what users get; --max-nodes 2000 for the whole network"
    return most, f"--max-nodes: up to {most:,} nodes, the whole network when it has fewer (the default is {default})"


def questions(
    client: httpx.Client, base: str, args: argparse.Namespace, hierarchy: Hierarchy
) -> tuple[list[Question], str]:
    """The questions, and how the networks are asked (for the table's title)."""
    lab, lab_label = (args.lab, short(args.lab)) if args.lab else top_lab(client, base)
    start = time.perf_counter()
    partner, partner_label = top_partner(client, base, hierarchy)  # the first network question the server answers
    console.print(f"first network question after the server started (partners): {time.perf_counter() - start:.1f} s")
    most, what = max_nodes_argument(client, base, args.max_nodes)
    console.print(f"lab with most synthetic works: {lab_label} ({lab}); top partner of the CNRS: {partner_label}")
    networks = f"networks asked with maxNodes {most} ({what})" if most is not None else f"networks: {what}"
    console.print(networks + "; the hand-written side keeps the same strongest nodes from its own counts")
    asked = NetworkAsked(most, hierarchy)
    found = [partners_question(False, hierarchy), partners_question(True, hierarchy)]
    for name, seed in (("the CNRS", CNRS), ("a lab", lab), ("Viet Nam's institutions (seed VN)", VIETNAM)):
        for hops in (1, 2):
            for weight in (0, args.min_weight):
                found.append(network_question(name, seed, hops, weight, asked))
    found += [
        path_question(VIETNAM, hierarchy),
        trend_question(partner, partner_label, hierarchy),
        export_question(asked),
        gaps_question(hierarchy),
        phases_question(hierarchy),
        profile_question(profile_bodies(client, base)),
    ]
    return found, networks


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
    client: httpx.Client, base: str, asked: list[Question], repeat: int, budget: float, header: str
) -> dict[str, tuple[Timing, Timing]]:
    """Each question, GraphQL and SPARQL in turn (so that both meet the same state of the machine),
    until each side was asked ``repeat`` times or spent ``budget`` seconds. The first requests are
    measured too: with few repetitions, p99 is close to the slowest request. ``header``: how the
    networks are asked and what the hand-written SPARQL counts."""
    table = Table(
        title=f"Questions: GraphQL against hand-written SPARQL over raw publications, {repeat} requests each "
        f"(or {budget:g} s a side), times in ms\n{header}"
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


def check(client: httpx.Client, base: str, partner: str, hierarchy: Hierarchy) -> bool:
    """GraphQL's partners of the CNRS (top 10, their counts and their number; all years and the
    window) and its trend with ``partner``, against the counts recounted from the raw facts; and
    whether the hand-written SPARQL finds the same top 10."""
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
        name = "top-10 partners of the CNRS" + (f", {window[0]}-{window[1]}" if window else "")
        table.add_row(name, verdict(problems), escape("; ".join(problems[:3])))
        passed &= not problems
        try:  # the hand-written side is what is measured against, not what is checked: its refusal fails nothing
            rows = select(client, base, partners_sparql(CNRS, hierarchy, window is not None))
        except Refused as refused:
            table.add_row(f"  hand-written SPARQL, {name}", f"[yellow]{refused.code}[/]", "")
            continue
        by_hand = [r["partner"]["value"] for r in rows]
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
    store = args.store or space.store
    command = cnrs_kg_command("serve", "--store", str(store), "--port", str(port))
    passed = True
    with (
        memory_peak("serve") as peak,
        background_server(command, f"{base}/health", log=space.log("server"), timeout=300),
    ):
        with httpx.Client(timeout=120) as client:
            hierarchy = read_hierarchy(client, base)
            counted = (
                "hand-written SPARQL: the counting rules, level by level over the dated hierarchy "
                f"({len(hierarchy.blockers)} bodies with dates that exclude a year of the works), climbing "
                + (
                    f"{hierarchy.depth} steps, its longest chain (no cycle): the same counts as the rules"
                    if hierarchy.whole
                    else f"{MAX_DEPTH} steps where the hierarchy has longer chains or a cycle: counts may differ"
                )
            )
            console.print(counted)
            asked, networks = questions(client, base, args, hierarchy)
            if args.only:
                asked = [q for q in asked if any(part.strip() in q.name for part in args.only.split(","))]
            timings = time_questions(client, base, asked, args.repeat, args.budget, f"{networks}; {counted}")
            if args.check if args.check is not None else args.works <= 30_000:
                partner, _ = top_partner(client, base, hierarchy)
                try:
                    passed = check(client, base, partner, hierarchy)
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
    if args.store is not None:
        console.print(f"questions asked of {args.store} as it is (no load, no reference load)")
        return serve_and_ask(space, args)
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
        "--max-nodes",
        type=int,
        default=200,
        help="the networks' maxNodes (default: the server's, what users get; 2000, its limit: the whole network)",
    )
    parser.add_argument("--lab", help="the lab whose network is asked (an IRI; default: the CNRS lab with most works)")
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument(
        "--store",
        type=Path,
        help="ask the questions of this store, loaded beforehand (with --works N synthetic works: say how many); "
        "the generation, the load and its reference are skipped",
    )
    parser.add_argument(
        "--only", help="ask only the questions whose name holds one of these words (comma-separated: gaps,profiles)"
    )
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
