"""The bundled records of the organisations the other bundled data names (data/ror/ror_referenced_*)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from loaders import ror
from loaders.bundled import bundled_sources
from ontology import KG, ORG, RDF, SKOS, iris

DATA = Path(__file__).resolve().parents[2] / "data" / "ror"
REFERENCED = {"ror_referenced_schema_v2.json": 2, "ror_referenced_schema_v1.json": 1}
PROVENANCE = json.loads((DATA / "ror_referenced_provenance.json").read_text(encoding="utf-8"))
CNRS = iris.ror_org(iris.CNRS_ROR)


def _records(name: str) -> list[ror.RorRecord]:
    return ror.parse_records((DATA / name).read_text(encoding="utf-8"), name)


def _triples(name: str) -> set[ox.Triple]:
    return {t for source in ror.load(DATA / name) for t in source.triples}


def test_both_files_are_bundled_as_ror_records() -> None:
    kinds = {source.path.name: source.kind for source in bundled_sources()}
    assert {name: kinds.get(name) for name in REFERENCED} == dict.fromkeys(REFERENCED, "ror")


def test_each_file_is_read_in_its_schema_and_names_every_organisation() -> None:
    for name, schema in REFERENCED.items():
        records = _records(name)
        assert {record.schema for record in records} == {schema}
        triples = _triples(name)
        orgs = {t.subject for t in triples if t.predicate == RDF.type and t.object == ORG.Organization}
        named = {t.subject for t in triples if t.predicate == SKOS.prefLabel}
        assert len(orgs) == len(records)
        assert orgs <= named
    read = {record.ror for name in REFERENCED for record in _records(name)}
    assert read == set(PROVENANCE["ids"])
    assert len(read) == 562
    assert not read & set(PROVENANCE["missing_from_dump"])


def test_no_organisation_has_its_record_in_two_bundled_files() -> None:
    """Two records of one id would state its names twice (in two graphs): counted twice in the union."""
    referenced = {record.ror for name in REFERENCED for record in _records(name)}
    others = {
        record.ror
        for source in bundled_sources()
        if source.kind == "ror" and source.path.name not in REFERENCED
        for record in _records(source.path.name)
    }
    assert not referenced & others


def test_cnrs_bodies_are_those_the_cnrs_children_show() -> None:
    children = _records("ror_cnrs_children_schema_v2.json")
    assert ror.cnrs_internal_bodies(children, known=frozenset()) == ror.CNRS_BODIES


def test_an_institute_of_the_cnrs_never_supervises_a_referenced_lab() -> None:
    """Evolution et Diversité Biologique lists INEE (a CNRS institute) and the CNRS among its parents."""
    triples = _triples("ror_referenced_schema_v2.json") | _triples("ror_referenced_schema_v1.json")
    supervisors = {t.object for t in triples if t.predicate == KG.supervisingBody}
    assert not supervisors & {iris.ror_org(body) for body in ror.CNRS_BODIES}
    edb = iris.ror_org("02xh23b55")
    assert {t.object for t in triples if t.subject == edb and t.predicate == KG.supervisingBody} == {
        iris.ror_org("02v6kpv12"),
        iris.ror_org("00bnthp71"),
        CNRS,
    }
    # a lab under a CNRS institute alone (v1 record) is supervised by the CNRS itself
    limms = iris.ror_org("0059vr703")
    assert {t.object for t in triples if t.subject == limms and t.predicate == KG.supervisingBody} == {
        CNRS,
        iris.ror_org("057zh3y96"),
    }
