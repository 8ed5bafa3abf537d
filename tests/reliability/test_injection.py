"""SPARQL-injection strings in every text argument of GraphQL, of ``/export`` and of ``/id/``.

The server is writable (with its token), so that an injected update would have the power to
write: every answer must be free of 5xx and of unexpected errors, and the store must hold the
same statements, graph by graph, at the end of each test as at the start of the module.

The text arguments of GraphQL are found in the live schema (by introspection): every argument of
type String, ID or Date, and every such field of an input object argument, of the root fields
and of the fields of the types an ``ANCHORS`` entry reaches.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import quote

import graphql
import httpx
import pytest

from tests.reliability.knobs import SOAK
from tests.reliability.probes import judge
from tests.reliability.servers import Server, graph_sizes
from tests.reliability.tally import TALLY

STRINGS = [
    '" . } ; DROP ALL ; #',
    "' . } ; DROP ALL ; #",
    '"} } ; DELETE WHERE { ?s ?p ?o } #',
    "> } ; CLEAR ALL ; #",
    '") } UNION { ?s ?p ?o } #',
    "https://w3id.org/cnrs-kg/id/org/ror/02feahw73> ?p ?o } ; DROP ALL ; #",
    '"""',
    "02feahw73\n} ; DROP ALL ; #",
    '"',
    "'",
    "'''",
    "\\",
    "}",
    "} }",
    ">",
    "<",
    "\n",
    "\r\n",
    "#",
    "\\u0022 } ; DROP ALL ; #",
    "\\U0000007D",
    '"@en . } #',
    '"^^<urn:x> } #',
    "\x00",
    "é",
    "\U0001d518",
    "\u202e",
    "%00",
    "%22%3E%7D",
    "?s",
    "$x",
    'CNRS" || true || "',
]
ENCODED = [base64.b64encode(f"Institution:{s}".encode()).decode() for s in STRINGS[:6]]
TEXT_TYPES = {"String", "ID", "Date"}
# Where the fields of each object type are reached from the root, with a real entity of the bundled data.
ANCHORS = {
    "Institution": ('institution(ror: "02feahw73") {', "}"),
    "Country": ('country(code: "SG") {', "}"),
    "CountryGroup": ("countryGroup(key: ASEAN) {", "}"),
    "Instrument": ('instrument(key: "irl-healthdeep") {', "}"),
    "Office": ("offices(first: 1) { nodes {", "} }"),
    "Publication": ("publications(first: 1) { nodes {", "} }"),
}
# Root fields that compute a network each: one string per request (aliases of them add up in cost).
EXPLORATIONS = {"network", "path", "partners", "trend"}
BATCH = 12  # aliases per request
WORST = 6  # STRINGS[:WORST] go everywhere; in make test, each place gets a few of the others in turn


def some(items: list[str], turn: int, count: int = 4) -> list[str]:
    """All of ``items`` in make soak; else ``count`` of them, a different few at each ``turn``.

    >>> some(["a", "b", "c"], 1, 2) if not SOAK else ["c", "a"]
    ['c', 'a']
    """
    if SOAK:
        return items
    return [items[(turn * count + k) % len(items)] for k in range(min(count, len(items)))]


@dataclass(frozen=True)
class Slot:
    """One place a text goes: ``owner.field(argument: ...)``, or ``argument: {inner: ...}``."""

    owner: str
    field: str
    argument: str
    inner: tuple[str, ...]
    variable_type: str
    others: str  # the field's other required arguments, with values
    selection: str

    def __str__(self) -> str:
        return ".".join([self.owner, self.field, self.argument, *self.inner])

    def call(self, alias: str, variable: str) -> str:
        value = f"${variable}"
        for name in reversed(self.inner):
            value = f"{{ {name}: {value} }}"
        arguments = ", ".join(a for a in (f"{self.argument}: {value}", self.others) if a)
        return f"{alias}: {self.field}({arguments}) {self.selection}"

    def document(self, count: int) -> str:
        """A query with ``count`` aliases of the field, one variable each (``$v0``...)."""
        declared = ", ".join(f"$v{i}: {self.variable_type}" for i in range(count))
        fields = " ".join(self.call(f"a{i}", f"v{i}") for i in range(count))
        if self.owner != "Query":
            head, tail = ANCHORS[self.owner]
            fields = f"{head} {fields} {tail}"
        return f"query({declared}) {{ {fields} }}"


