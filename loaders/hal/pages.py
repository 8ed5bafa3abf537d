"""TEI pages into triples, a document at a time, remembering across a file's pages what is written.

A page is one TEI tree: a whole export file, or one line of the harvest cache. Its structures are
read first; then each document becomes triples, with the structures it reaches that no earlier
document reached, and the domains it names that no earlier document named (``domains``). A
structure is described once per file, unless a later page describes it otherwise (HAL's records
change between exports): that description is written too, and the store, which holds a set, keeps
one copy of what both say. A document's triples are all made
before any is given out, so a bad document leaves nothing behind: strict reading raises its
``LoadError``, lenient reading appends it to ``problems`` and goes on.

Errors name the record by the document's HAL id (ElementTree keeps no line numbers), after the
cache line when there is one: ``hal.jsonl:12:hal-01213935:title: ...``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from loaders.base import LoadError
from loaders.hal import cache, tei
from loaders.hal.domains import Domain, domain_triples
from loaders.hal.domains import reached as named_domains
from loaders.hal.records import FieldError, hal_id, parse_document
from loaders.hal.structures import Structures
from loaders.hal.triples import document_triples, structure_triples


class Pages:
    """The reading of one file: its strictness, its problems, and the works and structures written."""

    def __init__(self, path: Path, *, strict: bool, problems: list[LoadError]) -> None:
        self.path = path
        self.strict = strict
        self.problems = problems
        self._works: dict[str, str] = {}  # work IRI -> the HAL id that wrote it
        # structure xml:id -> fingerprints of the descriptions written (one, unless HAL's changed)
        self._described: dict[str, set[int]] = {}
        self._domains: set[Domain] = set()  # the domains described (a label changed: described again)

    def fail(self, error: LoadError) -> None:
        if self.strict:
            raise error
        self.problems.append(error)

    def page_triples(self, root: ET.Element, line: int | None = None) -> Iterator[ox.Triple]:
        """The triples of one page's documents, in order; bad documents raise or are skipped."""
        structures = Structures(tei.structures(root))
        done: set[str] = set()  # structures of this page already described or found written
        for index, full in enumerate(tei.documents(root), start=1):
            try:
                triples = self._document(full, structures, done, line, index)
            except LoadError as error:
                self.fail(error)
                continue
            yield from triples

    def cache_triples(self) -> Iterator[ox.Triple]:
        """The triples of every page of a harvest cache, read a line at a time."""
        for line, page in cache.pages(self.path):
            try:
                if isinstance(page, LoadError):
                    raise page
                where = line if page.hal_id is None else f"{line}:{page.hal_id}"
                root = tei.parse_text(page.tei, self.path, where, "tei")
                check_root(root, self.path, where)
            except LoadError as error:
                self.fail(error)
                continue
            yield from self.page_triples(root, line)

    def _document(
        self, full: ET.Element, structures: Structures, done: set[str], line: int | None, index: int
    ) -> list[ox.Triple]:
        record = f"document {index}"
        try:
            record = hal_id(full)
            document = parse_document(full)
            reached = structures.reached(document)
        except FieldError as exc:
            raise self._error(line, record, exc.field, exc.message, exc.hint) from None
        work = document.work.value
        earlier = self._works.get(work)
        if earlier == document.hal_id:
            return []  # the same document on two pages of a harvest
        if earlier is not None:
            raise self._error(
                line, record, "doi", f"DOI {document.doi} is also that of {earlier}", "merge the two in HAL or drop one"
            )
        triples = document_triples(document, structures)
        described: list[tuple[str, int]] = []
        for structure in reached:
            if structure.key in done:
                continue
            description = structure_triples(structure, structures)
            fingerprint = hash(frozenset(description))
            if fingerprint not in self._described.get(structure.key, ()):
                triples += description
            described.append((structure.key, fingerprint))
        fresh = [domain for domain in named_domains(document.domains) if domain not in self._domains]
        triples += [triple for domain in fresh for triple in domain_triples(domain)]
        self._works[work] = document.hal_id
        self._domains.update(fresh)
        for key, fingerprint in described:
            done.add(key)
            self._described.setdefault(key, set()).add(fingerprint)
        return triples

    def _error(self, line: int | None, record: str, field: str, message: str, hint: str) -> LoadError:
        return LoadError(self.path, record if line is None else f"{line}:{record}", field, message, hint)


def check_root(root: ET.Element, where: Path, line: int | str | None = None) -> None:
    if root.tag != tei.TEI:
        found = tei.local_name(root.tag)
        raise LoadError(where, line, "xml", f"the root element is {found}, not TEI", "give a HAL TEI export")
