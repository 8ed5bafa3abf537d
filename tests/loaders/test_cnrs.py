"""Tests of ``loaders.cnrs``: a golden subset, the bundled data queried with SPARQL, malformed rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders import cnrs, registry
from loaders.base import LoadError, SourceData
from ontology import PREFIXES, iris
from tests.golden import assert_golden, to_nquads

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "cnrs" / "instruments.csv"
GOLDEN = Path(__file__).with_name("golden") / "cnrs"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
SMALL = GOLDEN / "ipal-majulab-trf-office"

SG_IRLS = f"""
SELECT ?instrument ?acronym ?start WHERE {{
    VALUES ?sg {{ {iris.country("SG")} }}
    ?instrument a kg:CooperationInstrument ; kg:instrumentKind kg:IRL ; kg:country ?sg ;
        kg:acronym ?acronym ; schema:startDate ?start .
}}"""
PARTIES = """
SELECT ?acronym ?member ?role WHERE {
    ?instrument kg:acronym ?acronym ; kg:hasParty ?party .
    ?party a org:Membership ; org:member ?member ; org:organization ?instrument ; org:role ?role .
    ?member a org:Organization ; rdfs:label ?name .
}"""
SOURCES = "SELECT ?instrument ?url WHERE { ?instrument a kg:CooperationInstrument ; dcterms:source ?url }"
NOT_VERIFIED = "SELECT ?instrument ?note WHERE { ?instrument kg:verificationStatus kg:NotVerified ; skos:note ?note }"
SIGNED = (
    "SELECT ?instrument ?date WHERE { ?instrument kg:instrumentKind kg:FrameworkAgreement ; kg:signatureDate ?date }"
)
OFFICE_MOVE = f"""
ASK {{
    VALUES (?sg ?vn ?cnrs) {{ ({iris.country("SG")} {iris.country("VN")} {iris.ror_org("02feahw73")}) }}
    ?event a org:ChangeEvent ; org:originalOrganization ?hanoi ; org:resultingOrganization ?singapore ;
        dcterms:date "2014"^^xsd:gYear .
    ?hanoi a kg:RegionalOffice ; org:unitOf ?cnrs ; kg:country ?vn ;
        schema:startDate "2007"^^xsd:gYear ; schema:endDate "2014"^^xsd:gYear ; dcterms:source ?url .
    ?singapore a kg:RegionalOffice ; org:unitOf ?cnrs ; kg:country ?sg ;
        schema:startDate "2014"^^xsd:gYear ; dcterms:source ?url .
}}"""


def _store(sources: list[SourceData]) -> ox.Store:
    store = ox.Store()
    for source in sources:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, source.graph) for t in source.all_triples())
    return store


def _query(store: ox.Store, query: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    return store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)


def _select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    results = _query(store, query)
    assert isinstance(results, ox.QuerySolutions)
    rows = []
    for solution in results:
        terms = [solution[v] for v in results.variables]
        assert all(isinstance(term, ox.NamedNode | ox.Literal) for term in terms)
        rows.append(tuple(term.value for term in terms if isinstance(term, ox.NamedNode | ox.Literal)))
    return rows


def _key(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def bundled() -> list[SourceData]:
    return cnrs.load(DATA)


@pytest.fixture(scope="module")
def store(bundled: list[SourceData]) -> ox.Store:
    return _store(bundled)


# --- golden and contract ----------------------------------------------------------------------


# rdflib 7.6 warns from inside Dataset.parse, which tests.golden calls: not ours to fix here.
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    assert_golden(cnrs.load(GOLDEN / case / "instruments.csv"), GOLDEN / case / "expected.nq")


def test_detect_by_header() -> None:
    assert cnrs.detect(DATA)
    assert registry.detect_kind(DATA) == "cnrs"
    assert not cnrs.detect(DATA.with_name("parties.csv"))
    assert not cnrs.detect(DATA.with_name("cnrs_asean_structures_facts.csv"))
    assert not cnrs.detect(DATA.parent)


def test_one_source_graph_with_its_origin(bundled: list[SourceData]) -> None:
    [source] = bundled
    assert source.info.kind == "cnrs"
    assert source.info.name == "cnrs-asean"
    assert source.graph == iris.source_graph("cnrs", "cnrs-asean")
    assert source.info.license == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert "http://asean.cnrs.fr/spip.php?article89" in source.info.cited
    assert len(source.info.cited) == len(set(source.info.cited))
    dcterms_source = ox.NamedNode(PREFIXES["dcterms"] + "source")
    cited = {
        t.object.value for t in source.triples if t.predicate == dcterms_source and isinstance(t.object, ox.NamedNode)
    }
    assert cited == set(source.info.cited)


def test_reload_is_identical_and_has_no_blank_nodes(bundled: list[SourceData]) -> None:
    again = cnrs.load(DATA.parent)
    assert to_nquads(again) == to_nquads(bundled)
    terms = [term for t in bundled[0].all_triples() for term in (t.subject, t.object)]
    assert not any(isinstance(term, ox.BlankNode) for term in terms)


def test_ships_originals_licence_and_shared_keys(store: ox.Store) -> None:
    for name in ("cnrs_asean_structures_facts.csv", "cnrs_asean_agreements_facts.csv", "LICENSE", "ORIGIN.toml"):
        assert (DATA.parent / name).is_file()
    keys = {_key(i) for (i,) in _select(store, "SELECT ?i WHERE { ?i a kg:CooperationInstrument }")}
    shared = (
        "irl-ipal irl-cintra irl-majulab irl-bmc2 irl-healthdeep irl-fvma irp-focomat irp-natprolab "
        "irp-food-cultures-health irp-chirachem umifre-irasec agreement-vast agreement-vass agreement-ntu "
        "agreement-brin agreement-trf accord-cnstv-1977"
    )
    assert set(shared.split()) <= keys


# --- the bundled data -------------------------------------------------------------------------


def test_four_irls_in_singapore_with_start_dates(store: ox.Store) -> None:
    rows = {(_key(i), acronym, start) for i, acronym, start in _select(store, SG_IRLS)}
    assert rows == {
        ("irl-ipal", "IPAL", "2007-01"),
        ("irl-cintra", "CINTRA", "2009"),
        ("irl-majulab", "MajuLab", "2014"),
        ("irl-bmc2", "BMC2", "2014"),
    }


def test_singapore_irls_partners(store: ox.Store) -> None:
    members: dict[str, set[str]] = {}
    for acronym, member, role in _select(store, PARTIES):
        if role == PREFIXES["kg"] + "SupervisingBodyRole":
            members.setdefault(acronym, set()).add(_key(member))
    cnrs_, nus, ntu = "02feahw73", "01tgyzw49", "02e7b5302"
    assert {cnrs_, "02rx3b187", "institut-mines-telecom", nus, "036wvzt09"} <= members["IPAL"]
    assert members["CINTRA"] == {cnrs_, ntu, "04emwm605"}
    assert members["MajuLab"] == {cnrs_, "019tgvf94", "02en5vm52", nus, ntu}
    assert members["BMC2"] == {cnrs_, nus}


def test_singapore_irls_sources(store: ox.Store) -> None:
    urls: dict[str, set[str]] = {}
    for instrument, url in _select(store, SOURCES):
        urls.setdefault(_key(instrument), set()).add(url)
    for key in ("irl-ipal", "irl-cintra", "irl-majulab", "irl-bmc2"):
        assert "https://cnrssingapore.cnrs.fr/partnerships-in-singapore/" in urls[key]
    # the comma in this URL split it in two in the original CSV
    assert "http://www.ambafrance-sg.org/A-new-agreement-of-joint-bilateral,2544" in urls["irl-ipal"]
    assert "http://www.ambafrance-sg.org/France-and-Singapore-formalize-new" in urls["irl-majulab"]


def test_trf_agreement_is_kept_and_marked_not_verified(store: ox.Store) -> None:
    [(instrument, note)] = _select(store, NOT_VERIFIED)
    assert instrument == iris.instrument("agreement-trf").value
    assert note.startswith("No public source found")
    assert ("agreement-trf", "2000") in {(_key(i), d) for i, d in _select(store, SIGNED)}


def test_vast_1983_agreement_and_1977_accord_each_with_its_source(store: ox.Store) -> None:
    dates = {_key(i): d for i, d in _select(store, SIGNED)}
    assert dates["agreement-vast"] == "1983"
    assert dates["accord-cnstv-1977"] == "1977-04"
    urls: dict[str, set[str]] = {}
    for instrument, url in _select(store, SOURCES):
        urls.setdefault(_key(instrument), set()).add(url)
    assert len(urls["agreement-vast"]) == 1
    assert next(iter(urls["agreement-vast"])).startswith("https://vast.gov.vn/")
    assert urls["accord-cnstv-1977"] == {"http://www.cnrs.fr/cw/fr/pres/compress/CnsshVietnam.htm"}
    vast, accord = iris.instrument("agreement-vast"), iris.instrument("accord-cnstv-1977")
    assert _query(store, f"ASK {{ {vast} kg:predecessorInstrument {accord} }}")


def test_regional_office_moves_from_hanoi_to_singapore(store: ox.Store) -> None:
    assert _query(store, OFFICE_MOVE)
    event = iris.change_event("office-hanoi-to-singapore")
    assert any(store.quads_for_pattern(event, None, iris.office("singapore")))


# --- malformed input --------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for path in SMALL.iterdir():
        if path.name != "expected.nq":
            shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(path: Path, prefix: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in the one line starting with ``prefix``; return that line's number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    [number] = [n for n, line in enumerate(lines, start=1) if line.startswith(prefix)]
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return number


MALFORMED = [
    (
        "instruments.csv",
        "irl-ipal,",
        ",2007-01,",
        ",2023-13,",
        "start_date",
        "'2023-13' is not a date (YYYY, YYYY-MM or YYYY-MM-DD); fix the row",
    ),
    ("instruments.csv", "irl-majulab,", ",SG,", ",XX,", "country", "'XX' is not an ISO 3166-1 alpha-2 country code"),
    ("instruments.csv", "irl-majulab,", ",IRL,", ",IRX,", "kind", "'IRX' is not one of IRL, IRP"),
    ("instruments.csv", "irl-majulab,", ",027jrtw17,", ",027jrtw1,", "lab_ror", "'027jrtw1' is not a ROR id"),
    ("instruments.csv", "lia-fsql,", "lia-fsql,", "irl-ipal,", "key", "'irl-ipal' is already the key of line 2"),
    (
        "instruments.csv",
        "irl-majulab,",
        ",lia-fsql,",
        ",lia-fsq,",
        "predecessor",
        "'lia-fsq' is not the key of another instrument",
    ),
    (
        "parties.csv",
        "irl-majulab,Sorbonne",
        "irl-majulab,",
        "irl-majulabb,",
        "instrument",
        "'irl-majulabb' is not a key of instruments.csv",
    ),
    (
        "parties.csv",
        "agreement-trf,Thailand",
        ",03gd1bh37,",
        ",https://ror.org/03gd1bh37,",
        "party_ror",
        "is not a bare ROR id; write 03gd1bh37",
    ),
    (
        "parties.csv",
        "irl-ipal,Institut Mines",
        ",supervising_body,",
        ",tutelle,",
        "role",
        "'tutelle' is not one of coordinator",
    ),
    ("offices.csv", "singapore,", ",SG,2014,", ",SG,2014-7,", "start_date", "'2014-7' is not a date"),
]


@pytest.mark.parametrize(("file", "prefix", "old", "new", "field", "message"), MALFORMED)
def test_malformed_row_names_file_line_and_field(
    folder: Path, file: str, prefix: str, old: str, new: str, field: str, message: str
) -> None:
    line = _edit(folder / file, prefix, old, new)
    with pytest.raises(LoadError) as caught:
        cnrs.load(folder / "instruments.csv")
    assert str(caught.value).startswith(f"{folder / file}:{line}:{field}: ")
    assert message in str(caught.value)
    assert (caught.value.line, caught.value.field) == (line, field)


def test_line_numbers_are_physical_lines(folder: Path) -> None:
    # a quoted note spanning two lines shifts every later row by one
    _edit(folder / "instruments.csv", "irl-majulab,", "lists NTU, NUS", "lists NTU,\nNUS")
    line = _edit(folder / "instruments.csv", "agreement-trf,", ",2000,", ",20000,")
    assert line == 6
    with pytest.raises(LoadError, match=rf"instruments\.csv:{line}:signature_date: '20000' is not a date"):
        cnrs.load(folder / "instruments.csv")


def test_wrong_column_set(folder: Path) -> None:
    _edit(folder / "parties.csv", "instrument,", ",role,", ",rôle,")
    with pytest.raises(LoadError, match=r"parties\.csv:1: missing columns role; unknown columns rôle; the header must"):
        cnrs.load(folder / "instruments.csv")


def test_same_body_with_two_names(folder: Path) -> None:
    line = _edit(folder / "parties.csv", "agreement-trf,CNRS", "CNRS", "Centre national de la recherche scientifique")
    with pytest.raises(LoadError, match=rf"parties\.csv:{line}:party: 02feahw73 is named 'CNRS' on line 2"):
        cnrs.load(folder / "instruments.csv")


def test_missing_companion_file(folder: Path) -> None:
    (folder / "offices.csv").unlink()
    with pytest.raises(LoadError, match=r"offices\.csv: no such file"):
        cnrs.load(folder / "instruments.csv")


def test_irl_without_supervising_body(folder: Path) -> None:
    parties = folder / "parties.csv"
    lines = parties.read_text(encoding="utf-8").splitlines(keepends=True)
    parties.write_text("".join(line for line in lines if not line.startswith("irl-majulab,")), encoding="utf-8")
    with pytest.raises(LoadError, match=r"instruments\.csv:3:key: the unit of 'irl-majulab' has no supervising body"):
        cnrs.load(folder / "instruments.csv")
