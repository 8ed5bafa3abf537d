"""``cnrs-kg search``: hits as tab-separated lines, the same first hit as the explorer's search box."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph.search import INDEX_DIR
from ontology import iris
from tests.cli.run import cnrs_kg

CNRS = iris.ror_org("02feahw73").value


def lines(output: str) -> list[list[str]]:
    return [line.split("\t") for line in output.splitlines()]


def test_prints_iri_label_and_kind_best_first(bundled_store_path: Path) -> None:
    result = cnrs_kg(bundled_store_path, "search", "universite grenoble", "--limit", "2")
    assert result.exit_code == 0, result.output
    found = lines(result.stdout)
    assert found[0] == [iris.ror_org("02rx3b187").value, "Université Grenoble Alpes", "institution"]
    assert len(found) <= 2
    assert not (bundled_store_path / INDEX_DIR).exists()  # opened read-only: nothing written beside it


def test_kinds(bundled_store_path: Path) -> None:
    result = cnrs_kg(bundled_store_path, "search", "Vietnam", "--kind", "country", "--kind", "region")
    assert lines(result.stdout) == [[iris.country("VN").value, "Viet Nam", "country"]]
    refused = cnrs_kg(bundled_store_path, "search", "Vietnam", "--kind", "lab")
    assert refused.exit_code == 2
    assert "'lab' is not one of" in refused.output


def test_nothing_found_and_too_many_words(bundled_store_path: Path) -> None:
    result = cnrs_kg(bundled_store_path, "search", "zzzq")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "nothing named 'zzzq'" in result.stderr
    refused = cnrs_kg(bundled_store_path, "search", " ".join(["word"] * 17))
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: TEXT: 17 words, over the limit of 16")


@pytest.mark.parametrize("text", ["CNRS", "centre national recherche scientifique", "Vietnam", "mahidol"])
def test_the_same_first_hit_as_the_explorer(bundled_copy: Path, text: str) -> None:
    with TestClient(create_app(bundled_copy, workers=0)) as client:
        explorer = client.get("/explore/search", params={"q": text}).json()[0]
    result = cnrs_kg(bundled_copy, "search", text, "--kind", "institution", "--kind", "country", "--limit", "1")
    assert lines(result.stdout) == [[explorer["iri"], explorer["label"], explorer["kind"]]]
