"""``cnrs-kg harvest openalex|hal``: publications into a resumable JSON Lines cache, loaded on request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.app import StoreOption, app, console, err, fail
from cli.commands.load import load
from loaders.harvest import HalQuery, HarvestError, HarvestResult, OpenAlexQuery, harvest_hal, harvest_openalex

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
