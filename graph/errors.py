"""Errors of the graph layer.

GraphError
├── StoreLockedError   the store is held by another process (a running server)
├── StoreOpenError     the store directory cannot be opened
├── QueryError         a SPARQL query or update the store rejects (syntax, evaluation)
└── QueryTimeout       a query ran over its time budget and was stopped
"""

from __future__ import annotations


class GraphError(Exception):
    """Base class of the graph layer's errors; ``str()`` is a one-line message for users."""


class StoreLockedError(GraphError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path}: the store is in use by another process (a running 'cnrs-kg serve'?); "
            "stop it or pass another --store"
        )
        self.path = path


class StoreOpenError(GraphError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: cannot open the store: {reason}")
        self.path = path


class QueryError(GraphError):
    """The query text is wrong; ``str()`` carries the parser's position."""


class QueryTimeout(GraphError):
    """A query ran over its time budget; it was stopped (its worker process killed)."""

    def __init__(self, budget: float) -> None:
        super().__init__(
            f"the query ran over its time budget of {budget:g} s and was stopped; "
            "narrow it (a LIMIT, fewer patterns, a smaller graph) or ask the server's operator for a larger budget"
        )
        self.budget = budget


class ResultTooLarge(GraphError):
    """A query's answer has more rows (or triples) than the server's cap."""

    def __init__(self, cap: int) -> None:
        super().__init__(
            f"the result has more than {cap} rows, the cap of this server; "
            f"add a LIMIT (at most {cap}), page with LIMIT/OFFSET, or narrow the query"
        )
        self.cap = cap
