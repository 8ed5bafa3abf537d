"""A person's view: headless Chromium opens /graphql, runs the default example in GraphiQL, sees the answer.

Uses Debian's chromium (``make browser``) through Playwright, as ``tests/api/test_browser.py`` does;
the screenshot is kept in var/artifacts/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from api.background import background_server, cnrs_kg_command, free_port
from tests.api.test_browser import ARTIFACTS, CHROMIUM_ARGS


@pytest.fixture
def server(bundled_copy: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with background_server(
        cnrs_kg_command("serve", "--port", str(port), "--store", str(bundled_copy)), f"{base}/health"
    ):
        yield base


def test_graphiql_runs_the_default_query_and_shows_the_answer(server: str) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: run `make browser`"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(f"{server}/graphql")
            page.wait_for_selector(".graphiql-execute-button", timeout=60_000)
            editor = page.locator(".graphiql-query-editor").inner_text()
            assert "IrlSingapore" in editor, editor  # the default tab holds the first example
            page.locator(".graphiql-execute-button").click()
            page.wait_for_function(
                "() => (document.querySelector('.graphiql-response') || {}).innerText?.includes('National University')",
                timeout=60_000,
            )
            answer = page.locator(".graphiql-response").inner_text()
            page.screenshot(path=str(ARTIFACTS / "graphql-graphiql.png"), full_page=True)
        finally:
            browser.close()
    assert '"instruments"' in answer
    assert '"totalCount"' in answer
    assert '"errors"' not in answer
    assert all(url.startswith(server) for url in requests), [u for u in requests if not u.startswith(server)]
