"""The SPARQL of the entity read model, as constants with ``__NAME__`` slots that ``graph.sparql.bind``
fills with terms and integers, and the functions that put their fragments together by name.

A query that lists entities also returns their facts (``?e ?p ?o ?g``, for the predicates the
selected fields need), so one nesting level of a GraphQL query is one SPARQL query: the page and
what it shows, or the edges of a relation and their far ends. Fragments (``RELATIONS``, the
filters of the pages, the orders) are constants too, chosen by name (``relation``, ``page``):
nothing a caller wrote becomes query text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from graph.links import ALL_YEARS, links_query, network_graph
from graph.sparql import PROLOGUE

# The facts of a set of entities (``?e`` in ``__E__``), predicate by predicate, with their graphs.
FACTS = "{ VALUES ?p { __P__ } GRAPH ?g { ?e ?p ?o } }"

# The facts of entities named by IRI (``__P__``: ``sparql.Listed`` predicates). Each entity's statements
# are read, then filtered: with the predicates as ``VALUES`` (``FACTS``) Oxigraph may first read every
# statement of one of them (``rdf:type``: 0.5 to 2 s at 100,000 works, for 25 entities; this way 2 ms).
DETAILS = PROLOGUE + "SELECT ?e ?p ?o ?g WHERE { VALUES ?e { __E__ } GRAPH ?g { ?e ?p ?o } FILTER(?p IN (__P__)) }"

# Entities carrying an identifier (``kg:rorId``, ``kg:halStructureId``, ``kg:openAlexId``).
BY_IDENTIFIER = PROLOGUE + "SELECT DISTINCT ?e WHERE { VALUES ?id { __ID__ } VALUES ?p { __P__ } ?e ?p ?id }"

# -- relations: ?key (the entities of a level) -> ?e (the far ends), with edge attributes --------

RELATIONS: dict[str, str] = {
    # instruments an institution is a party of, or a unit concerned by
    "institution_instruments": """
      { GRAPH ?mg { ?m org:member ?key ; org:organization ?e } ?e a kg:CooperationInstrument .
        OPTIONAL { ?m org:role ?role } OPTIONAL { ?m schema:startDate ?start } OPTIONAL { ?m schema:endDate ?end } }
      UNION
      { GRAPH ?mg { ?e kg:concernsUnit ?key } BIND(kg:concernsUnit AS ?via) }""",
    "instrument_parties": """
      ?key kg:hasParty ?m . GRAPH ?mg { ?m org:member ?e }
      OPTIONAL { ?m org:role ?role } OPTIONAL { ?m schema:startDate ?start } OPTIONAL { ?m schema:endDate ?end }
      OPTIONAL { ?m skos:note ?note }""",
    "instrument_labs": "GRAPH ?mg { ?key kg:concernsUnit ?e }",
    "instrument_predecessors": "GRAPH ?mg { ?key kg:predecessorInstrument ?e }",
    "institution_parents": """
      { GRAPH ?mg { ?key org:subOrganizationOf ?e } BIND(org:subOrganizationOf AS ?via) }
      UNION { GRAPH ?mg { ?e org:hasSubOrganization ?key } BIND(org:subOrganizationOf AS ?via) }
      UNION { GRAPH ?mg { ?key kg:supervisingBody ?e } BIND(kg:supervisingBody AS ?via) }
      UNION { GRAPH ?mg { ?e kg:supervises ?key } BIND(kg:supervisingBody AS ?via) }
      UNION { GRAPH ?mg { ?key org:unitOf ?e } BIND(org:unitOf AS ?via) }
      UNION { GRAPH ?mg { ?e org:hasUnit ?key } BIND(org:unitOf AS ?via) }
      OPTIONAL { ?key schema:startDate ?start } OPTIONAL { ?key schema:endDate ?end }""",
    "institution_children": """
      { GRAPH ?mg { ?e org:subOrganizationOf ?key } BIND(org:subOrganizationOf AS ?via) }
      UNION { GRAPH ?mg { ?key org:hasSubOrganization ?e } BIND(org:subOrganizationOf AS ?via) }
      UNION { GRAPH ?mg { ?e kg:supervisingBody ?key } BIND(kg:supervisingBody AS ?via) }
      UNION { GRAPH ?mg { ?key kg:supervises ?e } BIND(kg:supervisingBody AS ?via) }
      UNION { GRAPH ?mg { ?e org:unitOf ?key } BIND(org:unitOf AS ?via) }
      UNION { GRAPH ?mg { ?key org:hasUnit ?e } BIND(org:unitOf AS ?via) }
      OPTIONAL { ?e schema:startDate ?start } OPTIONAL { ?e schema:endDate ?end }""",
    "country_groups": """
      GRAPH ?mg { ?m org:member ?key ; org:organization ?e } ?e a kg:CountryGroup .
      OPTIONAL { ?m schema:startDate ?start } OPTIONAL { ?m schema:endDate ?end }""",
    "group_members": """
      GRAPH ?mg { ?m org:organization ?key ; org:member ?e }
      OPTIONAL { ?m schema:startDate ?start } OPTIONAL { ?m schema:endDate ?end }""",
    "office_countries": "GRAPH ?mg { ?key kg:coversCountry ?e }",
    "office_instruments": "GRAPH ?mg { ?key kg:manages ?e }",
    "instrument_offices": "GRAPH ?mg { ?e kg:manages ?key }",
    "publication_institutions": "GRAPH ?mg { ?key kg:affiliatedInstitution ?e }",
    "publication_countries": "GRAPH ?mg { ?key kg:affiliatedCountry ?e }",
}

# Edge rows (``?key`` bound) and, in the other branch, the facts of the far ends (``?p`` bound):
# a union, not a join, so an entity reached by several edges brings its facts once.
RELATION = (
    PROLOGUE
    + """SELECT ?key ?e ?m ?mg ?via ?role ?start ?end ?note ?p ?o ?g WHERE {
  { SELECT DISTINCT ?key ?e ?m ?mg ?via ?role ?start ?end ?note WHERE { VALUES ?key { __KEYS__ } __PATTERN__ } }
  UNION
  { { SELECT DISTINCT ?e WHERE { VALUES ?key { __KEYS__ } __PATTERN__ } } """
    + FACTS
    + """ }
}"""
)


def relation(name: str) -> str:
    """``RELATION`` over the pattern ``RELATIONS[name]`` (its ``__KEYS__`` and ``__P__`` still to bind)."""
    return RELATION.replace("__PATTERN__", RELATIONS[name])


def copublications(keys: Sequence[ox.NamedNode], years: Sequence[int] | None) -> str:
    """The co-publication links of the institutions ``keys``, bound: over all years (their first and last
    year), or those of each year of ``years`` (``graph.links.LINKS``, the one reader of the network)."""
    if years is None:
        return PROLOGUE + links_query("around", "years", [network_graph(ALL_YEARS)], keys)
    return PROLOGUE + links_query("around", "year", [network_graph(str(y)) for y in years], keys)


# -- root lists --------------------------------------------------------------------------------

# Every entity of one class, with facts (the small collections: countries, instruments, offices,
# indicators); filtered and paged by the resolver.
ALL_OF_CLASS = PROLOGUE + "SELECT ?e ?p ?o ?g WHERE { VALUES ?class { __CLASS__ } ?e a ?class . " + FACTS + " }"

# The members of a country group, with their membership dates, and their facts.
GROUP_MEMBERS = (
    PROLOGUE
    + """SELECT ?e ?start ?end ?p ?o ?g WHERE {
  VALUES ?group { __GROUP__ }
  ?m org:organization ?group ; org:member ?e .
  OPTIONAL { ?m schema:startDate ?start } OPTIONAL { ?m schema:endDate ?end }
  OPTIONAL """
    + FACTS
    + " }"
)

# Instruments with a party (or a concerned unit), and their facts.
INSTRUMENTS_OF_PARTY = (
    PROLOGUE
    + """SELECT ?e ?p ?o ?g WHERE {
  VALUES ?party { __PARTY__ }
  { ?e kg:hasParty/org:member ?party } UNION { ?e kg:concernsUnit ?party }
  ?e a kg:CooperationInstrument .
  """
    + FACTS
    + " }"
)

# Institutions: one page, filtered and ordered in SPARQL, with the facts of its entries, and the
# number of matches when asked (``INSTITUTION_COUNT`` in place of ``__COUNT__``, else nothing).
# __FILTERS__ holds fragments of ``INSTITUTION_FILTERS`` (constants), each reading its own VALUES.
INSTITUTION_PAGE = (
    PROLOGUE
    + """SELECT ?e ?sort ?total ?p ?o ?g WHERE {
  {
    {
      SELECT ?e ?sort WHERE {
        { SELECT ?e (MIN(LCASE(STR(?label))) AS ?sort) WHERE {
            __FILTERS__
            ?e a org:Organization .
            OPTIONAL { ?e rdfs:label ?label }
          } GROUP BY ?e }
      } ORDER BY __ORDER__ LIMIT __LIMIT__ OFFSET __OFFSET__
    }
    OPTIONAL """
    + FACTS
    + """
  }
  __COUNT__
}"""
)
INSTITUTION_COUNT = """UNION { SELECT (COUNT(DISTINCT ?e) AS ?total) WHERE {
    __FILTERS__
    ?e a org:Organization .
  } }"""
ORDERS = {"name": "?sort ?e", "iri": "?e"}

# Each binds ?e to the institutions it keeps, reading its own VALUES.
INSTITUTION_FILTERS: dict[str, str] = {
    "country": "VALUES ?country { __COUNTRY__ } ?e kg:country ?country .",
    "region": """VALUES ?area { __REGION__ } ?e kg:country ?inRegion .
      ?inRegion kg:region|kg:subRegion|kg:intermediateRegion ?area .""",
    "type": "VALUES ?type { __TYPE__ } ?e kg:organisationType ?type .",
    "category": "VALUES ?category { __CATEGORY__ } ?e a ?category .",
    "name": "VALUES ?e { __NAME__ }",  # the hits of graph.search, which ranks them
    "partner_of": """{ SELECT DISTINCT ?e WHERE { VALUES ?partner { __PARTNER__ }
        { ?pm org:member ?partner ; org:organization ?pi . ?em org:organization ?pi ; org:member ?e }
        UNION { ?pi kg:concernsUnit ?partner ; kg:hasParty/org:member ?e }
        UNION { ?pi kg:concernsUnit ?e ; kg:hasParty/org:member ?partner }
        UNION { GRAPH <https://w3id.org/cnrs-kg/graph/network/all> {
                  { ?pl kg:linkSource ?partner ; kg:linkTarget ?e }
                  UNION { ?pl kg:linkTarget ?partner ; kg:linkSource ?e }
                  ?pl kg:internal false } }
        FILTER(?e != ?partner) } }""",
    "instrument_kind": """{ SELECT DISTINCT ?e WHERE { VALUES ?ikind { __IKIND__ } ?ii kg:instrumentKind ?ikind .
        { ?im org:organization ?ii ; org:member ?e } UNION { ?ii kg:concernsUnit ?e } } }""",
}

# Publications: one page, newest first (and the number of matches, as for institutions).
PUBLICATION_PAGE = (
    PROLOGUE
    + """SELECT ?e ?sort ?total ?p ?o ?g WHERE {
  {
    {
      SELECT ?e (MAX(STR(?year)) AS ?sort) WHERE {
        ?e a fabio:Expression .
        __FILTERS__
        OPTIONAL { ?e fabio:hasPublicationYear ?year }
      } GROUP BY ?e ORDER BY DESC(?sort) ?e LIMIT __LIMIT__ OFFSET __OFFSET__
    }
    OPTIONAL """
    + FACTS
    + """
  }
  __COUNT__
}"""
)
PUBLICATION_COUNT = """UNION { SELECT (COUNT(DISTINCT ?e) AS ?total) WHERE {
    ?e a fabio:Expression .
    __FILTERS__
  } }"""
PUBLICATION_FILTERS: dict[str, str] = {
    "institution": "VALUES ?inst { __INSTITUTION__ } ?e kg:affiliatedInstitution ?inst .",
    "country": "VALUES ?country { __COUNTRY__ } ?e kg:affiliatedCountry ?country .",
    "years": """VALUES (?from ?to) { (__FROM__ __TO__) } ?e fabio:hasPublicationYear ?y .
      BIND(xsd:integer(SUBSTR(STR(?y), 1, 4)) AS ?yn) FILTER(?yn >= ?from && ?yn <= ?to)""",
    "title": """VALUES ?needle { __TITLE__ } ?e dcterms:title ?title . FILTER(CONTAINS(LCASE(STR(?title)), ?needle))""",
    "doi": "VALUES ?doi { __DOI__ } ?e bibo:doi ?doi .",
}

PAGES = {
    "institution": (INSTITUTION_PAGE, INSTITUTION_COUNT, INSTITUTION_FILTERS),
    "publication": (PUBLICATION_PAGE, PUBLICATION_COUNT, PUBLICATION_FILTERS),
}


def page(kind: str, filters: Iterable[str], *, order: str = "name", count: bool = False) -> str:
    """The page query of ``kind`` (a key of ``PAGES``) with the ``filters`` named (keys of its filters),
    in the ``order`` named (a key of ``ORDERS``), counting the matches when ``count``; the terms of
    the filters, ``__LIMIT__`` and ``__OFFSET__`` are still to bind."""
    template, counter, fragments = PAGES[kind]
    chosen = "\n".join(fragments[name] for name in filters)
    return (
        template.replace("__FILTERS__", chosen)
        .replace("__COUNT__", counter.replace("__FILTERS__", chosen) if count else "")
        .replace("__ORDER__", ORDERS[order])
    )
