"""A network selection from entity IRIs, checked before the store is asked, on the bundled data."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from graph import BadArgument, CostLimitExceeded, OxigraphStore
from graph.explore import Counting, EdgeType, Selection, Window, network
from tests.counting import CountingQueryable
from tests.graph.explore.bundled import CNRS, NUS


def test_the_checked_values_reach_the_network(bundled: OxigraphStore) -> None:
    chosen = Selection.checked(
        [NUS, NUS], start=2010, end=2020, counting="fractional", include=["instrument,copublication", "instrument"]
    )
    kinds = [EdgeType.INSTRUMENT, EdgeType.COPUBLICATION]
    assert chosen == Selection([NUS], 1, Window(2010, 2020), 0.0, Counting.FRACTIONAL, kinds)
    direct = network(bundled, [NUS], window=Window(2010, 2020), counting=Counting.FRACTIONAL, include=chosen.include)
    assert chosen.network(bundled).edges == direct.edges


def test_the_cnrs_when_no_seed_is_given() -> None:
    assert Selection.checked().seeds == [CNRS]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"seeds": ["02feahw73"]}, "seeds: '02feahw73' is not an IRI"),  # other spellings are the API's to resolve
        ({"hops": -1}, "hops: -1 is negative"),
        ({"start": 99999}, "from: 99999 is not a year"),
        ({"start": 2020, "end": 2010}, "from: 2020 is after to: 2010"),
        ({"min_weight": float("nan")}, "minWeight: nan is not a finite number"),
        ({"min_weight": -1.0}, "minWeight: -1 is negative"),
        ({"counting": "half"}, "counting: 'half' is not full or fractional"),
        ({"include": ["friendship"]}, "include: 'friendship' is not an edge type"),
    ],
)
def test_a_bad_value_is_refused_naming_its_parameter(values: dict[str, object], message: str) -> None:
    with pytest.raises(BadArgument, match="^" + re.escape(message)):
        Selection.checked(**values)  # type: ignore[arg-type]


def test_other_values_are_checked_before_the_seeds_are_read() -> None:
    def seeds() -> Iterator[str]:  # as the API resolves them: lazily, each spelling may be refused
        raise AssertionError("the seeds were read before the other values were checked")
        yield CNRS

    with pytest.raises(BadArgument, match=r"^hops:"):
        Selection.checked(seeds(), hops=-1)


def test_a_seed_the_store_knows_nothing_of_is_refused_in_one_query(bundled: OxigraphStore) -> None:
    counting = CountingQueryable(bundled)
    nothing = "https://example.org/nothing"
    with pytest.raises(BadArgument, match=re.escape(f"seeds: <{nothing}> names nothing in this store")):
        Selection.checked([CNRS, nothing]).network(counting)
    assert len(counting.queries) == 1


def test_the_cost_limit_still_applies(bundled: OxigraphStore) -> None:
    with pytest.raises(CostLimitExceeded, match="hops=4"):
        Selection.checked([CNRS], hops=4).network(bundled)
