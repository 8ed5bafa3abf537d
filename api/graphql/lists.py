"""The root lists: one SPARQL query each, returning the page and the facts its fields show.

Institutions and publications are filtered, ordered and paged in SPARQL (``LIMIT first + 1`` tells
whether a next page exists; the count runs in the same query only when ``totalCount`` is
selected). Countries, instruments, offices and indicators are small: every entity of the class
comes with its facts, and the filters on dates, which need the precision rules of
``types.common``, run here.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Sequence

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool

from api import refs
from api.graphql import lookahead
from api.graphql.context import Info
from api.graphql.errors import BadInput
from api.graphql.filters import CountryFilter, IndicatorFilter, InstitutionFilter, InstrumentFilter, PublicationFilter
from api.graphql.reading import select
from api.graphql.types.common import (
    Connection,
    DateRange,
    best_name,
    check_dates,
    connection,
    holds,
    paginate,
    window,
)
from api.graphql.types.enums import InstitutionOrder, to_iri
from api.graphql.types.institution import Institution
from api.graphql.types.instrument import Instrument, Office, matches_kind
from api.graphql.types.places import Country
from api.graphql.types.publication import Indicator, Publication
from graph import BadArgument
from graph.entities import EntityFacts, Value, collect
from graph.entities import queries as sparql
from graph.search import search
from graph.sparql import Listed, Term, bind
from ontology import KG, QB, SCHEMA, iris

Values = dict[str, Sequence[Term] | int]


def checked(make: Callable[[str], ox.NamedNode], value: str, argument: str) -> ox.NamedNode:
    try:
        return make(value)
    except iris.InvalidIdentifier as exc:
        raise BadInput(f"{argument}: {exc}") from exc


def needle(text: str) -> ox.Literal:
    return ox.Literal(text.strip().lower())


async def resolved(info: Info, text: str, argument: str) -> list[str]:
    """The IRI of the entity a filter names (``api.refs``), as a list of one."""
    return await refs.resolve_async(info.context.queries, [refs.parse(text, argument)])


def name_key(facts: EntityFacts) -> tuple[str, str]:
    return ((best_name(facts) or "").lower(), facts.iri)


async def paged(
    info: Info,
    page: str,
    filters: list[str],
    values: Values,
    kind_name: str,
    *,
    first: int | None,
    after: str | None,
    order: str = "name",
    descending: bool = False,
) -> tuple[list[EntityFacts], int, int | None, bool]:
    """A page of a SPARQL-paged list (``page``, a key of ``sparql.PAGES``, with the ``filters`` named):
    (facts of the page in order, offset, total or None, has next)."""
    offset, size = window(first, after)
    with_count = "totalCount" in lookahead.selected(info)
    query = sparql.page(page, filters, order=order, count=with_count)
    predicates = lookahead.predicates(info, kind_name, *lookahead.NODES)
    rows = await select(info.context.queries, bind(query, LIMIT=size + 1, OFFSET=offset, P=predicates, **values))
    total = next((int(r["total"].text) for r in rows if "total" in r), None)
    sort: dict[str, str] = {r["e"].text: r["sort"].text for r in rows if "e" in r and "sort" in r}
    facts = collect((r for r in rows if "e" in r), (p.value for p in predicates))
    entries = sorted(facts.values(), key=lambda f: f.iri)
    if order == "name" or descending:
        entries.sort(key=lambda f: sort.get(f.iri, ""), reverse=descending)
    return entries[:size], offset, total, len(entries) > size


async def institutions(
    info: Info, where: InstitutionFilter | None, first: int | None, after: str | None, order: InstitutionOrder
) -> Connection[Institution]:
    where = where or InstitutionFilter()
    filters: list[str] = []
    values: Values = {}

    def add(name: str, token: str, terms: Sequence[Term]) -> None:
        filters.append(name)
        values[token] = terms

    if where.country:
        add("country", "COUNTRY", [checked(iris.country, c, "filter.country") for c in where.country])
    if where.region:
        add("region", "REGION", [checked(iris.m49_area, where.region, "filter.region")])
    if where.type:
        add("type", "TYPE", [ox.NamedNode(to_iri(t)) for t in where.type])
    if where.category:
        add("category", "CATEGORY", [ox.NamedNode(to_iri(c)) for c in where.category])
    ranked = await named(info, where.name, "institution")
    if ranked is not None:
        add("name", "NAME", [ox.NamedNode(iri) for iri in ranked])
    if where.partner_of:
        add(
            "partner_of",
            "PARTNER",
            [ox.NamedNode(iri) for iri in await resolved(info, where.partner_of, "partnerOf")],
        )
    if where.instrument_kind:
        add("instrument_kind", "IKIND", [ox.NamedNode(to_iri(k)) for k in where.instrument_kind])
    if ranked is not None:
        return await by_relevance(info, filters, values, ranked, first, after)
    order_by = "name" if order is InstitutionOrder.NAME else "iri"
    page, offset, total, more = await paged(
        info, "institution", filters, values, "Institution", first=first, after=after, order=order_by
    )
    return connection([Institution(iri=f.iri, loaded=f) for f in page], offset, total, has_next=more)


async def named(info: Info, name: str | None, kind: str) -> list[str] | None:
    """The IRIs of the entities of ``kind`` whose names match ``name`` (``graph.search``), most
    relevant first; None when no name is given."""
    if name is None or not name.strip():
        return None
    try:
        hits = await run_in_threadpool(
            lambda: search(info.context.queries, name, kinds=[kind], limit=None, argument="filter.name")
        )
    except BadArgument as exc:
        raise BadInput(str(exc)) from exc
    return [hit.iri for hit in hits]


async def by_relevance(
    info: Info, filters: list[str], values: Values, ranked: list[str], first: int | None, after: str | None
) -> Connection[Institution]:
    """A page of the ``ranked`` institutions (the search's hits, in their order) that the other
    ``filters`` keep: one query for which they keep (if any other is given), one for the page's facts."""
    offset, size = window(first, after)
    if filters != ["name"]:
        query = bind(sparql.page("institution", filters, order="iri"), LIMIT=len(ranked) + 1, OFFSET=0, P=[], **values)
        kept = {row["e"].text for row in await select(info.context.queries, query) if "e" in row}
        ranked = [iri for iri in ranked if iri in kept]
    chosen = ranked[offset : offset + size]
    predicates = lookahead.predicates(info, "Institution", *lookahead.NODES)
    facts: dict[str, EntityFacts] = {}
    if chosen:
        query = bind(sparql.DETAILS, E=[ox.NamedNode(iri) for iri in chosen], P=Listed(predicates))
        facts = collect(await select(info.context.queries, query), (p.value for p in predicates))
    fetched = frozenset(p.value for p in predicates)
    page = [Institution(iri=iri, loaded=facts.get(iri) or EntityFacts(iri, fetched)) for iri in chosen]
    return connection(page, offset, len(ranked), has_next=offset + size < len(ranked))


async def publications(
    info: Info, where: PublicationFilter | None, first: int | None, after: str | None
) -> Connection[Publication]:
    where = where or PublicationFilter()
    filters: list[str] = []
    values: Values = {}
    if where.institution:
        filters.append("institution")
        values["INSTITUTION"] = [ox.NamedNode(iri) for iri in await resolved(info, where.institution, "institution")]
    if where.country:
        filters.append("country")
        values["COUNTRY"] = [checked(iris.country, c, "filter.country") for c in where.country]
    if where.years and (where.years.start is not None or where.years.end is not None):
        filters.append("years")
        values["FROM"] = [
            ox.Literal(str(where.years.start if where.years.start is not None else -9999), datatype=INTEGER)
        ]
        values["TO"] = [ox.Literal(str(where.years.end if where.years.end is not None else 9999), datatype=INTEGER)]
    if where.title and where.title.strip():
        filters.append("title")
        values["TITLE"] = [needle(where.title)]
    if where.doi:
        filters.append("doi")
        values["DOI"] = [ox.Literal(DOI_PREFIX.sub("", where.doi.strip()).lower())]
    page, offset, total, more = await paged(
        info, "publication", filters, values, "Publication", first=first, after=after, descending=True
    )
    return connection([Publication(iri=f.iri, loaded=f) for f in page], offset, total, has_next=more)


INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)


