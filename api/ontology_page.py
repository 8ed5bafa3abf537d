"""``/ontology``: the cnrs-kg ontology at its own IRI ``https://w3id.org/cnrs-kg/ontology``, by
content negotiation: Turtle (the file ``ontology/cnrs-kg.ttl`` itself, comments and all), the other
RDF formats, and HTML documentation with an anchor per term, so that a term's IRI
``https://w3id.org/cnrs-kg/ontology#ResearchUnit`` resolves to ``/ontology#ResearchUnit``.

The documentation is generated from the file (parsed by pyoxigraph): the ontology's header, a
table of contents, then each term the ontology defines (``rdfs:isDefinedBy`` it), grouped by kind
(classes, object and datatype properties, data cube terms, concept schemes, concepts), with its
label, comment, every other statement about it, and the terms that refer to it (subclasses,
properties whose domain or range it is). ``/ontology/{version}`` answers for the version IRI
(``owl:versionIRI``) of the version served; another version is a 404 naming the current one.

The file is read once, at the first request; the answers are the same bytes until the server
restarts (blank nodes are named by their order in the file).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape
from pathlib import Path

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.errors import NotFound
from api.html import Terms, page, project_terms
from api.jsonld import graph_body
from api.linkeddata import OFFERS, requested
from api.negotiation import GRAPH_TYPES, Format
from api.paths import root
from ontology.vocab import (
    DCTERMS,
    KG,
    ONTOLOGY_IRI,
    ONTOLOGY_PATH,
    OWL,
    PREFIXES,
    QB,
    RDF,
    RDFS,
    SKOS,
    VANN,
)

__all__ = ["GROUPS", "Ontology", "read_ontology", "routes"]

# The kinds of terms, in the order the page gives them; a term goes to the first of its types here.
GROUPS: list[tuple[str, tuple[ox.NamedNode, ...]]] = [
    ("Classes", (OWL.Class,)),
    ("Object properties", (OWL.ObjectProperty,)),
    ("Datatype properties", (OWL.DatatypeProperty,)),
    ("Data cube properties", (QB.DimensionProperty, QB.MeasureProperty, QB.AttributeProperty)),
    ("Data structure definitions", (QB.DataStructureDefinition,)),
    ("Concept schemes", (SKOS.ConceptScheme,)),
]
OTHERS = "Concepts and other individuals"
SHOWN_FIRST = (RDFS.label, RDFS.comment, RDFS.isDefinedBy)  # in the heading, or said by the page itself
NESTING = 3  # blank nodes shown inside a statement, at most this deep

Node = ox.NamedNode | ox.BlankNode
Value = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Ontology:
    """The ontology file, parsed: its statements by subject, and what refers to each term."""

    iri: ox.NamedNode
    turtle: bytes
    triples: list[ox.Triple]
    version: str | None  # owl:versionIRI
    statements: dict[Node, list[tuple[ox.NamedNode, Value]]]
    references: dict[ox.NamedNode, list[tuple[Node, ox.NamedNode]]]

    def about(self, node: Node) -> list[tuple[ox.NamedNode, Value]]:
        return self.statements.get(node, [])

    def referring(self, node: ox.NamedNode) -> list[tuple[Node, ox.NamedNode]]:
        return self.references.get(node, [])

    def terms(self) -> list[ox.NamedNode]:
        """The terms the ontology defines, by IRI."""
        defined = {t.subject for t in self.triples if t.predicate == RDFS.isDefinedBy and t.object == self.iri}
        return sorted((s for s in defined if isinstance(s, ox.NamedNode)), key=lambda s: s.value)


def read_ontology(path: Path = ONTOLOGY_PATH) -> Ontology:
    """The ontology file at ``path``, its blank nodes named by order of appearance."""
    turtle = path.read_bytes()
    names: dict[str, ox.BlankNode] = {}

    def stable(term: Value) -> Value:
        if isinstance(term, ox.BlankNode):
            return names.setdefault(term.value, ox.BlankNode(f"b{len(names) + 1}"))
        return term

    triples = []
    statements: dict[Node, list[tuple[ox.NamedNode, Value]]] = defaultdict(list)
    references: dict[ox.NamedNode, list[tuple[Node, ox.NamedNode]]] = defaultdict(list)
    for quad in ox.parse(turtle, format=ox.RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI):
        subject, obj = stable(quad.subject), stable(quad.object)
        assert isinstance(subject, ox.NamedNode | ox.BlankNode)
        triples.append(ox.Triple(subject, quad.predicate, obj))
        statements[subject].append((quad.predicate, obj))
        if isinstance(obj, ox.NamedNode) and quad.predicate != RDFS.isDefinedBy and subject != obj:
            references[obj].append((subject, quad.predicate))
    iri = ox.NamedNode(ONTOLOGY_IRI)
    versions = [o.value for p, o in statements[iri] if p == OWL.versionIRI and isinstance(o, ox.NamedNode)]
    return Ontology(iri, turtle, triples, versions[0] if versions else None, dict(statements), dict(references))


@cache
def _ontology() -> Ontology:
    return read_ontology()


# --- HTML ------------------------------------------------------------------------------------------


def _local(iri: ox.NamedNode) -> str:
    return iri.value.removeprefix(KG.base)


def _value(ontology: Ontology, terms: Terms, value: Value, depth: int = 0) -> str:
    """A value; a blank node as its statements in brackets (``[ qb:dimension kg:refArea ]``)."""
    if not isinstance(value, ox.BlankNode):
        return terms.term(value)
    if depth >= NESTING:
        return "[ … ]"
    inner = " ; ".join(
        f"{terms.link(p, labelled=False)} {_value(ontology, terms, o, depth + 1)}" for p, o in ontology.about(value)
    )
    return f"[ {inner} ]"


def _statements(ontology: Ontology, terms: Terms, node: Node, skip: Sequence[ox.NamedNode]) -> str:
    grouped: dict[ox.NamedNode, list[Value]] = {}
    for p, o in ontology.about(node):
        if p not in skip:
            grouped.setdefault(p, []).append(o)
    rows = [
        f"<dt>{terms.link(p, labelled=False)}</dt><dd>{', '.join(_value(ontology, terms, v) for v in values)}</dd>"
        for p, values in grouped.items()
    ]
    return f"<dl>{''.join(rows)}</dl>" if rows else ""


def _term_html(ontology: Ontology, terms: Terms, term: ox.NamedNode) -> str:
    about = ontology.about(term)
    comments = [o for p, o in about if p == RDFS.comment and isinstance(o, ox.Literal)]
    comment = "".join(f"<p>{terms.term(c)}</p>" for c in comments)
    label = terms.label(term)
    heading = f"{escape(label)} <small>{escape(terms.compact(term.value))}</small>" if label else escape(term.value)
    referring = sorted(ontology.referring(term), key=lambda sp: (sp[1].value, str(sp[0])))
    used = ", ".join(
        f"{terms.link(s) if isinstance(s, ox.NamedNode) else _value(ontology, terms, s)} "
        f"<small>({escape(terms.compact(p.value))})</small>"
        for s, p in referring
    )
    return (
        f'<section class="term" id="{escape(_local(term))}"><h3>{heading}</h3>'
        f"<p><code>{escape(term.value)}</code></p>{comment}"
        f"{_statements(ontology, terms, term, SHOWN_FIRST)}"
        f"{f'<p>Referred to by: {used}</p>' if used else ''}</section>"
    )


def _groups(ontology: Ontology) -> list[tuple[str, list[ox.NamedNode]]]:
    grouped: dict[str, list[ox.NamedNode]] = {name: [] for name, _ in [*GROUPS, (OTHERS, ())]}
    for term in ontology.terms():
        types = {o for p, o in ontology.about(term) if p == RDF.type}
        name = next((name for name, kinds in GROUPS if types.intersection(kinds)), OTHERS)
        grouped[name].append(term)
    return [(name, members) for name, members in grouped.items() if members]


def _html(ontology: Ontology, root_path: str) -> str:
    labels = {
        s: [o for p, o in ontology.about(s) if p == RDFS.label and isinstance(o, ox.Literal)] for s in ontology.terms()
    }
    terms = project_terms(labels, root_path)
    header = [o for p, o in ontology.about(ontology.iri) if p == DCTERMS.title and isinstance(o, ox.Literal)]
    title = header[0].value if header else "cnrs-kg ontology"
    groups = _groups(ontology)
    contents = "".join(
        f"<li>{escape(name)}: "
        + ", ".join(f'<a href="#{escape(_local(t))}">{escape(terms.compact(t.value))}</a>' for t in members)
        + "</li>"
        for name, members in groups
    )
    sections = "".join(
        f'<section id="{escape(name.lower().replace(" ", "-"))}"><h2>{escape(name)}</h2>'
        + "".join(_term_html(ontology, terms, t) for t in members)
        + "</section>"
        for name, members in groups
    )
    prefixes = [
        o for p, o in ontology.about(ontology.iri) if p == VANN.preferredNamespacePrefix and isinstance(o, ox.Literal)
    ]
    prefix = escape(prefixes[0].value) if prefixes else "kg"
    alternates = " · ".join(f'<a href="?format={f.name}">{escape(f.media_type)}</a>' for f in GRAPH_TYPES)
    body = f"""<h1>{escape(title)}</h1>
