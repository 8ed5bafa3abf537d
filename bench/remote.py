"""Beyond one machine: the embedded store, ``oxigraph serve`` and Virtuoso on the same data and
questions, then 1 against 3 ``cnrs-kg serve`` replicas behind nginx.

Everything goes through the public interfaces, in subprocesses and over HTTP, in a work folder
(``--dir``, else a temporary one), one engine after the other (so that they never compete for the
machine):

1. **Load.** ``cnrs-kg load --bundled``, then ``cnrs-kg load WORKS`` of N SYNTHETIC works
   (``cnrs-kg generate --works N --seed 1``, marked synthetic in their graph; or ``--works-file``),
   into each engine: the embedded store (a folder), ``oxigraph serve --union-default-graph``
   (``tests.engines.oxigraph``) and Virtuoso 7 (``tests.engines.virtuoso``: a private instance with
   the tests' small buffer pool, written through its authenticated endpoints with digest
   credentials from the environment). Wall time and peak RSS of each ``cnrs-kg load`` process
   (``os.wait4``), and the engine's peak RSS during both loads (polled; none for the embedded
   store, which is in the load process).
2. **Questions.** ``cnrs-kg serve`` on each store; each question of the mix is asked once
   unmeasured (its answer size is shown, marked where it differs from the embedded store's), then
   ``--repeat`` times by one client: median, p99, and the ratio of the median to the embedded
   store's. The mix: the SPARQL examples (``examples/*.rq``, ``/sparql``), the GraphQL partners of
   the CNRS (``examples/partners_cnrs.graphql``) and two networks (one hop around the CNRS, light;
   ``examples/network_cnrs.graphql``: two hops with the node metrics), and the GEXF export of the
   CNRS's 1-hop network; all GETs, as a balancer may resend them. An error answer is printed
   instead of a time, and not asked again.
3. **Replicas** (over ``oxigraph serve``, when it is among the engines): 1 then 3 ``cnrs-kg serve
   --store URL`` behind nginx (``tests.engines.nginx``), ``--clients`` threads sending the mix's
   answered questions in turn for ``--seconds`` each: answers/s, p50, p99, errors.

The machine's cores are shared by the engine, the servers, the replicas and the load generator (a
Python process of threads): the figures compare set-ups on one machine, not an engine's ceiling;
3 replicas on 2 cores can only show what a second and third process costs or saves, not scaling.

Usage: python -m bench.remote [--works N] [--engines embedded,oxigraph,virtuoso] [--seconds S]
[--clients C] [--repeat R] [--works-file FILE] [--dir DIR]
(development: ``--works 2000 --seconds 10 --repeat 5``, a few minutes).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import httpx
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.testing import background_server, cnrs_kg_command, free_port, stop, wait_until_answering
from bench.loadgen import hammer
from bench.scale import Run, measured, memory_peak, percentile
from graph.remote import PASSWORD_ENV, USER_ENV
from tests.engines.nginx import running_nginx
from tests.engines.oxigraph import oxigraph_serve
from tests.engines.virtuoso import running_virtuoso

ENGINES = ("embedded", "oxigraph", "virtuoso")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
REPLICAS = (1, 3)
START_SECONDS = 300.0  # a server over 100,000 works reads its network index before it answers
JSON = "application/sparql-results+json"
# The 1-hop network of the CNRS without metrics (as tests/engines/test_replicas.py asks it).
NETWORK_1_HOP = """query NetworkOneHop {
  network(seeds: ["CNRS"], hops: 1, include: [INSTRUMENT, COPUBLICATION], maxNodes: 40) {
    nodes { iri label kind hops }
    edges { sourceIri targetIri type weight }
  }
}"""
console = Console(highlight=False, width=None if sys.stdout.isatty() else 180)


@dataclass(frozen=True)
class Question:
    """One GET of the mix: a name, a path with its query string, what it accepts."""

    name: str
    path: str
    accept: str = "*/*"


def question_mix() -> list[Question]:
    mix = [
        Question(f"SPARQL {p.stem}", "/sparql?" + urlencode({"query": p.read_text(encoding="utf-8")}), JSON)
        for p in sorted(EXAMPLES.glob("*.rq"))
    ]
    graphql = {
        "GraphQL partners of the CNRS": (EXAMPLES / "partners_cnrs.graphql").read_text(encoding="utf-8"),
        "GraphQL network, 1 hop (40 nodes)": NETWORK_1_HOP,
        "GraphQL network, 2 hops, metrics": (EXAMPLES / "network_cnrs.graphql").read_text(encoding="utf-8"),
    }
    mix += [
        Question(name, "/graphql?" + urlencode({"query": text}), "application/json") for name, text in graphql.items()
    ]
    mix.append(Question("export GEXF, CNRS 1 hop", "/export/network.gexf?" + urlencode({"seeds": "CNRS", "hops": 1})))
    return mix


def failure(answer: httpx.Response) -> str | None:
    """Why an answer is not one: its status, or a GraphQL error's code or message."""
    if answer.status_code != 200:
        return f"HTTP {answer.status_code}"
    if answer.headers.get("content-type", "").startswith("application/json"):
        errors = answer.json().get("errors")
        if errors:
            first = errors[0]
            return str(first.get("extensions", {}).get("code") or first.get("message", "error"))[:60]
    return None


