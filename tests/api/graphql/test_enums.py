"""The schema's enums that stand for the graph's own: the same members, so none can drift."""

from __future__ import annotations

from api.graphql.types.enums import Counting, EdgeType, ExportFormatName
from graph import explore
from graph.exports import FORMATS


def test_edge_types_and_countings_are_the_explorations_own() -> None:
    assert EdgeType is explore.EdgeType
    assert Counting is explore.Counting


def test_every_export_format_is_offered_and_no_other() -> None:
    assert [member.value for member in ExportFormatName] == list(FORMATS)
