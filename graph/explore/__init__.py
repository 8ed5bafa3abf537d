"""Network selections: the partners, networks, paths and trends that GraphQL, the exports and the
explorer page all show, computed once here over any ``Queryable`` (the store, or the server's pool).

Nodes are entity IRIs: institutions (``https://w3id.org/cnrs-kg/id/org/ror/02feahw73``...) and
countries (``https://w3id.org/cnrs-kg/id/country/SG``). Edge types:

- ``COPUBLICATION``: a link of the materialised network (``graph.links``) between two
  institutions, an institution and a country, or two countries. Read from the year graphs
  (``graph/network/<year>``) of the window: ``years`` holds the count of each year under the
  counting asked for, ``weight`` their sum. A link between an organisation and its own parent is
  ``internal``. Sources: the year graphs (each cites the publication graphs it derives from).
- ``INSTRUMENT``: two parties (``org:member`` of a ``kg:hasParty`` membership) of the same
  cooperation instrument. An instrument is active from its start date (its signature date when it
  has no start) to its end date; with no end date, until the year before its successor
  (``kg:predecessorInstrument``) starts, else, when it is ``kg:Ended``, until its last dated fact
  (start or renewal), else open-ended. A party's own membership dates narrow that span. An
  instrument with neither start nor signature date cannot be placed in time: it counts only when
  the window is unbounded on both sides, and has no years. ``weight``: the instruments the two
  share that are active in the window; ``years``: how many are active each year of the window, up
  to the current year. Sources: the graphs stating the memberships (the CNRS table, seed documents).
- ``HIERARCHY``: a child organisation and its parent (``org:subOrganizationOf`` or
  ``kg:supervisingBody``), ``source`` the child, valid over the child's ``schema:startDate`` /
  ``schema:endDate`` (a missing date is unbounded, as in ``graph.links``); weight 1, ``years``
  each year of the window it holds, when that can be counted. Sources: ROR, HAL or CNRS graphs.

``network()`` expands breadth-first from the seeds, ``hops`` times (0 to 3), through the edges
of the included types whose weight is at least ``min_weight`` (edges of weight 0 never count); the
nodes are the seeds and what those edges reach, and the edges are *every* edge of the included
types among them, not only those of the search tree. A node's label is its English
``skos:prefLabel``, else English ``rdfs:label``, else a preferred label without or in another
language, else any label, else ``ontology.labels.fallback_label`` ("unnamed organisation (ROR
...)"), never a bare identifier.

Node metrics, on the undirected graph: ``degree`` and ``weighted_degree`` count the typed edges;
betweenness (normalised as networkx does, counting hops: a weight is a strength, not a distance),
PageRank (by weight) and Louvain communities (fixed seed, numbered by size, the largest 0) see one
edge per pair, weighted by the sum of its typed edges; igraph computes them (``metrics``).

Cost, in SPARQL queries: one per level. A level asks the edges of every included type around a
set of nodes (their ``VALUES``), and what else it needs, as one query (``queries.batch``):

- ``network``: one per hop, then one for the edges among the outermost ring (which no hop
  reaches) and the nodes' details: ``hops + 1`` (3 for two hops); fewer when a hop reaches no one
  new. ``CostLimitExceeded`` for ``hops > 3`` or more than ``max_nodes`` nodes.
- ``partners``: one for the edges, one for the partners' details.
- ``path``: one per expansion, at most ``max_hops``; no details.
- ``trend``: one.

``field`` (``network``, ``partners``, ``trend``): a research field (``graph.links.fields``: an
OpenAlex field or a top-level HAL domain); the co-publications are then those of its works only, read
from the field's links in the index (a work counts fully in each of its fields). Instrument and
hierarchy edges have no field: they stay as they are.

Errors (``graph.errors``): ``CostLimitExceeded`` for a request over a limit; ``BadArgument`` (both
are ``ValueError``s) for a malformed IRI or argument, before any query; the store's ``QueryError`` /
``QueryTimeout`` / ``ResultTooLarge`` pass through.

A ``Selection`` (``Selection.checked``) holds the arguments of ``network`` that the HTTP export,
the explorer page and ``cnrs-kg export`` share, checked once; ``Selection.network`` refuses a seed
the store says nothing about.

The modules, one concern each. This package's ``__init__`` only names what the modules hold: the
four questions are in two modules of their own, split by what they start from (``network`` and
``partners`` expand from nodes and share the node details; ``path`` and ``trend`` take a pair):

- ``types``: the answers (``Network``, ``Node``, ``Edge``...) and their enums and ``Window``;
- ``queries``: the SPARQL parts and ``batch``, which asks a level's parts as one query;
- ``edges``: the typed edges around a set of nodes, dated and weighed from the parts' rows;
- ``metrics``: the node metrics, with igraph;
- ``neighbourhood``: ``network`` and ``partners``; ``pairs``: ``path`` and ``trend``;
- ``selection``: ``Selection`` and the checks of its arguments.
"""

from graph.explore.neighbourhood import MAX_HOPS, MAX_NODES, network, partners
from graph.explore.pairs import MAX_PATH_HOPS, path, trend
from graph.explore.selection import Selection
from graph.explore.types import (
    Counting,
    Edge,
    EdgeType,
    Metrics,
    Network,
    Node,
    Partner,
    Partners,
    Path,
    PathStep,
    Window,
)

__all__ = [
    "MAX_HOPS",
    "MAX_NODES",
    "MAX_PATH_HOPS",
    "Counting",
    "Edge",
    "EdgeType",
    "Metrics",
    "Network",
    "Node",
    "Partner",
    "Partners",
    "Path",
    "PathStep",
    "Selection",
    "Window",
    "network",
    "partners",
    "path",
    "trend",
]
