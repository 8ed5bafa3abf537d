"""Every spelling of an entity -> its IRI: the one resolver of GraphQL, ``/export``, ``/explore`` and
``cnrs-kg export --seed``.

Forms (the same on every interface; spaces around them are ignored):

==================  ==================================================  =========================================
form                examples                                            names
==================  ==================================================  =========================================
node IRI            ``https://w3id.org/cnrs-kg/id/country/VN``          itself
prefixed name       ``instrument:irl-ipal``, ``group:asean``            expanded with ``ontology.PREFIXES``
Relay global id     ``SW5zdGl0dXRpb246aHR0cHM6Ly93M2lk...`` (GraphQL)   the IRI inside (base64 of ``Type:IRI``)
the CNRS            ``CNRS`` (any case)                                 ``org/ror/02feahw73``
ROR id              ``02feahw73``, ``ror:02feahw73``,                   ``org/ror/<id>``; the shape (0, six
                    ``https://ror.org/02feahw73``, ``http://ror.org/…``  Crockford base-32 characters, two check
                                                                        digits) and the ISO 7064 mod 97-10 check
                                                                        digits are verified
OpenAlex id         ``I1294671590``, ``i1294671590``,                   the entity carrying ``kg:openAlexId``, else
                    ``https://openalex.org/I1294671590``,               the crosswalk's ROR organisation, else
                    works: ``W2741809807``                              ``org/openalex/<id>`` (``work/openalex/``)
HAL structure id    ``hal:441569`` (``441569`` alone, as GraphQL had)   the entity carrying ``kg:halStructureId``,
                                                                        else the crosswalk's ROR organisation,
                                                                        else ``org/hal/<id>``
country             ``VN``, ``vnm``, ``country:VN``, ``country:VNM``    ``country/<alpha-2>``; an ISO 3166-1
                                                                        alpha-3 code through ``kg:alpha3``
UN M49 region       ``region:035``, ``area:035``                        ``area/m49/035`` (South-eastern Asia)
group, instrument,  ``ASEAN``, ``asean``, ``irl-ipal``, ``hanoi``       the first the store holds of
office (bare name)                                                      ``group/<name>``, ``instrument/<name>``,
                                                                        ``office/<name>`` (lower case)
publication (DOI)   ``10.7717/peerj.4375``, ``doi:10.7717/…``,          ``work/doi/<DOI in lower case>``
                    ``https://doi.org/10.7717/…``
==================  ==================================================  =========================================

The crosswalk is ``data/crosswalks/identifiers.csv`` (``loaders.crosswalk``). Any other text with a
letter is a **name** (``Centre national de la recherche scientifique``, ``Viet Nam``, ``Thales``):
it names the one entity one of whose names or acronyms it is, accents and case aside
(``graph.search``); a name several entities bear (``CNRS`` is also Lebanon's research council,
but the bare ``CNRS`` form comes first) is refused, listing them.

``parse`` reads a reference without the store, ``BadArgument`` if no form fits. ``resolve`` then
asks the store, in one constant query for a whole batch (``LOOKUP``: the candidate IRIs and the
identifiers enter it as ``VALUES`` of pyoxigraph terms, never as user text), which entity each
reference names, and raises ``BadArgument`` naming the first that names nothing the store holds (a
seed for nothing would be a one-node network). Messages start with the argument as the interface
spells it (``seeds: ...``), so the command line can put its option name there.

>>> [iri.value for iri in parse("https://ror.org/02feahw73").iris]
['https://w3id.org/cnrs-kg/id/org/ror/02feahw73']
>>> {parse(text).iris for text in ("CNRS", "ror:02FEAHW73", "http://ror.org/02feahw73")} == {parse("02feahw73").iris}
True
>>> parse("country:vn").iris[0].value
'https://w3id.org/cnrs-kg/id/country/VN'
>>> [(p.value, v.value) for p, v in parse("vnm").identifiers]
[('https://w3id.org/cnrs-kg/ontology#alpha3', 'VNM')]
>>> [iri.value for iri in parse("hal:441569").iris]
['https://w3id.org/cnrs-kg/id/org/ror/02feahw73', 'https://w3id.org/cnrs-kg/id/org/hal/441569']
>>> [iri.value.rsplit("/id/", 1)[1] for iri in parse("ASEAN").iris]
['group/asean', 'instrument/asean', 'office/asean']
>>> parse("region:35").iris[0].value
'https://w3id.org/cnrs-kg/id/area/m49/035'
>>> parse("https://doi.org/10.7717/PeerJ.4375").iris[0].value
'https://w3id.org/cnrs-kg/id/work/doi/10.7717/peerj.4375'
>>> parse("02feahw74", "of")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.errors.BadArgument: of: '02feahw74' is not a ROR id: its check digits would be 73, not 74; ...

With a store (here an in-memory one holding a single fact about the CNRS):

>>> store = ox.Store()
>>> store.add(ox.Quad(iris.ror_org("02feahw73"), KG.rorId, ox.Literal("02feahw73")))
>>> resolve(store, [parse("I1294671590"), parse("hal:441569"), parse("CNRS")])
['https://w3id.org/cnrs-kg/id/org/ror/02feahw73', 'https://w3id.org/cnrs-kg/id/org/ror/02feahw73', 'https://w3id.org/cnrs-kg/id/org/ror/02feahw73']
>>> resolve(store, [parse("CNRS"), parse("ror:01tgyzw49")])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.errors.BadArgument: seeds: 'ror:01tgyzw49' names nothing in this store; give an institution, ...
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool

from graph import BadArgument, Queryable
from graph.reconcile import GRAPH as RECONCILED
from graph.search import search
from graph.sparql import bind
from loaders.crosswalk import crosswalk
from ontology import KG, PREFIXES, iris

__all__ = ["LOOKUP", "Ref", "from_global_id", "lookup", "parse", "resolve", "resolve_async", "resolving"]

# The candidates each reference may name, and the entities carrying each identifier (a predicate
# and its value, in pairs), written by ``graph.sparql.bind``.
# An entity the reconciliation matched with a ROR organisation (``graph.reconcile``) names that
# organisation: the network counts the two as one, under the ROR node.
LOOKUP = """SELECT DISTINCT ?e ?p ?id ?same WHERE {
  { VALUES ?e { __IRIS__ } FILTER EXISTS { ?e ?x ?y } }
  UNION
  { VALUES (?p ?id) { __IDS__ } ?e ?p ?id }
  OPTIONAL { GRAPH __RECONCILED__ { ?e <http://www.w3.org/2004/02/skos/core#exactMatch> ?same } }
}"""

FORMS = (
    "give an entity IRI, a global id, CNRS, a ROR id (02feahw73, ror:02feahw73, https://ror.org/02feahw73), "
    "an OpenAlex id (I1294671590), hal:441569, a country code (VN, VNM, country:VN), a region (region:035), "
    "a group (ASEAN), an instrument (irl-ipal), a DOI (10.7717/peerj.4375) or an organisation's exact name"
)
NAME_CANDIDATES = 20  # the best hits of a name searched for the entities bearing it exactly
_SPECIAL = {"ror", "country", "hal", "doi", "region"}  # prefixes read here, not expanded with PREFIXES
_ROR_URL = re.compile(r"^https?://ror\.org/(.*)$", re.IGNORECASE)
_OPENALEX = re.compile(r"^(?:https?://openalex\.org/)?([IW]\d+)$", re.IGNORECASE)
_DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_COUNTRY = re.compile(r"^[A-Za-z]{2,3}$")
# Crockford's base-32 digits (no i, l, o, u) onto Python's base-32 digits 0-9a-v, for int(..., 32).
_CROCKFORD = str.maketrans("abcdefghjkmnpqrstvwxyz", "abcdefghijklmnopqrstuv")


@dataclass(frozen=True)
class Ref:
    """A reference as read without the store: what it may name, preferred first.

    ``identifiers`` are (predicate, value) pairs: an entity carrying one is the answer; else the
    first of ``iris`` the store holds.
    """

    text: str
    argument: str
    iris: tuple[ox.NamedNode, ...] = ()
    identifiers: tuple[tuple[ox.NamedNode, ox.Literal], ...] = ()
    name: str | None = None  # a name, when no other form names an entity: the one entity of that exact name


def from_global_id(value: str) -> tuple[str, str] | None:
    """(type name, IRI) of a Relay global id; None if ``value`` is not one.

    >>> from_global_id("Q291bnRyeTpodHRwczovL3czaWQub3JnL2NucnMta2cvaWQvY291bnRyeS9WTg==")
    ('Country', 'https://w3id.org/cnrs-kg/id/country/VN')
    >>> from_global_id("CNRS") is None
    True
    >>> from_global_id(base64.b64encode(b"Country:https://x/a>b").decode()) is None
    True
    """
    try:
        decoded = base64.b64decode(value.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, sep, node_id = decoded.partition(":")
    if not sep or not type_name.isidentifier() or not node_id.startswith(("http://", "https://", "urn:")):
        return None
    try:
        ox.NamedNode(node_id)  # an id whose IRI holds '>' or a space names nothing
    except ValueError:
        return None
    return type_name, node_id


def ror_check_digits(body: str) -> int:
    """The ISO 7064 mod 97-10 check digits of a ROR id's six base-32 characters (as ROR mints them).

    >>> ror_check_digits("2feahw")
    73
    """
    number = int(body.lower().translate(_CROCKFORD), 32)
    return 98 - (number * 100) % 97


def parse(text: str, argument: str = "seeds") -> Ref:
    """What ``text`` may name (see the module docstring); ``BadArgument`` if it is no reference."""
    value = text.strip()
    prefix, colon, local = value.partition(":")
    if value.upper() == "CNRS":
        return Ref(text, argument, (iris.ror_org(iris.CNRS_ROR),))
    if (m := _ROR_URL.match(value)) is not None:
        return _ror(text, argument, m.group(1))
    if (m := _OPENALEX.match(value)) is not None:
        return _openalex(text, argument, m.group(1))
    if (m := _DOI.match(value)) is not None:
        return Ref(text, argument, (iris.work_doi(m.group(1)),))
    if value.startswith(("http://", "https://")):
        return Ref(text, argument, (_iri(text, argument, value),))
    if colon and prefix.lower() in _SPECIAL:
        return _prefixed(text, argument, prefix.lower(), local.strip())
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return Ref(text, argument, (_iri(text, argument, PREFIXES[prefix] + local),))
    if (found := from_global_id(value)) is not None:
        return Ref(text, argument, (_iri(text, argument, found[1]),))
    return _bare(text, argument, value)


def _bare(text: str, argument: str, value: str) -> Ref:
    """A ROR id, a country code or a HAL structure id, without a prefix."""
    if len(value) == 9 and value[0] == "0":
        return _ror(text, argument, value)
    if _COUNTRY.match(value):
        return _country(text, argument, value)
    if value.isdigit():
        return _hal(text, argument, value)
    if iris.SLUG_PATTERN.match(key := value.lower()):
        # A name of the project's own: a group of countries, an instrument, an office (the first
        # held), else the one entity of that name ("Thales").
        return Ref(text, argument, (iris.country_group(key), iris.instrument(key), iris.office(key)), name=value)
    if any(c.isalpha() for c in value) and "\n" not in value:
        return Ref(text, argument, name=value)
    raise BadArgument(f"{argument}: {text!r} names no entity; {FORMS}")


def _prefixed(text: str, argument: str, prefix: str, local: str) -> Ref:
    if prefix == "ror":
        return _ror(text, argument, local)
    if prefix == "country" and _COUNTRY.match(local):
        return _country(text, argument, local)
    if prefix == "hal" and local.isdigit():
        return _hal(text, argument, local)
    if prefix == "doi" and (m := _DOI.match(local)) is not None:
        return Ref(text, argument, (iris.work_doi(m.group(1)),))
    if prefix == "region" and local.isdigit() and len(local) <= 3:
        return Ref(text, argument, (iris.m49_area(local),))
    raise BadArgument(f"{argument}: {text!r} names no entity; {FORMS}")


def _iri(text: str, argument: str, value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise BadArgument(f"{argument}: {text!r} is not a valid IRI ({exc}); {FORMS}") from None


def _ror(text: str, argument: str, value: str) -> Ref:
    bare = value.strip().lower()
    if not iris.ROR_PATTERN.match(bare):
        raise BadArgument(
            f"{argument}: {text!r} is not a ROR id (0, six characters of 0-9 and a-z but i, l, o, u, "
            "then two check digits, such as 02feahw73)"
        )
    expected = ror_check_digits(bare[1:7])
    if int(bare[7:]) != expected:
        raise BadArgument(
            f"{argument}: {text!r} is not a ROR id: its check digits would be {expected:02d}, not {bare[7:]}; "
            "copy the id again from ror.org"
        )
    return Ref(text, argument, (iris.ror_org(bare),))


def _openalex(text: str, argument: str, value: str) -> Ref:
    bare = value.upper()
    carried = ((KG.openAlexId, ox.Literal(bare)),)
    if bare.startswith("W"):
        return Ref(text, argument, (iris.work_openalex(bare),), carried)
    ror = crosswalk().openalex_to_ror.get(bare)
    return Ref(text, argument, (*([iris.ror_org(ror)] if ror else []), iris.openalex_org(bare)), carried)


def _hal(text: str, argument: str, value: str) -> Ref:
    bare = str(int(value))
    ror = crosswalk().hal_to_ror.get(bare)
    carried = ((KG.halStructureId, ox.Literal(bare)),)
    return Ref(text, argument, (*([iris.ror_org(ror)] if ror else []), iris.hal_org(bare)), carried)


def _country(text: str, argument: str, value: str) -> Ref:
    code = value.upper()
    if len(code) == 2:
        return Ref(text, argument, (iris.country(code),))
    return Ref(text, argument, identifiers=((KG.alpha3, ox.Literal(code)),))


def lookup(queries: Queryable, refs: Sequence[Ref]) -> list[str | None]:
    """The IRI each reference names in the store, None where it names nothing: one query for all
    (blocking, and the answer is read here, in the thread that asked)."""
    if not refs:
        return []
    candidates = list(dict.fromkeys(iri for ref in refs for iri in ref.iris))
    pairs = list(dict.fromkeys(pair for ref in refs for pair in ref.identifiers))
    result = queries.query(bind(LOOKUP, IRIS=candidates, IDS=pairs, RECONCILED=RECONCILED))
    assert isinstance(result, ox.QuerySolutions)
    known: set[str] = set()
    carriers: dict[tuple[str, str], set[str]] = {}
    same: dict[str, str] = {}
    for row in result:
        entity, predicate, value, match = row["e"], row["p"], row["id"], row["same"]
        if not isinstance(entity, ox.NamedNode):
            continue
        if isinstance(match, ox.NamedNode):
            same[entity.value] = match.value
        if isinstance(predicate, ox.NamedNode) and isinstance(value, ox.Literal):
            carriers.setdefault((predicate.value, value.value), set()).add(entity.value)
        else:
            known.add(entity.value)
    named = [_named(ref, known, carriers) for ref in refs]
    return [same.get(iri, iri) if iri is not None else None for iri in named]


def _named(ref: Ref, known: set[str], carriers: dict[tuple[str, str], set[str]]) -> str | None:
    for predicate, value in ref.identifiers:
        found = carriers.get((predicate.value, value.value))
        if found:
            return min(found)  # the same answer every time, should two entities share an identifier
    return next((iri.value for iri in ref.iris if iri.value in known), None)


def resolve(queries: Queryable, refs: Sequence[Ref]) -> list[str]:
    """The IRI of each reference (blocking); ``BadArgument`` naming the first that names nothing here,
    or a name that several entities bear."""
    found = lookup(queries, refs)
    for i, (ref, iri) in enumerate(zip(refs, found, strict=True)):
        if iri is None and ref.name is not None:
            iri = found[i] = _by_name(queries, ref)
        if iri is None:
            raise BadArgument(
                f"{ref.argument}: {ref.text!r} names nothing in this store; give an institution, country or "
                "publication it holds, such as CNRS, 02feahw73 or VN"
            )
    return [iri for iri in found if iri is not None]


def _by_name(queries: Queryable, ref: Ref) -> str | None:
    """The one entity one of whose names or acronyms is ``ref.name`` (accents and case aside,
    ``graph.search``); None if none is; ``BadArgument`` listing them if several are."""
    assert ref.name is not None
    exact = [hit for hit in search(queries, ref.name, limit=NAME_CANDIDATES, argument=ref.argument) if hit.exact]
    if len(exact) > 1:
        named = "; ".join(f"{hit.label} <{hit.iri}>" for hit in exact[:5])
        raise BadArgument(
            f"{ref.argument}: {ref.text!r} is the name of {len(exact)} entities ({named}); give one's IRI or ROR id"
        )
    return exact[0].iri if exact else None


async def resolve_async(queries: Queryable, refs: Sequence[Ref]) -> list[str]:
    """``resolve`` in a worker thread, for the event loop (GraphQL's resolvers)."""
    return await run_in_threadpool(resolve, queries, refs)


def resolving(queries: Queryable, texts: Iterable[str], argument: str = "seeds") -> Iterator[str]:
    """The IRIs of ``texts``, resolved when first read: ``Selection.checked`` reads its seeds after
    its other arguments, so their messages come first."""
    yield from resolve(queries, [parse(text, argument) for text in texts])
