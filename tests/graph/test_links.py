"""Counting rules of the collaboration network, on the structures of a real HAL record.

hal-01213935 (CC BY 4.0): Le2i (HAL 22594, UMR 6306, ended 2016-12-31) under the CNRS, the
Université de Bourgogne, AgroSup Dijon and ENSAM; the Norwegian Colour and Visual Computing
Laboratory (HAL 439007) under Gjøvik University College (HAL 301160).
"""

from __future__ import annotations

import pytest

from graph.links import COUNTRY, INST, INST_COUNTRY, Hierarchy, Key, Tally, count_work
from ontology import iris

CNRS = iris.ror_org("02feahw73").value
LE2I = iris.hal_org(22594).value
UB = iris.hal_org(300270).value
AGROSUP = iris.hal_org(415469).value
ENSAM = iris.hal_org(301320).value
COLOURLAB = iris.hal_org(439007).value
GJOVIK = iris.hal_org(301160).value
FR, NO = iris.country("FR").value, iris.country("NO").value
HOME = {LE2I: {FR}, UB: {FR}, CNRS: {FR}, AGROSUP: {FR}, ENSAM: {FR}, COLOURLAB: {NO}, GJOVIK: {NO}}


@pytest.fixture
def hierarchy() -> Hierarchy:
    h = Hierarchy()
    h.parents[LE2I] = [(parent, None, 2016) for parent in (CNRS, UB, AGROSUP, ENSAM)]  # Le2i ended in 2016
    h.parents[COLOURLAB] = [(GJOVIK, None, None)]
    return h


def links(hierarchy: Hierarchy, when: int, affiliations: set[str], countries: set[str]) -> dict[Key, Tally]:
    table: dict[Key, Tally] = {}
    count_work(table, when, affiliations, countries, HOME, hierarchy)
    return table


def pair(kind: str, a: str, b: str) -> Key:
    """The key of a symmetric link: its ends in IRI order."""
    first, second = sorted((a, b))
    return (kind, first, second)


def test_a_single_lab_paper_links_nothing(hierarchy: Hierarchy) -> None:
    """A paper of Le2i alone is no co-publication between Le2i and its own CNRS."""
    assert links(hierarchy, 2015, {LE2I}, {FR}) == {}


def test_international_paper_rolls_up_to_supervising_bodies_once(hierarchy: Hierarchy) -> None:
    table = links(hierarchy, 2015, {LE2I, COLOURLAB}, {FR, NO})
    institution_pairs = {(a, b) for kind, a, b in table if kind == INST}
    # Le2i-Colour Lab at level 0, then Le2i's four parents with Gjøvik at level 1: never Le2i-CNRS
    # nor CNRS-UB (one lab's own bodies), nor Le2i-Gjøvik or CNRS-Colour Lab (two levels).
    expected = {pair(INST, LE2I, COLOURLAB)[1:]} | {pair(INST, x, GJOVIK)[1:] for x in (CNRS, UB, AGROSUP, ENSAM)}
    assert institution_pairs == expected
    cnrs_gjovik = table[pair(INST, CNRS, GJOVIK)]
    assert (cnrs_gjovik.full, cnrs_gjovik.fractional, cnrs_gjovik.internal) == (1, 1.0, False)
    assert table[pair(COUNTRY, FR, NO)].full == 1
    assert table[(INST_COUNTRY, CNRS, NO)].full == 1
    assert (INST_COUNTRY, CNRS, FR) not in table  # an institution is not linked to its own country


def test_lab_with_its_own_supervising_body_is_internal(hierarchy: Hierarchy) -> None:
    table = links(hierarchy, 2015, {LE2I, UB}, {FR})
    assert table[pair(INST, LE2I, UB)].internal is True
    # The CNRS and UB both supervise Le2i: co-supervision, not a co-publication tie.
    assert [key for key in table if key[0] == INST] == [pair(INST, LE2I, UB)]
    assert not any(kind == COUNTRY for kind, _, _ in table)


def test_hierarchy_is_dated(hierarchy: Hierarchy) -> None:
    """Le2i ended in 2016: a 2018 paper naming it no longer rolls up to the CNRS."""
    table = links(hierarchy, 2018, {LE2I, COLOURLAB}, {FR, NO})
    assert not any(CNRS in (a, b) for kind, a, b in table if kind == INST)
    assert pair(INST, LE2I, COLOURLAB) in table


def test_fractional_counting_splits_a_work_among_its_affiliations(hierarchy: Hierarchy) -> None:
    table = links(hierarchy, 2015, {LE2I, COLOURLAB, ENSAM}, {FR, NO})
    assert table[pair(INST, LE2I, COLOURLAB)].fractional == pytest.approx(0.5)  # n = 3 affiliations
    assert table[pair(COUNTRY, FR, NO)].fractional == pytest.approx(1.0)  # n = 2 countries


def test_each_organisation_counts_once_per_work(hierarchy: Hierarchy) -> None:
    """ENSAM is both an affiliation and Le2i's parent: the CNRS-Gjøvik pair still counts once."""
    table = links(hierarchy, 2015, {LE2I, ENSAM, COLOURLAB}, {FR, NO})
    assert table[pair(INST, CNRS, GJOVIK)].full == 1
