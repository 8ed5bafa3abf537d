"""The counting rules of ``graph.links`` (its package docstring), on real records, each work's links
written out by hand and compared with the year graph the store holds after loading.

Records: HAL TEI exports (``tests/fixtures/hal``, CC BY 4.0, HAL open archive), the OpenAlex work
W2741809807 (``tests/fixtures/openalex``, CC0: Piwowar et al. 2018, eight institutions in the
United States and Canada), and the bundled ROR records and CNRS table (``data/ror``, ``data/cnrs``).
A link is (kind, source, target, full, fractional); institution and country pairs in name order.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import OxigraphStore, sparql
from graph.links import links_query, network_graph, network_status, read_context, read_hierarchy, refresh_network
from graph.links.rules import COUNTING_RULES
from graph.reconcile import same_as
from graph.writing import write_sources
from loaders import SourceData, load_path
from ontology import DCTERMS, ORG, iris
from ontology.provenance import SourceInfo

ROOT = Path(__file__).resolve().parents[2]
HAL = ROOT / "tests" / "fixtures" / "hal"
WORK_2018 = ROOT / "tests" / "fixtures" / "openalex" / "W2741809807.json"
ROR_REFERENCED = ROOT / "data" / "ror" / "ror_referenced_schema_v2.json"

INST, INST_COUNTRY, COUNTRY = "InstitutionInstitution", "InstitutionCountry", "CountryCountry"
Link = tuple[str, str, str, int, float]

# The organisations of the records, by the names the expected links use.
HAL_NAMES = {
    # hal-01149835 (2014): Jiazi Yi signs with HIPERCOM2 and LIX, Benoît Parrein with IRCCyN.
    "HIPERCOM2": 210971,  # an Inria team, under Inria Paris-Rocquencourt
    "Inria Paris-Rocquencourt": 86790,
    "Inria": 300009,
    "LIX": 2071,  # under Polytechnique - X and the CNRS
    "X": 300340,
    "IRCCyN": 21439,  # under Mines Nantes (ended 2016-12-31), ECN, EPUN, UNAM and the CNRS
    "Mines Nantes": 84538,
    "ECN": 111023,
    "EPUN": 300405,
    "UNAM": 301358,
    # hal-01213935 (2014): Le2i with the Norwegian Colour and Visual Computing Laboratory.
    "Le2i": 22594,  # under the CNRS, UB, AgroSup Dijon (started 2009-03-01) and ENSAM
    "UB": 300270,
    "AgroSup": 415469,
    "ENSAM": 301320,
    "Colour Lab": 439007,
    "Gjøvik": 301160,  # Gjøvik University College, whose HAL record starts on 2016-10-28
    # hal-00719737 (2014): LMFA with MSNMGP, whose three Aix-Marseille universities ended in 2011.
    "LMFA": 694,
    "MSNMGP": 871,
}
ROR_NAMES = {
    "CNRS": "02feahw73",  # HAL 441569, by the crosswalk
    # W2741809807 (2018)
    "Impact": "05ppvf150",
    "UdeM": "0161xgx34",
    "UQAM": "002rjbv21",
    "SFU": "0213rcc28",
    "PKP": "05ek4tb53",  # the Public Knowledge Project, under SFU (OpenAlex lineage, ROR)
    "UW": "00cvxb145",
    "SeattleU": "02jqc0m91",
    "Ottawa": "03c4mmv16",
    "UQ (ROR)": "010gxg263",  # the Université du Québec, UQAM's parent in its ROR record
    # the bundled hierarchy
    "IPAL": "00m3mb357",
    "UGA": "02rx3b187",  # ROR: established 2016
    "NUS": "01tgyzw49",
}
NODES = {
    **{name: iris.hal_org(number) for name, number in HAL_NAMES.items()},
    **{name: iris.ror_org(ror) for name, ror in ROR_NAMES.items()},
    "UQ (OpenAlex)": iris.openalex_org("I49663120"),  # the same body, from the work's OpenAlex lineage of UQAM
    "FR": iris.country("FR"),
    "NO": iris.country("NO"),
    "US": iris.country("US"),
    "CA": iris.country("CA"),
}
NAMES = {node.value: name for name, node in NODES.items()}
W2018 = ["Impact", "UdeM", "UQAM", "SFU", "PKP", "UW", "SeattleU", "Ottawa"]  # its eight affiliations


def hal(*names: str) -> list[SourceData]:
    return [data for name in names for data in load_path(HAL / name, "hal")]


def link(kind: str, a: str, b: str, full: int, fractional: float) -> Link:
    """A link as the expected lists write it: a symmetric one's ends in name order."""
    if kind != INST_COUNTRY:
        a, b = sorted((a, b))
    return (kind, a, b, full, round(fractional, 6))


