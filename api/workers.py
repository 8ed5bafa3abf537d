"""Query workers: user-shaped queries run in child processes that can be stopped.

pyoxigraph cannot interrupt a query, and an aggregate such as ``SELECT (COUNT(*) AS ?n) WHERE
{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }`` computes everything before its first row, so a time budget
kept by the server process alone would answer late and leave the CPU burning. Here:

- each worker process holds the store opened read-only and answers one query at a time;
- a query still running at the end of its budget gets ``QueryTimeout`` and its worker is killed
  at once (SIGKILL, so its CPU is freed); a new worker takes its place;
- a worker serialises the answer itself, counting rows (SELECT, as TSV) or triples (CONSTRUCT and
  DESCRIBE, as N-Triples) as they stream out, so an answer over the row cap stops the evaluation
  (``ResultTooLarge``) instead of filling the memory; the counted text is converted to the
  negotiated format only when it fits;
- the worker knows no HTTP: it answers an ``Answer`` or refuses with a typed error (``QueryError``,
  ``ResultTooLarge``, ``api.errors.NotAcceptable``), which crosses the pipe as itself and is raised
  again in the server process, where ``api.errors`` turns it into a status;
- the server process holds the store's write lock and does every write; each write increments
  ``OxigraphStore.generation``, and a worker whose store is older reopens it before its next query
  (a read-only open sees the last committed write; pyoxigraph 0.5 has no secondary mode). Reads
  therefore go on, on the last committed state, while a write runs.

``LocalQueries`` runs the same evaluation in the calling thread, with the row cap but no time
budget: for an in-memory store, which other processes cannot open, and for ``--workers 0``.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Protocol

import pyoxigraph as ox
from typing_extensions import Buffer

from api.errors import HTTPError
from api.negotiation import GRAPH_TYPES, SOLUTION_TYPES, Format, negotiated
from graph import GraphError, OxigraphStore, Queryable, QueryError, QueryTimeout, ResultTooLarge
from graph.store import QueryResult

DEFAULT_BUDGET = 30.0
DEFAULT_MAX_ROWS = 100_000
log = logging.getLogger("cnrs_kg.workers")


@dataclass(frozen=True)
class Job:
    """One query to answer. ``accept`` None: for the caller to parse (TSV, SPARQL JSON or N-Triples)."""

    query: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None
    accept: str | None = None
    max_rows: int | None = None
    generation: int = 0

    @classmethod
    def of(
        cls,
        sparql: str,
        default_graphs: Sequence[ox.NamedNode] | None,
        named_graphs: Sequence[ox.NamedNode] | None,
        base_iri: str | None,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        accept: str | None = None,
        max_rows: int | None = None,
    ) -> Job:
        """A job from pyoxigraph terms (a job crosses a pipe as plain, picklable values)."""
        return cls(
            sparql,
            None if default_graphs is None else tuple(g.value for g in default_graphs),
            None if named_graphs is None else tuple(g.value for g in named_graphs),
            base_iri,
            dict(substitutions) if substitutions else None,
            accept,
            max_rows,
        )


@dataclass(frozen=True)
class Answer:
    """A serialised answer: its media type, its bytes, and its form."""

    media_type: str
    body: bytes
    form: str  # "solutions", "boolean" or "triples"


class _OverCap(Exception):
    pass


class _LineCounter(io.BytesIO):
    """Collects what a serialiser writes; stops it (``_OverCap``) past ``limit`` lines."""

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit = limit
        self.lines = 0

    def write(self, chunk: Buffer, /) -> int:
        if self.limit is not None:
            self.lines += bytes(chunk).count(b"\n")
            if self.lines > self.limit:
                raise _OverCap
        return super().write(chunk)


def _graphs(iris: tuple[str, ...] | None) -> list[ox.NamedNode] | None:
    return None if iris is None else [ox.NamedNode(iri) for iri in iris]


def evaluate(store: Queryable, job: Job) -> Answer:
    """Run ``job`` on ``store`` and serialise its answer (in the thread or process that runs it).

    Refusals are raised: ``QueryError`` (the query, or its evaluation), ``NotAcceptable`` (no
    format fits ``job.accept``), ``ResultTooLarge`` (over ``job.max_rows``).
    """
    result = store.query(
        job.query,
        substitutions=job.substitutions,
        default_graphs=_graphs(job.default_graphs),
        named_graphs=_graphs(job.named_graphs),
        base_iri=job.base_iri,
    )
    try:
        if isinstance(result, ox.QueryBoolean):
            return _boolean(result, job)
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, job)
        return _triples(result, job)
    except _OverCap:
        assert job.max_rows is not None
        raise ResultTooLarge(job.max_rows) from None
    except (OSError, ValueError, RuntimeError) as exc:  # raised by the evaluation, as the rows stream
        raise QueryError(f"SPARQL evaluation error: {exc}") from None


def _format(job: Job, offers: list[Format], default: Format | None, what: str) -> Format | None:
    """The format ``job.accept`` asks for (``default`` without one); ``NotAcceptable`` if none fits."""
    if job.accept is None:
        return default
    return negotiated(job.accept, offers, what)


def _boolean(result: ox.QueryBoolean, job: Job) -> Answer:
    fmt = _format(job, SOLUTION_TYPES, SOLUTION_TYPES[0], "the answer to this query")
    assert fmt is not None
    assert fmt.results is not None
    return Answer(fmt.media_type, result.serialize(format=fmt.results) or b"", "boolean")


def _solutions(result: ox.QuerySolutions, job: Job) -> Answer:
    fmt = _format(job, SOLUTION_TYPES, None, "the answer to this query")
    cap = job.max_rows
    out = _LineCounter(None if cap is None else cap + 1)  # the TSV header is a line
    result.serialize(out, format=ox.QueryResultsFormat.TSV)
    if fmt is None or fmt.results == ox.QueryResultsFormat.TSV:
        return Answer(fmt.media_type if fmt else "text/tab-separated-values", out.getvalue(), "solutions")
    assert fmt.results is not None
    parsed = ox.parse_query_results(out.getvalue(), format=ox.QueryResultsFormat.TSV)
    return Answer(fmt.media_type, parsed.serialize(format=fmt.results) or b"", "solutions")


def _triples(result: ox.QueryTriples, job: Job) -> Answer:
    fmt = _format(job, GRAPH_TYPES, GRAPH_TYPES[1], "the answer to this query")
    assert fmt is not None
    assert fmt.rdf is not None
    out = _LineCounter(job.max_rows)
    result.serialize(out, format=ox.RdfFormat.N_TRIPLES)
    if fmt.rdf == ox.RdfFormat.N_TRIPLES:
        return Answer(fmt.media_type, out.getvalue(), "triples")
    triples = (quad.triple for quad in ox.parse(out.getvalue(), format=ox.RdfFormat.N_TRIPLES))
    return Answer(fmt.media_type, ox.serialize(triples, format=fmt.rdf) or b"", "triples")


def parsed_answer(answer: Answer) -> QueryResult:
    """An internal answer as pyoxigraph results (what ``Queryable.query`` returns)."""
    if answer.form == "triples":
        raise QueryError("CONSTRUCT and DESCRIBE are answered by the SPARQL endpoint; ask SELECT or ASK here")
    fmt = ox.QueryResultsFormat.TSV if answer.form == "solutions" else ox.QueryResultsFormat.JSON
    return ox.parse_query_results(answer.body, format=fmt)


class QueryRunner(Queryable, Protocol):
    """What the endpoints run queries on: ``run`` for serialised answers, ``query`` as a ``Queryable``."""

    budget: float | None
    max_rows: int | None

    def run(self, job: Job, timeout: float | None = None) -> Answer: ...

    def close(self) -> None: ...


class LocalQueries:
    """Queries in the calling thread: the row cap, but no time budget (nothing can stop them)."""

    budget: float | None = None

    def __init__(self, store: Queryable, *, max_rows: int | None = DEFAULT_MAX_ROWS) -> None:
        self.store = store
        self.max_rows = max_rows

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        return evaluate(self.store, job)

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graphs: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        return self.store.query(
            sparql,
            substitutions=substitutions,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            base_iri=base_iri,
        )

    def close(self) -> None:
        pass


def _open(path: str) -> OxigraphStore:
    """The store, read-only. Opening reads the list of files, then the files: a compaction by the
    writer in between removes one, so a failed open is retried on the next list."""
    for _ in range(50):
        try:
            return OxigraphStore(path, read_only=True)
        except (GraphError, OSError, RuntimeError):  # RocksDB reports a vanished file as corruption
            time.sleep(0.05)
    return OxigraphStore(path, read_only=True)


DEEP_STACK = 1 << 30  # bytes of (virtual) stack for every thread that evaluates SPARQL


def deep_stacks() -> None:
    """Give the threads started from now on a stack deep enough for any request under the body limit.

    Oxigraph parses and evaluates recursively: a flat chain of a few thousand ``MINUS`` or ``BIND``
    clauses (no nesting, so ``api.sparql_guard`` lets it through) overflows a default 8 MB stack
    and kills the process, a worker or, for an update, the server. A 1 GB stack holds the longest
    chain a 1 MB body can write; it is address space, only the pages a query touches are memory.
    """
    threading.stack_size(DEEP_STACK)


def _serve(conn: Connection, path: str, generation: int) -> None:
    """A worker process: its loop runs on a thread with a deep stack (see ``deep_stacks``)."""
    deep_stacks()
    loop = threading.Thread(target=_answer_jobs, args=(conn, path, generation), name="cnrs-kg-query")
    loop.start()
    loop.join()


def _answer_jobs(conn: Connection, path: str, generation: int) -> None:
    """A worker's loop: answer jobs until the pipe closes, reopening the store when it was written."""
    store = _open(path)
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            return
        if job.generation != generation:
            store = _open(path)
            generation = job.generation
        answer = _outcome(store, job)
        if isinstance(answer, QueryError) and "No such file" in str(answer):  # compacted away under an old reader
            store = _open(path)
            answer = _outcome(store, job)
        conn.send(answer)


