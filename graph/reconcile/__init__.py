"""Reconciliation: the organisations that publication sources name without a ROR id (HAL structures,
OpenAlex institutions without ``ror``) matched with the ROR organisations of the store, so that one
organisation is one node of the network.

How it matches (``match``, after ROR's own affiliation matching): candidates retrieved by the rare
words and acronyms of the names, in the organisation's country; each scored with rapidfuzz over
names folded (``names``: accents, case, joining words, legal forms such as SA or GmbH, bracketed
qualifiers), in every language ROR gives, with acronyms and numbers weighed in; a country that
differs excludes. A match is made when the best score is at least 0.9 and the runner-up at least
0.05 lower; a unit named after its organisation ("Biomérieux SA - R&D Proteom") is matched as a
*part* of it. A person's decisions (``curated``: confirmed, rejected) override the scores.

What it makes (``derived``): the graph ``graph/reconciliation/ror``, described with PROV and DCTERMS
like every graph, with ``skos:exactMatch`` (one organisation) or ``org:subOrganizationOf`` (a unit)
and a ``kg:OrganisationMatch`` per match (score, method, evidence, decision). The network reads
it (``graph.links.works``): an affiliation counts as the ROR organisation it is matched with, under
the hierarchy of both, and a match that moves changes the hierarchy's fingerprint, so the network
is counted again.

When it runs (``run``): ``cnrs-kg reconcile`` (with a curated file, and a report of the ambiguous
and weaker candidates for a person: ``report``), and within every load (``graph.writing``), after
the sources are written and before the network is counted.

The modules: ``names``, ``profiles`` (what is compared, read from the store), ``match``,
``curated``, ``derived``, ``report``, ``run``.
"""

from graph.reconcile.curated import CuratedError, Curations, read_curated
from graph.reconcile.derived import GRAPH, KIND, RULES, same_as
from graph.reconcile.match import (
    MARGIN,
    THRESHOLD,
    Candidate,
    Curation,
    Decision,
    Matcher,
    Method,
    Relation,
    Status,
)
from graph.reconcile.profiles import Profile, ror_records, sources
from graph.reconcile.report import write_report
from graph.reconcile.run import Outcome, after_load, reconcile

__all__ = [
    "GRAPH",
    "KIND",
    "MARGIN",
    "RULES",
    "THRESHOLD",
    "Candidate",
    "CuratedError",
    "Curation",
    "Curations",
    "Decision",
    "Matcher",
    "Method",
    "Outcome",
    "Profile",
    "Relation",
    "Status",
    "after_load",
    "read_curated",
    "reconcile",
    "ror_records",
    "same_as",
    "sources",
    "write_report",
]
