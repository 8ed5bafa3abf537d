"""A person's view of /explore: headless Chromium sees the CNRS network drawn, moves the year slider
and sees the edge count change, clicks a node and sees its sources; lowers Max. nodes and is told
how many nodes the pruned view leaves out; finds ASEAN in the search box, takes it as the seed and
sees the ASEAN countries drawn with "Nodes: countries".

Debian's chromium (``make browser``) through Playwright with ``executable_path``; sigma.js draws
with WebGL, which headless Chromium renders in software (SwiftShader). The screenshots are kept in
var/artifacts/: explore.png (the CNRS's ASEAN partners, the CNRS selected with its sources),
explore-all.png (the whole 2-hop view), explore-pair.png (a pair and its co-publications per year)
and explore-asean-countries.png (ASEAN as the seed, countries as the nodes).
"""

from __future__ import annotations

import httpx
from playwright.sync_api import Page

from api.export import PAGE
from tests.api.browser import ARTIFACTS, chromium

BUNDLE = PAGE.parent / "vendor" / "explore" / "explore.js"
WEBGL_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
ASEAN = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"}


# The drawn co-publication edge whose middle is farthest from every drawn node: a click there hits it.
FREEST_COPUBLICATION_EDGE = """() => {
  const g = window.explorer.graph;
  let best = null, bestDistance = -1;
  g.forEachEdge((edge, a) => {
    if (a.hidden || !a.members.some((m) => m.type === "copublication")) return;
    const middle = window.explorer.edgePosition(edge);
    let distance = Infinity;
    g.forEachNode((node, n) => {
      if (n.hidden) return;
      const p = window.explorer.nodePosition(node);
      distance = Math.min(distance, Math.hypot(p.x - middle.x, p.y - middle.y));
    });
    if (distance > bestDistance) { bestDistance = distance; best = edge; }
  });
  return best;
}"""


def _count(page: Page, selector: str) -> int:
    return int(page.inner_text(selector))


# An attribute of each drawn node, as JavaScript.
def _drawn(attribute: str) -> str:
    return f"window.explorer.visibleNodes().map(n => window.explorer.graph.getNodeAttribute(n, '{attribute}'))"


def _wait_drawn(page: Page) -> None:
    page.wait_for_function("document.body.dataset.ready === 'true' && document.body.dataset.loading === 'false'")