def year_links(store: OxigraphStore, year: int) -> tuple[set[Link], set[tuple[str, str]]]:
    """The links of a year graph, named, and the institution pairs stated internal."""
    result = store.query(sparql.PROLOGUE + links_query("all", "year", [network_graph(str(year))]))
    assert isinstance(result, ox.QuerySolutions)
    found: set[Link] = set()
    internal: set[tuple[str, str]] = set()
    for row in result:
        kind = row["kind"].value.rsplit("#", 1)[1]
        a, b = (NAMES.get(row[end].value, row[end].value) for end in ("s", "t"))
        found.add(link(kind, a, b, int(row["full"].value), float(row["frac"].value)))
        if row["internal"] is not None and row["internal"].value == "true":
            first, second = sorted((a, b))
            internal.add((first, second))
    return found, internal


def lix_under_inria() -> SourceData:
    """LIX's parent Inria, which LIX's own ROR record (04afed728) states and its HAL record omits."""
    info = SourceInfo(
        "ror",
        "lix-parent-inria",
        "LIX under Inria (ROR record 04afed728), on the HAL structures 2071 and 300009",
        "https://ror.org/04afed728",
        "2026-06-23",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    )
    return SourceData(info, [ox.Triple(NODES["LIX"], ORG.subOrganizationOf, NODES["Inria"])])


def test_one_author_with_two_affiliations_under_one_body_links_no_two_levels_of_it() -> None:
    """hal-01149835 (2014): Jiazi Yi signs with HIPERCOM2 (an Inria team, under Inria
    Paris-Rocquencourt, under Inria) and LIX (under X and the CNRS), Benoît Parrein with IRCCyN
    (under the CNRS and four schools). No fixture has one author with several affiliations under one
    parent, so the closest real record gets the relation its HAL export lacks: LIX under Inria, as
    LIX's ROR record (04afed728, bundled in data/ror) states it. Jiazi Yi's two affiliations then
    share Inria, IRCCyN and LIX share the CNRS.

    Levels in 2014: HIPERCOM2 -> {Inria Paris-Rocquencourt} -> {Inria}; LIX -> {X, CNRS, Inria};
    IRCCyN -> {Mines Nantes, ECN, EPUN, UNAM, CNRS}. Inria is never tied to HIPERCOM2, its centre
    or LIX, nor the CNRS to LIX or IRCCyN, nor X to Inria: each pair is in one affiliation's set.
    n = 3: every tie weighs 1/2. One country: no country link.
    """
    store = OxigraphStore(None)
    write_sources(store, [*hal("hal-01149835_affil_researchTeam.xml"), lix_under_inria()])
    schools = ("Mines Nantes", "ECN", "EPUN", "UNAM")
    expected = {
        # level 0: the three affiliations
        link(INST, "HIPERCOM2", "LIX", 1, 0.5),
        link(INST, "HIPERCOM2", "IRCCyN", 1, 0.5),
        link(INST, "LIX", "IRCCyN", 1, 0.5),
        # level 1: HIPERCOM2's centre with LIX's and IRCCyN's parents that are not its own
        link(INST, "Inria Paris-Rocquencourt", "X", 1, 0.5),
        link(INST, "Inria Paris-Rocquencourt", "CNRS", 1, 0.5),
        *(link(INST, "Inria Paris-Rocquencourt", school, 1, 0.5) for school in schools),
        # level 1: LIX's X and Inria with IRCCyN's schools (the CNRS is in both sets)
        *(link(INST, body, school, 1, 0.5) for body in ("X", "Inria") for school in schools),
        # level 2: HIPERCOM2's Inria with IRCCyN's CNRS (the schools' ties are there already)
        link(INST, "Inria", "CNRS", 1, 0.5),
    }
    assert len(expected) == 18
    assert year_links(store, 2014) == (expected, set())


