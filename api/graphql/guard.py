"""``Guard``: what a GraphQL request must pass before it runs.

In order, each refusal a request error (no ``data``) with one line saying what to change:

1. the document at most ``MAX_DOCUMENT_CHARS`` characters, the variables at most
   ``MAX_VARIABLES_CHARS`` characters of JSON and no list in them over ``MAX_VARIABLE_ITEMS``
   items (``BAD_USER_INPUT``), checked before parsing, in time bounded by those limits;
2. parsing (at most ``limits.MAX_TOKENS`` tokens) and validation (graphql-core's rules and
   ``limits.DepthLimit``, each linear in the document), each cached per document;
3. the cost of the operation (``cost.estimate``) at most ``cost.MAX_COST`` (introspection
   ``cost.MAX_INTROSPECTION_COST``), at most ``limits.MAX_FIELDS`` fields once its fragments are
   expanded and at most ``limits.MAX_ALIASES`` aliases (``COST_LIMIT_EXCEEDED``).

All of it runs in the request's worker thread, off the server's event loop (``schema.Schema``).
The time of the whole request is kept by ``RecordingQueries`` (see ``Context.for_request``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, get_operation_ast, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

from api.graphql.cost import MAX_COST, MAX_INTROSPECTION_COST, estimate
from api.graphql.limits import MAX_ALIASES, MAX_FIELDS, count_aliases, count_expanded, fragments_of

__all__ = ["MAX_DOCUMENT_CHARS", "MAX_VARIABLES_CHARS", "MAX_VARIABLE_ITEMS", "Guard", "oversized"]

MAX_DOCUMENT_CHARS = 100_000
MAX_VARIABLES_CHARS = 100_000
MAX_VARIABLE_ITEMS = 1_000
CACHED_DOCUMENTS = 256  # clients repeat their queries: parse and validate each text once

cached_parse: Callable[..., DocumentNode] = lru_cache(maxsize=CACHED_DOCUMENTS)(parse)
cached_validate: Callable[..., list[GraphQLError]] = lru_cache(maxsize=CACHED_DOCUMENTS)(validate_document)


def refusal(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def json_chars(value: object) -> int:
    """About how many characters ``value`` (decoded JSON) takes in JSON, its items not counted."""
    if isinstance(value, dict):
        return 2 + sum(len(str(key)) + 4 for key in value)
    if isinstance(value, list):
        return 2 + len(value)
    return len(value) + 2 if isinstance(value, str) else len(str(value))


def items(where: str, value: list[object] | dict[str, object]) -> list[tuple[str, object]]:
    """The items of a list or an object of the variables, each with where it is."""
    if isinstance(value, dict):
        return [(f"{where}.{key}", item) for key, item in value.items()]
    return [(f"{where}[{index}]", item) for index, item in enumerate(value)]


def oversized(query: str | None, variables: Mapping[str, object] | None) -> str | None:
    """Why the document or the variables are too large, or None. A list or an object is measured
    before its items are looked at, and the first excess stops the walk, so the time this takes
    is bounded by the limits, not by the request.

    >>> oversized("query ($s: [String!]!) { network(seeds: $s) { hops } }", {"s": ["CNRS"] * 1001})
    'variable $s: a list of 1001 items, over the limit of 1000; send at most 1000 items in a list'
    """
    if query is not None and len(query) > MAX_DOCUMENT_CHARS:
        return (
            f"the document has {len(query)} characters, over the limit of {MAX_DOCUMENT_CHARS}; "
            "send a shorter one (comments count)"
        )
    size = 0
    pending: list[tuple[str, object]] = [(f"${name}", value) for name, value in (variables or {}).items()]
    while pending:
        where, value = pending.pop()
        if isinstance(value, list | dict) and len(value) > MAX_VARIABLE_ITEMS:
            what = f"an object of {len(value)} fields" if isinstance(value, dict) else f"a list of {len(value)} items"
            return (
                f"variable {where}: {what}, over the limit of {MAX_VARIABLE_ITEMS}; "
                f"send at most {MAX_VARIABLE_ITEMS} items in a list"
            )
        size += json_chars(value)
        if size > MAX_VARIABLES_CHARS:
            return f"the variables take over {MAX_VARIABLES_CHARS} characters of JSON; send smaller ones"
        if isinstance(value, list | dict):
            pending.extend(items(where, value))
    return None


def excess_cost(context: ExecutionContext) -> str | None:
    """Why the operation (of a valid document) is over a cost limit, or None."""
    document = context.graphql_document
    assert document is not None
    operation = get_operation_ast(document, context.operation_name)
    if operation is None:  # strawberry refused it before validation
        return None
    found = estimate(context.schema._schema, document, operation, context.variables)
    if found.data > MAX_COST:
        return (
            f"the estimated cost of this request, {found.data}, is over the limit of {MAX_COST}; ask for fewer "
            "aliases, smaller pages (first), fewer hops or less nesting, or split the request"
        )
    if found.introspection > MAX_INTROSPECTION_COST:
        return (
            f"the estimated cost of this introspection, {found.introspection}, is over the limit of "
            f"{MAX_INTROSPECTION_COST}; nest fewer lists of types and fields"
        )
    fragments = fragments_of(document)
    if (fields := count_expanded(operation, fragments)) > MAX_FIELDS:
        return (
            f"this request has {fields} fields once its fragments are expanded, over the limit of {MAX_FIELDS}; "
            "spread fragments fewer times"
        )
    if (aliases := count_aliases(operation, fragments)) > MAX_ALIASES:
        return f"this request has {aliases} aliases, over the limit of {MAX_ALIASES}; split it"
    return None


def validate(context: ExecutionContext) -> list[GraphQLError]:
    """graphql-core's rules and ours (cached per document), then the cost (per request: it reads
    the variables)."""
    errors = cached_validate(context.schema._schema, context.graphql_document, context.validation_rules)
    if errors:
        return list(errors)
    excess = excess_cost(context)
    return [] if excess is None else [refusal(excess, "COST_LIMIT_EXCEEDED")]


class Guard(SchemaExtension):
    """Bounds the size, the depth and the cost of a request before it runs; parses and validates
    with caches (in place of strawberry's ``ParserCache`` and ``ValidationCache``)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        excess = oversized(context.query, context.variables)
        if excess is not None:
            raise refusal(excess, "BAD_USER_INPUT")
        if context.graphql_document is None and context.query:
            context.graphql_document = cached_parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        self.execution_context.pre_execution_errors = validate(self.execution_context)
        yield
