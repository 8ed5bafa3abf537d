"""The links the works make, read from the store one work at a time, in bounded memory.

A work's links depend on the work (its earliest year, its affiliations and countries, from every
source that states them) and on the ``Context``: the organisation hierarchy and each
organisation's country, with every organisation reconciled as one with a ROR organisation
(``graph.reconcile``: a HAL structure, an OpenAlex institution) counted as that organisation, under
the hierarchy of both. ``contributions`` counts a set of works (all of them for a recount, or
those a load changes, as they were and as they are) into a ``LinkTable``, a chunk of works at a
time: memory holds one chunk's links and the table so far, never the works.

Each work is read with index lookups (``Backend.match``), not SPARQL joins: its years, its
institutions, its countries. ``exclude`` leaves out the statements of some graphs, which is how a
load counts the works it brings as they were before it (their other sources only).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Iterable, Set, Sized
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyoxigraph as ox

from graph.backend import Backend
from graph.links.queries import KINDS
from graph.links.rules import Hierarchy, Key, Tally, count_work, read_hierarchy
from graph.links.table import LinkTable, Nodes, combine, pack, renumber
from graph.reconcile.derived import merge, same_as
from graph.store import OxigraphStore
from ontology import FABIO, KG

CHUNK = 20_000  # works counted before their links are folded into the table
PROCESSES = min(4, os.cpu_count() or 1)
PARALLEL_FROM = 50_000  # works: fewer are counted here (starting a process takes a second)
KIND_NUMBERS = {kind: number for number, kind in enumerate(KINDS)}


@dataclass
class Context:
    """What a work's links depend on besides the work itself."""

    hierarchy: Hierarchy
    home: dict[str, set[str]]  # every organisation's own country
    nodes: Nodes = field(default_factory=Nodes)
    same: dict[str, str] = field(default_factory=dict)  # reconciled: the ROR organisation an affiliation counts as

    @property
    def fingerprint(self) -> str:
        """A digest of the hierarchy (its edges with their years, its parents' lifetimes), the
        countries and the reconciled organisations: when it moves, every work may count otherwise."""
        digest = hashlib.blake2b(digest_size=16)
        for child in sorted(self.hierarchy.parents):
            for parent, start, end in sorted(self.hierarchy.parents[child], key=repr):
                digest.update(f"{child} {parent} {start} {end}\n".encode())
        for org in sorted(self.hierarchy.lifetimes):
            first, last = self.hierarchy.lifetimes[org]
            digest.update(f"existed {org} {first} {last}\n".encode())
        for org in sorted(self.home):
            digest.update(f"{org} {' '.join(sorted(self.home[org]))}\n".encode())
        for org in sorted(self.same):
            digest.update(f"same {org} {self.same[org]}\n".encode())
        return digest.hexdigest()


def read_context(store: Backend, nodes: Nodes | None = None) -> Context:
    """The hierarchy and the organisations' countries as the store holds them (one query, one scan),
    each reconciled organisation folded into its ROR organisation."""
    home: dict[str, set[str]] = defaultdict(set)
    for quad in store.match(None, KG.country):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            home[quad.subject.value].add(quad.object.value)
    hierarchy, same = read_hierarchy(store), same_as(store)
    if same:
        parents, lifetimes, home = merge(hierarchy.parents, hierarchy.lifetimes, home, same)
        hierarchy = Hierarchy(parents, lifetimes)
    return Context(hierarchy, dict(home), nodes if nodes is not None else Nodes(), same)


def _year_of(term: object) -> int | None:
    if isinstance(term, ox.Literal) and term.value[:4].isdigit():
        return int(term.value[:4])
    return None


def works_in(store: Backend, graphs: Iterable[ox.NamedNode]) -> set[str]:
    """The works the graphs date (``fabio:hasPublicationYear``)."""
    return {
        quad.subject.value
        for graph in graphs
        for quad in store.match(None, FABIO.hasPublicationYear, None, graph)
        if isinstance(quad.subject, ox.NamedNode)
    }


def every_work(store: Backend) -> list[str]:
    """Every dated work, once, in IRI order (1,000,000 IRIs hold about 130 MB)."""
    works = {
        q.subject.value for q in store.match(None, FABIO.hasPublicationYear) if isinstance(q.subject, ox.NamedNode)
    }
    return sorted(works)


