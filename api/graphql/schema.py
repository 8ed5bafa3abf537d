"""The schema: the root ``Query``, its node types, and the extensions guarding it.

Limits: a query at most ``MAX_DEPTH`` fields deep (introspection not counted) and ``MAX_TOKENS``
tokens long, lists at most ``types.common.MAX_PAGE`` items a page, networks and paths within the
cost limits of ``graph.explore``. Errors: see ``api.graphql.errors``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.types import ExecutionContext

from api.graphql.errors import ErrorCodes, log_unexpected
from api.graphql.explain import Explain
from api.graphql.query import NODE_TYPES, Query
from api.graphql.types.common import MAX_PAGE

MAX_DEPTH = 12
MAX_TOKENS = 2000
CACHED_DOCUMENTS = 256

__all__ = ["MAX_DEPTH", "MAX_PAGE", "MAX_TOKENS", "Schema", "schema"]

# One depth rule for every request: ``ValidationCache`` keys on the rule classes, and strawberry's
# ``QueryDepthLimiter`` makes a new class per request, so no validation would ever be cached.
DEPTH_RULE = create_validator(MAX_DEPTH, should_ignore=None)


class Schema(strawberry.Schema):
    """Logs the unexpected errors only (with their tracebacks); the client's own are no server event."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        log_unexpected(errors)


def build() -> Schema:
    extensions: list[Any] = [
        partial(AddValidationRules, [DEPTH_RULE]),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(ParserCache, maxsize=CACHED_DOCUMENTS),  # clients repeat their queries: parse and
        partial(ValidationCache, maxsize=CACHED_DOCUMENTS),  # validate each text once
        ErrorCodes,
        Explain,
    ]
    return Schema(query=Query, types=list(NODE_TYPES.values()), extensions=extensions)


schema = build()
