"""Harvest OpenAlex works into a JSON Lines cache: one work per line, as the API returned it.

The API, as documented (docs.openalex.org, "Paging" and "Filter works"; developers.openalex.org):

- ``GET https://api.openalex.org/works?filter=...&per-page=N&cursor=*``, then the response's
  ``meta.next_cursor`` as the next ``cursor``, until it is null and ``results`` is empty;
  ``meta.count`` is the number of works the filter selects;
- ``filter`` joins conditions with ``,`` (AND) and values with ``|`` (OR):
  ``authorships.institutions.lineage:I1294671590`` (the CNRS or any institution below it, such as its
  laboratories) or ``institutions.id:I1294671590`` (the CNRS itself), ``authorships.countries:VN|TH``,
  ``publication_year:2015-2024``;
- ``mailto=`` joins the polite pool; ``api_key=`` raises the daily allowance.

The API key is read from $OPENALEX_API_KEY when the query has none. It is sent, and nowhere else:
not in the checkpoint (whose query is only what selects works), not in the cache, not in errors or logs.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from loaders.harvest import query as checks
from loaders.harvest.errors import FetchError, HarvestQueryError
from loaders.harvest.http import Fetcher, Params, RetryPolicy, Sleep
from loaders.harvest.paging import FetchPage, HarvestResult, Page, Plan, Progress, run

WORKS_URL = "https://api.openalex.org/works"
CNRS = "I1294671590"
CACHE_NAME = "openalex-works.jsonl"
API_KEY_ENV = "OPENALEX_API_KEY"
MAX_PER_PAGE = 200

_INSTITUTION = re.compile(r"^I\d+$")


@dataclass(frozen=True)
class OpenAlexQuery:
    """Works of ``institutions`` with authors in any of ``countries``, published within the years given.

    ``lineage`` (the default) counts an institution's descendants too: most CNRS works are signed by its
    laboratories, which OpenAlex lists below the CNRS. ``extra_filter`` is appended to the filter as is.
    ``mailto`` and ``api_key`` default to the environment (see ``harvest_openalex``).
    """

    institutions: Sequence[str] = (CNRS,)
    countries: Sequence[str] = ()
    from_year: int | None = None
    to_year: int | None = None
    per_page: int = 100
    extra_filter: str = ""
    lineage: bool = True
    mailto: str | None = None
    api_key: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "institutions", _institutions(self.institutions))
        object.__setattr__(self, "countries", checks.country_codes(self.countries))
        checks.year_range(self.from_year, self.to_year)
        checks.page_size("per_page", self.per_page, MAX_PER_PAGE)
        extra = self.extra_filter.strip().strip(",")
        if any(c in extra for c in "&#\n"):
            raise HarvestQueryError(f"extra filter {self.extra_filter!r} must be filter conditions only (a:b,c:d)")
        object.__setattr__(self, "extra_filter", extra)
        if not self.filter:
            raise HarvestQueryError("the query selects every work in OpenAlex; give an institution, a country or years")

    @property
    def filter(self) -> str:
        """The ``filter`` parameter.

        >>> OpenAlexQuery(countries=("vn", "th"), from_year=2015, to_year=2024).filter
        'authorships.institutions.lineage:I1294671590,authorships.countries:VN|TH,publication_year:2015-2024'
        """
        parts = []
        if self.institutions:
            key = "authorships.institutions.lineage" if self.lineage else "institutions.id"
            parts.append(f"{key}:{'|'.join(self.institutions)}")
        if self.countries:
            parts.append(f"authorships.countries:{'|'.join(self.countries)}")
        years = _years(self.from_year, self.to_year)
        if years:
            parts.append(f"publication_year:{years}")
        if self.extra_filter:
            parts.append(self.extra_filter)
        return ",".join(parts)

    def selection(self) -> dict[str, Any]:
        """What selects the works: fingerprinted and written in the checkpoint (no e-mail, no key)."""
        return {"url": WORKS_URL, "filter": self.filter, "per-page": self.per_page}


def harvest_openalex(
    query: OpenAlexQuery,
    out_dir: Path,
    *,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
    progress: Progress | None = None,
    max_pages: int | None = None,
    retry: RetryPolicy | None = None,
) -> HarvestResult:
    """Harvest the works ``query`` selects into ``out_dir/openalex-works.jsonl``, resuming if it was stopped.

    The e-mail is ``query.mailto``, else $CNRS_KG_MAILTO, else $OPENALEX_MAILTO; the key ``query.api_key``,
    else $OPENALEX_API_KEY; both optional. Raises ``HarvestError`` (one line, with what to do).
    """
    mailto = checks.contact(query.mailto)
    api_key = (query.api_key or os.environ.get(API_KEY_ENV) or "").strip() or None
    params: list[tuple[str, str]] = [("filter", query.filter), ("per-page", str(query.per_page))]
    plan = Plan(source="openalex", query=query.selection(), cache_name=CACHE_NAME)
    with Fetcher(client, contact=mailto, sleep=sleep, retry=retry, secret_params=("api_key",)) as fetcher:
        fetch = _page_fetcher(fetcher, params, mailto, api_key)
        return run(plan, out_dir, fetch, progress=progress, max_pages=max_pages)


def _page_fetcher(fetcher: Fetcher, params: Params, mailto: str | None, api_key: str | None) -> FetchPage:
    tail = ([("mailto", mailto)] if mailto else []) + ([("api_key", api_key)] if api_key else [])

    def fetch(cursor: str, number: int) -> Page:
        request = [*params, ("cursor", cursor), *tail]
        body = fetcher.get_json(WORKS_URL, request)
        meta = body.get("meta") if isinstance(body, dict) else None
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(meta, dict) or not isinstance(results, list):
            shown = fetcher.shown(WORKS_URL, request)
            raise FetchError(
                shown,
                200,
                f"GET {shown}: page {number} has no meta and results, so it is not a list of works; "
                "check the URL, or report the change of API",
            )
        cursor_next = meta.get("next_cursor")
        count = meta.get("count")
        return Page(
            lines=[json.dumps(work, ensure_ascii=False, separators=(",", ":")) for work in results],
            received=len(results),
            next_cursor=cursor_next if isinstance(cursor_next, str) and cursor_next else None,
            total=count if isinstance(count, int) else None,
        )

    return fetch


def _institutions(values: Sequence[str]) -> tuple[str, ...]:
    ids: list[str] = []
    for value in values:
        short = value.strip().removeprefix("https://openalex.org/").upper()
        if not _INSTITUTION.match(short):
            raise HarvestQueryError(
                f"institution {value!r} is not an OpenAlex institution id; use I followed by digits"
            )
        if short not in ids:
            ids.append(short)
    return tuple(ids)


def _years(start: int | None, end: int | None) -> str:
    if start is not None and end is not None:
        return f"{start}-{end}"
    if start is not None:
        return f">{start - 1}"
    if end is not None:
        return f"<{end + 1}"
    return ""
