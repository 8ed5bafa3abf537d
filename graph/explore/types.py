"""The data the explorations answer with: edge types, countings, windows, nodes, edges, networks,
partners and paths (re-exported by ``graph.explore``, whose docstring describes what they mean)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class EdgeType(Enum):
    COPUBLICATION = "copublication"
    INSTRUMENT = "instrument"
    HIERARCHY = "hierarchy"
    COSUPERVISION = "cosupervision"  # two supervising bodies of one mixed unit: off unless asked for


DEFAULT_EDGE_TYPES = (EdgeType.COPUBLICATION, EdgeType.INSTRUMENT, EdgeType.HIERARCHY)
"""The edge types of a network or a path when none are asked for."""


class Level(Enum):
    """What the nodes of a network are: institutions (and the countries they are tied to), or countries."""

    INSTITUTION = "institution"
    COUNTRY = "country"


class Counting(Enum):
    FULL = "full"
    FRACTIONAL = "fractional"


@dataclass(frozen=True)
class Window:
    """Years asked for, both ends included; None: unbounded on that side."""

    start: int | None = None
    end: int | None = None

    def contains(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)

    @property
    def bounded(self) -> bool:
        """Bounded on at least one side."""
        return self.start is not None or self.end is not None

    def overlaps(self, start: int | None, end: int | None) -> bool:
        """Whether a span (None: unbounded on that side) meets the window."""
        return (end is None or self.start is None or end >= self.start) and (
            start is None or self.end is None or start <= self.end
        )


@dataclass
class Metrics:
    degree: int = 0
    weighted_degree: float = 0.0
    betweenness: float = 0.0
    pagerank: float = 0.0
    community: int = 0


@dataclass
class Node:
    iri: str
    label: str
    kind: str  # "institution" or "country"
    types: list[str] = field(default_factory=list)  # class IRIs (kg:MixedResearchUnit, ...)
    country: str | None = None  # ISO 3166-1 alpha-2 code of the institution's country, or the country's own
    ror: str | None = None  # "02feahw73"
    hal: str | None = None  # "441569"
    openalex: str | None = None  # "I1294671590"
    region: str | None = None  # M49 region name of the country
    seed: bool = False
    hops: int = 0  # distance from the nearest seed
    metrics: Metrics = field(default_factory=Metrics)


@dataclass(slots=True)  # tens of thousands in a network
class Edge:
    source: str  # node IRI
    target: str  # node IRI
    type: EdgeType
    weight: float  # under the chosen counting, over the window
    first_year: int | None
    last_year: int | None
    years: dict[int, float] = field(default_factory=dict)  # weight per year (what the timeline plays)
    instruments: list[str] = field(default_factory=list)  # instrument IRIs (INSTRUMENT edges)
    internal: bool = False  # COPUBLICATION between an organisation and its parent
    sources: list[str] = field(default_factory=list)  # source graph IRIs the edge comes from


@dataclass
class Network:
    nodes: list[Node]
    edges: list[Edge]
    seeds: list[str]
    counting: Counting
    window: Window
    include: list[EdgeType]
    omitted: int = 0  # nodes reached but left out: the network was pruned to ``max_nodes``
    max_nodes: int | None = None
    level: Level = Level.INSTITUTION


@dataclass
class Partner:
    node: Node
    weight: float
    first_year: int | None
    last_year: int | None
    types: list[EdgeType]
    instruments: list[str]
    sources: list[str]


class Partners(list[Partner]):
    """Partners, heaviest first: the ``first`` asked for, and ``total``, how many there are in all."""

    def __init__(self, partners: list[Partner], total: int) -> None:
        super().__init__(partners)
        self.total = total


@dataclass
class PathStep:
    source: str
    target: str
    type: EdgeType
    via: str | None = None  # the instrument of an INSTRUMENT step, else None (a shared partner is a middle node)


@dataclass
class Path:
    nodes: list[str]
    steps: list[PathStep]
