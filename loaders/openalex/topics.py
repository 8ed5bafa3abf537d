"""A work's research fields as OpenAlex classifies them: its ``topics`` (and ``primary_topic``), each
with the subfield, field and domain above it, read into ``Field`` chains and written as a SKOS
concept scheme (``kg:OpenAlexTopics``, ``skos:broader`` from topic to subfield to field to domain)
and ``kg:researchField`` statements, one per field of every level the work reaches.

>>> raw = {"topics": [{"id": "https://openalex.org/T10102", "display_name": "Bibliometrics",
...   "subfield": {"id": "https://openalex.org/subfields/1804", "display_name": "Statistics"},
...   "field": {"id": "https://openalex.org/fields/18", "display_name": "Decision Sciences"},
...   "domain": {"id": "https://openalex.org/domains/2", "display_name": "Social Sciences"}}]}
>>> [(f.level, f.id) for f in parse_topics(raw)[0].chain()]
[('topic', 'T10102'), ('subfield', '1804'), ('field', '18'), ('domain', '2')]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyoxigraph as ox

from ontology import KG, RDF, SKOS, iris

LEVELS = ("topic", "subfield", "field", "domain")  # finest first: each level's broader is the next
_PATHS = {"topic": "", "subfield": "subfields/", "field": "fields/", "domain": "domains/"}
_LEVEL_TERMS = {"topic": "TopicLevel", "subfield": "SubfieldLevel", "field": "FieldLevelField", "domain": "DomainLevel"}


class TopicError(Exception):
    """A topic that cannot be read: ``field`` is the path to the bad value within the record."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Field:
    """One level of OpenAlex's classification, with the level above it (None for a domain)."""

    level: str
    id: str  # T10102, 1804, 18, 2
    name: str
    broader: Field | None

    def chain(self) -> Iterator[Field]:
        """This field and every field above it."""
        node: Field | None = self
        while node is not None:
            yield node
            node = node.broader

    @property
    def iri(self) -> ox.NamedNode:
        return _iri(self.level, self.id)

    @property
    def openalex(self) -> ox.NamedNode:
        """Its OpenAlex IRI (``https://openalex.org/fields/18``)."""
        return ox.NamedNode(f"https://openalex.org/{_PATHS[self.level]}{self.id}")


@cache
def _iri(level: str, ident: str) -> ox.NamedNode:
    return iris.openalex_field(level, ident)


def parse_topics(raw: dict[str, Any]) -> tuple[Field, ...]:
    """The work's topics (``topics``, then ``primary_topic`` if not among them), each a ``Field`` chain."""
    items = raw.get("topics") or []
    if not isinstance(items, list):
        raise TopicError("topics", f"expected a list, got {type(items).__name__}")
    found = {topic.id: topic for i, item in enumerate(items) if (topic := _topic(item, f"topics[{i}]"))}
    primary = raw.get("primary_topic")
    if primary is not None and (topic := _topic(primary, "primary_topic")) is not None:
        found.setdefault(topic.id, topic)
    return tuple(found.values())


# Parsed topics by their ids and names: a snapshot names the same few thousand again and again.
_PARSED: dict[tuple[object, ...], Field | None] = {}
_PARSED_LIMIT = 16_384


def _topic(raw: object, where: str) -> Field | None:
    """``_read_topic``, remembered: the same ids and names make the same chain (bounded memory)."""
    if not isinstance(raw, dict):
        return _read_topic(raw, where)
    levels = [raw, *(raw.get(level) for level in LEVELS[1:])]
    key = tuple((item.get("id"), item.get("display_name")) if isinstance(item, dict) else item for item in levels)
    try:
        if key in _PARSED:
            return _PARSED[key]
    except TypeError:  # an id or a name holds a list or an object: parsing names the field
        return _read_topic(raw, where)
    found = _read_topic(raw, where)
    if len(_PARSED) >= _PARSED_LIMIT:
        _PARSED.clear()
    _PARSED[key] = found
    return found


def _read_topic(raw: object, where: str) -> Field | None:
    if not isinstance(raw, dict):
        raise TopicError(where, f"expected an object, got {type(raw).__name__}")
    broader: Field | None = None
    for level in reversed(LEVELS):  # the domain first: each level names the one above it
        item = raw if level == "topic" else raw.get(level)
        path = where if level == "topic" else f"{where}.{level}"
        if item is None:
            if level == "topic":
                return None
            continue  # a level the record leaves out: the one below hangs from the next found
        broader = _field(level, item, path, broader)
    return broader


def _field(level: str, raw: object, where: str, broader: Field | None) -> Field:
    if not isinstance(raw, dict):
        raise TopicError(where, f"expected an object, got {type(raw).__name__}")
    ident, name = raw.get("id"), raw.get("display_name")
    if not isinstance(ident, str):
        raise TopicError(f"{where}.id", f"expected an OpenAlex {level} id, got {ident!r}")
    if not isinstance(name, str) or not name.strip():
        raise TopicError(f"{where}.display_name", f"{level} without a display_name")
    try:
        bare = iris.openalex_field(level, ident).value.rsplit("/", 1)[-1]
    except iris.InvalidIdentifier as exc:
        raise TopicError(f"{where}.id", str(exc)) from None
    return Field(level, bare, name.strip(), broader)


@cache
def _terms() -> dict[str, ox.NamedNode]:
    """Looked up once, on first use (``KG`` reads the ontology file)."""
    terms = {name: KG.term(name) for name in ("ResearchField", "researchField", "fieldLevel", "OpenAlexTopics")}
    terms.update({level: KG.term(term) for level, term in _LEVEL_TERMS.items()})
    return terms


def field_triples(field: Field) -> list[ox.Triple]:
    """One concept of the scheme: its type, label, notation, level, OpenAlex IRI, and broader field."""
    t = _terms()
    node = field.iri
    out = [
        ox.Triple(node, RDF.type, t["ResearchField"]),
        ox.Triple(node, SKOS.prefLabel, ox.Literal(field.name, language="en")),
        ox.Triple(node, SKOS.notation, ox.Literal(field.id)),
        ox.Triple(node, SKOS.inScheme, t["OpenAlexTopics"]),
        ox.Triple(node, t["fieldLevel"], t[field.level]),
        ox.Triple(node, SKOS.exactMatch, field.openalex),
    ]
    if field.broader is not None:
        out.append(ox.Triple(node, SKOS.broader, field.broader.iri))
    return out


def work_fields(work: ox.NamedNode, topics: tuple[Field, ...]) -> list[ox.Triple]:
    """``kg:researchField`` from the work to each field of every level its topics reach, once each."""
    research_field = _terms()["researchField"]
    reached = dict.fromkeys(field.iri for topic in topics for field in topic.chain())
    return [ox.Triple(work, research_field, node) for node in reached]
