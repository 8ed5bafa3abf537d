"""A ``Queryable`` that records the queries run through it: how many, and, to explain, which and how long.

Every GraphQL request gets its own ``RecordingQueries`` around ``request.state.queries``; the
resolvers and ``graph.explore`` run their SPARQL through it. When the request asks to explain,
each answer is read to the end inside ``query`` (and handed back re-parsed, as the server's
worker pool does), so the time includes the evaluation, which pyoxigraph otherwise runs lazily
while the caller iterates; without it, only the query texts are kept.

With a ``budget`` (the server's query budget), the request has a deadline: a query is asked
within the time left (a query worker still running at the deadline is stopped), and none starts
after it (``RequestTimeout``, code ``QUERY_TIMEOUT``): the resolvers and ``graph.explore`` stop
issuing queries, and the request answers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from api.graphql.errors import RequestTimeout
from api.workers import Job, QueryPool, parsed_answer
from graph import Queryable, QueryTimeout
from graph.store import QueryResult


@dataclass(frozen=True)
class QueryRecord:
    query: str
    ms: float | None  # None when not explaining
    rows: int | None  # solutions of a SELECT (None for ASK, or when not explaining)

    def as_json(self) -> dict[str, object]:
        return {"query": self.query, "ms": None if self.ms is None else round(self.ms, 3), "rows": self.rows}


class RecordingQueries:
    """Runs queries on ``inner`` and keeps a ``QueryRecord`` of each, in the order they started."""

    def __init__(self, inner: Queryable, *, explain: bool = False, budget: float | None = None) -> None:
        self.inner = inner
        self.explain = explain
        self.budget = budget
        self.deadline = None if budget is None else time.monotonic() + budget
        self.concurrency: int = getattr(inner, "concurrency", 1)
        self._records: list[QueryRecord] = []
        self._lock = threading.Lock()

    @property
    def records(self) -> list[QueryRecord]:
        with self._lock:
            return list(self._records)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._records)

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graphs: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        left = self.time_left()
        start = time.perf_counter()
        rows: int | None = None
        try:
            if left is not None and isinstance(self.inner, QueryPool):
                job = Job.of(sparql, default_graphs, named_graphs, base_iri, substitutions=substitutions)
                result = self.within(self.inner, job, left)
            else:
                result = self.inner.query(
                    sparql,
                    substitutions=substitutions,
                    default_graphs=default_graphs,
                    named_graphs=named_graphs,
                    base_iri=base_iri,
                )
            if self.explain and isinstance(result, ox.QuerySolutions):
                # Evaluate now, to time it; TSV keeps every term as it is.
                data = result.serialize(format=ox.QueryResultsFormat.TSV)
                assert data is not None
                rows = max(data.count(b"\n") - 1, 0)
                result = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
            return result
        finally:
            ms = (time.perf_counter() - start) * 1000 if self.explain else None
            with self._lock:
                self._records.append(QueryRecord(sparql, ms, rows))

    def time_left(self) -> float | None:
        """Seconds until the deadline (None: no deadline); ``RequestTimeout`` once it has passed."""
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            assert self.budget is not None
            raise RequestTimeout(self.budget)
        return left

    def within(self, pool: QueryPool, job: Job, left: float) -> QueryResult:
        """``job`` answered by ``pool`` within ``left`` seconds (its worker stopped past them)."""
        try:
            return parsed_answer(pool.run(job, timeout=left))
        except QueryTimeout:
            if pool.budget is not None and left >= pool.budget:
                raise  # the query's own budget, not the request's
            assert self.budget is not None
            raise RequestTimeout(self.budget) from None
