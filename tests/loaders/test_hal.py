"""The HAL loader: golden graphs from real TEI exports, the structure hierarchy, the harvest cache, bad input."""

from __future__ import annotations

import gzip
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from graph.validate import validate_graph
from loaders import detect_kind, hal
from loaders.base import LoadError, SourceData
from ontology import BIBO, DCTERMS, FABIO, FOAF, KG, ORG, RDF, RDFS, SCHEMA, XSD, iris
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hal"
GOLDEN = Path(__file__).with_name("golden") / "hal"
SAMPLES = sorted(FIXTURES.glob("*.xml"))
LE2I_FILE = FIXTURES / "hal-01213935.xml"
TEAM_FILE = FIXTURES / "hal-01149835_affil_researchTeam.xml"
CONFERENCE_FILE = FIXTURES / "cea-00991452_confPaper.xml"
JOURNAL_FILE = FIXTURES / "hal-00719737.xml"
SOIL_FILE = FIXTURES / "hal-01246266.xml"
ANSES_FILE = FIXTURES / "anses-01067498_Art.xml"

CNRS = iris.ror_org("02feahw73")
LE2I = iris.hal_org(22594)
COLOURLAB = iris.hal_org(439007)
BOURGOGNE = iris.hal_org(300270)
LE2I_WORK = iris.work_doi("10.1007/978-3-319-07998-1_18")
DROP = "fix the export or drop the record"
LE2I_TITLE = '<title xml:lang="en">A Linear Interpolation Algorithm for Spectral Filter Array Demosaicking</title>'


def _triples(sources: list[SourceData]) -> set[ox.Triple]:
    return {t for source in sources for t in source.triples}


def _objects(triples: set[ox.Triple], subject: ox.NamedNode, predicate: ox.NamedNode) -> set[object]:
    return {t.object for t in triples if t.subject == subject and t.predicate == predicate}


def _subjects(triples: set[ox.Triple], predicate: ox.NamedNode, obj: object) -> set[object]:
    return {t.subject for t in triples if t.predicate == predicate and t.object == obj}


def _edit(source: Path, target: Path, old: str, new: str, count: int = -1) -> Path:
    """A copy of a real export with one change, so bad input stays a real record with one fault."""
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {source.name}"
    target.write_text(text.replace(old, new, count), encoding="utf-8")
    return target


def _merge(first: Path, second: Path, target: Path) -> Path:
    """One export page holding the documents and structures of two real exports."""
    ET.register_namespace("", hal.tei.NS)
    root, other = ET.parse(first).getroot(), ET.parse(second).getroot()
    ns = hal.tei.NAMESPACES
    list_bibl, list_org = root.find(".//tei:listBibl", ns), root.find(".//tei:listOrg", ns)
    assert list_bibl is not None
    assert list_org is not None
    list_bibl.extend(hal.tei.documents(other))
    known = {org.get(hal.tei.XML_ID) for org in hal.tei.structures(root)}
    list_org.extend(org for org in hal.tei.structures(other) if org.get(hal.tei.XML_ID) not in known)
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)
    return target


def _cache(path: Path, pages: list[str], compress: bool = False) -> Path:
    """A harvest cache as ``loaders.harvest.hal`` writes it: one document's TEI a line, with its HAL id."""
    lines = []
    for number, page in enumerate(pages, start=1):
        found = re.search(r'<idno type="halId">([^<]+)</idno>', page)
        line = {"page": number, "cursor": "*", "halId": found[1] if found else None, "tei": page}
        lines.append(json.dumps(line, ensure_ascii=False) + "\n")
    text = "".join(lines)
    if compress:
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- golden graphs ------------------------------------------------------------------------------


# rdflib 7.6's own N-Quads parser calls its deprecated Dataset.default_context (tests/golden.py parses N-Quads).
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()))
def test_golden(case: str) -> None:
    folder = GOLDEN / case
    assert_golden(hal.load(folder / "input.xml"), folder / "expected.nq")


