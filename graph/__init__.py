"""The store and what runs on it: atomic graph replacement, validation, statistics.

Public names: ``Backend`` (the interface), ``OxigraphStore``, ``GraphContent``, ``GraphChange``,
``default_store_path``, ``STORE_ENV``, the errors ``GraphError``, ``StoreLockedError``,
``StoreOpenError``, ``QueryError``, ``QueryTimeout``, ``ResultTooLarge``; ``Queryable`` (what
answers queries: the store or the server's worker pool).
"""

from graph.errors import GraphError, QueryError, QueryTimeout, ResultTooLarge, StoreLockedError, StoreOpenError
from graph.store import (
    STORE_ENV,
    Backend,
    GraphChange,
    GraphContent,
    OxigraphStore,
    Queryable,
    default_store_path,
)

__all__ = [
    "STORE_ENV",
    "Backend",
    "GraphChange",
    "GraphContent",
    "GraphError",
    "OxigraphStore",
    "QueryError",
    "QueryTimeout",
    "Queryable",
    "ResultTooLarge",
    "StoreLockedError",
    "StoreOpenError",
    "default_store_path",
]
