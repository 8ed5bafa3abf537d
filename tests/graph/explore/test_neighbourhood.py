"""Networks and partners over the bundled data: the CNRS's instrument partners, co-publications,
hierarchy, limits, query cost and metrics."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pyoxigraph as ox
import pytest

from graph import BadArgument, CostLimitExceeded, OxigraphStore, explore
from graph.explore import Counting, EdgeType, Window, network, partners
from graph.explore.types import Level
from tests.counting import CountingQueryable
from tests.graph.explore.bundled import (
    ASTAR,
    CEA,
    CERTOP,
    CNRS,
    CNRS_GRAPH,
    FRANCE,
    GRAPH,
    ID,
    LE2I,
    LIX,
    MAHIDOL,
    NORWAY,
    NTU,
    NUS,
    SEED_003,
    SFU,
    SORBONNE,
    TAYLORS,
    THALES,
    US,
    UW,
    VAST,
    edge_between,
    instrument,
)

# --- network: instruments ------------------------------------------------------------------------


def test_one_hop_instrument_network_of_the_cnrs_holds_its_singapore_irl_partners(bundled: OxigraphStore) -> None:
    net = network(bundled, [CNRS], include=[EdgeType.INSTRUMENT])
    nodes = {n.iri: n for n in net.nodes}
    assert {NUS, NTU, ASTAR, THALES, VAST, MAHIDOL} <= set(nodes)
    assert nodes[CNRS].seed
    assert nodes[CNRS].hops == 0
    assert nodes[CNRS].label == "Centre National de la Recherche Scientifique"
    nus = nodes[NUS]
    assert (nus.label, nus.country, nus.ror, nus.region, nus.hops, nus.kind) == (
        "National University of Singapore",
        "SG",
        "01tgyzw49",
        "Asia",
        1,
        "institution",
    )
    with_nus = edge_between(net, CNRS, NUS, EdgeType.INSTRUMENT)
    assert with_nus.instruments == [instrument("irl-bmc2"), instrument("irl-ipal"), instrument("irl-majulab")]
    assert with_nus.weight == 3
    assert with_nus.first_year == 2007  # IPAL became a UMI in January 2007
    assert with_nus.last_year == dt.date.today().year  # still active: counted up to this year
    assert with_nus.years[2010] == 1
    assert with_nus.years[2015] == 3
    assert with_nus.sources == [CNRS_GRAPH]
    # The agreement with NTU is stated by a seed document as well as by the CNRS table.
    assert edge_between(net, CNRS, NTU, EdgeType.INSTRUMENT).sources == [CNRS_GRAPH, SEED_003]


def test_edges_among_partners_are_returned_not_only_those_of_the_seed(bundled: OxigraphStore) -> None:
    net = network(bundled, [CNRS], include=[EdgeType.INSTRUMENT])
    between = edge_between(net, NUS, NTU, EdgeType.INSTRUMENT)  # both 1 hop away, partners in MajuLab
    assert between.instruments == [instrument("irl-majulab")]


def test_min_weight_keeps_only_heavier_edges(bundled: OxigraphStore) -> None:
    net = network(bundled, [CNRS], include=[EdgeType.INSTRUMENT], min_weight=2)
    assert {n.iri for n in net.nodes} == {CNRS, NUS, NTU, VAST}
    assert net.edges
    assert all(e.weight >= 2 for e in net.edges)


def test_window_drops_instruments_not_active_then(bundled: OxigraphStore) -> None:
    net = network(bundled, [CNRS], include=[EdgeType.INSTRUMENT], window=Window(2000, 2005))
    nodes = {n.iri for n in net.nodes}
    assert NUS not in nodes  # IPAL (2007), MajuLab (2014) and BMC2 (2014) all came later
    assert MAHIDOL not in nodes
    assert all(instrument("irl-majulab") not in e.instruments for e in net.edges)
    with_ntu = edge_between(net, CNRS, NTU, EdgeType.INSTRUMENT)
    assert with_ntu.instruments == [instrument("agreement-ntu")]  # signed 22 September 2005
    assert with_ntu.years == {2005: 1.0}
    assert all(2000 <= year <= 2005 for e in net.edges for year in e.years)


def test_an_instrument_ends_when_its_successor_starts(bundled: OxigraphStore) -> None:
    # The 1977 CNSTV accord is the predecessor of the 1983 agreement with the same academy.
    early = network(bundled, [VAST], include=[EdgeType.INSTRUMENT], window=Window(1978, 1980))
    assert edge_between(early, CNRS, VAST, EdgeType.INSTRUMENT).instruments == [instrument("accord-cnstv-1977")]
    later = network(bundled, [VAST], include=[EdgeType.INSTRUMENT], window=Window(1990, 1995))
    assert edge_between(later, CNRS, VAST, EdgeType.INSTRUMENT).instruments == [instrument("agreement-vast")]


def test_an_undated_instrument_counts_only_in_an_unbounded_window(bundled: OxigraphStore) -> None:
    everything = network(bundled, [TAYLORS], include=[EdgeType.INSTRUMENT])
    undated = edge_between(everything, TAYLORS, CERTOP, EdgeType.INSTRUMENT)
    assert undated.instruments == [instrument("irp-food-cultures-health")]
    assert (undated.years, undated.first_year, undated.last_year) == ({}, None, None)
    recent = network(bundled, [TAYLORS], include=[EdgeType.INSTRUMENT], window=Window(2020, 2024))
    assert [n.iri for n in recent.nodes] == [TAYLORS]
    assert recent.edges == []


# --- network: co-publications, countries, hierarchy ----------------------------------------------


def test_copublications_of_the_cnrs_come_from_the_year_graphs(bundled: OxigraphStore) -> None:
    net = network(bundled, [CNRS], include=[EdgeType.COPUBLICATION])
    cea = edge_between(net, CNRS, CEA, EdgeType.COPUBLICATION)
    assert (cea.weight, cea.years, cea.internal) == (1.0, {2014: 1.0}, False)
    assert cea.sources == [GRAPH + "network/2014"]
    # LIX is a mixed unit of the CNRS: the CNRS is in its organisation set, never its co-publisher.
    assert not [e for e in net.edges if {e.source, e.target} == {CNRS, LIX}]
    assert edge_between(net, CNRS, NORWAY, EdgeType.COPUBLICATION).years == {2014: 1.0}
    assert network(bundled, [CNRS], include=[EdgeType.COPUBLICATION], window=Window(2015, 2024)).edges == []


def test_a_country_seed_stands_for_its_institutions(bundled: OxigraphStore) -> None:
    net = network(bundled, [NORWAY], include=[EdgeType.COPUBLICATION])
    seeds = [n for n in net.nodes if n.seed]
    assert seeds
    assert all((n.kind, n.country) == ("institution", "NO") for n in seeds)
    assert NORWAY not in {n.iri for n in seeds}
    assert any(n.country != "NO" for n in net.nodes)  # and what they reach
    assert net.seeds == [NORWAY]


def test_a_country_seed_at_the_country_level_reaches_countries(bundled: OxigraphStore) -> None:
    net = network(bundled, [NORWAY], include=[EdgeType.COPUBLICATION], level=Level.COUNTRY)
    nodes = {n.iri: n for n in net.nodes}
    assert (nodes[NORWAY].kind, nodes[NORWAY].country, nodes[NORWAY].region) == ("country", "NO", "Europe")
    assert nodes[NORWAY].label == "Norway"
    assert FRANCE in nodes
    assert all(n.kind == "country" for n in nodes.values())


def test_fractional_counting_weighs_a_paper_by_its_number_of_partners(bundled: OxigraphStore) -> None:
    # Piwowar et al. 2018 has eight affiliations: each pair of them counts 1/7.
    net = network(bundled, [SFU], include=[EdgeType.COPUBLICATION], counting=Counting.FRACTIONAL)
    assert edge_between(net, SFU, UW, EdgeType.COPUBLICATION).weight == pytest.approx(1 / 7, abs=1e-6)
    assert edge_between(net, SFU, US, EdgeType.COPUBLICATION).weight == 1.0


def test_hierarchy_edges_are_dated_by_the_child(bundled: OxigraphStore) -> None:
    # Le2i, a CNRS unit in HAL, ended on 31 December 2016.
    net = network(bundled, [LE2I], include=[EdgeType.HIERARCHY], window=Window(2014, 2020))
    up = edge_between(net, LE2I, CNRS, EdgeType.HIERARCHY)
    assert (up.source, up.target, up.weight) == (LE2I, CNRS, 1.0)
    assert up.years == {2014: 1.0, 2015: 1.0, 2016: 1.0}
    assert up.sources == [GRAPH + "hal/hal-01213935.xml"]
    assert network(bundled, [LE2I], include=[EdgeType.HIERARCHY], window=Window(2018, 2020)).edges == []


# --- limits and cost -----------------------------------------------------------------------------


def test_more_than_three_hops_is_refused(bundled: OxigraphStore) -> None:
    with pytest.raises(CostLimitExceeded, match="hops=4 is over the limit of 3"):
        network(bundled, [CNRS], hops=4)


def test_a_large_neighbourhood_is_pruned_to_its_strongest_ties(bundled: OxigraphStore) -> None:
    # The CNRS co-publishes with five institutions and Norway in the bundled records.
    whole = network(bundled, [CNRS], include=[EdgeType.COPUBLICATION], max_nodes=10_000, with_metrics=False)
    pruned = network(bundled, [CNRS], include=[EdgeType.COPUBLICATION], max_nodes=4, with_metrics=False)
    assert len(whole.nodes) > 4
    assert whole.omitted == 0
    assert len(pruned.nodes) == 4
    assert pruned.omitted == len(whole.nodes) - 4
    weight = {e.target if e.source == CNRS else e.source: e.weight for e in whole.edges if CNRS in (e.source, e.target)}
    kept = {n.iri for n in pruned.nodes} - {CNRS}
    assert min(weight[n] for n in kept) >= max(weight[n] for n in set(weight) - kept)  # the strongest ties
    # every edge among the kept nodes, and none to a node left out
    among = {(e.source, e.target) for e in whole.edges if {e.source, e.target} <= kept | {CNRS}}
    assert {(e.source, e.target) for e in pruned.edges} == among


def test_more_seeds_than_max_nodes_cannot_be_pruned(bundled: OxigraphStore) -> None:
    with pytest.raises(CostLimitExceeded, match=r"2 seeds are over max_nodes=1"):
        network(bundled, [CNRS, NUS], max_nodes=1)


def test_a_seed_that_is_not_an_iri_is_refused_before_any_query(bundled: OxigraphStore) -> None:
    counting = CountingQueryable(bundled)
    with pytest.raises(BadArgument, match="is not an IRI"):
        network(counting, [CNRS + "> } ; DROP ALL ; <x"])
    assert counting.queries == []


def test_a_network_costs_one_query_per_level(bundled: OxigraphStore) -> None:
    counting = CountingQueryable(bundled)
    net = network(counting, [CNRS], hops=2, max_nodes=5000)
    # one per hop (its instrument and hierarchy edges; co-publications come from the index, with no
    # query), one for the edges among the outermost ring and the details
    assert len(counting.queries) == 3
    assert Counter(n.hops for n in net.nodes)[2] > 0
    counting.queries.clear()
    instruments = network(counting, [CNRS], hops=2, include=[EdgeType.INSTRUMENT])
    # The second hop reaches one party only (CIRIMAT, through VAST's FOCOMAT project): nothing to
    # close, the last query reads the details only.
    assert [n.iri for n in instruments.nodes if n.hops == 2] == [ID + "org/ror/03xhggy77"]
    assert len(counting.queries) == 3
    assert "?part" not in counting.queries[-1]


class ConcurrentQueryable(CountingQueryable):
    """A store that says it answers several queries at once, as the server's pool of workers does."""

    concurrency = 2


