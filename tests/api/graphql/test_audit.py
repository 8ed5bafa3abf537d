"""The graphql-http server audit passes every MUST and SHOULD against a live server (also ``make graphql-audit``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.api.graphql.audit import ROOT, audit_store


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is missing (make assets)")
def test_graphql_http_audit(bundled_copy: Path) -> None:
    assert (ROOT / "node_modules" / "graphql-http").is_dir(), "graphql-http is missing: run `make assets`"
    result = audit_store(bundled_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = dict(re.findall(r"^(MUST|SHOULD|MAY) (\d+/\d+)$", result.stdout, re.MULTILINE))
    for level in ("MUST", "SHOULD"):
        passed, total = counts[level].split("/")
        assert passed == total, result.stdout
        assert int(total) > 0, result.stdout
