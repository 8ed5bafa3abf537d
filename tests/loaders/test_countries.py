"""The countries loader: golden graphs, the bundled tables, dated ASEAN membership, bad input."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders import countries
from loaders.base import LoadError, SourceData
from ontology import KG, ORG, RDF, RDFS, SCHEMA, XSD, iris
from tests.golden import assert_golden, to_nquads

GOLDEN = Path(__file__).parent / "golden" / "countries"
DATA = Path(__file__).resolve().parents[2] / "data" / "countries"
M49_TABLE = DATA / "lukes_iso3166_m49_all.csv"
ASEAN_TABLE = DATA / "asean" / "asean_membership.csv"
M49_HEADER = (
    "name,alpha-2,alpha-3,country-code,iso_3166-2,region,sub-region,intermediate-region,"
    "region-code,sub-region-code,intermediate-region-code\n"
)
MEMBERSHIP_HEADER = "group,alpha2,country,joined,note,source\n"

# Members of ?group on ?date: joined on or before it and not left by then. The bound variables are
# projected because pyoxigraph substitutes only projected ones.
MEMBERS_AS_OF = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?group ?date ?country WHERE {
  ?group org:hasMembership ?membership .
  ?membership org:member ?country ; schema:startDate ?start .
  FILTER(?start <= ?date)
  FILTER NOT EXISTS { ?membership schema:endDate ?end . FILTER(?end <= ?date) }
}
"""


def _store(sources: list[SourceData]) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, s.graph) for s in sources for t in s.all_triples())
    return store


@pytest.fixture(scope="module")
def bundled() -> list[SourceData]:
    return countries.load(M49_TABLE) + countries.load(ASEAN_TABLE)


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    ("case", "filename"),
    [("lukes_sample", "lukes_iso3166_m49_all.csv"), ("asean_membership", "asean_membership.csv")],
)
def test_golden(case: str, filename: str) -> None:
    assert_golden(countries.load(GOLDEN / case / filename), GOLDEN / case / "expected.nq")


def test_detect_tells_the_tables_from_other_files() -> None:
    assert countries.detect(M49_TABLE)
    assert countries.detect(ASEAN_TABLE)
    assert not countries.detect(DATA / "ORIGIN.toml")
    assert not countries.detect(DATA)
    assert not countries.detect(GOLDEN / "lukes_sample" / "expected.nq")


def test_each_file_is_its_own_graph(bundled: list[SourceData]) -> None:
    assert [s.graph for s in bundled] == [
        iris.source_graph("countries", "lukes_iso3166_m49_all.csv"),
        iris.source_graph("countries", "asean_membership.csv"),
    ]
    assert bundled[1].info.license == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert bundled[0].info.license == "https://creativecommons.org/licenses/by-sa/4.0/"


def test_reload_is_identical_and_has_no_blank_node(bundled: list[SourceData]) -> None:
    again = countries.load(M49_TABLE) + countries.load(ASEAN_TABLE)
    assert to_nquads(again) == to_nquads(bundled)
    assert "_:" not in to_nquads(bundled)


def test_every_country_of_the_table(bundled: list[SourceData]) -> None:
    triples = set(bundled[0].triples)
    assert sum(1 for t in triples if t.predicate == RDF.type and t.object == KG.Country) == 249
    vn = iris.country("VN")
    assert ox.Triple(vn, KG.numericCode, ox.Literal("704")) in triples
    assert ox.Triple(vn, KG.subRegion, iris.m49_area("35")) in triples
    assert ox.Triple(iris.m49_area("35"), SCHEMA.containedInPlace, iris.m49_area("142")) in triples
    assert ox.Triple(iris.m49_area("142"), SCHEMA.containedInPlace, iris.m49_area("001")) in triples
    assert ox.Triple(iris.m49_area("001"), RDFS.label, ox.Literal("World", language="en")) in triples
    # Antarctica has no M49 area: a country all the same, with no region.
    aq = iris.country("AQ")
    assert ox.Triple(aq, RDF.type, KG.Country) in triples
    assert not [t for t in triples if t.subject == aq and t.predicate == KG.region]