def ask(client: httpx.Client, base: str, question: Question) -> httpx.Response:
    return client.get(base + question.path, headers={"Accept": question.accept})


# ---------------------------------------------------------------------------------------------
# Engines


@dataclass(frozen=True)
class Engine:
    """Where cnrs-kg finds a store: ``--store`` and the options before the command (write endpoints)."""

    name: str
    store: str
    options: tuple[str, ...] = ()
    process: str | None = None  # the engine's command line, for its memory (None: in our process)


@contextmanager
def running(name: str, folder: Path) -> Iterator[Engine]:
    """The engine ``name``, empty, for the block (Virtuoso's credentials in the environment)."""
    if name == "embedded":
        yield Engine(name, str(folder / "embedded-store"))
    elif name == "oxigraph":
        with oxigraph_serve(folder / "oxigraph-data", timeout_s=600) as url:
            yield Engine(name, url, process="oxigraph serve")
    else:
        with running_virtuoso(query_seconds=600) as server:
            writer = {USER_ENV: server.user, PASSWORD_ENV: server.password}
            with mock.patch.dict(os.environ, writer):
                options = ("--update-endpoint", server.update_endpoint, "--graph-store", server.graph_store)
                yield Engine(name, server.query_endpoint, options, process="virtuoso-t")


@dataclass(frozen=True)
class Loaded:
    bundled: Run
    works: Run
    engine_mib: float | None


def load(engine: Engine, works: Path, folder: Path) -> Loaded:
    """The bundled data, then the works, each by a ``cnrs-kg load`` process, measured."""
    with memory_peak(engine.process) if engine.process else nullcontext([0.0]) as peak:
        bundled = measured(
            "cnrs-kg load --bundled",
            cnrs_kg_command(*engine.options, "load", "--bundled", "--store", engine.store),
            folder / f"load-bundled-{engine.name}.log",
        )
        loaded = measured(
            "cnrs-kg load WORKS",
            cnrs_kg_command(*engine.options, "load", str(works), "--store", engine.store),
            folder / f"load-works-{engine.name}.log",
        )
    return Loaded(bundled, loaded, peak[0] if engine.process else None)


def print_loads(n: int, loads: dict[str, Loaded]) -> None:
    table = Table(title=f"Load: the bundled data, then {n:,} SYNTHETIC works")
    for column in ("engine", "bundled", "works", "works/min", "ratio to embedded", "load peak RSS", "engine peak RSS"):
        table.add_column(column, justify="left" if column == "engine" else "right")
    embedded = loads.get("embedded")
    for name, done in loads.items():
        ratio = f"{done.works.seconds / embedded.works.seconds:.2f}x" if embedded else "-"
        table.add_row(
            name,
            f"{done.bundled.seconds:.1f} s",
            f"{done.works.seconds:.1f} s",
            f"{n / done.works.seconds * 60:,.0f}",
            ratio,
            f"{max(done.bundled.peak_mib, done.works.peak_mib):,.0f} MiB",
            f"{done.engine_mib:,.0f} MiB" if done.engine_mib is not None else "(in the load)",
        )
    console.print(table)


# ---------------------------------------------------------------------------------------------
# Questions


@dataclass
class Timed:
    """One question on one engine: its answer's size, or why it failed, and the latencies."""

    size: int | None = None
    error: str | None = None
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return percentile(sorted(self.latencies_ms), 50)

    @property
    def shown(self) -> str:
        if self.error is not None:
            return f"[bold red]{escape(self.error)}[/]"
        if not self.latencies_ms:
            return "[bold red]failed when repeated[/]"
        return f"{self.median:,.1f} / {percentile(sorted(self.latencies_ms), 99):,.1f}"


