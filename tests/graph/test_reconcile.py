"""Reconciliation of the publication sources' organisations with ROR, on the bundled data and real records."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.reconcile_eval import evaluate
from graph import OxigraphStore
from graph.explore import partners
from graph.links import network_status
from graph.reconcile import (
    GRAPH,
    RULES,
    Matcher,
    Method,
    Profile,
    Relation,
    Status,
    reconcile,
    ror_records,
    same_as,
    sources,
)
from graph.reconcile.curated import parse
from graph.reconcile.derived import curations
from graph.reconcile.report import rows
from graph.writing import write_sources
from loaders import load_path
from loaders.bundled import data_dir
from ontology import DCTERMS, KG, ORG, PROV, RDF, iris

HAL = Path(__file__).resolve().parents[1] / "fixtures" / "hal"
CNRS = iris.ror_org("02feahw73").value
CEA_HAL, CEA_ROR = iris.hal_org(300016).value, iris.ror_org("00jjx8s55").value
BIOMERIEUX, BIOMERIEUX_RND = iris.hal_org(305848).value, iris.hal_org(233872).value
INSA = iris.hal_org(301232).value  # "Institut National des Sciences Appliquées": the network of INSAs
POLYTECHNIQUE_X, POLYTECHNIQUE = iris.hal_org(300340).value, iris.ror_org("05hy3tk52").value


def objects(store: OxigraphStore, subject: str, predicate: ox.NamedNode | None = None) -> dict[str, str]:
    """What the reconciliation graph states of ``subject``: each object's value, by predicate's local name."""
    return {
        q.predicate.value.rsplit("#", 1)[-1]: q.object.value
        for q in store.match(ox.NamedNode(subject), predicate, None, GRAPH)
        if isinstance(q.object, ox.NamedNode | ox.Literal)
    }


def match_node(store: OxigraphStore, source: str, ror: str) -> dict[str, str]:
    """The ``kg:OrganisationMatch`` of a pair, its properties by local name."""
    for quad in store.match(None, KG.matchSource, ox.NamedNode(source), GRAPH):
        if isinstance(quad.subject, ox.NamedNode) and objects(store, quad.subject.value).get("matchTarget") == ror:
            return objects(store, quad.subject.value)
    return {}


def test_the_cea_resolves_to_its_ror_organisation_on_the_bundled_data(bundled: OxigraphStore) -> None:
    assert same_as(bundled)[CEA_HAL] == CEA_ROR
    found = match_node(bundled, CEA_HAL, CEA_ROR)
    assert found["matchDecision"] == "automatic"
    assert found["matchMethod"] == "name"
    assert float(found["matchScore"]) >= 0.9
    assert "Commissariat à l'énergie atomique" in found["matchEvidence"]  # the two names compared
    assert "Commissariat à l'Énergie Atomique" in found["matchEvidence"]


def test_the_bundled_ror_data_holds_no_biomerieux_and_nothing_else_takes_its_place(bundled: OxigraphStore) -> None:
    """bioMérieux has no ROR record among the bundled ones: neither of its nodes may be matched to
    another organisation; its R&D unit still rolls up to it (HAL's relation), one partner of the CNRS."""
    matched = same_as(bundled)
    assert BIOMERIEUX not in matched
    assert BIOMERIEUX_RND not in matched
    assert not objects(bundled, BIOMERIEUX_RND, ORG.subOrganizationOf)  # no organisation of its own in ROR
    found = [p.node.iri for p in partners(bundled, CNRS) if "rieux" in (p.node.label or "").lower()]
    assert found == [BIOMERIEUX]


def test_a_unit_named_after_its_organisation_is_matched_as_a_part_of_it(bundled: OxigraphStore) -> None:
    """ "Biomérieux SA - R&D Proteom" against bioMérieux SA (as HAL describes it, ROR lacking it)."""
    held = {profile.iri: profile for profile in sources(bundled)}
    decision = Matcher([held[BIOMERIEUX]]).decide(held[BIOMERIEUX_RND])
    assert decision.status is Status.MATCHED
    assert decision.chosen is not None
    assert (decision.chosen.relation, decision.chosen.method) == (Relation.PART, Method.SEGMENT)
    assert decision.chosen.compared == ("Biomérieux SA", "bioMérieux SA")  # the legal form and case aside


def test_counts_merge_the_two_nodes_of_one_organisation(bundled: OxigraphStore) -> None:
    found = {p.node.iri for p in partners(bundled, CNRS)}
    assert CEA_ROR in found
    assert CEA_HAL not in found
    assert len([iri for iri in found if iri in (BIOMERIEUX, BIOMERIEUX_RND)]) == 1


def test_an_ambiguous_candidate_is_not_matched_and_is_listed_for_a_person(bundled: OxigraphStore) -> None:
    outcome = reconcile(bundled)
    (insa,) = [d for d in outcome.decisions if d.source.iri == INSA]
    assert insa.status is Status.AMBIGUOUS
    assert insa.chosen is None
    assert INSA not in same_as(bundled)
    listed = [row for row in rows(outcome.decisions) if row["source"] == INSA]
    assert len(listed) == 3
    assert {row["status"] for row in listed} == {"ambiguous"}
    assert float(listed[0]["score"]) - float(listed[1]["score"]) < 0.05  # the runner-up too close


def test_the_reconciliation_graph_describes_itself(bundled: OxigraphStore) -> None:
    about = {(q.predicate, q.object) for q in bundled.match(GRAPH, None, None, GRAPH)}
    assert (RDF.type, KG.SourceGraph) in about
    assert (RDF.type, PROV.Entity) in about
    assert (DCTERMS.conformsTo, ox.NamedNode(RULES)) in about
    cited = {o.value for p, o in about if p == DCTERMS.source and isinstance(o, ox.NamedNode)}
    assert iris.source_graph("ror", "ror_referenced_schema_v2.json").value in cited
    assert iris.source_graph("hal", "cea-00991452_confPaper.xml").value in cited
    assert any(p == PROV.generatedAtTime for p, _ in about)


def test_a_person_confirms_and_rejects_and_later_loads_keep_it(bundled_copy: Path) -> None:
    decided = parse((data_dir() / "reconciliation" / "curated.csv").read_text(encoding="utf-8").splitlines(), "c")
    rejected_cea = parse(["source,ror,decision", f"{CEA_HAL},{CEA_ROR},rejected"], "c")
    with OxigraphStore(bundled_copy) as store:
        write_sources(store, [reconcile(store, decided | rejected_cea)], with_ontology=False)
        assert same_as(store)[POLYTECHNIQUE_X] == POLYTECHNIQUE  # confirmed below the threshold
        assert match_node(store, POLYTECHNIQUE_X, POLYTECHNIQUE)["matchDecision"] == "confirmed"
        assert CEA_HAL not in same_as(store)  # rejected at a score of 1
        assert match_node(store, CEA_HAL, CEA_ROR)["matchDecision"] == "rejected"
        assert not network_status(store).stale
        assert CEA_HAL in {p.node.iri for p in partners(store, CNRS, details=[])}  # apart, as a person said
        assert partners(store, POLYTECHNIQUE, details=[])  # HAL's structure counted as the ROR organisation
        assert not partners(store, POLYTECHNIQUE_X, details=[])
        # A load reconciles again, from the decisions the graph keeps.
        write_sources(store, load_path(HAL / "hal-00719737.xml", "hal"))
        assert same_as(store)[POLYTECHNIQUE_X] == POLYTECHNIQUE
        assert CEA_HAL not in same_as(store)
        assert {(c.source, c.confirmed) for c in curations(store).values()} >= {
            (POLYTECHNIQUE_X, True),
            (CEA_HAL, False),
        }


def test_a_hal_record_is_matched_within_its_load() -> None:
    """ROR first, then a HAL record: the load states the match and counts the network with it."""
    ror = data_dir() / "ror" / "ror_referenced_schema_v2.json"
    with OxigraphStore(None) as store:
        write_sources(store, load_path(ror, "ror"))
        assert not same_as(store)
        write_sources(store, load_path(HAL / "cea-00991452_confPaper.xml", "hal"))
        assert same_as(store)[CEA_HAL] == CEA_ROR
        assert not network_status(store).stale
        found = {p.node.iri for p in partners(store, CNRS, details=[])}
        assert CEA_ROR in found
        assert CEA_HAL not in found


@pytest.mark.parametrize(
    ("names", "acronyms", "countries", "expected"),
    [
        (("Centre National de la Recherche Scientifique",), ("CNRS",), {"FR"}, Status.MATCHED),  # HAL's
        (("CNRS",), (), set(), Status.AMBIGUOUS),  # the CNRS table's: Lebanon has a CNRS too
    ],
)
def test_a_country_tells_two_organisations_of_one_acronym_apart(
    bundled: OxigraphStore, names: tuple[str, ...], acronyms: tuple[str, ...], countries: set[str], expected: Status
) -> None:
    decision = Matcher(ror_records(bundled)).decide(Profile("urn:x", names, acronyms, frozenset(countries)))
    assert decision.status is expected
    if expected is Status.MATCHED:
        assert decision.chosen is not None
        assert decision.chosen.ror == CNRS


def test_the_matcher_meets_its_target_on_the_records_that_carry_a_ror_id(bundled: OxigraphStore) -> None:
    publications, table = evaluate(bundled)
    assert len(publications.right) + len(publications.missed) >= 9
    assert publications.precision >= 0.97, list(publications.lines())
    assert publications.recall >= 0.85, list(publications.lines())
    assert table.precision >= 0.97, list(table.lines())