def test_asean_group(bundled: list[SourceData]) -> None:
    triples = set(bundled[1].triples)
    asean = iris.country_group("asean")
    assert ox.Triple(asean, RDF.type, KG.CountryGroup) in triples
    assert ox.Triple(asean, RDF.type, ORG.FormalOrganization) in triples
    assert ox.Triple(asean, KG.acronym, ox.Literal("ASEAN")) in triples
    assert ox.Triple(asean, SCHEMA.foundingDate, ox.Literal("1967-08-08", datatype=XSD.date)) in triples
    timor = iris.membership("asean", "TL")
    assert ox.Triple(asean, ORG.hasMembership, timor) in triples
    assert ox.Triple(timor, SCHEMA.startDate, ox.Literal("2025-10-26", datatype=XSD.date)) in triples


@pytest.mark.parametrize(
    ("date", "members"),
    [("1967-08-08", 5), ("1995-07-28", 7), ("2019-01-01", 10), ("2025-10-25", 10), ("2026-01-01", 11)],
)
def test_asean_members_as_of(bundled: list[SourceData], date: str, members: int) -> None:
    store = _store(bundled)
    result = store.query(
        MEMBERS_AS_OF,
        use_default_graph_as_union=True,
        substitutions={
            ox.Variable("group"): iris.country_group("asean"),
            ox.Variable("date"): ox.Literal(date, datatype=XSD.date),
        },
    )
    assert isinstance(result, ox.QuerySolutions)
    assert len(list(result)) == members


# --- bad input --------------------------------------------------------------------------------


def _write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    (folder / "ORIGIN.toml").write_text(
        (GOLDEN / "asean_membership" / "ORIGIN.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return path


def _one_line_error(path: Path) -> str:
    with pytest.raises(LoadError) as caught:
        countries.load(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_unknown_country_code(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "countries.csv",
        M49_HEADER
        + 'France,FR,FRA,250,ISO 3166-2:FR,Europe,Western Europe,"",150,155,""\n'
        + 'Freedonia,XF,XFD,999,ISO 3166-2:XF,Europe,Western Europe,"",150,155,""\n',
    )
    message = _one_line_error(path)
    assert message.startswith(f"{path}:3:alpha-2: unknown ISO 3166-1 alpha-2 code 'XF'")


def test_unknown_country_code_in_membership(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "members.csv", MEMBERSHIP_HEADER + "asean,ID,Indonesia,1967-08-08,,\nasean,XA,X,1990-01-01,,\n"
    )
    assert _one_line_error(path).startswith(f"{path}:3:alpha2: unknown ISO 3166-1 alpha-2 code 'XA'")


def test_codes_must_agree_with_iso(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "countries.csv", M49_HEADER + 'France,FR,FRX,250,ISO 3166-2:FR,Europe,Western Europe,"",150,155,""\n'
    )
    assert _one_line_error(path).startswith(f"{path}:2:alpha-3:")


def test_an_area_keeps_one_name(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "countries.csv",
        M49_HEADER
        + 'France,FR,FRA,250,ISO 3166-2:FR,Europe,Western Europe,"",150,155,""\n'
        + 'Belgium,BE,BEL,056,ISO 3166-2:BE,Europe,West Europe,"",150,155,""\n',
    )
    assert _one_line_error(path).startswith(f"{path}:3:sub-region-code: area 155 differs from line 2")


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("asean,VN,Viet Nam,1995,,", "joined"),
        ("asean,VN,Viet Nam,1960-01-01,,", "joined"),
        ("nato,FR,France,1949-04-04,,", "group"),
    ],
)
def test_bad_membership_rows(tmp_path: Path, row: str, field: str) -> None:
    path = _write(tmp_path, "members.csv", MEMBERSHIP_HEADER + row + "\n")
    assert _one_line_error(path).startswith(f"{path}:2:{field}:")


def test_a_source_needs_its_origin(tmp_path: Path) -> None:
    path = tmp_path / "countries.csv"
    path.write_text(M49_HEADER + 'France,FR,FRA,250,ISO 3166-2:FR,Europe,Western Europe,"",150,155,""\n', "utf-8")
    assert _one_line_error(path).startswith(f"{tmp_path / 'ORIGIN.toml'}:retrieved: missing")
