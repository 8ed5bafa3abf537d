"""The protocol's ``using-graph-uri`` / ``using-named-graph-uri`` for updates.

The SPARQL 1.1 Protocol makes them equal to ``USING <g>`` / ``USING NAMED <g>`` clauses on every
modify operation (DELETE/INSERT ... WHERE) of the request. pyoxigraph's ``Store.update`` takes no
dataset, so the clauses are written into the update text, before each operation's top-level
``WHERE``, found by a small lexer that skips strings, IRIs and comments. The IRIs come in as
``NamedNode`` terms (validated, and printed escaped); an update that already names its dataset
(``WITH``, ``USING``) conflicts with the parameters: the protocol says to refuse it.

>>> add_using("INSERT { ?s a <x> } WHERE { ?s ?p ?o }", [ox.NamedNode("http://g")], [])
'INSERT { ?s a <x> } USING <http://g> WHERE { ?s ?p ?o }'
>>> add_using("CLEAR ALL ; INSERT DATA { <a> <b> 'WHERE' }", [ox.NamedNode("http://g")], [])
"CLEAR ALL ; INSERT DATA { <a> <b> 'WHERE' }"
>>> add_using("PREFIX w: <u#> DELETE { ?s w:p ?o } WHERE { ?s w:p ?o }", [], [ox.NamedNode("http://n")])
'PREFIX w: <u#> DELETE { ?s w:p ?o } USING NAMED <http://n> WHERE { ?s w:p ?o }'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pyoxigraph as ox

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset(
    {
        "INSERT", "DELETE", "DATA", "WHERE", "WITH", "USING", "NAMED",
        "CLEAR", "DROP", "CREATE", "LOAD", "ADD", "MOVE", "COPY",
    }
)  # fmt: skip


class DatasetConflict(ValueError):
    """The update names its own dataset (WITH or USING) and the request gives using-graph-uri."""


def _top_level(update: str) -> Iterator[tuple[int, str]]:
    """(position, token) of the words and ';' outside strings, IRIs, comments and braces."""
    depth, i, n = 0, 0, len(update)
    while i < n:
        c = update[i]
        if c == "#":
            end = update.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = c * 3 if update.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not update.startswith(quote, i):
                i += 2 if update[i] == "\\" else 1
            i += len(quote)
        elif c == "<" and depth == 0:
            end = update.find(">", i)
            i = n if end < 0 else end + 1
        elif c == "{":
            depth += 1
            i += 1
        elif c == "}":
            depth -= 1
            i += 1
        elif c == ";" and depth == 0:
            yield i, ";"
            i += 1
        elif depth == 0 and (match := _WORD.match(update, i)) and (i == 0 or not update[i - 1].isalnum()):
            yield i, match.group().upper()
            i = match.end()
        else:
            i += 1


def add_using(update: str, using: Sequence[ox.NamedNode], using_named: Sequence[ox.NamedNode]) -> str:
    """``update`` with USING / USING NAMED clauses on each of its modify operations."""
    if not using and not using_named:
        return update
    clause = " ".join([*(f"USING {g}" for g in using), *(f"USING NAMED {g}" for g in using_named)]) + " "
    inserts: list[int] = []
    operation: list[tuple[int, str]] = []
    for position, token in [*_top_level(update), (len(update), ";")]:
        if token != ";":
            operation.append((position, token))
            continue
        keywords = [(p, t) for p, t in operation if t in _KEYWORDS]  # prologue names (PREFIX foaf:) are not
        words = [t for _, t in keywords]
        modifies = bool(words) and words[0] in ("INSERT", "DELETE", "WITH") and "WHERE" in words
        # INSERT DATA, DELETE DATA and the DELETE WHERE { } shorthand take no USING
        data_form = len(words) > 1 and (
            words[1] == "DATA"
            or (words[:2] == ["DELETE", "WHERE"] and not update[keywords[0][0] + 6 : keywords[1][0]].strip())
        )
        if modifies and not data_form:
            if "WITH" in words or "USING" in words:
                raise DatasetConflict(
                    "the update names its dataset (WITH or USING) and the request gives "
                    "using-graph-uri or using-named-graph-uri: use one or the other"
                )
            inserts.append(next(p for p, t in reversed(operation) if t == "WHERE"))
        operation = []
    for position in reversed(inserts):
        update = update[:position] + clause + update[position:]
    return update