def test_golden_cases_cover_what_they_were_made_for() -> None:
    expected = {p.name: (p / "expected.nq").read_text(encoding="utf-8") for p in GOLDEN.iterdir() if p.is_dir()}
    assert {"le2i_mixed_unit", "research_team", "conference_paper"} <= set(expected)
    assert f"<{LE2I.value}> <{RDF.type.value}> <{KG.MixedResearchUnit.value}>" in expected["le2i_mixed_unit"]
    assert f"<{KG.CoPublication.value}>" in expected["le2i_mixed_unit"]
    assert '"researchteam"' in expected["research_team"]
    assert f'<{KG.workType.value}> "COMM"' in expected["conference_paper"]
    assert f"<{iris.work_hal('cea-00991452').value}>" in expected["conference_paper"]


# --- the six real samples -----------------------------------------------------------------------


def test_fixtures_are_the_six_samples() -> None:
    assert len(SAMPLES) == 6


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_loads(path: Path) -> None:
    assert hal.detect(path)
    assert detect_kind(path) == "hal"
    [source] = hal.load(path)
    triples = _triples([source])
    assert source.problems == []
    assert source.info.kind == "hal"
    assert source.info.name == path.name
    assert source.graph == iris.source_graph("hal", path.name)
    assert source.info.title == f"HAL TEI export ({path.name})"
    assert source.info.origin == "https://hal.science"
    assert source.info.license == "https://creativecommons.org/licenses/by/4.0/"
    [work] = _subjects(triples, RDF.type, FABIO.Expression)
    assert isinstance(work, ox.NamedNode)
    hal_id = path.name.split("_")[0].removesuffix(".xml")
    assert _objects(triples, work, KG.halId) == {ox.Literal(hal_id)}
    assert _objects(triples, work, DCTERMS.source) == {ox.NamedNode(f"https://hal.science/{hal_id}")}
    assert _objects(triples, work, DCTERMS.title)
    assert len(_objects(triples, work, FABIO.hasPublicationYear)) == 1
    assert _objects(triples, work, KG.affiliatedCountry)
    assert not any(isinstance(term, ox.BlankNode) for t in triples for term in (t.subject, t.object))


# rdflib's parser of the shapes' Turtle and pySHACL's own use of rdflib both warn on deprecated calls.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_samples_conform_to_the_shapes() -> None:
    data = "".join(f"{t} .\n" for source in (hal.load(path) for path in SAMPLES) for t in _triples(source))
    report = validate_graph(rdflib.Graph().parse(data=data, format="nt"))
    assert report.violations == []


def test_the_cnrs_is_its_ror_organisation() -> None:
    triples = _triples(hal.load(LE2I_FILE))
    assert _subjects(triples, KG.halStructureId, ox.Literal("441569")) == {CNRS}
    assert _objects(triples, CNRS, KG.rorId) == {ox.Literal("02feahw73")}
    assert _objects(triples, CNRS, SCHEMA.sameAs) == {iris.ror_url("02feahw73")}
    assert _objects(triples, CNRS, KG.isni) == {ox.Literal("0000 0001 2259 7504")}  # HAL writes 0000000122597504
    assert _objects(triples, CNRS, KG.acronym) == {ox.Literal("CNRS")}
    assert iris.hal_org(441569) not in {term for t in triples for term in (t.subject, t.object)}


def test_le2i_is_a_mixed_unit_of_the_cnrs_and_the_universite_de_bourgogne() -> None:
    triples = _triples(hal.load(LE2I_FILE))
    assert {RDF.type: _objects(triples, LE2I, RDF.type)} == {
        RDF.type: {ORG.Organization, KG.ResearchUnit, KG.MixedResearchUnit}
    }
    supervisors = {CNRS, BOURGOGNE, iris.hal_org(415469), iris.hal_org(301320)}  # + AgroSup Dijon, ENSAM
    assert _objects(triples, LE2I, KG.supervisingBody) == supervisors
    assert _subjects(triples, KG.supervises, LE2I) == supervisors
    assert _objects(triples, LE2I, ORG.subOrganizationOf) == supervisors
    assert LE2I in _objects(triples, CNRS, ORG.hasSubOrganization)
    assert _objects(triples, BOURGOGNE, RDFS.label) == {ox.Literal("Université de Bourgogne")}
    assert _objects(triples, LE2I, KG.unitCode) == {ox.Literal("UMR6306")}
    assert _objects(triples, LE2I, KG.acronym) == {ox.Literal("Le2i")}
    assert _objects(triples, LE2I, KG.rnsr) == {ox.Literal("201220441W")}
    assert _objects(triples, LE2I, KG.idref) == {ox.Literal("035175249")}
    assert _objects(triples, LE2I, SCHEMA.endDate) == {ox.Literal("2016-12-31", datatype=XSD.date)}
    assert _objects(triples, LE2I, KG.halStructureType) == {ox.Literal("laboratory")}


