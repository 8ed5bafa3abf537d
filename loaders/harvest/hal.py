"""Harvest HAL records as TEI into a JSON Lines cache: one line per document, its TEI in ``"tei"``.

Why JSON and ``label_xml`` rather than ``wt=xml-tei``: deep paging in HAL's search API (Solr) uses
``cursorMark=*`` with a total sort (``sort=docid asc``), and the next mark comes back as
``nextCursorMark`` beside the results. The documentation (api.archives-ouvertes.fr/docs/search) shows
it for JSON; it does not say that the TEI export (``wt=xml-tei``, one ``<TEI>`` whose ``listBibl``
holds the page) carries the mark, and we could not check it. So each page is asked in JSON with
``fl=docid,halId_s,label_xml``: ``label_xml`` is the document's complete TEI (the "HAL TEI export of
..." that ``wt=xml-tei`` gives), and one request yields both the TEI and the next cursor. This is how
the CCSD's own export script pages TEI out of Solr.

Each cache line is ``{"page": n, "cursor": "<cursorMark that fetched the page>", "docid": "...",
"halId": "...", "tei": "<TEI ...>...</TEI>"}``: one TEI document per line, which is what the HAL
loader reads (lines with a ``"tei"`` key).

Filters: ``structId_i`` (a structure and, through HAL's hierarchy, the ones below it),
``structCountry_s`` (the countries of the affiliated structures, lower-case ISO alpha-2; HAL's
``country_s`` is the document's own country, such as a conference's, hence not the default) and
``producedDateY_i`` (the year of production, the date every HAL deposit has).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from loaders.harvest import query as checks
from loaders.harvest.errors import FetchError, HarvestQueryError
from loaders.harvest.http import Fetcher, Params, RetryPolicy, Sleep
from loaders.harvest.paging import FetchPage, HarvestResult, Page, Plan, Progress, run

log = logging.getLogger(__name__)

SEARCH_URL = "https://api.archives-ouvertes.fr/search/"
CNRS = 441569
CACHE_NAME = "hal-tei.jsonl"
FIELDS = "docid,halId_s,label_xml"
MAX_ROWS = 1000
COUNTRY_FIELDS = ("structCountry_s", "labStructCountry_s", "instStructCountry_s", "country_s")
YEAR_FIELDS = ("producedDateY_i", "publicationDateY_i")


@dataclass(frozen=True)
class HalQuery:
    """Documents of ``structures`` with an affiliation in any of ``countries``, within the years given.

    ``extra_filter`` is one more Solr filter query (``fq``), sent as is.
    ``mailto`` (default: $CNRS_KG_MAILTO, else $OPENALEX_MAILTO) goes in the User-Agent.
    """

    structures: Sequence[int] = (CNRS,)
    countries: Sequence[str] = ()
    from_year: int | None = None
    to_year: int | None = None
    rows: int = 100
    country_field: str = "structCountry_s"
    year_field: str = "producedDateY_i"
    extra_filter: str = ""
    mailto: str | None = None

    def __post_init__(self) -> None:
        structures = tuple(dict.fromkeys(self.structures))
        if any(isinstance(s, bool) or not isinstance(s, int) or s <= 0 for s in structures):
            raise HarvestQueryError(f"structures {list(self.structures)} must be HAL structure ids (positive integers)")
        object.__setattr__(self, "structures", structures)
        object.__setattr__(self, "countries", checks.country_codes(self.countries))
        checks.year_range(self.from_year, self.to_year)
        checks.page_size("rows", self.rows, MAX_ROWS)
        if self.country_field not in COUNTRY_FIELDS:
            raise HarvestQueryError(f"country field {self.country_field!r} is not one of {', '.join(COUNTRY_FIELDS)}")
        if self.year_field not in YEAR_FIELDS:
            raise HarvestQueryError(f"year field {self.year_field!r} is not one of {', '.join(YEAR_FIELDS)}")
        object.__setattr__(self, "extra_filter", self.extra_filter.strip())
        if not self.filters:
            raise HarvestQueryError("the query selects every document in HAL; give a structure, a country or years")

    @property
    def filters(self) -> list[str]:
        """The ``fq`` parameters.

        >>> HalQuery(countries=("VN", "TH"), from_year=2015, to_year=2024).filters
        ['structId_i:441569', 'structCountry_s:(vn OR th)', 'producedDateY_i:[2015 TO 2024]']
        """
        fq = []
        if self.structures:
            fq.append("structId_i:" + _any(str(s) for s in self.structures))
        if self.countries:
            fq.append(f"{self.country_field}:" + _any(c.lower() for c in self.countries))
        if self.from_year is not None or self.to_year is not None:
            start = "*" if self.from_year is None else self.from_year
            end = "*" if self.to_year is None else self.to_year
            fq.append(f"{self.year_field}:[{start} TO {end}]")
        if self.extra_filter:
            fq.append(self.extra_filter)
        return fq

    def params(self) -> list[tuple[str, str]]:
        """Every parameter but the cursor."""
        return [
            ("q", "*:*"),
            *(("fq", f) for f in self.filters),
            ("fl", FIELDS),
            ("sort", "docid asc"),
            ("rows", str(self.rows)),
            ("wt", "json"),
        ]

    def selection(self) -> dict[str, Any]:
        """What selects the documents: fingerprinted and written in the checkpoint."""
        return {"url": SEARCH_URL, "params": [list(p) for p in self.params()]}


def harvest_hal(
    query: HalQuery,
    out_dir: Path,
    *,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
    progress: Progress | None = None,
    max_pages: int | None = None,
    retry: RetryPolicy | None = None,
) -> HarvestResult:
    """Harvest the documents ``query`` selects into ``out_dir/hal-tei.jsonl``, resuming if it was stopped.

    Raises ``HarvestError`` (one line, with what to do).
    """
    plan = Plan(source="hal", query=query.selection(), cache_name=CACHE_NAME)
    with Fetcher(client, contact=checks.contact(query.mailto), sleep=sleep, retry=retry) as fetcher:
        return run(plan, out_dir, _page_fetcher(fetcher, query.params()), progress=progress, max_pages=max_pages)


def _page_fetcher(fetcher: Fetcher, params: Params) -> FetchPage:
    def fetch(cursor: str, number: int) -> Page:
        request = [*params, ("cursorMark", cursor)]
        body = fetcher.get_json(SEARCH_URL, request)
        shown = fetcher.shown(SEARCH_URL, request)
        if isinstance(body, dict) and body.get("error"):
            # HAL answers a query Solr cannot parse with 200 and an "error" member.
            raise FetchError(
                shown, 200, f"GET {shown}: HAL refused the query ({_one_line(body['error'])}); check the filters"
            )
        response = body.get("response") if isinstance(body, dict) else None
        docs = response.get("docs") if isinstance(response, dict) else None
        mark = body.get("nextCursorMark") if isinstance(body, dict) else None
        if not isinstance(docs, list) or not isinstance(mark, str):
            raise FetchError(
                shown,
                200,
                f"GET {shown}: page {number} has no response.docs and nextCursorMark; "
                "check the URL, or report the change of API",
            )
        lines = []
        for doc in docs:
            tei = doc.get("label_xml") if isinstance(doc, dict) else None
            if not isinstance(tei, str) or not tei.strip():
                log.warning("%s: page %d: document %s has no label_xml; skipped", SEARCH_URL, number, _id(doc))
                continue
            line = {
                "page": number,
                "cursor": cursor,
                "docid": doc.get("docid"),
                "halId": doc.get("halId_s"),
                "tei": tei,
            }
            lines.append(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
        found = response.get("numFound") if isinstance(response, dict) else None
        return Page(
            lines=lines, received=len(docs), next_cursor=mark or None, total=found if isinstance(found, int) else None
        )

    return fetch


def _any(values: Iterable[str]) -> str:
    """A Solr disjunction of plain tokens: ``x`` or ``(x OR y)``."""
    items = list(values)
    for item in items:
        if not re.fullmatch(r"[A-Za-z0-9]+", item):
            raise HarvestQueryError(f"{item!r} is not a plain identifier")
    return items[0] if len(items) == 1 else "(" + " OR ".join(items) + ")"


def _id(doc: object) -> str:
    if isinstance(doc, dict):
        return str(doc.get("halId_s") or doc.get("docid") or "?")
    return "?"


def _one_line(value: object) -> str:
    """Solr's error, often ``{"msg": ..., "code": ...}``, on one short line."""
    if isinstance(value, dict) and "msg" in value:
        value = value["msg"]
    return " ".join(str(value).split())[:200]