async def _all(info: Info, cls: ox.NamedNode, kind_name: str, also: Sequence[str]) -> dict[str, EntityFacts]:
    predicates = lookahead.predicates(info, kind_name, *lookahead.NODES, also=also)
    rows = await select(info.context.queries, bind(sparql.ALL_OF_CLASS, CLASS=[cls], P=predicates))
    return collect(rows, (p.value for p in predicates))


def _codes(codes: Sequence[str] | None, argument: str) -> set[str] | None:
    return None if codes is None else {checked(iris.country, c, argument).value for c in codes}


async def countries(
    info: Info, where: CountryFilter | None, first: int | None, after: str | None
) -> Connection[Country]:
    where = where or CountryFilter()
    check_dates(where.as_of, where.during)
    also = ["name", "region", "subRegion", "intermediateRegion"] if where.region else ["name"]
    if where.group is None:
        if where.as_of is not None or where.during is not None:
            raise BadInput("filter.asOf and filter.during date group memberships: give a group with them")
        found = await _all(info, KG.Country, "Country", also)
    else:
        predicates = lookahead.predicates(info, "Country", *lookahead.NODES, also=also)
        group = iris.country_group(where.group.value)
        rows = await select(info.context.queries, bind(sparql.GROUP_MEMBERS, GROUP=[group], P=predicates))
        spans: dict[str, set[tuple[Value | None, Value | None]]] = defaultdict(set)
        for row in rows:
            spans[row["e"].text].add((row.get("start"), row.get("end")))
        members = {e for e, s in spans.items() if any(holds(a, b, where.as_of, where.during) for a, b in s)}
        found = {e: f for e, f in collect(rows, (p.value for p in predicates)).items() if e in members}
    codes = _codes(where.code, "filter.code")
    area = None if where.region is None else checked(iris.m49_area, where.region, "filter.region").value
    ranked = await named(info, where.name, "country")
    rank = None if ranked is None else {iri: n for n, iri in enumerate(ranked)}
    kept = [
        f
        for f in found.values()
        if (codes is None or f.iri in codes)
        and (area is None or area in {*f.texts(KG.region), *f.texts(KG.subRegion), *f.texts(KG.intermediateRegion)})
        and (rank is None or f.iri in rank)
    ]
    ordered = sorted(kept, key=name_key) if rank is None else sorted(kept, key=lambda f: rank[f.iri])
    return paginate([Country(iri=f.iri, loaded=f) for f in ordered], first, after)


