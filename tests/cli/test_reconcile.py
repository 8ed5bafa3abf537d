"""``cnrs-kg reconcile``: the counts, the report for a person, the curated file, its errors."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox

from graph import OxigraphStore
from graph.reconcile import GRAPH, same_as
from ontology import ORG, iris
from tests.cli.run import cnrs_kg

INSA = iris.hal_org(301232).value
POLYTECH_NANTES, NANTES = iris.hal_org(300405).value, iris.ror_org("03gnr7b55").value


def test_reconcile_prints_the_counts_and_writes_the_report(store_copy: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    result = cnrs_kg(store_copy, "reconcile", "--report", str(report))
    assert result.exit_code == 0, result.output
    counts = re.search(
        r"(\d+) organisations without a ROR id: (\d+) matched \((\d+) confirmed, (\d+) as units", result.output
    )
    assert counts is not None, result.output
    total, matched, confirmed, units = map(int, counts.groups())
    assert (total, confirmed, units) == (37, 2, 1)  # the bundled curated file confirms two, one a unit
    assert matched >= 19
    assert "1 ambiguous" in result.output
    with report.open(encoding="utf-8") as handle:
        listed = list(csv.DictReader(handle))
    assert {row["status"] for row in listed if row["source"] == INSA} == {"ambiguous"}
    assert all(float(row["score"]) < 0.9 for row in listed if row["status"] == "below threshold")
    with OxigraphStore(store_copy, read_only=True) as store:
        parents = store.match(ox.NamedNode(POLYTECH_NANTES), ORG.subOrganizationOf, None, GRAPH)
        assert ox.NamedNode(NANTES) in {q.object for q in parents}
        assert POLYTECH_NANTES not in same_as(store)  # a unit of the university, not the university


def test_a_filled_in_report_is_a_curated_file(store_copy: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    assert cnrs_kg(store_copy, "reconcile", "--report", str(report)).exit_code == 0
    with report.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    first = next(row for row in rows if row["source"] == INSA)  # the best of the INSAs: a person's choice
    first["decision"] = "confirmed"
    with report.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = cnrs_kg(store_copy, "reconcile", "--curated", str(report))
    assert result.exit_code == 0, result.output
    assert "1 confirmed" in result.output
    assert "0 ambiguous" in result.output
    with OxigraphStore(store_copy, read_only=True) as store:
        assert same_as(store)[INSA] == iris.ror_org(first["ror"]).value


def test_a_wrong_curated_row_is_one_line_naming_it(store_copy: Path, tmp_path: Path) -> None:
    curated = tmp_path / "curated.csv"
    curated.write_text(f"source,ror,decision\n{INSA},https://ror.org/050jn9y42,maybe\n", encoding="utf-8")
    result = cnrs_kg(store_copy, "reconcile", "--curated", str(curated))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: curated.csv:2: decision: 'maybe' is not a decision; write confirmed or rejected (or nothing)"
    ]
    missing = cnrs_kg(store_copy, "reconcile", "--curated", str(tmp_path / "none.csv"))
    assert missing.exit_code == 1
    assert "none.csv: cannot be read" in missing.output
    assert "Traceback" not in missing.output
