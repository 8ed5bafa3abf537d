"""``cnrs-kg load``: idempotent, all or nothing for curated sources, lenient or strict for publications."""

from __future__ import annotations

import json
import re
import shutil
from csv import reader, writer
from pathlib import Path

from graph import OxigraphStore
from loaders.bundled import data_dir
from tests.cli.run import cnrs_kg, sizes


def test_loading_bundled_twice_changes_nothing(store_copy: Path) -> None:
    before = sizes(store_copy)
    result = cnrs_kg(store_copy, "load", "--bundled")
    assert result.exit_code == 0, result.output
    assert sizes(store_copy) == before
    written = re.search(r"(\d+) graphs written \((\d+) unchanged\)", result.output)
    assert written is not None, result.output
    assert written.group(1) == written.group(2), result.output


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
    result = cnrs_kg(store_copy, "load", str(csv))
    assert result.exit_code == 1
    assert "instruments.csv:4:country" in result.output
    assert sizes(store_copy) == before


def test_missing_file_is_reported(store_copy: Path) -> None:
    result = cnrs_kg(store_copy, "load", "no/such/file.json")
    assert result.exit_code == 1
    assert "no/such/file.json: no such file" in result.output


def test_load_refused_while_store_is_held(store_copy: Path) -> None:
    with OxigraphStore(store_copy):
        result = cnrs_kg(store_copy, "load", "--bundled")
    assert result.exit_code == 1
    assert "in use by another process" in result.output


def test_if_absent_skips_a_built_store(store_copy: Path) -> None:
    result = cnrs_kg(store_copy, "load", "--bundled", "--if-absent")
    assert result.exit_code == 0
    assert "nothing loaded" in result.output


def _works_with_one_bad_record(folder: Path) -> Path:
    """The two real OpenAlex works as JSON Lines, the second with an unknown country code."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "openalex"
    good = json.loads((fixtures / "W2741809807.json").read_text(encoding="utf-8"))
    bad = json.loads((fixtures / "W-api-response.json").read_text(encoding="utf-8"))
    bad["authorships"][0]["institutions"][0]["country_code"] = "XX"
    path = folder / "works.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    return path


def test_lenient_publication_load_skips_and_reports_a_bad_record(tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = cnrs_kg(store, "load", str(_works_with_one_bad_record(tmp_path)))
    assert result.exit_code == 2
    assert "works.jsonl:2:authorships[0].institutions[0].country_code" in result.output
    assert "1 bad records skipped" in result.output
    query = cnrs_kg(
        store, "query", "--format", "csv", "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w a fabio:Expression }"
    )
    assert query.stdout.splitlines() == ["n", "1"]


def test_strict_publication_load_loads_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert cnrs_kg(store, "load", "--bundled").exit_code == 0
    before = sizes(store)
    result = cnrs_kg(store, "load", "--strict", str(_works_with_one_bad_record(tmp_path)))
    assert result.exit_code == 1
    assert "works.jsonl:2:authorships[0].institutions[0].country_code" in result.output
    assert sizes(store) == before
