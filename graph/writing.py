"""Writing sources into the store: each source's graph replaced atomically, the ontology kept current.

``write_sources`` takes any ``Source``: a ``SourceInfo`` (``ontology.provenance``) and the triples
of its graph. A loader's ``SourceData`` is one as it is, so ``graph`` needs nothing of
``loaders``. A source says itself whether it holds publications (``SourceInfo.publications``); its
graph then describes itself as a ``kg:PublicationSourceGraph``, which is how ``graph.links`` finds
the graphs the collaboration network is derived from, now and in a later ``cnrs-kg network --refresh``.

A load commits its sources in one transaction, then brings the reconciliation of the organisations
with ROR up to date (``graph.reconcile``: new organisations matched, new ROR records candidates),
then, if publications changed, brings the collaboration network derived from them up to date
(``graph.links``): by an increment when the network was current and the hierarchy did not move
(the works the load changed, counted as they were before it and as they are after), else by
counting every work again. A large file's statements are made in another process while the store
loads them (``graph.produce``); what counting reads of its works is then taken as they pass
(``graph.links.tapped``), so the works that no other graph states are counted without being read
back. The network is
computed from the store, so it needs the new publications committed first, and it is written in
bounded chunks after them. It records the generation of the publications it derives from
(``graph.meta``): a load killed before the network is written leaves a network that ``cnrs-kg
stats`` and ``/health`` report stale (``graph.links.network_status``), and the next load or
``cnrs-kg network --refresh`` recomputes it whole.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from graph.links import (
    LinkTable,
    contributions,
    load_context,
    network_status,
    read_context,
    refresh_network,
    trusted_index,
    update_network,
    works_in,
)
from graph.links.table import combine
from graph.links.tapped import Tap, TappedFacts, stated_elsewhere
from graph.produce import Described, Spawnable
from graph.reconcile import after_load
from graph.store import Backend, GraphChange, GraphContent
from ontology import ONTOLOGY_GRAPH, ONTOLOGY_IRI, ONTOLOGY_PATH
from ontology.provenance import SourceInfo, describe_source


class Source(Protocol):
    """One source to write: its description, and the complete content of its graph (read once)."""

    @property
    def info(self) -> SourceInfo: ...

    @property
    def triples(self) -> Iterable[ox.Triple]: ...


log = logging.getLogger("cnrs_kg.writing")

SKOLEM_BASE = ONTOLOGY_IRI + "/.well-known/genid/"


def ontology_triples() -> Iterator[ox.Triple]:
    """The ontology, its blank nodes skolemised by order of appearance, so reloading changes nothing."""
    names: dict[str, ox.NamedNode] = {}

    def skolem(term: ox.BlankNode) -> ox.NamedNode:
        return names.setdefault(term.value, ox.NamedNode(f"{SKOLEM_BASE}{len(names) + 1}"))

    for quad in ox.parse(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE):
        subject = skolem(quad.subject) if isinstance(quad.subject, ox.BlankNode) else quad.subject
        obj = skolem(quad.object) if isinstance(quad.object, ox.BlankNode) else quad.object
        yield ox.Triple(subject, quad.predicate, obj)


def _content(source: Source, taps: list[Tap], folder: Path) -> GraphContent:
    """A source's graph: its description, then its statements (also made apart, if it says how; what
    counting reads of a publication source's works is then tapped as they are made)."""
    producer = source.producer if isinstance(source, Spawnable) else None
    if producer is not None:
        producer = Described(tuple(describe_source(source.info)), producer)
        if source.info.publications:
            tap = Tap(producer, str(folder / f"{len(taps)}.facts"))
            taps.append(tap)
            producer = tap
    return GraphContent(source.info.graph, chain(describe_source(source.info), source.triples), producer)


def _tapped(known: Sequence[TappedFacts]) -> None:
    if known:
        log.info("works counted from their statements as written: %d", sum(len(facts.taken) for facts in known))


def write_sources(store: Backend, sources: Sequence[Source], *, with_ontology: bool = True) -> list[GraphChange]:
    """Replace the graph of every source (its description, then its triples) and the ontology graph
    in one transaction.

    Raises before anything is written if a source fails while its triples are produced. Then the
    reconciliation with ROR (``graph.reconcile.after_load``), then the collaboration network are
    brought up to date (see the module docstring): the network by an increment after a publication
    source (``info.publications``) changed, by a recount when the network was stale or the hierarchy
    (or a match) moved.
    """
    with tempfile.TemporaryDirectory(prefix="cnrs-kg-load-") as folder:
        return _write(store, sources, with_ontology, Path(folder))


def _write(store: Backend, sources: Sequence[Source], with_ontology: bool, folder: Path) -> list[GraphChange]:
    taps: list[Tap] = []
    contents = [_content(source, taps, folder) for source in sources]
    if with_ontology:
        contents.insert(0, GraphContent(ONTOLOGY_GRAPH, ontology_triples()))
    publications = [source.info.graph for source in sources if source.info.publications]
    replaced = {graph.value for graph in publications}
    index = trusted_index(store)  # the network as the RDF holds it, if current
    before = load_context(index, store)
    old_works = works_in(store, publications) if index is not None else set()
    # What the works of the replaced graphs count now, to take away once they are replaced.
    taken = contributions(store, old_works, before, sign=-1) if old_works else LinkTable()
    changes = store.replace_graphs(contents)
    log.info("sources written: %d graphs", len(changes))
    # Before the network is counted: a new match moves the fingerprint of `after`, and every work counts again.
    changes += after_load(store, [source.info.kind for source in sources])
    published = bool(replaced & {change.graph for change in changes if change.changed})
    after = read_context(store, before.nodes)
    moved = after.fingerprint != before.fingerprint  # the hierarchy, or an organisation's country
    # One new publication graph written apart: what counting reads of its works is in its tap.
    # A work in two new graphs would be in two taps: with several, each work is read from the store.
    tapped = [tap for tap in taps if tap.complete] if len(publications) == 1 else []
    known = [TappedFacts(Path(tap.path), stated_elsewhere(store, replaced)) for tap in tapped]
    if index is None:
        status = network_status(store)
        if published or status.stale or (moved and status.derived_from is not None):
            changes += refresh_network(store, known=known)
            _tapped(known)
        return changes
    if moved:
        changes += refresh_network(store, index, known=known)
        _tapped(known)
        return changes
    if not published:
        return changes
    new_works = works_in(store, publications)
    arrived = new_works - old_works  # as they were before: from their other sources only
    if known:  # the others had none
        arrived &= known[0].elsewhere
    increment = combine(
        [
            taken,
            contributions(store, arrived, after, exclude=replaced, sign=-1),
            contributions(store, old_works | new_works, after, known=known),
        ]
    )
    log.info("network increment counted: %d works, %d links", len(old_works | new_works), len(increment))
    _tapped(known)
    return changes + update_network(store, index, increment, after)
