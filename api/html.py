"""The HTML of the linked-data pages (entities, graphs, the ontology, rules): one page shell and one
renderer of RDF terms, so that every page looks alike and links the same way.

``Terms`` writes an IRI as its label (when the page read one) and its prefixed name, linked to
where it resolves: the project's IRIs to this server (``api.paths``), other web IRIs as they are.

>>> terms = Terms({}, LocalIris.of(PROJECT))
>>> terms.link(ox.NamedNode("https://w3id.org/cnrs-kg/ontology#ResearchUnit"))
'<a href="/ontology#ResearchUnit" title="https://w3id.org/cnrs-kg/ontology#ResearchUnit">kg:ResearchUnit</a>'
>>> terms.term(ox.Literal("Viet Nam", language="en"))
'<span lang="en">Viet Nam</span> <small>@en</small>'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import pyoxigraph as ox

from api.paths import PROJECT, LocalIris
from ontology.vocab import PREFIXES

__all__ = ["NAV", "Terms", "page", "project_terms"]

# Every page links the documents that explain the others: the ontology its terms come from, the
# VoID description of the whole store, the SPARQL endpoint.
NAV = [("Ontology", "/ontology"), ("VoID", "/.well-known/void"), ("SPARQL", "/sparql")]
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 1rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd; padding: .25rem;
text-align: left; vertical-align: top; } small { color: #666; } dt { font-weight: bold; }
nav { font-size: .9rem; } section.term { border-top: 1px solid #ddd; }
"""
_LINKABLE = ("http://", "https://", "ftp://", "mailto:")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def page(title: str, body: str, *, root: str = "", alternates: Sequence[tuple[str, str]] = ()) -> str:
    """A whole page: ``body`` (HTML) under ``title`` (text); ``alternates``: (media type, href) of
    the same resource in RDF, for ``<link rel="alternate">``."""
    links = "".join(f'<link rel="alternate" type="{escape(t)}" href="{escape(h)}">\n' for t, h in alternates)
    nav = " · ".join(f'<a href="{escape(root + path)}">{name}</a>' for name, path in NAV)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · cnrs-kg</title>
{links}<style>{STYLE}</style>
</head>
<body>
<nav>cnrs-kg · {nav}</nav>
{body}
</body>
</html>
"""


class Terms:
    """Renders terms for one page: the labels read with it, links where the IRIs resolve."""

    def __init__(self, labels: Mapping[ox.NamedNode, Sequence[ox.Literal]], iris: LocalIris) -> None:
        self.labels = labels
        self.iris = iris
        self._prefixes = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))

    def label(self, node: ox.NamedNode) -> str | None:
        """``rdfs:label``, preferring English, then no language, then any."""
        ranked = sorted(({"en": 0, None: 1}.get(lit.language, 2), lit.value) for lit in self.labels.get(node, []))
        return ranked[0][1] if ranked else None

    def compact(self, iri: str) -> str:
        for prefix, namespace in self._prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def href(self, iri: str) -> str | None:
        """Where a link to ``iri`` goes: this server for the IRIs it answers for, else the IRI itself
        if a browser can follow it; None for the others (``urn:``)."""
        local = self.iris.path(iri)
        if local is not None:
            return local
        return iri if iri.startswith(_LINKABLE) else None

    def link(self, node: ox.NamedNode, *, labelled: bool = True) -> str:
        label = self.label(node) if labelled else None
        short = escape(self.compact(node.value))
        text = f"{escape(label)} <small>{short}</small>" if label else short
        href = self.href(node.value)
        if href is None:
            return text
        return f'<a href="{escape(href)}" title="{escape(node.value)}">{text}</a>'

    def term(self, term: Term) -> str:
        if isinstance(term, ox.NamedNode):
            return self.link(term)
        if isinstance(term, ox.Literal):
            text = escape(term.value)
            if term.language:
                return f'<span lang="{escape(term.language)}">{text}</span> <small>@{escape(term.language)}</small>'
            if term.datatype.value != _XSD_STRING:
                return f"{text} <small>^^{escape(self.compact(term.datatype.value))}</small>"
            return text
        return f"<code>{escape(str(term))}</code>"


def project_terms(labels: Mapping[ox.NamedNode, Sequence[ox.Literal]], root: str = "") -> Terms:
    """``Terms`` linking every IRI of the project to this server (served under ``root``)."""
    return Terms(labels, LocalIris.of(PROJECT, root))