def _named(kind: graphql.GraphQLType) -> graphql.GraphQLNamedType:
    named = graphql.get_named_type(kind)
    assert named is not None
    return named


def _value(kind: graphql.GraphQLInputType) -> str:
    """A literal for a required argument that is not under test."""
    named = _named(kind)
    if isinstance(named, graphql.GraphQLEnumType):
        return str(next(iter(named.values)))
    return {"Int": "1", "Float": "0", "Boolean": "false", "Date": '"2020-01-01"'}.get(named.name, '"CNRS"')


def _selection(kind: graphql.GraphQLOutputType) -> str:
    """What to ask of a field's answer: its scalar fields, and the type names of its nodes."""
    named = _named(kind)
    if not isinstance(named, graphql.GraphQLObjectType):
        return "{ __typename }" if isinstance(named, graphql.GraphQLUnionType | graphql.GraphQLInterfaceType) else ""
    scalars = [
        name
        for name, field in named.fields.items()
        if isinstance(_named(field.type), graphql.GraphQLScalarType | graphql.GraphQLEnumType)
        and not any(isinstance(arg.type, graphql.GraphQLNonNull) for arg in field.args.values())
    ]
    nodes = " nodes { __typename }" if "nodes" in named.fields else ""
    return f"{{ __typename {' '.join(scalars[:6])}{nodes} }}"