def test_a_work_credits_no_body_created_after_it_nor_closed_before_it() -> None:
    """hal-01213935 (2014): Le2i with the Colour Lab, whose parent Gjøvik University College starts
    on 2016-10-28 in its HAL record: Gjøvik gets nothing, and the Colour Lab, without a parent that
    year, stays itself at level 1, tied to Le2i's four parents. hal-00719737 (2014): LMFA with
    MSNMGP, whose three Aix-Marseille universities ended in 2011: its only parent that year is the
    CNRS, which LMFA's set holds too, so the two labs are the work's only tie."""
    store = OxigraphStore(None)
    write_sources(store, hal("hal-01213935.xml", "hal-00719737.xml"))
    le2i_parents = ("CNRS", "UB", "AgroSup", "ENSAM")
    expected = {
        link(INST, "Le2i", "Colour Lab", 1, 1.0),
        *(link(INST, parent, "Colour Lab", 1, 1.0) for parent in le2i_parents),
        *(link(INST_COUNTRY, body, "NO", 1, 1.0) for body in ("Le2i", *le2i_parents)),
        link(INST_COUNTRY, "Colour Lab", "FR", 1, 1.0),
        link(COUNTRY, "FR", "NO", 1, 1.0),
        link(INST, "LMFA", "MSNMGP", 1, 1.0),
    }
    assert year_links(store, 2014) == (expected, set())
    hierarchy = read_hierarchy(store)
    colour_lab, msnmgp = NODES["Colour Lab"].value, NODES["MSNMGP"].value
    assert hierarchy.levels(colour_lab, 2014).whole == {colour_lab}
    assert hierarchy.levels(colour_lab, 2017).whole == {colour_lab, NODES["Gjøvik"].value}
    assert hierarchy.levels(msnmgp, 2014).whole == {msnmgp, NODES["CNRS"].value}
    assert len(hierarchy.levels(msnmgp, 2011).whole) == 5  # the three universities still existed


def expected_2018(uq: list[str]) -> set[Link]:
    """W2741809807's links: the 28 pairs of its eight affiliations, then, at level 1, UQAM's parents
    ``uq`` with the other affiliations' bodies there: six, PKP having become SFU at that level (no
    UQ-PKP tie; UQ-SFU once). The others have no parent: nothing more. n = 8: each tie weighs 1/7.
    Each institution is linked to the other country (1); one without a country (PKP: none in the
    work's record; the UQ records), to both (1/2 each)."""
    others = [name for name in W2018 if name not in ("UQAM", "PKP")]
    home = {"Impact": "US", "UW": "US", "SeattleU": "US", "UdeM": "CA", "UQAM": "CA", "SFU": "CA", "Ottawa": "CA"}
    return {
        *(link(INST, a, b, 1, 1 / 7) for a, b in combinations(W2018, 2)),
        *(link(INST, parent, other, 1, 1 / 7) for parent in uq for other in others),
        *(link(INST_COUNTRY, name, "CA" if country == "US" else "US", 1, 1.0) for name, country in home.items()),
        *(link(INST_COUNTRY, body, country, 1, 0.5) for body in ("PKP", *uq) for country in ("US", "CA")),
        link(COUNTRY, "CA", "US", 1, 1.0),
    }


def test_fractional_weights_of_a_work_sum_as_the_formula_says() -> None:
    """W2741809807 (2018), n = 8 affiliations, c = 2 countries: its ties between affiliations weigh
    n/2, each affiliation's ties to the others 1, each institution's country links 1, its country
    pairs c/2. SFU and its own Public Knowledge Project, both on the byline (Juan Pablo Alperín
    signs with both), are the one internal tie."""
    store = OxigraphStore(None)
    write_sources(store, load_path(WORK_2018, "openalex"))
    found, internal = year_links(store, 2018)
    assert found == expected_2018(["UQ (OpenAlex)"])
    assert internal == {("PKP", "SFU")}

    between = [(a, b, weight) for kind, a, b, _, weight in found if kind == INST and {a, b} <= set(W2018)]
    assert sum(weight for *_, weight in between) == pytest.approx(len(W2018) / 2)
    for name in W2018:
        assert sum(weight for a, b, weight in between if name in (a, b)) == pytest.approx(1.0)
    for name in [*W2018, "UQ (OpenAlex)"]:  # 1 for each institution: 1/m for each of its m other countries
        assert sum(w for kind, a, _, _, w in found if kind == INST_COUNTRY and a == name) == pytest.approx(1.0)
    assert sum(weight for kind, *_, weight in found if kind == COUNTRY) == pytest.approx(2 / 2)


