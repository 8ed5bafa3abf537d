"""Which loader reads which file."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from loaders.base import LoadError, SourceData

# Order matters for detection: the most specific formats first.
_MODULES = ("loaders.ror", "loaders.countries", "loaders.cnrs", "loaders.seeds")


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


def load_path(path: Path, kind: str | None = None) -> list[SourceData]:
    """Parse ``path`` with the loader of ``kind`` (detected when None)."""
    if kind is None:
        kind = detect_kind(path)
    if kind not in LOADERS:
        raise LoadError(path, None, None, f"unknown source kind {kind!r}", f"use one of {', '.join(LOADERS)}")
    if not path.exists():
        raise LoadError(path, None, None, "no such file", "check the path")
    result: list[SourceData] = LOADERS[kind].load(path)
    return result
