"""Which loader reads which file."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from types import ModuleType

from loaders.base import LoadError, SourceData

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
    for kind, module in LOADERS.items():
        if module.detect(path):
            return kind
    kinds = ", ".join(LOADERS)
    raise LoadError(path, None, None, "cannot tell what kind of source this is", f"pass --kind ({kinds})")


def load_path(path: Path, kind: str | None = None, *, strict: bool = True) -> list[SourceData]:
    """Parse ``path`` with the loader of ``kind`` (detected when None).

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
    if "strict" in inspect.signature(module.load).parameters:
        result: list[SourceData] = module.load(path, strict=strict)
    else:
        result = module.load(path)
    return result
