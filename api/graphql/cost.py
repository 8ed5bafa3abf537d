"""The cost of a GraphQL operation, estimated from its document and variables before it runs.

The cost counts the objects the answer can hold, and what computing it takes:

- each object of the answer counts 1, times how often it can occur: the product of the sizes of
  the lists above it. A connection (a field taking ``first``) holds ``first`` items
  (``DEFAULT_PAGE`` when not given, at most ``MAX_PAGE``: the field itself refuses a larger page,
  with a clearer message); a network its ``maxNodes`` nodes (200 unless asked, at most
  ``MAX_NETWORK_NODES``) and ``EDGES_PER_NODE`` times as many edges (a fragment spread inside it
  is measured once for any network: at ``MAX_NETWORK_NODES``); another list of objects
  ``LIST_SIZES``, else ``DEFAULT_LIST``. Scalars are free: they come with their object's facts,
  and a type has few (aliases are limited apart);
- the explorations of ``graph.explore`` add their weight: ``network`` by ``hops`` and its number
  of seeds (each one resolved by a query), ``path`` by ``maxHops``, ``partners``, ``trend`` and
  ``profile``, ``copublications``, ``collaborationWorks``, ``gaps`` and ``dormantInstruments`` a fixed one.

Aliases add up (ten aliases of a field cost ten times the field); each fragment is measured once
and counted at each spread (see ``limits``); inline fragments on the members of a union all count.

Introspection (``__schema``, ``__type``) is counted apart, against its own limit: it is answered
from memory and GraphiQL's query is large, but ``fields { type { fields { type { ... } } } }``
multiplies by the fields of a type at each level. Its lists count as long as the longest such
list of this schema.

>>> from graphql import parse
>>> from api.graphql.schema import schema
>>> document = parse('{ institutions(first: 5) { nodes { name } } }')
>>> estimate(schema._schema, document, document.definitions[0], {})
Cost(data=6, introspection=0)

A network costs its hops and the nodes it may hold, by its ``maxNodes``:

>>> def network(nodes: int) -> int:
...     document = parse('{ network(seeds: ["CNRS"], maxNodes: %d) { nodes { id } } }' % nodes)
...     return estimate(schema._schema, document, document.definitions[0], {}).data
>>> network(50), network(2000)
(20071, 22021)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_leaf_type,
    value_from_ast_untyped,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from api.graphql.limits import fragments_of, in_dependency_order
from api.graphql.query import MAX_NETWORK_NODES
from api.graphql.types.common import DEFAULT_PAGE, MAX_PAGE
from graph import explore

__all__ = ["MAX_COST", "MAX_INTROSPECTION_COST", "Cost", "estimate"]

MAX_COST = 200_000
MAX_INTROSPECTION_COST = 500_000  # GraphiQL's full introspection of this schema: 415,491; nested 8 times: 780,456

EDGES_PER_NODE = 2
DEFAULT_LIST = 10  # a list of objects not in LIST_SIZES
LIST_SIZES: dict[tuple[str, str], int] = {
    ("Path", "nodes"): explore.MAX_PATH_HOPS + 1,
    ("Path", "steps"): explore.MAX_PATH_HOPS,
    ("Trend", "points"): 50,  # years
    ("NetworkEdge", "years"): 20,
    ("CopublicationSummary", "countries"): 250,
    ("Institution", "names"): 20,
    ("CollaborationProfile", "years"): 50,
    ("CollaborationProfile", "partnerCountries"): 250,
}
# What the explorations compute besides their answer, in the same unit (an object of the answer).
NETWORK_WEIGHT_PER_HOP = 20_000
SEED_WEIGHT = 20
PATH_WEIGHT = 1_000  # doubled by each step of maxHops
PARTNERS_WEIGHT = 2_000
TREND_WEIGHT = 100
PROFILE_WEIGHT = 2_000  # every work of the body, read once per store generation
COPUBLICATIONS_WEIGHT = 2_000  # the works under both ends, each counted by the rules, once per store generation


@dataclass(frozen=True)
class Cost:
    data: int = 0
    introspection: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.data + other.data, self.introspection + other.introspection)

    def times(self, n: int) -> Cost:
        return Cost(self.data * n, self.introspection * n)


@cache
def introspection_lists(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """The longest list of each kind the introspection of ``schema`` can answer."""
    types = schema.type_map.values()
    with_fields = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    fields = [f for t in with_fields for f in t.fields.values()]
    abstract = [t for t in types if isinstance(t, GraphQLUnionType | GraphQLInterfaceType)]
    longest = {
        "types": len(schema.type_map),
        "directives": len(schema.directives),
        "fields": max((len(t.fields) for t in with_fields), default=0),
        "interfaces": max((len(t.interfaces) for t in with_fields), default=0),
        "possibleTypes": max((len(schema.get_possible_types(t)) for t in abstract), default=0),
        "enumValues": max((len(getattr(t, "values", ())) for t in types), default=0),
        "inputFields": max((len(t.fields) for t in types if isinstance(t, GraphQLInputObjectType)), default=0),
        "args": max([len(f.args) for f in fields] + [len(d.args) for d in schema.directives]),
    }
    owners = {"types": "__Schema", "directives": "__Schema", "args": "__Field"}
    sizes = {(owners.get(name, "__Type"), name): size for name, size in longest.items()}
    sizes["__Directive", "args"] = longest["args"]
    return sizes


def integer(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


class Estimate:
    """The cost of the selections of one operation, with its variables."""

    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: dict[str, Any]
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.network_nodes = MAX_NETWORK_NODES  # the nodes of the network being measured (its maxNodes)
        self.fragments: dict[str, Cost] = {}
        for name in in_dependency_order(fragments):
            fragment = fragments[name]
            on = schema.get_type(fragment.type_condition.name.value)
            self.fragments[name] = Cost() if on is None else self.selections(fragment.selection_set, on)

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> Cost:
        total = Cost()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = parent if condition is None else self.schema.get_type(condition.name.value)
                total += self.selections(selection.selection_set, on or parent)
            else:
                assert isinstance(selection, FragmentSpreadNode)
                total += self.fragments.get(selection.name.value, Cost())
        return total

    def definition(self, node: FieldNode, parent: GraphQLNamedType) -> GraphQLField | None:
        name = node.name.value
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is self.schema.query_type and name in ("__schema", "__type"):
            return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
        fields = getattr(parent, "fields", {})
        return fields.get(name) if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else None

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> Cost:
        definition = self.definition(node, parent)
        if definition is None or is_leaf_type(get_named_type(definition.type)):
            return Cost()  # a scalar (or a field not in the schema, which validation refuses)
        size = self.list_size(node, parent, definition)
        paged = "first" in definition.args  # one connection, holding `size` items
        cost = Cost((1 if paged else size) + self.weight(node, parent, definition))
        if node.selection_set is not None:
            outer = self.network_nodes
            if parent is self.schema.query_type and node.name.value == "network":
                asked = integer(self.argument(node, definition, "maxNodes"), explore.MAX_NODES)
                self.network_nodes = min(max(asked, 1), MAX_NETWORK_NODES)
            try:
                cost += self.selections(node.selection_set, get_named_type(definition.type)).times(size)
            finally:
                self.network_nodes = outer
        if node.name.value in ("__schema", "__type"):
            return Cost(0, cost.data + cost.introspection)
        return cost

    def argument(self, node: FieldNode, definition: GraphQLField, name: str) -> object:
        """The value an argument has in this request (None when absent and without a default)."""
        for argument in node.arguments or ():
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        declared = definition.args.get(name)
        default = None if declared is None else declared.default_value
        return default if isinstance(default, int | list) else None

    def list_size(self, node: FieldNode, parent: GraphQLNamedType, definition: GraphQLField) -> int:
        """How many items the field can hold (1: not a list); those of a connection, which the
        connection's ``first`` counts, once."""
        if "first" in definition.args:
            return min(max(integer(self.argument(node, definition, "first"), DEFAULT_PAGE), 0), MAX_PAGE)
        if parent.name.endswith("Connection") and node.name.value in ("edges", "nodes"):
            return 1  # the connection's `first` counted them
        key = (parent.name, node.name.value)
        if key == ("Network", "nodes"):
            return self.network_nodes
        if key == ("Network", "edges"):
            return EDGES_PER_NODE * self.network_nodes
        if key in LIST_SIZES:
            return LIST_SIZES[key]
        if parent.name.startswith("__"):
            return introspection_lists(self.schema).get(key, 1)
        listed = isinstance(get_nullable_type(definition.type), GraphQLList)
        return DEFAULT_LIST if listed and is_composite_type(get_named_type(definition.type)) else 1

    def weight(self, node: FieldNode, parent: GraphQLNamedType, definition: GraphQLField) -> int:
        """What computing the field takes, besides its answer (the explorations of ``graph.explore``)."""
        if parent is not self.schema.query_type:
            return 0
        name = node.name.value
        if name == "network":
            hops = min(max(integer(self.argument(node, definition, "hops"), 1), 0), explore.MAX_HOPS)
            seeds = self.argument(node, definition, "seeds")
            return NETWORK_WEIGHT_PER_HOP * hops + SEED_WEIGHT * (len(seeds) if isinstance(seeds, list) else 1)
        if name == "path":
            steps = min(max(integer(self.argument(node, definition, "maxHops"), 3), 1), explore.MAX_PATH_HOPS)
            return int(PATH_WEIGHT * 2 ** (steps - 1))
        return {
            "partners": PARTNERS_WEIGHT,
            "trend": TREND_WEIGHT,
            "profile": PROFILE_WEIGHT,
            "copublications": COPUBLICATIONS_WEIGHT,
            "collaborationWorks": PROFILE_WEIGHT,
            "gaps": PARTNERS_WEIGHT,  # the partners of the CNRS, less those an instrument covers
            "dormantInstruments": PARTNERS_WEIGHT,
        }.get(name, 0)


def operation_variables(operation: OperationDefinitionNode, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The variables of ``operation``: those given, else their defaults."""
    values: dict[str, Any] = {}
    for variable in operation.variable_definitions or ():
        name = variable.variable.name.value
        if given is not None and name in given:
            values[name] = given[name]
        elif variable.default_value is not None:
            values[name] = value_from_ast_untyped(variable.default_value)
    return values


def estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> Cost:
    """The cost of ``operation`` (of a document that validates) with ``variables``."""
    found = Estimate(schema, fragments_of(document), operation_variables(operation, variables))
    root = schema.get_root_type(operation.operation)
    return Cost() if root is None else found.selections(operation.selection_set, root)
