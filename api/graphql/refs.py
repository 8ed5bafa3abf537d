"""How arguments name an entity: a global id, an IRI, or a friendly identifier.

``partners(of:)``, ``network(seeds:)``, ``path(from:, to:)``, ``trend(a:, b:)`` and the filters
that name an institution or a country accept any of:

- a global id (``id`` of a node) or an entity IRI (``https://w3id.org/cnrs-kg/id/...``);
- ``CNRS`` (the CNRS itself), a ROR id (``02feahw73``, or ``https://ror.org/02feahw73``);
- an ISO 3166-1 alpha-2 country code (``SG``);
- a HAL structure id (``hal:441569``) or an OpenAlex institution id (``I1294671590``), found through
  the store's identifiers, then the bundled crosswalk, then the IRI the loaders mint for them.

>>> syntactic("CNRS"), syntactic("sg"), syntactic("02FEAHW73")
('https://w3id.org/cnrs-kg/id/org/ror/02feahw73', 'https://w3id.org/cnrs-kg/id/country/SG', 'https://w3id.org/cnrs-kg/id/org/ror/02feahw73')
"""

from __future__ import annotations

import base64
import binascii
import re

import pyoxigraph as ox

from api.graphql import queries as sparql
from api.graphql.errors import BadInput
from api.graphql.rdf import bind, select
from graph import Queryable
from loaders.crosswalk import crosswalk
from ontology import KG, iris

HAL = re.compile(r"^(?:hal:)?(\d+)$", re.IGNORECASE)
OPENALEX = re.compile(r"^(?:https?://openalex\.org/)?(I\d+)$", re.IGNORECASE)


def from_global_id(value: str) -> tuple[str, str] | None:
    """(type name, IRI) of a global id; None if ``value`` is not one."""
    try:
        decoded = base64.b64decode(value.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, sep, node_id = decoded.partition(":")
    if not sep or not type_name.isidentifier() or not node_id.startswith(("http://", "https://", "urn:")):
        return None
    return type_name, node_id


def syntactic(value: str) -> str | None:
    """The IRI ``value`` names without looking anything up (None: a HAL or OpenAlex id, or unknown)."""
    text = value.strip()
    if text.upper() == "CNRS":
        return iris.ror_org(iris.CNRS_ROR).value
    if text.startswith(("http://", "https://")) and not text.startswith(("https://ror.org/", "http://ror.org/")):
        if OPENALEX.match(text):
            return None
        try:
            return ox.NamedNode(text).value
        except ValueError as exc:
            raise BadInput(f"{value!r} is not a valid IRI") from exc
    found = from_global_id(text)
    if found is not None:
        return found[1]
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return iris.country(text).value
    try:
        return iris.ror_org(text).value
    except iris.InvalidIdentifier:
        return None


async def lookup_identifier(queries: Queryable, predicate: ox.NamedNode, value: str) -> list[str]:
    """Entities carrying ``predicate`` ``value`` in the store."""
    rows = await select(queries, bind(sparql.BY_IDENTIFIER, ID=[ox.Literal(value)], P=[predicate]))
    return sorted(r["e"].text for r in rows if "e" in r)


async def hal_candidates(queries: Queryable, value: str) -> list[str]:
    bare = str(int(value))
    found = await lookup_identifier(queries, KG.halStructureId, bare)
    ror = crosswalk().hal_to_ror.get(bare)
    return list(dict.fromkeys([*found, *([iris.ror_org(ror).value] if ror else []), iris.hal_org(bare).value]))


async def openalex_candidates(queries: Queryable, value: str) -> list[str]:
    bare = iris.openalex_id(value)
    found = await lookup_identifier(queries, KG.openAlexId, bare)
    ror = crosswalk().openalex_to_ror.get(bare)
    return list(dict.fromkeys([*found, *([iris.ror_org(ror).value] if ror else []), iris.openalex_org(bare).value]))


async def resolve_ref(queries: Queryable, value: str, argument: str) -> str:
    """The IRI an argument names (see the module docstring); ``BadInput`` if it names nothing."""
    direct = syntactic(value)
    if direct is not None:
        return direct
    text = value.strip()
    if (m := HAL.match(text)) is not None:
        return (await hal_candidates(queries, m.group(1)))[0]
    if (m := OPENALEX.match(text)) is not None:
        return (await openalex_candidates(queries, m.group(1)))[0]
    raise BadInput(
        f"{argument}: {value!r} names no entity; give a global id, an IRI, CNRS, a ROR id (02feahw73), "
        "a country code (SG), hal:<structure id> or an OpenAlex id (I1294671590)"
    )
