"""The one way terms enter SPARQL text: the prologue, and query templates filled with pyoxigraph terms.

Every query of this code base is a constant (a module-level string, or a fragment its module
composes by name, never text from a caller), written with ``__NAME__`` slots where values go.
``bind`` fills the slots and accepts only what writes itself safely:

- a ``NamedNode`` or ``Literal`` (constructing one validates it; pyoxigraph escapes its text), for
  ``GRAPH __G__`` or one value;
- a sequence of them, space-separated, for ``VALUES ?x { __X__ }``: an empty sequence selects
  nothing, and ``None`` among them is ``UNDEF`` (``ANY``: the variable is left free);
- a sequence of tuples of them, one ``( ... )`` row each, for ``VALUES (?x ?y) { __XY__ }``;
- ``Listed`` terms, comma-separated, for ``FILTER(?p IN (__P__))``;
- a sequence of ``Triple`` s, as N-Triples statements, for ``INSERT DATA { GRAPH __G__ { __DATA__ } }``;
- an ``int`` (``LIMIT``, ``OFFSET``), never a ``bool``.

A template may also hold fragment slots (``__ENDS__``, ``__FILTERS__``...): the module owning the
fragments fills them by name, with its own constants, before ``bind`` (``graph.links.links_query``,
``graph.entities.queries.page``). A single value bound to a projected variable may also go through
pyoxigraph's ``substitutions=``.

``PROLOGUE`` declares the prefixes of ``ontology.PREFIXES``: a query that uses prefixed names
starts with it (a sub-select that another query nests, as ``graph.explore`` batches them, does not:
the query around it does). ``DROP_GRAPH``, ``INSERT_DATA`` and the like are the update operations
the store's writes are made of. ``values`` writes a whole ``VALUES`` block, ``union`` asks several
sub-selects as one query, and ``Facts`` reads back facts grouped with ``GROUP_CONCAT``.

>>> bind("SELECT * WHERE { VALUES ?e { __E__ } } LIMIT __N__", E=[ox.NamedNode("urn:a"), ox.Literal('x"y')], N=3)
'SELECT * WHERE { VALUES ?e { <urn:a> "x\\\\"y" } } LIMIT 3'
>>> bind("DROP SILENT GRAPH __G__", G=ox.NamedNode("urn:g"))
'DROP SILENT GRAPH <urn:g>'
>>> bind("VALUES (?p ?v) { __PV__ }", PV=[(ox.NamedNode("urn:p"), None)])
'VALUES (?p ?v) { (<urn:p> UNDEF) }'
>>> bind("VALUES ?x { __X__ }", X=["<urn:a> } DROP ALL #"])
Traceback (most recent call last):
...
TypeError: __X__: '<urn:a> } DROP ALL #' is not a NamedNode or Literal
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from ontology import PREFIXES

__all__ = [
    "ANY",
    "CLEAR_GRAPH",
    "CREATE_GRAPH",
    "DELETE_DATA",
    "DROP_GRAPH",
    "INSERT_DATA",
    "PROLOGUE",
    "Facts",
    "Listed",
    "Slot",
    "Term",
    "bind",
    "named_nodes",
    "union",
    "values",
]

Term = ox.NamedNode | ox.Literal
Row = tuple[Term | None, ...]


@dataclass(frozen=True)
class Listed:
    """Terms written as an argument list, comma-separated, for ``IN (__P__)`` (none: ``IN ()``, false).

    >>> bind("FILTER(?p IN (__P__))", P=Listed([ox.NamedNode("urn:a"), ox.NamedNode("urn:b")]))
    'FILTER(?p IN (<urn:a>, <urn:b>))'
    """

    terms: Sequence[Term]


Slot = Term | Sequence[Term | None] | Sequence[Row] | Sequence[ox.Triple] | Sequence[ox.Variable] | int | Listed

PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())
ANY: tuple[None] = (None,)  # ``VALUES ?x { UNDEF }``: one solution leaving ?x free

# The operations the store's writes are made of, on one graph (``__DATA__``: triples).
DROP_GRAPH = "DROP SILENT GRAPH __GRAPH__"
CREATE_GRAPH = "CREATE SILENT GRAPH __GRAPH__"
CLEAR_GRAPH = "CLEAR SILENT GRAPH __GRAPH__"
INSERT_DATA = "INSERT DATA { GRAPH __GRAPH__ { __DATA__ } }"
DELETE_DATA = "DELETE DATA { GRAPH __GRAPH__ { __DATA__ } }"
# Every statement about the subjects in one graph (a patch of a derived graph, ``graph.store``).
DELETE_SUBJECTS = """DELETE { GRAPH __GRAPH__ { ?s ?p ?o } } WHERE {
  VALUES ?s { __SUBJECTS__ } GRAPH __GRAPH__ { ?s ?p ?o }
}"""

_SLOT = re.compile(r"__([A-Z][A-Z0-9_]*)__")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def bind(template: str, **slots: Slot) -> str:
    """``template`` with each ``__NAME__`` slot written from its value (see the module docstring).

    A slot without a value, or a value of another type, raises before any text is made.
    """

    def write(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in slots:
            raise KeyError(f"no value for __{name}__")
        return _text(name, slots[name])

    return _SLOT.sub(write, template)


def values(variable: str, terms: Iterable[Term | None]) -> str:
    """A ``VALUES`` block of one variable (no ``?``): no solution for no terms, ``UNDEF`` for ``None``.

    >>> values("f", [ox.NamedNode("https://w3id.org/cnrs-kg/id/country/SG")])
    'VALUES ?f { <https://w3id.org/cnrs-kg/id/country/SG> }'
    >>> values("f", [])
    'VALUES ?f {  }'
    """
    if not _VARIABLE.fullmatch(variable):
        raise ValueError(f"{variable!r} is not a SPARQL variable name")
    return f"VALUES ?{variable} {{ {_text(variable, list(terms))} }}"


def union(selects: Sequence[str]) -> str:
    """One SELECT asking the ``selects`` (sub-selects, already bound), each row tagged with ``?part``,
    the index of its sub-select (a sub-select's variables are its own, so they do not mix).

    >>> print(union(["SELECT ?a {}", "SELECT ?b {}"]))
    SELECT * WHERE {
    { { SELECT ?a {} } BIND(0 AS ?part) }
    UNION
    { { SELECT ?b {} } BIND(1 AS ?part) }
    }
    """
    branches = "\nUNION\n".join(f"{{ {{ {select} }} BIND({index} AS ?part) }}" for index, select in enumerate(selects))
    return f"SELECT * WHERE {{\n{branches}\n}}"


def named_nodes(iris: Iterable[str]) -> list[ox.NamedNode]:
    """The distinct IRIs of ``iris`` as terms, in order (constructing one validates the IRI)."""
    return [ox.NamedNode(iri) for iri in dict.fromkeys(iris)]


def _text(name: str, value: object) -> str:
    if isinstance(value, ox.NamedNode | ox.Literal):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Listed):
        return ", ".join(_term(name, term) for term in value.terms)
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return " ".join(_item(name, item) for item in value)
    raise TypeError(f"__{name}__: terms, rows of terms, triples or an int, not {type(value).__name__}")


def _item(name: str, item: object) -> str:
    if isinstance(item, tuple):
        return "(" + " ".join(_term(name, term) for term in item) + ")"
    if isinstance(item, ox.Triple):
        return f"{item.subject} {item.predicate} {item.object} ."
    return _term(name, item)


def _term(name: str, term: object) -> str:
    if term is None:
        return "UNDEF"
    if not isinstance(term, ox.NamedNode | ox.Literal | ox.Variable):  # a Variable's name is checked by pyoxigraph
        raise TypeError(f"__{name}__: {term!r} is not a NamedNode or Literal")
    return str(term)


@dataclass
class Facts:
    """Facts read back from ``GROUP_CONCAT`` over tagged strings (``"start 2014"``,
    ``"graph https://..."``), grouped by tag: a query reads a pair's facts as one row, however many
    sources state them, without the cross products of optional values.

    >>> facts = Facts.parse("start 2014-01-01\\ngraph https://w3id.org/cnrs-kg/graph/ror/v2", "start 2012")
    >>> facts.get("graph"), facts.years("start")
    (['https://w3id.org/cnrs-kg/graph/ror/v2'], [2012, 2014])
    """

    by_tag: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, *texts: str) -> Facts:
        facts = cls()
        for text in texts:
            for line in text.split("\n"):
                tag, _, value = line.partition(" ")
                if value:
                    facts.by_tag.setdefault(tag, []).append(value)
        return facts

    def get(self, tag: str) -> list[str]:
        return sorted(set(self.by_tag.get(tag, [])))

    def years(self, tag: str) -> list[int]:
        return sorted({int(v[:4]) for v in self.by_tag.get(tag, []) if v[:4].isdigit()})
