"""The state of one output folder: a checkpoint file and the JSON Lines cache it vouches for.

The protocol that makes a harvest resumable without duplicates:

1. a page's lines are appended to the cache and flushed to disk;
2. only then does the checkpoint move on (next cursor, pages, records, cache size): written whole to a
   temporary file beside it, then renamed over it (``os.replace``), so it is always the old state or
   the new one, never half of each;
3. on a new start the cache is cut back to the size the checkpoint records, so lines appended after
   the last checkpoint (a crash between 1 and 2) are dropped and fetched again.

The checkpoint names its query by a fingerprint of the parameters that select records (never the
contact e-mail, never an API key): a folder serves one query only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.harvest.errors import CheckpointError

CHECKPOINT_NAME = "checkpoint.json"
FORMAT = 1
_START_AGAIN = "delete the folder (or choose another) to start again"


@dataclass(frozen=True)
class Checkpoint:
    """Where a harvest stands. ``cursor`` is the next page's cursor; None once the last page is in."""

    source: str
    fingerprint: str
    query: dict[str, Any]
    cache: str
    cursor: str | None
    pages: int = 0
    records: int = 0
    size: int = 0
    total: int | None = None
    complete: bool = False
    started: str = field(default_factory=lambda: now())
    updated: str = field(default_factory=lambda: now())

    def advance(self, *, cursor: str | None, records: int, size: int, total: int | None) -> Checkpoint:
        """The state after one more page."""
        return dataclasses.replace(
            self,
            cursor=cursor,
            pages=self.pages + 1,
            records=self.records + records,
            size=size,
            total=total if total is not None else self.total,
            complete=cursor is None,
            updated=now(),
        )

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **dataclasses.asdict(self)}, ensure_ascii=False, indent=2) + "\n"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def fingerprint(source: str, query: Mapping[str, Any]) -> str:
    """A stable digest of what a harvest selects.

    >>> a = fingerprint("openalex", {"filter": "x", "per-page": 2})
    >>> a == fingerprint("openalex", {"per-page": 2, "filter": "x"}), a == fingerprint("hal", {"filter": "x"})
    (True, False)
    """
    canonical = json.dumps({"source": source, "query": query}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_checkpoint(folder: Path) -> Checkpoint | None:
    """The folder's checkpoint, or None if it has none; ``CheckpointError`` if it cannot be trusted."""
    path = folder / CHECKPOINT_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
            raise ValueError(f"not a checkpoint of format {FORMAT}")
        checkpoint = Checkpoint(**data)
        _check(checkpoint)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"{path}: damaged checkpoint ({exc}); {_START_AGAIN}") from exc
    return checkpoint


def _check(checkpoint: Checkpoint) -> None:
    name = checkpoint.cache
    if not isinstance(name, str) or not name or Path(name).name != name:
        raise ValueError(f"cache {name!r} is not a file name")
    for key in ("pages", "records", "size"):
        value = getattr(checkpoint, key)
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{key} {value!r} is not a count")


def write_checkpoint(folder: Path, checkpoint: Checkpoint) -> None:
    """Replace the folder's checkpoint atomically: a temporary file, flushed, then renamed over it."""
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{CHECKPOINT_NAME}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(checkpoint.to_json())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, folder / CHECKPOINT_NAME)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def repair_cache(path: Path, size: int) -> int:
    """Cut the cache back to ``size`` bytes; return how many bytes were dropped.

    A cache shorter than ``size`` has lost checkpointed records: ``CheckpointError``.
    """
    actual = path.stat().st_size if path.exists() else 0
    if actual < size:
        raise CheckpointError(
            f"{path}: the cache holds {actual} bytes but its checkpoint vouches for {size}: it was cut or "
            f"replaced since; {_START_AGAIN}"
        )
    if actual > size:
        with path.open("r+b") as cache:
            cache.truncate(size)
            cache.flush()
            os.fsync(cache.fileno())
    return actual - size


def append_lines(path: Path, lines: Iterable[str]) -> int:
    """Append one line per string (which must not contain a newline), flushed to disk; the new size."""
    data = "".join(f"{line}\n" for line in lines).encode("utf-8")
    with path.open("ab") as cache:
        cache.write(data)
        cache.flush()
        os.fsync(cache.fileno())
        return cache.tell()
