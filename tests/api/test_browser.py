"""A person's view: headless Chromium opens /sparql, runs an example query in YASGUI, sees a table.

Uses Debian's chromium (installed by `make browser`) through Playwright with ``executable_path``;
the screenshot is kept in var/artifacts/.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import sync_playwright

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(bundled_copy: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--store", str(bundled_copy)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


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
