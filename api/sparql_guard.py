"""Checks made on a SPARQL query or update before any engine sees it: nesting depth, SERVICE, LOAD.

Why: Oxigraph parses and evaluates recursively, so a request nested some thousands of levels deep
overflows the stack of the process running it (a query worker; for an update, the server itself);
and Oxigraph runs every ``SERVICE`` and ``LOAD`` it is given, so an anonymous query could make the
server call any address it can reach.

``scan()`` lexes the text once, in linear time, skipping strings, IRIs and comments as Oxigraph's
parser does: it measures the nesting depth (``(``, ``[``, ``{``, ``<<`` and runs of ``!``) and
finds the ``SERVICE`` and ``LOAD`` keywords. ``check()`` decides:

- deeper than ``MAX_DEPTH``: refused, naming the depth, the limit and where;
- anything that may hide a keyword (below): refused, saying how to write it plainly;
- no ``SERVICE`` (nor, in an update, ``LOAD``): accepted;
- such a keyword and no endpoint allowed (the default): refused;
- otherwise the text (at most ``MAX_CHECKED`` characters) is parsed with rdflib's SPARQL parser,
  which must find every keyword the lexer found, and every ``SERVICE`` or ``LOAD`` target,
  resolved against the prefixes and the base, must be an IRI that the ``ServiceAllowlist``
  allows (a variable endpoint never). What rdflib cannot parse is refused.

What may hide a keyword, because Oxigraph's parser (a PEG) decides it by grammar, not by words:
a keyword joined to what precedes or follows it (``SERVICESILENT<u>``, ``1SERVICE``,
``true.SERVICE:x``, ``SERVICEp:x`` all reach the network: "suspects"), and a ``<`` inside
parentheses after a term, "less than" in an expression but an IRI in a list (``(?x <a#b>)``),
when the text up to ``>`` would read differently as code ("doubts"). rdflib cannot settle them:
it reads some of them otherwise than Oxigraph. Valid queries rarely contain either.

Errors: ``Refused`` (a ValueError; the endpoint's 400) and its ``Busy`` (503: the parser is taken
by other requests). Each message is one line: what, where (line and column), what to do.

What Oxigraph (pyoxigraph 0.5.13) does with an allowed ``SERVICE``, as the tests measure: an HTTP
POST of the inner pattern (headed by ``BASE <this endpoint>``); no redirect followed (a 302 is an
error of the query, its ``Location`` is not contacted); no timeout, neither to connect nor to
read, and Python cannot set one. So a service call has no time budget of its own: what bounds it
is the budget of the whole query, whose worker is killed at its end (``api.workers``), whatever it
waits for. A server run with ``--workers 0``, or on an in-memory store, has no budget: a silent
endpoint holds a thread until it answers. ``LOAD`` runs with its update in the server process,
under no budget at all: allow it only from sources trusted to answer.

>>> check("SELECT * WHERE { ?s ?p 'SERVICE <http://x/>' }", update=False, allowed=ServiceAllowlist())
>>> try:
...     check("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", update=False, allowed=ServiceAllowlist())
... except Refused as refused:
...     print(str(refused).split(";")[0])
SERVICE at line 1, column 18: this server calls no other endpoint
>>> scan("SELECT * { " + "{" * 150 + " } " + "}" * 150).depth
151
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

__all__ = ["MAX_CHECKED", "MAX_DEPTH", "Busy", "Refused", "Scan", "ServiceAllowlist", "check", "scan"]

# Every query of examples/, graph/, api/, bench/ and of the W3C SPARQL 1.1 test suites nests 10 levels
# or less; Oxigraph overflows an 8 MB stack past a few thousand, and parses RDF lists of a few
# hundred levels for seconds.
MAX_DEPTH = 64
# rdflib's parser is slow (a second for 8 KB of a long expression, measured) and takes a lock: a
# longer request with an allowed SERVICE is not checked; one waits this long at most for the parser.
MAX_CHECKED = 16_000
MAX_WAIT = 3.0


class Refused(ValueError):
    """The request must not run (a 400); the message is one line: what, where, what to do."""

    status = 400


class Busy(Refused):
    """The parser that checks SERVICE targets is busy with other requests: retry (a 503)."""

    status = 503


# One token at a time, except "filler": the runs of words, variables, numbers, punctuation and
# white space between the tokens that matter, each read in one step (a backslash escapes the next
# character, as in a prefixed name's local part: ex:a\'b).
_TOKEN = re.compile(
    r"""(?P<filler>(?:[^'"\#<>()\[\]{}!\\]++|\\[^\r\n]|\\|!=)++)
      | (?P<comment>\#[^\r\n]*)
      | (?P<quote>['"])
      | (?P<lt><)
      | (?P<gt>>)
      | (?P<brackets>[()\[\]{}]+)
      | (?P<bangs>!+(?!=)|!)""",
    re.VERBOSE,
)
_ESCAPE = r"""\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"""
_STRINGS = {
    "'''": re.compile(rf"'''(?:[^'\\]++|{_ESCAPE}|'{{1,2}}+(?!'))*+'''"),
    '"""': re.compile(rf'"""(?:[^"\\]++|{_ESCAPE}|"{{1,2}}+(?!"))*+"""'),
    "'": re.compile(rf"'(?:[^'\\\n\r]++|{_ESCAPE})*+'"),
    '"': re.compile(rf'"(?:[^"\\\n\r]++|{_ESCAPE})*+"'),
}
# Oxigraph accepts no IRI with other characters (checked character by character).
_IRI = re.compile(r"<((?:[^<>\"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+)>")
# Characters that, read as code rather than as an IRI, could open a bracket, a comment or a string.
_CODE_LIKE = re.compile(r"[#'()\[\]!]")
_NAME = r"(?:[\w\-.:%\u00B7\u0300-\u036F\u203F\u2040]++|\\[^\r\n])++"
# A variable or a language tag ends where Oxigraph ends it: ?o.SERVICE is ?o, '.' and SERVICE.
_VARIABLE = r"[?$][\w\u00B7\u0300-\u036F\u203F\u2040]++|@[A-Za-z0-9\-]++"
_WORD = re.compile(rf"{_VARIABLE}|{_NAME}")
_LAST_WORD = re.compile(rf"(?:{_VARIABLE}|{_NAME})\Z")
_HIT = re.compile("service|load", re.IGNORECASE)
# A keyword may be glued after a number or a boolean (1SERVICE) or to what follows it.
_GLUED = re.compile(r"(?:true|false|[0-9.e+\-])*(service|load)")
# Punctuation that ends no operand, so that a '<' after it is not "less than".
_OPERATORS = frozenset(",;=+-*/|^&~.?")
# Words after which "<" cannot be "less than": keywords, never operands.
_KEYWORDS = frozenset(
    {
        "a", "all", "add", "as", "asc", "ask", "base", "bind", "by", "clear", "construct", "copy",
        "create", "data", "default", "delete", "desc", "describe", "distinct", "drop", "exists",
        "filter", "from", "graph", "group", "having", "in", "insert", "into", "lateral", "limit",
        "load", "minus", "move", "named", "not", "offset", "optional", "order", "prefix", "reduced",
        "select", "separator", "service", "silent", "to", "undef", "union", "using", "values",
        "where", "with",
    }
)  # fmt: skip


@dataclass
class Scan:
    """What the lexer found. Positions are offsets into the text."""

    depth: int = 0  # the deepest nesting
    too_deep_at: int | None = None  # where the nesting first went past the limit
    keywords: list[tuple[int, str]] = field(default_factory=list)  # SERVICE and LOAD keywords
    suspects: list[tuple[int, str]] = field(default_factory=list)  # words that may hide one
    doubts: list[int] = field(default_factory=list)  # '<' that may be "less than" or an IRI
    complete: bool = True  # False: stopped at a malformed string (the parser refuses the text)


def scan(text: str, limit: int = MAX_DEPTH) -> Scan:
    """Lex ``text`` once: its nesting depth and its SERVICE and LOAD keywords.

    >>> found = scan("SELECT * { ?s ?p '''{{{SERVICE''' . FILTER(((?o))) } # SERVICE {{{")
    >>> found.depth, found.keywords
    (4, [])
    >>> scan("SELECT * { SERVICESILENT<http://x/> { } }").suspects
    [(11, 'SERVICE')]
    >>> scan("ASK { VALUES (?a ?b) { (<http://x/#a> <http://x/#b>) } }").doubts
    [38]
    """
    lexer = _Lexer(text, limit)
    lexer.run()
    return lexer.found


class _Lexer:
    """The state of one scan: the open brackets, and what the last token was."""

    def __init__(self, text: str, limit: int) -> None:
        self.text, self.limit, self.found = text, limit, Scan()
        self.frames: list[str] = []  # open brackets: ( [ { and '<' for '<<', 'T' for the '(' of '<<('
        self.operand: bool | None = False  # whether the last token may end an operand, so that a '<'
        # after it may be "less than"; None: to be decided from the last filler, the last token
        self.filled = (0, 0)
        self.bangs = 0  # consecutive '!', each nesting one more unary expression
        self.after_ltlt = False  # the last token was '<<': a '(' right after it opens a triple term

    def run(self) -> None:
        text, pos, end = self.text, 0, len(self.text)
        while pos < end:
            match = _TOKEN.match(text, pos)
            assert match is not None  # every character starts one of the alternatives
            kind, following = match.lastgroup, match.end()
            if kind == "comment":
                pos = following
                continue
            after_ltlt, self.after_ltlt = self.after_ltlt, False
            if kind == "filler":
                self.filler(pos, following)
            elif kind == "bangs":
                self.bangs += following - pos
                self.operand = False
                self.measure(pos)
            else:
                self.bangs = 0
                if kind == "quote":
                    string = _string(text, pos, text[pos])
                    if string is None:
                        self.found.complete = False
                        return
                    following, self.operand = string, True
                elif kind == "lt":
                    following = self.less_than(pos)
                elif kind == "gt":
                    following = self.greater_than(pos)
                else:
                    self.brackets(pos, following, after_ltlt)
            pos = following

    def measure(self, pos: int) -> None:
        depth = len(self.frames) + self.bangs
        if depth > self.found.depth:
            self.found.depth = depth
            if depth > self.limit and self.found.too_deep_at is None:
                self.found.too_deep_at = pos

    def filler(self, start: int, end: int) -> None:
        chunk = self.text[start:end]
        body = chunk.rstrip(" \t\r\n")
        if not body:
            return  # white space changes nothing, not even a run of '!'
        self.bangs = 0
        self.operand, self.filled = None, (start, start + len(body))  # decided when needed
        if _HIT.search(chunk):
            for word in _WORD.finditer(chunk):
                _note(word.group(), start + word.start(), self.found)

    def brackets(self, start: int, end: int, after_ltlt: bool) -> None:
        frames = self.frames
        for offset, char in enumerate(self.text[start:end]):
            if char in "([{":
                frames.append("T" if char == "(" and offset == 0 and after_ltlt else char)
                self.measure(start + offset)
            elif frames:
                frames.pop()
        self.operand = self.text[end - 1] in ")]}"

    def less_than(self, pos: int) -> int:
        """Read the '<' at ``pos`` as an IRI, '<<' or "less than"; the next position.

        "Less than" needs an operand before it, inside parentheses: anywhere else an IRI-looking
        text is an IRI. Inside parentheses after an operand it may be either (an expression or a
        list): harmless when the text would read the same as code, a doubt when it would not.
        """
        text, frames = self.text, self.frames
        maybe_less = bool(frames) and frames[-1] == "(" and self.ends_operand()
        iri = _IRI.match(text, pos)
        if iri is not None:
            if maybe_less and _CODE_LIKE.search(iri.group(1)):
                self.found.doubts.append(pos)
            self.operand = True
            return iri.end()
        self.operand = False
        if maybe_less or not text.startswith("<<", pos):
            return pos + 1
        frames.append("<")
        self.measure(pos)
        self.after_ltlt = True
        return pos + 2

    def ends_operand(self) -> bool:
        if self.operand is None:
            self.operand = _ends_operand(self.text[slice(*self.filled)])
        return self.operand

    def greater_than(self, pos: int) -> int:
        if self.frames and self.frames[-1] == "<" and self.text.startswith(">>", pos):
            self.frames.pop()
            self.operand = True
            return pos + 2
        self.operand = False
        return pos + 1


def _string(text: str, pos: int, quote: str) -> int | None:
    """The end of the string at ``pos``; None if there is none (the text is not SPARQL).

    As Oxigraph's parser, a long string is tried first, then a short one: an unterminated long
    string is an empty string followed by a short one (the three quotes of '''a read '' and 'a).
    """
    long = quote * 3
    string = _STRINGS[long].match(text, pos) if text.startswith(long, pos) else None
    string = string or _STRINGS[quote].match(text, pos)
    return None if string is None else string.end()


def _ends_operand(body: str) -> bool:
    """Whether the filler ``body`` (no trailing space) may end with an operand.

    Only its last 64 characters are read: a longer word is no keyword.
    """
    if body[-1] in _OPERATORS and body[-2:-1] != "\\":
        return False
    word = _LAST_WORD.search(body[-64:])
    if word is None:
        return False
    lower = word.group().lower()
    return lower[0] in "?$@" or lower not in _KEYWORDS


def _note(word: str, pos: int, found: Scan) -> None:
    """Note a SERVICE or LOAD keyword, or a word that may hide one (not a variable nor a language)."""
    lower = word.lower()
    if lower[0] in "?$@":
        return
    if lower in ("service", "load"):
        found.keywords.append((pos, lower.upper()))
    elif glued := _GLUED.match(lower):
        found.suspects.append((pos, glued.group(1).upper()))


@dataclass(frozen=True)
class _Prefix:
    url: str  # as given
    scheme: str
    host: str
    port: int
    path: str


def _origin(url: str) -> tuple[str, str, int, str] | None:
    """(scheme, host, port, path) of an http(s) URL with a host and no user; None otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username is not None:
        return None
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname.lower(), port or default, parts.path


@dataclass(frozen=True)
class ServiceAllowlist:
    """The endpoints a SERVICE (or a LOAD) may call: none by default.

    An entry is a URL prefix: same scheme, host and port (the scheme's by default), and a path
    equal to the entry's or under it, segment by segment.

    >>> allowed = ServiceAllowlist.of(["http://a.example/sparql"])
    >>> [allowed.allows(u) for u in ("http://a.example/sparql", "http://a.example:80/sparql/x?q=1")]
    [True, True]
    >>> [allowed.allows(u) for u in ("http://a.example.evil.com/sparql", "http://a.example/sparql2",
    ...     "https://a.example/sparql", "http://a.example:8080/sparql", "http://a.example/sparql/../x")]
    [False, False, False, False, False]
    """

    prefixes: tuple[_Prefix, ...] = ()

    @classmethod
    def of(cls, urls: Iterable[str]) -> ServiceAllowlist:
        """The allowlist of these URL prefixes; ValueError names an entry that is not one."""
        prefixes = []
        for url in urls:
            origin = _origin(url)
            if origin is None or "?" in url or "#" in url or _dot_segments(origin[3]):
                raise ValueError(f"{url!r} is not an http(s) URL prefix such as https://example.org/sparql")
            prefixes.append(_Prefix(url, *origin))
        return cls(tuple(prefixes))

    def __bool__(self) -> bool:
        return bool(self.prefixes)

    def allows(self, iri: str) -> bool:
        """Whether a service at ``iri`` may be called (dot segments and backslashes never)."""
        origin = _origin(iri)
        if origin is None or "\\" in iri:
            return False
        scheme, host, port, path = origin
        if _dot_segments(path):  # the endpoint may resolve them, out of the allowed path
            return False
        return any((p.scheme, p.host, p.port) == (scheme, host, port) and _under(path, p.path) for p in self.prefixes)

    def describe(self) -> str:
        return ", ".join(p.url for p in self.prefixes)


def _dot_segments(path: str) -> bool:
    return any(segment in (".", "..") for segment in unquote(path).split("/"))


def _under(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/") or not prefix


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"line {line}, column {pos - text.rfind(chr(10), 0, pos)}"


HOW_TO_ALLOW = "its operator can allow an endpoint with 'cnrs-kg serve --allow-service URL_PREFIX'"


def check(
    text: str, *, update: bool, allowed: ServiceAllowlist, base_iri: str | None = None, limit: int = MAX_DEPTH
) -> None:
    """Refuse (``Refused``) a query or update too deep, or calling a service that is not allowed."""
    what = "update" if update else "query"
    found = scan(text, limit)
    if found.too_deep_at is not None:
        raise Refused(
            f"the {what} nests {found.depth} levels deep ({_where(text, found.too_deep_at)}), over the "
            f"limit of {limit}: flatten its groups, sub-queries, lists or parentheses"
        )
    # LOAD is a keyword of updates only: in a query the word is an error for the parser to report.
    keywords = [(p, k) for p, k in found.keywords if update or k == "SERVICE"]
    _refuse_unreadable(text, [(p, k) for p, k in found.suspects if update or k == "SERVICE"], found.doubts)
    if not keywords:
        return
    if not allowed:
        pos, keyword = keywords[0]
        raise Refused(f"{keyword} at {_where(text, pos)}: this server calls no other endpoint; {HOW_TO_ALLOW}")
    _check_targets(text, update, base_iri, allowed, keywords)


def _refuse_unreadable(text: str, suspects: list[tuple[int, str]], doubts: list[int]) -> None:
    """Refuse what may hide a keyword: it cannot be settled by rdflib, whose parser reads some of
    these texts otherwise than Oxigraph's (``true.SERVICE:x {}`` is a prefixed name to rdflib)."""
    if suspects:
        pos, keyword = suspects[0]
        word = _WORD.match(text, pos)
        assert word is not None  # the lexer found a word there
        raise Refused(
            f"{word.group()!r} at {_where(text, pos)} may be read as {keyword} joined to other words: "
            f"write {keyword} apart, and name no prefix starting with {keyword.lower()}"
        )
    if doubts:
        raise Refused(
            f"the '<' at {_where(text, doubts[0])}, after a term inside parentheses, may be less than or "
            "start an IRI: write '< ' with a space for less than, or a prefixed name for the IRI"
        )


def _check_targets(
    text: str, update: bool, base_iri: str | None, allowed: ServiceAllowlist, keywords: list[tuple[int, str]]
) -> None:
    """Refuse a SERVICE or LOAD target that ``allowed`` does not allow, as rdflib reads them."""
    unchecked = f"the {keywords[0][1]} at {_where(text, keywords[0][0])} could not be checked"
    if len(text) > MAX_CHECKED:
        raise Refused(f"{unchecked}: the request is over {MAX_CHECKED} characters long")
    try:
        targets = _targets(text, update, base_iri)
    except Busy:
        raise
    except Exception as exc:  # rdflib raises bare Exception, ParseException, RecursionError...
        raise Refused(f"{unchecked} ({_reason(exc)})") from None
    if len(targets) < len(keywords):  # rdflib read some keyword otherwise: so might Oxigraph
        raise Refused(f"{unchecked}: write it apart from other words")
    for keyword, target in targets:
        if target is None:
            raise Refused(f"{keyword} with a variable endpoint is refused: name the endpoint's IRI")
        if not allowed.allows(target):
            raise Refused(
                f"{keyword} <{target}> is not allowed: only {allowed.describe()} may be called; {HOW_TO_ALLOW}"
            )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "too long or too deep for the checking parser"
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


_RDFLIB = threading.Lock()  # pyparsing grammars are shared objects, not made for concurrent use
_PLX = re.compile(r"\\(.)")


def _targets(text: str, update: bool, base_iri: str | None) -> list[tuple[str, str | None]]:
    """(keyword, IRI or None for a variable) of each SERVICE and LOAD, as rdflib parses the text."""
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate  # slow to import: only when needed

    if not _RDFLIB.acquire(timeout=MAX_WAIT):
        raise Busy("the server is busy checking other requests that may call other endpoints: retry")
    try:
        parsed = parseUpdate(text) if update else parseQuery(text)
    finally:
        _RDFLIB.release()
    if update:
        parts = list(zip(parsed["prologue"], parsed.get("request") or [], strict=False))
    else:
        parts = [(parsed[0], parsed[1])]
    targets: list[tuple[str, str | None]] = []
    base, prefixes = base_iri, dict[str, str]()
    for prologue, body in parts:
        for declaration in prologue:
            if declaration.name == "Base":
                base = _resolve(str(declaration["iri"]), base)
            else:
                prefixes[declaration.get("prefix") or ""] = _resolve(str(declaration["iri"]), base)
        for node in _nodes(body):
            if node.name == "ServiceGraphPattern":
                targets.append(("SERVICE", _iri(node["term"], base, prefixes)))
            elif node.name == "Load":
                targets.append(("LOAD", _iri(node["iri"], base, prefixes)))
    return targets


def _nodes(tree: Any) -> Iterator[Any]:
    """Every rdflib ``CompValue`` in a parse tree, without recursion."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend(node)


def _iri(term: Any, base: str | None, prefixes: dict[str, str]) -> str | None:
    from rdflib import URIRef, Variable

    if isinstance(term, Variable):
        return None
    if isinstance(term, URIRef):
        return _resolve(str(term), base)
    prefix = term.get("prefix") or ""
    if prefix not in prefixes:
        raise ValueError(f"undeclared prefix {prefix}:")
    return prefixes[prefix] + _PLX.sub(r"\1", term.get("localname") or "")


def _resolve(iri: str, base: str | None) -> str:
    """An IRI resolved against the base, as Oxigraph does (RFC 3986); an absolute one unchanged."""
    if urlsplit(iri).scheme or base is None:
        return iri
    return urljoin(base, iri)
