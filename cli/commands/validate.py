"""``cnrs-kg validate`` and ``cnrs-kg stats``: the store against the SHACL shapes, and its figures."""

from __future__ import annotations

import pyoxigraph as ox
import typer
from rich.table import Table
from rich.text import Text

from cli.app import StoreOption, app, console, open_store, print_network, short_graph, show_term
from graph.stats import compute_stats
from graph.validate import validate_store


@app.command()
def validate(store: StoreOption = None) -> None:
    """Validate the store against the SHACL shapes; exit 1 on any violation."""
    with open_store(store, read_only=True) as kg:
        report = validate_store(kg)
    for result in report.results[:50]:
        colour = "red" if result.severity == "Violation" else "yellow"
        line = Text.assemble((result.severity, colour), f" {result.focus} {result.path}: {result.message}")
        console.print(line, highlight=False)
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
        graphs.add_row(short_graph(graph), str(count))
    graphs.add_row("total", str(figures.total))
    console.print(graphs)
    classes = Table("class", "entities", title="Entities per class")
    for cls, count in figures.classes.items():
        classes.add_row(show_term(ox.NamedNode(cls)), str(count))
    console.print(classes)
    console.print(f"store at write generation {figures.generation}")
    print_network(figures.network)
