"""Errors of the graph layer: the one tree the store, the explorations and their callers raise.

GraphError
├── StoreLockedError       the store is held by another process (a running server)
├── StoreOpenError         the store directory cannot be opened
├── QueryError             a SPARQL query or update the store rejects (syntax, evaluation)
├── QueryTimeout           a query ran over its time budget and was stopped
├── ResultTooLarge         a query's answer is over the server's row cap
└── BadArgument            an argument the caller got wrong (also a ValueError): nothing was asked of the store
    └── CostLimitExceeded  a selection over a cost limit (too many hops or nodes)

They pickle with their arguments (``__reduce__``), so that a refusal crosses from a query worker
process to the server with its type:

>>> import pickle
>>> pickle.loads(pickle.dumps(QueryTimeout(2.5))).budget
2.5

``str()`` of each is one line for users: what is wrong and what to do. ``BadArgument`` names the
argument first as the HTTP API spells it (``hops: ...``, ``seeds: ...``), so that a caller with
other spellings (the command line's ``--hops``) can rename it.

>>> raise CostLimitExceeded("hops=4 is over the limit of 3; ask for 3 hops or fewer")
Traceback (most recent call last):
...
graph.errors.CostLimitExceeded: hops=4 is over the limit of 3; ask for 3 hops or fewer
>>> issubclass(CostLimitExceeded, ValueError)
True
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

    def __reduce__(self) -> tuple[type[StoreLockedError], tuple[str]]:
        return type(self), (self.path,)


class StoreOpenError(GraphError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: cannot open the store: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[StoreOpenError], tuple[str, str]]:
        return type(self), (self.path, self.reason)


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

    def __reduce__(self) -> tuple[type[QueryTimeout], tuple[float]]:
        return type(self), (self.budget,)


class ResultTooLarge(GraphError):
    """A query's answer has more rows (or triples) than the server's cap."""

    def __init__(self, cap: int) -> None:
        super().__init__(
            f"the result has more than {cap} rows, the cap of this server; "
            f"add a LIMIT (at most {cap}), page with LIMIT/OFFSET, or narrow the query"
        )
        self.cap = cap

    def __reduce__(self) -> tuple[type[ResultTooLarge], tuple[int]]:
        return type(self), (self.cap,)


# Also a ValueError, as a wrong value is in Python: callers that refuse any ValueError as the
# client's (GraphQL's resolvers) keep doing so.
class BadArgument(GraphError, ValueError):
    """An argument the caller got wrong; ``str()`` names it and says what to do."""


class CostLimitExceeded(BadArgument):
    """A network or path request over the cost limit (too many hops or nodes); ``str()`` says which."""
