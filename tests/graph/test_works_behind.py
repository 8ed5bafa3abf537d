"""The works behind a co-publication figure are exactly the works the counting rules count in it:
as many as the link's full count, their weights adding up to its fractional count, for every link of
the bundled store and of works generated over its hierarchy, and for the worked cases of real HAL
records (a parent created after the work, a body in both affiliations' sets)."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import OxigraphStore, explore
from graph.analytics import collaboration_profile, gaps, instrument_copublications
from graph.analytics.profile import INTERNATIONAL, KINDS, NATIONAL
from graph.analytics.works import CORPORATE, link_key, profile_works, works_behind
from graph.errors import BadArgument
from graph.explore.types import Counting, Window
from graph.links import COUNTRY, INST_COUNTRY, index_of, read_context
from graph.writing import write_sources
from loaders import SourceData, load_path
from ontology import FABIO, KG, ORG, XSD, iris
from ontology.provenance import SourceInfo

ROOT = Path(__file__).resolve().parents[2]
HAL = ROOT / "tests" / "fixtures" / "hal"
CNRS = iris.ror_org("02feahw73").value
NUS = iris.ror_org("01tgyzw49")
EVERY_YEAR = Window()
Figures = dict[tuple[str, str], tuple[int, float]]


def figures(store: OxigraphStore, window: Window = EVERY_YEAR) -> Figures:
    """Every link of the network index over the window: its ends (IRI order), full and fractional count."""
    index = index_of(store)
    years, sources, targets = index.columns()
    found: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for row, year in enumerate(years.tolist()):
        if window.contains(year):
            a, b = sorted((index.nodes.iris[int(sources[row])], index.nodes.iris[int(targets[row])]))
            found[a, b][0] += int(index.years.full[row])
            found[a, b][1] += float(index.years.fractional[row])
    return {pair: (int(full), round(fractional, 6)) for pair, (full, fractional) in found.items()}


def assert_listed_as_counted(store: OxigraphStore, window: Window = EVERY_YEAR) -> int:
    """Each link's works, as many as its full count, weighing its fractional count; the links checked."""
    expected = figures(store, window)
    assert expected
    for (a, b), (full, fractional) in expected.items():
        found = works_behind(store, a, b, window)
        assert found.full == full, (a, b)
        assert found.weight(Counting.FRACTIONAL) == pytest.approx(fractional, abs=1e-5), (a, b)
        assert all(window.contains(work.year) for work in found.works)
        assert len({work.iri for work in found.works}) == found.full <= found.candidates
    return len(expected)


def test_every_link_of_the_bundled_store_lists_as_many_works_as_it_counts(bundled: OxigraphStore) -> None:
    assert assert_listed_as_counted(bundled) >= 100
    assert assert_listed_as_counted(bundled, Window(2016, 2018)) >= 10


def test_the_works_behind_a_partner_are_its_weight_newest_first(bundled: OxigraphStore) -> None:
    partners = explore.partners(bundled, CNRS, kinds=[explore.EdgeType.COPUBLICATION], first=3)
    assert partners
    for partner in partners:
        found = works_behind(bundled, CNRS, partner.node.iri)
        assert found.full == partner.weight
        order = [(-work.year, work.iri) for work in found.works]
        assert order == sorted(order)
        assert sum(explore.trend(bundled, CNRS, partner.node.iri).values()) == found.full


