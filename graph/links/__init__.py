"""The materialised collaboration network, derived from the publications in the store, and its index.

Links live in derived graphs (the system of record, what SPARQL users see): one per publication
year (``graph/network/2017``) and one over all years (``graph/network/all``), whose links carry
their first and last year. The same year links are kept as NumPy columns beside the store
(``graph.links.index``), which the network questions read (``graph.explore``): any window is
summed there from its years. (Earlier versions also wrote a graph per five-year period, to answer
windows in SPARQL; the index made them useless, and at 1,000,000 works they were a third of the
network's statements. A load removes them from an older store.)

How a work counts, for the year ``when`` it was published (its earliest, when its sources give
different years: online and print), with S its distinct affiliated institutions (n of them) and
its countries (c of them). The conventions are those of the CWTS Leiden Ranking (organisation-level
full and fractional counting) and of OpenAlex's institution lineage (an affiliation credits itself
and every body above it):

1. The hierarchy as it stood that year: an edge child -> parent (``org:subOrganizationOf``, of
   which ``kg:supervisingBody`` is a sub-property) holds in the years of the child's dates, and
   only if the parent existed that year (its own ``schema:startDate``, or ROR's establishment year,
   and ``schema:endDate``; where sources disagree, from the earliest start to the latest end). A
   body that did not exist yet, or no longer did, gets no credit through the hierarchy. An
   affiliation itself is always credited: the byline says so.
2. Levels: L0(a) = {a}; L(k+1)(a) holds the parents, valid that year, of the bodies of Lk(a), a
   body without one staying itself (a university without parents is at every level, and so is the
   CNRS, a root). The levels stop when one repeats (no longer changes; or a cycle came back).
   O(a), the organisation set of a, is every level together: a and its ancestors that year.
3. Institution ties: for each level k and each two distinct affiliations a, b, every x of
   Lk(a) - O(b) is tied to every y of Lk(b) - O(a). A tie counts once per work, however many levels
   or pairs make it. So the bodies one affiliation reaches are never tied to each other (a lab, its
   supervising bodies, its school and that school's parent are one organisation set), two
   supervising bodies of one mixed unit are not tied (co-supervision, not co-publication), and a
   tie is not counted again at each level. At level 0 two affiliations are tied even when one is
   the other's ancestor (a lab with its own university on the byline): that tie is ``kg:internal``
   true, a unit with its own supervising body, not a partnership. No other tie can be internal.
4. Institution-country links: every organisation the work credits (the union of the O(a)) is
   linked to each country of the work other than its own. Countries are linked pairwise.
5. Counting: full counting adds 1 per work to each link. Fractional counting adds
   1/(n - 1) to each institution tie (so the n(n - 1)/2 ties between the affiliations themselves
   weigh n/2: each affiliation's ties to the others weigh 1); 1/m to each institution-country
   link, m the number of the work's countries other than the institution's; 1/(c - 1) to each
   country pair (the c(c - 1)/2 pairs weigh c/2).

6. Research fields: a work counts fully in each of its fields (the OpenAlex fields and top-level
   HAL domains its sources state), by the rules above, into that field's own year links: never
   divided between its fields, so a pair's figures over several fields may add up to more than its
   figure over all works. Those field links are index-only (``fields``): the RDF network graphs are
   not split by field.

For example, a 2014 paper by a lab L (two parents: the CNRS and a university U) with a university
V without parents makes the ties L-V at level 0, then CNRS-V and U-V at level 1, each 1 (full) and
1 (fractional, n = 2); never L-CNRS, L-U or CNRS-U. Had U been created in 2016, U would get nothing
from this paper. The README's "How co-publications are counted" works a longer example.

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
When the network was stale, or the hierarchy (an edge, the years it holds, a parent's dates) or an
organisation's country moved (a ROR or HAL load: ``Context.fingerprint``), every work is counted
again instead, in the same load (``refresh_network``, also ``cnrs-kg network --refresh``).

The network records the generation of the newest publication change it was computed from
(``graph.meta``); ``network_status`` compares it with the publications' last change, so a network
left behind (a load killed between the two commits or during the patch, an update or a drop of a
publication graph over HTTP) is reported stale, and the next load or ``cnrs-kg network --refresh``
recomputes it whole. The index is only replaced once a patch has committed: until then the network
questions answer from the previous network.

The modules: ``queries`` (graph names, ``HIERARCHY`` and ``LINKS``, the one reader of the stored
links), ``rules`` (one work's links), ``works`` (a set of works' links, from the store), ``table``
(links as columns: sums, diffs), ``index`` (the columns on disk), ``fields`` (the links of each
research field, beside them), ``network`` (status, recount, increment, the RDF patch).
"""

from graph.links.index import LinkIndex, current_index, index_of, network_version, warm
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
    "warm",
    "works_in",
]
