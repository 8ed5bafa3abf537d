"""HTTP: the app (``api.app.create_app``) and its endpoints.

``sparql`` (SPARQL 1.1 Protocol, guarded by ``sparql_guard``), ``graphstore`` (Graph Store
Protocol), ``linkeddata`` (``/id/`` pages), ``graph_page`` (``/graph/``), ``ontology_page``
(``/ontology``), ``rules_page`` (``/rules/``), ``void``, ``export`` (network files and the
explorer), ``graphql/``; around them ``paths`` (the project's IRIs and their local paths),
``html`` (the pages' shell), ``jsonld`` (compacted JSON-LD), ``workers`` (queries in killable
processes), ``errors`` (the one map from typed errors to statuses), ``refs`` (every spelling of an
entity), ``negotiation`` (RFC 9110), ``auth`` and ``writes``, ``middleware`` (compression, CORS,
access log), ``caching`` (ETag, 304, Cache-Control) and ``server`` (connection limits). Imports
``graph`` and ``ontology``.
"""
