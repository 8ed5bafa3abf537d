"""The store's bookkeeping: its write generation and what each write did, kept in the store itself.

Every write to the store (a load, a SPARQL update, a Graph Store request) commits, in the same
transaction as its data, records of:

- ``state``: the store's write generation (1 for the first write, then +1 per write) and the time;
- ``changed``: per named graph it may have written, the generation of that write (kept after the
  graph is dropped), or ``changed-all`` for a write that may have touched any graph (``DROP ALL``);
- ``derived``: per derived graph (the collaboration network), the generation of the newest source
  change it was computed from, so that a derived graph older than its sources is known stale;
- ``write``: the receipt of a write sent with an ``Idempotency-Key``: the key's SHA-256, the
  request's fingerprint, the generation and the answer the writer gave. Receipts are kept for
  ``RECEIPT_HOURS`` hours.

Each record is the *name* of an empty named graph under ``META`` (``.../graph/_meta/state?generation=3
&modified=...``). An empty graph matches no triple pattern, so the records never show in a query's
union default graph or in ``GRAPH ?g { ... }``; hiding a graph that held triples would need an
explicit dataset on every query, which made a query of the examples 17 times slower
(``irl_singapore.rq``: 51 ms with the union, 867 ms with the 23 graphs listed). A record is
replaced by dropping its old name and creating the new one, in the same update as the data.

>>> book = Bookkeeping.read([ox.NamedNode(META + "state?generation=3&modified=2025-01-02T03%3A04%3A05Z")])
>>> book.generation, book.modified
(3, '2025-01-02T03:04:05Z')
>>> ops, after = book.commit(4, "2025-01-02T04:00:00Z", changed={"https://example.org/g"})
>>> after.generation, after.changed
(4, {'https://example.org/g': 4})
>>> [op.split("?")[0].removeprefix(f"{op.split('<')[0]}<{META}") for op in ops]
['state', 'changed', 'state']
>>> [op.split("<")[0] for op in ops]
['DROP SILENT GRAPH ', 'CREATE SILENT GRAPH ', 'CREATE SILENT GRAPH ']
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pyoxigraph as ox

from graph.sparql import CLEAR_GRAPH, CREATE_GRAPH, DROP_GRAPH, bind
from ontology.iris import GRAPH

META = GRAPH + "_meta/"
RESERVED = GRAPH + "_"  # the journal and META: kept by the store, never written by a client
RECEIPT_HOURS = 24


def is_reserved(iri: str) -> bool:
    """True for the IRIs of the store's own graphs (journal, bookkeeping), which clients may not write."""
    return iri.startswith(RESERVED)


def now() -> str:
    """The current time as an ``xsd:dateTime`` in UTC, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def key_digest(key: str) -> str:
    """The SHA-256 of an idempotency key: the store keeps the digest, never the key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Receipt:
    """What the store keeps of a write sent with an idempotency key."""

    digest: str  # the key's SHA-256
    request: str  # the fingerprint of the request, to refuse a key reused for another request
    generation: int
    at: str
    outcome: str  # the writer's answer, opaque to the store (the HTTP layer keeps status and Location)


@dataclass(frozen=True)
class WriteKey:
    """An idempotency key sent with a write, and what to keep of it if the write commits."""

    key: str
    request: str
    outcome: str


def _name(kind: str, **values: str | int) -> str:
    query = "&".join(f"{name}={quote(str(value), safe='')}" for name, value in values.items())
    return f"{META}{kind}?{query}"


def _on(operation: str, name: str) -> str:
    """``operation`` on the record graph ``name`` (its values are percent-encoded: a valid IRI)."""
    return bind(operation, GRAPH=ox.NamedNode(name))


@dataclass
class Bookkeeping:
    """The records of one store, as read from its graph names (``read``) and kept current by its writer."""

    generation: int = 0
    modified: str | None = None
    changed: dict[str, int] = field(default_factory=dict)
    changed_all: int = 0
    derived: dict[str, int] = field(default_factory=dict)
    receipts: dict[str, Receipt] = field(default_factory=dict)

    @classmethod
    def read(cls, graphs: Iterable[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]) -> Bookkeeping:
        """The records among the store's named graphs (other graphs are ignored)."""
        book = cls()
        for graph in graphs:
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(META):
                book._add(graph.value)
        return book

    def _add(self, name: str) -> None:
        parts = urlsplit(name)
        kind = parts.path.removeprefix(urlsplit(META).path)
        values = {key: items[0] for key, items in parse_qs(parts.query).items()}
        try:
            if kind == "state":
                self.generation = max(self.generation, int(values["generation"]))
                self.modified = values.get("modified")
            elif kind == "changed":
                self.changed[values["graph"]] = int(values["generation"])
            elif kind == "changed-all":
                self.changed_all = max(self.changed_all, int(values["generation"]))
            elif kind == "derived":
                self.derived[values["graph"]] = int(values["from"])
            elif kind == "write":
                receipt = Receipt(
                    values["key"], values["request"], int(values["generation"]), values["at"], values["outcome"]
                )
                self.receipts[receipt.digest] = receipt
        except (KeyError, ValueError):
            pass  # not a record this version writes: left alone

    def names(self) -> list[str]:
        """The graph names that hold these records."""
        names = [_name("state", generation=self.generation, modified=self.modified or "")] if self.generation else []
        names += [_name("changed", graph=g, generation=n) for g, n in sorted(self.changed.items())]
        if self.changed_all:
            names.append(_name("changed-all", generation=self.changed_all))
        names += [_name("derived", graph=g, **{"from": n}) for g, n in sorted(self.derived.items())]
        names += [
            _name("write", key=r.digest, request=r.request, generation=r.generation, at=r.at, outcome=r.outcome)
            for r in self.receipts.values()
        ]
        return names

    def commit(
        self,
        generation: int,
        modified: str,
        *,
        changed: Collection[str] = (),
        changed_all: bool = False,
        derived: Mapping[str, int] | None = None,
        key: WriteKey | None = None,
        restore: bool = False,
    ) -> tuple[list[str], Bookkeeping]:
        """The SPARQL operations that record a write at ``generation``, and the records after it.

        ``restore``: the write may have dropped any graph (``DROP ALL``), so every record is
        created again (``CREATE SILENT``: a no-op for those still there) and emptied.
        """
        after = replace(
            self,
            generation=generation,
            modified=modified,
            changed={**self.changed, **dict.fromkeys(changed, generation)},
            changed_all=generation if changed_all else self.changed_all,
            derived={**self.derived, **(derived or {})},
            receipts=dict(self.receipts),
        )
        cutoff = (datetime.now(UTC) - timedelta(hours=RECEIPT_HOURS)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for digest, receipt in self.receipts.items():
            if receipt.at < cutoff:
                del after.receipts[digest]
        if key is not None:
            digest = key_digest(key.key)
            after.receipts[digest] = Receipt(digest, key.request, generation, modified, key.outcome)
        old, new = set(self.names()), set(after.names())
        ops = [_on(DROP_GRAPH, name) for name in sorted(old - new)]
        if restore:
            ops += [_on(CLEAR_GRAPH, name) for name in sorted(old & new)]
            ops += [_on(CREATE_GRAPH, name) for name in sorted(new)]
        else:
            ops += [_on(CREATE_GRAPH, name) for name in sorted(new - old)]
        return ops, after

    def receipt(self, key: str) -> Receipt | None:
        return self.receipts.get(key_digest(key))
