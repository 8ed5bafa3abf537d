"""The OpenAlex loader: golden graphs from real works, detection, ROR IRIs, bad records, streaming."""

from __future__ import annotations

import copy
import gzip
import json
import os
import tracemalloc
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import loaders.openalex as openalex
from graph.store import GraphContent, OxigraphStore
from loaders import registry, ror
from loaders.base import LoadError, SourceData
from loaders.openalex.synthetic import generate_works
from ontology import BIBO, DCTERMS, FABIO, KG, ORG, RDF, SKOS, XSD, iris
from tests.golden import assert_golden

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "openalex"
GOLDEN = Path(__file__).with_name("golden") / "openalex"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
STATE_OF_OA = FIXTURES / "W2741809807.json"
GW170104 = FIXTURES / "W-api-response.json"
MICHIGAN = FIXTURES / "I27837315.json"

OA_WORK = iris.work_doi("10.7717/peerj.4375")
CNRS = iris.ror_org("02feahw73")
NTU = iris.ror_org("02e7b5302")


def _work(path: Path) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return value


def _jsonl(path: Path, lines: Iterable[dict[str, Any] | str]) -> Path:
    text = "".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines)
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _triples(sources: list[SourceData]) -> set[ox.Triple]:
    return {t for source in sources for t in source.triples}


def _objects(triples: set[ox.Triple], subject: ox.NamedNode, predicate: ox.NamedNode) -> set[object]:
    return {t.object for t in triples if t.subject == subject and t.predicate == predicate}


# --- golden graphs ------------------------------------------------------------------------------


# rdflib 7.6's own N-Quads parser calls its deprecated Dataset.default_context (tests/golden.py parses N-Quads).
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    folder = GOLDEN / case
    [source] = folder.glob("input.*")
    assert_golden(openalex.load(source), folder / "expected.nq")


def test_golden_cases_cover_what_they_were_made_for() -> None:
    """Guard against golden folders that silently stop exercising their shape."""
    assert set(CASES) == {"single_work", "older_shape", "list_response", "snapshot_gz"}
    expected = {case: (GOLDEN / case / "expected.nq").read_text(encoding="utf-8") for case in CASES}
    for case in ("single_work", "list_response", "snapshot_gz"):
        assert f"<{KG.CoPublication.value}>" in expected[case]  # United States and Canada
        assert f"<{ORG.subOrganizationOf.value}>" in expected[case]  # lineages
    assert f"<{KG.CoPublication.value}>" not in expected["older_shape"]  # one authorship, one country
    for case in ("list_response", "snapshot_gz"):  # both works
        assert "10.7717/peerj.4375" in expected[case]
        assert "10.1103/physrevlett.118.091101" in expected[case]
    for case in CASES:  # every record has topics: each with its subfield, field and domain
        assert f"<{KG.researchField.value}>" in expected[case]
        assert "<https://w3id.org/cnrs-kg/id/field/openalex/field/" in expected[case]
        assert f"<{SKOS.broader.value}>" in expected[case]


def test_list_response_and_snapshot_say_the_same() -> None:
    """Three shapes of the same two works: one graph (the source description aside)."""
    graphs = []
    for case in ("list_response", "snapshot_gz"):
        [source] = (GOLDEN / case).glob("input.*")
        graphs.append(_triples(openalex.load(source)))
    singles = _triples(openalex.load(GOLDEN / "single_work" / "input.json"))
    singles |= _triples(openalex.load(GOLDEN / "older_shape" / "input.json"))
    assert graphs[0] == graphs[1] == singles


@pytest.mark.parametrize("sample", [STATE_OF_OA, GW170104])
def test_every_work_sample_loads(sample: Path) -> None:
    [source] = openalex.load(sample)
    triples = _triples([source])
    assert source.problems == []
    assert len({t.subject for t in triples if t.predicate == RDF.type and t.object == FABIO.Expression}) == 1


# --- the mapping --------------------------------------------------------------------------------


