"""A ``Queryable`` over the bundled store that counts the queries asked of it, for tests of query counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from graph import OxigraphStore
from graph.backend import QueryResult


class CountingQueryable:
    """A ``Queryable`` that counts the queries it passes on."""

    def __init__(self, store: OxigraphStore) -> None:
        self.store = store
        self.queries: list[str] = []

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graphs: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        self.queries.append(sparql)
        return self.store.query(
            sparql,
            substitutions=substitutions,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            base_iri=base_iri,
        )
