"""The SHACL shapes: they select real nodes, accept good data and reject bad data."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from graph import GraphContent, OxigraphStore
from graph.validate import shape_target_counts, store_as_rdflib, validate_graph
from graph.writing import ontology_triples
from ontology import ONTOLOGY_GRAPH

EXAMPLES = Path(__file__).with_name("examples")
EXAMPLE_GRAPH = ox.NamedNode("https://w3id.org/cnrs-kg/graph/test/examples")


def example_triples() -> list[ox.Triple]:
    return [q.triple for q in ox.parse(path=str(EXAMPLES / "publication.ttl"), format=ox.RdfFormat.TURTLE)]


def test_every_shape_selects_at_least_one_node_of_the_examples(bundled_store_path: Path, tmp_path: Path) -> None:
    """The bundled data plus the publication example: no shape may pass by checking nothing."""
    bundled = OxigraphStore(bundled_store_path, read_only=True)
    merged = OxigraphStore(None)
    merged.replace_graphs(
        [
            GraphContent(
                ox.NamedNode("https://w3id.org/cnrs-kg/graph/test/bundled"), (q.triple for q in bundled.quads())
            ),
            GraphContent(EXAMPLE_GRAPH, example_triples()),
        ]
    )
    bundled.close()
    counts = shape_target_counts(merged)
    empty = sorted(shape for shape, n in counts.items() if n == 0)
    assert not empty, f"shapes selecting nothing: {empty}"
    assert len(counts) >= 15


def example_store(extra: str = "") -> rdflib.Graph:
    store = OxigraphStore(None)
    contents = [GraphContent(ONTOLOGY_GRAPH, ontology_triples()), GraphContent(EXAMPLE_GRAPH, example_triples())]
    store.replace_graphs(contents)
    graph = store_as_rdflib(store)
    if extra:
        graph.parse(data=extra, format="turtle")
    return graph


def test_publication_example_conforms() -> None:
    report = validate_graph(example_store())
    assert report.conforms, report.violations


PREFIXES = """
@prefix kg: <https://w3id.org/cnrs-kg/ontology#> . @prefix qb: <http://purl.org/linked-data/cube#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> . @base <https://w3id.org/cnrs-kg/id/> .
"""


@pytest.mark.parametrize(
    ("bad", "path"),
    [
        ("<country/VN> a kg:Country ; rdfs:label 'Viet Nam' ; kg:alpha2 'vn' .", "alpha2"),
        ("<instrument/x> a kg:CooperationInstrument ; rdfs:label 'X' .", "instrumentKind"),
        (
            "<dataset/d> a qb:DataSet ; rdfs:label 'd' ; qb:structure kg:IndicatorStructure . "
            "<dataset/d/obs/o> a qb:Observation ; qb:dataSet <dataset/d> ; qb:measureType kg:phdStudentCount ; "
            "kg:valueQualifier kg:Exactly .",
            "",
        ),
        ("<m> a org:Membership ; org:member <country/VN> .", "organization"),
        ("<org/ror/02feahw73> a org:Organization ; rdfs:label 'CNRS' ; kg:rorId 'not-a-ror' .", "rorId"),
    ],
)
def test_bad_data_is_a_violation(bad: str, path: str) -> None:
    report = validate_graph(example_store(PREFIXES + bad))
    assert not report.conforms
    assert any(path in v.path for v in report.violations), report.violations