def test_work_and_authorships() -> None:
    triples = _triples(openalex.load(STATE_OF_OA))
    assert _objects(triples, OA_WORK, RDF.type) == {FABIO.Expression, KG.CoPublication}
    assert _objects(triples, OA_WORK, BIBO.doi) == {ox.Literal("10.7717/peerj.4375")}
    assert _objects(triples, OA_WORK, KG.openAlexId) == {ox.Literal("W2741809807")}
    assert _objects(triples, OA_WORK, FABIO.hasPublicationYear) == {ox.Literal("2018", datatype=XSD.gYear)}
    assert _objects(triples, OA_WORK, DCTERMS.source) == {ox.NamedNode("https://openalex.org/W2741809807")}
    assert _objects(triples, OA_WORK, KG.affiliatedCountry) == {iris.country("US"), iris.country("CA")}
    authorships = _objects(triples, OA_WORK, KG.hasAuthorship)
    assert len(authorships) == 9
    third = iris.authorship(OA_WORK, "openalex", 3)
    assert _objects(triples, third, KG.authorName) == {ox.Literal("Vincent Larivière")}
    assert _objects(triples, third, KG.authorPosition) == {ox.Literal("3", datatype=XSD.integer)}
    assert _objects(triples, third, KG.affiliation) == {iris.ror_org("0161xgx34"), iris.ror_org("002rjbv21")}
    assert not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples)


def test_lineage_ancestors() -> None:
    triples = _triples(openalex.load(STATE_OF_OA))
    pkp, sfu, uqam = iris.ror_org("05ek4tb53"), iris.ror_org("0213rcc28"), iris.ror_org("002rjbv21")
    # Simon Fraser University (I18014758) was shown with its ROR id earlier in the file.
    assert _objects(triples, pkp, ORG.subOrganizationOf) == {sfu}
    assert _objects(triples, sfu, ORG.hasSubOrganization) == {pkp}
    # I49663120 (Université du Québec) never was, and the crosswalk does not know it.
    assert _objects(triples, uqam, ORG.subOrganizationOf) == {iris.openalex_org("I49663120")}
    assert _objects(triples, sfu, ORG.subOrganizationOf) == set()  # its lineage is itself


def test_work_without_doi_or_title(tmp_path: Path) -> None:
    work = _work(GW170104)
    work.update(doi=None, title=None)
    [source] = openalex.load(_jsonl(tmp_path / "works.jsonl", [work]))
    triples = _triples([source])
    node = iris.work_openalex("W2755950973")
    assert _objects(triples, node, DCTERMS.title) == {ox.Literal(work["display_name"])}
    assert _objects(triples, node, BIBO.doi) == set()


def test_kosovo_is_a_country(tmp_path: Path) -> None:
    work = _work(GW170104)
    work["authorships"][0]["institutions"][0]["country_code"] = "XK"
    triples = _triples(openalex.load(_jsonl(tmp_path / "works.jsonl", [work])))
    assert iris.country("XK") in {t.object for t in triples if t.predicate == KG.affiliatedCountry}


def test_same_iri_as_the_ror_loader(tmp_path: Path) -> None:
    """An institution in the bundled ROR data is one node, whether named by its ROR id or only by the crosswalk."""
    work = _work(GW170104)
    cnrs_lab = {
        "id": "https://openalex.org/I1294671590",
        "display_name": "Centre National de la Recherche Scientifique",
        "ror": None,  # the crosswalk maps I1294671590 to 02feahw73
        "country_code": "FR",
        "type": "government",
        "lineage": ["https://openalex.org/I1294671590"],
    }
    ntu = {
        "id": "https://openalex.org/I172675005",
        "display_name": "Nanyang Technological University",
        "ror": "https://ror.org/02e7b5302",
        "country_code": "SG",
        "type": "education",
        "lineage": ["https://openalex.org/I172675005"],
    }
    work["authorships"] = [
        {"author": {"display_name": "A"}, "institutions": [cnrs_lab], "countries": ["FR"]},
        {"author": {"display_name": "B"}, "institutions": [ntu], "countries": ["SG"]},
    ]
    triples = _triples(openalex.load(_jsonl(tmp_path / "works.jsonl", [work])))
    work_node = iris.work_doi(work["doi"])
    affiliated = _objects(triples, work_node, KG.affiliatedInstitution)
    assert affiliated == {CNRS, NTU}
    ror_subjects = {
        t.subject
        for path in (
            ROOT / "data" / "ror" / "ror_02feahw73_cnrs_v2.9.json",
            ROOT / "data" / "ror" / "ror_asean_schema_v2.json",
        )
        for t in _triples(ror.load(path))
    }
    assert affiliated <= ror_subjects
    assert _objects(triples, CNRS, KG.rorId) == {ox.Literal("02feahw73")}  # known through the crosswalk
    assert KG.CoPublication in _objects(triples, work_node, RDF.type)


