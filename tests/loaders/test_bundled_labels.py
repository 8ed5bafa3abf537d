"""Every organisation the bundled data names has a name: its record's, or a fallback that says it has none."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from graph import OxigraphStore
from ontology import PREFIXES, iris
from ontology.labels import fallback_label

DATA = Path(__file__).resolve().parents[2] / "data" / "ror"
PROVENANCE = json.loads((DATA / "ror_referenced_provenance.json").read_text(encoding="utf-8"))
PREAMBLE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
REFERENCED_GRAPHS = ", ".join(
    f"<{iris.source_graph('ror', name).value}>"
    for name in ("ror_referenced_schema_v2.json", "ror_referenced_schema_v1.json")
)
# Organisations named by another's statement: in the hierarchy, as partners, as predecessors, or
# as an end of a link of the collaboration network (graph/network/...).
NAMING = (
    "org:subOrganizationOf|org:hasSubOrganization|kg:supervisingBody|kg:supervises|org:unitOf|org:hasUnit"
    "|kg:relatedOrganisation|kg:predecessor|kg:successor|kg:linkSource|kg:linkTarget"
)
UNNAMED = """SELECT DISTINCT ?o WHERE {
  GRAPH ?g { ?x __NAMING__ ?o }
  FILTER(STRSTARTS(STR(?o), "https://w3id.org/cnrs-kg/id/org/") __GRAPHS__)
  FILTER NOT EXISTS { ?o skos:prefLabel|rdfs:label ?name }
}"""
# Université du Québec: the parent that the bundled record of the Université du Québec à Montréal
# names, whose own record is not bundled; OpenAlex names it only by id (I49663120) in UQAM's lineage.
UQ_ROR, UQ_OPENALEX = iris.ror_org("010gxg263").value, iris.openalex_org("I49663120").value
# The ROR parents of organisations that HAL structures are reconciled with (graph.reconcile), named only
# by the bundled records' relationships: HESAM Université and ParisTech (of Arts et Métiers, HAL's
# ENSAM), L'Institut Agro (of AgroSup Dijon), Institut Polytechnique de Paris (of the École
# polytechnique, parent of LIX). Their records are not bundled; the network reaches them since the
# HAL structures count as their ROR organisations, under the ROR hierarchy too.
ABOVE_RECONCILED = {iris.ror_org(ror).value for ror in ("042949r55", "05c2qg481", "01dkyve95", "042tfbd02")}


def _unnamed(store: OxigraphStore, naming: str = NAMING, graphs: str = "") -> set[str]:
    query = PREAMBLE + UNNAMED.replace("__NAMING__", naming).replace("__GRAPHS__", graphs)
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return {row["o"].value for row in result}


def test_every_organisation_the_bundle_names_has_a_name_unless_ror_has_no_record(bundled: OxigraphStore) -> None:
    """Before the referenced records were bundled, 635 organisations named here had no name."""
    named_by_the_rest = _unnamed(bundled, graphs=f"&& ?g NOT IN ({REFERENCED_GRAPHS})")
    without_record = {iris.ror_org(ror).value for ror in PROVENANCE["missing_from_dump"]}
    assert named_by_the_rest - without_record == {UQ_ROR, UQ_OPENALEX, *ABOVE_RECONCILED}
    assert len(named_by_the_rest & without_record) == 85  # the 86th is named by OpenAlex


def test_every_referenced_organisation_has_its_record_name(bundled: OxigraphStore) -> None:
    result = bundled.query(PREAMBLE + "SELECT ?o WHERE { ?o a org:Organization ; skos:prefLabel ?name }")
    assert isinstance(result, ox.QuerySolutions)
    named = {row["o"].value for row in result}
    assert {iris.ror_org(ror).value for ror in PROVENANCE["ids"]} <= named


def test_network_nodes_without_a_name_are_those_no_bundled_record_describes(bundled: OxigraphStore) -> None:
    assert _unnamed(bundled, naming="kg:linkSource|kg:linkTarget") == {UQ_ROR, UQ_OPENALEX, *ABOVE_RECONCILED}


def test_fallback_label_says_the_organisation_is_unnamed_and_how_it_is_known() -> None:
    assert fallback_label(UQ_ROR) == "unnamed organisation (ROR 010gxg263)"
    assert fallback_label(UQ_OPENALEX) == "unnamed organisation (OpenAlex I49663120)"
    assert fallback_label(iris.hal_org(441569).value) == "unnamed organisation (HAL structure 441569)"
    assert fallback_label(iris.country("SG").value) == "unnamed country (ISO 3166-1 SG)"
