"""Harvesters: page through the OpenAlex and HAL APIs into resumable JSON Lines caches.

``harvest_openalex(OpenAlexQuery(...), out_dir)`` and ``harvest_hal(HalQuery(...), out_dir)`` each fill
one folder: the cache (``openalex-works.jsonl``: one work per line; ``hal-tei.jsonl``: one TEI document
per line) and ``checkpoint.json``. Run again with the same query and folder, a harvest goes on where it
stopped; with another query, it refuses the folder. The loaders read the caches; nothing here touches
the store.

    http.py        polite GETs: User-Agent with the contact e-mail, retries, Retry-After, FetchError
    checkpoint.py  the folder's state: atomic checkpoint, append-then-checkpoint, cache repair
    paging.py      the cursor loop the sources share, and HarvestResult
    query.py       country codes, years, page sizes, contact e-mail
    openalex.py    OpenAlexQuery and harvest_openalex
    hal.py         HalQuery and harvest_hal

Errors (see ``loaders.harvest.errors``): ``HarvestError`` and its kinds ``HarvestQueryError``, ``FetchError``,
``CheckpointError``, each one line that says what to do.
"""

from __future__ import annotations

from loaders.harvest.errors import CheckpointError, FetchError, HarvestError, HarvestQueryError
from loaders.harvest.hal import HalQuery, harvest_hal
from loaders.harvest.http import RetryPolicy
from loaders.harvest.openalex import OpenAlexQuery, harvest_openalex
from loaders.harvest.paging import HarvestResult, Progress

__all__ = [
    "CheckpointError",
    "FetchError",
    "HalQuery",
    "HarvestError",
    "HarvestQueryError",
    "HarvestResult",
    "OpenAlexQuery",
    "Progress",
    "RetryPolicy",
    "harvest_hal",
    "harvest_openalex",
]
