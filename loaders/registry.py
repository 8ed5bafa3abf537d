"""Which loader reads which file."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from types import ModuleType

from loaders.base import LoadError, SourceData
from loaders.inputs import READ_ERRORS, check_input, check_not_empty, guard, read_error

# Order matters for detection: the most specific formats first.
_MODULES = ("loaders.ror", "loaders.countries", "loaders.cnrs", "loaders.seeds", "loaders.openalex", "loaders.hal")


def _modules() -> dict[str, ModuleType]:
    found: dict[str, ModuleType] = {}
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found[module.KIND] = module
    return found


LOADERS = _modules()


def detect_kind(path: Path) -> str:
    """The kind of loader for ``path``; raise ``LoadError`` when none recognises it."""
    if not path.exists():
        raise LoadError(path, None, None, "no such file", "check the path")
    check_not_empty(path)
    for kind, module in LOADERS.items():
        if module.detect(path):
            return kind
    kinds = ", ".join(LOADERS)
    raise LoadError(path, None, None, "cannot tell what kind of source this is", f"pass --kind ({kinds})")


def load_path(path: Path, kind: str | None = None, *, strict: bool = True) -> list[SourceData]:
    """Parse ``path`` with the loader of ``kind`` (detected when None).

    The input is checked first and its content guarded (``loaders.inputs``): a folder, an empty
    file, an archive the loader does not read, a file that cannot be decoded, and a file from
    which no record can be read are each one ``LoadError``.

    ``strict=False`` lets the loaders of harvested records skip bad records (see ``loaders.base``);
    the loaders of curated files are always strict.
    """
    if kind is None:
        kind = detect_kind(path)
    if kind not in LOADERS:
        raise LoadError(path, None, None, f"unknown source kind {kind!r}", f"use one of {', '.join(LOADERS)}")
    if not path.exists():
        raise LoadError(path, None, None, "no such file", "check the path")
    module = LOADERS[kind]
    check_input(path, kind, module)
    try:
        if "strict" in inspect.signature(module.load).parameters:
            result: list[SourceData] = module.load(path, strict=strict)
        else:
            result = module.load(path)
    except READ_ERRORS as exc:
        raise read_error(path, exc) from None
    for source in result:
        guard(path, source)
    return result
