"""Reading a ROR file: detection, the dump's ``.zip``, UTF-8 text and its JSON records one by one."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.base import LoadError

# ``v1.55-2024-10-31-ror-data.zip``, ``v2.0-2025-..-ror-data_schema_v2.json``
_DUMP_NAME = re.compile(r"^v(?P<version>\d+(?:\.\d+)*)-(?P<date>\d{4}-\d{2}-\d{2})-ror-data")
# How both schemas write a record id (their relationships too): a ROR file shows one near its head.
_ROR_ID_KEY = re.compile(rb'"id"\s*:\s*"https?://ror\.org/0')
_HEAD_BYTES = 1 << 20


def detect(path: Path) -> bool:
    """A ROR dump (``.zip``) or a JSON file whose head holds a record's ``"id": "https://ror.org/..."``."""
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                return _pick_member(archive.namelist()) is not None
        except (zipfile.BadZipFile, OSError):
            return False
    if suffix != ".json":
        return False
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES).lstrip()
    return head[:1] in (b"[", b"{") and _ROR_ID_KEY.search(head) is not None


def _decode(where: Path | str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(where, None, None, f"not UTF-8 text: {exc.reason}", "save the file as UTF-8") from None


_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def json_records(text: str) -> Iterator[tuple[int, Any]]:
    """The values of a top-level JSON list (or the one top-level object), each with its offset.

    Decoding one record at a time keeps only one record's objects alive beside the text: a full
    dump decoded at once takes five times its size in memory.

    >>> [value["id"] for _, value in json_records('[{"id": 1}, {"id": 2}]')]
    [1, 2]
    """
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if text.startswith("{", pos):
        value, end = decoder.raw_decode(text, pos)
        if _skip_space(text, end) != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
        yield pos, value
        return
    if not text.startswith("[", pos):
        raise json.JSONDecodeError("Expecting a list of records or one record", text, pos)
    pos = _skip_space(text, pos + 1)
    if text.startswith("]", pos):
        end = pos + 1
    else:
        while True:
            value, end = decoder.raw_decode(text, pos)
            yield pos, value
            end = _skip_space(text, end)
            if text.startswith(",", end):
                pos = _skip_space(text, end + 1)
            elif text.startswith("]", end):
                end += 1
                break
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, end)
    if _skip_space(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, end)


def _pick_member(names: list[str]) -> str | None:
    """The dump's schema v2 JSON if present, else its (v1 or v2) ``-ror-data.json``, else a lone JSON."""
    jsons = sorted(n for n in names if n.lower().endswith(".json") and not n.startswith("__MACOSX/"))
    for wanted in ("_schema_v2.json", "-ror-data.json"):
        found = [n for n in jsons if n.lower().endswith(wanted)]
        if found:
            return found[-1]
    return jsons[0] if len(jsons) == 1 else None


def _read_zip(path: Path) -> tuple[str, str, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            member = _pick_member(archive.namelist())
            if member is None:
                raise LoadError(path, None, None, "no ROR JSON file in the archive", "use ROR's *-ror-data.zip dump")
            content = archive.read(member)
            stamp = archive.getinfo(member).date_time
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # no archive, or a damaged member
        raise LoadError(path, None, None, f"not a readable zip archive: {exc}", "download the dump again") from None
    except (RuntimeError, NotImplementedError) as exc:  # zipfile's words for encrypted or unknown compression
        message = f"cannot extract the ROR file: {exc}"
        raise LoadError(path, None, None, message, "extract it with another tool") from None
    return member, _decode(f"{path}!{member}", content), dt.date(*stamp[:3]).isoformat()