def test_a_store_answering_queries_at_once_gets_a_level_as_parallel_queries(bundled: OxigraphStore) -> None:
    concurrent = ConcurrentQueryable(bundled)
    parallel = network(concurrent, [CNRS], hops=2, max_nodes=5000)
    one_by_one = network(bundled, [CNRS], hops=2, max_nodes=5000)
    assert parallel.edges == one_by_one.edges
    assert [(n.iri, n.label, n.hops, n.metrics.degree) for n in parallel.nodes] == [
        (n.iri, n.label, n.hops, n.metrics.degree) for n in one_by_one.nodes
    ]
    ranks = zip(parallel.nodes, one_by_one.nodes, strict=True)
    assert all(a.metrics.pagerank == pytest.approx(b.metrics.pagerank) for a, b in ranks)  # iterative: not bit-equal
    # the two hops ask two edge types each (co-publications are read from the index); the last
    # level the details and two types
    assert len(concurrent.queries) == 2 + 2 + 3
    assert not any("?part" in query for query in concurrent.queries)


def test_partners_cost_two_queries(bundled: OxigraphStore) -> None:
    counting = CountingQueryable(bundled)
    found = partners(counting, CNRS)
    assert len(counting.queries) == 2  # the edges of both kinds, then the partners' details
    light = partners(bundled, CNRS, details=[])  # labels and classes only
    assert [(p.node.iri, p.node.label, p.weight) for p in light] == [
        (p.node.iri, p.node.label, p.weight) for p in found
    ]
    assert all(p.node.country is None for p in light if p.node.kind == "institution")
    assert any(p.node.country == "SG" for p in found)


