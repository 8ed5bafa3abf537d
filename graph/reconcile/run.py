"""A reconciliation run over the store: the organisations to match, the ROR records, the decisions,
and the reconciliation graph they make (``Outcome``).

``reconcile`` reads the store and decides; it writes nothing. ``Outcome.source`` is the graph to
write, as any ``graph.writing.Source``: ``cnrs-kg reconcile`` writes it with ``write_sources``
(which then brings the network up to date), and ``after_load`` brings it up to date within a
load, after the sources are written and before the network is counted. A person's decisions come
from the curated file when one is given, else from the graph itself (those the last run kept), so
that a load respects them without reading the file again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.backend import Backend, GraphChange, GraphContent, Queryable
from graph.reconcile import derived, profiles
from graph.reconcile.match import Curation, Decision, Matcher, Relation, Status, decide_all
from graph.reconcile.profiles import Profile
from graph.sparql import PROLOGUE, bind, named_nodes
from ontology.provenance import SourceInfo, describe_source

log = logging.getLogger("cnrs_kg.reconcile")

# The retrieval date of each of the graphs ?g.
RETRIEVED = PROLOGUE + "SELECT ?g ?d WHERE { VALUES ?g { __GRAPHS__ } GRAPH ?g { ?g prov:generatedAtTime ?d } }"


@dataclass(frozen=True)
class Outcome:
    """The decisions of one run, the person's decisions it respected, and the graphs it read."""

    decisions: list[Decision]
    curations: dict[tuple[str, str], Curation] = field(default_factory=dict)
    cited: list[str] = field(default_factory=list)
    retrieved: str = "1970-01-01"

    def count(self, status: Status) -> int:
        return sum(1 for decision in self.decisions if decision.status is status)

    @property
    def confirmed(self) -> int:
        return sum(1 for decision in self.decisions if decision.confirmed)

    @property
    def units(self) -> int:
        """Matched as a unit of their ROR organisation (``org:subOrganizationOf``)."""
        return sum(1 for d in self.decisions if d.chosen is not None and d.chosen.relation is Relation.PART)

    @property
    def info(self) -> SourceInfo:
        return derived.info(self.retrieved, self.cited)

    @property
    def triples(self) -> Iterable[ox.Triple]:
        return derived.triples(self.decisions, self.curations)

    @property
    def empty(self) -> bool:
        """Nothing to state: no organisation to reconcile, and no decision of a person to keep."""
        return not self.decisions and not self.curations

    def content(self) -> GraphContent:
        """The graph's full new content: its description and matches, or nothing when there is none."""
        if self.empty:
            return GraphContent(derived.GRAPH, [])
        return GraphContent(derived.GRAPH, [*describe_source(self.info), *self.triples])

    def summary(self) -> str:
        """One line: how many were matched (confirmed, as units), ambiguous, unmatched.

        >>> Outcome([]).summary()  # doctest: +NORMALIZE_WHITESPACE
        '0 organisations without a ROR id: 0 matched (0 confirmed, 0 as units of their organisation),
         0 ambiguous, 0 unmatched'
        """
        return (
            f"{len(self.decisions)} organisations without a ROR id: {self.count(Status.MATCHED)} matched "
            f"({self.confirmed} confirmed, {self.units} as units of their organisation), "
            f"{self.count(Status.AMBIGUOUS)} ambiguous, {self.count(Status.UNMATCHED)} unmatched"
        )


def reconcile(store: Backend, curations: dict[tuple[str, str], Curation] | None = None) -> Outcome:
    """Decide every organisation of the publication graphs without a ROR id; ``curations``: a person's
    decisions (None: those the reconciliation graph keeps)."""
    kept = derived.curations(store) if curations is None else dict(curations)
    sources = profiles.sources(store)
    known = {source.iri for source in sources}
    # A confirmed pair whose organisation no publication names (yet) is kept: a later load may bring it.
    sources += [Profile(iri, ()) for iri in sorted({src for (src, _), c in kept.items() if c.confirmed} - known)]
    if not sources and not kept:
        return Outcome([])
    matcher = Matcher(profiles.ror_records(store) if sources else [])
    decisions = decide_all(matcher, sources, kept)
    cited = _cited(matcher, decisions)
    outcome = Outcome(decisions, kept, cited, _retrieved(store, cited))
    log.info("reconciled: %s", outcome.summary())
    return outcome


def _cited(matcher: Matcher, decisions: Iterable[Decision]) -> list[str]:
    """The graphs a run derives from: those naming an organisation to reconcile, and the ROR graphs of
    the records matched. Only those: a load of works whose institutions all have a ROR id (most of
    OpenAlex) leaves the graph as it was, so the load stays one transaction of sources."""
    cited: set[str] = set()
    for decision in decisions:
        cited |= decision.source.graphs
        record = matcher.records.get(decision.chosen.ror) if decision.chosen is not None else None
        cited |= record.graphs if record is not None else frozenset()
    return sorted(cited)


def _retrieved(store: Queryable, graphs: Sequence[str]) -> str:
    """The newest retrieval date of ``graphs``: deterministic, so an unchanged run rewrites nothing."""
    result = store.query(bind(RETRIEVED, GRAPHS=named_nodes(graphs)))
    assert isinstance(result, ox.QuerySolutions)
    dates = [row["d"].value[:10] for row in result if isinstance(row["d"], ox.Literal)]
    return max(dates, default="1970-01-01")


def after_load(store: Backend, kinds: Sequence[str]) -> list[GraphChange]:
    """Bring the reconciliation graph up to date after a load of sources of ``kinds`` (not after a
    write of the reconciliation graph itself): the new organisations matched, the new ROR records
    candidates, a person's decisions kept. Also after a load that changed nothing: a load killed
    before this step left the graph behind, and the next one brings it up to date."""
    if all(kind == derived.KIND for kind in kinds):
        return []
    outcome = reconcile(store)
    if outcome.empty and not any(True for _ in store.match(None, None, None, derived.GRAPH)):
        return []  # nothing to state, nothing stated before: no write at all
    return store.replace_graphs([outcome.content()])
