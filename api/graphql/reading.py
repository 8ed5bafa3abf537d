"""How resolvers read the store: a SELECT run, and its rows read, in a worker thread.

The event loop never waits on the store: ``select`` hands the query to Starlette's thread pool,
where ``graph.entities.read_rows`` consumes the answer (pyoxigraph results must be read in the
thread that made them) and returns plain ``Row`` values.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from graph import Queryable
from graph.entities import Row, read_rows


async def select(queries: Queryable, sparql: str) -> list[Row]:
    """Run a SELECT in a worker thread and read all its rows there."""
    return await run_in_threadpool(read_rows, queries, sparql)