def test_authorships_in_byline_order_with_their_countries() -> None:
    triples = _triples(hal.load(LE2I_FILE))
    second = iris.authorship(LE2I_WORK, "hal", 2)
    assert _objects(triples, LE2I_WORK, KG.hasAuthorship) == {iris.authorship(LE2I_WORK, "hal", n) for n in (1, 2, 3)}
    assert _objects(triples, second, KG.authorName) == {ox.Literal("Xingbo Wang")}
    assert _objects(triples, second, KG.authorPosition) == {ox.Literal("2", datatype=XSD.integer)}
    assert _objects(triples, second, KG.affiliation) == {COLOURLAB, LE2I}
    assert _objects(triples, second, KG.authorCountry) == {iris.country("NO"), iris.country("FR")}
    # The orgName beside the first author's affiliation is not an affiliation.
    assert _objects(triples, iris.authorship(LE2I_WORK, "hal", 1), KG.affiliation) == {COLOURLAB}


def test_work_named_by_doi_with_its_fields() -> None:
    triples = _triples(hal.load(LE2I_FILE))
    assert _objects(triples, LE2I_WORK, RDF.type) == {FABIO.Expression, KG.CoPublication}
    assert _objects(triples, LE2I_WORK, BIBO.doi) == {ox.Literal("10.1007/978-3-319-07998-1_18")}
    assert _objects(triples, LE2I_WORK, DCTERMS.title) == {
        ox.Literal("A Linear Interpolation Algorithm for Spectral Filter Array Demosaicking", language="en")
    }
    assert _objects(triples, LE2I_WORK, FABIO.hasPublicationYear) == {ox.Literal("2014", datatype=XSD.gYear)}
    assert _objects(triples, LE2I_WORK, KG.workType) == {ox.Literal("COMM")}
    assert _objects(triples, LE2I_WORK, KG.affiliatedInstitution) == {COLOURLAB, LE2I}
    assert _objects(triples, LE2I_WORK, KG.affiliatedCountry) == {iris.country("FR"), iris.country("NO")}


def test_a_work_in_one_country_is_not_a_co_publication() -> None:
    triples = _triples(hal.load(ANSES_FILE))
    work = iris.work_hal("anses-01067498")
    assert _objects(triples, work, RDF.type) == {FABIO.Expression}
    assert _objects(triples, work, KG.affiliatedCountry) == {iris.country("FR")}
    assert not _subjects(triples, RDF.type, KG.ResearchUnit)  # an Anses lab, with no CNRS parent


def test_research_team_and_indirect_relations() -> None:
    triples = _triples(hal.load(TEAM_FILE))
    team, inria_paris, inria = iris.hal_org(210971), iris.hal_org(86790), iris.hal_org(300009)
    lix, irccyn = iris.hal_org(2071), iris.hal_org(21439)
    assert _objects(triples, team, KG.halStructureType) == {ox.Literal("researchteam")}
    assert _objects(triples, team, ORG.subOrganizationOf) == {inria_paris}  # the indirect one to Inria is not read
    assert _objects(triples, inria_paris, ORG.subOrganizationOf) == {inria}
    assert _subjects(triples, RDF.type, KG.ResearchUnit) == {lix, irccyn}  # not the team, not the Inria centre
    assert _subjects(triples, RDF.type, KG.MixedResearchUnit) == {lix, irccyn}
    assert _objects(triples, lix, KG.supervisingBody) == {CNRS, iris.hal_org(300340)}
    assert _objects(triples, lix, KG.unitCode) == {ox.Literal("UMR7161")}
    work = iris.work_hal("hal-01149835")
    assert _objects(triples, work, KG.workType) == {ox.Literal("UNDEFINED")}
    assert _objects(triples, work, FABIO.hasPublicationYear) == {ox.Literal("2014", datatype=XSD.gYear)}
    assert _objects(triples, work, KG.affiliatedInstitution) == {team, lix, irccyn}


