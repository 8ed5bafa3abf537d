"""Paths and trends between two nodes of the bundled data."""

from __future__ import annotations

import pytest

from graph import CostLimitExceeded, OxigraphStore
from graph.explore import Counting, EdgeType, path, trend
from tests.graph.explore.bundled import CANADA, CEA, CNRS, MAHIDOL, NUS, SFU, US, UW, instrument


def test_path_from_the_cnrs_to_a_partner_goes_through_their_instrument(bundled: OxigraphStore) -> None:
    found = path(bundled, CNRS, MAHIDOL)
    assert found[0].nodes == [CNRS, MAHIDOL]
    assert [(s.type, s.via) for s in found[0].steps] == [(EdgeType.INSTRUMENT, instrument("irl-healthdeep"))]


def test_two_partners_of_the_cnrs_meet_through_it(bundled: OxigraphStore) -> None:
    found = path(bundled, NUS, MAHIDOL, include=[EdgeType.INSTRUMENT])
    assert [p.nodes for p in found] == [[NUS, CNRS, MAHIDOL]]  # the CNRS is their shared partner
    steps = found[0].steps
    assert [(s.source, s.target, s.via) for s in steps] == [
        (NUS, CNRS, instrument("irl-bmc2")),
        (CNRS, MAHIDOL, instrument("irl-healthdeep")),
    ]


def test_path_limits(bundled: OxigraphStore) -> None:
    with pytest.raises(CostLimitExceeded, match="max_hops=5"):
        path(bundled, CNRS, NUS, max_hops=5)
    assert path(bundled, US, NUS, max_hops=1) == []


def test_trend_counts_copublications_per_year(bundled: OxigraphStore) -> None:
    assert trend(bundled, CNRS, CEA) == {2014: 1.0}
    assert trend(bundled, CANADA, US) == {2018: 1.0}
    assert trend(bundled, UW, SFU, counting=Counting.FRACTIONAL) == {2018: pytest.approx(1 / 7, abs=1e-6)}
    assert trend(bundled, CNRS, NUS) == {}
