"""HTTP: the app (``api.app.create_app``) and its endpoints.

``sparql`` (SPARQL 1.1 Protocol, guarded by ``sparql_guard``), ``graphstore`` (Graph Store
Protocol), ``linkeddata`` (``/id/`` pages), ``void``, ``export`` (network files and the explorer),
``graphql/``; around them ``workers`` (queries in killable processes), ``errors`` (the one map from
typed errors to statuses), ``refs`` (every spelling of an entity), ``negotiation``, ``auth`` and
``writes``, ``middleware`` and ``server`` (connection limits). Imports ``graph`` and ``ontology``.
"""