# --- source description -------------------------------------------------------------------------


def test_source_info(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "works.jsonl", [_work(GW170104)])
    os.utime(path, (1_700_000_000, 1_700_000_000))
    [source] = openalex.load(path)
    info = source.info
    assert (info.kind, info.name, info.title) == ("openalex", "works.jsonl", "OpenAlex works (works.jsonl)")
    assert source.graph == iris.source_graph("openalex", "works.jsonl")
    assert (info.origin, info.license, info.synthetic) == ("https://openalex.org", openalex.CC0, False)
    assert info.retrieved == "2023-11-14"  # the file's modification date, in UTC
    (tmp_path / "ORIGIN.toml").write_text('[source]\nretrieved = "2024-03-01"\n', encoding="utf-8")
    assert openalex.load(path)[0].info.retrieved == "2024-03-01"


def test_bad_file_name(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "my works.jsonl", [_work(GW170104)])
    with pytest.raises(LoadError, match="cannot name a source graph"):
        openalex.load(path)


# --- detection ----------------------------------------------------------------------------------


def test_detect_samples(tmp_path: Path) -> None:
    assert openalex.detect(STATE_OF_OA)
    assert openalex.detect(GW170104)
    assert not openalex.detect(MICHIGAN)  # an institution, not a work
    assert not openalex.detect(ROOT / "data" / "ror" / "ror_02feahw73_cnrs_v2.9.json")
    assert not openalex.detect(tmp_path)
    for case in CASES:
        [source] = (GOLDEN / case).glob("input.*")
        assert openalex.detect(source), case
        assert registry.detect_kind(source) == "openalex", case


def test_detect_json_lines(tmp_path: Path) -> None:
    works = [_work(STATE_OF_OA), _work(GW170104)]
    assert openalex.detect(_jsonl(tmp_path / "works.jsonl", works))
    assert openalex.detect(_jsonl(tmp_path / "works.jsonl.gz", works))
    assert openalex.detect(_jsonl(tmp_path / "part_000.gz", works))
    assert not openalex.detect(_jsonl(tmp_path / "institutions.jsonl", [_work(MICHIGAN)]))
    assert not openalex.detect(_jsonl(tmp_path / "bad.jsonl", ["{not json"]))
    (tmp_path / "not-gzip.gz").write_bytes(b"plain text")
    assert not openalex.detect(tmp_path / "not-gzip.gz")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert not openalex.detect(tmp_path / "empty.jsonl")
    (tmp_path / "works.txt").write_text(json.dumps(works[0]), encoding="utf-8")
    assert not openalex.detect(tmp_path / "works.txt")


def test_detect_list_responses(tmp_path: Path) -> None:
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"meta": {"count": 1}, "results": [_work(GW170104)]}), encoding="utf-8")
    assert openalex.detect(page)
    page.write_text(json.dumps({"meta": {"count": 0}, "results": []}), encoding="utf-8")
    assert not openalex.detect(page)
    page.write_text(json.dumps({"meta": {"count": 1}, "results": [_work(MICHIGAN)]}), encoding="utf-8")
    assert not openalex.detect(page)


