"""Large graphs' statements made in a second process and bulk-loaded from a pipe.

Reading a million works and turning them into statements is Python, one core; so is writing out
millions of network links as text. Oxigraph's bulk loader is Rust and holds Python's lock while it
runs, so in one process the two take turns (a Python thread beside the loader slows both). Where
the statements can be made again from scratch (a file a loader reads, a table of links), the store
makes them in a child process that writes N-Quads to a pipe, and bulk-loads the pipe: each core
does one half, and the write takes about as long as the slower half instead of their sum.

What the child runs is a ``Job``, pickled to it:

- ``Triples``: a graph's statements from a ``Producer`` (a loader's reading of a file; it also says
  what to send back once it is done, the records the loader skipped, and takes that in the parent);
- ``Lines``: several graphs' statements as N-Triples lines, from picklable iterables (the network's
  links); it sends back the statements of each graph.

The child (``child``) reads the pickled job on its standard input, writes
N-Quads on its standard output, then its outcome (what the job reports, or the exception that
stopped it) to a file the parent names. A child that stops early closes the pipe: the loader ends,
and the parent raises what stopped the child (the store undoes the partial write, as after any
failed write).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

import pyoxigraph as ox

from graph.errors import GraphError

__all__ = ["ChildFailed", "Described", "Lines", "Producer", "Spawnable", "Triples", "child", "load_apart"]

# What the child runs (not ``-m graph.produce``: the package imports this module before runpy would).
CHILD = "import graph.produce; graph.produce.child()"
# Statements per bulk load while a load may be small, and after how many the rest goes at once.
SEGMENT = 300_000
FEW = 3_000_000
# Statements per write to the pipe: the text of one chunk is about a megabyte.
CHUNK = 8192


@runtime_checkable
class Producer(Protocol):
    """How to make a graph's content again in another process (the object is pickled to it)."""

    def produce(self) -> Iterable[ox.Triple]:
        """The graph's statements (run in the child)."""
        ...

    def report(self) -> object:
        """What to send back once ``produce`` is consumed (run in the child; picklable)."""
        ...

    def received(self, report: object) -> None:
        """Take the child's ``report`` (run in the parent)."""
        ...


@runtime_checkable
class Spawnable(Protocol):
    """A source whose content a ``Producer`` can make in another process (None: made in this one)."""

    @property
    def producer(self) -> Producer | None: ...


class Job(Protocol):
    """What the child runs: N-Quads text, then what to send back."""

    def chunks(self) -> Iterator[bytes]: ...

    def report(self) -> object: ...


class ChildFailed(GraphError):
    """The producing process stopped without saying why (killed, out of memory)."""


@dataclass(frozen=True)
class Described:
    """``statements`` first (a source's description, made in the parent), then the producer's."""

    statements: tuple[ox.Triple, ...]
    inner: Producer

    def produce(self) -> Iterator[ox.Triple]:
        yield from self.statements
        yield from self.inner.produce()

    def report(self) -> object:
        return self.inner.report()

    def received(self, report: object) -> None:
        self.inner.received(report)


@dataclass(frozen=True)
class Triples:
    """The statements of ``producer`` in ``graph``."""

    graph: str
    producer: Producer

    def chunks(self) -> Iterator[bytes]:
        end = f" <{self.graph}> .\n"
        statements = iter(self.producer.produce())
        while chunk := list(itertools.islice(statements, CHUNK)):
            yield "".join([f"{t.subject} {t.predicate} {t.object}{end}" for t in chunk]).encode()

    def report(self) -> object:
        return self.producer.report()


@dataclass
class Lines:
    """Each graph's N-Triples lines (each ending with `` .`` and a newline; a newline never occurs
    inside an N-Triples statement, literals escape it), counted as they are written."""

    graphs: Sequence[tuple[str, Iterable[str]]]
    counts: dict[str, int] | None = None

    def chunks(self) -> Iterator[bytes]:
        self.counts = {}
        for graph, lines in self.graphs:
            self.counts.setdefault(graph, 0)
            end = f" <{graph}> .\n"
            remaining = iter(lines)
            while text := "".join(itertools.islice(remaining, CHUNK)):
                statements = text.count("\n")
                quads = text.replace(" .\n", end)
                if quads.count(end) != statements:
                    raise ValueError(f"a line for <{graph}> does not end with ' .' and a newline")
                self.counts[graph] += statements
                yield quads.encode()

    def report(self) -> object:
        return self.counts


def load_apart(store: ox.Store, job: Job) -> object:
    """Bulk-load into ``store`` the N-Quads that ``job`` makes in a child process; what the job
    reports. Raises what stopped the child, once the loader has read what came."""
    with tempfile.TemporaryDirectory(prefix="cnrs-kg-produce-") as folder:
        outcome = Path(folder) / "outcome.pickle"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        process = subprocess.Popen(
            [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            with process.stdin:
                pickle.dump((job, str(outcome)), process.stdin)
            with process.stdout:
                _bulk_load(store, process.stdout)
        finally:
            status = process.wait()
        return _outcome(outcome, status)


def _bulk_load(store: ox.Store, quads: IO[bytes]) -> None:
    """Bulk-load the N-Quads lines of ``quads``: ``SEGMENT`` at a time while they may be few (the
    loader holds about two batches of up to a million statements in memory: a million-statement
    graph took 1.2 GB in one load, 0.5 GB in loads of 300,000, in the same time), the rest at once
    past ``FEW`` (one load keeps both cores busy; the statements loaded a segment at a time waited
    for the other process, which writes only while the pipe is read)."""
    loaded = 0
    while loaded < FEW:
        lines = list(itertools.islice(quads, SEGMENT))
        if not lines:
            return
        store.bulk_load(input=b"".join(lines), format=ox.RdfFormat.N_QUADS, lenient=True)
        loaded += len(lines)
    store.bulk_load(input=quads, format=ox.RdfFormat.N_QUADS, lenient=True)


def _outcome(path: Path, status: int) -> object:
    try:
        with path.open("rb") as file:
            kind, value = pickle.load(file)
    except (OSError, EOFError, pickle.UnpicklingError):
        raise ChildFailed(f"the process making the statements stopped (exit status {status})") from None
    if kind == "failed":
        raise value
    return value


def child() -> None:
    """In the child: write the job's N-Quads on standard output, then its outcome."""
    job, outcome = pickle.load(sys.stdin.buffer)
    try:
        with os.fdopen(sys.stdout.fileno(), "wb", buffering=1 << 20, closefd=False) as out:
            for chunk in job.chunks():
                out.write(chunk)
        result: tuple[str, object] = ("done", job.report())
    except Exception as exc:  # sent back whole: the parent raises it as a write in one process would
        result = ("failed", exc)
    with contextlib.suppress(BrokenPipeError):
        sys.stdout.close()
    with open(outcome, "wb") as file:
        pickle.dump(result, file)
