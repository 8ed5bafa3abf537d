"""The seed loader: the bundled seed facts (golden graphs and the facts themselves), bad facts files."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders import seeds
from loaders.base import LoadError, SourceData
from ontology import DCTERMS, KG, ORG, QB, RDF, XSD, iris
from tests.golden import assert_golden, to_nquads

GOLDEN = Path(__file__).parent / "golden" / "seeds"
DATA = Path(__file__).resolve().parents[2] / "data" / "seeds"
SEED_000 = "000_dffeb8838fdd981b.txt"
SEED_003 = "003_1063290ea1a7e848.txt"
CNRS = iris.ror_org(iris.CNRS_ROR)

# (pyoxigraph substitutes only projected variables, hence ?measure and ?area in the projection.)
OBSERVATIONS = """
PREFIX kg: <https://w3id.org/cnrs-kg/ontology#>
SELECT ?measure ?area ?g ?value WHERE { GRAPH ?g { ?obs ?measure ?value ; kg:refArea ?area } }
"""


def _facts(name: str) -> Path:
    return DATA / name.replace(".txt", seeds.FACTS_SUFFIX)


@pytest.fixture(scope="module")
def bundled() -> list[SourceData]:
    return seeds.load(_facts(SEED_000)) + seeds.load(_facts(SEED_003))


@pytest.fixture(scope="module")
def store(bundled: list[SourceData]) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, s.graph) for s in bundled for t in s.all_triples())
    return store


def _values(store: ox.Store, measure: ox.NamedNode, area: ox.NamedNode) -> set[tuple[str, str]]:
    """(graph, value) of every observation of ``measure`` about ``area``."""
    result = store.query(OBSERVATIONS, substitutions={ox.Variable("measure"): measure, ox.Variable("area"): area})
    assert isinstance(result, ox.QuerySolutions)
    found = set()
    for row in result:
        graph, value = row["g"], row["value"]
        assert isinstance(graph, ox.NamedNode)
        assert isinstance(value, ox.Literal)
        found.add((graph.value, value.value))
    return found


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
def test_golden(bundled: list[SourceData]) -> None:
    """The bundled facts files are the inputs: any change to them is reviewed here."""
    assert_golden(bundled, GOLDEN / "bundled" / "expected.nq")


def test_detect() -> None:
    assert seeds.detect(_facts(SEED_003))
    assert not seeds.detect(DATA / SEED_003)
    assert not seeds.detect(DATA / "ORIGIN.toml")


def test_each_document_is_its_own_graph(bundled: list[SourceData]) -> None:
    assert [s.graph for s in bundled] == [iris.source_graph("seed", SEED_000), iris.source_graph("seed", SEED_003)]
    for source, name in zip(bundled, (SEED_000, SEED_003), strict=True):
        assert source.info.kind == "seed"
        assert source.info.origin == name
        document = iris.document(name)
        assert ox.Triple(document, RDF.type, KG.SeedDocument) in source.triples
        assert any(t.subject == document and t.predicate == DCTERMS.title for t in source.triples)
        assert ox.Triple(source.graph, DCTERMS.source, document) in set(source.all_triples())


def test_reload_is_identical(bundled: list[SourceData]) -> None:
    again = seeds.load(_facts(SEED_000)) + seeds.load(_facts(SEED_003))
    assert to_nquads(again) == to_nquads(bundled)


def test_phd_students_from_vietnam_in_2004_stated_by_seed_003(store: ox.Store) -> None:
    result = store.query(
        """PREFIX kg: <https://w3id.org/cnrs-kg/ontology#>
           PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
           PREFIX country: <https://w3id.org/cnrs-kg/id/country/>
           SELECT ?g ?n WHERE { GRAPH ?g { ?obs kg:phdStudentCount ?n ; kg:refArea country:VN ;
                                           kg:refPeriod "2004"^^xsd:gYear } }"""
    )
    assert isinstance(result, ox.QuerySolutions)
    assert [(row["g"], row["n"]) for row in result] == [
        (iris.source_graph("seed", SEED_003), ox.Literal("161", datatype=XSD.integer))
    ]


def test_both_laboratory_counts_each_in_its_own_graph(store: ox.Store) -> None:
    assert _values(store, KG.laboratoryCount, iris.m49_area("001")) == {
        (iris.source_graph("seed", SEED_000).value, "1100"),
        (iris.source_graph("seed", SEED_003).value, "1300"),
    }


@pytest.mark.parametrize(
    ("measure", "area", "value", "seed"),
    [
        ("instrumentCount", iris.m49_area("001"), "75", SEED_000),
        ("missionCount", iris.m49_area("001"), "60000", SEED_000),
        ("missionCount", iris.country_group("asean"), "800", SEED_000),
        ("copublicationShare", iris.m49_area("001"), "0.6", SEED_000),
        ("permanentStaffCount", iris.m49_area("001"), "26000", SEED_003),
        ("researcherShare", iris.m49_area("001"), "0.4", SEED_003),
        ("jointUnitShare", iris.m49_area("001"), "0.825", SEED_003),
        ("publicationCount", iris.m49_area("001"), "20000", SEED_003),
        ("copublicationShare", iris.country("MM"), "0.06", SEED_003),
        ("phdStudentCount", iris.country("SG"), "2", SEED_003),
    ],
)
def test_figures(store: ox.Store, measure: str, area: ox.NamedNode, value: str, seed: str) -> None:
    assert (iris.source_graph("seed", seed).value, value) in _values(store, KG.term(measure), area)


def test_instruments_in_asean(store: ox.Store) -> None:
    found = store.query(
        """PREFIX kg: <https://w3id.org/cnrs-kg/ontology#>
           SELECT ?kind ?n WHERE { ?obs kg:refArea <https://w3id.org/cnrs-kg/id/group/asean> ;
                                        kg:refInstrumentKind ?kind ; kg:instrumentCount ?n }""",
        use_default_graph_as_union=True,
    )
    assert isinstance(found, ox.QuerySolutions)
    counts = {row["kind"]: row["n"] for row in found}
    assert {k.value.rsplit("#")[-1]: int(v.value) for k, v in counts.items() if k and v} == {
        "IRL": 6,
        "IRP": 5,
        "IRN": 4,
        "IEA": 2,
    }


def test_every_observation_has_one_measure_with_its_value(bundled: list[SourceData]) -> None:
    triples = [t for s in bundled for t in s.triples]
    observations = {t.subject for t in triples if t.predicate == RDF.type and t.object == QB.Observation}
    assert len(observations) == 32
    for obs in observations:
        about = {t.predicate: t.object for t in triples if t.subject == obs}
        measure = about[QB.measureType]
        assert isinstance(measure, ox.NamedNode)
        assert measure in about, obs
        assert about[KG.refOrganisation] == CNRS
        assert {KG.refArea, QB.dataSet, KG.valueQualifier, KG.quote} <= set(about), obs


def test_agreements_with_their_parties(bundled: list[SourceData]) -> None:
    triples = set(bundled[1].triples)
    for key, partner in (
        ("agreement-vast", iris.ror_org("02wsd5p50")),
        ("agreement-vass", iris.local_org("vass")),
        ("agreement-trf", iris.ror_org("03gd1bh37")),
        ("agreement-ntu", iris.ror_org("02e7b5302")),
    ):
        instrument = iris.instrument(key)
        assert ox.Triple(instrument, KG.instrumentKind, KG.FrameworkAgreement) in triples
        members = {
            t.object
            for t in triples
            if t.predicate == ORG.member and ox.Triple(instrument, KG.hasParty, t.subject) in triples
        }
        assert members == {CNRS, partner}, key


def test_singapore_office_manages_the_four_irls(bundled: list[SourceData]) -> None:
    managed = {
        t.object for t in bundled[0].triples if t.subject == iris.office("singapore") and t.predicate == KG.manages
    }
    assert managed == {iris.instrument(k) for k in ("irl-ipal", "irl-cintra", "irl-majulab", "irl-bmc2")}


# --- bad facts files --------------------------------------------------------------------------

DOCUMENT = "The CNRS hosts\n161 PhD students from Vietnam.\n"
HEADER = """@prefix kg: <https://w3id.org/cnrs-kg/ontology#> .
@prefix country: <https://w3id.org/cnrs-kg/id/country/> .
@prefix obs: <https://w3id.org/cnrs-kg/id/dataset/phd/obs/> .
"""


def _error(tmp_path: Path, turtle: str) -> tuple[Path, str]:
    (tmp_path / "doc.txt").write_text(DOCUMENT, encoding="utf-8")
    path = tmp_path / "doc.facts.ttl"
    path.write_text(HEADER + turtle, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        seeds.load(path)
    message = str(caught.value)
    assert "\n" not in message
    return path, message


def test_a_kg_term_not_in_the_ontology(tmp_path: Path) -> None:
    path, message = _error(tmp_path, "obs:vn kg:refArea country:VN ;\n    kg:phdStudentCounts 161 .\n")
    assert message.startswith(f"{path}:5:kg:phdStudentCounts: not a term of https://w3id.org/cnrs-kg/ontology#")


def test_a_misspelt_term_of_a_reused_vocabulary(tmp_path: Path) -> None:
    path, message = _error(tmp_path, "obs:vn <https://schema.org/startdate> 2004 .\n")
    assert message.startswith(f"{path}:4:schema:startdate: not a term of https://schema.org/")


def test_a_quote_absent_from_the_document(tmp_path: Path) -> None:
    path, message = _error(
        tmp_path, 'obs:vn kg:phdStudentCount 161 ;\n    kg:quote "161 PhD students from Viet Nam" .\n'
    )
    assert message.startswith(f"{path}:5:kg:quote: not in doc.txt: '161 PhD students from Viet Nam'")


def test_a_quote_across_lines_is_found(tmp_path: Path) -> None:
    # The quote spans a line break of the document; collapsing whitespace finds it. The load then
    # stops for want of an ORIGIN.toml, after every check has passed.
    _, message = _error(tmp_path, 'obs:vn kg:quote "hosts 161 PhD   students" .\n')
    assert message.startswith(f"{tmp_path / 'ORIGIN.toml'}:retrieved: missing")


def test_a_blank_node(tmp_path: Path) -> None:
    path, message = _error(
        tmp_path, 'obs:vn kg:refArea country:VN ;\n    kg:quote "[not a node]" ;\n    kg:refArea [ ] .\n'
    )
    assert message.startswith(f"{path}:6: blank node")


def test_an_iri_that_iris_does_not_mint(tmp_path: Path) -> None:
    path, message = _error(tmp_path, "obs:vn kg:refArea country:Vietnam .\n")
    assert message.startswith(f"{path}:4:https://w3id.org/cnrs-kg/id/country/Vietnam: not an IRI that ontology.iris")


def test_a_syntax_error(tmp_path: Path) -> None:
    path, message = _error(tmp_path, "obs:vn kg:refArea country:VN\nobs:th kg:refArea country:TH .\n")
    assert message.startswith(f"{path}:5: not valid Turtle:")


def test_the_document_must_be_beside_its_facts(tmp_path: Path) -> None:
    path = tmp_path / "missing.facts.ttl"
    path.write_text(HEADER, encoding="utf-8")
    with pytest.raises(LoadError, match=r"no document missing\.txt beside it"):
        seeds.load(path)
