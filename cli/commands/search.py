"""``cnrs-kg search``: organisations, countries, regions, country groups and instruments by name.

The words match as in GraphQL's name filters and the explorer's search box (``graph.search``):
accents and case aside, in any order, each word the start of a word, over every name, alias and
acronym; the best hit first. One hit a line: IRI, label and kind, separated by tabs, for a pipe.
The store is opened read-only, so a running server does not stop it; its search index is read from
beside the store when the server saved one of the store's version, else built in memory.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.text import Text

from cli.app import StoreOption, app, err, fail, open_store
from graph import GraphError
from graph.search import DEFAULT_LIMIT, MAX_HITS
from graph.search import search as find


class Kind(StrEnum):
    """The kinds of ``graph.search.KINDS``, as choices of ``--kind``."""

    institution = "institution"
    country = "country"
    region = "region"
    group = "group"
    instrument = "instrument"


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help='Words of a name, alias or acronym: "universite grenoble", CNRS.')],
    kind: Annotated[
        list[Kind] | None,
        typer.Option("--kind", help="Only entities of this kind; repeatable; all kinds if none."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MAX_HITS, help="Most hits printed, the best first.")
    ] = DEFAULT_LIMIT,
    store: StoreOption = None,
) -> None:
    """Find entities by name: prints IRI, label and kind of each hit, tab-separated, best first."""
    with open_store(store, read_only=True) as kg:
        try:
            hits = find(kg, text, kinds=None if not kind else [k.value for k in kind], limit=limit, argument="TEXT")
        except GraphError as exc:
            raise fail(str(exc)) from exc
    for hit in hits:
        sys.stdout.write(f"{hit.iri}\t{hit.label}\t{hit.kind}\n")
    if not hits:
        err.print(
            Text(f"nothing named {text!r}; try fewer words, or the start of each"), highlight=False, soft_wrap=True
        )
