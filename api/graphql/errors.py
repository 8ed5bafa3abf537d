"""Errors of the GraphQL layer, and how every error reaches a client.

ApiError                 an expected failure the client caused; its message says what to change
├── BadInput             an argument out of range or malformed (code ``BAD_USER_INPUT``)
└── PageTooLarge         ``first`` over the page size limit (code ``BAD_USER_INPUT``)

RequestTimeout           (a ``graph.QueryTimeout``) the request ran over its time budget

From the layers below, ``graph.QueryTimeout`` becomes ``QUERY_TIMEOUT``, ``graph.ResultTooLarge``
``RESULT_TOO_LARGE``, ``graph.CostLimitExceeded`` ``COST_LIMIT_EXCEEDED``, another
``graph.BadArgument`` (a reference ``api.refs`` cannot resolve) ``BAD_USER_INPUT``, and another
``graph.GraphError`` with a message for users ``QUERY_REFUSED``. Anything else (a bug, our own
malformed SPARQL, a store failure) is logged with its traceback and reaches the client as
"Unexpected error." with code ``INTERNAL_SERVER_ERROR``. "Not found" is no error: the field is null.
A request refused before it runs (``guard``) has no ``data``: ``BAD_USER_INPUT`` for oversized
variables or document, ``COST_LIMIT_EXCEEDED`` for a cost or alias count over its limit.
"""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from graph import BadArgument, CostLimitExceeded, GraphError, QueryError, QueryTimeout, ResultTooLarge

log = logging.getLogger("cnrs_kg.graphql")

UNEXPECTED = "Unexpected error."


class ApiError(Exception):
    """An expected failure caused by the request; ``str()`` is a one-line message saying what to change."""

    code = "BAD_USER_INPUT"


class BadInput(ApiError):
    pass


class PageTooLarge(ApiError):
    def __init__(self, first: int, limit: int) -> None:
        super().__init__(f"first: {first} is over the page size limit of {limit}; ask for at most {limit} and page on")


class RequestTimeout(QueryTimeout):
    """The whole request ran over its time budget: its running query was stopped, no other starts."""

    def __init__(self, budget: float) -> None:
        GraphError.__init__(
            self,
            f"the request ran over its time budget of {budget:g} s and was stopped; ask for less in one request "
            "(fewer aliases, smaller pages, fewer hops) or ask the server's operator for a larger budget",
        )
        self.budget = budget


def code_of(error: BaseException | None) -> str | None:
    """The ``extensions.code`` of an exception a client may see; None: unexpected (masked)."""
    if isinstance(error, ApiError):
        return error.code
    if isinstance(error, QueryTimeout):
        return "QUERY_TIMEOUT"
    if isinstance(error, ResultTooLarge):
        return "RESULT_TOO_LARGE"
    if isinstance(error, CostLimitExceeded):
        return "COST_LIMIT_EXCEEDED"
    if isinstance(error, BadArgument):  # an argument the graph layer refused (``api.refs``: a bad reference)
        return "BAD_USER_INPUT"
    if isinstance(error, GraphError) and not isinstance(error, QueryError):
        return "QUERY_REFUSED"
    return None


def raised_by_resolver(error: GraphQLError) -> bool:
    """An exception from a resolver (it has a path), not one of GraphQL's own request errors."""
    return (
        error.path is not None
        and error.original_error is not None
        and not isinstance(error.original_error, GraphQLError)
    )


def is_unexpected(error: GraphQLError) -> bool:
    """An exception from a resolver that is none of the expected kinds."""
    return raised_by_resolver(error) and code_of(error.original_error) is None


def log_unexpected(errors: list[GraphQLError]) -> None:
    for error in errors:
        if is_unexpected(error):
            original = error.original_error
            assert original is not None
            log.error(
                "GraphQL resolver failed at %s: %s",
                ".".join(str(p) for p in error.path or []),
                original,
                exc_info=(type(original), original, original.__traceback__),
            )


class ErrorCodes(MaskErrors):
    """Gives expected errors their code and masks the rest (logged by ``Schema.process_errors``)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=raised_by_resolver, error_message=UNEXPECTED)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        code = code_of(original)
        message = str(original) if code is not None else UNEXPECTED
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={**(error.extensions or {}), "code": code or "INTERNAL_SERVER_ERROR"},
        )
