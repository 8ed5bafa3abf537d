"""The store and what runs on it: atomic graph replacement, validation, statistics.

Public names: ``Backend`` (the interface), ``OxigraphStore``, ``GraphContent``, ``GraphChange``,
``default_store_path``, ``STORE_ENV``, the errors ``GraphError``, ``StoreLockedError``,
``StoreOpenError``, ``QueryError``.
"""

from graph.errors import GraphError, QueryError, StoreLockedError, StoreOpenError
from graph.store import STORE_ENV, Backend, GraphChange, GraphContent, OxigraphStore, default_store_path

__all__ = [
    "STORE_ENV",
    "Backend",
    "GraphChange",
    "GraphContent",
    "GraphError",
    "OxigraphStore",
    "QueryError",
    "StoreLockedError",
    "StoreOpenError",
    "default_store_path",
]