def work_objects(store: Backend, work: ox.NamedNode, predicate: ox.NamedNode, exclude: Set[str]) -> set[str]:
    return {
        quad.object.value
        for quad in store.match(work, predicate)
        if isinstance(quad.object, ox.NamedNode) and quad.graph_name.value not in exclude  # type: ignore[union-attr]
    }


def earliest_year(store: Backend, work: ox.NamedNode, exclude: Set[str]) -> int | None:
    years = [
        when
        for quad in store.match(work, FABIO.hasPublicationYear)
        if quad.graph_name.value not in exclude  # type: ignore[union-attr]
        and (when := _year_of(quad.object)) is not None
    ]
    return min(years) if years else None


def contributions(
    store: Backend, works: Iterable[str], context: Context, *, exclude: Set[str] = frozenset(), sign: int = 1
) -> LinkTable:
    """The year links ``works`` make, each counted ``sign`` times (-1: to take them away), without the
    statements of the graphs ``exclude``.

    Many works in a store on disk are counted by ``PROCESSES`` processes at once, each on its share
    and its own read-only view of the store (committed, as this process sees it): counting is
    Python, one core per process.
    """
    path = getattr(store, "path", None)
    if isinstance(works, Sized) and len(works) >= PARALLEL_FROM and path is not None and PROCESSES > 1:
        return _in_processes(str(path), list(works), context, exclude, sign)
    return _count(store, works, context, exclude=exclude, sign=sign)


def _count(
    store: Backend, works: Iterable[str], context: Context, *, exclude: Set[str] = frozenset(), sign: int = 1
) -> LinkTable:
    tables: list[LinkTable] = []
    chunk: dict[int, dict[Key, Tally]] = defaultdict(dict)
    counted = 0
    for iri in works:
        work = ox.NamedNode(iri)
        when = earliest_year(store, work, exclude)
        if when is None:
            continue
        affiliations = {
            context.same.get(org, org) for org in work_objects(store, work, KG.affiliatedInstitution, exclude)
        }
        countries = work_objects(store, work, KG.affiliatedCountry, exclude)
        count_work(chunk[when], when, affiliations, countries, context.home, context.hierarchy)
        counted += 1
        if counted % CHUNK == 0:
            tables = [combine([*tables, _table(chunk, context.nodes, sign)])]
            chunk = defaultdict(dict)
    return combine([*tables, _table(chunk, context.nodes, sign)])


def _share(path: str, works: list[str], exclude: frozenset[str], sign: int) -> tuple[list[str], LinkTable]:
    """In a counting process: the links of a share of the works, numbered in a register of its own."""
    with OxigraphStore(path, read_only=True) as store:
        context = read_context(store)
        table = _count(store, works, context, exclude=exclude, sign=sign)
    return context.nodes.iris, table


def _in_processes(path: str, works: list[str], context: Context, exclude: Set[str], sign: int) -> LinkTable:
    """``_count`` over ``PROCESSES`` shares of the works, renumbered into ``context.nodes``."""
    shares = [works[i::PROCESSES] for i in range(PROCESSES)]
    spawn = multiprocessing.get_context("spawn")  # not fork: the store's threads do not survive it
    with ProcessPoolExecutor(PROCESSES, mp_context=spawn) as pool:
        done = list(pool.map(_share, [path] * PROCESSES, shares, [frozenset(exclude)] * PROCESSES, [sign] * PROCESSES))
    tables = []
    for iris, table in done:
        numbers = np.array([context.nodes.id(iri) for iri in iris], dtype=np.int64)
        tables.append(LinkTable(renumber(table.keys, numbers), table.full, table.fractional, table.internal))
    return combine(tables)


def _table(chunk: dict[int, dict[Key, Tally]], nodes: Nodes, sign: int) -> LinkTable:
    keys: list[int] = []
    full: list[int] = []
    fractional: list[float] = []
    internal: list[bool] = []
    for when, links in chunk.items():
        for (kind, a, b), tally in links.items():
            keys.append(pack(when, KIND_NUMBERS[kind], nodes.id(a), nodes.id(b)))
            full.append(sign * tally.full)
            fractional.append(sign * tally.fractional)
            internal.append(tally.internal)
    return LinkTable.of(keys, full, fractional, internal)