def _outcome(store: OxigraphStore, job: Job) -> Answer | Exception:
    """The answer to ``job``, or the error that refuses it (sent back as itself, type and all)."""
    try:
        return evaluate(store, job)
    except (GraphError, HTTPError) as exc:
        return exc


class _Worker:
    def __init__(self, context: multiprocessing.context.SpawnContext, path: str, generation: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, path, generation), name="cnrs-kg-query")
        self.process.daemon = True
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()  # SIGKILL: pyoxigraph cannot be interrupted any other way
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """``workers`` processes answering queries on the store at ``store.path``, each within ``budget`` seconds."""

    def __init__(
        self,
        store: OxigraphStore,
        *,
        workers: int = 2,
        budget: float = DEFAULT_BUDGET,
        max_rows: int | None = DEFAULT_MAX_ROWS,
    ) -> None:
        if store.path is None or workers < 1:
            raise ValueError("a query pool needs a store on disk and at least one worker")
        self.store = store
        self.budget: float | None = budget
        self.max_rows = max_rows
        self.concurrency = workers  # how many queries it answers at once (``graph`` batches use it)
        self._path = str(store.path)
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(workers):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker(self._context, self._path, self.store.generation)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
        if not closed:
            self._idle.put(self._spawn())

    def run(self, job: Job, timeout: float | None = None) -> Answer:
        """Answer ``job`` within ``timeout`` seconds (at most the pool's budget), else ``QueryTimeout``."""
        assert self.budget is not None
        budget = self.budget if timeout is None else min(timeout, self.budget)
        deadline = time.monotonic() + budget
        try:
            worker = self._idle.get(timeout=budget)  # waiting for a free worker counts in the budget
        except queue.Empty:
            raise QueryTimeout(budget) from None
        try:
            worker.conn.send(replace(job, generation=self.store.generation))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                log.warning("query over its budget of %g s; its worker is stopped", budget)
                self._retire(worker)
                raise QueryTimeout(budget)
            answer: Answer | Exception = worker.conn.recv()
        except (EOFError, OSError) as exc:
            log.error("a query worker died: %s", exc)
            self._retire(worker)
            raise GraphError("the query worker stopped before answering (out of memory?); narrow the query") from exc
        self._idle.put(worker)
        if isinstance(answer, Exception):
            raise answer  # the worker's refusal, with its type
        return answer

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graphs: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """``Queryable.query`` within the budget, with no row cap (SELECT and ASK)."""
        return parsed_answer(
            self.run(Job.of(sparql, default_graphs, named_graphs, base_iri, substitutions=substitutions))
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
