"""``cnrs-kg network``: the materialised collaboration network per year, and its refresh."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.app import StoreOption, app, console, open_store, print_network, short_graph
from graph.links import network_status, refresh_network


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
        print_network(status)
        return
    with open_store(store, read_only=True) as kg:
        sizes = {short_graph(g): n for g, n in kg.graph_sizes().items() if short_graph(g).startswith("network/")}
        status = network_status(kg)
    table = Table("graph", "statements", title="Collaboration network")
    for graph, count in sizes.items():
        table.add_row(graph, str(count))
    console.print(table)
    print_network(status)
