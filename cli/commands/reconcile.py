"""``cnrs-kg reconcile``: match the organisations publication sources name without a ROR id with the
ROR organisations of the store (``graph.reconcile``), write the reconciliation graph, and bring the
network up to date; ``--report FILE.csv`` lists the ambiguous and weaker candidates for a person.

A person's decisions are read from the curated file (``--curated``; by default
``data/reconciliation/curated.csv`` of the bundled data, when it is there) and kept in the
reconciliation graph, so that every later load respects them without reading the file again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from cli.app import StoreOption, app, console, err, fail, open_store, print_network
from graph import GraphError
from graph.links import network_status
from graph.reconcile import Curations, Decision, read_curated, reconcile, write_report
from graph.writing import write_sources
from loaders.bundled import data_dir

CURATED = Path("reconciliation") / "curated.csv"


@app.command("reconcile")
def reconcile_command(
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write the ambiguous and below-threshold candidates, with scores, to this CSV."),
    ] = None,
    curated: Annotated[
        Path | None,
        typer.Option(
            "--curated",
            help="A person's decisions (CSV: source, ror, decision, relation, note); they replace those kept.",
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Match HAL and OpenAlex organisations without a ROR id with ROR; print how many matched."""
    decisions = _curations(curated)
    with open_store(store) as kg:
        try:
            outcome = reconcile(kg, decisions)
        except GraphError as exc:
            raise fail(str(exc)) from exc
        if outcome.empty:  # nothing to reconcile, no decision to keep: no graph
            kg.replace_graphs([outcome.content()])
        else:  # the graph, then the network counted with it
            write_sources(kg, [outcome], with_ontology=False)
        status = network_status(kg)
    console.print(Text(outcome.summary()), highlight=False, soft_wrap=True)
    if report is not None:
        _write(report, outcome.decisions)
    print_network(status)


def _curations(path: Path | None) -> Curations | None:
    """The decisions of ``path``, else of the bundled curated file; None (keep the store's) without one."""
    chosen = path if path is not None else data_dir() / CURATED
    if path is None and not chosen.is_file():
        return None
    try:
        return read_curated(chosen)
    except GraphError as exc:
        raise fail(str(exc)) from exc


def _write(path: Path, decisions: list[Decision]) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as out:
            rows = write_report(out, decisions)
    except OSError as exc:
        raise fail(f"{path}: cannot write the report ({exc.strerror}); give a writable file path") from exc
    err.print(Text(f"report: {rows} candidates written to {path}"), highlight=False, soft_wrap=True)
