"""Institutions, countries, instruments, offices, indicators on the bundled data: look-ups, lists,
dated relations, pagination, sources, and one SPARQL query per nesting level."""

from __future__ import annotations

from tests.api.graphql.conftest import GraphQL

CNRS_IRI = "https://w3id.org/cnrs-kg/id/org/ror/02feahw73"

THREE_LEVELS = """
{ institutions(filter: {country: ["SG"], instrumentKind: [IRL]}, first: 5) {
    edges { node { name
      instruments { edges { node { role
        instrument { name kind
          parties { edges { node { role institution { name ror } } } } } } } } } } } }
"""


def test_asean_has_10_members_in_2019_and_11_in_2026(gql: GraphQL) -> None:
    query = """query ($day: Date!) { countries(filter: {group: ASEAN, asOf: $day}, first: 20) {
        totalCount nodes { code } } }"""
    before = gql.data(query, {"day": "2019-01-01"})["countries"]
    after = gql.data(query, {"day": "2026-01-01"})["countries"]
    assert before["totalCount"] == 10
    assert after["totalCount"] == 11
    assert {c["code"] for c in after["nodes"]} - {c["code"] for c in before["nodes"]} == {"TL"}


def test_membership_dates_and_sources(gql: GraphQL) -> None:
    data = gql.data("""{ country(code: "TL") { name groups { nodes {
        group { acronym } start end sources { name document licence } } } } }""")
    (membership,) = data["country"]["groups"]["nodes"]
    assert membership["group"]["acronym"] == "ASEAN"
    assert membership["start"] == "2025-10-26"
    assert membership["sources"][0]["name"] == "ASEAN membership"
    assert "Timor-Leste" in membership["sources"][0]["document"]
    assert membership["sources"][0]["licence"] == "https://creativecommons.org/publicdomain/zero/1.0/"


def test_three_levels_cost_at_most_three_sparql_queries(gql: GraphQL) -> None:
    data, explain = gql.explain(THREE_LEVELS)
    institutions = data["institutions"]["edges"]
    assert institutions, "no institution in Singapore takes part in an IRL"
    parties = [
        p["node"]["institution"]["name"]
        for i in institutions
        for e in i["node"]["instruments"]["edges"]
        for p in e["node"]["instrument"]["parties"]["edges"]
    ]
    assert "Centre National de la Recherche Scientifique" in parties
    assert len(explain) <= 3, [e["query"] for e in explain]
    assert all(e["ms"] >= 0 and e["rows"] >= 0 for e in explain)


def test_institution_by_ror_hal_openalex_iri_and_id(gql: GraphQL) -> None:
    by_ror = gql.data('{ institution(ror: "02feahw73") { id iri name acronyms ror foundingYear } }')["institution"]
    assert by_ror["iri"] == CNRS_IRI
    assert "CNRS" in by_ror["acronyms"]
    assert by_ror["foundingYear"] == 1939
    for argument in ('hal: "441569"', 'openalex: "I1294671590"', f'iri: "{CNRS_IRI}"', f'id: "{by_ror["id"]}"'):
        found = gql.data(f"{{ institution({argument}) {{ iri }} }}")["institution"]
        assert found == {"iri": CNRS_IRI}, argument
    node = gql.data(f'{{ node(id: "{by_ror["id"]}") {{ __typename ... on Institution {{ ror }} }} }}')["node"]
    assert node == {"__typename": "Institution", "ror": "02feahw73"}


def test_not_found_is_null(gql: GraphQL) -> None:
    data = gql.data("""{ institution(ror: "0aaaaaa00") { name } country(code: "ZZ") { name }
        instrument(key: "irl-nowhere") { name } }""")
    assert data == {"institution": None, "country": None, "instrument": None}
    country_as_institution = gql.data('{ institution(iri: "https://w3id.org/cnrs-kg/id/country/SG") { name } }')
    assert country_as_institution == {"institution": None}