@contextmanager
def serving(store: str, folder: Path, name: str) -> Iterator[str]:
    """``cnrs-kg serve`` on ``store`` for the block; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = cnrs_kg_command("serve", "--store", store, "--port", str(port))
    with background_server(command, f"{base}/health", log=folder / f"serve-{name}.log", timeout=START_SECONDS):
        yield base


def time_questions(base: str, mix: list[Question], repeat: int) -> dict[str, Timed]:
    timed: dict[str, Timed] = {}
    with httpx.Client(timeout=120.0) as client:
        for question in mix:
            timed[question.name] = result = Timed()
            try:
                first = ask(client, base, question)
            except httpx.HTTPError as exc:
                result.error = type(exc).__name__
                continue
            result.error, result.size = failure(first), len(first.content)
            if result.error is not None:
                continue
            for _ in range(repeat):
                start = time.perf_counter()
                answer = ask(client, base, question)
                elapsed_ms = (time.perf_counter() - start) * 1000
                if failure(answer) is None:
                    result.latencies_ms.append(elapsed_ms)
    return timed


def print_questions(mix: list[Question], timings: dict[str, dict[str, Timed]], repeat: int) -> None:
    engines = list(timings)
    title = f"Questions: one client, {repeat} requests each after one unmeasured: median / p99 ms, ratio of medians"
    table = Table(title=title)
    table.add_column("question")
    for name in engines:
        table.add_column(f"{name} ms", justify="right")
        if name != "embedded" and "embedded" in timings:
            table.add_column(f"{name}/emb.", justify="right")
    table.add_column("answer bytes", justify="right")
    for question in mix:
        row = [escape(question.name)]
        reference = timings.get("embedded", {}).get(question.name)
        for name in engines:
            timed = timings[name][question.name]
            row.append(timed.shown)
            if name != "embedded" and "embedded" in timings:
                both = reference is not None and reference.latencies_ms and timed.latencies_ms
                row.append(f"{timed.median / reference.median:.2f}x" if both and reference else "-")
        row.append(answer_sizes({name: timings[name][question.name].size for name in engines}))
        table.add_row(*row)
    console.print(table)


def answer_sizes(sizes: dict[str, int | None]) -> str:
    """The first engine's answer size, and each other engine's where it differs.

    >>> answer_sizes({"embedded": 1200, "oxigraph": 1200, "virtuoso": 1180})
    '1,200 (virtuoso: 1,180)'
    """
    known = {name: size for name, size in sizes.items() if size is not None}
    if not known:
        return "-"
    first, *others = known.items()
    differing = [f"{name}: {size:,}" for name, size in others if size != first[1]]
    return f"{first[1]:,}" + (f" ({'; '.join(differing)})" if differing else "")


# ---------------------------------------------------------------------------------------------
# Replicas


@contextmanager
def replicas(engine: str, count: int, folder: Path) -> Iterator[list[str]]:
    """``count`` ``cnrs-kg serve --store engine`` started together; yields their ``127.0.0.1:port``."""
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for number in range(count):
            port = free_port()
            log_path = folder / f"replica-{count}-{number}.log"
            with log_path.open("wb") as log:
                command = cnrs_kg_command("serve", "--port", str(port), "--store", engine)
                process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            started.append((process, f"127.0.0.1:{port}", log_path))
        deadline = time.monotonic() + START_SECONDS
        for process, address, log_path in started:
            wait_until_answering(process, f"http://{address}/health", deadline, log_path, name=f"replica {address}")
        yield [address for _, address, _ in started]
    finally:
        for process, _, _ in started:
            stop(process)


class Failures:
    """The clients' failed answers, by kind (a status, a GraphQL error code)."""

    def __init__(self) -> None:
        self.kinds: Counter[str] = Counter()
        self._lock = threading.Lock()

    def ask(self, mix: list[Question], base: str, client: httpx.Client, k: int) -> bool:
        """Ask the ``k``-th question of the mix (in turn); whether it was answered."""
        reason = failure(ask(client, base, mix[k % len(mix)]))
        if reason is not None:
            with self._lock:
                self.kinds[reason] += 1
        return reason is None


