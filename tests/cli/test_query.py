"""``cnrs-kg query``: a table, SPARQL results formats, a one-line error."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.run import EXAMPLES, cnrs_kg


def test_query_irls_in_singapore_table(bundled_store_path: Path) -> None:
    result = cnrs_kg(bundled_store_path, "query", "-f", str(EXAMPLES / "irl_singapore.rq"))
    assert result.exit_code == 0, result.output
    assert "MajuLab" in result.output
    assert "4 rows" in result.output


def test_query_json_is_sparql_results(bundled_store_path: Path) -> None:
    result = cnrs_kg(bundled_store_path, "query", "--format", "json", "SELECT ?n WHERE { country:VN kg:alpha3 ?n }")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"] == "VNM"


def test_query_csv(bundled_store_path: Path) -> None:
    result = cnrs_kg(bundled_store_path, "query", "--format", "csv", "SELECT ?c WHERE { country:SG kg:alpha2 ?c }")
    assert result.stdout.splitlines() == ["c", "SG"]


def test_query_syntax_error_is_one_line_and_exit_1(bundled_store_path: Path) -> None:
    result = cnrs_kg(bundled_store_path, "query", "SELECT WHERE {")
    assert result.exit_code == 1
    assert "syntax" in result.output.lower()
