"""SHACL validation of the store with pySHACL; results are data (a report), not exceptions.

Violations make a store non-conforming; warnings (links to nodes another source describes) do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from pyshacl import validate
from rdflib.namespace import SH

from graph.sparql import PROLOGUE, bind
from graph.store import Backend
from ontology import ONTOLOGY_PATH, SHAPES_PATH

EVERY_TRIPLE = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
# The focus nodes of a ``sh:targetClass``: its instances and its subclasses' (as SHACL counts them).
TARGETS = PROLOGUE + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { VALUES ?t { __TARGET__ } ?x a/rdfs:subClassOf* ?t }"


@dataclass(frozen=True)
class ValidationResult:
    severity: str
    focus: str
    path: str
    message: str
    shape: str


@dataclass
class ValidationReport:
    """What pySHACL found; ``conforms`` ignores warnings."""

    results: list[ValidationResult] = field(default_factory=list)
    focus_nodes: int = 0

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations


def load_shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_PATH, format="turtle")


def load_ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_PATH, format="turtle")


def store_as_rdflib(store: Backend) -> rdflib.Graph:
    """The union of the store's graphs as one rdflib graph (via N-Triples, the fastest path)."""
    result = store.query(EVERY_TRIPLE)
    assert isinstance(result, ox.QueryTriples)
    data = result.serialize(format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return rdflib.Graph().parse(data=data, format="nt")


def validate_graph(data: rdflib.Graph) -> ValidationReport:
    """Validate ``data`` (with the ontology for class hierarchy) against the shapes."""
    data += load_ontology()
    _, report_graph, _ = validate(
        data,
        shacl_graph=load_shapes(),
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    assert isinstance(report_graph, rdflib.Graph)
    return _report(report_graph)


def validate_store(store: Backend) -> ValidationReport:
    return validate_graph(store_as_rdflib(store))


def _report(graph: rdflib.Graph) -> ValidationReport:
    results = []
    for node in graph.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = graph.value(node, SH.resultSeverity)
        results.append(
            ValidationResult(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(graph.value(node, SH.focusNode)),
                path=str(graph.value(node, SH.resultPath) or ""),
                message=str(graph.value(node, SH.resultMessage) or ""),
                shape=str(graph.value(node, SH.sourceShape) or ""),
            )
        )
    results.sort(key=lambda r: (r.severity != "Violation", r.focus, r.path))
    return ValidationReport(results)


def shape_target_counts(store: Backend) -> dict[str, int]:
    """How many focus nodes each node shape's ``sh:targetClass`` selects in ``store``.

    Subclasses count (the ontology graph in the store gives the hierarchy), as in SHACL.
    """
    counts: dict[str, int] = {}
    for shape, target in load_shapes().subject_objects(SH.targetClass):
        result = store.query(bind(TARGETS, TARGET=[ox.NamedNode(str(target))]))
        assert isinstance(result, ox.QuerySolutions)
        counts[str(shape)] = next(int(row["n"].value) for row in result)
    return counts