# --- bad records --------------------------------------------------------------------------------


def _bad_country(work: dict[str, Any]) -> None:
    work["authorships"][2]["institutions"][0]["country_code"] = "XX"


def _no_id(work: dict[str, Any]) -> None:
    del work["id"]


def _bad_doi(work: dict[str, Any]) -> None:
    work["doi"] = "https://doi.org/11.1234/x"


def _bad_institution_id(work: dict[str, Any]) -> None:
    work["authorships"][0]["institutions"][0]["id"] = "https://openalex.org/W4210166736"


def _no_title(work: dict[str, Any]) -> None:
    work["title"] = work["display_name"] = None


def _bad_ror(work: dict[str, Any]) -> None:
    work["authorships"][1]["institutions"][0]["ror"] = "https://ror.org/nope"


def _bad_field_id(work: dict[str, Any]) -> None:
    work["topics"][1]["field"]["id"] = "https://openalex.org/fields/computer-science"


def _unnamed_topic(work: dict[str, Any]) -> None:
    work["primary_topic"]["display_name"] = " "


BAD = {
    "field id": (
        _bad_field_id,
        "topics[1].field.id: 'https://openalex.org/fields/computer-science' is not an OpenAlex field",
    ),
    "topic name": (_unnamed_topic, "primary_topic.display_name: topic without a display_name"),
    "country": (_bad_country, "authorships[2].institutions[0].country_code: 'XX' is not an ISO 3166-1 country code"),
    "id": (_no_id, "id: work without an id"),
    "doi": (_bad_doi, "doi: 'https://doi.org/11.1234/x' is not a DOI"),
    "institution id": (_bad_institution_id, "authorships[0].institutions[0].id:"),
    "title": (_no_title, "title: work with neither a title nor a display_name"),
    "ror": (_bad_ror, "authorships[1].institutions[0].ror: 'https://ror.org/nope' is not a ROR id"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_strict_names_file_line_field(tmp_path: Path, case: str) -> None:
    spoil, expected = BAD[case]
    bad = _work(STATE_OF_OA)
    spoil(bad)
    path = _jsonl(tmp_path / "works.jsonl", [_work(GW170104), bad, _work(STATE_OF_OA)])
    [source] = openalex.load(path)
    with pytest.raises(LoadError) as caught:
        list(source.triples)
    assert str(caught.value).startswith(f"{path}:2:{expected}")
    assert caught.value.hint  # says what to do


def test_strict_bad_json_line(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "works.jsonl", [_work(GW170104), "", '{"id": "https://openalex.org/W1", oops}'])
    [source] = openalex.load(path)
    with pytest.raises(LoadError, match=r"works\.jsonl:3: not a JSON object: Expecting property name"):
        list(source.triples)


def test_strict_names_the_record_id_in_json_files(tmp_path: Path) -> None:
    bad = _work(STATE_OF_OA)
    _bad_country(bad)
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"meta": {}, "results": [_work(GW170104), bad]}), encoding="utf-8")
    [source] = openalex.load(page)
    with pytest.raises(LoadError) as caught:
        list(source.triples)
    assert str(caught.value).startswith(f"{page}:W2741809807:authorships[2].institutions[0].country_code: 'XX'")
    _no_id(bad)
    page.write_text(json.dumps({"meta": {}, "results": [_work(GW170104), bad]}), encoding="utf-8")
    with pytest.raises(LoadError, match=r"page\.json:results\[1\]:id: work without an id"):
        list(openalex.load(page)[0].triples)


