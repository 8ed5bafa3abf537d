"""Agreement gaps (``graph.analytics.gaps``), figures worked out by hand.

Records: the bundled dataset (its instruments and its works of 2014 and 2018) and the works generated
by ``tests.graph.test_instrument_phases`` (``WORKS``: real institutions of the bundled ROR records,
marked synthetic), whose comments give each work's ties.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import BadArgument, OxigraphStore
from graph.analytics.gaps import gaps
from graph.explore.types import Counting, Level, Window
from ontology import iris
from tests.graph.test_instrument_phases import CATANDUANES, DA_NANG, IAL, MALAYA, generated_store, org

WINDOW = Window(2020, 2023)


@pytest.fixture(scope="module")
def store(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    path = generated_store(bundled_store_path, tmp_path_factory.mktemp("gaps"))
    with OxigraphStore(path, read_only=True) as opened:
        yield opened


def test_gap_partners_by_hand(store: OxigraphStore) -> None:
    """2020-2023, full counting. The CNRS's partners then: Malaya (works 4, 5, 6), NUS (7), VISTEC (8),
    Da Nang (9, 10, 11), IAL (11), Catanduanes (12). Covered by an instrument active then: Malaya
    (NatProLab, 2019-2022), NUS (IPAL...), VISTEC (CHIRACHEM). Left: Da Nang 3 (2020, 2022, 2023),
    then Catanduanes and IAL, 1 each (by IRI). Slopes over 2020-2023 (x centred: -1.5, -0.5, 0.5,
    1.5; sum of squares 5): Da Nang 1, 0, 1, 1: (-0.375 + 0.375 + 0.125 + 0.375) / 5 = 0.1;
    Catanduanes 0, 1, 0, 0: -0.5 / 5 = -0.1; IAL 0, 0, 0, 1: 1.5 / 5 = 0.3."""
    found = gaps(store, window=WINDOW)
    assert [(g.partner, g.works, g.per_year, g.slope) for g in found] == [
        (org(DA_NANG), 3.0, {2020: 1.0, 2022: 1.0, 2023: 1.0}, 0.1),
        (org(CATANDUANES), 1.0, {2021: 1.0}, -0.1),
        (org(IAL), 1.0, {2023: 1.0}, 0.3),
    ]
    assert found.total == 3
    assert [g.partner for g in gaps(store, window=WINDOW, min_works=2)] == [org(DA_NANG)]
    first = gaps(store, window=WINDOW, first=1)
    assert ([g.partner for g in first], first.total) == ([org(DA_NANG)], 3)


def test_fractional_gaps(store: OxigraphStore) -> None:
    """Fractional: Da Nang 1 + 1 + 1/2 (work 11 has three affiliations) = 2.5, Catanduanes 1; IAL's
    1/2 is under minWorks 1."""
    found = gaps(store, window=WINDOW, counting=Counting.FRACTIONAL)
    assert [(g.partner, g.works, g.per_year) for g in found] == [
        (org(DA_NANG), 2.5, {2020: 1.0, 2022: 1.0, 2023: 0.5}),
        (org(CATANDUANES), 1.0, {2021: 1.0}),
    ]


def test_an_instrument_covers_only_the_windows_it_meets(store: OxigraphStore) -> None:
    """NatProLab ended in 2022: in 2023 Malaya (work 5) is a gap."""
    assert [g.partner for g in gaps(store, window=Window(2023, 2023))] == [org(DA_NANG), org(MALAYA), org(IAL)]


def test_gaps_in_a_place_and_at_the_country_level(store: OxigraphStore) -> None:
    """Located in Viet Nam: Da Nang. Countries: the Philippines (work 12) has no instrument; Viet Nam,
    Singapore, Malaysia and Thailand have some active in 2020-2023."""
    viet_nam = iris.country("VN").value
    assert [g.partner for g in gaps(store, window=WINDOW, places_in=[viet_nam])] == [org(DA_NANG)]
    countries = gaps(store, window=WINDOW, level=Level.COUNTRY)
    assert [(g.partner, g.works) for g in countries] == [(iris.country("PH").value, 1.0)]
    south_eastern_asia = iris.ID + "area/m49/035"
    assert [g.partner for g in gaps(store, window=WINDOW, level=Level.COUNTRY, places_in=[south_eastern_asia])] == [
        iris.country("PH").value
    ]
    assert gaps(store, window=WINDOW, level=Level.COUNTRY, places_in=[viet_nam]) == []


def test_the_bundled_gaps(bundled: OxigraphStore) -> None:
    """On the bundled data alone: the CNRS's five co-publication partners of 2014 (bioMérieux, a
    Norwegian lab, Inria Paris, the CEA, Inria) take part in no instrument; at the country level, Norway."""
    found = gaps(bundled)
    assert found.total == 5
    assert all(g.works == 1.0 and g.per_year == {2014: 1.0} for g in found)
    assert [g.partner for g in gaps(bundled, level=Level.COUNTRY)] == [iris.country("NO").value]


def test_bad_arguments_are_refused(store: OxigraphStore) -> None:
    with pytest.raises(BadArgument, match="first=-1"):
        gaps(store, first=-1)
    with pytest.raises(BadArgument, match="minWorks=-1"):
        gaps(store, min_works=-1)
