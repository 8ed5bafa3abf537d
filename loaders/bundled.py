"""The dataset shipped in ``data/``: which files, read by which loader (``data/bundle.toml``)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from loaders.base import LoadError

DATA_ENV = "CNRS_KG_DATA"


def data_dir() -> Path:
    """``$CNRS_KG_DATA`` if set, else the ``data`` folder of this checkout."""
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class BundledSource:
    path: Path
    kind: str


def bundled_sources(root: Path | None = None) -> list[BundledSource]:
    root = root or data_dir()
    manifest = root / "bundle.toml"
    if not manifest.is_file():
        raise LoadError(
            manifest, None, None, "bundled dataset manifest not found", f"set {DATA_ENV} to the data folder"
        )
    entries = tomllib.loads(manifest.read_text(encoding="utf-8")).get("source", [])
    sources = []
    for index, entry in enumerate(entries, start=1):
        path = root / entry["path"]
        if not path.is_file():
            raise LoadError(manifest, f"source[{index}]", "path", f"{entry['path']} is missing", "restore data/")
        sources.append(BundledSource(path, entry["kind"]))
    return sources