# --- metrics ---------------------------------------------------------------------------------------


def test_metrics_agree_with_the_edges(bundled: OxigraphStore) -> None:
    net = network(bundled, [CNRS], include=[EdgeType.INSTRUMENT])
    for node in net.nodes:
        incident = [e for e in net.edges if node.iri in (e.source, e.target)]
        assert node.metrics.degree == len(incident)
        assert node.metrics.weighted_degree == pytest.approx(sum(e.weight for e in incident))
    by_iri = {n.iri: n for n in net.nodes}
    hub = by_iri[CNRS].metrics
    assert hub.betweenness == max(n.metrics.betweenness for n in net.nodes) > 0
    assert hub.pagerank == max(n.metrics.pagerank for n in net.nodes)
    assert sum(n.metrics.pagerank for n in net.nodes) == pytest.approx(1.0)
    sizes = Counter(n.metrics.community for n in net.nodes)
    assert sorted(sizes) == list(range(len(sizes)))
    assert [sizes[c] for c in sorted(sizes)] == sorted(sizes.values(), reverse=True)  # the largest is 0
    # The Singapore parties of IPAL sit together.
    assert by_iri[ASTAR].metrics.community == by_iri[ID + "org/institut-mines-telecom"].metrics.community


def test_metrics_can_be_left_out(bundled: OxigraphStore) -> None:
    net = network(bundled, [CNRS], include=[EdgeType.INSTRUMENT], with_metrics=False)
    assert all(n.metrics == explore.Metrics() for n in net.nodes)


