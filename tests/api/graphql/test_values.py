"""Every value with its source and its precision, dates of any precision as ``asOf`` and ``during``,
and the ROR id and country of the bodies the CNRS table names: GraphQL over the bundled store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph import OxigraphStore
from graph.writing import write_sources
from loaders import cnrs
from ontology import iris
from tests.api.graphql.conftest import GraphQL

ROOT = Path(__file__).resolve().parents[3]
SEED_003 = iris.source_graph("seed", "003_1063290ea1a7e848.txt").value
TABLE = iris.source_graph("cnrs", "cnrs-asean").value
ROR_REFERENCED = iris.source_graph("ror", "ror_referenced_schema_v2.json").value
HANOI = iris.office("hanoi").value
VALUE = "value precision preferred source { graph kind document pages }"


def _values(found: list[dict[str, Any]]) -> list[tuple[str, str | None, bool, str]]:
    return [(v["value"], v["precision"], v["preferred"], v["source"]["graph"]) for v in found]


def _office(gql: GraphQL, iri: str, fields: str) -> dict[str, Any]:
    nodes = gql.data(f"{{ offices {{ nodes {{ iri {fields} }} }} }}")["offices"]["nodes"]
    (office,) = [n for n in nodes if n["iri"] == iri]
    return office  # type: ignore[no-any-return]


def test_hanoi_office_start_is_given_by_each_source(gql: GraphQL) -> None:
    office = _office(gql, HANOI, f"start dateNote values(field: START) {{ {VALUE} }}")
    assert office["start"] == "2006"  # the preferred value: the earliest
    assert _values(office["values"]) == [("2006", "YEAR", True, SEED_003), ("2007", "YEAR", False, TABLE)]
    seed, table = (v["source"] for v in office["values"])
    assert (seed["kind"], seed["document"]) == ("seed", "003_1063290ea1a7e848.txt")
    assert table["kind"] == "cnrs"
    assert table["pages"] == ["http://asean.cnrs.fr/spip.php?article89"]


def test_ntu_agreement_was_signed_on_the_day_its_source_gives(gql: GraphQL) -> None:
    query = f'{{ instrument(key: "agreement-ntu") {{ signed values(field: SIGNED) {{ {VALUE} }} }} }}'
    found = gql.data(query)["instrument"]
    assert found["signed"] == "2005-09-22"  # not the "2005" of the vaguer seed document
    assert _values(found["values"]) == [("2005-09-22", "DAY", True, TABLE), ("2005", "YEAR", False, SEED_003)]


def test_a_month_keeps_its_precision(gql: GraphQL) -> None:
    found = gql.data('{ instrument(key: "irl-ipal") { start values(field: START) { value precision } } }')
    assert found["instrument"] == {"start": "2007-01", "values": [{"value": "2007-01", "precision": "MONTH"}]}


def test_names_kinds_and_countries_with_their_sources(gql: GraphQL) -> None:
    query = """{ instrument(key: "agreement-ntu") {
      name names: values(field: NAME) { value language preferred source { kind } }
      kind kinds: values(field: KIND) { value precision source { kind } }
      countries: values(field: COUNTRY) { value source { kind } } } }"""
    found = gql.data(query)["instrument"]
    assert found["names"] == [
        {"value": found["name"], "language": "en", "preferred": True, "source": {"kind": "cnrs"}},
        {
            "value": "CNRS - Nanyang Technological University bilateral agreement",
            "language": "en",
            "preferred": False,
            "source": {"kind": "seed"},
        },
    ]
    assert found["kind"] == "AGREEMENT"
    assert {(v["value"], v["precision"], v["source"]["kind"]) for v in found["kinds"]} == {
        ("AGREEMENT", None, "cnrs"),
        ("AGREEMENT", None, "seed"),
    }
    assert {(v["value"], v["source"]["kind"]) for v in found["countries"]} == {("SG", "cnrs"), ("SG", "seed")}


def test_a_list_field_shows_every_value(gql: GraphQL) -> None:
    query = '{ instrument(key: "irl-ipal") { renewals values(field: RENEWED) { value precision preferred } } }'
    found = gql.data(query)["instrument"]
    assert [v["value"] for v in found["values"]] == found["renewals"] == ["2011-02"]
    assert all(v["preferred"] and v["precision"] == "MONTH" for v in found["values"])


@pytest.mark.parametrize(
    ("as_of", "offices"),
    [
        ("2005", []),
        ("2006", ["hanoi"]),  # its preferred start, the seed's 2006
        ("2014", ["hanoi", "singapore"]),  # closed in 2014, opened in 2014: both at some time in 2014
        ("2014-06", ["hanoi", "singapore"]),
        ("2014-12-31", ["hanoi", "singapore"]),
        ("2015", ["singapore"]),
        ("2010-01-01", ["hanoi"]),
    ],
)
def test_offices_as_of_a_year_a_month_or_a_day(gql: GraphQL, as_of: str, offices: list[str]) -> None:
    found = gql.data("query ($d: Date) { offices(asOf: $d) { nodes { iri } } }", {"d": as_of})["offices"]["nodes"]
    assert [n["iri"] for n in found] == [iris.office(key).value for key in offices]


@pytest.mark.parametrize(
    ("as_of", "members"),
    [("2024", 10), ("2025", 11), ("2025-10", 11), ("2025-10-25", 10), ("2025-10-26", 11), ("1967", 5), ("1966", 0)],
)
def test_asean_members_as_of_a_year_a_month_or_a_day(gql: GraphQL, as_of: str, members: int) -> None:
    # Timor-Leste joined on 2025-10-26: a member "as of 2025" and "as of 2025-10", not as of 2025-10-25.
    query = f'{{ countries(filter: {{group: ASEAN, asOf: "{as_of}"}}) {{ totalCount }} }}'
    assert gql.data(query)["countries"]["totalCount"] == members


@pytest.mark.parametrize(
    ("arguments", "running"),
    [
        ('activeOn: "2006-12"', False),
        ('activeOn: "2007-01"', True),  # IPAL became a UMI in January 2007
        ('activeOn: "2007"', True),
        ('activeOn: "2006"', False),
        ('during: {start: "2006", end: "2006-12"}', False),
        ('during: {start: "2006-06", end: "2007"}', True),
        ('during: {end: "2007-01-01"}', True),
    ],
)
def test_instruments_running_at_a_date_of_any_precision(gql: GraphQL, arguments: str, running: bool) -> None:
    query = f"{{ instruments(filter: {{kind: [IRL], {arguments}}}, first: 100) {{ nodes {{ key }} }} }}"
    keys = [n["key"] for n in gql.data(query)["instruments"]["nodes"]]
    assert ("irl-ipal" in keys) is running


def test_parties_and_hierarchy_take_a_year(gql: GraphQL) -> None:
    query = """{ instrument(key: "irl-ipal") { parties(asOf: "2020") { totalCount } }
                 institution(ror: "02feahw73") { children(during: {start: "2014", end: "2014"}) { totalCount } } }"""
    found = gql.data(query)
    assert found["instrument"]["parties"]["totalCount"] > 0
    assert found["institution"]["children"]["totalCount"] > 0


@pytest.mark.parametrize(
    ("query", "named", "value"),
    [
        ('{ offices(asOf: "2020-13") { totalCount } }', "asOf", "'2020-13'"),
        ('{ offices(asOf: "2020-02-30") { totalCount } }', "asOf", "'2020-02-30'"),
        ("{ offices(asOf: 2020) { totalCount } }", "asOf", "2020 (not a string: quote it)"),
        ('{ offices(during: {start: "June 2020"}) { totalCount } }', "during.start", "'June 2020'"),
        ('{ countries(filter: {group: ASEAN, asOf: "20-20"}) { totalCount } }', "filter.asOf", "'20-20'"),
        ('{ instruments(filter: {activeOn: "soon"}) { totalCount } }', "filter.activeOn", "'soon'"),
    ],
)
def test_a_bad_date_names_its_argument_and_the_accepted_forms(gql: GraphQL, query: str, named: str, value: str) -> None:
    (error,) = gql.errors(query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == (
        f"{named}: {value} is not a date; give a year (2020), a month (2020-06) or a day (2020-06-30)"
    )


def test_a_bad_date_in_the_variables_names_the_variable(gql: GraphQL) -> None:
    (error,) = gql.errors("query ($d: Date) { offices(asOf: $d) { totalCount } }", {"d": "2020-6"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$d" in error["message"]
    assert "'2020-6' is not a date; give a year (2020)" in error["message"]


def test_during_compares_the_first_day_of_its_start_with_the_last_of_its_end(gql: GraphQL) -> None:
    assert gql.data('{ offices(during: {start: "2014-06", end: "2014"}) { totalCount } }')["offices"]["totalCount"] == 2
    (error,) = gql.errors('{ offices(during: {start: "2015", end: "2014-06"}) { totalCount } }')
    assert error["message"] == "during: start 2015 is after end 2014-06"


# -- the bodies the CNRS table names by their ROR ids ------------------------------------------------

TABLE_BODIES = {"02en5vm52": "Sorbonne Université", "04emwm605": "Thales", "019tgvf94": "Université Côte d'Azur"}
BODIES = """{ cintra: instrument(key: "irl-cintra") { ...bodies }
  majulab: instrument(key: "irl-majulab") { ...bodies } }