def test_conference_paper_without_doi() -> None:
    triples = _triples(hal.load(CONFERENCE_FILE))
    work = iris.work_hal("cea-00991452")
    le2s = iris.hal_org(40177)
    assert _objects(triples, work, BIBO.doi) == set()
    assert _objects(triples, work, KG.workType) == {ox.Literal("COMM")}
    assert _objects(triples, work, DCTERMS.title) == {
        ox.Literal("Automatisation non supervisée de la quantification par spectrométrie de masse", language="fr")
    }
    # No datePub in the imprint: the year HAL says the work was produced (2014-06-30).
    assert _objects(triples, work, FABIO.hasPublicationYear) == {ox.Literal("2014", datatype=XSD.gYear)}
    assert _objects(triples, work, KG.hasAuthorship) == {iris.authorship(work, "hal", n) for n in (1, 2, 3, 4)}
    # A CEA laboratory: its relation's name is the CEA's code, not a CNRS unit code.
    assert _objects(triples, le2s, ORG.subOrganizationOf) == {iris.hal_org(300016)}
    assert _objects(triples, le2s, KG.unitCode) == set()
    assert _objects(triples, iris.hal_org(24472), KG.unitCode) == {ox.Literal("UMR5218")}


def test_supervising_bodies_are_direct_parents_only() -> None:
    triples = _triples(hal.load(JOURNAL_FILE))
    lmfa = iris.hal_org(694)
    direct = {iris.hal_org(126765), iris.hal_org(194495), iris.hal_org(219748), CNRS}
    assert _objects(triples, lmfa, KG.supervisingBody) == direct  # not Université de Lyon nor INSA (indirect)
    assert _objects(triples, iris.hal_org(219748), KG.isni) == {ox.Literal("0000 0001 2292 0228")}
    assert _objects(triples, iris.hal_org(5033), SCHEMA.startDate) == {ox.Literal("1969", datatype=XSD.gYear)}
    work = iris.work_doi("10.1016/j.jcp.2014.05.038")
    assert _objects(triples, work, KG.halId) == {ox.Literal("hal-00719737")}


# --- the source's description -------------------------------------------------------------------


def test_retrieved_falls_back_to_origin_then_modification_date(tmp_path: Path) -> None:
    header_date = '<date when="2019-03-21T15:54:55+01:00"/>'
    undated = _edit(LE2I_FILE, tmp_path / "undated.xml", header_date, "")
    os.utime(undated, (0, 86400 * 365))
    assert hal.load(undated)[0].info.retrieved == "1971-01-01"
    (tmp_path / "ORIGIN.toml").write_text('[source]\nretrieved = "2026-11-20"\n', encoding="utf-8")
    assert hal.load(undated)[0].info.retrieved == "2026-11-20"
    assert hal.load(LE2I_FILE)[0].info.retrieved == "2019-03-21"


def test_licence_defaults_to_cc_by(tmp_path: Path) -> None:
    licence = '<licence target="http://creativecommons.org/licenses/by/4.0/">'
    other = _edit(LE2I_FILE, tmp_path / "other.xml", licence, '<licence target="http://example.org/terms">')
    unlicensed = _edit(LE2I_FILE, tmp_path / "unlicensed.xml", licence, "<licence>")
    assert hal.load(other)[0].info.license == "http://example.org/terms"
    assert hal.load(unlicensed)[0].info.license == hal.CC_BY


# --- detection ----------------------------------------------------------------------------------


def test_detect(tmp_path: Path) -> None:
    not_tei = tmp_path / "other.xml"
    not_tei.write_text("<records><record/></records>", encoding="utf-8")
    header_only = tmp_path / "header.xml"
    header_only.write_text(f'<TEI xmlns="{hal.tei.NS}"><teiHeader/></TEI>', encoding="utf-8")
    broken = tmp_path / "broken.xml"
    broken.write_text(LE2I_FILE.read_text(encoding="utf-8")[:3000], encoding="utf-8")
    other_jsonl = tmp_path / "works.jsonl"
    other_jsonl.write_text('{"id": "https://openalex.org/W1"}\n', encoding="utf-8")
    assert not hal.detect(not_tei)
    assert not hal.detect(header_only)
    assert hal.detect(broken)  # TEI that breaks: loading it says where
    assert not hal.detect(other_jsonl)
    assert hal.detect(_cache(tmp_path / "hal.jsonl", [LE2I_FILE.read_text(encoding="utf-8")]))
    assert hal.detect(_cache(tmp_path / "hal.jsonl.gz", [LE2I_FILE.read_text(encoding="utf-8")], compress=True))
    assert not hal.detect(tmp_path)


