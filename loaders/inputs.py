"""What every input must be, whatever its kind: the checks the registry makes around each loader.

Before a loader runs, the path must be a file (a folder only for a kind whose module sets
``READS_FOLDERS``), not empty, and compressed only as its loader reads (the module's
``COMPRESSED`` suffixes, such as ``(".gz",)``): a gzip or zip archive is told by its first bytes,
whatever its name. While the content is read, a failure to read or decode the file is a
``LoadError``, never a traceback. A source that gives no triple (no record, or every record
skipped in a lenient load) is refused when its content ends, so that the store, which writes a
load in one transaction, keeps no graph of it and recomputes no derived graph.

>>> nothing_read(Path("works.jsonl"), []).message
'the file holds no record'
>>> str(read_error(Path("t.csv"), UnicodeDecodeError("utf-8", b"\\x8b", 0, 1, "invalid start byte")))
't.csv: not UTF-8 text (byte 0: invalid start byte); save the file as UTF-8'
"""

from __future__ import annotations

import csv
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from loaders.base import LoadError, SourceData

# The first bytes of the archives a user may hand over by mistake (an empty zip starts PK\5\6).
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"))
_FORMAT_OF_SUFFIX = {".gz": "gzip", ".zip": "zip"}
_UNPACK = {"gzip": "decompress it first (gunzip)", "zip": "extract the file from it first"}
# What reading a file can raise when its bytes are wrong: the user's input, not a bug of ours.
READ_ERRORS = (OSError, UnicodeError, EOFError, zlib.error, zipfile.BadZipFile, csv.Error)


def check_input(path: Path, kind: str, *, reads_folders: bool, compressed: tuple[str, ...]) -> None:
    """Raise ``LoadError`` unless ``path`` is something the ``kind`` loader can read: a folder if it
    ``reads_folders``, an archive only under one of its ``compressed`` name endings."""
    if path.is_dir():
        if reads_folders:
            return
        raise LoadError(path, None, None, "a folder, not a file", f"give the {kind} file itself")
    head = check_not_empty(path)
    _check_compression(path, kind, head, compressed)


def check_not_empty(path: Path) -> bytes:
    """The first bytes of the file at ``path`` (a folder passes); ``LoadError`` if it has none."""
    if path.is_dir():
        return b""
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise LoadError(path, None, None, f"cannot read the file: {exc.strerror or exc}", "check the path") from None
    if not head:
        raise LoadError(path, None, None, "the file is empty (0 bytes)", "download or export it again")
    return head


def _check_compression(path: Path, kind: str, head: bytes, readable: tuple[str, ...]) -> None:
    """The content is compressed exactly when the name says so, and only as the loader reads."""
    found = next((name for magic, name in _MAGIC if head.startswith(magic)), None)
    name = path.name.lower()
    named = next((suffix for suffix in readable if name.endswith(suffix)), None)
    if named is not None:
        expected = _format(named)
        if found != expected:
            raise LoadError(path, None, None, f"named {named} but not a {expected} archive", "download it again")
        return
    if found is None:
        return
    suffixes = " or ".join(suffix for suffix in readable if _format(suffix) == found)
    if not suffixes:
        raise LoadError(path, None, None, f"a {found} archive, which the {kind} loader does not read", _UNPACK[found])
    if _format("." + name.rsplit(".", 1)[-1]) == found:  # such as hal's foo.xml.gz: an archive it does not read
        message = f"a {found} archive, which the {kind} loader reads only as {suffixes}"
        raise LoadError(path, None, None, message, _UNPACK[found])
    message = f"a {found} archive whose name does not end in {suffixes}"
    raise LoadError(path, None, None, message, f"rename it to end in {suffixes}")


def _format(suffix: str) -> str | None:
    return _FORMAT_OF_SUFFIX.get("." + suffix.rsplit(".", 1)[-1])


def read_error(path: Path, exc: BaseException) -> LoadError:
    """One line for a failure to read ``path``: without the traceback, and without the OS's copy of the path."""
    if isinstance(exc, UnicodeDecodeError):
        return LoadError(path, None, None, f"not UTF-8 text (byte {exc.start}: {exc.reason})", "save the file as UTF-8")
    if isinstance(exc, csv.Error):
        return LoadError(path, None, None, f"not valid CSV: {exc}", "check the quotes and save it as plain CSV")
    if isinstance(exc, (EOFError, zlib.error, zipfile.BadZipFile)):
        return LoadError(path, None, None, f"cannot decompress the file: {exc}", "download it again")
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return LoadError(path, None, None, f"cannot read the file: {reason}", "check the file")


def nothing_read(path: Path, problems: list[LoadError]) -> LoadError:
    """The error of a source that gave no triple: its first bad record's, or that it holds none."""
    if not problems:
        return LoadError(path, None, None, "the file holds no record", "give a file with at least one record")
    first = problems[0]
    which = "the only record of the file" if len(problems) == 1 else "the first bad record; none of the file is good"
    return LoadError(first.path, first.line, first.field, f"{first.message} ({which})", first.hint)


def guard(path: Path, source: SourceData) -> None:
    """Make ``source`` refuse to give nothing, and turn read failures of its lazy content into ``LoadError``."""
    if isinstance(source.triples, list):
        if not source.triples:
            raise nothing_read(path, source.problems)
        return
    source.triples = _guarded(path, source.triples, source.problems)


def _guarded(path: Path, triples: Iterable[ox.Triple], problems: list[LoadError]) -> Iterator[ox.Triple]:
    empty = True
    try:
        for triple in triples:
            empty = False
            yield triple
    except READ_ERRORS as exc:
        raise read_error(path, exc) from None
    if empty:
        raise nothing_read(path, problems)
