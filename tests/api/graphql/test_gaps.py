"""``gaps`` over GraphQL: the figures of ``tests/graph/test_gaps.py`` (the bundled data and the works
generated in ``tests/graph/test_instrument_phases.py``, worked out by hand there), as a client reads
them; and the examples' answers on the bundled data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from tests.api.graphql.conftest import GraphQL
from tests.graph.test_instrument_phases import generated_store

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

GAPS = """query ($country: [String!], $region: String, $level: NetworkLevel! = INSTITUTION, $first: Int) {
  gaps(during: { start: 2020, end: 2023 }, country: $country, region: $region, level: $level, first: $first) {
    totalCount pageInfo { hasNextPage }
    nodes { partner { ... on Institution { ror } ... on Country { code } } works perYear { year value } slope } } }"""


@pytest.fixture(scope="module")
def generated(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphQL]:
    path = generated_store(bundled_store_path, tmp_path_factory.mktemp("graphql-gaps"))
    with TestClient(create_app(path, workers=0)) as client:
        yield GraphQL(client)


def test_the_gaps_of_2020_2023(generated: GraphQL) -> None:
    found = generated.data(GAPS, {"first": 2})["gaps"]
    assert (found["totalCount"], found["pageInfo"]["hasNextPage"]) == (3, True)
    assert found["nodes"] == [
        {
            "partner": {"ror": "001ydh096"},
            "works": 3.0,
            "perYear": [{"year": 2020, "value": 1.0}, {"year": 2022, "value": 1.0}, {"year": 2023, "value": 1.0}],
            "slope": 0.1,
        },
        {"partner": {"ror": "0013qa018"}, "works": 1.0, "perYear": [{"year": 2021, "value": 1.0}], "slope": -0.1},
    ]


def test_gaps_by_place_and_country(generated: GraphQL) -> None:
    in_viet_nam = generated.data(GAPS, {"country": ["VN"]})["gaps"]["nodes"]
    assert [n["partner"] for n in in_viet_nam] == [{"ror": "001ydh096"}]
    countries = generated.data(GAPS, {"level": "COUNTRY", "region": "region:035"})["gaps"]["nodes"]
    assert [(n["partner"], n["works"]) for n in countries] == [({"code": "PH"}, 1.0)]


def test_an_unknown_place_is_one_clear_error(generated: GraphQL) -> None:
    (error,) = generated.errors(GAPS, {"country": ["Atlantis"]})
    assert error["message"].startswith("country")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_examples_on_the_bundled_data(gql: GraphQL) -> None:
    """The CNRS's five partners of 2014, none in an instrument; at the country level, Norway (a work
    with three countries... one of them Norway: 1/2 fractional at least)."""
    institutions = gql.data((EXAMPLES / "gaps_institutions.graphql").read_text(encoding="utf-8"))["gaps"]
    assert institutions["totalCount"] == 5
    assert all(n["perYear"] == [{"year": 2014, "value": 1.0}] for n in institutions["nodes"])
    countries = gql.data((EXAMPLES / "gaps_countries.graphql").read_text(encoding="utf-8"))["gaps"]
    assert [n["partner"]["code"] for n in countries["nodes"]] == ["NO"]
