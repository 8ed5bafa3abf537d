"""The materialised collaboration network, derived from the publications in the store, and its index.

Links live in derived graphs (the system of record, what SPARQL users see): one per publication
year (``graph/network/2017``) and one over all years (``graph/network/all``), whose links carry
their first and last year. The same year links are kept as NumPy columns beside the store
(``graph.links.index``), which the network questions read (``graph.explore``): any window is
summed there from its years. (Earlier versions also wrote a graph per five-year period, to answer
windows in SPARQL; the index made them useless, and at 1,000,000 works they were a third of the
network's statements. A load removes them from an older store.)

How a work counts, for the year it was published:

- its affiliated institutions S are expanded with their ancestors (``org:subOrganizationOf``, of
  which ``kg:supervisingBody`` is a sub-property) valid that year, giving E; each organisation of
  E counts once per work, whatever the number of its labs on the byline (once per level);
- two organisations x, y of E are linked when they are reached from *different* affiliations of
  S: a paper by one lab alone does not link the lab to its own CNRS, but a lab with its own
  university on the byline does, and such a link (one end an ancestor of the other) is
  ``kg:internal`` true: a mixed unit with its supervising body, not a partnership;
- an institution is linked to every country of the work other than its own;
- countries are linked pairwise;
- a work whose sources give different years (online and print) counts once, in the earliest;
- full counting adds 1 per work; fractional counting adds 1/(n-1), with n the number of distinct
  affiliations of the work (institution links), of its countries (country links), or of its
  countries other than the institution's (institution-country links).

The publication graphs are found in the store, whatever loader wrote them: the graphs that
describe themselves as ``kg:PublicationSourceGraph`` (a source sets ``SourceInfo.publications``;
see ``ontology.provenance``), and the graphs the network was last derived from, which its all-years
graph cites (``dcterms:source``). The second part keeps a graph that no longer says what it was (one
dropped, or written over HTTP without its description, or written before sources described
themselves so) among them until the network is derived without it.

How it is kept in step (``graph.writing``): a load commits its publications, then updates the
network by an increment, in bounded memory: the links of the works it changed as they count now,
minus as they counted before (``works.contributions``; a work is read by index lookups, a chunk of
works at a time). Only the pairs whose counts moved are written (``network``: a patch per graph).
When the network was stale, or the hierarchy or an organisation's country moved (a ROR load), every
work is counted again instead (``refresh_network``, also ``cnrs-kg network --refresh``).

The network records the generation of the newest publication change it was computed from
(``graph.meta``); ``network_status`` compares it with the publications' last change, so a network
left behind (a load killed between the two commits or during the patch, an update or a drop of a
publication graph over HTTP) is reported stale, and the next load or ``cnrs-kg network --refresh``
recomputes it whole. The index is only replaced once a patch has committed: until then the network
questions answer from the previous network.

The modules: ``queries`` (graph names, ``HIERARCHY`` and ``LINKS``, the one reader of the stored
links), ``rules`` (one work's links), ``works`` (a set of works' links, from the store), ``table``
(links as columns: sums, diffs), ``index`` (the columns on disk), ``network`` (status, recount,
increment, the RDF patch).
"""

from graph.links.index import LinkIndex, current_index, index_of, network_version
from graph.links.network import (
    NetworkStatus,
    graph_tables,
    load_context,
    network_status,
    publication_graphs,
    publications_generation,
    refresh_network,
    trusted_index,
    update_network,
)
from graph.links.queries import (
    ALL_YEARS,
    COUNTRY,
    HIERARCHY,
    HIERARCHY_EDGES,
    INST,
    INST_COUNTRY,
    KINDS,
    LINK_ENDS,
    LINK_SPANS,
    LINKS,
    NETWORK_KIND,
    NETWORK_PREFIX,
    hierarchy_query,
    links_query,
    network_graph,
    period_of,
)
from graph.links.rules import Hierarchy, Key, Tally, count_work, read_hierarchy
from graph.links.table import LinkTable, Nodes
from graph.links.works import Context, contributions, every_work, read_context, works_in

__all__ = [
    "ALL_YEARS",
    "COUNTRY",
    "HIERARCHY",
    "HIERARCHY_EDGES",
    "INST",
    "INST_COUNTRY",
    "KINDS",
    "LINKS",
    "LINK_ENDS",
    "LINK_SPANS",
    "NETWORK_KIND",
    "NETWORK_PREFIX",
    "Context",
    "Hierarchy",
    "Key",
    "LinkIndex",
    "LinkTable",
    "NetworkStatus",
    "Nodes",
    "Tally",
    "contributions",
    "count_work",
    "current_index",
    "every_work",
    "graph_tables",
    "hierarchy_query",
    "index_of",
    "links_query",
    "load_context",
    "network_graph",
    "network_status",
    "network_version",
    "period_of",
    "publication_graphs",
    "publications_generation",
    "read_context",
    "read_hierarchy",
    "refresh_network",
    "trusted_index",
    "update_network",
    "works_in",
]
