"""Loaders: each reads one kind of source into ``SourceData`` (a source and its graph's content).

Every loader module exposes (``loaders.registry.Loader``, checked by mypy):

- ``KIND``: its name on the command line (``cnrs-kg load --kind KIND``);
- ``READS_FOLDERS``: whether it takes a folder too, and ``COMPRESSED``: the name endings under which
  it reads an archive (``(".gz",)``); ``loaders.inputs`` refuses any other folder or archive, and
  empty files, before ``load`` runs;
- ``detect(path) -> bool``: whether a file looks like its input;
- ``load(path) -> list[SourceData]``: parse the whole file, raising ``LoadError`` (file:line:field)
  on the first bad record, so that nothing is written when the input is wrong; the loaders of
  harvested records (``LenientLoader``) also take ``strict=False``, to skip a bad record and list it.

A source is described by ``ontology.provenance.SourceInfo``; a source of publications sets its
``publications`` flag. Loaders import ``ontology`` only, never ``graph``.

Public names: ``LOADERS``, ``detect_kind``, ``load_path``, ``LoadError``, ``LoaderError``,
``SourceData``.
"""

from __future__ import annotations

from loaders.base import LoaderError, LoadError, SourceData
from loaders.registry import LOADERS, detect_kind, load_path

__all__ = ["LOADERS", "LoadError", "LoaderError", "SourceData", "detect_kind", "load_path"]
