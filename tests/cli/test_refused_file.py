"""A refused file leaves nothing, and what the command line prints quotes data as it is.

The issue's case: an OpenAlex author record given as works (``--kind openalex``). No author record
is among the fixtures; this one is the example of OpenAlex's documentation ("Get a single author",
https://docs.openalex.org/api-entities/authors/get-a-single-author, whose other fields the
documentation leaves out), in the three shapes the OpenAlex loader reads: one record (``.json``),
JSON Lines, and an API list response.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import OxigraphStore
from tests.cli.run import cnrs_kg

AUTHOR = {
    "id": "https://openalex.org/A5023888391",
    "orcid": "https://orcid.org/0000-0001-6187-6610",
    "display_name": "Jason Priem",
    "display_name_alternatives": [],
    "works_count": 53,
}
SHAPES = {
    "A5023888391.json": json.dumps(AUTHOR),
    "authors.jsonl": json.dumps(AUTHOR) + "\n",
    "authors-page.json": json.dumps({"meta": {"count": 1, "page": 1, "per_page": 25}, "results": [AUTHOR]}),
}
WHERE = {"A5023888391.json": ":id", "authors.jsonl": ":1:id", "authors-page.json": ":results[0]:id"}


def everything(store: Path) -> tuple[set[ox.Quad], int]:
    """Every statement of the store, and its generation."""
    with OxigraphStore(store, read_only=True) as kg:
        return set(kg.quads()), kg.generation


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_an_author_given_as_works_is_refused_and_leaves_nothing(store_copy: Path, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(SHAPES[name], encoding="utf-8")
    before = everything(store_copy)
    assert ox.NamedNode("https://w3id.org/cnrs-kg/graph/network/all") in {q.graph_name for q in before[0]}
    result = cnrs_kg(store_copy, "load", "--kind", "openalex", str(path))
    assert result.exit_code == 1, result.output  # refused, not "skipped" (2)
    assert result.stdout == ""
    [line] = result.output.splitlines()
    expected = (
        f"error: {path}{WHERE[name]}: 'https://openalex.org/A5023888391' is not an OpenAlex id of the expected kind"
    )
    assert line.startswith(expected), line  # ":id:" as it is, not an emoji
    assert line.endswith("(nothing was loaded)"), line
    assert "🆔" not in result.output
    assert everything(store_copy) == before  # no source graph, the network untouched, no write at all


def test_query_results_print_as_they_are(store_copy: Path) -> None:
    value = "[bold]Centre[/bold] :id: [red]"
    result = cnrs_kg(store_copy, "query", f'SELECT ?v WHERE {{ BIND("{value}" AS ?v) }}')
    assert result.exit_code == 0, result.output
    assert value in result.output
    assert "🆔" not in result.output


def test_a_file_name_like_markup_prints_as_it_is(store_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "[bold]x :id:"
    folder.mkdir()
    path = folder / "authors.jsonl"
    path.write_text(SHAPES["authors.jsonl"], encoding="utf-8")
    result = cnrs_kg(store_copy, "load", "--kind", "openalex", str(path))
    assert result.output.startswith(f"error: {path}:1:id: "), result.output
