"""The ``cnrs-kg`` Typer app and what every command shares: consoles, ``fail()``, ``open_store()``.

``--store`` names a directory (the embedded store) or an ``http(s)://`` URL (a SPARQL engine,
``graph.remote``); ``cnrs-kg --update-endpoint URL --graph-store URL <command>`` name an engine's
other endpoints where they are not ``<url>/update`` and ``<url>/store``.

The commands (``cli.commands.*``) register on ``app`` when ``cli`` is imported. Errors a user can
cause print one line (``error: file:line:field: what; what to do``) and exit 1, with nothing
written to the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.text import Text

from graph import STORE_ENV, GraphError, OxigraphStore, default_store_path
from graph.links import NetworkStatus
from graph.remote import RemoteStore
from ontology import PREFIXES

app = typer.Typer(
    name="cnrs-kg",
    help="Knowledge graph of CNRS international research cooperation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Markup and emoji codes off: whatever the commands print quotes the user's data (file names, ids,
# values, query results), and "[bold]" or ":id:" in it must print as it is, not as a style or 🆔.
console = Console(markup=False, emoji=False)
err = Console(stderr=True, markup=False, emoji=False)

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        help="Store directory (default: in the user's data directory), or the http(s):// URL of a SPARQL engine.",
    ),
]
UPDATE_ENV = "CNRS_KG_UPDATE_ENDPOINT"
GRAPH_STORE_ENV = "CNRS_KG_GRAPH_STORE"
_endpoints: dict[str, str | None] = {"update": None, "store": None}  # set by the options before any command


@app.callback()
def _engine_options(
    update_endpoint: Annotated[
        str | None,
        typer.Option(envvar=UPDATE_ENV, help="SPARQL Update endpoint of a --store URL (default: <url>/update)."),
    ] = None,
    graph_store: Annotated[
        str | None,
        typer.Option(envvar=GRAPH_STORE_ENV, help="Graph Store endpoint of a --store URL (default: <url>/store)."),
    ] = None,
) -> None:
    """Knowledge graph of CNRS international research cooperation."""
    _endpoints.update(update=update_endpoint, store=graph_store)


def engine_endpoints() -> tuple[str | None, str | None]:
    """The Update and Graph Store endpoints given by ``--update-endpoint`` and ``--graph-store``."""
    return _endpoints["update"], _endpoints["store"]


def fail(message: str) -> typer.Exit:
    # A Text, not markup: the message quotes the user's data (file names, ids, values) as they are.
    err.print(Text.assemble(("error:", "red"), " ", message), highlight=False, soft_wrap=True)
    return typer.Exit(1)


def store_url(path: Path | str | None) -> str | None:
    """The URL ``--store`` gives, if it is one. Typer hands the option over as a ``Path``, which
    writes ``http://`` as ``http:/``: restored here.

    >>> store_url(Path("http://127.0.0.1:7878")), store_url(Path("/var/lib/kg")), store_url(None)
    ('http://127.0.0.1:7878', None, None)
    """
    text = str(path) if path is not None else ""
    scheme, _, rest = text.partition(":/")
    if not rest or scheme.lower() not in ("http", "https"):
        return None
    return f"{scheme}://{rest.lstrip('/')}"


@contextmanager
def open_store(path: Path | None, *, read_only: bool = False) -> Iterator[OxigraphStore | RemoteStore]:
    url = store_url(path)
    try:
        store: OxigraphStore | RemoteStore
        if url is not None:
            store = RemoteStore(
                url, update_endpoint=_endpoints["update"], graph_store=_endpoints["store"], read_only=read_only
            )
        else:
            store = OxigraphStore(path or default_store_path(), read_only=read_only)
    except GraphError as exc:
        raise fail(str(exc)) from exc
    try:
        yield store
    finally:
        store.close()


def short_graph(graph: str) -> str:
    """A graph's IRI without the graph namespace.

    >>> short_graph(PREFIXES["graph"] + "network/2020")
    'network/2020'
    """
    return graph.removeprefix(PREFIXES["graph"])


def show_term(term: object) -> str:
    """A term as a table cell: an IRI in a known namespace as ``prefix:name``, a literal as its value.

    >>> show_term(ox.NamedNode(PREFIXES["org"] + "Organization"))
    'org:Organization'
    """
    if isinstance(term, ox.NamedNode):
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri) :]}"
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    return "" if term is None else str(term)


def print_network(status: NetworkStatus) -> None:
    """The network's state in one line, in yellow when it is stale."""
    console.print(Text(status.message, style="yellow" if status.stale else ""), highlight=False, soft_wrap=True)
