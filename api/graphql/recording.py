"""A ``Queryable`` that records the queries run through it: how many, and, to explain, which and how long.

Every GraphQL request gets its own ``RecordingQueries`` around ``request.state.queries``; the
resolvers and ``graph.explore`` run their SPARQL through it. When the request asks to explain,
each answer is read to the end inside ``query`` (and handed back re-parsed, as the server's
worker pool does), so the time includes the evaluation, which pyoxigraph otherwise runs lazily
while the caller iterates; without it, only the query texts are kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from graph import Queryable
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

    def __init__(self, inner: Queryable, *, explain: bool = False) -> None:
        self.inner = inner
        self.explain = explain
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
        start = time.perf_counter()
        rows: int | None = None
        try:
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
