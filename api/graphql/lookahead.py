"""Which fields a query selects below the current one, so one query can fetch a level's facts.

Read from graphql-core's syntax tree, not strawberry's ``info.selected_fields``: that one copies
every fragment at every spread, which grows exponentially with fragments spreading each other
twice. Here a walk enters each fragment once (as graphql-core's ``collect_fields`` does), so it
takes time linear in the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from api.graphql.context import Info
from api.graphql.mapping import kind

NODES = (("edges", "node"), ("nodes",))  # where a connection's items are


def _fields(
    selection_sets: Iterable[SelectionSetNode], fragments: Mapping[str, FragmentDefinitionNode], entered: set[str]
) -> Iterator[FieldNode]:
    """The fields of ``selection_sets``, fragments merged; a fragment already ``entered`` adds nothing new."""
    for selection_set in selection_sets:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from _fields([selection.selection_set], fragments, entered)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in entered:
                entered.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    yield from _fields([fragment.selection_set], fragments, entered)


def _walk(
    selection_sets: list[SelectionSetNode], path: tuple[str, ...], fragments: Mapping[str, FragmentDefinitionNode]
) -> set[str]:
    fields = list(_fields(selection_sets, fragments, set()))
    if not path:
        return {f.name.value for f in fields}
    below = [f.selection_set for f in fields if f.name.value == path[0] and f.selection_set is not None]
    return _walk(below, path[1:], fragments) if below else set()


def selected(info: Info, *paths: tuple[str, ...]) -> set[str]:
    """The field names selected at any of ``paths`` below the current field (fragments merged)."""
    raw = info._raw_info  # graphql-core's resolve info: its field nodes and fragments
    roots = [node.selection_set for node in raw.field_nodes if node.selection_set is not None]
    found: set[str] = set()
    for path in paths or ((),):
        found |= _walk(roots, path, raw.fragments)
    return found


def predicates(
    info: Info, kind_name: str, *paths: tuple[str, ...], also: Iterable[str] = ()
) -> tuple[ox.NamedNode, ...]:
    """The predicates the fields selected at ``paths`` need on a ``kind_name`` (and those of ``also``)."""
    return kind(kind_name).predicates_for(selected(info, *paths) | set(also))
