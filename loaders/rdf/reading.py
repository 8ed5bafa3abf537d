"""Reading an RDF file as a stream: its bytes hashed as they go by, its errors at their line, its
blank nodes named alike at every load, and each graph's triples kept apart for the store.

``Reading`` parses the file once, from its first byte to its last, with pyoxigraph's parser (an
iterator: the file is never in memory whole); ``sha256`` is the digest of the bytes read (of the
archive, for a ``.gz``). A syntax error is a ``LoadError`` at its line.

Blank nodes: pyoxigraph keeps the file's labels (``_:b0``) and gives a node without a label
(``[]``, an RDF/XML node without ``rdf:nodeID``) a random one. ``BlankNodes`` renames both to labels
derived from the source's name: a label from the file by hashing it (no memory kept), a node the
parser named by its order of appearance (one entry per such node). So two files never share a
blank node in the store, and a second load of a file gives the same labels, which the store then
finds unchanged.

Literals: the store keeps a typed literal in its canonical form (``"0.0"^^xsd:decimal`` as ``"0"``,
``"05"^^xsd:int`` as ``"5"^^xsd:integer``), and compares a new content with what it holds. So that a
second load of a file finds nothing changed, ``Canonical`` gives each literal the form the store
gives it, by passing a batch of them through an in-memory pyoxigraph store: the store's own rules.

``Spool`` keeps the triples of each graph of a dataset (TriG, N-Quads, JSON-LD) apart, as N-Triples
in a temporary folder, since the store writes one graph after another and a file may interleave
them; each graph is read back once, then its file removed (the folder goes with the ``Spool``).

>>> a, b = BlankNodes("a.ttl"), BlankNodes("b.ttl")
>>> a(ox.BlankNode("b0")) == a(ox.BlankNode("b0")), a(ox.BlankNode("b0")) == b(ox.BlankNode("b0"))
(True, False)
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import shutil
import tempfile
import weakref
import zlib
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

import pyoxigraph as ox

from loaders.base import LoadError
from loaders.rdf.syntax import GZIP

if TYPE_CHECKING:
    from typing_extensions import Buffer

GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

BUFFER = 1 << 20
SPOOL_EVERY = 5_000  # triples held before they are written to the spool's files
BATCH = 2_000  # triples whose literals are made canonical at once
# The labels pyoxigraph gives the nodes it names itself: 128 random bits in hexadecimal.
_PARSER_LABEL = re.compile(r"[0-9a-f]{16,32}")
_REREAD = "download or export the file again"


class _Hashed(io.RawIOBase):
    """A binary file whose bytes go to ``update`` (a digest's) as they are read."""

    def __init__(self, raw: io.BufferedReader, update: Callable[[Buffer], None]) -> None:
        self._raw = raw
        self._update = update

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int:
        size = self._raw.readinto(buffer)
        if size:
            self._update(memoryview(buffer)[:size])
        return size


class BlankNodes:
    """Renames the blank nodes of one source (see the module docstring); call it on a blank node."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._named: dict[str, ox.BlankNode] = {}  # the parser's labels, by order of appearance
        self._mint = lru_cache(maxsize=1 << 16)(self._label)

    def __call__(self, node: ox.BlankNode) -> ox.BlankNode:
        label = node.value
        if _PARSER_LABEL.fullmatch(label) is None:
            return self._mint(label)
        found = self._named.get(label)
        if found is None:
            found = self._named[label] = self._mint(f"#{len(self._named)}")  # '#' is in no label of a file
        return found

    def _label(self, key: str) -> ox.BlankNode:
        # A letter first: pyoxigraph stores an all-hexadecimal label as a number, dropping leading zeros.
        return ox.BlankNode("r" + hashlib.blake2b(f"{self._source}\0{key}".encode(), digest_size=12).hexdigest())

    def term(self, term: Term) -> Term:
        if isinstance(term, ox.BlankNode):
            return self(term)
        if isinstance(term, ox.Triple):  # an RDF 1.2 triple term
            return ox.Triple(self.term(term.subject), term.predicate, self.term(term.object))  # type: ignore[arg-type]
        return term

    def graph(self, graph: GraphName) -> GraphName:
        return self(graph) if isinstance(graph, ox.BlankNode) else graph


class Canonical:
    """Literals as the store keeps them: a batch written to an in-memory store and read back."""

    _PREDICATE = ox.NamedNode("urn:cnrs-kg:literal")

    def __init__(self) -> None:
        self._store = ox.Store()

    def triples(self, batch: list[tuple[GraphName, ox.Triple]]) -> list[tuple[GraphName, ox.Triple]]:
        typed = [i for i, (_, t) in enumerate(batch) if _typed(t.object)]
        if not typed:
            return batch
        self._store.extend(
            ox.Quad(ox.NamedNode(f"urn:cnrs-kg:{i}"), self._PREDICATE, batch[i][1].object) for i in typed
        )
        stored = {quad.subject.value: quad.object for quad in self._store}
        self._store.clear()
        for i in typed:
            graph, triple = batch[i]
            obj = stored[f"urn:cnrs-kg:{i}"]
            if obj != triple.object:
                batch[i] = graph, ox.Triple(triple.subject, triple.predicate, obj)
        return batch


_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


def _typed(term: Term) -> bool:
    return isinstance(term, ox.Literal) and term.language is None and term.datatype != _STRING


class Reading:
    """One reading of ``path`` in ``syntax``: iterate it for its quads, blank nodes renamed by ``names``."""

    def __init__(self, path: Path, syntax: ox.RdfFormat, names: BlankNodes) -> None:
        self.path = path
        self.syntax = syntax
        self.names = names
        self.sha256 = b""  # set once every byte is read

    def __iter__(self) -> Iterator[tuple[GraphName, ox.Triple]]:
        digest = hashlib.sha256()
        path = self.path
        try:
            with path.open("rb") as raw:
                hashed = io.BufferedReader(_Hashed(raw, digest.update), BUFFER)
                # GzipFile reads as a binary file does; typeshed does not say so.
                stream = cast(BinaryIO, gzip.GzipFile(fileobj=hashed)) if _is_gzip(path) else hashed
                try:
                    yield from self._statements(stream)
                except SyntaxError as exc:
                    if stream is not hashed:  # a damaged archive gives junk before its checksum fails: say so
                        while stream.read(BUFFER):
                            pass
                    raise _syntax_error(path, self.syntax, exc) from None
                while hashed.read(BUFFER):  # bytes past the last statement count in the checksum too
                    pass
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise LoadError(path, None, None, f"cannot decompress the file: {exc}", _REREAD) from None
        except OSError as exc:
            raise LoadError(path, None, None, f"cannot read the file: {exc.strerror or exc}", _REREAD) from None
        self.sha256 = digest.digest()

    def _statements(self, stream: BinaryIO) -> Iterator[tuple[GraphName, ox.Triple]]:
        quads = ox.parse(stream, self.syntax, rename_blank_nodes=False)
        canonical = Canonical()
        while batch := [self._renamed(quad) for quad in islice(quads, BATCH)]:
            yield from canonical.triples(batch)

    def _renamed(self, quad: ox.Quad) -> tuple[GraphName, ox.Triple]:
        subject, obj, names = quad.subject, quad.object, self.names
        if isinstance(subject, (ox.BlankNode, ox.Triple)) or isinstance(obj, (ox.BlankNode, ox.Triple)):
            triple = ox.Triple(names.term(subject), quad.predicate, names.term(obj))  # type: ignore[arg-type]
        else:
            triple = quad.triple
        return names.graph(quad.graph_name), triple


def _syntax_error(path: Path, syntax: ox.RdfFormat, exc: SyntaxError) -> LoadError:
    message = str(exc.args[0]) if exc.args else str(exc)
    # pyoxigraph's JSON-LD parser fetches nothing from the web.
    remote = "remote context" in message
    hint = "give the @context inline, or convert the file (to N-Triples, say) first" if remote else "fix the syntax"
    return LoadError(path, exc.lineno, None, f"not valid {syntax.name}: {message}", hint)


def _is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(GZIP)


class Spool:
    """The triples of each graph of a file, written apart in a temporary folder and read back once."""

    def __init__(self) -> None:
        try:
            self.folder = Path(tempfile.mkdtemp(prefix="cnrs-kg-rdf-"))
        except OSError as exc:
            raise _no_room(exc) from None
        self._removal = weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)
        self._files: dict[GraphName, Path] = {}
        self._waiting: dict[GraphName, list[ox.Triple]] = {}
        self._held = 0

    def add(self, graph: GraphName, triple: ox.Triple) -> None:
        self._waiting.setdefault(graph, []).append(triple)
        self._held += 1
        if self._held >= SPOOL_EVERY:
            self.flush()

    def flush(self) -> None:
        try:
            for graph, triples in self._waiting.items():
                path = self._files.setdefault(graph, self.folder / f"{len(self._files)}.nt")
                with path.open("ab") as handle:
                    ox.serialize(triples, handle, ox.RdfFormat.N_TRIPLES)
        except OSError as exc:
            self.close()
            raise _no_room(exc) from None
        self._waiting.clear()
        self._held = 0

    def triples(self, graph: GraphName) -> Iterator[ox.Triple]:
        """The triples of ``graph`` as they were added; its file is removed once read."""
        path = self._files[graph]
        try:
            for quad in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=False):
                yield quad.triple
        finally:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        self._removal()


def _no_room(exc: OSError) -> LoadError:
    where = tempfile.gettempdir()
    message = f"cannot keep the graphs apart in a temporary folder: {exc.strerror or exc}"
    return LoadError(where, None, None, message, "set TMPDIR to a folder with room for a copy of the file")
