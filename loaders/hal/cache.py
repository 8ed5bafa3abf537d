"""The HAL harvest cache: JSON Lines, optionally gzip-compressed, one page of the HAL API a line.

Each line is a JSON object whose ``"tei"`` holds TEI XML: one page of a HAL API response
(``wt=xml-tei``) or one document's TEI (``label_xml``, as ``loaders.harvest.hal`` writes it). Of the
harvester's other keys only ``"halId"`` is read, to name the record when its TEI is broken. The
file is read a line at a time, so a cache of any size streams.

>>> import json, tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> cache = folder / "hal.jsonl"
>>> _ = cache.write_text(json.dumps({"tei": "<TEI/>"}) + "\\n\\n" + "{broken\\n", encoding="utf-8")
>>> is_cache(cache), first_page(cache)
(True, CachedPage(tei='<TEI/>', hal_id=None))
>>> [str(page).replace(str(folder), "") for _line, page in pages(cache)][1]  # doctest: +ELLIPSIS
'/hal.jsonl:3:json: not a JSON object (Expecting property name ...); harvest the page again or drop the line'
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from loaders.base import LoadError

SUFFIXES = (".jsonl", ".jsonl.gz")
_HINT = "harvest the page again or drop the line"


def has_cache_name(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def is_cache(path: Path) -> bool:
    """A ``.jsonl`` or ``.jsonl.gz`` file whose first line holds a ``"tei"`` string."""
    if not (path.is_file() and has_cache_name(path)):
        return False
    return first_page(path) is not None


@dataclass(frozen=True)
class CachedPage:
    tei: str
    hal_id: str | None  # the harvester's record of the document's HAL id, when it wrote one


def first_page(path: Path) -> CachedPage | None:
    """The first non-empty line's page, or None when that line holds none or cannot be read."""
    try:
        with closing(pages(path)) as lines:
            for _number, page in lines:
                return page if isinstance(page, CachedPage) else None
    except LoadError:
        return None
    return None


def pages(path: Path) -> Generator[tuple[int, CachedPage | LoadError], None, None]:
    """Each non-empty line's number and its page, or the ``LoadError`` that line makes.

    Bad lines are yielded, not raised, so that the caller decides whether to stop or go on. A file
    that cannot be read further (a truncated gzip stream, bytes that are not UTF-8, a last line cut
    short) is no bad record but a bad file: that raises.
    """
    number = 0
    try:
        with _open(path) as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, _page(path, number, line)
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        problem = f"cannot read the file further ({reason})" if number else f"cannot read the file ({reason})"
        raise LoadError(path, number + 1 if number else None, None, problem, "harvest it again") from None


def _open(path: Path) -> TextIO:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _page(path: Path, number: int, line: str) -> CachedPage | LoadError:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        if not line.endswith("\n"):  # only the last line can lack its line break: the file was cut there
            message = f"the file ends inside a line ({exc}): it was cut short"
            raise LoadError(path, number, "json", message, _HINT) from None
        return LoadError(path, number, "json", f"not a JSON object ({exc})", _HINT)
    if not isinstance(value, dict):
        return LoadError(path, number, "json", f"expected a JSON object, got {type(value).__name__}", _HINT)
    tei = value.get("tei")
    if not isinstance(tei, str) or not tei.strip():
        return LoadError(path, number, "tei", "the line has no TEI string under 'tei'", _HINT)
    hal_id = value.get("halId")
    if not isinstance(hal_id, str) or not hal_id.strip():
        return CachedPage(tei, None)
    return CachedPage(tei, hal_id.strip())
