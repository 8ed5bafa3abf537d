"""Loaders: each reads one kind of source into ``SourceData`` (a source and its graph's content).

Every loader module exposes:

- ``KIND``: its name on the command line (``cnrs-kg load --kind KIND``);
- ``detect(path) -> bool``: whether a file looks like its input;
- ``load(path) -> list[SourceData]``: parse the whole file, raising ``LoadError`` (file:line:field)
  on the first bad record, so that nothing is written when the input is wrong;
- optionally ``READS_FOLDERS = True`` (it takes a folder too) and ``COMPRESSED``, the name endings
  under which it reads an archive (``(".gz",)``); ``loaders.inputs`` refuses any other folder or
  archive, and empty files, before ``load`` runs.

Public names: ``LOADERS``, ``detect_kind``, ``load_path``, ``LoadError``, ``LoaderError``,
``SourceData``, ``SourceInfo``.
"""

from __future__ import annotations

from loaders.base import LoaderError, LoadError, SourceData, SourceInfo
from loaders.registry import LOADERS, detect_kind, load_path

__all__ = ["LOADERS", "LoadError", "LoaderError", "SourceData", "SourceInfo", "detect_kind", "load_path"]
