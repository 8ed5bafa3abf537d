"""The ROR loader: golden graphs from real records, detection, the dump zip, bad input, full bundled files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from loaders import ror
from loaders.base import LoadError, SourceData
from ontology import KG, ORG, RDF, RDFS, SCHEMA, XSD, iris
from tests.golden import assert_golden

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "ror"
GOLDEN = Path(__file__).with_name("golden") / "ror"
CNRS_FILE = DATA / "ror_02feahw73_cnrs_v2.9.json"
CHILDREN_FILE = DATA / "ror_cnrs_children_schema_v2.json"
ASEAN_V2_FILE = DATA / "ror_asean_schema_v2.json"
ASEAN_V1_FILE = DATA / "ror_asean_schema_v1.json"

CNRS = iris.ror_org("02feahw73")
TSRI = iris.ror_org("000025p04")
TRF = iris.ror_org("03gd1bh37")
NTU = iris.ror_org("02e7b5302")


def _records(path: Path) -> list[dict[str, Any]]:
    value = json.loads(path.read_text(encoding="utf-8"))
    return [value] if isinstance(value, dict) else list(value)


def _record(path: Path, ror_id: str) -> dict[str, Any]:
    return next(r for r in _records(path) if r["id"].endswith(ror_id))


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    """One record a line, after the opening bracket: record n is on line n + 1."""
    path.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n", encoding="utf-8")
    return path


def _triples(sources: list[SourceData]) -> set[ox.Triple]:
    return {t for source in sources for t in source.triples}


def _objects(triples: set[ox.Triple], subject: ox.NamedNode, predicate: ox.NamedNode) -> set[object]:
    return {t.object for t in triples if t.subject == subject and t.predicate == predicate}


def _subjects(triples: set[ox.Triple], predicate: ox.NamedNode, obj: object) -> set[object]:
    return {t.subject for t in triples if t.predicate == predicate and t.object == obj}


# --- golden graphs ------------------------------------------------------------------------------


# rdflib 7.6's own N-Quads parser calls its deprecated Dataset.default_context (tests/golden.py parses N-Quads).
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()))
def test_golden(case: str) -> None:
    folder = GOLDEN / case
    assert_golden(ror.load(folder / "input.json"), folder / "expected.nq")


def test_golden_cases_cover_both_schemas_and_mixed_units() -> None:
    """Guard against golden folders that silently stop exercising what they were made for."""
    expected = {p.name: (p / "expected.nq").read_text(encoding="utf-8") for p in GOLDEN.iterdir() if p.is_dir()}
    assert f"<{KG.MixedResearchUnit.value}>" in expected["cnrs_children_v2"]
    assert f"<{KG.predecessor.value}>" in expected["asean_v2_predecessor"]
    assert f"<{KG.successor.value}>" in expected["asean_v1"]
    assert f"<{KG.ResearchOrganisation.value}>" in expected["cnrs_v2_trimmed"]


# --- detection ----------------------------------------------------------------------------------


def test_detect_bundled_files() -> None:
    assert ror.detect(CNRS_FILE)  # one v2 record
    assert ror.detect(CHILDREN_FILE)  # v2 list
    assert ror.detect(ASEAN_V1_FILE)  # v1 list
    assert not ror.detect(DATA / "provenance_release_folder.json")  # JSON, but not records
    assert not ror.detect(DATA / "ORIGIN.toml")
    assert not ror.detect(DATA)


def test_detect_ignores_json_that_only_mentions_a_ror_id(tmp_path: Path) -> None:
    # An OpenAlex institution links to ROR under "ror"; its own id is an OpenAlex one.
    path = tmp_path / "I1294671590.json"
    path.write_text(json.dumps({"id": "https://openalex.org/I1294671590", "ror": "https://ror.org/02feahw73"}))
    assert not ror.detect(path)


def test_detect_zip(tmp_path: Path) -> None:
    dump = tmp_path / "v1.99-2026-06-23-ror-data.zip"
    with zipfile.ZipFile(dump, "w") as archive:
        archive.writestr("v1.99-2026-06-23-ror-data.json", json.dumps([_record(ASEAN_V1_FILE, "03gd1bh37")]))
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("notes.txt", "no records here")
    not_zip = tmp_path / "broken.zip"
    not_zip.write_text("not a zip", encoding="utf-8")
    assert ror.detect(dump)
    assert not ror.detect(other)
    assert not ror.detect(not_zip)


def test_schema_version_told_per_record(tmp_path: Path) -> None:
    mixed = _write(tmp_path / "mixed.json", [_record(ASEAN_V1_FILE, "03gd1bh37"), _record(ASEAN_V2_FILE, "000025p04")])
    records = ror.parse_records(mixed.read_text(encoding="utf-8"), str(mixed))
    assert [(r.ror, r.schema) for r in records] == [("03gd1bh37", 1), ("000025p04", 2)]
    assert records[0].types == ("government",)  # v1 "Government", lower-cased
    assert ("successor", "000025p04") in records[0].relationships  # v1 "Successor"


# --- the data-dump zip --------------------------------------------------------------------------


def _dump(tmp_path: Path, members: dict[str, list[dict[str, Any]]]) -> Path:
    path = tmp_path / "v1.99-2026-06-23-ror-data.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, records in members.items():
            archive.writestr(name, json.dumps(records, ensure_ascii=False))
        archive.writestr("v1.99-2026-06-23-ror-data.csv", "id,name\n")
    return path


def test_zip_prefers_schema_v2_member(tmp_path: Path) -> None:
    v1 = [_record(ASEAN_V1_FILE, "03gd1bh37")]
    v2 = [_record(ASEAN_V2_FILE, "000025p04"), _record(ASEAN_V2_FILE, "02e7b5302")]
    dump = _dump(tmp_path, {"v1.99-2026-06-23-ror-data.json": v1, "v1.99-2026-06-23-ror-data_schema_v2.json": v2})
    [source] = ror.load(dump)
    triples = _triples([source])
    assert source.info.name == dump.name
    assert source.graph == iris.source_graph("ror", dump.name)
    assert source.info.retrieved == "2026-06-23"  # the release date in the dump's name
    assert source.info.license == ror.CC0
    assert _objects(triples, NTU, KG.country) == {iris.country("SG")}
    assert _objects(triples, TSRI, KG.predecessor) == {TRF}
    assert _objects(triples, TRF, RDFS.label) == set()  # only the v2 member was read


def test_zip_with_only_v1_member(tmp_path: Path) -> None:
    dump = _dump(tmp_path, {"v1.99-2026-06-23-ror-data.json": [_record(ASEAN_V1_FILE, "03gd1bh37")]})
    triples = _triples(ror.load(dump))
    assert _objects(triples, TRF, RDFS.label) == {ox.Literal("Thailand Research Fund")}
    assert _objects(triples, TRF, KG.rorStatus) == {ox.Literal("inactive")}


def test_zip_without_records_is_a_load_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "")
    with pytest.raises(LoadError, match="no ROR JSON file"):
        ror.load(path)


def test_error_inside_zip_names_the_member(tmp_path: Path) -> None:
    bad = _record(ASEAN_V2_FILE, "000025p04") | {"id": "https://ror.org/nope"}
    dump = _dump(tmp_path, {"v1.99-2026-06-23-ror-data_schema_v2.json": [bad]})
    with pytest.raises(LoadError) as caught:
        ror.load(dump)
    assert caught.value.path == f"{dump}!v1.99-2026-06-23-ror-data_schema_v2.json"


# --- bad input ----------------------------------------------------------------------------------


def test_bad_ror_id(tmp_path: Path) -> None:
    records = [_record(ASEAN_V2_FILE, "02e7b5302"), _record(ASEAN_V2_FILE, "000025p04") | {"id": "https://ror.org/I0O"}]
    path = _write(tmp_path / "bad_id.json", records)
    with pytest.raises(LoadError) as caught:
        ror.load(path)
    error = caught.value
    assert (error.path, error.line, error.field) == (str(path), 3, "id")
    assert str(error).startswith(f"{path}:3:id: record 2 (https://ror.org/I0O): 'https://ror.org/I0O' is not a ROR id")


def test_bad_relationship_id(tmp_path: Path) -> None:
    record = _record(ASEAN_V2_FILE, "000025p04")
    record["relationships"][0]["id"] = "https://ror.org/03gd1bh3"
    with pytest.raises(LoadError) as caught:
        ror.load(_write(tmp_path / "bad_rel.json", [record]))
    assert (caught.value.line, caught.value.field) == (2, "relationships")
    assert caught.value.message.startswith("record 1 (https://ror.org/000025p04): 'https://ror.org/03gd1bh3'")


def test_unknown_country_code(tmp_path: Path) -> None:
    record = _record(ASEAN_V2_FILE, "02e7b5302")
    record["locations"][0]["geonames_details"]["country_code"] = "QQ"
    path = _write(tmp_path / "bad_country.json", [record])
    with pytest.raises(LoadError) as caught:
        ror.load(path)
    assert (caught.value.line, caught.value.field) == (2, "locations")
    assert f"{path}:2:locations: record 1 (https://ror.org/02e7b5302):" in str(caught.value)
    assert "unknown ISO 3166-1 alpha-2 country code 'QQ'" in str(caught.value)


def test_unknown_country_code_v1(tmp_path: Path) -> None:
    record = _record(ASEAN_V1_FILE, "03gd1bh37") | {"country": {"country_name": "Nowhere", "country_code": "QQ"}}
    with pytest.raises(LoadError) as caught:
        ror.load(_write(tmp_path / "bad_country_v1.json", [record]))
    assert caught.value.field == "country.country_code"


def test_kosovo_user_assigned_code_is_accepted(tmp_path: Path) -> None:
    # GeoNames, hence ROR, writes XK for Kosovo, which ISO 3166-1 (and pycountry) leaves unassigned.
    record = _record(ASEAN_V2_FILE, "02e7b5302")
    record["locations"][0]["geonames_details"]["country_code"] = "XK"
    triples = _triples(ror.load(_write(tmp_path / "kosovo.json", [record])))
    assert _objects(triples, NTU, KG.country) == {iris.country("XK")}


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    text = CNRS_FILE.read_text(encoding="utf-8").splitlines()
    text[3] += ","  # a trailing comma inside "admin"
    path = tmp_path / "broken.json"
    path.write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        ror.load(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 4
    assert "not valid JSON" in caught.value.message


def test_json_damaged_between_records(tmp_path: Path) -> None:
    path = _write(tmp_path / "damaged.json", [_record(ASEAN_V2_FILE, "000025p04"), _record(ASEAN_V2_FILE, "02e7b5302")])
    path.write_text(path.read_text(encoding="utf-8").replace("},\n{", "}\n{", 1), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        ror.load(path)
    assert caught.value.line == 3  # where the ',' should have been, as json itself reports it
    assert caught.value.message.startswith("not valid JSON after record 1: Expecting ',' delimiter")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda r: r.pop("id"), "id", "record without an id"),
        (lambda r: [r.pop(k) for k in ("names", "locations", "admin")], None, "unknown ROR schema shape"),
        (lambda r: r.update(status="closed"), "status", "unknown status 'closed'"),
        (lambda r: r.update(types=["university"]), "types", "unknown organisation type 'university'"),
        (lambda r: r.update(names=[{"lang": "en", "types": ["label"], "value": "X"}]), "names", "no ror_display"),
        (lambda r: r.update(locations={"country_code": "SG"}), "locations", "unexpected shape"),
        (lambda r: r.update(established="1991"), "established", "expected a year"),
    ],
)
def test_malformed_record(tmp_path: Path, change: Any, field: str | None, message: str) -> None:
    record = _record(ASEAN_V2_FILE, "02e7b5302")
    change(record)
    with pytest.raises(LoadError) as caught:
        ror.load(_write(tmp_path / "malformed.json", [record]))
    assert (caught.value.line, caught.value.field) == (2, field)
    assert caught.value.message.startswith("record 1")
    assert message in caught.value.message


def test_duplicate_record(tmp_path: Path) -> None:
    record = _record(ASEAN_V2_FILE, "000025p04")
    with pytest.raises(LoadError, match=r":3:id: record 2 \(https://ror.org/000025p04\): duplicate record"):
        ror.load(_write(tmp_path / "twice.json", [record, record]))


def test_file_name_that_cannot_name_a_graph(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot name a source graph"):
        ror.load(_write(tmp_path / "my records.json", [_record(ASEAN_V2_FILE, "000025p04")]))


# --- defaults, determinism ----------------------------------------------------------------------


def test_defaults_without_origin_file(tmp_path: Path) -> None:
    records = [_record(CHILDREN_FILE, "048k52v18"), _record(ASEAN_V2_FILE, "000025p04")]
    [source] = ror.load(_write(tmp_path / "two.json", records))
    assert source.info.origin == ror.DEFAULT_ORIGIN
    assert source.info.license == ror.CC0
    assert source.info.retrieved == "2026-02-24"  # the newest admin.last_modified.date


def test_reload_is_identical_and_has_no_blank_node() -> None:
    first, second = ror.load(ASEAN_V2_FILE), ror.load(ASEAN_V2_FILE)
    assert set(first[0].all_triples()) == set(second[0].all_triples())
    for t in first[0].all_triples():
        assert not isinstance(t.subject, ox.BlankNode)
        assert not isinstance(t.object, ox.BlankNode)


def test_coordinates_are_decimals_without_exponent(tmp_path: Path) -> None:
    record = _record(ASEAN_V2_FILE, "02e7b5302")
    record["locations"][0]["geonames_details"]["lng"] = 1e-05
    triples = _triples(ror.load(_write(tmp_path / "tiny.json", [record])))
    assert _objects(triples, NTU, SCHEMA.longitude) == {ox.Literal("0.00001", datatype=XSD.decimal)}


# --- the bundled files --------------------------------------------------------------------------


def test_cnrs_children_file() -> None:
    [source] = ror.load(CHILDREN_FILE)
    triples = _triples([source])
    rors = {t.subject for t in triples if t.predicate == KG.rorId}
    assert len(rors) == 1019
    internal = _subjects(triples, ORG.unitOf, CNRS)
    # the ten CNRS institutes, CNRS Ingénierie and two directorates: units of the CNRS, not labs
    assert {str(node).strip("<>").rsplit("/", 1)[1] for node in internal} == {
        "00rydyx93", "00s19x989", "00z54nq84", "01q76b368", "02cte4b68", "03fd77x13", "03yz3tz18",
        "043nepn57", "04b0z7q78", "04kdfz702", "04z22qz54", "050jcm728",
    }  # fmt: skip
    units = _subjects(triples, RDF.type, KG.ResearchUnit)
    assert units == rors - internal  # every other record lists the CNRS or one of its institutes as parent
    assert not internal & {t.object for t in triples if t.predicate == KG.supervisingBody}
    chevreul = iris.ror_org("048k52v18")  # a federation of the CNRS alone, not an institute
    assert chevreul in units
    assert chevreul not in _subjects(triples, RDF.type, KG.MixedResearchUnit)
    assert _objects(triples, CNRS, KG.supervises) == units
    # "almost all of the CNRS laboratories are mixed research units" (seed 000)
    assert len(_subjects(triples, RDF.type, KG.MixedResearchUnit)) == 990
    assert source.info.retrieved == "2026-06-23"  # from data/ror/ORIGIN.toml


def test_cnrs_record() -> None:
    triples = _triples(ror.load(CNRS_FILE))
    assert {KG.ResearchOrganisation, ORG.FormalOrganization, ORG.Organization} <= _objects(triples, CNRS, RDF.type)
    assert len(_objects(triples, CNRS, ORG.hasSubOrganization)) == 1019
    assert len(_objects(triples, CNRS, KG.relatedOrganisation)) == 19
    assert _objects(triples, CNRS, KG.acronym) == {ox.Literal("CNRS")}
    assert _objects(triples, CNRS, KG.wikidataId) == {ox.Literal("Q280413"), ox.Literal("Q39411466")}


def test_asean_files() -> None:
    triples = _triples(ror.load(ASEAN_V2_FILE) + ror.load(ASEAN_V1_FILE))
    assert len({t.subject for t in triples if t.predicate == KG.rorId}) == 1686
    assert _objects(triples, TSRI, KG.predecessor) == {TRF}
    assert _objects(triples, TRF, KG.successor) == {TSRI}
    assert _objects(triples, NTU, KG.country) == {iris.country("SG")}
    assert _objects(triples, TRF, KG.rorStatus) == {ox.Literal("inactive")}
