"""What a store holds after a fault, against what it held before the write and after it completes.

A write interrupted by a fault (a SIGKILL, a full disk) must leave every graph as it was before
or as the complete write leaves it, never in between; and the store as a whole before, after, or
with its sources written and its derived collaboration network not yet recomputed ("stale", which
the store must then report). No statement that both states hold may be missing ("lost"). The
network's graphs are the exception: they are patched in several transactions
(``Backend.patch_graphs``), so in a stale store they may hold anything (``exempt``) until the next
refresh recomputes them.

>>> before = {"g/a": 5, "g/network/all": 2, "g/same": 7}
>>> after = {"g/a": 9, "g/network/all": 4, "g/same": 7}
>>> outcome({"g/a": 9, "g/network/all": 2, "g/same": 7}, before, after, network="g/network/")
'stale'
>>> outcome({"g/a": 9, "g/network/all": 3, "g/same": 7}, before, after, network="g/network/")
'stale'
>>> outcome({"g/a": 5, "g/network/all": 4, "g/same": 7}, before, after, network="g/network/")
'mixed'
>>> in_between({"g/a": 6, "g/same": 7}, before, after)
['g/a: 6 statements, neither 5 (before) nor 9 (after)', 'g/network/all: 0 statements, neither 2 (before) nor 4 (after)']
>>> in_between({"g/a": 6, "g/same": 7}, before, after, exempt="g/network/")
['g/a: 6 statements, neither 5 (before) nor 9 (after)']
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph import OxigraphStore
from ontology.iris import GRAPH

NETWORK = GRAPH + "network/"
RESERVED = GRAPH + "_"  # the store's own graphs (journal, bookkeeping), not data
COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def reported(path: Path, *, read_only: bool = True) -> dict[str, int]:
    """Statements per graph as the store reports them (``cnrs-kg stats``, ``/health``): read-only, as a
    reader sees a store nobody has opened since the fault; else after a writer's open (which recovers)."""
    with OxigraphStore(path, read_only=read_only) as store:
        return store.graph_sizes()


def counted(path: Path) -> dict[str, int]:
    """Statements per data graph, counted, once a writer has opened the store (and recovered it)."""
    with OxigraphStore(path) as store:
        rows = store.raw.query(COUNT)
        assert isinstance(rows, ox.QuerySolutions)
        found = {row["g"].value: int(row["n"].value) for row in rows}
    return {g: n for g, n in sorted(found.items()) if not g.startswith(RESERVED)}


def in_between(
    now: dict[str, int], before: dict[str, int], after: dict[str, int], *, exempt: str | None = None
) -> list[str]:
    """The graphs whose size is neither the one before nor the one after (a missing graph has 0),
    but those whose name starts with ``exempt``."""
    return [
        f"{g}: {now.get(g, 0)} statements, neither {before.get(g, 0)} (before) nor {after.get(g, 0)} (after)"
        for g in sorted(set(now) | set(before) | set(after))
        if now.get(g, 0) not in (before.get(g, 0), after.get(g, 0)) and not (exempt and g.startswith(exempt))
    ]


def outcome(now: dict[str, int], before: dict[str, int], after: dict[str, int], *, network: str = NETWORK) -> str:
    """``before``, ``after``, ``stale`` (sources written, derived network not yet, or part of it), or ``mixed``."""
    changed = {g for g in set(before) | set(after) if before.get(g, 0) != after.get(g, 0)}
    done = {g for g in changed if now.get(g, 0) == after.get(g, 0)}
    if not done:
        return "before"
    if done == changed:
        return "after"
    sources = {g for g in changed if not g.startswith(network)}
    if sources and sources <= done:
        return "stale"
    return "mixed"


def kept_quads(before: Path, after: Path) -> list[ox.Quad]:
    """The statements of the store at ``before`` that the complete write (the store at ``after``) kept."""
    with OxigraphStore(before, read_only=True) as old, OxigraphStore(after, read_only=True) as new:
        return [quad for quad in old.quads() if quad in new.raw and not _reserved(quad)]


def quads_outside(path: Path, graphs: set[str]) -> list[ox.Quad]:
    """The data statements of the store at ``path`` in graphs other than ``graphs`` (what a write to them keeps)."""
    with OxigraphStore(path, read_only=True) as store:
        return [q for q in store.quads() if not _reserved(q) and getattr(q.graph_name, "value", "") not in graphs]


def _reserved(quad: ox.Quad) -> bool:
    return getattr(quad.graph_name, "value", "").startswith(RESERVED)


def lost(path: Path, kept: list[ox.Quad], *, read_only: bool = True, exempt: str | None = None) -> int:
    """How many of ``kept`` the store at ``path`` no longer holds (in graphs not named ``exempt...``)."""
    with OxigraphStore(path, read_only=read_only) as store:
        return sum(
            1
            for quad in kept
            if quad not in store.raw and not (exempt and getattr(quad.graph_name, "value", "").startswith(exempt))
        )
