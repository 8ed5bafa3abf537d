"""GraphQL ``profile``: a body's collaboration profile on the bundled data, its errors and its cost.

The bundled works of the CNRS (``tests/graph/test_profile.py`` works them out): in 2014,
hal-01213935 international (the CNRS's share 1/2), hal-01149835 national only (2/3), cea-00991452
national only (1/3), hal-00719737 institutional only (1); in 2015, one work with one affiliation,
single (1). W2741809807 (2018) is Simon Fraser University's, with a company partner.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from api.graphql.cost import PROFILE_WEIGHT, estimate
from api.graphql.schema import schema
from tests.api.graphql.conftest import GraphQL

KINDS = ("international", "nationalOnly", "institutionalOnly", "single")
PROFILE = """query ($of: String!, $during: YearRange, $counting: Counting) {
  profile(of: $of, during: $during, counting: $counting) {
    of { name }
    counting
    total { year works withoutCountry
            international { works share } nationalOnly { works share } institutionalOnly { works share }
            single { works share } academicCorporate { works share } }
    years { year works international { works share } nationalOnly { works share }
            institutionalOnly { works share } single { works share } academicCorporate { works share } }
    partnerCountries { country { code } works share }
  }
}"""


def profile(gql: GraphQL, of: str, **arguments: Any) -> Any:
    return gql.data(PROFILE, {"of": of, **arguments})["profile"]


def shares(row: dict[str, Any]) -> dict[str, float]:
    return {kind: row[kind]["share"] for kind in KINDS}


def test_the_cnrs_full_counting_per_year(gql: GraphQL) -> None:
    """2014: 4 works, 1 international, 2 national only, 1 institutional only: 1/4, 1/2, 1/4, 0.
    2015: the single work, share 1."""
    found = profile(gql, "CNRS")
    assert found["of"]["name"] == "Centre National de la Recherche Scientifique"
    assert found["counting"] == "FULL"
    years = {row["year"]: row for row in found["years"]}
    assert sorted(years) == [2014, 2015]
    assert years[2014]["works"] == 4
    expected_2014 = {"international": 0.25, "nationalOnly": 0.5, "institutionalOnly": 0.25, "single": 0.0}
    assert shares(years[2014]) == expected_2014
    assert shares(years[2015]) == {"international": 0.0, "nationalOnly": 0.0, "institutionalOnly": 0.0, "single": 1.0}
    assert found["total"]["year"] is None
    assert found["total"]["works"] == 5
    assert found["partnerCountries"] == [{"country": {"code": "NO"}, "works": 1.0, "share": 1.0}]


@pytest.mark.parametrize("counting", ["FULL", "FRACTIONAL"])
def test_the_four_shares_sum_to_one_each_year(gql: GraphQL, counting: str) -> None:
    found = profile(gql, "CNRS", counting=counting)
    for row in [*found["years"], found["total"]]:
        assert sum(shares(row).values()) == pytest.approx(1.0, abs=1e-5)


def test_fractional_counting_and_a_window(gql: GraphQL) -> None:
    """2014 only, fractional: 1/2 + 2/3 + 1/3 + 1 = 2.5 works; international (1/2)/2.5 = 0.2,
    national only (2/3 + 1/3)/2.5 = 0.4, institutional only 1/2.5 = 0.4."""
    found = profile(gql, "CNRS", counting="FRACTIONAL", during={"start": 2014, "end": 2014})
    assert [row["year"] for row in found["years"]] == [2014]
    assert found["total"]["works"] == 2.5
    expected = {"international": 0.2, "nationalOnly": 0.4, "institutionalOnly": 0.4, "single": 0.0}
    assert shares(found["total"]) == expected
    assert found["partnerCountries"] == [{"country": {"code": "NO"}, "works": 0.5, "share": 1.0}]


def test_any_institution_and_its_company_partner(gql: GraphQL) -> None:
    """Simon Fraser University by its ROR id: W2741809807, international, with Impact Technology
    Development (a company): the academic-corporate share is 1; fractional, SFU and its Public
    Knowledge Project are 2 of the 8 affiliations: 0.25."""
    found = profile(gql, "ror:0213rcc28", counting="FRACTIONAL")
    (row,) = found["years"]
    assert (row["year"], row["works"], row["international"]["share"]) == (2018, 0.25, 1.0)
    assert row["academicCorporate"] == {"works": 0.25, "share": 1.0}
    assert found["partnerCountries"] == [{"country": {"code": "US"}, "works": 0.25, "share": 1.0}]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"of": "VN"}, "of: 'VN' is not an institution; give one, such as CNRS or a ROR id"),
        ({"of": "CNRS", "during": {"start": 2020, "end": 2010}}, "during: start 2020 is after end 2010"),
        ({"of": "ror:01tgyzw48"}, "of: 'ror:01tgyzw48' is not a ROR id"),
    ],
)
def test_errors_are_one_line_for_the_client(gql: GraphQL, arguments: dict[str, Any], message: str) -> None:
    (error,) = gql.errors(PROFILE, arguments)
    assert error["message"].startswith(message)
    assert "\n" not in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_cost_estimate_weighs_the_profile() -> None:
    document = parse("{ profile { years { year } partnerCountries { works } } }")
    operation = document.definitions[0]
    cost = estimate(schema._schema, document, operation, {})  # type: ignore[arg-type]
    assert cost.data == 1 + PROFILE_WEIGHT + 50 + 250  # the profile, its work, its years, its countries
