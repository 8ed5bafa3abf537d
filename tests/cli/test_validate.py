"""``cnrs-kg validate`` and ``cnrs-kg stats`` on the bundled store."""

from __future__ import annotations

from pathlib import Path

from tests.cli.run import cnrs_kg


def test_validate_conforms_on_bundled_store(bundled_store_path: Path) -> None:
    result = cnrs_kg(bundled_store_path, "validate")
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_stats_lists_graphs_and_classes(bundled_store_path: Path) -> None:
    result = cnrs_kg(bundled_store_path, "stats")
    assert result.exit_code == 0, result.output
    assert "ror/ror_cnrs_children_schema_v2.json" in result.output
    assert "kg:CooperationInstrument" in result.output