# --- the harvest cache --------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True], ids=["jsonl", "jsonl.gz"])
def test_cache_streams_every_page(tmp_path: Path, compress: bool) -> None:
    pages = [path.read_text(encoding="utf-8") for path in SAMPLES]
    path = _cache(tmp_path / ("hal.jsonl.gz" if compress else "hal.jsonl"), pages + pages[:1], compress)
    [source] = hal.load(path)
    assert not isinstance(source.triples, list)  # a generator, read once
    assert source.info.retrieved == hal.load(SAMPLES[0])[0].info.retrieved  # the first page's header
    streamed = list(source.triples)
    assert set(streamed) == _triples([data for sample in SAMPLES for data in hal.load(sample)])
    assert source.problems == []


def test_cache_describes_each_structure_once(tmp_path: Path) -> None:
    pages = [path.read_text(encoding="utf-8") for path in (LE2I_FILE, TEAM_FILE, JOURNAL_FILE, SOIL_FILE, LE2I_FILE)]
    streamed = list(hal.load(_cache(tmp_path / "hal.jsonl", pages))[0].triples)
    # The CNRS, cited by every page, and the repeated first page are written once.
    assert streamed.count(ox.Triple(CNRS, RDF.type, ORG.Organization)) == 1
    assert len(streamed) == len(set(streamed))


def test_cache_writes_a_structure_again_when_hal_describes_it_otherwise(tmp_path: Path) -> None:
    # The CNRS has a homepage in the 2019 export, none in the 2017 one: the graph keeps what both say.
    pages = [path.read_text(encoding="utf-8") for path in (CONFERENCE_FILE, LE2I_FILE, JOURNAL_FILE)]
    streamed = list(hal.load(_cache(tmp_path / "hal.jsonl", pages))[0].triples)
    assert streamed.count(ox.Triple(CNRS, RDF.type, ORG.Organization)) == 2
    assert ox.Triple(CNRS, FOAF.homepage, ox.NamedNode("http://www.cnrs.fr/")) in streamed


def test_cache_errors_name_the_line(tmp_path: Path) -> None:
    good = SOIL_FILE.read_text(encoding="utf-8")
    untitled = LE2I_FILE.read_text(encoding="utf-8").replace(LE2I_TITLE, "", 1)
    path = _cache(tmp_path / "hal.jsonl", [good, good[:5000], untitled])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    assert detect_kind(path) == "hal"
    [source] = hal.load(path, strict=True)
    with pytest.raises(LoadError) as caught:
        list(source.triples)
    # The harvester wrote the broken page's HAL id beside it.
    assert str(caught.value).startswith(f"{path}:2:hal-01246266:tei: not well-formed XML (")

    [source] = hal.load(path, strict=False)
    triples = set(source.triples)
    assert [(p.line, p.field) for p in source.problems] == [
        ("2:hal-01246266", "tei"),
        ("3:hal-01213935", "title"),
        (4, "json"),
    ]
    assert str(source.problems[1]) == (
        f"{path}:3:hal-01213935:title: the document has no title; fix the export or drop the record"
    )
    assert _subjects(triples, KG.halId, ox.Literal("hal-01246266"))
    assert not _subjects(triples, KG.halId, ox.Literal("hal-01213935"))


def test_cache_rejects_a_second_document_with_the_same_doi(tmp_path: Path) -> None:
    page = LE2I_FILE.read_text(encoding="utf-8")
    copy = page.replace('<idno type="halId">hal-01213935</idno>', '<idno type="halId">hal-09999999</idno>')
    [source] = hal.load(_cache(tmp_path / "hal.jsonl", [page, copy]), strict=False)
    assert _objects(set(source.triples), LE2I_WORK, KG.halId) == {ox.Literal("hal-01213935")}
    assert [(p.line, p.field) for p in source.problems] == [("2:hal-09999999", "doi")]


# --- bad input ----------------------------------------------------------------------------------


