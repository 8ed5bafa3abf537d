"""Reading an OpenAlex file: detection, and its works one by one as decoded JSON.

Three shapes hold works: one work (a ``.json`` object with a ``W`` id), an API list response
(a ``.json`` object whose ``results`` are works), and the snapshot's JSON Lines, plain or gzip
(``.jsonl``, ``.jsonl.gz``, ``.gz``), one work a line. JSON Lines are read a line at a time, so a
file of any size takes the memory of one work.

A line that is not JSON is one bad record (``RawRecord.problem``), and reading goes on; a file
that cannot be read at all (not gzip, truncated, not JSON) raises ``LoadError``. A last line that
is not JSON and has no line break is the file cut short, not a bad record: it raises too.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from loaders.base import LoadError

_WORK_ID = re.compile(r"^https?://openalex\.org/W\d+$")
# A .json file bigger than this is told by its head alone, not parsed whole (API pages are far smaller).
_PARSE_LIMIT = 32 << 20
_HEAD_BYTES = 1 << 20
_HEAD_WORK_ID = re.compile(rb'"id"\s*:\s*"https?://openalex\.org/W\d+"')
_LINE_LIMIT = 64 << 20
_REREAD = "download the file again"
_DROP = "fix or drop the record"


class RawRecord(NamedTuple):
    """One work as decoded JSON, and where it is: its line (JSON Lines) or its id (a ``.json`` file)."""

    where: int | str | None
    value: Any
    problem: LoadError | None = None


def is_work(value: object) -> bool:
    """Whether a decoded JSON value looks like an OpenAlex work (an object with a ``W`` id).

    >>> is_work({"id": "https://openalex.org/W2741809807"}), is_work({"id": "https://openalex.org/I27837315"})
    (True, False)
    """
    if not isinstance(value, dict):
        return False
    ident = value.get("id")
    return isinstance(ident, str) and _WORK_ID.match(ident) is not None


def is_jsonl(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".jsonl", ".gz"))


def detect(path: Path) -> bool:
    """A ``.json`` work or list response of works, or JSON Lines (maybe gzip) whose first line is a work."""
    if not path.is_file():
        return False
    if is_jsonl(path):
        try:
            with _open_lines(path) as handle:
                first = handle.readline(_LINE_LIMIT)
            return is_work(json.loads(first))
        except (OSError, EOFError, zlib.error, ValueError):
            return False
    if path.suffix.lower() != ".json":
        return False
    try:
        if path.stat().st_size > _PARSE_LIMIT:
            with path.open("rb") as handle:
                head = handle.read(_HEAD_BYTES).lstrip()
            return head.startswith(b"{") and _HEAD_WORK_ID.search(head) is not None
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    if is_work(value):
        return True
    results = value.get("results") if isinstance(value, dict) else None
    return isinstance(results, list) and bool(results) and is_work(results[0])


def _open_lines(path: Path) -> io.BufferedIOBase:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def raw_records(path: Path) -> Generator[RawRecord, None, None]:
    """Every work of ``path`` in file order."""
    if is_jsonl(path):
        yield from _jsonl_records(path)
    else:
        yield from _json_records(path)


def _jsonl_records(path: Path) -> Iterator[RawRecord]:
    number = 0
    try:
        with _open_lines(path) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8
                    if not line.endswith(b"\n"):  # a last line cut short: the file is, not one record
                        message = f"the file ends inside a record ({_json_message(exc)}): it was cut short"
                        raise LoadError(path, number, None, message, _REREAD) from None
                    problem = LoadError(path, number, None, f"not a JSON object: {_json_message(exc)}", _DROP)
                    yield RawRecord(number, None, problem)
                else:
                    yield RawRecord(number, value)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise LoadError(path, number + 1, None, f"cannot decompress the file: {exc}", _REREAD) from None
    except OSError as exc:
        raise LoadError(path, number + 1 if number else None, None, f"cannot read the file: {exc}", _REREAD) from None


def _json_message(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (column {exc.colno})"
    return str(exc)


def _json_records(path: Path) -> Iterator[RawRecord]:
    try:
        value = json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise LoadError(path, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})", _REREAD) from None
    except (OSError, ValueError) as exc:
        raise LoadError(path, None, None, f"cannot read the file as JSON: {exc}", _REREAD) from None
    if isinstance(value, dict) and "results" in value and "id" not in value:
        results = value["results"]
        if not isinstance(results, list):
            raise LoadError(path, None, "results", f"expected a list of works, got {type(results).__name__}", _REREAD)
        for index, item in enumerate(results):
            yield RawRecord(record_ref(item, f"results[{index}]"), item)
    elif isinstance(value, dict):
        yield RawRecord(record_ref(value, None), value)
    else:
        message = f"expected one work or an API list response (an object), got {type(value).__name__}"
        raise LoadError(path, None, None, message, "give one work, or a response with 'results'")


def record_ref(value: object, fallback: str | None) -> str | None:
    """How an error names a work of a ``.json`` file: its bare id when it has a usable one.

    >>> record_ref({"id": "https://openalex.org/W2741809807"}, "results[0]")
    'W2741809807'
    >>> record_ref({"id": None}, "results[3]")
    'results[3]'
    """
    if is_work(value):
        assert isinstance(value, dict)
        return str(value["id"]).rsplit("/", 1)[-1]
    return fallback
