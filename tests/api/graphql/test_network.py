"""Partners, networks, paths and trends: ``graph.explore`` answers through GraphQL, on the bundled data."""

from __future__ import annotations

from tests.api.graphql.conftest import GraphQL

CNRS = "https://w3id.org/cnrs-kg/id/org/ror/02feahw73"
SINGAPORE_IRL_PARTNERS = {"National University of Singapore", "Nanyang Technological University"}


def test_partners_of_cnrs_name_its_irl_partners_in_singapore_with_sources(gql: GraphQL) -> None:
    data = gql.data("""{ partners(of: "CNRS", kinds: [INSTRUMENT], first: 50) { totalCount nodes {
        weight types node { label countryCode institution { ror } }
        instruments { key kind countryCode } pages sources { name url licence } } } }""")
    partners = data["partners"]["nodes"]
    in_singapore = {
        p["node"]["label"]: p
        for p in partners
        if p["node"]["countryCode"] == "SG" and any(i["kind"] == "IRL" for i in p["instruments"])
    }
    assert set(in_singapore) >= SINGAPORE_IRL_PARTNERS
    for partner in in_singapore.values():
        assert partner["types"] == ["INSTRUMENT"]
        assert partner["sources"], partner
        names = {s["name"] for s in partner["sources"]}
        assert "CNRS structures and agreements in ASEAN" in names
        assert any(s["url"] and s["licence"] for s in partner["sources"])
        assert partner["pages"]
    weights = [p["weight"] for p in partners]
    assert weights == sorted(weights, reverse=True)


def test_partners_accept_any_way_of_naming_the_cnrs(gql: GraphQL) -> None:
    query = "query ($of: String!) { partners(of: $of, kinds: [INSTRUMENT]) { totalCount } }"
    counts = {
        of: gql.data(query, {"of": of})["partners"]["totalCount"]
        for of in (
            "CNRS",
            "02feahw73",
            "https://ror.org/02feahw73",
            "http://ror.org/02feahw73",
            "ror:02feahw73",
            CNRS,
            "hal:441569",
            "I1294671590",
            "https://openalex.org/I1294671590",
        )
    }
    assert len(set(counts.values())) == 1, counts


def test_a_country_by_any_of_its_codes(gql: GraphQL) -> None:
    query = "query ($of: String!) { partners(of: $of) { totalCount } }"
    counts = {of: gql.data(query, {"of": of})["partners"]["totalCount"] for of in ("NO", "country:NO", "NOR", "nor")}
    assert len(set(counts.values())) == 1, counts
    assert counts["country:NO"] > 0
    query = 'query ($b: String!) { trend(a: "CNRS", b: $b) { b { ... on Country { code } } } }'
    for b in ("VN", "country:VN", "VNM", "country:vnm"):
        assert gql.data(query, {"b": b})["trend"]["b"] == {"code": "VN"}, b


def test_network_seeded_by_the_ror_url_is_the_network_of_the_cnrs(gql: GraphQL) -> None:
    """``https://ror.org/02feahw73`` once gave a one-node network (the ROR page the store mentions)."""
    query = (
        "query ($seed: String!) { network(seeds: [$seed], hops: 2) { nodes { iri } edges { sourceIri targetIri } } }"
    )
    by_url, by_prefix = (
        gql.data(query, {"seed": s})["network"] for s in ("https://ror.org/02feahw73", "ror:02feahw73")
    )
    assert len(by_url["nodes"]) > 100
    assert by_url == by_prefix


