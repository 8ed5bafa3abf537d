"""The store and what is computed on it.

The wings: the store (``store``: atomic graph replacement; ``remote/``: the same over a SPARQL engine
of one's own; ``writing``: sources written into it),
the materialised co-publication links and their index (``links/``), validation and statistics (``validate``,
``stats``), the entity read model GraphQL reads (``entities/``: queries and the facts they read),
the network selections that GraphQL, the exports and the explorer show (``explore/``), and their
exports for visualisation tools (``exports/``: ``Network -> bytes``).

Public names: ``Backend`` (the interface), ``OxigraphStore``, ``GraphContent``, ``GraphPatch``, ``GraphChange``,
``default_store_path``, ``STORE_ENV``; ``Queryable`` (what answers queries: the store or the
server's worker pool); the errors of ``graph.errors``, one tree: ``GraphError``,
``StoreLockedError``, ``StoreOpenError``, ``QueryError``, ``QueryTimeout``, ``ResultTooLarge``,
``BadArgument`` and ``CostLimitExceeded``. The wings are imported by name (``from graph import
explore``): importing ``graph`` loads neither igraph nor networkx.
"""

from graph.errors import (
    BadArgument,
    CostLimitExceeded,
    GraphError,
    QueryError,
    QueryTimeout,
    ResultTooLarge,
    StoreLockedError,
    StoreOpenError,
)
from graph.store import (
    STORE_ENV,
    Backend,
    GraphChange,
    GraphContent,
    GraphPatch,
    OxigraphStore,
    Queryable,
    default_store_path,
)

__all__ = [
    "STORE_ENV",
    "Backend",
    "BadArgument",
    "CostLimitExceeded",
    "GraphChange",
    "GraphContent",
    "GraphError",
    "GraphPatch",
    "OxigraphStore",
    "QueryError",
    "QueryTimeout",
    "Queryable",
    "ResultTooLarge",
    "StoreLockedError",
    "StoreOpenError",
    "default_store_path",
]
