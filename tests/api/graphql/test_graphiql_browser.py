"""A person's view: headless Chromium opens /graphql, runs the default example in GraphiQL, sees the answer.

Uses Debian's chromium (``make browser``) through Playwright, as ``tests/api/test_browser.py`` does;
the screenshot is kept in var/artifacts/.
"""

from __future__ import annotations

from tests.api.browser import ARTIFACTS, chromium


def test_graphiql_runs_the_default_query_and_shows_the_answer(server: str) -> None:
    with chromium() as browser:
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
    assert '"instruments"' in answer
    assert '"totalCount"' in answer
    assert '"errors"' not in answer
    assert all(url.startswith(server) for url in requests), [u for u in requests if not u.startswith(server)]
