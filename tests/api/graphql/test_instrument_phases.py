"""``Instrument.copublications`` and ``dormantInstruments`` over GraphQL: the figures of
``tests/graph/test_instrument_phases.py`` (the bundled data and works generated there, worked out
by hand in its tests), as a client reads them; and the example's answer on the bundled data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from tests.api.graphql.conftest import GraphQL
from tests.graph.test_instrument_phases import generated_store

CNRS_NAME = "Centre National de la Recherche Scientifique"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "instrument_phases.graphql"

PHASES = """query ($key: String!) { instrument(key: $key) { copublications {
  partner { ror } cnrsSide { ror } start end
  before { firstYear lastYear years works fractional rate fractionalRate }
  during { firstYear lastYear years works fractional rate fractionalRate }
  after { firstYear lastYear years works fractional rate fractionalRate }
  perYear { year works fractional } } } }"""


@pytest.fixture(scope="module")
def generated(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphQL]:
    path = generated_store(bundled_store_path, tmp_path_factory.mktemp("graphql-instruments"))
    with TestClient(create_app(path, workers=0)) as client:
        yield GraphQL(client)


def test_the_phases_of_natprolab(generated: GraphQL) -> None:
    """Span 2019-2022 over the years of data 2014-2023: before 1 work in 5 years, during 3 (2.5
    fractional) in 4, after 1 in 1."""
    (found,) = generated.data(PHASES, {"key": "irp-natprolab"})["instrument"]["copublications"]
    assert (found["partner"]["ror"], found["cnrsSide"], found["start"], found["end"]) == (
        "00rzspn62",
        [{"ror": "02st4q439"}],
        2019,
        2022,
    )
    assert found["before"] == {
        "firstYear": 2014,
        "lastYear": 2018,
        "years": 5,
        "works": 1.0,
        "fractional": 1.0,
        "rate": 0.2,
        "fractionalRate": 0.2,
    }
    assert found["during"] == {
        "firstYear": 2019,
        "lastYear": 2022,
        "years": 4,
        "works": 3.0,
        "fractional": 2.5,
        "rate": 0.75,
        "fractionalRate": 0.625,
    }
    assert (found["after"]["years"], found["after"]["works"], found["after"]["rate"]) == (1, 1.0, 1.0)
    assert found["perYear"] == [
        {"year": 2016, "works": 1.0, "fractional": 1.0},
        {"year": 2019, "works": 2.0, "fractional": 1.5},
        {"year": 2021, "works": 1.0, "fractional": 1.0},
        {"year": 2023, "works": 1.0, "fractional": 1.0},
    ]


def test_an_open_span_has_no_year_after_and_an_undated_one_no_phases(generated: GraphQL) -> None:
    (chirachem,) = generated.data(PHASES, {"key": "irp-chirachem"})["instrument"]["copublications"]
    assert chirachem["after"] == {
        "firstYear": None,
        "lastYear": None,
        "years": 0,
        "works": 0.0,
        "fractional": 0.0,
        "rate": None,
        "fractionalRate": None,
    }
    (focomat,) = generated.data(PHASES, {"key": "irp-focomat"})["instrument"]["copublications"]
    assert (focomat["start"], focomat["before"], focomat["during"], focomat["after"]) == (None, None, None, None)


def test_dormant_irls(generated: GraphQL) -> None:
    """2021-2023: CINTRA has no co-publication; BMC2, IPAL and MajuLab one each (work 7, with NUS)."""
    query = """{ dormantInstruments(minWorks: 2, years: 3, kinds: [IRL]) {
      totalCount nodes { instrument { key } firstYear lastYear works fractional } } }"""
    found = generated.data(query)["dormantInstruments"]
    assert found["totalCount"] == 4
    assert [(n["instrument"]["key"], n["works"]) for n in found["nodes"]] == [
        ("irl-cintra", 0.0),
        ("irl-bmc2", 1.0),
        ("irl-ipal", 1.0),
        ("irl-majulab", 1.0),
    ]
    assert {(n["firstYear"], n["lastYear"]) for n in found["nodes"]} == {(2021, 2023)}


def test_dormant_years_must_be_positive(generated: GraphQL) -> None:
    (error,) = generated.errors("{ dormantInstruments(years: 0) { totalCount } }")
    assert "years=0" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_example_on_the_bundled_data(gql: GraphQL) -> None:
    """IPAL's seven partner parties; the years of data 2014-2018, all during its span (2007, open);
    no co-publication with them. Dormant over 2016-2018: the agreements with NTU, TRF, VASS and VAST,
    IRLs BMC2, CINTRA, IPAL and MajuLab, UMIFRE IRASEC, none with a work (the LIAs and the network active
    then have no partner party)."""
    data = gql.data(EXAMPLE.read_text(encoding="utf-8"))
    partners = data["instrument"]["copublications"]
    assert len(partners) == 7
    for found in partners:
        assert (found["start"], found["end"], found["cnrsSide"]) == (2007, None, [{"name": CNRS_NAME}])
        assert (found["before"]["years"], found["after"]["years"]) == (0, 0)
        during = found["during"]
        assert (during["firstYear"], during["lastYear"], during["works"]) == (2014, 2018, 0.0)
    dormant = data["dormantInstruments"]
    assert dormant["totalCount"] == 9
    assert {(n["firstYear"], n["lastYear"], n["works"]) for n in dormant["nodes"]} == {(2016, 2018, 0.0)}
