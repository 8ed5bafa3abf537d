"""A HAL document's research fields: its domains (``<classCode scheme="halDomain" n="sdv.sp.med">``),
each with the domains above it (the code's prefixes: ``sdv.sp``, ``sdv``), labelled from the text
of the class code (``Life Sciences [q-bio]/Pharmaceutical sciences/Medication``: one label per
level), written as a SKOS concept scheme (``kg:HalDomains``) and ``kg:researchField`` statements.

>>> import xml.etree.ElementTree as ET
>>> full = ET.fromstring('<biblFull xmlns="http://www.tei-c.org/ns/1.0"><profileDesc><textClass>'
...     '<classCode scheme="halDomain" n="info.info-ts">Computer Science [cs]/Signal and Image Processing'
...     '</classCode></textClass></profileDesc></biblFull>')
>>> [(d.code, d.name) for d in parse_domains(full)[0].chain()]
[('info.info-ts', 'Signal and Image Processing'), ('info', 'Computer Science [cs]')]
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from loaders.hal.tei import NAMESPACES, text
from ontology import KG, RDF, SKOS, iris


@dataclass(frozen=True, slots=True)
class Domain:
    """A HAL domain (``info.info-ts``), its label if the record gives one, and the domain above it."""

    code: str
    name: str | None
    broader: Domain | None

    def chain(self) -> Iterator[Domain]:
        """This domain and every domain above it."""
        node: Domain | None = self
        while node is not None:
            yield node
            node = node.broader

    @property
    def iri(self) -> ox.NamedNode:
        return iris.hal_domain(self.code)


def parse_domains(full: ET.Element) -> tuple[Domain, ...]:
    """The document's domains, in the record's order, each once; a code HAL could not name is skipped
    (``FieldError`` is for what a user must fix; an unknown domain code is HAL's, not theirs)."""
    found: dict[str, Domain] = {}
    for element in full.findall("tei:profileDesc/tei:textClass/tei:classCode[@scheme='halDomain']", NAMESPACES):
        code = (element.get("n") or "").strip().lower()
        if not code or not iris.HAL_DOMAIN.match(code):
            continue
        found.setdefault(code, _domain(code, text(element)))
    return tuple(found.values())


def _domain(code: str, label: str) -> Domain:
    parts = code.split(".")
    names: list[str | None] = [name.strip() for name in label.split("/")] if label else []
    if len(names) != len(parts):  # the labels cannot be matched to the levels: the code's own only
        names = [*([None] * (len(parts) - 1)), label or None]
    broader: Domain | None = None
    for depth in range(1, len(parts) + 1):
        broader = Domain(".".join(parts[:depth]), names[depth - 1] or None, broader)
    assert broader is not None
    return broader


@cache
def _terms() -> dict[str, ox.NamedNode]:
    """Looked up once, on first use (``KG`` reads the ontology file)."""
    names = ("ResearchField", "researchField", "fieldLevel", "HalDomains", "HalDomainLevel", "HalSubdomainLevel")
    return {name: KG.term(name) for name in names}


def domain_triples(domain: Domain) -> list[ox.Triple]:
    """One concept of the scheme: its type, notation, level, label (when known) and broader domain."""
    t = _terms()
    node = domain.iri
    level = t["HalSubdomainLevel"] if domain.broader is not None else t["HalDomainLevel"]
    out = [
        ox.Triple(node, RDF.type, t["ResearchField"]),
        ox.Triple(node, SKOS.notation, ox.Literal(domain.code)),
        ox.Triple(node, SKOS.inScheme, t["HalDomains"]),
        ox.Triple(node, t["fieldLevel"], level),
    ]
    if domain.name:
        out.append(ox.Triple(node, SKOS.prefLabel, ox.Literal(domain.name, language="en")))
    if domain.broader is not None:
        out.append(ox.Triple(node, SKOS.broader, domain.broader.iri))
    return out


def reached(domains: tuple[Domain, ...]) -> list[Domain]:
    """The domains and every domain above them, once each, in order."""
    return list({domain.code: domain for top in domains for domain in top.chain()}.values())


def work_domains(work: ox.NamedNode, domains: tuple[Domain, ...]) -> list[ox.Triple]:
    """The work's ``kg:researchField`` to each of its domains and those above them, once each (each
    domain is described by ``domain_triples``, once per file: ``loaders.hal.pages``)."""
    research_field = _terms()["researchField"]
    return [ox.Triple(work, research_field, domain.iri) for domain in reached(domains)]
