"""``cnrs-kg harvest``: a bad query is refused before any request."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import app
from tests.cli.run import runner


@pytest.mark.parametrize("source", ["openalex", "hal"])
def test_harvest_refuses_a_bad_country_before_any_request(source: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["harvest", source, "--out", str(tmp_path / "cache"), "--country", "XX"])
    assert result.exit_code == 1
    assert "'XX' is not ISO 3166-1 alpha-2" in result.output
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())
