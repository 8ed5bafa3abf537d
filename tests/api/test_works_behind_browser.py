"""A person's view of the works behind an edge in /explore: headless Chromium opens the CNRS's
network, clicks a co-publication edge where sigma draws it, and sees under the pair its works, as
many as the edge's weight says, each with its year, its DOI and its sources, read from GraphQL's
``copublications``; then clicks a bar of the pair's chart and sees the works of that year.

Debian's chromium (``make browser``) through Playwright, as ``tests/api/test_explore_browser.py``
does; the screenshot is kept in var/artifacts/explore-works-behind.png.
"""

from __future__ import annotations

import re

from api.export import PAGE
from tests.api.browser import ARTIFACTS, chromium
from tests.api.test_explore_browser import FREEST_COPUBLICATION_EDGE

BUNDLE = PAGE.parent / "vendor" / "explore" / "explore.js"
WEBGL_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
# The co-publication weight of an edge of the drawn graph (full counting, every year).
WEIGHT = (
    "(edge) => window.explorer.graph.getEdgeAttribute(edge, 'members').find((m) => m.type === 'copublication').weight"
)


def test_a_clicked_edge_lists_the_works_behind_its_weight(server: str) -> None:
    assert BUNDLE.is_file(), "the explorer bundle is missing: run `make assets`"
    with chromium(WEBGL_ARGS) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)  # CI machines are small and busy
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server}/explore")
        page.wait_for_function("document.body.dataset.ready === 'true' && document.body.dataset.loading === 'false'")
        edge = page.evaluate(FREEST_COPUBLICATION_EDGE)
        point = page.evaluate("(edge) => window.explorer.edgePosition(edge)", edge)
        box = page.locator("#graph-container").bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        page.wait_for_selector("#pair-works li[data-work]")
        weight = page.evaluate(WEIGHT, edge)
        heading = page.locator("#details section.works h3").inner_text()
        works = page.locator("#pair-works li[data-work]").all_inner_texts()
        page.screenshot(path=str(ARTIFACTS / "explore-works-behind.png"))

        # a bar of the pair's chart clicked: the works of its year
        bar = page.locator("#pair-chart svg rect.bar").first
        year = (bar.locator("title").text_content() or "").split(":")[0]
        bar.click()
        page.wait_for_selector(f"#details section.works h3:has-text('of {year}')")
        yearly = page.locator("#pair-works li[data-work]").all_inner_texts()
    assert errors == []
    assert yearly
    assert all(text.startswith(f"{year} — ") for text in yearly)
    assert heading == f"Works behind the co-publications ({weight:g})"
    assert len(works) == min(weight, 10)
    for text in works:
        assert re.match(r"^\d{4} — ", text), text
        assert "doi:10." in text
        assert " — " in text.split(" — ", 1)[1]  # then the sources
