"""The SPARQL a remote store sends besides its callers' (``graph.remote.store``): one constant each,
filled by ``graph.sparql.bind``. The store's own graphs (``graph.meta.RESERVED``) are left out of
what it reports, as the embedded store leaves them out.
"""

SIZES = """SELECT ?g (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), __RESERVED__))
} GROUP BY ?g"""
# Named graphs by an empty group: one solution per graph, no scan of their statements.
GRAPH_NAMES = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), __PREFIX__)) }"
RECORDS = "SELECT ?r WHERE { GRAPH __BOOK__ { ?r __RECORD__ ?kind } }"
IN_DEFAULT_GRAPH = "ASK { ?r __RECORD__ ?kind }"  # true when the default graph is the union
MATCH = """SELECT ?s ?p ?o ?g WHERE {
  VALUES (?s ?p ?o ?g) { __ROW__ }
  GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), __RESERVED__))
}"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH __GRAPH__ { ?s ?p ?o } }"
# Statements of one graph that the other lacks (blank nodes never match: a graph holding them is rewritten).
ONLY_IN = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH __A__ { ?s ?p ?o } FILTER NOT EXISTS { GRAPH __B__ { ?s ?p ?o } } }"
# Not SILENT: were the staging graph gone (a second writer dropped it), MOVE SILENT would empty the
# graph; MOVE fails the whole update instead, and the graph stays as it was.
MOVE = "MOVE GRAPH __FROM__ TO GRAPH __TO__"
# What graph.counts counts per graph, for every graph at once.
PREDICATES = """SELECT ?g ?p (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), __RESERVED__))
} GROUP BY ?g ?p"""
CLASSES = """SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?c } FILTER(isIRI(?c) && !STRSTARTS(STR(?g), __RESERVED__))
} GROUP BY ?g ?c"""
