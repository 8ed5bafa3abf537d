"""The command line as a user runs it."""

from __future__ import annotations

import json
import shutil
from csv import reader, writer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph import OxigraphStore
from loaders.bundled import data_dir

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def store_copy(bundled_store_path: Path, tmp_path: Path) -> Path:
    """A writable copy of the bundled store."""
    target = tmp_path / "store"
    shutil.copytree(bundled_store_path, target)
    (target / "LOCK").unlink(missing_ok=True)
    return target


def sizes(path: Path) -> dict[str, int]:
    with OxigraphStore(path, read_only=True) as store:
        return store.graph_sizes()


def test_query_irls_in_singapore_table(bundled_store_path: Path) -> None:
    result = runner.invoke(app, ["query", "--store", str(bundled_store_path), "-f", str(EXAMPLES / "irl_singapore.rq")])
    assert result.exit_code == 0, result.output
    assert "MajuLab" in result.output
    assert "4 rows" in result.output


def test_query_json_is_sparql_results(bundled_store_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "query",
            "--store",
            str(bundled_store_path),
            "--format",
            "json",
            "SELECT ?n WHERE { country:VN kg:alpha3 ?n }",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"] == "VNM"


def test_query_csv(bundled_store_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "query",
            "--store",
            str(bundled_store_path),
            "--format",
            "csv",
            "SELECT ?c WHERE { country:SG kg:alpha2 ?c }",
        ],
    )
    assert result.stdout.splitlines() == ["c", "SG"]


def test_query_syntax_error_is_one_line_and_exit_1(bundled_store_path: Path) -> None:
    result = runner.invoke(app, ["query", "--store", str(bundled_store_path), "SELECT WHERE {"])
    assert result.exit_code == 1
    assert "syntax" in result.output.lower()


def test_validate_conforms_on_bundled_store(bundled_store_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--store", str(bundled_store_path)])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_stats_lists_graphs_and_classes(bundled_store_path: Path) -> None:
    result = runner.invoke(app, ["stats", "--store", str(bundled_store_path)])
    assert result.exit_code == 0, result.output
    assert "ror/ror_cnrs_children_schema_v2.json" in result.output
    assert "kg:CooperationInstrument" in result.output


def test_loading_bundled_twice_changes_nothing(store_copy: Path) -> None:
    before = sizes(store_copy)
    result = runner.invoke(app, ["load", "--bundled", "--store", str(store_copy)])
    assert result.exit_code == 0, result.output
    assert sizes(store_copy) == before
    assert "10 graphs written (10 unchanged)" in result.output


def test_malformed_csv_row_changes_nothing(store_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cnrs"
    shutil.copytree(data_dir() / "cnrs", folder)
    csv = folder / "instruments.csv"
    with csv.open(encoding="utf-8", newline="") as handle:
        table = list(reader(handle))
    table[3][table[0].index("country")] = "XX"  # the fourth line of the file
    with csv.open("w", encoding="utf-8", newline="") as handle:
        writer(handle, lineterminator="\n").writerows(table)
    before = sizes(store_copy)
    result = runner.invoke(app, ["load", str(csv), "--store", str(store_copy)])
    assert result.exit_code == 1
    assert "instruments.csv:4:country" in result.output
    assert sizes(store_copy) == before


def test_missing_file_is_reported(store_copy: Path) -> None:
    result = runner.invoke(app, ["load", "no/such/file.json", "--store", str(store_copy)])
    assert result.exit_code == 1
    assert "no/such/file.json: no such file" in result.output


def test_load_refused_while_store_is_held(store_copy: Path) -> None:
    with OxigraphStore(store_copy):
        result = runner.invoke(app, ["load", "--bundled", "--store", str(store_copy)])
    assert result.exit_code == 1
    assert "in use by another process" in result.output


def test_if_absent_skips_a_built_store(store_copy: Path) -> None:
    result = runner.invoke(app, ["load", "--bundled", "--if-absent", "--store", str(store_copy)])
    assert result.exit_code == 0
    assert "nothing loaded" in result.output