BAD_DOCUMENTS = {
    "no_title": (LE2I_TITLE, "", "title", "the document has no title; fix the export or drop the record"),
    "unknown_country": (
        '<country key="NO"/>',
        '<country key="QQ"/>',
        "listOrg/struct-439007/country",
        "unknown country key 'QQ' (not an ISO 3166-1 alpha-2 code)",
    ),
    "dangling_affiliation": (
        '<affiliation ref="#struct-22594"/>',
        '<affiliation ref="#struct-999999"/>',
        "affiliation",
        "author 2 (Xingbo Wang) is affiliated with struct-999999, which listOrg does not describe",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_bad_document_strict(tmp_path: Path, case: str) -> None:
    old, new, field, message = BAD_DOCUMENTS[case]
    path = _edit(LE2I_FILE, tmp_path / f"{case}.xml", old, new, 1 if case == "unknown_country" else -1)
    with pytest.raises(LoadError) as caught:
        hal.load(path)
    error = caught.value
    assert (error.path, error.line, error.field) == (str(path), "hal-01213935", field)
    assert str(error).startswith(f"{path}:hal-01213935:{field}: {message}")
    assert "\n" not in str(error)


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_bad_document_lenient_skips_it(tmp_path: Path, case: str) -> None:
    old, new, field, _message = BAD_DOCUMENTS[case]
    bad = _edit(LE2I_FILE, tmp_path / "bad.xml", old, new, 1 if case == "unknown_country" else -1)
    path = _merge(bad, SOIL_FILE, tmp_path / f"{case}.xml")
    with pytest.raises(LoadError):
        hal.load(path)
    [source] = hal.load(path, strict=False)
    triples = _triples([source])
    assert [(p.line, p.field) for p in source.problems] == [("hal-01213935", field)]
    assert _subjects(triples, RDF.type, FABIO.Expression) == {iris.work_hal("hal-01246266")}
    assert _objects(triples, iris.hal_org(154635), KG.supervisingBody) == {CNRS, iris.hal_org(300311)}
    assert not _subjects(triples, RDF.type, KG.MixedResearchUnit) - {iris.hal_org(154635)}  # no Le2i
    assert COLOURLAB not in {t.subject for t in triples}  # reached by the skipped document only


def test_record_errors_before_the_hal_id_is_known(tmp_path: Path) -> None:
    hal_id = '<idno type="halId">hal-01213935</idno>'
    no_id = _edit(LE2I_FILE, tmp_path / "no_id.xml", hal_id, "")
    with pytest.raises(LoadError) as caught:
        hal.load(no_id)
    assert str(caught.value) == f"{no_id}:document 1:halId: the document has no halId; {DROP}"
    doi = '<idno type="doi">10.1007/978-3-319-07998-1_18</idno>'
    bad_doi = _edit(LE2I_FILE, tmp_path / "bad_doi.xml", doi, '<idno type="doi">978-3-319-07998-1</idno>')
    with pytest.raises(LoadError, match=r"bad_doi.xml:hal-01213935:doi: '978-3-319-07998-1' is not a DOI"):
        hal.load(bad_doi)


def test_broken_xml_names_the_line(tmp_path: Path) -> None:
    text = LE2I_FILE.read_text(encoding="utf-8")
    path = tmp_path / "broken.xml"
    path.write_text(text.replace("</orgName>", "</orgname>", 1), encoding="utf-8")
    line = text[: text.index("</orgName>")].count("\n") + 1
    for strict in (True, False):
        with pytest.raises(LoadError) as caught:
            hal.load(path, strict=strict)
        assert (caught.value.line, caught.value.field) == (line, "xml")
        assert str(caught.value).startswith(f"{path}:{line}:xml: not well-formed XML (mismatched tag: line {line},")


def test_xml_that_is_not_tei(tmp_path: Path) -> None:
    path = tmp_path / "records.xml"
    path.write_text("<records/>", encoding="utf-8")
    with pytest.raises(LoadError, match="the root element is records, not TEI"):
        hal.load(path)


def test_public_names() -> None:
    assert set(hal.__all__) == {
        "CC_BY",
        "COMPRESSED",
        "KIND",
        "ORIGIN",
        "READS_FOLDERS",
        "Author",
        "Document",
        "FieldError",
        "Parent",
        "Structure",
        "Structures",
        "Title",
        "detect",
        "document_triples",
        "load",
        "parse_document",
        "parse_structure",
        "structure_triples",
    }
    assert hal.KIND == "hal"
