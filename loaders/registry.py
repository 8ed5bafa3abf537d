"""Which loader reads which file: every loader module, listed once, typed by what the registry needs of it.

A loader module is a ``Loader`` (see ``loaders``); the loaders of harvested records (OpenAlex,
HAL) are ``LenientLoader``s, which may skip a bad record; the loader of any RDF file is a
``LicensedLoader``, which takes the licence the user gives. mypy checks each module listed here
against its protocol, so a loader whose ``load`` or ``detect`` drifts from the contract is a type
error, not a surprise at run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from loaders import cnrs, countries, hal, openalex, rdf, ror, seeds
from loaders.base import LoadError, SourceData
from loaders.inputs import READ_ERRORS, check_input, check_not_empty, guard, read_error


class Loader(Protocol):
    """A loader module: its kind, what it reads, how it tells its files and reads one.

    ``READS_FOLDERS``: it takes a folder too; ``COMPRESSED``: the name endings under which it
    reads an archive (``(".gz",)``). ``load`` parses the whole file, raising ``LoadError`` on the
    first bad record.
    """

    # Read-only (properties): a module's ``COMPRESSED = (".gz",)`` is then a ``tuple[str, ...]``.
    @property
    def KIND(self) -> str: ...  # noqa: N802 (the module constant's name)

    @property
    def READS_FOLDERS(self) -> bool: ...  # noqa: N802

    @property
    def COMPRESSED(self) -> tuple[str, ...]: ...  # noqa: N802

    def detect(self, path: Path) -> bool: ...

    def load(self, path: Path) -> list[SourceData]: ...


class LenientLoader(Loader, Protocol):
    """A loader of harvested records: with ``strict=False`` it skips a bad record and lists it."""

    def load(self, path: Path, *, strict: bool = True) -> list[SourceData]: ...


class LicensedLoader(Loader, Protocol):
    """A loader of files that do not say their licence: ``load`` takes the one the user gives."""

    def load(self, path: Path, *, licence: str | None = None) -> list[SourceData]: ...


# Order matters for detection: the most specific formats first, any RDF file last (a seed's
# NAME.facts.ttl is Turtle too).
CURATED: tuple[Loader, ...] = (ror, countries, cnrs, seeds)
HARVESTED: tuple[LenientLoader, ...] = (openalex, hal)
GENERAL: tuple[LicensedLoader, ...] = (rdf,)

LOADERS: dict[str, Loader] = {loader.KIND: loader for loader in (*CURATED, *HARVESTED, *GENERAL)}
_LENIENT: dict[str, LenientLoader] = {loader.KIND: loader for loader in HARVESTED}
_LICENSED: dict[str, LicensedLoader] = {loader.KIND: loader for loader in GENERAL}


def detect_kind(path: Path) -> str:
    """The kind of loader for ``path``; raise ``LoadError`` when none recognises it."""
    if not path.exists():
        raise LoadError(path, None, None, "no such file", "check the path")
    check_not_empty(path)
    for kind, loader in LOADERS.items():
        if loader.detect(path):
            return kind
    kinds = ", ".join(LOADERS)
    raise LoadError(path, None, None, "cannot tell what kind of source this is", f"pass --kind ({kinds})")


def load_path(
    path: Path, kind: str | None = None, *, strict: bool = True, licence: str | None = None
) -> list[SourceData]:
    """Parse ``path`` with the loader of ``kind`` (detected when None).

    The input is checked first and its content guarded (``loaders.inputs``): a folder, an empty
    file, an archive the loader does not read, a file that cannot be decoded, and a file from
    which no record can be read are each one ``LoadError``.

    ``strict=False`` lets the loaders of harvested records skip bad records (see ``loaders.base``);
    the loaders of curated files are always strict. ``licence`` (a URL) is the licence of a file
    that does not say it (any RDF file); the other loaders know their source's, and refuse one.
    """
    if kind is None:
        kind = detect_kind(path)
    if kind not in LOADERS:
        raise LoadError(path, None, None, f"unknown source kind {kind!r}", f"use one of {', '.join(LOADERS)}")
    if not path.exists():
        raise LoadError(path, None, None, "no such file", "check the path")
    loader = LOADERS[kind]
    licensed = _LICENSED.get(kind)
    if licence is not None and licensed is None:
        hint = "drop --licence: this loader states its source's licence (or the ORIGIN.toml beside the file does)"
        raise LoadError(path, None, None, f"a licence is given for a {kind} file, not an RDF file", hint)
    check_input(path, kind, reads_folders=loader.READS_FOLDERS, compressed=loader.COMPRESSED)
    lenient = _LENIENT.get(kind)
    try:
        if licensed is not None:
            result = licensed.load(path, licence=licence)
        else:
            result = loader.load(path) if lenient is None else lenient.load(path, strict=strict)
    except READ_ERRORS as exc:
        raise read_error(path, exc) from None
    for source in result:
        guard(path, source)
    return result
