"""``cnrs-kg query``: a SPARQL query over the store, as a table or in a SPARQL results or RDF format."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.table import Table

from api.negotiation import GRAPH_TYPES, SOLUTION_TYPES, by_name, serialize
from cli.app import StoreOption, app, console, fail, open_store, show_term
from graph import GraphError
from ontology import PREFIXES


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    xml = "xml"
    turtle = "turtle"
    ntriples = "ntriples"
    jsonld = "jsonld"


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


def _print_table(result: ox.QuerySolutions | ox.QueryBoolean) -> None:
    if isinstance(result, ox.QueryBoolean):
        console.print("true" if bool(result) else "false")
        return
    names = [v.value for v in result.variables]
    table = Table(*names, show_lines=False)
    count = 0
    for row in result:
        table.add_row(*(show_term(row[name]) for name in names))
        count += 1
    console.print(table)
    console.print(f"{count} rows")
