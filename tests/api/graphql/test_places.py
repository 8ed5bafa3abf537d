"""Questions about a country, a region or an instrument (a seed stands for its organisations; partners
filtered by place and type), through GraphQL on the bundled data."""

from __future__ import annotations

from ontology import iris
from tests.api.graphql.conftest import GraphQL

CNRS = iris.ror_org(iris.CNRS_ROR).value
VAST = iris.ror_org("02wsd5p50").value  # the Vietnam Academy of Science and Technology
ASEAN = {"BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "TL", "VN"}
NETWORK = """query ($seeds: [String!]!, $include: [EdgeType!], $level: NetworkLevel! = INSTITUTION) {
  network(seeds: $seeds, hops: 1, include: $include, level: $level) {
    level seeds omitted nodes { iri label seed countryCode kind } edges { type } } }"""


def test_a_country_stands_for_its_institutions_and_reaches_their_instrument_partners(gql: GraphQL) -> None:
    for seed in ("country:VN", "VN", "VNM"):
        net = gql.data(NETWORK, {"seeds": [seed], "include": ["INSTRUMENT"]})["network"]
        nodes = {n["iri"]: n for n in net["nodes"]}
        assert {VAST, CNRS} <= set(nodes), seed
        assert nodes[VAST]["seed"]
        assert not nodes[CNRS]["seed"]
        assert all(n["countryCode"] == "VN" for n in net["nodes"] if n["seed"])
        assert {e["type"] for e in net["edges"]} == {"INSTRUMENT"}
        assert net["level"] == "INSTITUTION"


def test_an_instrument_stands_for_its_parties(gql: GraphQL) -> None:
    net = gql.data(NETWORK, {"seeds": ["irl-ipal"], "include": ["INSTRUMENT"]})["network"]
    seeds = {n["label"] for n in net["nodes"] if n["seed"]}
    assert {"Centre National de la Recherche Scientifique", "National University of Singapore"} <= seeds
    assert {"Agency for Science, Technology and Research", "Université Grenoble Alpes"} <= seeds
    same = gql.data(NETWORK, {"seeds": ["instrument:irl-ipal"], "include": ["INSTRUMENT"]})["network"]
    assert same["nodes"] == net["nodes"]


def test_a_group_at_the_country_level_is_its_member_countries(gql: GraphQL) -> None:
    net = gql.data(NETWORK, {"seeds": ["ASEAN"], "level": "COUNTRY"})["network"]
    assert {n["countryCode"] for n in net["nodes"] if n["seed"]} == ASEAN
    assert all(n["kind"] == "COUNTRY" for n in net["nodes"])
    assert net["level"] == "COUNTRY"


def test_partners_in_a_country(gql: GraphQL) -> None:
    data = gql.data("""{ partners(of: "CNRS", country: ["TH"], first: 50) {
        totalCount nodes { weight node { label countryCode } } } }""")["partners"]
    labels = {p["node"]["label"] for p in data["nodes"]}
    assert "Mahidol University" in labels
    assert {p["node"]["countryCode"] for p in data["nodes"]} == {"TH"}
    assert data["totalCount"] == len(data["nodes"])
    everywhere = gql.data('{ partners(of: "CNRS") { totalCount } }')["partners"]["totalCount"]
    assert everywhere > data["totalCount"]


def test_partners_in_a_region_or_group_and_of_a_type(gql: GraphQL) -> None:
    query = """query ($region: String!) { partners(of: "CNRS", region: $region, first: 100) {
        totalCount nodes { node { countryCode } } } }"""
    in_asean = gql.data(query, {"region": "ASEAN"})["partners"]
    assert {p["node"]["countryCode"] for p in in_asean["nodes"]} <= ASEAN
    assert {"SG", "VN", "TH"} <= {p["node"]["countryCode"] for p in in_asean["nodes"]}
    south_east = gql.data(query, {"region": "region:035"})["partners"]
    assert south_east["totalCount"] == in_asean["totalCount"]  # South-eastern Asia is ASEAN's eleven
    universities = gql.data("""{ partners(of: "CNRS", region: "ASEAN", type: [EDUCATION], first: 100) {
        totalCount nodes { node { label } } } }""")["partners"]
    assert 0 < universities["totalCount"] < in_asean["totalCount"]
    assert "National University of Singapore" in {p["node"]["label"] for p in universities["nodes"]}


def test_a_place_that_names_nothing_is_the_clients_error(gql: GraphQL) -> None:
    (error,) = gql.errors('{ partners(of: "CNRS", country: ["XX"]) { totalCount } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("country: 'XX' names nothing in this store")
