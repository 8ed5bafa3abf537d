"""The reconciliation graph (``graph/reconciliation/ror``): the matches as RDF, and what the network
reads back from it.

For each match (automatic or confirmed), the statement the network counts by:

- ``<source> skos:exactMatch <ror>``: one organisation; or
- ``<source> org:subOrganizationOf <ror>`` (and its inverse): the source is a unit of it, which the
  hierarchy climbs as it climbs a lab's parents;

and a ``kg:OrganisationMatch`` that says why (``kg:matchSource``, ``kg:matchTarget``,
``kg:matchRelation``, ``kg:matchScore``, ``kg:matchMethod``, ``kg:matchEvidence``,
``kg:matchDecision``, a person's ``skos:note``). A rejected pair of the curated file is kept as a
``kg:OrganisationMatch`` only (decision ``rejected``, no statement), so that a later run, within a
load, knows a person's decisions from the store (``curations``). The graph describes itself like
every graph (``describe_source``), citing the graphs it was derived from and the rules it was made
by (``RULES``, which name the thresholds of ``graph.reconcile.match``).

``same_as`` reads the exact matches back (one index lookup), and ``merge`` folds them into the
organisation hierarchy and countries the network counts by (``graph.links.works``): nothing here
imports ``graph.links``, which imports this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence

import pyoxigraph as ox

from graph.backend import Backend
from graph.reconcile.match import MARGIN, THRESHOLD, Candidate, Curation, Decision, Relation, Status
from ontology import KG, ORG, RDF, SKOS, XSD, iris
from ontology.provenance import SourceInfo

KIND = "reconciliation"
NAME = "ror"
GRAPH = iris.source_graph(KIND, NAME)
RULES = "https://w3id.org/cnrs-kg/rules/reconciliation/1"
# A match's IRI, from its two ends (``ontology.iris`` mints the entities of the sources; a match is
# derived, named like a collaboration link by a digest of its ends).
MATCH_BASE = iris.ID + "match/ror/"
AUTOMATIC, CONFIRMED, REJECTED = "automatic", "confirmed", "rejected"

Edge = tuple[str, int | None, int | None]  # parent, first and last year the edge holds
Span = tuple[int | None, int | None]


def match_iri(source: str, ror: str) -> ox.NamedNode:
    digest = hashlib.blake2b(f"{source} {ror}".encode(), digest_size=10).hexdigest()
    return ox.NamedNode(MATCH_BASE + digest)


def info(retrieved: str, cited: Sequence[str]) -> SourceInfo:
    """The graph's description: derived, CC BY like the network, dated by the newest source it read."""
    return SourceInfo(
        kind=KIND,
        name=NAME,
        title="Organisations of the publication sources reconciled with ROR (derived)",
        origin="derived by cnrs-kg from the publication graphs and the ROR records (graph.reconcile)",
        retrieved=retrieved,
        license="https://creativecommons.org/licenses/by/4.0/",
        description="HAL structures and OpenAlex institutions without a ROR id, matched with ROR organisations "
        "by their names, acronyms and countries: skos:exactMatch for one organisation, org:subOrganizationOf "
        "for a unit of one, each with a kg:OrganisationMatch (score, method, evidence, decision); matched "
        f"at a score of {THRESHOLD} or more with the runner-up {MARGIN} lower, or as a person decided in the "
        "curated file.",
        cited=tuple(cited),
        conforms_to=RULES,
    )


def triples(decisions: Iterable[Decision], curations: Mapping[tuple[str, str], Curation]) -> Iterator[ox.Triple]:
    """The statements and matches of the decisions, and the rejected pairs of ``curations``."""
    for decision in decisions:
        if decision.status is Status.MATCHED and decision.chosen is not None:
            source, chosen = decision.source.iri, decision.chosen
            yield from _match(source, chosen, CONFIRMED if decision.confirmed else AUTOMATIC)
            curation = curations.get((source, chosen.ror))
            if curation is not None and curation.note:
                yield ox.Triple(match_iri(source, chosen.ror), SKOS.note, ox.Literal(curation.note))
    for curation in sorted(curations.values(), key=lambda c: (c.source, c.ror)):
        if not curation.confirmed:
            yield from _rejected(curation)


