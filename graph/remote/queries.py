"""The SPARQL a remote store sends besides its callers' (``graph.remote.store``): one constant each,
filled by ``graph.sparql.bind``. The store's own graphs (``graph.meta.RESERVED``) are left out of
what it reports, as the embedded store leaves them out, and so are the engine's (Virtuoso's).
"""

# The graphs a count leaves out, written in each query below: the engine's own (Virtuoso's three,
# ``graph.remote.client.VIRTUOSO_GRAPHS``: constant IRIs, so written out, as every query here is
# whole, not composed) and the store's (``__RESERVED__``).

# Every graph but the engine's: the dataset of a Virtuoso query with a GRAPH pattern (graph.remote.store).
ENGINE_GRAPHS_LEFT_OUT = """SELECT DISTINCT ?g WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(?g NOT IN (<http://www.openlinksw.com/schemas/virtrdf#>, <http://www.w3.org/ns/ldp#>, <http://localuriqaserver/sparql>))
}"""

SIZES = """SELECT ?g (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(?g NOT IN (<http://www.openlinksw.com/schemas/virtrdf#>, <http://www.w3.org/ns/ldp#>, <http://localuriqaserver/sparql>)
         && !STRSTARTS(STR(?g), __RESERVED__))
} GROUP BY ?g"""
# Named graphs by an empty group: one solution per graph, no scan of their statements. Virtuoso
# answers an empty group with one unbound ?g and has no empty graph: there, the graphs with a
# statement (``..._WITH_STATEMENTS``).
GRAPH_NAMES = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } FILTER(STRSTARTS(STR(?g), __PREFIX__)) }"
GRAPH_NAMES_WITH_STATEMENTS = """SELECT DISTINCT ?g WHERE {
  GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), __PREFIX__))
}"""
HAS_GRAPH = "ASK { GRAPH __GRAPH__ { } }"
HAS_GRAPH_WITH_STATEMENTS = "ASK { GRAPH __GRAPH__ { ?s ?p ?o } }"
# The records, and whether a swap is journalled (``?g`` bound): one query, as it is asked at each read.
RECORDS = """SELECT ?r ?g WHERE {
  { GRAPH __BOOK__ { ?r __RECORD__ ?kind } } UNION { GRAPH __SWAPS__ { ?g ?step ?staged } }
}"""
IN_DEFAULT_GRAPH = "ASK { ?r __RECORD__ ?kind }"  # true when the default graph is the union
MATCH = """SELECT ?s ?p ?o ?g WHERE {
  VALUES (?s ?p ?o ?g) { __ROW__ }
  GRAPH ?g { ?s ?p ?o }
  FILTER(?g NOT IN (<http://www.openlinksw.com/schemas/virtrdf#>, <http://www.w3.org/ns/ldp#>, <http://localuriqaserver/sparql>)
         && !STRSTARTS(STR(?g), __RESERVED__))
}"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH __GRAPH__ { ?s ?p ?o } }"
# Statements of one graph that the other lacks (blank nodes never match: a graph holding them is rewritten).
ONLY_IN = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH __A__ { ?s ?p ?o } FILTER NOT EXISTS { GRAPH __B__ { ?s ?p ?o } } }"
# Not SILENT: were the staging graph gone (a second writer dropped it), MOVE SILENT would empty the
# graph; MOVE fails the whole update instead, and the graph stays as it was (on Oxigraph server;
# Virtuoso empties the graph either way: one writer at a time).
MOVE = "MOVE GRAPH __FROM__ TO GRAPH __TO__"
# The bookkeeping replaced by ONE operation: an engine that commits each operation on its own
# (Virtuoso) never holds it half written. Ground templates, the records read that are gone and the
# new ones (disjoint: Virtuoso deletes and inserts row by row, so a DELETE WHERE of every record
# followed by the insertion of one kept record would lose it).
WRITE_RECORDS = "DELETE { GRAPH __BOOK__ { __OLD__ } } INSERT { GRAPH __BOOK__ { __NEW__ } } WHERE { }"
# The same with the journal of the swaps in chunks (``graph.remote.store``): one operation, so that
# Virtuoso too commits the journal with the generation it belongs to.
WRITE_RECORDS_AND_SWAPS = """DELETE { GRAPH __BOOK__ { __OLD__ } }
INSERT { GRAPH __BOOK__ { __NEW__ } GRAPH __SWAPS__ { __JOURNAL__ } } WHERE { }"""
INSERT_RECORDS_AND_SWAPS = "INSERT DATA { GRAPH __BOOK__ { __NEW__ } GRAPH __SWAPS__ { __JOURNAL__ } }"
# A swap in chunks, each chunk one update of at most __N__ statements, each rerun safely after a kill.
SWAPS = "SELECT ?g ?step ?staged WHERE { GRAPH __SWAPS__ { ?g ?step ?staged } }"
# Trim: the statements of the graph its staging graph lacks, deleted (all of them, the staging graph gone).
TRIM = """DELETE { GRAPH __GRAPH__ { ?s ?p ?o } } WHERE {
  SELECT ?s ?p ?o WHERE { GRAPH __GRAPH__ { ?s ?p ?o } FILTER NOT EXISTS { GRAPH __STAGED__ { ?s ?p ?o } } } LIMIT __N__
}"""
TRIM_LEFT = "ASK { GRAPH __GRAPH__ { ?s ?p ?o } FILTER NOT EXISTS { GRAPH __STAGED__ { ?s ?p ?o } } }"
# Fill: statements MOVED from the staging graph to the graph, so that each chunk takes the first
# ones left (a chunk that copied would scan, and test, every statement copied before it: quadratic).
FILL = """DELETE { GRAPH __STAGED__ { ?s ?p ?o } } INSERT { GRAPH __GRAPH__ { ?s ?p ?o } } WHERE {
  SELECT ?s ?p ?o WHERE { GRAPH __STAGED__ { ?s ?p ?o } } LIMIT __N__
}"""
# What graph.counts counts per graph, for every graph at once.
PREDICATES = """SELECT ?g ?p (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(?g NOT IN (<http://www.openlinksw.com/schemas/virtrdf#>, <http://www.w3.org/ns/ldp#>, <http://localuriqaserver/sparql>)
         && !STRSTARTS(STR(?g), __RESERVED__))
} GROUP BY ?g ?p"""
CLASSES = """SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?c }
  FILTER(isIRI(?c)
         && ?g NOT IN (<http://www.openlinksw.com/schemas/virtrdf#>, <http://www.w3.org/ns/ldp#>, <http://localuriqaserver/sparql>)
         && !STRSTARTS(STR(?g), __RESERVED__))
} GROUP BY ?g ?c"""