def generated_works(store: OxigraphStore, count: int = 40) -> SourceData:
    """Works with two to five affiliations drawn (seeded) from the organisations of the bundled hierarchy
    and their countries, some with a second, later year from another source, from 2008 to 2020."""
    context = read_context(store)
    orgs = sorted(
        {*context.hierarchy.parents, *(p for edges in context.hierarchy.parents.values() for p, _, _ in edges)}
    )
    countries = sorted({c for org in orgs for c in context.home.get(org, ())} | {iris.country("VN").value})
    draw = random.Random(16)
    triples: list[ox.Triple] = []
    for number in range(count):
        work = iris.work_doi(f"10.5555/cnrs-kg.works-behind.{number}")
        year = draw.randint(2008, 2020)
        triples.append(ox.Triple(work, FABIO.hasPublicationYear, ox.Literal(str(year), datatype=XSD.gYear)))
        if number % 7 == 0:  # printed a year later: it counts for the earlier
            triples.append(ox.Triple(work, FABIO.hasPublicationYear, ox.Literal(str(year + 1), datatype=XSD.gYear)))
        for org in draw.sample(orgs, draw.randint(2, 5)):
            triples.append(ox.Triple(work, KG.affiliatedInstitution, ox.NamedNode(org)))
        for country in draw.sample(countries, draw.randint(1, 3)):
            triples.append(ox.Triple(work, KG.affiliatedCountry, ox.NamedNode(country)))
    for number, year in enumerate((2005, 2006, 2012, 2019, 2020)):  # the CNRS with NUS, an IPAL partner
        work = iris.work_doi(f"10.5555/cnrs-kg.works-behind.nus.{number}")
        triples.append(ox.Triple(work, FABIO.hasPublicationYear, ox.Literal(str(year), datatype=XSD.gYear)))
        triples += [ox.Triple(work, KG.affiliatedInstitution, org) for org in (iris.ror_org("02feahw73"), NUS)]
        triples += [ox.Triple(work, KG.affiliatedCountry, iris.country(code)) for code in ("FR", "SG")]
    info = SourceInfo(
        "openalex",
        "works-behind-generated",
        "Works generated over the bundled hierarchy (tests of graph.analytics.works)",
        "https://w3id.org/cnrs-kg/tests",
        "2026-12-07",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        synthetic=True,
        publications=True,
    )
    return SourceData(info, triples)


def test_every_link_lists_its_works_over_generated_works(bundled_copy: Path) -> None:
    with OxigraphStore(bundled_copy) as store:
        write_sources(store, [generated_works(store)])
        assert assert_listed_as_counted(store) >= 300
        assert assert_listed_as_counted(store, Window(2012, 2016)) >= 100
        assert_phases_listed(store)
        for window in (EVERY_YEAR, Window(2012, 2016)):
            assert_profile_listed(store, window)


def assert_phases_listed(store: OxigraphStore) -> None:
    """Each phase of IRL IPAL with each partner: the works behind each CNRS-side node's tie with the
    partner over the phase's years, as many together as the phase counts (a work of two side labs
    counts once per lab, as the phase adds their ties)."""
    checked = 0
    for partner in instrument_copublications(store, iris.instrument("irl-ipal").value):
        assert partner.phases is not None
        for phase in (partner.phases.before, partner.phases.during, partner.phases.after):
            if phase.years:
                window = Window(phase.first, phase.last)
                listed = sum(works_behind(store, side, partner.partner, window).full for side in partner.cnrs_side)
                assert listed == phase.full, (partner.partner, phase)
                checked += bool(listed)
    assert checked >= 2  # NUS before and during (IPAL is open: no after)


def assert_profile_listed(store: OxigraphStore, window: Window = EVERY_YEAR) -> None:
    """The CNRS's works of each kind, its academic-corporate works and those with each partner country:
    as many as its profile counts, their weights its fractional figures."""
    total = collaboration_profile(store, CNRS).total(window)
    figures = {kind: (total.full[kind], total.fractional[kind]) for kind in KINDS}
    figures[CORPORATE] = (total.corporate[Counting.FULL], total.corporate[Counting.FRACTIONAL])
    for kind, (full, fractional) in figures.items():
        found = profile_works(store, CNRS, window, kind=kind)
        assert found.full == full, kind
        assert found.weight(Counting.FRACTIONAL) == pytest.approx(fractional, abs=1e-6), kind
    for country, full in total.countries[Counting.FULL].items():
        found = profile_works(store, CNRS, window, kind=INTERNATIONAL, country=country)
        fractional = total.countries[Counting.FRACTIONAL][country]
        assert found.full == full, country
        assert found.weight(Counting.FRACTIONAL) == pytest.approx(fractional, abs=1e-6), country
    every = profile_works(store, CNRS, window)
    assert every.full == sum(full for full, _ in (figures[kind] for kind in KINDS))


