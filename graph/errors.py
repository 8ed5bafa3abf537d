"""Errors of the graph layer.

GraphError
├── StoreLockedError   the store is held by another process (a running server)
├── StoreOpenError     the store directory cannot be opened
└── QueryError         a SPARQL query or update the store rejects (syntax, evaluation)
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