def test_an_unknown_ror_id_is_bad_user_input_naming_it(gql: GraphQL) -> None:
    (error,) = gql.errors('{ network(seeds: ["CNRS", "ror:0abcdef23"]) { nodes { iri } } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("seeds: 'ror:0abcdef23' names nothing in this store")
    (error,) = gql.errors('{ trend(a: "CNRS", b: "02feahw74") { total } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("b: '02feahw74' is not a ROR id")


def test_network_two_hops_around_cnrs_with_metrics(gql: GraphQL) -> None:
    data = gql.data("""{ network(seeds: ["CNRS"], hops: 2, include: [INSTRUMENT, COPUBLICATION]) {
        seeds include
        nodes { id iri label kind seed hops metrics { degree weightedDegree betweenness pagerank community } }
        edges { source target sourceIri targetIri type weight firstYear lastYear years { year value } } } }""")
    network = data["network"]
    nodes = {n["iri"]: n for n in network["nodes"]}
    assert nodes[CNRS]["seed"]
    assert nodes[CNRS]["hops"] == 0
    assert max(n["hops"] for n in nodes.values()) == 2
    assert nodes[CNRS]["metrics"]["degree"] == max(n["metrics"]["degree"] for n in nodes.values())
    assert abs(sum(n["metrics"]["pagerank"] for n in nodes.values()) - 1) < 1e-6
    ids = {n["id"] for n in nodes.values()}
    for edge in network["edges"]:
        assert edge["source"] in ids
        assert edge["target"] in ids
        assert edge["sourceIri"] in nodes
        assert edge["targetIri"] in nodes
        assert edge["type"] in ("INSTRUMENT", "COPUBLICATION")
        assert edge["weight"] > 0


def test_network_links_to_its_exports_with_the_same_selection(gql: GraphQL) -> None:
    data = gql.data("""{ network(seeds: ["CNRS"], hops: 2, include: [INSTRUMENT], during: {start: 2010, end: 2020}) {
      nodes { iri } edges { sourceIri targetIri weight }
      gexf: exportUrl(format: GEXF) graphology: exportUrl(format: GRAPHOLOGY) } }""")["network"]
    assert data["gexf"].startswith("/export/network.gexf?")
    graphology = gql.client.get(data["graphology"])
    assert graphology.status_code == 200
    exported = graphology.json()
    assert {n["key"] for n in exported["nodes"]} == {n["iri"] for n in data["nodes"]}
    assert len(exported["edges"]) == len(data["edges"])
    gexf = gql.client.get(data["gexf"])
    assert gexf.status_code == 200
    assert b'mode="dynamic"' in gexf.content


def test_network_over_the_cost_limit_is_a_clear_error(gql: GraphQL) -> None:
    (error,) = gql.errors('{ network(seeds: ["CNRS"], hops: 4) { nodes { iri } } }')
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert "hops=4" in error["message"]
    (error,) = gql.errors('{ path(from: "CNRS", to: "SG", maxHops: 9) { totalCount } }')
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"


def test_path_through_an_instrument(gql: GraphQL) -> None:
    data = gql.data("""{ path(from: "CNRS", to: "01tgyzw49", maxHops: 2) { totalCount nodes { length
        nodes { __typename ... on Institution { ror } }
        steps { type via { ... on Instrument { key kind } } } } } }""")
    paths = data["path"]["nodes"]
    assert paths
    assert paths[0]["length"] == 1
    assert paths[0]["nodes"] == [
        {"__typename": "Institution", "ror": "02feahw73"},
        {"__typename": "Institution", "ror": "01tgyzw49"},
    ]
    assert paths[0]["steps"][0]["type"] == "INSTRUMENT"
    assert paths[0]["steps"][0]["via"]["key"].startswith("irl-")


def test_trend_between_an_institution_and_a_country(gql: GraphQL) -> None:
    data = gql.data("""{ trend(a: "CNRS", b: "NO") { a { ... on Institution { ror } } b { ... on Country { code } }
        points { year value } total } }""")
    trend = data["trend"]
    assert trend["a"] == {"ror": "02feahw73"}
    assert trend["b"] == {"code": "NO"}
    assert trend["points"]
    assert trend["total"] == sum(p["value"] for p in trend["points"])


def test_bad_reference_is_the_clients_error(gql: GraphQL) -> None:
    (error,) = gql.errors('{ partners(of: "not an entity") { totalCount } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "names nothing in this store" in error["message"]


def test_institution_copublication_figures(gql: GraphQL) -> None:
    data = gql.data("""{ institution(ror: "02feahw73") { copublications { partnerCount firstYear lastYear
        countries { country { code } weight } } } }""")
    figures = data["institution"]["copublications"]
    assert figures["partnerCount"] > 0
    assert figures["firstYear"] <= figures["lastYear"]
    assert "NO" in {c["country"]["code"] for c in figures["countries"]}


def test_a_network_is_pruned_to_max_nodes_and_says_how_many_it_left_out(gql: GraphQL) -> None:
    query = """query ($most: Int!) { network(seeds: ["CNRS"], hops: 1, include: [COPUBLICATION], maxNodes: $most) {
        maxNodes omitted nodes { iri } edges { sourceIri targetIri weight } exportUrl(format: GEXF) } }"""
    whole = gql.data(query, {"most": 2000})["network"]
    pruned = gql.data(query, {"most": 4})["network"]
    assert whole["omitted"] == 0
    assert len(pruned["nodes"]) == 4
    assert pruned["omitted"] == len(whole["nodes"]) - 4 > 0
    assert "maxNodes=4" in pruned["exportUrl"]
    kept = {n["iri"] for n in pruned["nodes"]}
    assert all(e["sourceIri"] in kept and e["targetIri"] in kept for e in pruned["edges"])


def test_max_nodes_out_of_range_is_refused(gql: GraphQL) -> None:
    errors = gql.errors("""{ network(seeds: ["CNRS"], maxNodes: 5000) { omitted } }""")
    assert "maxNodes: 5000 is out of range; give 1 to 2000" in errors[0]["message"]
