"""GraphQL over the knowledge graph (strawberry), at ``/graphql``.

A thin layer: types say what researchers ask about (institutions, countries, instruments,
publications, indicators, partners, networks, paths, trends), resolvers read the store through
``request.state.queries`` (a ``graph.Queryable``) and ``graph.explore``, and every node says where
its facts come from (``sources``).

- Ids: a node's ``id`` is a Relay global id, the base64 of ``<Type>:<entity IRI>``
  (``Institution:https://w3id.org/cnrs-kg/id/org/ror/02feahw73``); ``iri`` gives the IRI itself.
  Arguments naming an entity also take IRIs and friendly ids (``CNRS``, ``02feahw73``, ``SG``):
  see ``api.refs``.
- Cost: each nesting level of a query is one SPARQL query at most, batched per request by the
  DataLoaders of ``dataloaders`` with ``VALUES``; lists are Relay connections (``first`` <= 100).
- Reading: the queries and the facts they read are the read model of ``graph.entities``; what each
  node type reads (its classes, and each field's predicates) is ``mapping``.
- Guard: before a request runs, ``guard`` bounds its size, depth (``limits``) and estimated cost
  (``cost``); parsing, validation and execution run in a worker thread, off the server's event
  loop (``schema.Schema``), and the whole request within the server's time budget (``recording``).
- ``explain``: ``extensions.explain`` lists the SPARQL queries a request ran (see ``explain``).
- Errors: ``errors`` (codes, masking and logging); HTTP: ``http`` (graphql-response+json, 4xx).

Public names: ``schema`` (the strawberry schema), ``routes`` (the Starlette routes), ``Context``,
``RecordingQueries``, ``MAX_DEPTH``, ``MAX_TOKENS``, ``MAX_PAGE``.
"""

from api.graphql.context import Context
from api.graphql.http import routes
from api.graphql.recording import RecordingQueries
from api.graphql.schema import MAX_DEPTH, MAX_PAGE, MAX_TOKENS, schema

__all__ = ["MAX_DEPTH", "MAX_PAGE", "MAX_TOKENS", "Context", "RecordingQueries", "routes", "schema"]
