"""A person's view: headless Chromium opens /sparql, runs an example query in YASGUI, sees a table.

Uses Debian's chromium (installed by `make browser`) through Playwright with ``executable_path``;
the screenshot is kept in var/artifacts/.
"""

from __future__ import annotations

from tests.api.browser import ARTIFACTS, chromium


def test_yasgui_runs_an_example_query_and_shows_a_table(server: str) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{server}/sparql")
        page.wait_for_selector(".yasqe .CodeMirror", timeout=15_000)
        tabs = page.locator(".tabPanel, .tab").all_inner_texts()
        assert any("irl singapore" in text for text in tabs), tabs  # the example tabs are preloaded
        page.locator(".yasqe_queryButton").first.click()
        page.wait_for_selector(".yasr table tbody tr", timeout=20_000)
        rows = page.locator(".yasr table tbody tr").count()
        page.screenshot(path=str(ARTIFACTS / "sparql-yasgui.png"), full_page=True)
    assert rows >= 1
