"""Which named graphs a SPARQL update may write, read from its text without running it.

Oxigraph reports nothing of what an update changed, and the store must know it to record the
graphs' change generations and to count them again. A named graph is written only where the
grammar names it: after ``GRAPH`` in a template or data block (``INSERT DATA { GRAPH <g> ...``),
after ``WITH``, and as the operand of ``CLEAR``/``DROP``/``CREATE GRAPH``, ``LOAD ... INTO
GRAPH``, ``ADD``/``MOVE``/``COPY ... TO``. A small lexer (strings, IRIs, comments and prefixed
names as the grammar spells them) finds those IRIs, resolves them against ``PREFIX`` and ``BASE``
declarations, and says ``every`` when the update writes graphs it cannot name: ``GRAPH ?g`` in a
template, ``CLEAR ALL``, ``DROP NAMED``. The answer may hold more than the update writes (a
pattern after ``GRAPH`` in the ``WHERE`` of ``DELETE WHERE``), never less.

>>> scope = written_graphs("PREFIX g: <http://g/> INSERT DATA { GRAPH g:a { <s> <p> 'GRAPH <x>' } }")
>>> sorted(scope.graphs), scope.every
(['http://g/a'], False)
>>> written_graphs("INSERT { GRAPH <http://o> { ?s ?p ?o } } WHERE { GRAPH <http://i> { ?s ?p ?o } }").graphs
frozenset({'http://o'})
>>> written_graphs("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }").every, written_graphs("DROP SILENT ALL").every
(True, True)
>>> sorted(written_graphs("MOVE <a> TO GRAPH <b>", "http://x/").graphs)
['http://x/a', 'http://x/b']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
    | (?P<string>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
        | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
        | "(?:[^"\\\n\r]|\\.)*"
        | '(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
    | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7-\uFFFF]*)?:(?:[\w\-:%.\u00B7-\uFFFF]|\\[^\s])*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<open>\{) | (?P<close>\}) | (?P<semicolon>;)
    """,
    re.VERBOSE,
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NAMES_GRAPH_NEXT = frozenset({"GRAPH", "WITH", "TO", "ADD", "MOVE", "COPY"})
_MOVES = (["ADD"], ["MOVE"], ["COPY"])  # ADD SILENT <g> TO ...
_OPERATIONS = frozenset({"INSERT", "DELETE", "WITH", "CLEAR", "DROP", "CREATE", "LOAD", "ADD", "MOVE", "COPY"})


@dataclass(frozen=True)
class Scope:
    """The named graphs (IRIs) an update may write; ``every``: it may write any named graph."""

    graphs: frozenset[str]
    every: bool


@dataclass
class _Lexer:
    bases: list[str]
    prefixes: dict[str, list[str]]

    def iris(self, token: str, kind: str) -> list[str]:
        """The IRIs an IRI or prefixed-name token may stand for (several if a prefix was redefined)."""
        if kind == "iri":
            value = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token[1:-1])
            if _SCHEME.match(value):
                return [value]
            return [urljoin(base, value) for base in self.bases]
        prefix, _, local = token.partition(":")
        local = re.sub(r"\\(.)", r"\1", local)
        locals_ = {local, local.rstrip(".")}  # a final '.' ends the triple, not the name
        return [ns + name for ns in self.prefixes.get(prefix, []) for name in locals_]


def written_graphs(update: str, base_iri: str | None = None) -> Scope:
    """The named graphs ``update`` may write (see the module docstring)."""
    lexer = _Lexer([base_iri] if base_iri else [], {})
    graphs: set[str] = set()
    every = False
    depth = 0
    reading = False  # inside the WHERE of a DELETE/INSERT: patterns there are read, not written
    words: list[str] = []  # the last keywords, outside strings and IRIs
    for match in _TOKEN.finditer(update):
        kind = match.lastgroup
        token = match.group()
        if kind in ("comment", "string"):
            continue
        previous = words[-1] if words else ""
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "semicolon" and depth == 0:
            reading = False
        elif kind == "word":
            word = token.upper()
            if depth == 0 and word == "WHERE":
                reading = previous != "DELETE"  # DELETE WHERE { } deletes what its pattern matches
            elif depth == 0 and word in _OPERATIONS:
                reading = False
            if word in ("ALL", "NAMED") and (previous in ("CLEAR", "DROP") or words[-2:-1] in (["CLEAR"], ["DROP"])):
                every = True
            words.append(word)
            continue
        elif kind == "var" and previous == "GRAPH" and not reading:
            every = True
        elif kind in ("iri", "pname"):
            if previous == "PREFIX" and kind == "pname":
                words.append("PREFIX:" + token[:-1])
                continue
            if previous.startswith("PREFIX:") and kind == "iri":
                lexer.prefixes.setdefault(previous.removeprefix("PREFIX:"), []).extend(lexer.iris(token, kind))
            elif previous == "BASE" and kind == "iri":
                lexer.bases.extend(lexer.iris(token, kind))
            elif not reading and (previous in _NAMES_GRAPH_NEXT or (previous == "SILENT" and words[-2:-1] in _MOVES)):
                graphs.update(lexer.iris(token, kind))
        words.append("")
    return Scope(frozenset(graphs), every)