def _inner(kind: graphql.GraphQLInputType, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """The text fields of an input type, with their paths (two levels at most) and variable types."""
    named = _named(kind)
    if named.name in TEXT_TYPES:
        yield path, str(kind)
    elif isinstance(named, graphql.GraphQLInputObjectType) and len(path) < 2:
        for name, field in named.fields.items():
            yield from _inner(field.type, (*path, name))


def slots(schema: graphql.GraphQLSchema) -> list[Slot]:
    """Every text argument of the root fields and of the anchored types' fields."""
    found = []
    for owner in ["Query", *ANCHORS]:
        kind = schema.get_type(owner)
        assert isinstance(kind, graphql.GraphQLObjectType), owner
        for name, field in kind.fields.items():
            for argument, arg in field.args.items():
                required = [
                    f"{other}: {_value(a.type)}"
                    for other, a in field.args.items()
                    if other != argument and isinstance(a.type, graphql.GraphQLNonNull)
                ]
                if "first" in field.args:  # a small page: the strings are under test, not the page size
                    required.append("first: 2")
                for inner, variable_type in _inner(arg.type):
                    found.append(
                        Slot(owner, name, argument, inner, variable_type, ", ".join(required), _selection(field.type))
                    )
    return found


@pytest.fixture(scope="module")
def before(writable_server: Server) -> dict[str, int]:
    return graph_sizes(writable_server)


@pytest.fixture(scope="module")
def schema(writable_server: Server) -> graphql.GraphQLSchema:
    answer = httpx.post(f"{writable_server.base}/graphql", json={"query": graphql.get_introspection_query()})
    assert answer.status_code == 200, answer.text
    return graphql.build_client_schema(answer.json()["data"])


def _batches(strings: list[str], size: int) -> Iterator[list[str]]:
    it = iter(strings)
    while batch := list(islice(it, size)):
        yield batch


def _graphql_problems(server: Server, slot: Slot, batch: list[str]) -> list[str]:
    listed = slot.variable_type.startswith("[")
    variables: dict[str, Any] = {f"v{i}": [s] if listed else s for i, s in enumerate(batch)}
    response = httpx.post(
        f"{server.base}/graphql",
        json={"query": slot.document(len(batch)), "variables": variables},
        headers={"accept": "application/graphql-response+json"},
        timeout=60,
    )
    found = judge(response.status_code, response.text, what=str(slot))
    if response.status_code >= 500:
        return found
    for error in response.json().get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code == "INTERNAL_SERVER_ERROR":
            TALLY.errors += 1
            found.append(f"{slot} with {batch!r}: {error.get('message')}")
        elif code == "COST_LIMIT_EXCEEDED":  # the batch itself was refused: nothing was tested
            found.append(f"{slot}: a batch of {len(batch)} aliases is over the cost limit; send fewer")
    return found


def test_graphql_text_arguments(writable_server: Server, schema: graphql.GraphQLSchema, before: dict[str, int]) -> None:
    every = slots(schema)
    assert len(every) > 60  # the schema has about 80 text arguments: a walk finding few is broken
    problems: list[str] = []
    for turn, slot in enumerate(every):
        exploring = slot.owner == "Query" and slot.field in EXPLORATIONS
        ids = slot.variable_type.startswith("ID")  # global ids: base64 of "Type:IRI"
        strings = STRINGS[:WORST] + some(STRINGS[WORST:], turn) + (ENCODED if ids else some(ENCODED, turn, 1))
        for batch in _batches(strings, 1 if exploring else BATCH):
            problems += _graphql_problems(writable_server, slot, batch)
    assert not problems, f"{len(problems)} problems: {problems[:10]}"
    assert graph_sizes(writable_server) == before


EXPORT_PARAMETERS = ["seeds", "include", "counting", "from", "to", "minWeight", "hops"]
FORMATS = ["gexf", "graphml", "cyjs", "graphology.json", "vosviewer.json", "csv.zip"]
NUMBERS = ["NaN", "nan", "inf", "-inf", "1e309", "-0", "-1", "9" * 400, "3.5", "0x10", "1_000", "", " 1"]


def _export_requests() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    for i, text in enumerate(STRINGS):
        suffix = FORMATS[i % len(FORMATS)]
        names = EXPORT_PARAMETERS if i < WORST else some(EXPORT_PARAMETERS, i, 2)
        for name in names:
            yield suffix, [(name, text)]
        yield suffix, [("seeds", f"{some(['ror', 'country'], i, 1)[0]}:{text}")]
        yield suffix, [(text, "1")]
    for i, number in enumerate(NUMBERS):
        for name in ("minWeight", "hops", "from", "to"):
            yield FORMATS[i % len(FORMATS)], [("seeds", "country:SG"), ("include", "instrument"), (name, number)]


def test_export_parameters(writable_server: Server, before: dict[str, int]) -> None:
    problems: list[str] = []
    with httpx.Client(base_url=writable_server.base, timeout=60) as client:
        for suffix, params in _export_requests():
            response = client.get(f"/export/network.{suffix}", params=tuple(params))
            problems += judge(response.status_code, response.text, what=f"/export/network.{suffix} {params!r}")
    assert not problems, f"{len(problems)} problems: {problems[:10]}"
    assert graph_sizes(writable_server) == before


def test_linked_data_paths(writable_server: Server, before: dict[str, int]) -> None:
    problems: list[str] = []
    with httpx.Client(base_url=writable_server.base, timeout=60) as client:
        for turn, text in enumerate(STRINGS + ENCODED):
            encoded = quote(text, safe="")
            paths = [f"/id/{encoded}", f"/id/org/ror/{encoded}", f"/id/instrument/{quote(text, safe='/')}"]
            for path in paths if turn < WORST else some(paths, turn, 1):
                response = client.get(path, headers={"accept": "text/turtle"})
                problems += judge(response.status_code, response.text, what=f"GET {path}")
                if response.status_code not in (400, 404):
                    problems.append(f"GET {path}: {response.status_code}, not 400 or 404")
            response = client.get("/id/org/ror/02feahw73", params={"format": text})
            problems += judge(response.status_code, response.text, what=f"?format={text!r}")
    assert not problems, f"{len(problems)} problems: {problems[:10]}"
    assert graph_sizes(writable_server) == before
