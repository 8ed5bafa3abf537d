"""``copublications``: the works behind a co-publication figure over GraphQL, paged, as many as the
figure counts, with their DOI, year and sources, and the SPARQL that lists them (run on ``/sparql``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.graphql.conftest import GraphQL

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "works_behind_edge.graphql"
WORKS = """query ($between: [String!]!, $first: Int, $after: String, $counting: Counting! = FULL, $during: YearRange) {
  copublications(between: $between, first: $first, after: $after, counting: $counting, during: $during) {
    totalCount weight candidates explain
    works { totalCount pageInfo { hasNextPage endCursor } nodes { iri year weight doi title sources { graph } } }
  }
}"""
NETWORK = """{ network(seeds: ["CNRS"], include: [COPUBLICATION]) {
  edges { sourceIri targetIri type weight copublications(first: 100) { totalCount works { nodes { iri } } } }
} }"""


def works(gql: GraphQL, between: list[str], **variables: Any) -> Any:
    return gql.data(WORKS, {"between": between, **variables})["copublications"]


def test_the_example_lists_the_cnrs_norway_paper_with_its_doi_and_sources(gql: GraphQL) -> None:
    found = gql.data(EXAMPLE.read_text(encoding="utf-8"))["copublications"]
    assert [node["name"] for node in found["between"]] == ["Centre National de la Recherche Scientifique", "Norway"]
    assert (found["totalCount"], found["weight"]) == (1, 1.0)
    (work,) = found["works"]["nodes"]
    assert work["year"] == 2014
    assert work["doi"]
    assert work["sources"]


def test_every_edge_of_a_network_lists_as_many_works_as_its_weight(gql: GraphQL) -> None:
    edges = gql.data(NETWORK)["network"]["edges"]
    assert len(edges) >= 5
    for edge in edges:
        behind = edge["copublications"]
        assert behind["totalCount"] == edge["weight"] == len(behind["works"]["nodes"]), edge


def test_the_works_page_in_a_stable_order(gql: GraphQL) -> None:
    edges = gql.data(NETWORK)["network"]["edges"]
    heaviest = max(edges, key=lambda e: e["weight"])
    ends = [heaviest["sourceIri"], heaviest["targetIri"]]
    whole = works(gql, ends, first=100)
    pages: list[str] = []
    after = None
    while True:
        page = works(gql, ends, first=1, after=after)["works"]
        pages += [node["iri"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == [node["iri"] for node in whole["works"]["nodes"]]
    assert len(pages) == whole["totalCount"] == whole["works"]["totalCount"]


def listed_by(gql: GraphQL, explain: str) -> set[str]:
    """The works the SPARQL of an ``explain`` lists on the server's ``/sparql``."""
    response = gql.client.post(
        "/sparql",
        content=explain,
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return {row["work"]["value"] for row in response.json()["results"]["bindings"]}


def test_the_explain_query_runs_on_the_sparql_endpoint(gql: GraphQL) -> None:
    found = works(gql, ["CNRS", "NO"])
    listed = listed_by(gql, found["explain"])
    assert len(listed) == found["candidates"]
    assert {node["iri"] for node in found["works"]["nodes"]} <= listed


def test_a_window_without_the_works_lists_none(gql: GraphQL) -> None:
    found = works(gql, ["CNRS", "NO"], during={"start": 2015, "end": 2020})
    assert (found["totalCount"], found["works"]["nodes"]) == (0, [])


def test_a_wrong_pair_is_one_clear_error(gql: GraphQL) -> None:
    (error,) = gql.errors(WORKS, {"between": ["CNRS"]})
    assert error["message"].startswith("between: 1 nodes given; give two")
    (error,) = gql.errors(WORKS, {"between": ["CNRS", "ror:02feahw73"]})
    assert error["message"].startswith("between: both ends are")


PROFILE = """query ($kind: CollaborationKind, $country: String, $counting: Counting! = FULL) {
  profile(counting: $counting) {
    total { works international { works } nationalOnly { works } institutionalOnly { works } single { works }
            academicCorporate { works } }
    partnerCountries { country { code } works }
  }
  collaborationWorks(kind: $kind, partnerCountry: $country, counting: $counting, first: 100) {
    totalCount weight works { nodes { iri year weight doi } }
  }
}"""
KIND_FIELDS = {
    "INTERNATIONAL": "international",
    "NATIONAL_ONLY": "nationalOnly",
    "INSTITUTIONAL_ONLY": "institutionalOnly",
    "SINGLE": "single",
    "ACADEMIC_CORPORATE": "academicCorporate",
}


def test_the_works_behind_each_profile_figure_are_as_many_as_it_counts(gql: GraphQL) -> None:
    for counting in ("FULL", "FRACTIONAL"):
        for kind, name in KIND_FIELDS.items():
            data = gql.data(PROFILE, {"kind": kind, "counting": counting})
            figure, found = data["profile"]["total"][name]["works"], data["collaborationWorks"]
            assert found["weight"] == figure, (kind, counting)
            assert len(found["works"]["nodes"]) == found["totalCount"]
        every = gql.data(PROFILE, {"counting": counting})
        assert every["collaborationWorks"]["weight"] == every["profile"]["total"]["works"]


def test_the_works_behind_a_partner_country_of_the_profile(gql: GraphQL) -> None:
    countries = gql.data(PROFILE)["profile"]["partnerCountries"]
    assert countries
    for country in countries:
        found = gql.data(PROFILE, {"kind": "INTERNATIONAL", "country": country["country"]["code"]})
        assert found["collaborationWorks"]["totalCount"] == country["works"]


def test_a_partner_country_that_is_no_country_is_one_clear_error(gql: GraphQL) -> None:
    (error,) = gql.errors(PROFILE, {"country": "CNRS"})
    assert error["message"] == "partnerCountry: 'CNRS' is not a country; give one, such as VN"


def test_the_explain_query_of_a_profile_figure_runs_on_the_sparql_endpoint(gql: GraphQL) -> None:
    found = gql.data(
        "{ collaborationWorks(kind: NATIONAL_ONLY, first: 100) { totalCount explain works { nodes { iri } } } }"
    )
    explained = found["collaborationWorks"]
    listed = listed_by(gql, explained["explain"])
    assert explained["totalCount"] >= 1
    assert {node["iri"] for node in explained["works"]["nodes"]} <= listed
