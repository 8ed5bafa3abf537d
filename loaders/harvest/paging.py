"""The cursor-paged harvest loop the sources share: fetch a page, append its lines, then checkpoint.

A source supplies a ``Plan`` (what selects its records, the cache file name) and a ``FetchPage``
function that turns a cursor into a ``Page`` of JSON lines; ``run`` does the rest, following the
protocol of ``loaders.harvest.checkpoint``: one query per folder, resumed from its checkpoint, each
record exactly once in the cache.

The last page is the one that comes back empty, without a next cursor, or with the cursor it was
asked for (how Solr, and so HAL, says "no more"), whichever comes first.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.harvest.checkpoint import (
    Checkpoint,
    append_lines,
    fingerprint,
    read_checkpoint,
    repair_cache,
    write_checkpoint,
)
from loaders.harvest.errors import CheckpointError

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
"""Called with (records done, total if the API says) at the start and after each page."""


@dataclass(frozen=True)
class Page:
    """One page: the cache ``lines`` it gives (one JSON record each), how many items the API sent (a
    source may skip some), the next cursor and the total the API reports."""

    lines: list[str]
    received: int
    next_cursor: str | None
    total: int | None = None


FetchPage = Callable[[str, int], Page]
"""Fetch the page at a cursor; the second argument is its number (1 for the first)."""


@dataclass(frozen=True)
class Plan:
    """What one source's harvest selects (``query``: fingerprinted, shown in errors) and where it caches."""

    source: str
    query: dict[str, Any]
    cache_name: str
    first_cursor: str = "*"


@dataclass(frozen=True)
class HarvestResult:
    """How a harvest ended: the cache file, the pages fetched and records (lines) in it, whether it went on
    from an earlier run's checkpoint, whether the query is exhausted, and the total the API reported."""

    cache: Path
    pages: int
    records: int
    resumed: bool
    complete: bool
    total: int | None = None


def run(
    plan: Plan,
    out_dir: Path,
    fetch_page: FetchPage,
    *,
    progress: Progress | None = None,
    max_pages: int | None = None,
) -> HarvestResult:
    """Harvest ``plan`` into ``out_dir``, resuming from its checkpoint; at most ``max_pages`` pages this run."""
    if max_pages is not None and max_pages < 0:
        raise ValueError(f"max_pages must be positive, not {max_pages}")
    out_dir.mkdir(parents=True, exist_ok=True)
    checkpoint, resumed = _open(plan, out_dir)
    cache = out_dir / checkpoint.cache
    if progress:
        progress(checkpoint.records, checkpoint.total)
    fetched = 0
    while checkpoint.cursor is not None and (max_pages is None or fetched < max_pages):
        cursor = checkpoint.cursor
        page = fetch_page(cursor, checkpoint.pages + 1)
        size = append_lines(cache, page.lines) if page.lines else checkpoint.size
        last = page.received == 0 or page.next_cursor is None or page.next_cursor == cursor
        checkpoint = checkpoint.advance(
            cursor=None if last else page.next_cursor, records=len(page.lines), size=size, total=page.total
        )
        write_checkpoint(out_dir, checkpoint)
        fetched += 1
        if progress:
            progress(checkpoint.records, checkpoint.total)
    return HarvestResult(
        cache=cache,
        pages=checkpoint.pages,
        records=checkpoint.records,
        resumed=resumed,
        complete=checkpoint.complete,
        total=checkpoint.total,
    )


def _open(plan: Plan, out_dir: Path) -> tuple[Checkpoint, bool]:
    """The folder's checkpoint for this plan (a new one if the folder is fresh), and whether it resumes."""
    digest = fingerprint(plan.source, plan.query)
    checkpoint = read_checkpoint(out_dir)
    if checkpoint is None:
        cache = out_dir / plan.cache_name
        if cache.exists() and cache.stat().st_size:
            raise CheckpointError(
                f"{cache}: a cache without a checkpoint, so it cannot be resumed; delete it (or choose another "
                "folder) to start again"
            )
        checkpoint = Checkpoint(
            source=plan.source, fingerprint=digest, query=plan.query, cache=plan.cache_name, cursor=plan.first_cursor
        )
        # Recorded before the first request, so that another query is refused even if page 1 never arrives.
        write_checkpoint(out_dir, checkpoint)
        return checkpoint, False
    if checkpoint.fingerprint != digest:
        raise CheckpointError(
            f"{out_dir}: holds the harvest of another query ({_describe(checkpoint)}); choose another folder, "
            "or delete this one to start again"
        )
    dropped = repair_cache(out_dir / checkpoint.cache, checkpoint.size)
    if dropped:
        log.warning("%s: dropped %d bytes appended after the last checkpoint", out_dir / checkpoint.cache, dropped)
    return checkpoint, checkpoint.pages > 0


def _describe(checkpoint: Checkpoint) -> str:
    text = f"{checkpoint.source} {json.dumps(checkpoint.query, ensure_ascii=False, sort_keys=True)}"
    return text if len(text) <= 240 else text[:237] + "..."