def test_the_works_behind_the_cnrs_profile_are_its_figures(bundled: OxigraphStore) -> None:
    assert_profile_listed(bundled)
    assert profile_works(bundled, CNRS, kind=INTERNATIONAL).full >= 1
    with pytest.raises(BadArgument, match="kind: 'bilateral' is not one of"):
        profile_works(bundled, CNRS, kind="bilateral")


def test_the_works_behind_each_agreement_gap_are_its_figure(bundled: OxigraphStore) -> None:
    found = gaps(bundled, first=None)
    assert len(found) >= 5
    for gap in found:
        assert works_behind(bundled, CNRS, gap.partner).full == gap.works


def test_a_parent_created_after_the_work_gets_none_of_its_works() -> None:
    """hal-01213935 (2014): Le2i (under the CNRS) with the Colour Lab, whose parent Gjøvik University
    College starts in 2016; hal-00719737 (2014): LMFA with MSNMGP, both under the CNRS that year."""
    store = OxigraphStore(None)
    write_sources(
        store, [data for name in ("hal-01213935.xml", "hal-00719737.xml") for data in load_path(HAL / name, "hal")]
    )
    colour_lab, gjovik = iris.hal_org(439007).value, iris.hal_org(301160).value
    le2i, lmfa, msnmgp = iris.hal_org(22594).value, iris.hal_org(694).value, iris.hal_org(871).value
    france = iris.country("FR").value
    assert [w.year for w in works_behind(store, CNRS, colour_lab).works] == [2014]
    assert works_behind(store, le2i, colour_lab).works[0].fractional == 1.0
    late = works_behind(store, gjovik, france)  # the Colour Lab's work names France, before Gjøvik existed
    assert (late.candidates, late.full) == (1, 0)
    assert works_behind(store, lmfa, msnmgp).full == 1
    shared = works_behind(store, CNRS, msnmgp)  # the CNRS is in both affiliations' sets: no tie
    assert (shared.candidates, shared.full) == (1, 0)
    assert works_behind(store, CNRS, colour_lab, Window(2015, 2020)).full == 0


def test_a_link_is_keyed_as_the_rules_write_it() -> None:
    vn, sg = iris.country("VN").value, iris.country("SG").value
    assert link_key(vn, CNRS) == link_key(CNRS, vn) == (INST_COUNTRY, CNRS, vn)
    assert link_key(vn, sg) == (COUNTRY, sg, vn)
    with pytest.raises(BadArgument, match="both ends"):
        link_key(CNRS, CNRS)


def test_the_explain_query_lists_the_candidates_on_the_store(bundled: OxigraphStore) -> None:
    """The SPARQL given for a link runs on the store and lists its candidates, a superset of its works."""
    partner = explore.partners(bundled, CNRS, kinds=[explore.EdgeType.COPUBLICATION], first=1)[0]
    found = works_behind(bundled, CNRS, partner.node.iri)
    rows = bundled.query(found.explain())
    assert isinstance(rows, ox.QuerySolutions)
    listed = [row["work"].value for row in rows]
    assert {work.iri for work in found.works} <= set(listed)
    assert len(listed) == found.candidates
    assert "counting rules" in found.explain()
    assert ORG.subOrganizationOf.value not in found.explain()  # the hierarchy is bound, not walked


def test_the_explain_query_of_a_profile_figure_lists_its_candidates(bundled: OxigraphStore) -> None:
    """The SPARQL given for the CNRS's works of a profile figure runs on the store and lists the works
    naming the CNRS or its units in the window: a superset of the figure's works, as many as every
    work of its profile there (the CNRS has a unit in each of them)."""
    for window in (EVERY_YEAR, Window(2014, 2015)):
        found = profile_works(bundled, CNRS, window, kind=NATIONAL)
        rows = bundled.query(found.explain())
        assert isinstance(rows, ox.QuerySolutions)
        listed = [row["work"].value for row in rows]
        assert {work.iri for work in found.works} <= set(listed)
        assert len(listed) == profile_works(bundled, CNRS, window).full
        assert CNRS in found.explain()
        assert "profile's decision" in found.explain()
