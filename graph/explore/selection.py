"""A network selection: the arguments of ``network`` that ``/export/network.<format>``, the ``/explore``
page and ``cnrs-kg export`` share, checked once here, and the store's check of its seeds.

Seeds are entity IRIs: other spellings (prefixed names, ROR ids) are the API's to resolve. Each
``BadArgument`` names the parameter first as the HTTP API spells it (``minWeight: ...``), so the
command line can put its own option name there (``--min-weight: ...``).

>>> Selection.checked(["https://w3id.org/cnrs-kg/id/country/SG"], hops=2, start=2010).window
Window(start=2010, end=None)
>>> Selection.checked().seeds
['https://w3id.org/cnrs-kg/id/org/ror/02feahw73']
>>> Selection.checked(start=2020, end=2010)
Traceback (most recent call last):
...
graph.errors.BadArgument: from: 2020 is after to: 2010; give from <= to
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph import Queryable, sparql
from graph.errors import BadArgument
from graph.explore import queries as q
from graph.explore.neighbourhood import MAX_NODES, network
from graph.explore.types import Counting, EdgeType, Level, Network, Window
from ontology import iris

CNRS = iris.ror_org(iris.CNRS_ROR).value  # the seed when none is given
MAX_SELECTED_NODES = 2000  # the most nodes a file or the explorer page may ask for
YEARS = range(1000, 10_000)  # the four-digit years of xsd:gYear, as the data spell them
# Seeds reach the query as terms pyoxigraph has checked, in VALUES.
KNOWN_SEEDS = """
SELECT ?seed WHERE { VALUES ?seed { __SEEDS__ } FILTER(EXISTS { ?seed ?p ?o } || EXISTS { ?s ?q ?seed }) }
"""


@dataclass(frozen=True)
class Selection:
    """What ``network`` is asked for."""

    seeds: list[str] = field(default_factory=lambda: [CNRS])
    hops: int = 1
    window: Window = field(default_factory=Window)
    min_weight: float = 0.0
    counting: Counting = Counting.FULL
    include: list[EdgeType] | None = None
    max_nodes: int = MAX_NODES
    level: Level = Level.INSTITUTION

    @classmethod
    def checked(
        cls,
        seeds: Iterable[str] = (),
        *,
        hops: int = 1,
        start: int | None = None,
        end: int | None = None,
        min_weight: float = 0.0,
        counting: str = "full",
        include: Sequence[str] = (),
        max_nodes: int = MAX_NODES,
        level: str = "institution",
    ) -> Selection:
        """A checked selection from plain values (the CLI's options, the HTTP parameters once parsed);
        the CNRS when no seed is given.

        ``seeds`` is read last, after the other values are checked, so a caller resolving them as
        they are read reports a bad seed only once the rest is right (the order the messages have
        always had).
        """
        if hops < 0:
            raise BadArgument(f"hops: {hops} is negative; give 0 or more (default 1)")
        window = _window(start, end)
        weight = _min_weight(min_weight)
        how = _counting(counting)
        kinds = _include(include)
        if not 1 <= max_nodes <= MAX_SELECTED_NODES:
            raise BadArgument(
                f"maxNodes: {max_nodes} is out of range; give 1 to {MAX_SELECTED_NODES} (default {MAX_NODES})"
            )
        try:
            nodes = Level(level)
        except ValueError:
            raise BadArgument(f"level: {level!r} is not institution or country") from None
        chosen = q.checked_iris(seeds, "seeds:") or [CNRS]
        return cls(chosen, hops, window, weight, how, kinds or None, max_nodes, nodes)

    def network(self, queries: Queryable) -> Network:
        """The network; ``BadArgument`` if a seed names nothing in the store."""
        check_seeds(queries, self.seeds)
        return network(
            queries,
            self.seeds,
            hops=self.hops,
            window=self.window,
            min_weight=self.min_weight,
            counting=self.counting,
            include=self.include,
            max_nodes=self.max_nodes,
            level=self.level,
        )


def _known(queries: Queryable, seeds: Sequence[str]) -> set[str]:
    """The seeds the store says something about."""
    result = queries.query(sparql.bind(KNOWN_SEEDS, SEEDS=q.nodes(q.checked_iris(seeds, "seeds:"))))
    assert isinstance(result, ox.QuerySolutions)
    return {row["seed"].value for row in result if isinstance(row["seed"], ox.NamedNode)}


def check_seeds(queries: Queryable, seeds: Sequence[str]) -> None:
    """``BadArgument`` naming the first seed the store says nothing about (it would be a node for nothing)."""
    # The results stay in ``_known``'s frame: pyoxigraph's cannot be dropped in another thread,
    # and the traceback of the error, which holds this frame, goes to the event loop's.
    known = _known(queries, seeds)
    for seed in seeds:
        if seed not in known:
            raise BadArgument(
                f"seeds: <{seed}> names nothing in this store; give an institution or country it holds, "
                "such as ror:02feahw73 or country:SG"
            )


def _window(start: int | None, end: int | None) -> Window:
    for name, year in (("from", start), ("to", end)):
        if year is not None and year not in YEARS:
            raise BadArgument(f"{name}: {year} is not a year; give a four-digit year such as 2010")
    if start is not None and end is not None and start > end:
        raise BadArgument(f"from: {start} is after to: {end}; give from <= to")
    return Window(start, end)


def _min_weight(min_weight: float) -> float:
    if not math.isfinite(min_weight):
        raise BadArgument(f"minWeight: {min_weight} is not a finite number; give 0 or more")
    if min_weight < 0:
        raise BadArgument(f"minWeight: {min_weight:g} is negative; give 0 or more")
    return min_weight


def _counting(counting: str) -> Counting:
    try:
        return Counting(counting)
    except ValueError:
        raise BadArgument(f"counting: {counting!r} is not full or fractional") from None


def _include(include: Sequence[str]) -> list[EdgeType]:
    """Edge types, repeatable or comma-separated, without repeats."""
    kinds: list[EdgeType] = []
    for text in (part.strip() for item in include for part in item.split(",")):
        try:
            kind = EdgeType(text)
        except ValueError:
            names = ", ".join(t.value for t in EdgeType)
            raise BadArgument(f"include: {text!r} is not an edge type; give one of {names}") from None
        if kind not in kinds:
            kinds.append(kind)
    return kinds