fragment bodies on Instrument { parties { nodes { institution {
  iri ror countryCode countries: values(field: COUNTRY) { value source { graph kind } } } } } }"""


def _bodies(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        n["institution"]["ror"]: n["institution"]
        for instrument in found.values()
        for n in instrument["parties"]["nodes"]
        if n["institution"]["iri"] in {iris.ror_org(r).value for r in TABLE_BODIES}
    }


def test_table_bodies_carry_ror_id_and_country_from_the_ror_records(gql: GraphQL) -> None:
    bodies = _bodies(gql.data(BODIES))
    assert sorted(bodies) == sorted(TABLE_BODIES)
    for body in bodies.values():
        assert body["countryCode"] == "FR"
        assert body["countries"] == [{"value": "FR", "source": {"graph": ROR_REFERENCED, "kind": "ror"}}]


@pytest.fixture(scope="module")
def table_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphQL]:
    """A store holding the CNRS table alone: no ROR record describes the bodies it names."""
    path = tmp_path_factory.mktemp("table") / "store"
    with OxigraphStore(path) as store:
        write_sources(store, cnrs.load(ROOT / "data" / "cnrs"))
    with TestClient(create_app(path, workers=0)) as client:
        yield GraphQL(client)


def test_table_bodies_carry_their_ror_id_without_a_ror_record(table_only: GraphQL) -> None:
    bodies = _bodies(table_only.data(BODIES))
    assert sorted(bodies) == sorted(TABLE_BODIES)
    for body in bodies.values():
        assert body["countryCode"] is None  # no source gives it: none is made up
        assert body["countries"] == []
    names = table_only.data('{ institution(ror: "04emwm605") { name ror identifiers { ror } } }')["institution"]
    assert names == {"name": "Thales", "ror": "04emwm605", "identifiers": {"ror": "04emwm605"}}


def test_a_body_known_only_by_its_ror_iri_carries_that_id(gql: GraphQL) -> None:
    # The Université du Québec: named by the bundled ROR record of one of its members, its own not bundled.
    query = '{ institution(ror: "002rjbv21") { parents { nodes { institution { name ror } } } } }'
    parents = gql.data(query)["institution"]["parents"]["nodes"]
    assert {"name": "unnamed organisation (ROR 010gxg263)", "ror": "010gxg263"} in [p["institution"] for p in parents]
