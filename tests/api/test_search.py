"""Name search through the API: GraphQL's ``institutions`` and ``countries`` name filters, and the
explorer's search box, on a copy of the bundled store served by the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph.search import INDEX_DIR, INDEX_FILE, MAX_WORDS
from ontology import iris
from tests.api.graphql.conftest import GraphQL
from tests.conftest import copy_store

CNRS = iris.ror_org("02feahw73").value

INSTITUTIONS = """query ($name: String, $country: [String!], $first: Int, $after: String) {
  institutions(filter: {name: $name, country: $country}, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ror name countryCode } } }"""
COUNTRIES = "query ($name: String) { countries(filter: {name: $name}) { totalCount nodes { code name } } }"


@pytest.fixture(scope="module")
def gql(client: TestClient) -> GraphQL:
    return GraphQL(client)


def institutions(gql: GraphQL, name: str, **variables: Any) -> Any:
    return gql.data(INSTITUTIONS, {"name": name, **variables})["institutions"]


def test_institutions_by_name_without_accents(gql: GraphQL) -> None:
    found = institutions(gql, "universite grenoble")
    assert found["nodes"][0] == {"ror": "02rx3b187", "name": "Université Grenoble Alpes", "countryCode": "FR"}


def test_institutions_by_words_apart_the_cnrs_first(gql: GraphQL) -> None:
    assert institutions(gql, "centre national recherche scientifique")["nodes"][0]["ror"] == "02feahw73"


@pytest.mark.parametrize(("acronym", "ror"), [("CNRS", "02feahw73"), ("VAST", "02wsd5p50")])
def test_an_acronym_first(gql: GraphQL, acronym: str, ror: str) -> None:
    assert institutions(gql, acronym, first=1)["nodes"][0]["ror"] == ror


@pytest.mark.parametrize("name", ["Vietnam", "viet nam", "Viêt Nam"])
def test_countries_by_their_common_names(gql: GraphQL, name: str) -> None:
    found = gql.data(COUNTRIES, {"name": name})["countries"]
    assert found["nodes"][0] == {"code": "VN", "name": "Viet Nam"}


def test_the_other_filters_and_paging_hold_in_the_order_of_relevance(gql: GraphQL) -> None:
    whole = institutions(gql, "university", country=["TH"], first=100)
    assert whole["totalCount"] == len(whole["nodes"]) > 4
    assert {n["countryCode"] for n in whole["nodes"]} == {"TH"}
    everywhere = [n["ror"] for n in institutions(gql, "university", first=100)["nodes"]]
    thai = [ror for ror in everywhere if ror in {n["ror"] for n in whole["nodes"]}]
    assert thai
    assert [n["ror"] for n in whole["nodes"]][: len(thai)] == thai  # the ranking, filtered
    pages, after = [], None
    for _ in range(3):
        page = institutions(gql, "university", country=["TH"], first=2, after=after)
        pages += [n["ror"] for n in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
        assert page["totalCount"] == whole["totalCount"]
    assert pages == [n["ror"] for n in whole["nodes"]][:6]


def test_a_name_matching_nothing_is_an_empty_page(gql: GraphQL) -> None:
    found = institutions(gql, "zzzq nothing")
    assert found == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}
    assert gql.data(COUNTRIES, {"name": '"*" OR NEAR('})["countries"]["totalCount"] == 0


def test_too_many_words_is_the_clients_error(gql: GraphQL) -> None:
    (error,) = gql.errors(INSTITUTIONS, {"name": " ".join(["word"] * (MAX_WORDS + 1))})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert (
        error["message"]
        == f"filter.name: {MAX_WORDS + 1} words, over the limit of {MAX_WORDS}; search with fewer words"
    )


def test_the_explorer_search_box(client: TestClient) -> None:
    found = client.get("/explore/search", params={"q": "centre national recherche scientifique"}).json()
    assert found[0] == {"iri": CNRS, "label": "Centre National de la Recherche Scientifique", "kind": "institution"}
    assert client.get("/explore/search", params={"q": "Vietnam"}).json()[0]["iri"] == iris.country("VN").value
    kinds = {hit["kind"] for hit in client.get("/explore/search", params={"q": "asia"}).json()}
    assert "region" in kinds  # Asia, South-eastern Asia...: seeds of the explorer too
    assert kinds <= {"institution", "country", "region", "group", "instrument"}
    response = client.get("/explore/search", params={"q": " ".join(["word"] * (MAX_WORDS + 1))})
    assert response.status_code == 400
    assert response.text.startswith(f"q: {MAX_WORDS + 1} words")


def test_through_the_query_workers(bundled_store_path: Path, tmp_path: Path) -> None:
    """The server's pool of query workers: the search finds the store behind it and saves its index there."""
    store = copy_store(bundled_store_path, tmp_path / "store")
    with TestClient(create_app(store, workers=1)) as client:
        found = client.get("/explore/search", params={"q": "CNRS"}).json()
    assert found[0]["iri"] == CNRS
    assert (store / INDEX_DIR / INDEX_FILE).is_file()