def concurrency(engine: str, mix: list[Question], clients: int, seconds: float, folder: Path) -> None:
    title = (
        f"Replicas over oxigraph serve behind nginx: {clients} clients for {seconds:g} s, {len(mix)} questions in turn"
    )
    table = Table(title=title)
    for column in ("replicas", "answers/s", "p50 ms", "p99 ms", "errors"):
        table.add_column(column, justify="right")
    rates = []
    for count in REPLICAS:
        failures = Failures()
        with replicas(engine, count, folder) as addresses, running_nginx(addresses, read_seconds=120) as nginx:
            done = hammer(partial(failures.ask, mix, nginx.base), clients, seconds)
        kinds = failures.kinds
        unanswered = done.errors - sum(kinds.values())  # the clients' 60 s timeout, or a lost connection
        kinds.update({"no HTTP answer": unanswered} if unanswered else {})
        rates.append(len(done.latencies_ms) / done.seconds)
        table.add_row(
            str(count),
            f"{rates[-1]:.2f}",
            f"{percentile(done.latencies_ms, 50):,.0f}" if done.latencies_ms else "-",
            f"{percentile(done.latencies_ms, 99):,.0f}" if done.latencies_ms else "-",
            ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())) or "0",
        )
    if rates[0]:
        table.add_row(f"ratio {REPLICAS[-1]}/{REPLICAS[0]}", f"{rates[-1] / rates[0]:.2f}x", "", "", "")
    console.print(table)


# ---------------------------------------------------------------------------------------------


def works_file(args: argparse.Namespace, folder: Path) -> Path:
    if args.works_file is not None:
        console.print(f"works: {args.works_file} (given; said to hold {args.works:,} works)")
        return Path(args.works_file)
    target = folder / f"synthetic-works-{args.works}.jsonl.gz"
    run = measured(
        "cnrs-kg generate",
        cnrs_kg_command("generate", "--works", str(args.works), "-o", str(target), "--seed", "1"),
        folder / "generate.log",
    )
    console.print(f"works: {args.works:,} SYNTHETIC works generated in {run.seconds:.1f} s")
    return target


def run(args: argparse.Namespace, folder: Path) -> None:
    works = works_file(args, folder)
    mix = question_mix()
    loads: dict[str, Loaded] = {}
    timings: dict[str, dict[str, Timed]] = {}
    for name in args.engines:
        with running(name, folder) as engine:
            try:
                loads[name] = load(engine, works, folder)
            except SystemExit as failed:  # measured's one line and the log's end: the other engines still run
                console.print(f"{name}: [bold red]load failed[/], left out: {escape(str(failed))}")
                continue
            console.print(f"{name}: loaded in {loads[name].bundled.seconds:.1f} s + {loads[name].works.seconds:.1f} s")
            with memory_peak("from cli import main") as peak, serving(engine.store, folder, name) as base:
                timings[name] = time_questions(base, mix, args.repeat)
            console.print(f"{name}: questions asked (cnrs-kg serve peak {peak[0]:,.0f} MiB, with its query workers)")
            for question in mix:  # as they come: a later engine's failure leaves these figures printed
                console.print(f"  {escape(question.name)}: {timings[name][question.name].shown}")
            if name == "oxigraph" and args.seconds > 0:
                answered = [q for q in mix if timings[name][q.name].error is None]
                concurrency(engine.store, answered, args.clients, args.seconds, folder)
    print_loads(args.works, loads)
    print_questions(mix, timings, args.repeat)


def engines_argument(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ENGINES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"{', '.join(unknown) or text!r}: give engines among {', '.join(ENGINES)}")
    return list(dict.fromkeys(names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000, help="synthetic works to generate and load")
    parser.add_argument("--works-file", type=Path, help="a file of --works synthetic works already generated")
    parser.add_argument(
        "--engines", type=engines_argument, default=list(ENGINES), help="among embedded,oxigraph,virtuoso"
    )
    parser.add_argument("--repeat", type=int, default=20, help="requests per question and engine")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients of the replicas")
    parser.add_argument("--seconds", type=float, default=30.0, help="each replica set's concurrent run (0: none)")
    parser.add_argument("--dir", type=Path, help="work folder, kept (default: a temporary one, removed)")
    args = parser.parse_args()
    if args.works < 1 or args.repeat < 1 or args.clients < 1:
        parser.error("--works, --repeat and --clients take a number of 1 or more")
    if args.works_file is not None and not args.works_file.is_file():
        parser.error(f"--works-file {args.works_file}: no such file; give a file of `cnrs-kg generate`")
    console.print(
        f"[bold]bench.remote[/]: {args.works:,} SYNTHETIC works, engines {', '.join(args.engines)}, "
        f"{os.cpu_count()} cores shared by engines, servers and clients"
    )
    if args.dir is None:
        with tempfile.TemporaryDirectory(prefix="cnrs-kg-bench-remote-") as tmp:
            run(args, Path(tmp))
    else:
        args.dir.mkdir(parents=True, exist_ok=True)
        run(args, args.dir)


if __name__ == "__main__":
    main()