def test_cursors_round_trip(gql: GraphQL) -> None:
    query = """query ($after: String) { institutions(filter: {country: ["SG"]}, first: 4, after: $after) {
        edges { cursor node { iri } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
    whole = gql.data('{ institutions(filter: {country: ["SG"]}, first: 8) { nodes { iri } } }')
    first = gql.data(query)["institutions"]
    second = gql.data(query, {"after": first["pageInfo"]["endCursor"]})["institutions"]
    assert first["pageInfo"]["hasNextPage"]
    assert not first["pageInfo"]["hasPreviousPage"]
    assert second["pageInfo"]["hasPreviousPage"]
    paged = [e["node"]["iri"] for e in first["edges"] + second["edges"]]
    assert paged == [n["iri"] for n in whole["institutions"]["nodes"]]
    assert first["edges"][-1]["cursor"] == first["pageInfo"]["endCursor"]


def test_nested_cursors_round_trip(gql: GraphQL) -> None:
    query = """query ($after: String) { institution(ror: "02feahw73") {
        children(first: 3, after: $after) { totalCount nodes { institution { iri } } pageInfo { endCursor } } } }"""
    first = gql.data(query)["institution"]["children"]
    second = gql.data(query, {"after": first["pageInfo"]["endCursor"]})["institution"]["children"]
    assert first["totalCount"] > 1000
    iris = [n["institution"]["iri"] for n in first["nodes"] + second["nodes"]]
    assert len(set(iris)) == 6


def test_instruments_in_singapore_with_sources(gql: GraphQL) -> None:
    data = gql.data("""{ instruments(filter: {kind: [IRL], country: ["SG"]}) { totalCount nodes {
        key name kind formerKinds start status
        sources { name url licence pages } } } }""")
    irls = {i["key"]: i for i in data["instruments"]["nodes"]}
    assert {"irl-ipal", "irl-cintra", "irl-majulab"} <= set(irls)
    ipal = irls["irl-ipal"]
    assert ipal["formerKinds"] == ["UMI"]
    assert ipal["start"] == "2007-01"
    cnrs_source = next(s for s in ipal["sources"] if s["name"] == "CNRS structures and agreements in ASEAN")
    assert cnrs_source["url"] == "https://cnrssingapore.cnrs.fr/partnerships-in-singapore/"
    assert "https://cnrssingapore.cnrs.fr/partnerships-in-singapore/" in cnrs_source["pages"]


def test_instruments_active_on_a_day(gql: GraphQL) -> None:
    query = """query ($day: Date!) { instruments(filter: {kind: [IRL], activeOn: $day}) { nodes { key } } }"""
    in_2008 = {n["key"] for n in gql.data(query, {"day": "2008-06-01"})["instruments"]["nodes"]}
    in_2020 = {n["key"] for n in gql.data(query, {"day": "2020-06-01"})["instruments"]["nodes"]}
    assert "irl-ipal" in in_2008
    assert "irl-majulab" not in in_2008
    assert {"irl-ipal", "irl-majulab"} <= in_2020


def test_institution_parents_and_instruments(gql: GraphQL) -> None:
    data = gql.data("""{ institution(ror: "00m3mb357") { name categories
        parents { nodes { relations institution { ror } sources { name } } }
        instruments(kinds: [IRL]) { nodes { role instrument { key } } } } }""")
    lab = data["institution"]
    assert "INTERNATIONAL_RESEARCH_LABORATORY" in lab["categories"]
    cnrs = next(p for p in lab["parents"]["nodes"] if p["institution"]["ror"] == "02feahw73")
    assert "SUPERVISING_BODY" in cnrs["relations"]
    assert cnrs["sources"]
    assert {"role": "UNIT", "instrument": {"key": "irl-ipal"}} in lab["instruments"]["nodes"]


def test_offices_and_indicators(gql: GraphQL) -> None:
    data = gql.data("""{ offices { nodes { name start country { code } countries { totalCount } } }
        indicators(filter: {measure: [PHD_STUDENTS], area: "VN", year: 2004}) {
            nodes { value qualifier year area { ... on Country { code } } quote sources { name document } } } }""")
    offices = data["offices"]["nodes"]
    assert [o["country"]["code"] for o in offices] == ["VN", "SG"]
    in_2010 = gql.data('{ offices(asOf: "2010-01-01") { nodes { country { code } } } }')["offices"]["nodes"]
    assert in_2010 == [{"country": {"code": "VN"}}]
    assert offices[1]["countries"]["totalCount"] == 10
    (phd,) = data["indicators"]["nodes"]
    assert phd["value"] == 161
    assert phd["area"] == {"code": "VN"}
    assert phd["sources"][0]["document"]


def test_region_filter_and_name_filter(gql: GraphQL) -> None:
    data = gql.data("""{ countries(filter: {region: "035"}, first: 20) { totalCount }
        institutions(filter: {name: "pervasive"}) { nodes { ror } } }""")
    assert data["countries"]["totalCount"] == 11
    assert {"ror": "00m3mb357"} in data["institutions"]["nodes"]


def test_publications_filtered_with_their_affiliations_and_sources(gql: GraphQL) -> None:
    data = gql.data("""{ all: publications(first: 3) { totalCount nodes { year } }
        oa: publications(filter: {doi: "https://doi.org/10.7717/PeerJ.4375"}) { nodes {
            title year openalex copublication institutions { totalCount } countries { nodes { code } }
            sources { kind } } }
        norway: publications(filter: {country: ["NO"], years: {start: 2014, end: 2014}}) { totalCount } }""")
    years = [n["year"] for n in data["all"]["nodes"]]
    assert years == sorted(years, reverse=True)
    (work,) = data["oa"]["nodes"]
    assert work["openalex"] == "W2741809807"
    assert work["copublication"]
    assert work["institutions"]["totalCount"] == 8
    assert {c["code"] for c in work["countries"]["nodes"]} == {"CA", "US"}
    assert work["sources"] == [{"kind": "openalex"}]
    assert data["norway"]["totalCount"] >= 1