def test_lenient_skips_bad_records_and_lists_them(tmp_path: Path) -> None:
    country, no_id = _work(STATE_OF_OA), _work(STATE_OF_OA)
    _bad_country(country)
    _no_id(no_id)
    lines: list[dict[str, Any] | str] = [_work(GW170104), "{not json", country, no_id, _work(STATE_OF_OA)]
    path = _jsonl(tmp_path / "works.jsonl.gz", lines)
    [source] = openalex.load(path, strict=False)
    assert source.problems == []  # nothing is read before the triples are consumed
    triples = _triples([source])
    works = {t.subject for t in triples if t.predicate == RDF.type and t.object == FABIO.Expression}
    assert works == {OA_WORK, iris.work_doi("10.1103/physrevlett.118.091101")}
    where = [(p.line, p.field) for p in source.problems]
    assert where == [(2, None), (3, "authorships[2].institutions[0].country_code"), (4, "id")]
    assert all(str(p).startswith(f"{path}:") for p in source.problems)


def test_lenient_problems_are_bounded(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "works.jsonl", ["[]"] * (openalex.MAX_PROBLEMS + 5))
    [source] = openalex.load(path, strict=False)
    assert list(source.triples) == []
    assert len(source.problems) == openalex.MAX_PROBLEMS + 1
    assert "5 more bad records" in str(source.problems[-1])


def test_registry_passes_strict(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "works.jsonl", [_work(GW170104), "{not json"])
    [source] = registry.load_path(path, strict=False)
    list(source.triples)
    assert [p.line for p in source.problems] == [2]


def test_unreadable_files(tmp_path: Path) -> None:
    truncated = tmp_path / "works.jsonl.gz"
    truncated.write_bytes(gzip.compress(json.dumps(_work(STATE_OF_OA)).encode() * 3)[:-20])
    with pytest.raises(LoadError, match="cannot decompress the file"):
        list(openalex.load(truncated, strict=False)[0].triples)
    broken = tmp_path / "works.json"
    broken.write_text('{"id": ', encoding="utf-8")
    with pytest.raises(LoadError, match="not valid JSON"):
        openalex.load(broken)
    a_list = tmp_path / "list.json"
    a_list.write_text("[]", encoding="utf-8")
    with pytest.raises(LoadError, match="expected one work or an API list response"):
        openalex.load(a_list)
    with pytest.raises(LoadError, match=r"id: .* is not an OpenAlex id"):
        list(openalex.load(MICHIGAN)[0].triples)


def test_store_undoes_a_failed_first_load(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "works.jsonl", [_work(GW170104), _work(STATE_OF_OA), "{not json"])
    [source] = openalex.load(path)
    with OxigraphStore() as store:
        with pytest.raises(LoadError, match=":3:"):
            store.replace_graphs([GraphContent(source.graph, source.all_triples())])
        assert source.graph.value not in store.graph_sizes()


# --- streaming ----------------------------------------------------------------------------------


def test_triples_are_read_lazily(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "works.jsonl", [_work(GW170104)])
    [source] = openalex.load(path)
    assert not isinstance(source.triples, list)
    path.write_text(json.dumps(_work(STATE_OF_OA)) + "\n", encoding="utf-8")  # read when consumed
    assert OA_WORK in {t.subject for t in source.triples}


def _peak_memory(path: Path) -> int:
    [source] = openalex.load(path)
    tracemalloc.start()
    try:
        for _ in source.triples:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "works.jsonl.gz"
    generate_works(4_000, path, seed=3)
    # Its 177,651 triples held in a list take 33 MB; read one work at a time, about 2 MB
    # (the bounded caches of institutions).
    assert _peak_memory(path) < 8 << 20


def test_public_names() -> None:
    assert sorted(openalex.__all__) == sorted(
        [
            "CC0",
            "COMPRESSED",
            "DEFAULT_ORIGIN",
            "KIND",
            "MAX_PROBLEMS",
            "READS_FOLDERS",
            "Authorship",
            "Institution",
            "Institutions",
            "RecordError",
            "Work",
            "detect",
            "institution_triples",
            "load",
            "parse_work",
            "work_triples",
        ]
    )
    assert openalex.KIND == "openalex"


def test_institution_cache_does_not_hide_bad_values() -> None:
    work = _work(STATE_OF_OA)
    openalex.parse_work(copy.deepcopy(work))
    _bad_country(work)
    with pytest.raises(openalex.RecordError, match="'XX'"):
        openalex.parse_work(work)
