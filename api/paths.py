"""Where the project's IRIs resolve on this server: an IRI under ``https://w3id.org/cnrs-kg/`` and
the local path that answers for it, both ways.

The project mints its IRIs under one base (``ontology.iris``), and w3id.org redirects them to a
server. Each kind of IRI has its own route here:

=======================================================  ==============================
IRI                                                      served at
=======================================================  ==============================
``https://w3id.org/cnrs-kg/id/{path}`` (entities)        ``/id/{path}`` (``api.linkeddata``)
``https://w3id.org/cnrs-kg/graph/{path}`` (named graphs) ``/graph/{path}`` (``api.graph_page``)
``https://w3id.org/cnrs-kg/ontology`` and its terms      ``/ontology`` (``api.ontology_page``)
``https://w3id.org/cnrs-kg/rules/{path}``                ``/rules/{path}`` (``api.rules_page``)
=======================================================  ==============================

so a page links the project's IRIs to this server (``LocalIris.path``), and a route reads the IRI
it answers for from its path (``iri_under``), percent-encoding as the client sent it (``raw_tail``).

>>> iris = LocalIris.of(PROJECT)
>>> iris.path("https://w3id.org/cnrs-kg/id/country/VN")
'/id/country/VN'
>>> iris.path("https://w3id.org/cnrs-kg/ontology#ResearchUnit")
'/ontology#ResearchUnit'
>>> iris.path("https://w3id.org/cnrs-kg/ontologyX") is None
True
>>> normalise("work/doi/10.1000/abc%281%29")
'work/doi/10.1000/abc%281%29'
>>> normalise("org/universit%C3%A9-%7e%2f")
'org/université-~%2F'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

import pyoxigraph as ox
from starlette.requests import Request

from ontology.iris import BASE, GRAPH, ID
from ontology.vocab import ONTOLOGY_IRI

__all__ = ["PROJECT", "RULES", "LocalIris", "iri_under", "normalise", "raw_tail", "root"]

RULES = BASE + "rules/"
# The IRI prefixes this server answers for, and where. A prefix that does not end in "/" or "#"
# covers itself and what follows it after "/" or "#" (the ontology, its terms, its versions).
PROJECT: dict[str, str] = {ID: "/id/", GRAPH: "/graph/", ONTOLOGY_IRI: "/ontology", RULES: "/rules/"}

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


@dataclass(frozen=True)
class LocalIris:
    """IRI prefixes and the local paths that answer for them, on a server under ``root``."""

    mounts: tuple[tuple[str, str], ...]  # longest IRI prefix first
    root: str = ""

    @classmethod
    def of(cls, mounts: Mapping[str, str], root: str = "") -> LocalIris:
        return cls(tuple(sorted(mounts.items(), key=lambda item: -len(item[0]))), root)

    def path(self, iri: str) -> str | None:
        """The local path (and fragment) answering for ``iri``; None if this server does not."""
        for prefix, local in self.mounts:
            if not iri.startswith(prefix):
                continue
            rest = iri[len(prefix) :]
            if prefix.endswith(("/", "#")) or not rest or rest[0] in "/#":
                return self.root + local + rest
        return None


def root(request: Request) -> str:
    """The path the application is served under (empty unless behind a proxy's prefix)."""
    value = request.scope.get("root_path", "")
    return value if isinstance(value, str) else ""


def normalise(raw: str) -> str:
    """Percent-encoding as minted IRIs hold it (RFC 3987 3.2): upper-case hex, with unreserved and
    non-ASCII characters decoded, so ``%C3%A9`` from a browser finds the IRI spelt with ``é``."""

    def fix(match: re.Match[str]) -> str:
        text = match.group(0)
        try:
            decoded = bytes.fromhex(text.replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return text.upper()
        keep = (c in _UNRESERVED or (ord(c) > 127 and c.isprintable()) for c in decoded)
        return "".join(c if k else quote(c, safe="") for c, k in zip(decoded, keep, strict=True))

    return _PERCENT_RUN.sub(fix, raw)


def raw_tail(request: Request, decoded: str) -> str:
    """The path parameter as the client sent it: the shortest tail of ``raw_path`` decoding to it."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        segments = raw.decode("utf-8", errors="replace").split("/")
        for start in range(len(segments) - 1, -1, -1):
            tail = "/".join(segments[start:])
            if unquote(tail) == decoded:
                return tail
    return quote(decoded, safe="/:@!$&'()*+,;=-._~")


def iri_under(base: str, tail: str) -> ox.NamedNode | None:
    """The IRI ``base + tail`` for a raw path tail; None if neither spelling makes a valid IRI."""
    for candidate in dict.fromkeys((normalise(tail), tail)):
        try:
            return ox.NamedNode(base + candidate)
        except ValueError:
            continue
    return None