def test_explorer_draws_filters_by_year_and_shows_sources(server: str) -> None:
    assert BUNDLE.is_file(), "the explorer bundle is missing: run `make assets`"
    with chromium(WEBGL_ARGS) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)  # CI machines are small and busy
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server}/explore")
        _wait_drawn(page)
        nodes, edges = _count(page, "#node-count"), _count(page, "#edge-count")
        assert nodes > 0
        assert edges > 0
        assert page.locator("#seeds li").first.inner_text().startswith("Centre National de la Recherche")

        # a narrower window: fewer edges, and the URL holds it
        page.locator("#year-from").fill("2015")
        page.wait_for_function(f"document.getElementById('edge-count').textContent !== '{edges}'")
        _wait_drawn(page)
        narrowed = _count(page, "#edge-count")
        assert 0 < narrowed < edges
        assert "from=2015" in page.url
        page.locator("#year-from").fill("1970")  # back to all years
        page.wait_for_function(f"document.getElementById('edge-count').textContent === '{edges}'")
        _wait_drawn(page)

        # click the CNRS where sigma draws it: its details, sources and linked-data page
        cnrs = "https://w3id.org/cnrs-kg/id/org/ror/02feahw73"
        box = page.locator("#graph-container").bounding_box()
        assert box is not None
        point = page.evaluate(f"window.explorer.nodePosition('{cnrs}')")
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        page.wait_for_selector("#details #sources li a")
        assert page.locator("#details h2").inner_text() == "Centre National de la Recherche Scientifique"
        sources = page.locator("#details #sources li").all_inner_texts()
        assert any("ror_02feahw73_cnrs" in text for text in sources), sources
        ld = page.get_by_role("link", name="Linked-data page")
        assert ld.get_attribute("href") == "/id/org/ror/02feahw73"
        assert "node=" in page.url
        page.screenshot(path=str(ARTIFACTS / "explore-all.png"))

        # the ASEAN partners only: the country filter keeps the seeds and the ASEAN countries' nodes
        present = page.locator("#country-filter option").evaluate_all("options => options.map(o => o.value)")
        asean = [code for code in present if code in ASEAN]
        assert asean
        page.locator("#country-filter").select_option(asean)
        page.wait_for_function(f"Number(document.getElementById('node-count').textContent) < {nodes}")
        shown = page.evaluate(
            "window.explorer.visibleNodes().map(n => window.explorer.graph.getNodeAttribute(n, 'country'))"
        )
        assert set(shown) - {"FR"} <= set(asean)
        assert "country=" in page.url
        page.screenshot(path=str(ARTIFACTS / "explore.png"))
        page.locator("#country-filter").select_option([])
        page.wait_for_function(f"document.getElementById('node-count').textContent === '{nodes}'")

        # click a co-publication edge: the pair's details and its co-publications per year
        edge = page.evaluate(FREEST_COPUBLICATION_EDGE)
        point = page.evaluate(f"window.explorer.edgePosition({edge!r})")
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        page.wait_for_selector("#pair-chart svg rect.bar")
        pair = page.locator("#details h2").inner_text()
        assert " — " in pair
        assert "pair=" in page.url
        page.wait_for_selector("#details #sources li a")
        page.screenshot(path=str(ARTIFACTS / "explore-pair.png"))

        # autocompletion: a partner found by name becomes a second seed
        page.locator("#seed-search").fill("nanyang")
        page.locator("#seed-suggestions button", has_text="Nanyang Technological University").first.click()
        page.wait_for_function("document.querySelectorAll('#seeds li').length === 2")
        _wait_drawn(page)
        assert "seeds=https" in page.url
        page.locator("#seeds li button").nth(1).click()  # remove it again
        page.wait_for_function(f"document.getElementById('edge-count').textContent === '{edges}'")
        _wait_drawn(page)

        # the shareable URL restores the view
        page.goto(page.url)
        _wait_drawn(page)
        assert _count(page, "#edge-count") == edges
        page.wait_for_selector("#pair-chart svg rect.bar")
        assert page.locator("#details h2").inner_text() == pair
        exports = page.locator("#exports a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert len(exports) == 9  # 8 formats, and GEXF's variant for Gephi's timeline
        assert all(href.startswith("/export/network.") and "seeds=" in href for href in exports)
        assert sum("variant=dynamic" in href for href in exports) == 1
        assert errors == []


def test_explorer_draws_the_pruned_view_and_says_how_many_nodes_were_left_out(server: str) -> None:
    selection = "seeds=ror:02feahw73&hops=1&counting=full&include=copublication&include=instrument"
    pruned = httpx.get(f"{server}/export/network.graphology.json?{selection}&maxNodes=5").json()["attributes"]
    assert pruned["maxNodes"] == 5
    assert pruned["omitted"] > 0
    with chromium(WEBGL_ARGS) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server}/explore?seeds=ror:02feahw73&hops=1")
        _wait_drawn(page)
        whole = _count(page, "#node-count")
        assert whole > 5
        assert page.input_value("#max-nodes") == "200"
        assert page.locator("#omitted").is_hidden()  # nothing was left out of the CNRS's partners

        page.locator("#max-nodes").fill("5")
        page.locator("#max-nodes").press("Enter")  # a typed number is taken on Enter or leaving the field
        page.wait_for_function("document.getElementById('node-count').textContent === '5'")
        _wait_drawn(page)
        assert page.evaluate("window.explorer.graph.order") == 5
        assert page.locator("#omitted").inner_text() == (
            f"Showing the 5 nodes with the strongest ties; {pruned['omitted']:,} more left out: "
            "raise Max. nodes or Min. weight, or narrow the years."
        )
        assert "maxNodes=5" in page.url
        exports = page.locator("#exports a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert all("maxNodes=5" in href for href in exports), exports

        # the link keeps the pruned view; back at the default, maxNodes leaves the URL
        page.goto(page.url)
        _wait_drawn(page)
        assert page.input_value("#max-nodes") == "5"
        assert _count(page, "#node-count") == 5
        page.locator("#max-nodes").fill("200")
        page.locator("#max-nodes").press("Enter")
        page.wait_for_function(f"document.getElementById('node-count').textContent === '{whole}'")
        _wait_drawn(page)
        assert page.locator("#omitted").is_hidden()
        assert "maxNodes" not in page.url
        assert errors == []


def test_explorer_takes_a_group_as_seed_and_draws_its_countries(server: str) -> None:
    asean = "https://w3id.org/cnrs-kg/id/group/asean"
    selection = f"seeds={asean}&hops=1&counting=full&include=copublication&include=instrument"
    standing = httpx.get(f"{server}/export/network.graphology.json?{selection}").json()
    # ASEAN stands for the organisations of its countries; most have no tie and are counted as omitted
    assert standing["attributes"]["omitted"] > 0
    assert len(standing["nodes"]) < standing["attributes"]["maxNodes"]
    with chromium(WEBGL_ARGS) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{server}/explore?hops=1")
        _wait_drawn(page)
        assert page.input_value("#level") == "institution"

        # the search box offers the group, with its kind, and it becomes a seed
        page.locator("#seed-search").fill("asean")
        group = page.locator("#seed-suggestions button", has_text="(group)")
        assert group.first.inner_text() == "Association of Southeast Asian Nations (group)"
        assert page.locator("#seed-suggestions button", has_text="(instrument: ").count() >= 1
        group.first.click()
        page.wait_for_function("document.querySelectorAll('#seeds li').length === 2")
        page.locator("#seeds li button").first.click()  # the CNRS out: ASEAN alone
        page.wait_for_function(f"window.explorer.graph.order === {len(standing['nodes'])}")
        _wait_drawn(page)
        assert page.locator("#seeds li").inner_text().startswith("Association of Southeast Asian Nations (group)")
        # the left-out sentence tells untied members from pruning: Max. nodes did not bind here
        assert page.locator("#omitted").inner_text() == (
            f"Showing {len(standing['nodes'])} nodes; {standing['attributes']['omitted']:,} more left out: "
            "the organisations Association of Southeast Asian Nations stands for that have no tie here."
        )

        # countries as the nodes: the ASEAN countries are drawn, and the URL and exports keep the level
        page.locator("#level").select_option("country")
        page.wait_for_function(f"{_drawn('country')}.sort().join() === {sorted(ASEAN)!r}.join()")
        _wait_drawn(page)
        assert set(page.evaluate(_drawn("kind"))) == {"country"}
        assert "level=country" in page.url
        assert page.locator("#edge-types input[value=instrument]").is_disabled()
        exports = page.locator("#exports a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert all("level=country" in href for href in exports), exports
        page.screenshot(path=str(ARTIFACTS / "explore-asean-countries.png"))

        # the link restores the country level; back at institutions, level leaves the URL
        page.goto(page.url)
        _wait_drawn(page)
        assert page.input_value("#level") == "country"
        assert sorted(page.evaluate(_drawn("country"))) == sorted(ASEAN)
        page.locator("#level").select_option("institution")
        page.wait_for_function(f"window.explorer.graph.order === {len(standing['nodes'])}")
        _wait_drawn(page)
        assert "level" not in page.url
        assert errors == []