<p><code>{escape(ontology.iri.value)}</code> · preferred prefix <code>{prefix}:</code>
<code>{escape(KG.base)}</code></p>
<p>As RDF: {alternates}</p>
<section id="header">{_statements(ontology, terms, ontology.iri, ())}</section>
<section id="toc"><h2>Terms</h2><ul>{contents}</ul></section>
{sections}"""
    return page(title, body, root=root_path, alternates=[("text/turtle", "?format=turtle")])


@lru_cache(maxsize=64)
def _rendered(fmt: Format, root_path: str) -> bytes:
    ontology = _ontology()
    if fmt.rdf == ox.RdfFormat.TURTLE:
        return ontology.turtle
    if fmt.rdf is None:
        return _html(ontology, root_path).encode("utf-8")
    return graph_body(ontology.triples, fmt, PREFIXES, first=ontology.iri)


def routes() -> list[Route]:
    """``/ontology`` and ``/ontology/{version}`` (the version IRI of the ontology served)."""

    async def ontology_page(request: Request) -> Response:
        fmt = requested(request, OFFERS, "the ontology")
        version = request.path_params.get("version")
        ontology = _ontology()
        if version is not None and ontology.version != f"{ontology.iri.value}/{version}":
            current = f": this server serves <{ontology.version}>" if ontology.version else ""
            raise NotFound(f"no version {version!r} of the ontology here{current}")
        media_type = fmt.media_type + ("; charset=utf-8" if fmt.rdf is None else "")
        return Response(_rendered(fmt, root(request)), media_type=media_type, headers={"Vary": "Accept"})

    return [
        Route("/ontology", ontology_page, methods=["GET"], name="ontology"),
        Route("/ontology/{version}", ontology_page, methods=["GET"], name="ontology_version"),
    ]