# --- partners ------------------------------------------------------------------------------------


def test_partners_of_the_cnrs_ranked_with_their_sources(bundled: OxigraphStore) -> None:
    found = partners(bundled, CNRS)
    top = [(p.node.label, p.weight) for p in found[:3]]
    assert top == [  # three instruments each, ties by label
        ("Nanyang Technological University", 3.0),
        ("National University of Singapore", 3.0),
        ("Vietnam Academy of Science and Technology", 3.0),
    ]
    nus = found[1]
    assert nus.types == [EdgeType.INSTRUMENT]
    assert nus.instruments == [instrument("irl-bmc2"), instrument("irl-ipal"), instrument("irl-majulab")]
    assert CNRS_GRAPH in nus.sources
    assert "https://cnrssingapore.cnrs.fr/partnerships-in-singapore/" in nus.sources  # the instruments' pages
    cea = next(p for p in found if p.node.iri == CEA)
    assert (cea.types, cea.first_year, cea.sources) == ([EdgeType.COPUBLICATION], 2014, [GRAPH + "network/2014"])
    assert len(partners(bundled, CNRS, first=5)) == 5


def test_a_unit_of_the_cnrs_is_no_partner_unless_hierarchy_is_asked_for(bundled: OxigraphStore) -> None:
    assert LIX not in {p.node.iri for p in partners(bundled, CNRS)}
    with_hierarchy = partners(bundled, LIX, kinds=[EdgeType.COPUBLICATION, EdgeType.HIERARCHY])
    cnrs = next(p for p in with_hierarchy if p.node.iri == CNRS)
    assert cnrs.types == [EdgeType.HIERARCHY]  # its supervising body, never its co-publisher


def test_co_supervision_is_an_edge_type_of_its_own_off_by_default(bundled: OxigraphStore) -> None:
    """Two supervising bodies of one mixed unit: weighed by the units they supervise together."""
    result = bundled.query(
        "SELECT (COUNT(DISTINCT ?unit) AS ?n) WHERE { ?unit <https://w3id.org/cnrs-kg/ontology#supervisingBody> "
        f"<{CNRS}>, <{SORBONNE}> }}"
    )
    assert isinstance(result, ox.QuerySolutions)
    shared = int(next(iter(result))["n"].value)
    assert shared > 50
    found = partners(bundled, CNRS, kinds=[EdgeType.COSUPERVISION], first=3)
    sorbonne = next(p for p in found if p.node.iri == SORBONNE)
    assert (sorbonne.weight, sorbonne.types) == (float(shared), [EdgeType.COSUPERVISION])
    assert sorbonne.sources
    default = network(bundled, [CNRS], max_nodes=30, with_metrics=False)
    assert EdgeType.COSUPERVISION not in {e.type for e in default.edges}
    asked = network(bundled, [CNRS], include=[EdgeType.COSUPERVISION], max_nodes=30, with_metrics=False)
    assert {e.type for e in asked.edges} == {EdgeType.COSUPERVISION}
