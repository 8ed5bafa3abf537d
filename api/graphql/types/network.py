"""The network answers of ``graph.explore`` (partners, networks, paths, trends) as GraphQL types.

The dataclasses of ``graph.explore`` are converted here, never recomputed; the entities they name
(institutions, countries, instruments) become nodes whose other fields load on demand.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from api.export import export_url as export_path
from api.graphql.context import Info
from api.graphql.mapping import kind_of_iri
from api.graphql.types.common import Source, field, sources
from api.graphql.types.enums import Counting, EdgeType, ExportFormatName, Level, NodeKind
from api.graphql.types.institution import Institution
from api.graphql.types.instrument import Instrument
from api.graphql.types.places import Country
from graph import explore
from ontology.iris import GRAPH

if TYPE_CHECKING:
    from api.graphql.types.works_behind import Copublications

# The works behind a tie's weight (``types.works_behind`` names this module's types: imported late).
LazyCopublications = Annotated["Copublications", strawberry.lazy("api.graphql.types.works_behind")]


Entity = Annotated[
    Institution | Country | Instrument,
    strawberry.union("Entity", description="An institution, a country or an instrument."),
]


def entity(iri: str) -> Institution | Country | Instrument:
    """The node an IRI names, by where it was minted (an unknown IRI is taken for an institution)."""
    found = kind_of_iri(iri)
    if found == "Country":
        return Country(iri=iri)
    if found == "Instrument":
        return Instrument(iri=iri)
    return Institution(iri=iri)


def global_id(node: explore.Node) -> strawberry.ID:
    type_name = "Country" if node.kind == "country" else "Institution"
    return strawberry.ID(str(relay.GlobalID(type_name, node.iri)))


def split_sources(items: list[str]) -> tuple[list[str], list[str]]:
    """Source graph IRIs, and the web pages cited among ``items``."""
    graphs = [s for s in items if s.startswith(GRAPH)]
    return graphs, [s for s in items if not s.startswith(GRAPH)]


DETAIL_FIELDS = {"countryCode": "country", "ror": "ids", "hal": "ids", "openalex": "ids", "region": "region"}


def detail_groups(selected: set[str]) -> list[str]:
    """The groups of node details (``graph.explore``'s ``details``) the selected ``NetworkNode`` fields need."""
    return sorted({DETAIL_FIELDS[name] for name in selected if name in DETAIL_FIELDS})


@strawberry.type(description="A count for one year.")
class YearValue:
    year: int
    value: float


@strawberry.type(description="Where a node stands in its network (computed with igraph).")
class Metrics:
    degree: int
    weighted_degree: float
    betweenness: float
    pagerank: float
    community: int = strawberry.field(description="Louvain community, numbered by size (the largest 0).")


@strawberry.type(description="A node of a network: an institution or a country, with its metrics.")
class NetworkNode:
    id: strawberry.ID = strawberry.field(description="The global id of the institution or country.")
    iri: str
    label: str
    kind: NodeKind
    types: list[str] = strawberry.field(description="Its classes (IRIs).")
    country_code: str | None
    ror: str | None
    hal: str | None
    openalex: str | None
    region: str | None = strawberry.field(description="The M49 region name of the country.")
    seed: bool
    hops: int = strawberry.field(description="Distance from the nearest seed.")
    metrics: Metrics

    @classmethod
    def of(cls, node: explore.Node) -> NetworkNode:
        m = node.metrics
        return cls(
            id=global_id(node),
            iri=node.iri,
            label=node.label,
            kind=NodeKind.COUNTRY if node.kind == "country" else NodeKind.INSTITUTION,
            types=list(node.types),
            country_code=node.country,
            ror=node.ror,
            hal=node.hal,
            openalex=node.openalex,
            region=node.region,
            seed=node.seed,
            hops=node.hops,
            metrics=Metrics(
                degree=m.degree,
                weighted_degree=m.weighted_degree,
                betweenness=m.betweenness,
                pagerank=m.pagerank,
                community=m.community,
            ),
        )

    @field(description="The institution, with all its fields (null for a country).")
    def institution(self) -> Institution | None:
        return Institution(iri=self.iri) if self.kind is NodeKind.INSTITUTION else None

    @field(description="The country, with all its fields (null for an institution).")
    def country(self) -> Country | None:
        return Country(iri=self.iri) if self.kind is NodeKind.COUNTRY else None


@strawberry.type(description="A typed, weighted tie between two nodes.")
class NetworkEdge:
    source: strawberry.ID
    target: strawberry.ID
    source_iri: str
    target_iri: str
    type: EdgeType
    weight: float
    first_year: int | None
    last_year: int | None
    internal: bool = strawberry.field(description="A co-publication of an organisation with its own parent.")
    edge: strawberry.Private[explore.Edge]  # what the fields below read, when they are asked for
    window: strawberry.Private[explore.Window] = dataclasses.field(default_factory=explore.Window)
    counting: strawberry.Private[Counting] = Counting.FULL
    field_iri: strawberry.Private[str | None] = None  # the research field the network was asked in

    @field(description="Weight per year (co-publications, active instruments).")
    def years(self) -> list[YearValue]:
        return [YearValue(year=y, value=v) for y, v in sorted(self.edge.years.items())]

    @field(description="Web pages cited for the tie.")
    def pages(self) -> list[str]:
        return split_sources(self.edge.sources)[1]

    @field(description="The instruments an INSTRUMENT tie goes through.")
    def instruments(self) -> list[Instrument]:
        return [Instrument(iri=i) for i in self.edge.instruments]

    @field(description="The sources stating the tie.")
    async def sources(self, info: Info) -> list[Source]:
        return await sources(info, split_sources(self.edge.sources)[0])

    @field(
        description="The works behind a COPUBLICATION tie's weight over the network's window, in its research "
        "field when it was asked in one (null: another type)."
    )
    async def copublications(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> LazyCopublications | None:
        if self.type is not EdgeType.COPUBLICATION:
            return None
        from api.graphql.types.works_behind import copublications_of  # late: it imports this module

        return await copublications_of(
            info, self.source_iri, self.target_iri, self.window, self.counting, first, after, self.field_iri
        )


def network_edge(
    edge: explore.Edge,
    ids: dict[str, strawberry.ID],
    window: explore.Window | None = None,
    counting: Counting = Counting.FULL,
    field_iri: str | None = None,
) -> NetworkEdge:
    source, target = ids.get(edge.source), ids.get(edge.target)
    return NetworkEdge(
        source=source or strawberry.ID(str(relay.GlobalID("Institution", edge.source))),
        target=target or strawberry.ID(str(relay.GlobalID("Institution", edge.target))),
        source_iri=edge.source,
        target_iri=edge.target,
        type=edge.type,
        weight=edge.weight,
        first_year=edge.first_year,
        last_year=edge.last_year,
        internal=edge.internal,
        edge=edge,
        window=window or explore.Window(),
        counting=counting,
        field_iri=field_iri,
    )


@strawberry.type(description="A network around seeds: nodes with metrics, typed weighted edges.")
class Network:
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    seeds: list[str]
    counting: Counting
    include: list[EdgeType]
    start_year: int | None
    end_year: int | None
    hops: int
    min_weight: float
    max_nodes: int = strawberry.field(description="The most nodes asked for: the strongest ties are kept.")
    omitted: int = strawberry.field(
        description="Nodes reached but left out to keep within maxNodes (0: the network is whole); "
        "raise maxNodes or minWeight, or narrow the window, to see them."
    )
    level: Level = strawberry.field(description="What the nodes are.")

    @field(
        description="This selection as a file for Gephi, Cytoscape, sigma.js, VOSviewer or a spreadsheet: "
        "the path of `/export/network.<suffix>` with the same arguments (relative to this server)."
    )
    def export_url(self, format: ExportFormatName) -> str:
        params: dict[str, str | int | float | list[str]] = {
            "seeds": self.seeds,
            "hops": self.hops,
            "counting": self.counting.value,
            "include": [t.value for t in self.include],
        }
        if self.min_weight:
            params["minWeight"] = self.min_weight
        if self.max_nodes != explore.MAX_NODES:
            params["maxNodes"] = self.max_nodes
        if self.level is not Level.INSTITUTION:
            params["level"] = self.level.value
        if self.start_year is not None:
            params["from"] = self.start_year
        if self.end_year is not None:
            params["to"] = self.end_year
        return export_path(format.value, params)

    @classmethod
    def of(cls, found: explore.Network, *, hops: int, min_weight: float, field_iri: str | None = None) -> Network:
        nodes = [NetworkNode.of(n) for n in found.nodes]
        ids = {n.iri: n.id for n in nodes}
        return cls(
            nodes=nodes,
            edges=[network_edge(e, ids, found.window, found.counting, field_iri) for e in found.edges],
            seeds=list(found.seeds),
            counting=found.counting,
            include=list(found.include),
            start_year=found.window.start,
            end_year=found.window.end,
            hops=hops,
            min_weight=min_weight,
            max_nodes=found.max_nodes or len(found.nodes),
            omitted=found.omitted,
            level=found.level,
        )


@strawberry.type(description="A partner of an institution or country, heaviest first.")
class Partner:
    node: NetworkNode
    weight: float = strawberry.field(description="Sum of the weights of its ties of the kinds asked for.")
    first_year: int | None
    last_year: int | None
    types: list[EdgeType] = strawberry.field(description="The kinds of ties with it.")
    instrument_iris: strawberry.Private[list[str]]
    graphs: strawberry.Private[list[str]]
    pages: list[str] = strawberry.field(description="Web pages cited for the ties (the instruments' pages).")
    of_iri: strawberry.Private[str | None] = None  # the node whose partner it is
    window: strawberry.Private[explore.Window] = dataclasses.field(default_factory=explore.Window)
    counting: strawberry.Private[Counting] = Counting.FULL
    field_iri: strawberry.Private[str | None] = None  # the research field the partners were asked in

    @classmethod
    def of(
        cls,
        partner: explore.Partner,
        of: str | None = None,
        window: explore.Window | None = None,
        counting: Counting = Counting.FULL,
        field_iri: str | None = None,
    ) -> Partner:
        graphs, pages = split_sources(partner.sources)
        return cls(
            node=NetworkNode.of(partner.node),
            weight=partner.weight,
            first_year=partner.first_year,
            last_year=partner.last_year,
            types=list(partner.types),
            instrument_iris=list(partner.instruments),
            graphs=graphs,
            pages=pages,
            of_iri=of,
            window=window or explore.Window(),
            counting=counting,
            field_iri=field_iri,
        )

    @field(description="The instruments shared with it.")
    def instruments(self) -> list[Instrument]:
        return [Instrument(iri=i) for i in self.instrument_iris]

    @field(description="The sources stating the ties.")
    async def sources(self, info: Info) -> list[Source]:
        return await sources(info, self.graphs)

    @field(
        description="The works behind its co-publications over the window, in the research field the partners "
        "were asked in, if one (null: no co-publication)."
    )
    async def copublications(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> LazyCopublications | None:
        if self.of_iri is None or EdgeType.COPUBLICATION not in self.types:
            return None
        from api.graphql.types.works_behind import copublications_of  # late: it imports this module

        return await copublications_of(
            info, self.of_iri, self.node.iri, self.window, self.counting, first, after, self.field_iri
        )


@strawberry.type(description="One step of a path.")
class PathStep:
    source: Entity
    target: Entity
    type: EdgeType
    via: Entity | None = strawberry.field(description="The instrument an INSTRUMENT step goes through.")


@strawberry.type(description="A shortest path between two nodes; a two-step path goes through a shared partner.")
class Path:
    nodes: list[Entity]
    steps: list[PathStep]

    @strawberry.field
    def length(self) -> int:
        return len(self.steps)

    @classmethod
    def of(cls, found: explore.Path) -> Path:
        return cls(
            nodes=[entity(i) for i in found.nodes],
            steps=[
                PathStep(
                    source=entity(s.source),
                    target=entity(s.target),
                    type=s.type,
                    via=None if s.via is None else entity(s.via),
                )
                for s in found.steps
            ],
        )


@strawberry.type(description="Co-publications per year between two institutions or countries.")
class Trend:
    a: Entity
    b: Entity
    counting: Counting
    points: list[YearValue] = strawberry.field(description="Years with co-publications, in order.")

    @field(description="The sum over the years.")
    def total(self) -> float:
        return round(sum(p.value for p in self.points), 6)
