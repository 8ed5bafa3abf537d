"""The schema: the root ``Query``, its node types, and the extensions guarding it.

Limits (see ``guard``): a query at most ``MAX_DEPTH`` fields deep (introspection not counted),
``MAX_TOKENS`` tokens long, ``MAX_ALIASES`` aliases, within the cost limit of ``cost``; lists at
most ``types.common.MAX_PAGE`` items a page, networks and paths within the cost limits of
``graph.explore``; the whole request within the server's time budget. Errors: see
``api.graphql.errors``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import Any

import strawberry
from anyio import to_thread
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from api.graphql.errors import ErrorCodes, log_unexpected
from api.graphql.explain import Explain
from api.graphql.guard import Guard
from api.graphql.limits import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, DepthLimit
from api.graphql.query import NODE_TYPES, Query
from api.graphql.types.common import MAX_PAGE, SCALARS

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_PAGE", "MAX_TOKENS", "Schema", "schema"]


class Schema(strawberry.Schema):
    """Runs each request in a worker thread, on an event loop of its own, and logs the unexpected
    errors only (with their tracebacks); the client's own are no server event.

    The server's event loop stays free for ``/health`` and the other requests: parsing and
    validating a document, and completing a large answer (graphql-core completes a list in one
    step of its loop: 0.6 s for the 5,700 nodes and edges of the 2-hop network of the CNRS), are
    CPU work. The resolvers' queries run in further threads, as they would on the server's loop.
    """

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        run = super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        return await to_thread.run_sync(asyncio.run, run)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        log_unexpected(errors)


def build() -> Schema:
    extensions: list[Any] = [
        partial(AddValidationRules, [DepthLimit]),  # one class for every request: validation is cached
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        Guard,
        ErrorCodes,
        Explain,
    ]
    config = StrawberryConfig(scalar_map=SCALARS)  # Date: a year, a month or a day (types.common.PartialDate)
    return Schema(query=Query, types=list(NODE_TYPES.values()), extensions=extensions, config=config)


schema = build()
