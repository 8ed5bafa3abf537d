"""The bundled dataset answers the questions the CNRS offices ask, with the source of each fact."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import OxigraphStore
from ontology import PREFIXES

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEED_003 = "https://w3id.org/cnrs-kg/graph/seed/003_1063290ea1a7e848.txt"
SEED_000 = "https://w3id.org/cnrs-kg/graph/seed/000_dffeb8838fdd981b.txt"
PREAMBLE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def rows(store: OxigraphStore, sparql: str) -> list[dict[str, str]]:
    result = store.query(PREAMBLE + sparql)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    out = []
    for solution in result:
        out.append({n: solution[n].value for n in names if solution[n] is not None})
    return out


def test_phd_students_from_vietnam_2004_with_seed_source(bundled: OxigraphStore) -> None:
    found = rows(
        bundled,
        """SELECT ?n ?g WHERE { GRAPH ?g { ?o kg:phdStudentCount ?n ; kg:refArea country:VN ;
                                            kg:refPeriod "2004"^^xsd:gYear } }""",
    )
    assert found == [{"n": "161", "g": SEED_003}]


def test_phd_students_hosted_in_2004_all_six_countries(bundled: OxigraphStore) -> None:
    found = rows(bundled, (EXAMPLES / "phd_students_2004.rq").read_text())
    assert sorted((r["country"], int(r["students"])) for r in found) == sorted(
        [("Viet Nam", 161), ("Thailand", 47), ("Indonesia", 16), ("Cambodia", 6), ("Malaysia", 6), ("Singapore", 2)]
    )
    assert {r["document"] for r in found} == {"003_1063290ea1a7e848.txt"}


def test_four_irls_in_singapore_with_partners_start_dates_and_sources(bundled: OxigraphStore) -> None:
    found = rows(bundled, (EXAMPLES / "irl_singapore.rq").read_text())
    names = {r["name"] for r in found}
    assert len({r["irl"] for r in found}) == 4
    assert any("IPAL" in n for n in names)
    assert any("CINTRA" in n for n in names)
    assert any("MajuLab" in n for n in names)
    assert any("BMC2" in n for n in names)
    for r in found:
        assert r["since"][:4].isdigit()
        assert r["source"]
    partners = " ".join(r["partners"] for r in found)
    assert "National University of Singapore" in partners or "NUS" in partners
    assert "Nanyang Technological University" in partners


def test_singapore_office_manages_the_four_singapore_irls(bundled: OxigraphStore) -> None:
    found = rows(
        bundled,
        f"""SELECT DISTINCT ?irl WHERE {{ GRAPH <{SEED_000}> {{ office:singapore kg:manages ?irl }}
                                        ?irl kg:country country:SG ; kg:instrumentKind kg:IRL }}""",
    )
    assert len(found) == 4


def test_disagreeing_laboratory_counts_both_kept_with_their_sources(bundled: OxigraphStore) -> None:
    found = rows(bundled, (EXAMPLES / "disagreements.rq").read_text())
    assert {(r["value"], r["source"]) for r in found} == {
        ("1100", "000_dffeb8838fdd981b.txt"),
        ("1300", "003_1063290ea1a7e848.txt"),
    }


def test_hanoi_office_dates_from_two_sources(bundled: OxigraphStore) -> None:
    found = rows(bundled, "SELECT ?d ?g WHERE { GRAPH ?g { office:hanoi schema:startDate ?d } }")
    assert {(r["d"], r["g"]) for r in found} >= {("2006", SEED_003)}
    assert any(r["d"].startswith("2007") for r in found)


@pytest.mark.parametrize(("as_of", "members"), [("2019-01-01", 10), ("2026-01-01", 11), ("1990-01-01", 6)])
def test_asean_membership_is_dated(bundled: OxigraphStore, as_of: str, members: int) -> None:
    query = (EXAMPLES / "asean_members.rq").read_text().replace("2019-01-01", as_of)
    assert len(rows(bundled, query)) == members


def test_not_verified_agreement_stays_marked(bundled: OxigraphStore) -> None:
    found = rows(bundled, "SELECT DISTINCT ?i WHERE { ?i kg:verificationStatus kg:NotVerified ; kg:instrumentKind ?k }")
    assert [r["i"] for r in found] == ["https://w3id.org/cnrs-kg/id/instrument/agreement-trf"]


def test_ror_records_loaded(bundled: OxigraphStore) -> None:
    children = rows(bundled, "SELECT (COUNT(DISTINCT ?lab) AS ?n) WHERE { ror:02feahw73 org:hasSubOrganization ?lab }")
    assert int(children[0]["n"]) >= 1019
    asean = rows(
        bundled,
        """SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o kg:rorId ?id ; kg:country ?c .
             ?m org:organization group:asean ; org:member ?c }""",
    )
    assert int(asean[0]["n"]) >= 1686


def test_every_graph_describes_its_source(bundled: OxigraphStore) -> None:
    graphs = set(bundled.graph_sizes()) - {"https://w3id.org/cnrs-kg/graph/ontology"}
    described = rows(
        bundled,
        """SELECT ?g WHERE { GRAPH ?g { ?g a kg:SourceGraph ; dcterms:license ?l ;
                                        prov:generatedAtTime ?t ; dcterms:source ?s } }""",
    )
    assert graphs == {r["g"] for r in described}
    # 11 curated sources, 8 publication files, the network of 2014, 2018 and all years (no period graph),
    # and the reconciliation of the publications' organisations with ROR
    assert len(graphs) == 23