def test_a_ror_load_that_gives_an_organisation_a_parent_recounts_the_years_concerned() -> None:
    """The bundled ROR file of referenced organisations gives UQAM its parent, the Université du
    Québec (UQAM's ROR record): that load alone, without ``cnrs-kg network --refresh``, adds the
    UQ's 2018 ties as the rules make them, leaves 2014 as it was, and leaves the network as a
    recount of the whole store would."""
    store = OxigraphStore(None)
    write_sources(store, [*load_path(WORK_2018, "openalex"), *hal("hal-01213935.xml")])
    before_2014 = year_links(store, 2014)
    assert year_links(store, 2018)[0] == expected_2018(["UQ (OpenAlex)"])

    write_sources(store, load_path(ROR_REFERENCED, "ror"))
    assert not network_status(store).stale
    assert year_links(store, 2018)[0] == expected_2018(["UQ (OpenAlex)", "UQ (ROR)"])
    # 2014 moves by the reconciliation alone (graph.reconcile): the same load brings the ROR records of
    # AgroSup Dijon and ENSAM, which hal-01213935 names without a ROR id; their ROR organisations (and
    # the ROR parents of AgroSup Dijon) take the place of HAL's two nodes, the other links stay.
    assert same_as(store).keys() == {NODES["AgroSup"].value, NODES["ENSAM"].value}
    now_2014 = year_links(store, 2014)[0]
    gone = {(a, b) for _, a, b, *_ in before_2014[0] - now_2014}
    assert gone == {("AgroSup", "NO"), ("ENSAM", "NO"), ("AgroSup", "Colour Lab"), ("Colour Lab", "ENSAM")}
    assert all(iris.ID + "org/ror/" in a + b for _, a, b, *_ in now_2014 - before_2014[0])

    recounted = OxigraphStore(None)
    write_sources(recounted, [*load_path(ROR_REFERENCED, "ror"), *load_path(WORK_2018, "openalex")])
    write_sources(recounted, hal("hal-01213935.xml"))
    for year in (2014, 2018):
        assert year_links(recounted, year) == year_links(store, year)


def test_a_change_of_a_parent_s_dates_moves_the_fingerprint_that_triggers_a_recount() -> None:
    """A load that changes only when a parent existed (Gjøvik's start) changes which works credit it:
    the context's fingerprint, compared before and after every load, holds the parents' dates."""
    store = OxigraphStore(None)
    write_sources(store, hal("hal-01213935.xml"))
    context = read_context(store)
    gjovik = NODES["Gjøvik"].value
    assert context.hierarchy.lifetimes[gjovik] == (2016, None)
    fingerprint = context.fingerprint
    context.hierarchy.lifetimes[gjovik] = (2010, None)
    assert context.fingerprint != fingerprint


def test_the_bundled_hierarchy_credits_ipal_s_university_from_its_creation_on(bundled: OxigraphStore) -> None:
    """IPAL's supervising bodies come from the CNRS table; Université Grenoble Alpes among them was
    established in 2016 (its ROR record): a 2014 work of IPAL credits the CNRS and NUS, not UGA."""
    hierarchy = read_hierarchy(bundled)
    ipal, uga = NODES["IPAL"].value, NODES["UGA"].value
    in_2014, in_2016 = hierarchy.levels(ipal, 2014), hierarchy.levels(ipal, 2016)
    assert {NODES["CNRS"].value, NODES["NUS"].value} <= in_2014.whole
    assert uga not in in_2014.whole
    assert uga in in_2016.at(1)


def test_a_network_counted_by_older_rules_is_stale_until_counted_again() -> None:
    """A store whose network was counted before these rules (its graphs do not name them) reports it
    stale, and a refresh counts it again under them."""
    store = OxigraphStore(None)
    write_sources(store, hal("hal-01213935.xml"))
    assert not network_status(store).stale
    every_year = network_graph("all")
    rules = ox.NamedNode(COUNTING_RULES)
    store.update(
        sparql.bind(sparql.DELETE_DATA, GRAPH=every_year, DATA=[ox.Triple(every_year, DCTERMS.conformsTo, rules)])
    )
    status = network_status(store)
    assert status.stale
    assert status.message.startswith(f"network counted by older rules than {COUNTING_RULES}: stale")
    refresh_network(store)
    assert not network_status(store).stale
