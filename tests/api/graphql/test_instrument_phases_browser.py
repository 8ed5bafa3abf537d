"""A person's view of an instrument's phases in /explore: headless Chromium opens the CNRS's network
with the pair CNRS — National University of Singapore selected (a shareable URL) and sees, under each
instrument the two share (IRL IPAL, BMC2, MajuLab), its co-publications with NUS before, during and
after its span, read from GraphQL's ``Instrument.copublications``. On the bundled data the years of
data are 2014 to 2018, all within these IRLs' spans.

Debian's chromium (``make browser``) through Playwright, as ``tests/api/test_explore_browser.py``
does; the screenshot is kept in var/artifacts/explore-instrument-phases.png.
"""

from __future__ import annotations

from urllib.parse import urlencode

from api.export import PAGE
from tests.api.browser import ARTIFACTS, chromium

BUNDLE = PAGE.parent / "vendor" / "explore" / "explore.js"
WEBGL_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
CNRS = "https://w3id.org/cnrs-kg/id/org/ror/02feahw73"
NUS = "https://w3id.org/cnrs-kg/id/org/ror/01tgyzw49"


def test_the_pair_shows_each_shared_instruments_phases(server: str) -> None:
    assert BUNDLE.is_file(), "the explorer bundle is missing: run `make assets`"
    query = urlencode({"seeds": CNRS, "hops": 1, "pair": f"{NUS}|{CNRS}" if NUS < CNRS else f"{CNRS}|{NUS}"})
    with chromium(WEBGL_ARGS) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/explore?{query}")
        page.wait_for_selector("#details ul.phases li[data-phase='after']", timeout=60_000)
        page.wait_for_function("!document.querySelector('#details ul.phases li.hint')")
        boxes = page.locator("#details ul.phases")
        texts = [boxes.nth(i).inner_text() for i in range(boxes.count())]
        page.screenshot(path=str(ARTIFACTS / "explore-instrument-phases.png"))
    assert len(texts) == 3, texts  # IPAL, BMC2 and MajuLab
    for text in texts:
        assert "With National University of Singapore, active " in text
        assert "during (2014\u20132018): 0 works, 0 a year" in text  # an en dash between the years
        assert "after: no year of data" in text
