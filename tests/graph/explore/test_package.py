"""What ``graph.explore`` offers by name."""

from __future__ import annotations

from graph import explore


def test_public_names() -> None:
    assert explore.__all__ == [
        "MAX_HOPS",
        "MAX_NODES",
        "MAX_PATH_HOPS",
        "Counting",
        "Edge",
        "EdgeType",
        "Metrics",
        "Network",
        "Node",
        "Partner",
        "Partners",
        "Path",
        "PathStep",
        "Selection",
        "Window",
        "network",
        "partners",
        "path",
        "trend",
    ]
    assert all(hasattr(explore, name) for name in explore.__all__)
