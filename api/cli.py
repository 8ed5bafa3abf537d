"""The ``cnrs-kg`` command: load, query, validate, stats, serve.

Errors a user can cause print one line (``error: file:line:field: what; what to do``) and exit 1,
with nothing written to the store.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from api.auth import TOKEN_ENV, WritePolicy, check_policy
from api.formats import GRAPH_TYPES, SOLUTION_TYPES, by_name, serialize
from api.server import BODY_TIMEOUT, HEAD_TIMEOUT, KEEP_ALIVE, MAX_CONNECTIONS
from api.workers import DEFAULT_BUDGET, DEFAULT_MAX_ROWS
from graph import GraphError, OxigraphStore, default_store_path
from graph.links import NetworkStatus, network_status, refresh_network
from graph.stats import compute_stats
from graph.validate import validate_store
from graph.writing import write_sources
from loaders import LOADERS, LoaderError, SourceData, load_path
from loaders.bundled import bundled_sources
from loaders.harvest import HalQuery, HarvestError, HarvestResult, OpenAlexQuery, harvest_hal, harvest_openalex
from loaders.openalex.synthetic import generate_works
from ontology import PREFIXES

app = typer.Typer(
    name="cnrs-kg",
    help="Knowledge graph of CNRS international research cooperation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", envvar="CNRS_KG_STORE", help="Store directory (default: in the user's data directory)."),
]


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"
    jsonld = "jsonld"


def fail(message: str) -> typer.Exit:
    # A Text, not markup: the message quotes the user's data (file names, ids, values) as they are.
    err.print(Text.assemble(("error:", "red"), " ", message), highlight=False, soft_wrap=True)
    return typer.Exit(1)


@contextmanager
def open_store(path: Path | None, *, read_only: bool = False) -> Iterator[OxigraphStore]:
    try:
        store = OxigraphStore(path or default_store_path(), read_only=read_only)
    except GraphError as exc:
        raise fail(str(exc)) from exc
    try:
        yield store
    finally:
        store.close()


def _short(graph: str) -> str:
    return graph.removeprefix(PREFIXES["graph"])


def _reporter(progress: Progress, task: TaskID, name: str) -> Callable[[int, bool], None]:
    def report(count: int, done: bool) -> None:
        then = "; then the collaboration network, if publications changed" if done else ""
        progress.update(task, description=f"writing {name}: {count:,} statements{then}")

    return report


def _counted(
    triples: Iterable[ox.Triple], report: Callable[[int, bool], None], every: int = 50_000
) -> Iterator[ox.Triple]:
    """Pass ``triples`` through, reporting the running count every ``every`` statements and at the end."""
    count = 0
    for triple in triples:
        yield triple
        count += 1
        if count % every == 0:
            report(count, False)
    report(count, True)


@app.command()
def load(
    paths: Annotated[list[Path] | None, typer.Argument(help="Source files to load.")] = None,
    bundled: Annotated[bool, typer.Option("--bundled", help="Load the dataset shipped in data/.")] = False,
    kind: Annotated[
        str | None, typer.Option("--kind", help=f"Source kind if not detected: {', '.join(LOADERS)}.")
    ] = None,
    if_absent: Annotated[bool, typer.Option("--if-absent", help="Do nothing if the store already holds data.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Load nothing from a file with a bad record (default: skip it, report it).")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Load source files (or the bundled dataset); each source replaces its own graph atomically.

    Curated sources (ROR, countries, CNRS tables, seeds) are always loaded whole or not at all.
    Publication sources (OpenAlex, HAL) skip a bad record and report it, or with --strict load
    nothing; the exit status is 2 when records were skipped. A file that cannot be read (a folder,
    empty, an archive of the wrong kind, cut short) or has no good record loads nothing: exit 1.
    """
    items: list[tuple[Path, str | None]] = [(p, kind) for p in paths or []]
    try:
        if bundled:
            items += [(s.path, s.kind) for s in bundled_sources()]
    except LoaderError as exc:
        raise fail(str(exc)) from exc
    if not items:
        raise fail("nothing to load: give files or --bundled")
    with open_store(store) as kg:
        if if_absent and kg.graph_sizes():
            console.print(Text(f"store {kg.path} already holds data; nothing loaded"))
            return
        sources: list[SourceData] = []
        with Progress(
            TextColumn("{task.description}", markup=False),  # descriptions quote file names as they are
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as progress:
            task = progress.add_task("reading sources", total=len(items))
            for path, item_kind in items:
                progress.update(task, description=f"reading {path.name}")
                try:
                    sources.extend(load_path(path, item_kind, strict=strict))
                except LoaderError as exc:
                    raise fail(f"{exc} (nothing was loaded)") from exc
                progress.advance(task)
            progress.update(task, description="writing to the store")
            for source in sources:  # a live count while long sources stream into the store
                source.triples = _counted(source.triples, _reporter(progress, task, source.info.name))
            try:
                changes = write_sources(kg, sources)
            except (LoaderError, GraphError, OSError) as exc:
                raise fail(f"{exc} (nothing was loaded)") from exc
        table = Table("graph", "before", "after", "added", "removed", title="Graphs written")
        for change in changes:
            table.add_row(
                Text(_short(change.graph)),
                str(change.before),
                str(change.after),
                f"+{change.added}",
                f"-{change.removed}",
            )
        console.print(table)
        unchanged = sum(1 for c in changes if not c.changed)
        console.print(Text(f"{len(changes)} graphs written ({unchanged} unchanged) into {kg.path}"))
        problems = [problem for source in sources for problem in source.problems]
        if problems:
            for problem in problems[:20]:
                err.print(Text.assemble(("skipped:", "yellow"), " ", str(problem)), highlight=False, soft_wrap=True)
            more = f" ({len(problems) - 20} more not shown)" if len(problems) > 20 else ""
            err.print(f"{len(problems)} bad records skipped{more}; use --strict to load nothing from such a file")
            raise typer.Exit(2)


harvest_app = typer.Typer(help="Harvest publications from OpenAlex or HAL into a resumable JSON Lines cache.")
app.add_typer(harvest_app, name="harvest")

CountryOption = Annotated[
    list[str] | None, typer.Option("--country", help="Partner country (ISO alpha-2); repeat for several.")
]
FromOption = Annotated[int | None, typer.Option("--from", help="First publication year.")]
ToOption = Annotated[int | None, typer.Option("--to", help="Last publication year.")]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Folder of the cache and its checkpoint.")]
LoadOption = Annotated[bool, typer.Option("--load", help="Load the cache into the store when the harvest ends.")]


def _run_harvest(run: Callable[[Callable[[int, int | None], None]], HarvestResult]) -> HarvestResult:
    with Progress(
        TextColumn("harvesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("harvest", total=None)
        try:
            result = run(lambda done, total: progress.update(task, completed=done, total=total))
        except HarvestError as exc:
            raise fail(str(exc)) from exc
    state = "complete" if result.complete else "stopped early; run the same command again to resume"
    resumed = ", resumed" if result.resumed else ""
    console.print(f"{result.records} records in {result.pages} pages{resumed}: {state}; cache {result.cache}")
    return result


MaxPagesOption = Annotated[int | None, typer.Option("--max-pages", help="Stop after this many pages.")]
Q = TypeVar("Q", OpenAlexQuery, HalQuery)


def _harvest(
    build: Callable[[], Q],
    run: Callable[[Q, Callable[[int, int | None], None]], HarvestResult],
    load_after: bool,
    store: Path | None,
) -> None:
    """Build the query (a bad one is a one-line error), harvest with a progress bar, load if asked."""
    try:
        query = build()
    except HarvestError as exc:
        raise fail(str(exc)) from exc
    result = _run_harvest(lambda progress: run(query, progress))
    if load_after and result.complete and not result.records:
        console.print("nothing to load: the query matched no record")  # load refuses a file without records
    elif load_after and result.complete:
        load(paths=[result.cache], store=store)


@harvest_app.command("openalex")
def harvest_openalex_command(
    out: OutOption,
    institution: Annotated[
        list[str] | None, typer.Option("--institution", help="OpenAlex institution id (default: the CNRS).")
    ] = None,
    country: CountryOption = None,
    from_year: FromOption = None,
    to_year: ToOption = None,
    max_pages: MaxPagesOption = None,
    load_after: LoadOption = False,
    store: StoreOption = None,
) -> None:
    """Harvest OpenAlex works (contact e-mail from CNRS_KG_MAILTO, key from OPENALEX_API_KEY)."""
    _harvest(
        lambda: OpenAlexQuery(
            institutions=tuple(institution or ("I1294671590",)),
            countries=tuple(country or ()),
            from_year=from_year,
            to_year=to_year,
        ),
        lambda query, progress: harvest_openalex(query, out, progress=progress, max_pages=max_pages),
        load_after,
        store,
    )


@harvest_app.command("hal")
def harvest_hal_command(
    out: OutOption,
    structure: Annotated[
        list[int] | None, typer.Option("--structure", help="HAL structure id (default: CNRS).")
    ] = None,
    country: CountryOption = None,
    from_year: FromOption = None,
    to_year: ToOption = None,
    max_pages: MaxPagesOption = None,
    load_after: LoadOption = False,
    store: StoreOption = None,
) -> None:
    """Harvest HAL documents with their TEI (structures, affiliations and countries)."""
    _harvest(
        lambda: HalQuery(
            structures=tuple(structure or (441569,)),
            countries=tuple(country or ()),
            from_year=from_year,
            to_year=to_year,
        ),
        lambda query, progress: harvest_hal(query, out, progress=progress, max_pages=max_pages),
        load_after,
        store,
    )


@app.command()
def generate(
    works: Annotated[int, typer.Option("--works", help="How many works to write.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSON Lines file (.gz compresses).")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same file.")] = 0,
) -> None:
    """Write SYNTHETIC OpenAlex-shaped works over real ROR institutions, for benchmarks.

    The records carry "is_synthetic": true, and their graph is marked kg:synthetic once loaded;
    they never enter the bundled store unless loaded on purpose.
    """
    if works < 0:
        raise fail(f"--works must be zero or more, not {works}")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        written = generate_works(works, output, seed=seed)
    except OSError as exc:
        raise fail(f"{output}: cannot write: {exc.strerror or exc}") from exc
    console.print(f"{written} synthetic works written to {output}")


@app.command()
def network(
    refresh: Annotated[bool, typer.Option("--refresh", help="Recompute every year from the publications.")] = False,
    store: StoreOption = None,
) -> None:
    """Show the materialised collaboration network per year and whether it is stale, or recompute it with --refresh."""
    if refresh:
        with open_store(store) as kg:
            changes = refresh_network(kg)
            status = network_status(kg)
        console.print(f"{len(changes)} network graphs written ({sum(1 for c in changes if not c.changed)} unchanged)")
        _print_network(status)
        return
    with open_store(store, read_only=True) as kg:
        sizes = {_short(g): n for g, n in kg.graph_sizes().items() if _short(g).startswith("network/")}
        status = network_status(kg)
    table = Table("graph", "statements", title="Collaboration network")
    for graph, count in sizes.items():
        table.add_row(graph, str(count))
    console.print(table)
    _print_network(status)


def _print_network(status: NetworkStatus) -> None:
    """The network's state in one line, in yellow when it is stale."""
    console.print(Text(status.message, style="yellow" if status.stale else ""), highlight=False, soft_wrap=True)


@app.command()
def query(
    sparql: Annotated[str | None, typer.Argument(help="SPARQL query text (or use --file).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from this file.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.table,
    store: StoreOption = None,
) -> None:
    """Run a SPARQL query over the union of all graphs (prefixes kg:, org:, skos:... are predeclared)."""
    if file is not None:
        if not file.is_file():
            raise fail(f"{file}: no such file")
        sparql = file.read_text(encoding="utf-8")
    if not sparql:
        raise fail("no query: pass it as an argument or with --file")
    text = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + sparql
    with open_store(store, read_only=True) as kg:
        try:
            result = kg.query(text)
        except GraphError as exc:
            raise fail(str(exc)) from exc
        if isinstance(result, ox.QueryTriples):
            fmt = by_name(output.value, GRAPH_TYPES) or GRAPH_TYPES[0]
            sys.stdout.write(serialize(result, fmt).decode())
        elif output is OutputFormat.table:
            _print_table(result)
        else:
            fmt = by_name(output.value, SOLUTION_TYPES) or SOLUTION_TYPES[0]
            sys.stdout.write(serialize(result, fmt).decode())
            sys.stdout.write("\n" if fmt.name in ("json", "xml") else "")


def _term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri) :]}"
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    return "" if term is None else str(term)


def _print_table(result: ox.QuerySolutions | ox.QueryBoolean) -> None:
    if isinstance(result, ox.QueryBoolean):
        console.print("true" if bool(result) else "false")
        return
    names = [v.value for v in result.variables]
    table = Table(*names, show_lines=False)
    count = 0
    for row in result:
        table.add_row(*(_term(row[name]) for name in names))
        count += 1
    console.print(table)
    console.print(f"{count} rows")


@app.command()
def validate(store: StoreOption = None) -> None:
    """Validate the store against the SHACL shapes; exit 1 on any violation."""
    with open_store(store, read_only=True) as kg:
        report = validate_store(kg)
    for result in report.results[:50]:
        colour = "red" if result.severity == "Violation" else "yellow"
        console.print(
            f"[{colour}]{result.severity}[/{colour}] {result.focus} {result.path}: {result.message}", highlight=False
        )
    if len(report.results) > 50:
        console.print(f"... and {len(report.results) - 50} more")
    console.print(f"{len(report.violations)} violations, {len(report.warnings)} warnings")
    if not report.conforms:
        raise typer.Exit(1)
    console.print("conforms")


@app.command()
def stats(store: StoreOption = None) -> None:
    """Statements per graph and entities per class."""
    with open_store(store, read_only=True) as kg:
        figures = compute_stats(kg)
    graphs = Table("graph", "statements", title="Statements per graph")
    for graph, count in figures.graphs.items():
        graphs.add_row(_short(graph), str(count))
    graphs.add_row("total", str(figures.total))
    console.print(graphs)
    classes = Table("class", "entities", title="Entities per class")
    for cls, count in figures.classes.items():
        classes.add_row(_term(ox.NamedNode(cls)), str(count))
    console.print(classes)
    console.print(f"store at write generation {figures.generation}")
    _print_network(figures.network)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    cors_origin: Annotated[
        list[str] | None, typer.Option("--cors-origin", help="Origin allowed to call from a browser ('*': any).")
    ] = None,
    writable: Annotated[
        bool, typer.Option("--writable", help="Accept SPARQL updates (with the CNRS_KG_TOKEN bearer token).")
    ] = False,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Time budget of a query, in seconds (a request's 'timeout' may lower it).")
    ] = DEFAULT_BUDGET,
    max_rows: Annotated[
        int, typer.Option(min=0, help="Cap on the rows or triples of a query's answer (0: no cap).")
    ] = DEFAULT_MAX_ROWS,
    workers: Annotated[
        int, typer.Option(min=0, help="Query worker processes (0: queries in the server process, with no budget).")
    ] = 2,
    header_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a client has to send a request's line and headers.")
    ] = HEAD_TIMEOUT,
    body_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds a client has to send a request's body (then 408).")
    ] = BODY_TIMEOUT,
    keep_alive: Annotated[int, typer.Option(min=1, help="Seconds an idle connection stays open.")] = KEEP_ALIVE,
    max_connections: Annotated[
        int, typer.Option(min=1, help="Open connections at most (503 past it).")
    ] = MAX_CONNECTIONS,
    store: StoreOption = None,
) -> None:
    """Serve SPARQL, Graph Store, linked data and /health over HTTP, with a JSON access log."""
    from api import server
    from api.app import create_app

    path = store or default_store_path()
    if not path.exists():
        raise fail(f"{path}: no store there; run 'cnrs-kg load --bundled' first")
    policy = WritePolicy(writable=writable, token=os.environ.get(TOKEN_ENV) or None)
    refusal = check_policy(policy, host)
    if refusal:
        raise fail(refusal)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    app = create_app(
        path,
        cors_origins=tuple(cors_origin or ()),
        write_policy=policy,
        workers=workers,
        budget=timeout,
        max_rows=max_rows or None,
    )
    server.serve(
        app,
        host,
        port,
        head_timeout=header_timeout,
        body_timeout=body_timeout,
        keep_alive=keep_alive,
        max_connections=max_connections,
    )


def main() -> None:
    app()


from api import cli_export  # noqa: E402  (after app: the command module uses its helpers)

app.command("export")(cli_export.export)
