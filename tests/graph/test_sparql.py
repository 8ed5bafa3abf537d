"""Every SPARQL query of the tree parses, names only declared terms, and takes terms through
``graph.sparql`` alone.

The queries are found, not listed: every module of ``graph/`` and ``api/`` is parsed (``ast``) for
module-level and class-level assignments holding SPARQL text; the constants that are whole queries
are filled (each ``__NAME__`` slot with a term, a row of terms, a triple or an integer, by
``bind``) and parsed by pyoxigraph on an empty store, and the templates put together from
fragments by name (the read model's pages and relations, the network's reader, the explorer's
parts) are parsed in every composition. Then every SPARQL string of the tree must be found in
a parsed query, so a fragment nobody composes cannot hide; the examples (``examples/*.rq``) are
parsed too. Every ``kg:`` term (and every term of the other closed vocabularies) they name must be
declared (``ontology.vocab``).
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph import links, sparql
from graph.entities import queries as entities
from graph.explore import places
from graph.explore import queries as explore
from graph.sparql import ANY, PROLOGUE, Facts, bind, named_nodes, union, values
from ontology import KG, PREFIXES, Vocabulary, vocab

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("graph", "api")
EXAMPLES = sorted((ROOT / "examples").glob("*.rq"))

# A query form or update operation, after the prologue and comments: the text is a whole query.
_WHOLE = re.compile(
    r"^(?:\s|#[^\n]*\n|(?:PREFIX|BASE)\s[^\n]*\n)*(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|DROP|CLEAR|CREATE|WITH)\b"
)
# Text that is SPARQL: a variable (not a regular expression's ``(?P<`` or ``)?``), or a keyword
# followed as only SPARQL follows it.
_SPARQLISH = re.compile(
    r"(?<![)\]\w\\])\?[A-Za-z_]\w*(?![<\w])|\bSELECT\s+(?:DISTINCT\s+)?[?*(]|\bCONSTRUCT\s*\{|\bVALUES\s*[?(]"
    r"|\bOPTIONAL\s*\{|\b(?:INSERT|DELETE) DATA\b|\b(?:DROP|CLEAR|CREATE) SILENT\b"
)
_SLOT = re.compile(r"__([A-Z][A-Z0-9_]*)__")
_PREFIXED = re.compile(r"(?<![\w-])([a-z][a-z0-9]*):([A-Za-z_][\w-]*)")
_KG_IRI = re.compile(re.escape("<" + KG.base) + r"([^>]+)>")
# Fragment slots: filled by name, with the owning module's own fragments, before ``bind``.
FRAGMENT_SLOTS = {"EDGES", "ENDS", "SPAN", "PATTERN", "FILTERS", "COUNT", "ORDER", "GROUPS"}
# Sub-selects that the code nesting them sends after ``PROLOGUE`` (``graph.explore``'s parts).
NESTED = {
    "graph.links.queries.HIERARCHY",
    "graph.links.queries.LINKS",
    "graph.explore.queries.INSTRUMENTS",
    "graph.explore.queries.COSUPERVISION",
    "graph.explore.queries.DETAILS",
}
# Files that still write terms into query text themselves, with pyoxigraph's own escaping: the Graph
# Store's update (``DROP``/``CREATE``/``INSERT DATA`` of an upload) and the ``USING`` clauses added
# to a client's update. To move onto ``graph.sparql.bind`` (``DROP_GRAPH``, ``INSERT_DATA``...).
FORMATTING_ALLOWED = {"api/graphstore.py", "api/sparql_update.py"}
ALL = links.network_graph(links.ALL_YEARS)
N1, N2 = ox.NamedNode("https://w3id.org/cnrs-kg/id/country/SG"), ox.NamedNode("https://w3id.org/cnrs-kg/id/country/VN")


# -- finding the SPARQL of the tree ------------------------------------------------------------


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            yield name, path


def _assignments(body: list[ast.stmt], owner: str) -> Iterator[tuple[str, ast.expr]]:
    for node in body:
        if isinstance(node, ast.Assign) and node.value is not None:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    yield f"{owner}{target.id}", node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            yield f"{owner}{node.target.id}", node.value
        elif isinstance(node, ast.ClassDef):
            yield from _assignments(node.body, f"{owner}{node.name}.")


@cache
def sparql_assignments() -> dict[str, list[str]]:
    """``module.NAME`` -> the SPARQL string literals its assigned value is written with."""
    found: dict[str, list[str]] = {}
    for module, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, value in _assignments(tree.body, ""):
            texts = [
                node.value
                for node in ast.walk(value)
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SPARQLISH.search(node.value)
            ]
            if texts:
                found[f"{module}.{name}"] = texts
    return found


def _value(qualified: str) -> object:
    module, _, name = qualified.rpartition(".")
    try:
        owner: object = importlib.import_module(module)
    except ModuleNotFoundError:  # a class attribute: module.Class.NAME
        module, _, cls = module.rpartition(".")
        owner = getattr(importlib.import_module(module), cls)
    return getattr(owner, name)


@cache
def constants() -> dict[str, str]:
    """The public constants that are whole queries (private ones are pieces of public ones)."""
    found = {}
    for qualified in sparql_assignments():
        value = _value(qualified)
        if not qualified.rpartition(".")[2].startswith("_") and isinstance(value, str) and _WHOLE.match(value):
            found[qualified] = value
    return found


def fill(template: str) -> str:
    """``template`` with a term, a row, a triple or an integer in each slot, as its context asks."""
    slots: dict[str, sparql.Slot] = {}
    for match in _SLOT.finditer(template):
        name, before = match.group(1), template[: match.start()]
        assert name not in FRAGMENT_SLOTS, f"__{name}__ is a fragment slot: compose the template by name first"
        row = re.search(r"VALUES\s*\(([^)]*)\)\s*\{\s*$", before)
        if re.search(r"(LIMIT|OFFSET|BIND\()\s*$", before):
            slots[name] = 1
        elif row:
            slots[name] = [tuple(ox.Literal("1") for _ in row.group(1).split())]
        elif name == "DATA" or re.search(r"GRAPH\s+__[A-Z0-9_]+__\s*\{\s*$", before):  # statements of a graph
            slots[name] = [ox.Triple(N1, KG.country, N2)]
        else:
            slots[name] = [N1]
    return bind(template, **slots)


def composed() -> dict[str, str]:
    """The templates put together by name, in every composition, bound."""
    found: dict[str, str] = {}
    for kind, (_, _, filters) in entities.PAGES.items():
        for order in entities.ORDERS:
            for count in (False, True):
                found[f"page {kind} {order} {count}"] = fill(entities.page(kind, filters, order=order, count=count))
    for name in entities.RELATIONS:
        found[f"relation {name}"] = fill(entities.relation(name))
    found["copublications all years"] = entities.copublications([N1], None)
    found["copublications by year"] = entities.copublications([N1, N2], [2014, 2015])
    for ends in links.LINK_ENDS:
        for span in links.LINK_SPANS:
            found[f"links {ends} {span}"] = PROLOGUE + links.links_query(ends, span, [N1], [N1, N2])
    education = ox.NamedNode(KG.base + "Education")
    asked: list[tuple[list[ox.NamedNode], list[ox.NamedNode]]] = [
        ([N1], []),
        ([], [education]),
        ([N1, N2], [education]),
    ]
    for places_asked, types_asked in asked:
        found[f"located {len(places_asked)} {len(types_asked)}"] = places.located_query([N1], places_asked, types_asked)
    found["hierarchy every"] = PROLOGUE + links.hierarchy_query("every")
    found["hierarchy around"] = PROLOGUE + links.hierarchy_query("around", [N1], ANY)
    parts: list[explore.Part[Any]] = [
        explore.instruments([N1]),
        explore.instruments([N1], [N2]),
        explore.hierarchy([N1]),
        explore.hierarchy([N1], [N2]),
        explore.cosupervision([N1]),
        explore.cosupervision([N1], [N2]),
        explore.details([N1, N2]),
    ]
    for index, part in enumerate(parts):
        found[f"explore part {index}"] = PROLOGUE + part.select
    found["explore batch"] = PROLOGUE + union([part.select for part in parts])
    return found


@cache
def queries() -> dict[str, str]:
    """Every query the tree can send, filled; nested sub-selects behind the prologue their callers add."""
    found = {}
    for name, text in constants().items():
        if FRAGMENT_SLOTS & set(_SLOT.findall(text)):
            continue  # composed by name: in ``composed``
        found[name] = (PROLOGUE if name in NESTED else "") + fill(text)
    found.update(composed())
    found.update({f"examples/{path.name}": path.read_text(encoding="utf-8") for path in EXAMPLES})
    return found


# -- they parse ----------------------------------------------------------------------------------


def test_the_search_finds_the_queries_of_each_wing() -> None:
    """Guards against a vacuous pass: the walk sees the constants known to be there."""
    found = set(constants())
    expected = {
        "graph.links.queries.HIERARCHY",
        "graph.links.queries.LINKS",
        "graph.entities.queries.DETAILS",
        "graph.explore.queries.INSTRUMENTS",
        "graph.counts.PREDICATES",
        "graph.stats.CLASS_COUNTS",
        "graph.sparql.INSERT_DATA",
        "api.linkeddata.STATEMENTS",
        "api.refs.LOOKUP",
        "graph.search.LABELS",
    }
    assert expected <= found, sorted(expected - found)
    assert len(queries()) >= 60
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("name", sorted(queries()))
def test_every_query_parses(name: str) -> None:
    text = queries()[name]
    form = _WHOLE.match(text)
    if form is not None and form.group(1) in ("INSERT", "DELETE", "DROP", "CLEAR", "CREATE", "WITH"):
        ox.Store().update(text)  # an empty store: the update parses and runs on nothing
    else:
        ox.Store().query(text)


def test_every_sparql_string_of_the_tree_is_in_a_parsed_query() -> None:
    """A fragment (a dict of patterns, a piece joined at import) counts only once composed and parsed."""
    texts = list(queries().values())
    missing = []
    for name, pieces in sparql_assignments().items():
        for piece in pieces:
            parts = [re.escape(p.strip()) for p in _SLOT.split(piece)[::2] if p.strip()]
            pattern = re.compile(r"[\s\S]*?".join(parts))
            if not any(pattern.search(text) for text in texts):
                missing.append(f"{name}: {piece.strip()[:60]!r}")
    assert missing == []


def test_the_prologue_comes_first_in_every_query_naming_prefixed_terms() -> None:
    for name, text in constants().items():
        if name not in NESTED and _prefixed_terms(_strip(text)):
            assert text.startswith(PROLOGUE) or text.lstrip().startswith("PREFIX"), name


# -- they name declared terms --------------------------------------------------------------------


def _strip(text: str) -> str:
    """The query without its strings, IRIs and comments, where a ``word:word`` is not a prefixed name."""
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', '""', text)
    text = re.sub(r"<[^<>\s]*>", "<>", text)
    return re.sub(r"#[^\n]*", "", text)


def _prefixed_terms(text: str) -> set[tuple[str, str]]:
    return {(prefix, name) for prefix, name in _PREFIXED.findall(text) if prefix in PREFIXES}


def named_terms() -> dict[str, set[str]]:
    """Per query, the terms of our closed vocabularies it names (``prefix:name``)."""
    closed = {v.prefix: v for v in vars(vocab).values() if isinstance(v, Vocabulary)}
    found: dict[str, set[str]] = {}
    for name, text in queries().items():
        terms = {f"kg:{local}" for local in _KG_IRI.findall(text)}
        terms |= {f"{p}:{n}" for p, n in _prefixed_terms(_strip(text)) if p in closed}
        found[name] = terms
    return found


def test_every_term_the_queries_name_is_declared() -> None:
    closed = {v.prefix: v for v in vars(vocab).values() if isinstance(v, Vocabulary)}
    named = named_terms()
    kg = {t for terms in named.values() for t in terms if t.startswith("kg:")}
    assert {"kg:linkSource", "kg:supervisingBody", "kg:CooperationInstrument"} <= kg  # the check sees them
    undeclared = sorted(
        f"{query}: {term}"
        for query, terms in named.items()
        for term in terms
        if term.partition(":")[2] not in closed[term.partition(":")[0]].terms
    )
    assert undeclared == []


# -- one hierarchy, one reader of the network ----------------------------------------------------


def test_the_hierarchy_and_the_network_are_read_by_one_query_each() -> None:
    """The roll-up, the explorer and GraphQL read the hierarchy and the links through ``graph.links``."""

    def holding(text: str) -> set[str]:
        return {name for name, pieces in sparql_assignments().items() if any(text in piece for piece in pieces)}

    hierarchy, counts = holding("subOrganizationOf|kg:supervisingBody"), holding("kg:fullCount")
    assert hierarchy == {"graph.links.queries.HIERARCHY_EDGES"}
    assert counts == {"graph.links.queries.LINKS"}
    assert explore.hierarchy([N1]).select == links.hierarchy_query("around", [N1], ANY)
    assert entities.copublications([N1], None) == PROLOGUE + links.links_query("around", "years", [ALL], [N1])


# -- no other way in -----------------------------------------------------------------------------


def _formats_sparql(node: ast.AST) -> bool:
    """An f-string, ``%`` or ``.format`` whose constant text is SPARQL."""
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
        text = str(node.left.value)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        text = str(node.func.value.value) if isinstance(node.func.value, ast.Constant) else ""
    else:
        return False
    return bool(re.search(r"\b(SELECT|WHERE|VALUES|GRAPH|INSERT DATA|DELETE DATA|DROP|CREATE|CLEAR|USING)\b", text))


def test_no_query_text_is_formatted_outside_graph_sparql() -> None:
    """Only ``graph.sparql`` writes text into queries; the files still allowed to must still need it
    (once one no longer does, it leaves ``FORMATTING_ALLOWED``)."""
    found: dict[str, list[int]] = {}
    for _, path in modules():
        where = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.expr) and _formats_sparql(node):
                found.setdefault(where, []).append(node.lineno)
    assert set(found) - {"graph/sparql.py"} - FORMATTING_ALLOWED == set(), found
    assert set(found) >= FORMATTING_ALLOWED


# -- graph.sparql itself -------------------------------------------------------------------------


def test_bind_writes_terms_escaped_rows_triples_and_integers() -> None:
    text = bind("SELECT * { VALUES ?x { __X__ } } LIMIT __N__", X=[ox.Literal('a" } DROP ALL #')], N=3)
    assert text == 'SELECT * { VALUES ?x { "a\\" } DROP ALL #" } } LIMIT 3'
    assert bind("VALUES (?p ?v) { __R__ }", R=[(N1, ox.Literal("x")), (N2, None)]) == (
        f'VALUES (?p ?v) {{ ({N1} "x") ({N2} UNDEF) }}'
    )
    assert bind("{ __D__ }", D=[ox.Triple(N1, KG.country, N2)]) == f"{{ {N1} {KG.country} {N2} . }}"
    assert bind("GRAPH __G__", G=N1) == f"GRAPH {N1}"
    assert bind("VALUES (__V__) { __R__ }", V=[ox.Variable("x")], R=[(N1,)]) == f"VALUES (?x) {{ ({N1}) }}"


def test_an_empty_list_selects_nothing_and_any_leaves_the_variable_free() -> None:
    store = ox.Store()
    store.add(ox.Quad(N1, KG.country, N2, N1))
    template = "SELECT ?s WHERE { VALUES ?s { __S__ } ?s ?p ?o }"
    assert list(store.query(bind(template, S=[]), use_default_graph_as_union=True)) == []  # type: ignore[arg-type]
    answer = store.query(bind(template, S=ANY), use_default_graph_as_union=True)
    assert [row["s"] for row in answer] == [N1]  # type: ignore[union-attr]


def test_bind_refuses_what_is_not_a_term() -> None:
    with pytest.raises(TypeError, match="NamedNode or Literal"):
        bind("__X__", X=["<urn:a>"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not str"):
        bind("__X__", X="<urn:a>")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not bool"):
        bind("__X__", X=True)
    with pytest.raises(TypeError, match="NamedNode or Literal"):
        bind("__X__", X=[ox.BlankNode("b")])  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="__Y__"):
        bind("__X__ __Y__", X=1)


def test_values_and_union_write_blocks_of_checked_parts() -> None:
    assert values("f", [N1, None]) == f"VALUES ?f {{ {N1} UNDEF }}"
    with pytest.raises(ValueError, match="variable"):
        values("f } DROP ALL", [N1])
    text = PROLOGUE + union(["SELECT ?a WHERE { BIND(1 AS ?a) }", "SELECT ?b WHERE { BIND(2 AS ?b) }"])
    rows = ox.Store().query(text)
    assert sorted((row["part"].value, (row["a"] or row["b"]).value) for row in rows) == [("0", "1"), ("1", "2")]  # type: ignore[union-attr]


def test_named_nodes_are_distinct_and_validated() -> None:
    assert [n.value for n in named_nodes(["urn:a", "urn:b", "urn:a"])] == ["urn:a", "urn:b"]
    with pytest.raises(ValueError, match="IRI"):
        named_nodes(["not an iri"])


def test_the_prologue_declares_the_ontology_prefixes() -> None:
    declared = dict(re.findall(r"PREFIX (\w+): <([^>]*)>", PROLOGUE))
    assert declared == PREFIXES
    assert Facts.parse("graph g1\ngraph g1\nstart 2014-05-01").get("graph") == ["g1"]
