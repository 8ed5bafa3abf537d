"""Every example of ``examples/*.graphql`` (the GraphiQL tabs) runs without error on the bundled data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.graphql.conftest import GraphQL

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.graphql"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(gql: GraphQL, path: Path) -> None:
    data = gql.data(path.read_text(encoding="utf-8"))
    assert data
    assert all(value is not None for value in data.values())


def test_asean_example_says_10_members_in_2019(gql: GraphQL) -> None:
    data = gql.data((EXAMPLES[0].parent / "asean_members.graphql").read_text(encoding="utf-8"))
    assert data["countries"]["totalCount"] == 10
