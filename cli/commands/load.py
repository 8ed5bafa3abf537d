"""``cnrs-kg load``: source files (or the bundled dataset) into the store, each source in its own graph."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from cli.app import StoreOption, app, console, err, fail, open_store, short_graph
from graph import GraphError
from graph.writing import write_sources
from loaders import LOADERS, LoaderError, SourceData, load_path
from loaders.bundled import bundled_sources


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
    licence: Annotated[
        str | None,
        typer.Option(
            "--licence",
            help="Licence URL of the RDF files loaded (else the license of the ORIGIN.toml beside them).",
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Load source files (or the bundled dataset); each source replaces its own graph atomically.

    Curated sources (ROR, countries, CNRS tables, seeds) are always loaded whole or not at all.
    Publication sources (OpenAlex, HAL) skip a bad record and report it, or with --strict load
    nothing; the exit status is 2 when records were skipped. A file that cannot be read (a folder,
    empty, an archive of the wrong kind, cut short) or has no good record loads nothing: exit 1.

    Any RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD; --kind rdf for .json and
    .xml) is a source too: each of its graphs is kept, described with its file, date and licence.
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
                    sources.extend(load_path(path, item_kind, strict=strict, licence=licence))
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
                Text(short_graph(change.graph)),
                str(change.before),
                str(change.after),
                f"+{change.added}",
                f"-{change.removed}",
            )
        console.print(table)
        unchanged = sum(1 for c in changes if not c.changed)
        where = kg.path if kg.path is not None else getattr(kg, "url", "")  # a directory, or an engine's URL
        console.print(Text(f"{len(changes)} graphs written ({unchanged} unchanged) into {where}"))
        problems = [problem for source in sources for problem in source.problems]
        if problems:
            for problem in problems[:20]:
                err.print(Text.assemble(("skipped:", "yellow"), " ", str(problem)), highlight=False, soft_wrap=True)
            more = f" ({len(problems) - 20} more not shown)" if len(problems) > 20 else ""
            err.print(f"{len(problems)} bad records skipped{more}; use --strict to load nothing from such a file")
            raise typer.Exit(2)
