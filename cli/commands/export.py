"""``cnrs-kg export``: a network selection as a file for Gephi, Cytoscape, sigma.js, VOSviewer or a spreadsheet.

The options are those of ``/export/network.<format>`` (and of ``graph.explore.network``); the store
is opened read-only, so a running server does not stop it. Seeds are references in any form of
``api.refs`` (``CNRS``, ``https://ror.org/02feahw73``, ``ror:02feahw73``, ``VN``, an IRI...). A bad
option, or a seed naming nothing in the store, is one line on stderr and exit status 1, with nothing
written.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from api import refs
from cli.app import StoreOption, app, err, fail, open_store
from graph import GraphError
from graph.explore import MAX_NODES, Selection
from graph.exports import FORMATS

# The HTTP parameter names in the shared messages, as this command spells them.
_OPTION_NAMES = {
    "seeds": "--seed",
    "hops": "--hops",
    "from": "--from",
    "to": "--to",
    "minWeight": "--min-weight",
    "maxNodes": "--max-nodes",
    "counting": "--counting",
    "include": "--include",
    "level": "--level",
}
_BINARY = {"csv"}


def _cli_message(message: str) -> str:
    name, colon, rest = message.partition(":")
    return f"{_OPTION_NAMES[name]}:{rest}" if colon and name in _OPTION_NAMES else message


@app.command("export")
def export(
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help=f"Export format: {', '.join(FORMATS)}."),
    ],
    seed: Annotated[
        list[str] | None,
        typer.Option(
            "--seed",
            help="Seed: CNRS, a ROR id or URL, ror:02feahw73, a country code (VN, VNM), hal:441569, "
            "an OpenAlex id, a DOI or an IRI; repeatable; the CNRS if none.",
        ),
    ] = None,
    hops: Annotated[int, typer.Option("--hops", help="Hops from the seeds (0 to 3).")] = 1,
    start: Annotated[int | None, typer.Option("--from", help="First year (included).")] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last year (included).")] = None,
    min_weight: Annotated[float, typer.Option("--min-weight", help="Smallest edge weight followed.")] = 0.0,
    counting: Annotated[str, typer.Option("--counting", help="Co-publication counting: full or fractional.")] = "full",
    include: Annotated[
        list[str] | None,
        typer.Option("--include", help="Edge type: copublication, instrument, hierarchy; repeatable; all if none."),
    ] = None,
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", help="Most nodes: the strongest ties are kept (1 to 2000).")
    ] = MAX_NODES,
    level: Annotated[
        str,
        typer.Option("--level", help="Nodes: institution (a place or instrument seed stands for its own) or country."),
    ] = "institution",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    store: StoreOption = None,
) -> None:
    """Export a network selection: GEXF (dynamic, for Gephi), GraphML, Cytoscape.js, graphology,
    VOSviewer (JSON, map or network file) or CSV files in a zip."""
    chosen_format = FORMATS.get(fmt)
    if chosen_format is None:
        raise fail(f"--format: {fmt!r} is not an export format; give one of {', '.join(FORMATS)}")
    if output is None and fmt in _BINARY and sys.stdout.isatty():
        raise fail(f"--format {fmt} writes a zip; give -o FILE rather than a terminal")
    began = time.perf_counter()
    with open_store(store, read_only=True) as kg:
        try:
            chosen = Selection.checked(
                refs.resolving(kg, seed or [], "seeds"),
                hops=hops,
                start=start,
                end=end,
                min_weight=min_weight,
                counting=counting,
                include=include or [],
                max_nodes=max_nodes,
                level=level,
            )
            network = chosen.network(kg)
        except (ValueError, GraphError) as exc:  # BadArgument (a bad or unknown seed), CostLimitExceeded
            raise fail(_cli_message(str(exc))) from exc
    body = chosen_format.write(network)
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(body)
        except OSError as exc:
            raise fail(f"{output}: cannot write: {exc.strerror or exc}") from exc
    took = time.perf_counter() - began
    where = output if output is not None else "stdout"
    err.print(
        f"{len(network.nodes)} nodes, {len(network.edges)} edges as {chosen_format.label} "
        f"({len(body):,} bytes) to {where} in {took:.2f} s",
        highlight=False,
        soft_wrap=True,
    )
