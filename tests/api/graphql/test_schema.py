"""The API contract: the printed SDL is a snapshot, changed only on purpose; the public names are pinned.

To change the schema deliberately, regenerate the snapshot and review its diff:

    .venv/bin/python -c "from api.graphql import schema; print(schema.as_str())" > tests/api/graphql/schema.graphql
"""

from __future__ import annotations

from pathlib import Path

import api.graphql
from api.graphql import schema

SNAPSHOT = Path(__file__).with_name("schema.graphql")
UPDATE = 'python -c "from api.graphql import schema; print(schema.as_str())" > tests/api/graphql/schema.graphql'


def test_printed_schema_is_the_snapshot() -> None:
    printed = schema.as_str() + "\n"
    assert printed == SNAPSHOT.read_text(encoding="utf-8"), (
        f"the GraphQL schema changed; if on purpose, run `{UPDATE}` and commit the reviewed diff"
    )


def test_public_names() -> None:
    assert sorted(api.graphql.__all__) == [
        "Context",
        "MAX_DEPTH",
        "MAX_PAGE",
        "MAX_TOKENS",
        "RecordingQueries",
        "routes",
        "schema",
    ]


def test_every_node_type_implements_node() -> None:
    nodes = {"Institution", "Country", "Region", "CountryGroup", "Instrument", "Office", "Publication", "Indicator"}
    for name in nodes:
        assert f"type {name} implements Node" in schema.as_str()
