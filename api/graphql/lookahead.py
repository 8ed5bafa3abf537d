"""Which fields a query selects below the current one, so one query can fetch a level's facts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from api.graphql.context import Info
from api.graphql.kinds import kind

NODES = (("edges", "node"), ("nodes",))  # where a connection's items are


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)


def _walk(selections: Iterable[Selection], path: tuple[str, ...]) -> set[str]:
    if not path:
        return {f.name for f in _fields(selections)}
    found: set[str] = set()
    for selected in _fields(selections):
        if selected.name == path[0]:
            found |= _walk(selected.selections, path[1:])
    return found


def selected(info: Info, *paths: tuple[str, ...]) -> set[str]:
    """The field names selected at any of ``paths`` below the current field (fragments merged)."""
    found: set[str] = set()
    for root in info.selected_fields:
        for path in paths or ((),):
            found |= _walk(root.selections, path)
    return found


def predicates(
    info: Info, kind_name: str, *paths: tuple[str, ...], also: Iterable[str] = ()
) -> tuple[ox.NamedNode, ...]:
    """The predicates the fields selected at ``paths`` need on a ``kind_name`` (and those of ``also``)."""
    return kind(kind_name).predicates_for(selected(info, *paths) | set(also))
