"""What a GraphQL document may ask, checked in time linear in its length.

A document's fragments can spread each other many times over (``fragment F2 on Query { ...F1
...F1 }``): 22 such fragments in 900 bytes expand to four million selections, so no check here
expands a spread. Each fragment is measured once, after the fragments it spreads
(``in_dependency_order``), and a spread adds that measure where it stands.

- ``DepthLimit``: at most ``MAX_DEPTH`` fields deep, introspection fields not counted, with the
  error strawberry's ``QueryDepthLimiter`` gives (``'Op' exceeds maximum operation depth of 12``),
  reported at each selection one level too deep. A fragment's depth is its deepest selection.
- ``count_expanded``: the fields of an operation, each fragment counted as often as it is spread
  (``MAX_FIELDS`` at most: code that expands fragments, such as strawberry's
  ``info.selected_fields``, then stays bounded); ``count_aliases``: its aliases, counted so
  (as strawberry's ``MaxAliasesLimiter`` counts, walking each fragment at each spread).

One class per rule, for every request: strawberry's ``ValidationCache`` keys on the rule classes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
)
from graphql.validation import ValidationContext, ValidationRule

MAX_DEPTH = 12
MAX_TOKENS = 2000
MAX_ALIASES = 30
MAX_FIELDS = 5_000  # once fragments are expanded

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FIELDS",
    "MAX_TOKENS",
    "DepthLimit",
    "count_aliases",
    "count_expanded",
    "fragments_of",
    "in_dependency_order",
    "is_introspection",
]

Fragments = Mapping[str, FragmentDefinitionNode]


def is_introspection(field: FieldNode) -> bool:
    """``__schema``, ``__type``, ``__typename``: answered from the schema, not the store."""
    return field.name.value.startswith("__")


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def spreads(selection_set: SelectionSetNode) -> Iterator[str]:
    """The names of the fragments spread anywhere in ``selection_set`` (each time it is spread)."""
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            yield selection.name.value
        elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set is not None:
            yield from spreads(selection.selection_set)


def in_dependency_order(fragments: Fragments) -> list[str]:
    """The fragment names, each after every fragment it spreads.

    Iterative (a chain of fragments may be longer than Python's recursion limit). A spread closing
    a cycle, or naming no fragment, is passed over: graphql-core's ``NoFragmentCyclesRule`` and
    ``KnownFragmentNamesRule`` report those.

    >>> from graphql import parse
    >>> in_dependency_order(fragments_of(parse("fragment A on Q { ...B } fragment B on Q { x } { ...A }")))
    ['B', 'A']
    """
    order: list[str] = []
    entered: set[str] = set()
    for root in fragments:
        if root in entered:
            continue
        entered.add(root)
        stack = [(root, spreads(fragments[root].selection_set))]
        while stack:
            name, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                order.append(name)
            elif child in fragments and child not in entered:
                entered.add(child)
                stack.append((child, spreads(fragments[child].selection_set)))
    return order


# -- depth ---------------------------------------------------------------------------------------


def height(selection_set: SelectionSetNode, heights: Mapping[str, int]) -> int:
    """How many fields deep the deepest selection of ``selection_set`` is (0: all leaves), a spread
    counting as the height of its fragment (0 if not measured: a cycle, or no such fragment)."""
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            below = selection.selection_set
            found = 0 if below is None or is_introspection(selection) else 1 + height(below, heights)
        elif isinstance(selection, InlineFragmentNode):
            found = height(selection.selection_set, heights)
        else:
            assert isinstance(selection, FragmentSpreadNode)
            found = heights.get(selection.name.value, 0)
        deepest = max(deepest, found)
    return deepest


def fragment_heights(fragments: Fragments) -> dict[str, int]:
    heights: dict[str, int] = {}
    for name in in_dependency_order(fragments):
        heights[name] = height(fragments[name].selection_set, heights)
    return heights


def too_deep(operation: OperationDefinitionNode, fragments: Fragments, limit: int) -> Iterator[SelectionNode]:
    """The selections one level deeper than ``limit`` (where ``QueryDepthLimiter`` reports), in
    document order, each once. A fragment is entered once per depth it is spread at, so this takes
    at most ``limit + 2`` passes over the document."""
    entered: set[tuple[str, int]] = set()
    reported: set[int] = set()
    stack: list[tuple[SelectionNode, int]] = [(s, 0) for s in reversed(operation.selection_set.selections)]
    while stack:
        selection, depth = stack.pop()
        if depth > limit:
            if id(selection) not in reported:
                reported.add(id(selection))
                yield selection
            continue
        below: Iterable[SelectionNode] = ()
        if isinstance(selection, FieldNode):
            if selection.selection_set is not None and not is_introspection(selection):
                below, depth = selection.selection_set.selections, depth + 1
        elif isinstance(selection, InlineFragmentNode):
            below = selection.selection_set.selections
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and (fragment.name.value, depth) not in entered:
                entered.add((fragment.name.value, depth))
                below = fragment.selection_set.selections
        stack.extend((s, depth) for s in reversed(list(below)))


class DepthLimit(ValidationRule):
    """At most ``MAX_DEPTH`` fields deep (introspection fields, and what they select, not counted)."""

    limit = MAX_DEPTH

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        document = context.document
        fragments = fragments_of(document)
        heights = fragment_heights(fragments)
        for operation in document.definitions:
            if isinstance(operation, OperationDefinitionNode) and height(operation.selection_set, heights) > self.limit:
                name = operation.name.value if operation.name else "anonymous"
                message = f"'{name}' exceeds maximum operation depth of {self.limit}"
                for selection in too_deep(operation, fragments, self.limit):
                    self.report_error(GraphQLError(message, [selection]))


# -- aliases and fields, fragments expanded ------------------------------------------------------


def count_in(selection_set: SelectionSetNode, counts: Mapping[str, int], counted: Callable[[FieldNode], bool]) -> int:
    """The fields of ``selection_set`` that ``counted`` keeps, a spread counting those of its fragment."""
    found = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found += counted(selection)
            if selection.selection_set is not None:
                found += count_in(selection.selection_set, counts, counted)
        elif isinstance(selection, InlineFragmentNode):
            found += count_in(selection.selection_set, counts, counted)
        else:
            assert isinstance(selection, FragmentSpreadNode)
            found += counts.get(selection.name.value, 0)
    return found


def count_expanded(
    operation: OperationDefinitionNode, fragments: Fragments, counted: Callable[[FieldNode], bool] = bool
) -> int:
    """The fields of ``operation`` that ``counted`` keeps (all by default), fragments expanded:
    counted, never walked, once per spread.

    >>> from graphql import parse
    >>> document = parse("fragment F on Q { a: x b: x } fragment G on Q { ...F ...F } { c: x ...G ...G }")
    >>> count_expanded(document.definitions[2], fragments_of(document))
    9
    """
    counts: dict[str, int] = {}
    for name in in_dependency_order(fragments):
        counts[name] = count_in(fragments[name].selection_set, counts, counted)
    return count_in(operation.selection_set, counts, counted)


def count_aliases(operation: OperationDefinitionNode, fragments: Fragments) -> int:
    """The aliases of ``operation``, fragments expanded (as strawberry's ``MaxAliasesLimiter`` counts)."""
    return count_expanded(operation, fragments, lambda field: field.alias is not None)
