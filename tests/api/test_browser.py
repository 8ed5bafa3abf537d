"""A person's view: headless Chromium opens /sparql, runs an example query in YASGUI, sees a table.

Uses Debian's chromium (installed by `make browser`) through Playwright with ``executable_path``;
the screenshot is kept in var/artifacts/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from api.background import background_server, cnrs_kg_command, free_port

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def server(bundled_copy: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with background_server(
        cnrs_kg_command("serve", "--port", str(port), "--store", str(bundled_copy)), f"{base}/health"
    ):
        yield base


def test_yasgui_runs_an_example_query_and_shows_a_table(server: str) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: run `make browser`"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{server}/sparql")
            page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
            tabs = page.locator(".tabPanel, .tab").all_inner_texts()
            assert any("irl singapore" in text for text in tabs), tabs  # the example tabs are preloaded
            page.locator(".yasqe_queryButton").first.click()
            page.wait_for_selector(".yasr table tbody tr", timeout=20_000)
            rows = page.locator(".yasr table tbody tr").count()
            page.screenshot(path=str(ARTIFACTS / "sparql-yasgui.png"), full_page=True)
        finally:
            browser.close()
    assert rows >= 1
