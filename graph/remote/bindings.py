r"""Variables bound before evaluation, as pyoxigraph's ``substitutions=`` binds them, for an engine
that only takes query text.

A ``VALUES`` block is written at the start of each group that a ``WHERE`` (or a ``SELECT`` or
``ASK`` without one) opens, sub-selects included, so that the value binds the variable before any
``LIMIT`` or aggregate of the group, as a substitution does (a trailing ``VALUES`` clause would join
after them). The text is scanned by tokens, so that a brace in a string, an IRI or a comment is
left alone; values are written by ``graph.sparql.bind`` (escaped by pyoxigraph).

>>> bound("SELECT ?e WHERE { { SELECT ?e WHERE { ?e ?p ?o } LIMIT 5 } }", {"e": ox.NamedNode("urn:x")})
'SELECT ?e WHERE { VALUES (?e) { (<urn:x>) } { SELECT ?e WHERE { VALUES (?e) { (<urn:x>) } ?e ?p ?o } LIMIT 5 } }'
>>> bound('ASK { ?s ?p "{ where }" } # WHERE {', {"p": ox.NamedNode("urn:p")})
'ASK { VALUES (?p) { (<urn:p>) } ?s ?p "{ where }" } # WHERE {'
>>> bound("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": ox.NamedNode("urn:s")})
'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<urn:s>) } ?s ?p ?o }'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from graph.sparql import bind

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<variable>[?$][\w]+)
  | (?P<word>[A-Za-z_][\w.-]*(?::[\w.%-]*)?)
  | (?P<open>\{)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_OPENS_GROUP = {"WHERE", "SELECT", "ASK"}  # the next '{' opens the group a binding goes into


Values = Mapping[str, ox.NamedNode | ox.Literal] | Mapping[ox.Variable, ox.NamedNode | ox.Literal]


def bound(sparql: str, substitutions: Values) -> str:
    """``sparql`` with ``substitutions`` (variable or its name: value) bound at the start of each query group."""
    if not substitutions:
        return sparql
    names = [name if isinstance(name, ox.Variable) else ox.Variable(name) for name in substitutions]
    block = bind(" VALUES (__NAMES__) { __ROW__ }", NAMES=names, ROW=[tuple(substitutions.values())])
    parts: list[str] = []
    pending = False
    for token in _TOKEN.finditer(sparql):
        parts.append(token.group())
        if token.lastgroup == "word":
            pending = pending or token.group().upper() in _OPENS_GROUP
        elif token.lastgroup == "open" and pending:
            parts.append(block)
            pending = False
    return "".join(parts)
