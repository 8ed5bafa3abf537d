"""The network index: every year link as NumPy columns, kept in step with the store.

The RDF links (``graph/network/<year>``...) are the system of record and what SPARQL users see.
The index is derived from the same counts and written with them by every load and refresh, into
the store's folder (``cnrs-kg-links/v<generation>/``: one ``.npy`` file per column, the node IRIs
one per line, and ``index.json`` naming the current version). Readers map the columns (``mmap``),
so the server and its workers share one copy in the page cache.

Its version is the generation at which the network graphs last changed (``network_version``); an
index of another version is not used. A reader that finds none of its version (an old store, the
network written over SPARQL) rebuilds it from the RDF links (``read_year_links``) and keeps it in
memory; a writer saves it too. ``cnrs-kg network --refresh`` rebuilds it from the publications.

Why columns and not SPARQL: a network question over 1,000,000 works reads hundreds of thousands
of year links; as SPARQL solutions that takes seconds, as array slices milliseconds (the figures
are in the README, measured by ``bench/scale.py``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyoxigraph as ox

from graph import sparql
from graph.backend import Backend, Queryable, backend_behind
from graph.errors import BadArgument
from graph.links.fields import current_field, load_fields, save_fields
from graph.links.profiles import load_profiles, save_profiles
from graph.links.queries import KIND_TERMS, KINDS, NETWORK_PREFIX, links_query
from graph.links.table import LinkTable, Nodes, pack, unpack
from graph.links.works import contributions, every_work, read_context
from ontology import KG

log = logging.getLogger("cnrs_kg.links")

INDEX_DIR = "cnrs-kg-links"
MANIFEST = "index.json"
COLUMNS = ("keys", "full", "fractional", "internal")


def network_version(store: Backend) -> int:
    """The generation at which a network graph last changed (0: never), from the bookkeeping."""
    book = store.bookkeeping()
    changes = [n for graph, n in book.changed.items() if graph.startswith(NETWORK_PREFIX)]
    return max([*changes, book.changed_all, 0])


@dataclass
class LinkIndex:
    """The year links of one version of the network, and the register of their nodes."""

    version: int
    nodes: Nodes
    years: LinkTable
    _ends: npt.NDArray[np.int64] | None = field(default=None, repr=False)
    _rows: npt.NDArray[np.int64] | None = field(default=None, repr=False)
    _columns: tuple[npt.NDArray[np.int64], ...] | None = field(default=None, repr=False)
    _fields: dict[str, LinkIndex] = field(default_factory=dict, repr=False)

    def of_field(self, iri: str) -> LinkIndex:
        """The year links of the works of one research field (``graph.links.fields``), as an index of
        the same version and register (made once per version)."""
        fields = self.years.fields
        if fields is None:
            raise BadArgument(
                "the network index holds no research fields (written before fields were counted, or rebuilt "
                "from the RDF links): run cnrs-kg network --refresh, then ask again"
            )
        found = self._fields.get(iri)
        if found is None:
            found = self._fields[iri] = LinkIndex(self.version, self.nodes, fields.get(iri, LinkTable()))
        return found

    def columns(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Every row's year, first end and second end (unpacked once per version)."""
        if self._columns is None:
            years, _, sources, targets = unpack(np.asarray(self.years.keys))
            self._columns = (years, sources, targets)
        years, sources, targets = self._columns
        return years, sources, targets

    def by_node(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Both ends of every row, sorted, and the row each comes from (built once per version)."""
        if self._ends is None or self._rows is None:
            _, sources, targets = self.columns()
            ends = np.concatenate([sources, targets])
            rows = np.concatenate([np.arange(len(sources)), np.arange(len(sources))])
            order = np.argsort(ends, kind="stable")
            self._ends, self._rows = ends[order], rows[order]
        return self._ends, self._rows

    def rows_around(self, numbers: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The rows with an end among the node numbers, in key order."""
        ends, rows = self.by_node()
        numbers = np.unique(numbers)
        low, high = np.searchsorted(ends, numbers, "left"), np.searchsorted(ends, numbers, "right")
        mask = np.zeros(len(self.years), dtype=np.bool_)  # a row may be found from both its ends
        for a, b in zip(low.tolist(), high.tolist(), strict=True):
            mask[rows[a:b]] = True
        return np.flatnonzero(mask)

    def numbers(self, iris: list[str]) -> npt.NDArray[np.int64]:
        """The numbers of the IRIs the index knows (the others have no link)."""
        found = [n for n in (self.nodes.find(iri) for iri in iris) if n is not None]
        return np.array(found, dtype=np.int64)


_CACHE: weakref.WeakKeyDictionary[object, LinkIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _folder(store: Backend) -> Path | None:
    path = getattr(store, "path", None)
    return Path(path) / INDEX_DIR if path is not None else None


def save_index(store: Backend, index: LinkIndex) -> None:
    """Write the index beside the store, then name it current; older versions are removed."""
    with _LOCK:
        _CACHE[store] = index
    folder = _folder(store)
    if folder is None or getattr(store, "read_only", False):
        return
    target = folder / f"v{index.version}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for column in COLUMNS:
        np.save(target / f"{column}.npy", np.ascontiguousarray(getattr(index.years, column)))
    ends, rows = index.by_node()  # sorted once here, mapped by every reader
    np.save(target / "ends.npy", ends)
    np.save(target / "rows.npy", rows)
    save_fields(target, index.years.fields)
    save_profiles(target, index.years.profiles)
    (target / "nodes.txt").write_text("".join(f"{iri}\n" for iri in index.nodes.iris), encoding="utf-8")
    manifest = folder / MANIFEST
    temporary = folder / f".{MANIFEST}.{os.getpid()}"
    temporary.write_text(json.dumps({"version": index.version, "folder": target.name}), encoding="utf-8")
    os.replace(temporary, manifest)
    for old in folder.glob("v*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)  # a reader that mapped it keeps its pages


def _load(store: Backend, version: int) -> LinkIndex | None:
    folder = _folder(store)
    if folder is None:
        return None
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if int(manifest["version"]) != version:
            return None
        where = folder / str(manifest["folder"])
        columns = {column: np.load(where / f"{column}.npy", mmap_mode="r") for column in (*COLUMNS, "ends", "rows")}
        iris = (where / "nodes.txt").read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError, KeyError) as exc:
        log.info("no usable network index in %s (%s)", folder, exc)
        return None
    table = LinkTable(columns["keys"], columns["full"], columns["fractional"], columns["internal"])
    table.fields = load_fields(where)
    table.profiles = load_profiles(where)
    return LinkIndex(version, Nodes.of(iris), table, _ends=columns["ends"], _rows=columns["rows"])


def current_index(store: Backend) -> LinkIndex | None:
    """The index of the network as the store holds it now, if one was written; else None."""
    version = network_version(store)
    with _LOCK:
        cached = _CACHE.get(store)
    if cached is not None and cached.version == version:
        return cached
    loaded = _load(store, version)
    if loaded is not None:
        with _LOCK:
            _CACHE[store] = loaded
    return loaded


def index_of(queries: Queryable) -> LinkIndex:
    """The index for the store behind ``queries`` (the store itself, or the pool of query workers
    over it), rebuilt from the RDF links when none of the current version is found; that of the
    research field in effect (``graph.links.fields.within``), if one is."""
    whole = _whole_index(queries)
    field = current_field()
    return whole if field is None else whole.of_field(field)


def _whole_index(queries: Queryable) -> LinkIndex:
    store = backend_behind(queries)
    if store is None:
        return LinkIndex(0, (nodes := Nodes()), read_year_links(queries, nodes))  # a plain endpoint
    found = current_index(store)
    if found is not None:
        return found
    with _building(store):  # one build at a time: a request arriving meanwhile waits for it, then takes it
        found = current_index(store)
        if found is not None:
            return found
        index = _built(queries, store)
        save_index(store, index)
    return index


def _built(queries: Queryable, store: Backend) -> LinkIndex:
    """The index of the store's network as it is now, when none was found."""
    from graph.links.network import network_status  # it imports this module

    version, nodes = network_version(store), Nodes()
    if _folder(store) is not None:
        log.warning("rebuilding the network index of version %d from the RDF links", version)
        return LinkIndex(version, nodes, read_year_links(queries, nodes))
    # An engine (``graph.remote``): no folder beside it keeps the index, and the RDF links hold no field
    # tables nor profiles. The works are counted again (what ``refresh_network`` does), 2,000 a request,
    # which gives the year links too: when the network is current they are the RDF links, read without
    # one answer of every link (at 100,000 works, longer than a query's budget).
    if not network_status(store).stale:
        log.warning("counting the network index of version %d from the works", version)
        return LinkIndex(version, nodes, contributions(store, every_work(store), read_context(store, nodes)))
    log.warning("rebuilding the network index of version %d from the RDF links (the network is stale)", version)
    index = LinkIndex(version, nodes, read_year_links(queries, nodes))
    counted = contributions(store, every_work(store), read_context(store, nodes))
    index.years.fields, index.years.profiles = counted.fields, counted.profiles
    return index


_BUILDS: weakref.WeakKeyDictionary[object, threading.Lock] = weakref.WeakKeyDictionary()


def _building(store: Backend) -> threading.Lock:
    """The store's lock of index builds."""
    with _LOCK:
        return _BUILDS.setdefault(store, threading.Lock())


def warm(store: Backend) -> None:
    """Build the store's index now if none is current (a server over an engine, at its start: the first
    network question then finds it); a failure is logged, and the first question tries again."""
    try:
        _whole_index(store)
    except Exception:  # the engine down, or a query refused: the questions will say so
        log.exception("the network index could not be built at start")


def read_links(queries: Queryable, graphs: list[ox.NamedNode] | None, span: str, nodes: Nodes) -> LinkTable:
    """The links stored in ``graphs`` (every graph when None), of a year (``span`` "year") or of
    several (``years``: with their first and last year), as a table keyed by their year, or by 0."""
    kinds = {KG.term(KIND_TERMS[kind]).value: number for number, kind in enumerate(KINDS)}
    result = queries.query(sparql.PROLOGUE + links_query("all", span, sparql.ANY if graphs is None else graphs))
    assert isinstance(result, ox.QuerySolutions)
    keys: list[int] = []
    full: list[int] = []
    fractional: list[float] = []
    internal: list[bool] = []
    first: list[int] = []
    last: list[int] = []
    for row in result:
        kind, s, t, year = row["kind"], row["s"], row["t"], row["year"]
        if not (isinstance(kind, ox.NamedNode) and isinstance(s, ox.NamedNode) and isinstance(t, ox.NamedNode)):
            continue
        number = kinds.get(kind.value)
        if number is None or year is None or not year.value[:4].isdigit():
            continue
        when = int(year.value[:4])
        keys.append(pack(when if span == "year" else 0, number, nodes.id(s.value), nodes.id(t.value)))
        full.append(int(row["full"].value))
        fractional.append(float(row["frac"].value))
        flag = row["internal"]
        internal.append(flag is not None and flag.value in ("true", "1"))
        if span != "year":
            first.append(int(row["first"].value[:4]))
            last.append(when)
    table = LinkTable.of(keys, full, fractional, internal)
    if span != "year":  # one row per link in an aggregated graph: its years as they are stored
        order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
        table.first = np.array(first, dtype=np.int64)[order]
        table.last = np.array(last, dtype=np.int64)[order]
    return table


def read_year_links(queries: Queryable, nodes: Nodes) -> LinkTable:
    """Every year link the store holds (all the year graphs)."""
    return read_links(queries, None, "year", nodes)