async def instruments(
    info: Info, where: InstrumentFilter | None, first: int | None, after: str | None
) -> Connection[Instrument]:
    where = where or InstrumentFilter()
    check_dates(where.active_on, where.during)
    also = ["name", "kind", "countryCode", "start", "end", "signed", "status"]
    if where.party:
        (party,) = [ox.NamedNode(iri) for iri in await resolved(info, where.party, "filter.party")]
        predicates = lookahead.predicates(info, "Instrument", *lookahead.NODES, also=also)
        rows = await select(info.context.queries, bind(sparql.INSTRUMENTS_OF_PARTY, PARTY=[party], P=predicates))
        found = collect(rows, (p.value for p in predicates))
    else:
        found = await _all(info, KG.CooperationInstrument, "Instrument", also)
    codes = _codes(where.country, "filter.country")
    statuses = None if where.status is None else {to_iri(s) for s in where.status}
    kept = [
        f
        for f in found.values()
        if matches_kind(f, where.kind)
        and (codes is None or bool(codes & set(f.texts(KG.country))))
        and (statuses is None or bool(statuses & set(f.texts(KG.status))))
        and holds(
            f.first(SCHEMA.startDate) or f.first(KG.signatureDate),
            f.first(SCHEMA.endDate),
            where.active_on,
            where.during,
        )
    ]
    return paginate([Instrument(iri=f.iri, loaded=f) for f in sorted(kept, key=name_key)], first, after)


async def offices(
    info: Info, as_of: datetime.date | None, during: DateRange | None, first: int | None, after: str | None
) -> Connection[Office]:
    check_dates(as_of, during)
    found = await _all(info, KG.RegionalOffice, "Office", ["name", "start", "end"])
    kept = [f for f in found.values() if holds(f.first(SCHEMA.startDate), f.first(SCHEMA.endDate), as_of, during)]
    ordered = sorted(kept, key=lambda f: (f.text(SCHEMA.startDate) or "", f.iri))
    return paginate([Office(iri=f.iri, loaded=f) for f in ordered], first, after)


async def indicators(
    info: Info, where: IndicatorFilter | None, first: int | None, after: str | None
) -> Connection[Indicator]:
    where = where or IndicatorFilter()
    found = await _all(info, QB.Observation, "Indicator", ["measure", "area", "year", "organisation", "dataset"])
    area = None
    if where.area:
        code = where.area.strip()
        if code.upper() == "ASEAN":
            area = iris.country_group("asean").value
        elif code.isdigit():
            area = checked(iris.m49_area, code, "filter.area").value
        else:
            area = checked(iris.country, code, "filter.area").value
    organisation = None
    if where.organisation:
        (organisation,) = await resolved(info, where.organisation, "filter.organisation")
    measures = None if where.measure is None else {to_iri(m) for m in where.measure}
    kept = [
        f
        for f in found.values()
        if (measures is None or bool(measures & set(f.texts(QB.measureType))))
        and (area is None or area in f.texts(KG.refArea))
        and (where.year is None or any(v.year == where.year for v in f.values(KG.refPeriod)))
        and (organisation is None or organisation in f.texts(KG.refOrganisation))
    ]
    ordered = sorted(kept, key=lambda f: (f.text(QB.dataSet) or "", f.text(QB.measureType) or "", f.iri))
    return paginate([Indicator(iri=f.iri, loaded=f) for f in ordered], first, after)