def _match(source: str, chosen: Candidate, decided: str) -> Iterator[ox.Triple]:
    s, o = ox.NamedNode(source), ox.NamedNode(chosen.ror)
    relation = SKOS.exactMatch if chosen.relation is Relation.EXACT else ORG.subOrganizationOf
    yield ox.Triple(s, relation, o)
    if chosen.relation is Relation.PART:
        yield ox.Triple(o, ORG.hasSubOrganization, s)
    m = match_iri(source, chosen.ror)
    yield ox.Triple(m, RDF.type, KG.OrganisationMatch)
    yield ox.Triple(m, KG.matchSource, s)
    yield ox.Triple(m, KG.matchTarget, o)
    yield ox.Triple(m, KG.matchRelation, relation)
    yield ox.Triple(m, KG.matchScore, ox.Literal(_decimal(chosen.score), datatype=XSD.decimal))
    yield ox.Triple(m, KG.matchMethod, ox.Literal(chosen.method.value))
    yield ox.Triple(m, KG.matchEvidence, ox.Literal(chosen.evidence))
    yield ox.Triple(m, KG.matchDecision, ox.Literal(decided))


def _decimal(value: float) -> str:
    """A score in the canonical form the store keeps an xsd:decimal in, so a rewrite changes nothing.

    >>> _decimal(1.0), _decimal(0.95), _decimal(0.0)
    ('1', '0.95', '0')
    """
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def _rejected(curation: Curation) -> Iterator[ox.Triple]:
    m = match_iri(curation.source, curation.ror)
    relation = SKOS.exactMatch if curation.relation is Relation.EXACT else ORG.subOrganizationOf
    yield ox.Triple(m, RDF.type, KG.OrganisationMatch)
    yield ox.Triple(m, KG.matchSource, ox.NamedNode(curation.source))
    yield ox.Triple(m, KG.matchTarget, ox.NamedNode(curation.ror))
    yield ox.Triple(m, KG.matchRelation, relation)
    yield ox.Triple(m, KG.matchDecision, ox.Literal(REJECTED))
    if curation.note:
        yield ox.Triple(m, SKOS.note, ox.Literal(curation.note))


# -- read back ---------------------------------------------------------------------------------------


def same_as(store: Backend) -> dict[str, str]:
    """Each organisation matched as one with a ROR organisation, and that organisation (one lookup)."""
    return {
        quad.subject.value: quad.object.value
        for quad in store.match(None, SKOS.exactMatch, None, GRAPH)
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode)
    }


def curations(store: Backend) -> dict[tuple[str, str], Curation]:
    """The decisions of a person that the graph keeps (confirmed and rejected), by (source, ROR IRI)."""
    found: dict[tuple[str, str], Curation] = {}
    for quad in store.match(None, KG.matchDecision, None, GRAPH):
        decided = quad.object.value if isinstance(quad.object, ox.Literal) else ""
        if decided not in (CONFIRMED, REJECTED) or not isinstance(quad.subject, ox.NamedNode):
            continue
        m = quad.subject
        source, ror = _one(store, m, KG.matchSource), _one(store, m, KG.matchTarget)
        relation = _one(store, m, KG.matchRelation)
        if source is None or ror is None:
            continue
        kind = Relation.PART if relation == ORG.subOrganizationOf.value else Relation.EXACT
        note = _one(store, m, SKOS.note) or ""
        found[(source, ror)] = Curation(source, ror, decided == CONFIRMED, kind, note, f"the store ({GRAPH.value})")
    return found


def _one(store: Backend, subject: ox.NamedNode, predicate: ox.NamedNode) -> str | None:
    for quad in store.match(subject, predicate, None, GRAPH):
        if isinstance(quad.object, ox.NamedNode | ox.Literal):
            return quad.object.value
    return None


# -- the network's view ------------------------------------------------------------------------------


def merge(
    parents: Mapping[str, list[Edge]],
    lifetimes: Mapping[str, Span],
    home: Mapping[str, set[str]],
    same: Mapping[str, str],
) -> tuple[dict[str, list[Edge]], dict[str, Span], dict[str, set[str]]]:
    """The hierarchy, lifetimes and countries with every matched organisation folded into its ROR
    organisation: its parents become the ROR organisation's too, its children climb to the ROR
    organisation, and the lifetime is the widest either states (as for one body that two sources date)."""
    merged_parents: dict[str, list[Edge]] = {}
    for child, edges in parents.items():
        mine = same.get(child, child)
        held = merged_parents.setdefault(mine, [])
        for parent, start, end in edges:
            edge = (same.get(parent, parent), start, end)
            if edge[0] != mine and edge not in held:
                held.append(edge)
    merged_lifetimes: dict[str, Span] = {}
    for org, span in lifetimes.items():
        key = same.get(org, org)
        merged_lifetimes[key] = _widest(merged_lifetimes[key], span) if key in merged_lifetimes else span
    merged_home: dict[str, set[str]] = {}
    for org, countries in home.items():
        merged_home.setdefault(same.get(org, org), set()).update(countries)
    return merged_parents, merged_lifetimes, merged_home


def _widest(a: Span, b: Span) -> Span:
    """From the earliest start to the latest end that either states."""
    firsts = [year for year in (a[0], b[0]) if year is not None]
    lasts = [year for year in (a[1], b[1]) if year is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)
