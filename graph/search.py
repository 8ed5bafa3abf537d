"""Name search: the organisations, countries, regions, country groups and instruments of the store,
found by what people type, through a SQLite FTS5 index kept in step with the store.

**What is searched.** Every name the store gives an entity, in every language: ``rdfs:label`` and
``skos:prefLabel`` (its names), ``skos:altLabel``, ``skos:hiddenLabel`` and ``kg:formerName`` (its
aliases), ``kg:acronym`` and a country's ISO alpha-2 and alpha-3 codes (its acronyms); and a
country's names as ISO 3166 spells them (pycountry's name, common name and official name, in
English and in the languages of ``LANGUAGES``), so "Vietnam" finds the country the store names
"Viet Nam". Publications are not searched: the index stays the size of the organisations.

**How text matches.** Names and queries are folded alike by ``words`` (compatibility decomposition,
accents dropped, lower case, cut at anything that is not a letter or a digit). A query matches a
name that has each of its words as the start of one of its own words, in any order: "universite
grenoble" finds "Université Grenoble Alpes", "centre national recherche scientifique" finds
"Centre national de la recherche scientifique". The words reach FTS5 as quoted prefix tokens
joined by ``AND``, never as FTS5 syntax, so ``"``, ``*``, ``OR``, ``NEAR(`` or ``-`` in the text
are only text.

**How hits rank.** First the entities one of whose names or acronyms *is* the query (folded): "CNRS"
puts the CNRS first, "Vietnam" Viet Nam. Then by relevance: the BM25 score (FTS5's ``bm25``) of the
entity's best-matching name, an alias counting ``ALIAS_WEIGHT`` of a name; BM25 favours rare words
and short names, so the name that is mostly the query comes before the longer names that contain
it. Ties (two organisations with the acronym CNRS) go to the entity the store ties most others to
(as their parent, supervising body or party: ``PROMINENCE``), then to the shorter label.

**Kept in step with the store.** The index's version is the store's generation at which a graph
other than the network's last changed (``label_version``): a load that adds an organisation moves
it, a network refresh does not. A process holds the index of the current version in memory; when the
version moved, it reads ``<store>/cnrs-kg-search/index.sqlite`` if that file is of the version, else
rebuilds the index from the store (two SPARQL queries) and, when the store is writable, saves it
there: written to a temporary file, then ``os.replace``d, so a reader never sees half a file. A
read-only store (the command line, a store being benchmarked) is never written to: its index is
built in memory, once per version.

>>> words("Université  Grenoble-Alpes (UGA)")
['universite', 'grenoble', 'alpes', 'uga']
>>> words("Đại học Đà Nẵng, Gjøvik")
['dai', 'hoc', 'da', 'nang', 'gjovik']
>>> match_expression(['near', 'cnrs'])
'"near"* AND "cnrs"*'
"""

from __future__ import annotations

import gettext
import logging
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
import weakref
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pycountry
import pyoxigraph as ox

from graph.backend import Backend, Queryable, backend_behind
from graph.errors import BadArgument
from graph.links.queries import NETWORK_PREFIX
from graph.sparql import PROLOGUE
from ontology import KG, RDFS, SKOS
from ontology.labels import fallback_label

__all__ = [
    "DEFAULT_LIMIT",
    "KINDS",
    "MAX_HITS",
    "MAX_WORDS",
    "Hit",
    "SearchIndex",
    "index_of",
    "label_version",
    "search",
    "words",
]

log = logging.getLogger("cnrs_kg.search")

KINDS = ("institution", "country", "region", "group", "instrument")
DEFAULT_LIMIT = 20
MAX_HITS = 10_000
MAX_WORDS = 16  # more words than any name has: longer text is not a name
ALIAS_WEIGHT = 0.8
LANGUAGES = ("fr", "es", "de", "vi", "th", "id", "ms")  # country names besides English (ISO 3166 translations)
INDEX_DIR = "cnrs-kg-search"
INDEX_FILE = "index.sqlite"
FORMAT = "1"  # the layout of the index file: a file of another layout is rebuilt

# The named entities of each kind with their names. An entity of several classes takes the first
# kind of KINDS among them. The entities first, then each one's statements, filtered: at 1,000,000
# works, 4 times faster than matching the name predicates (VALUES ?p) over the whole store.
# DISTINCT: a name stated by two sources is one row.
LABELS = (
    PROLOGUE
    + """SELECT DISTINCT ?e ?kind ?p ?text WHERE {
  { SELECT DISTINCT ?e ?kind WHERE {
      VALUES (?class ?kind) {
        (org:Organization "institution") (kg:Country "country") (kg:Region "region")
        (kg:CountryGroup "group") (kg:CooperationInstrument "instrument")
      }
      ?e a ?class .
  } }
  ?e ?p ?text .
  FILTER(?p IN (rdfs:label, skos:prefLabel, skos:altLabel, skos:hiddenLabel, kg:formerName, kg:acronym,
                kg:alpha2, kg:alpha3))
  FILTER(ISIRI(?e) && ISLITERAL(?text))
}"""
)
# How many units, members and instruments name each entity as their parent, supervising body or
# party: among hits as relevant as each other, the one the store ties most to comes first.
PROMINENCE = (
    PROLOGUE
    + """SELECT ?e (COUNT(?x) AS ?n) WHERE {
  VALUES ?p { org:subOrganizationOf org:unitOf kg:supervisingBody org:member kg:concernsUnit }
  ?x ?p ?e .
  FILTER(ISIRI(?e))
} GROUP BY ?e"""
)
_NAMES = {RDFS.label.value: 1, SKOS.prefLabel.value: 0}  # the label shown: skos:prefLabel first
_ALPHA2 = KG.alpha2.value
_ACRONYMS = {KG.acronym.value, _ALPHA2, KG.alpha3.value}

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entity(
  id INTEGER PRIMARY KEY, iri TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL, prominence INTEGER NOT NULL
);
CREATE TABLE exact(key TEXT NOT NULL, entity INTEGER NOT NULL, PRIMARY KEY (key, entity)) WITHOUT ROWID;
CREATE VIRTUAL TABLE name USING fts5(text, entity UNINDEXED, weight UNINDEXED,
  tokenize = "unicode61 remove_diacritics 2");
"""
# :match is built by match_expression from folded words; the kinds come as a JSON array.
FIND = """
WITH scored AS MATERIALIZED (
  SELECT entity, bm25(name) * weight AS score FROM name WHERE name MATCH :match
), matched AS (
  SELECT entity, MIN(score) AS score FROM scored GROUP BY entity
)
SELECT e.iri, e.label, e.kind, -m.score,
  EXISTS (SELECT 1 FROM exact x WHERE x.key = :key AND x.entity = e.id) AS whole
FROM matched m JOIN entity e ON e.id = m.entity
WHERE e.kind IN (SELECT value FROM json_each(:kinds))
ORDER BY whole DESC, m.score, e.prominence DESC, length(e.label), e.label, e.iri
LIMIT :limit
"""
_WORD = re.compile(r"[^\W_]+")
# Letters that are not a base letter with an accent, so that Unicode does not decompose them (nor
# FTS5 fold them): written as people type them without the letter ("Gjovik", "Da Nang").
_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ħ": "h", "þ": "th", "ŧ": "t"}
    | {"\u0131": "i"}  # the dotless i
)


@dataclass(frozen=True)
class Hit:
    """An entity found: its IRI, the label to show, its kind (one of ``KINDS``), its relevance
    (higher is better: BM25 of its best name), and whether a name or acronym is the query itself."""

    iri: str
    label: str
    kind: str
    score: float
    exact: bool = False


def words(text: str) -> list[str]:
    """The words of ``text`` as the index holds them: no accents, lower case, no punctuation."""
    if text.isascii():  # most names are: they need no decomposition
        return _WORD.findall(text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(bare.lower().translate(_LETTERS))


def match_expression(folded: list[str]) -> str:
    """An FTS5 query for names holding every word as a word's start: each word a quoted prefix
    token (a quote doubled, although folded words hold none), joined by AND."""
    return " AND ".join('"' + word.replace('"', '""') + '"*' for word in folded)


@dataclass
class SearchIndex:
    """The names of one version of the store, in an FTS5 table (an in-memory SQLite database)."""

    version: int
    db: sqlite3.Connection
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def find(self, folded: list[str], kinds: Collection[str], limit: int) -> list[Hit]:
        """The entities of ``kinds`` with a name holding each of the ``folded`` words, best first."""
        arguments = {
            "match": match_expression(folded),
            "key": " ".join(folded),
            "kinds": "[" + ",".join(f'"{kind}"' for kind in kinds) + "]",  # checked names of KINDS
            "limit": limit,
        }
        with self.lock:  # one connection, shared by the threads of a server
            rows = self.db.execute(FIND, arguments).fetchall()
        return [Hit(iri, label, kind, float(score), bool(whole)) for iri, label, kind, score, whole in rows]

    def size(self) -> int:
        """How many entities the index holds."""
        with self.lock:
            (count,) = self.db.execute("SELECT COUNT(*) FROM entity").fetchone()
        return int(count)


def search(
    queries: Queryable,
    text: str,
    *,
    kinds: Iterable[str] | None = None,
    limit: int | None = DEFAULT_LIMIT,
    argument: str = "text",
) -> list[Hit]:
    """The entities of ``kinds`` (all of ``KINDS`` if None) whose names match ``text``, most relevant
    first, at most ``limit`` (``MAX_HITS`` if None); none for a text without a letter or digit.

    ``BadArgument`` (naming ``argument``) for an unknown kind, a limit out of range or a text of
    more than ``MAX_WORDS`` words."""
    chosen = _checked_kinds(kinds)
    most = MAX_HITS if limit is None else limit
    if not 1 <= most <= MAX_HITS:
        raise BadArgument(f"limit: {most} is out of range; give 1 to {MAX_HITS}")
    folded = words(text)
    if len(folded) > MAX_WORDS:
        raise BadArgument(f"{argument}: {len(folded)} words, over the limit of {MAX_WORDS}; search with fewer words")
    if not folded:
        return []
    return index_of(queries).find(folded, chosen, most)


def _checked_kinds(kinds: Iterable[str] | None) -> list[str]:
    if kinds is None:
        return list(KINDS)
    chosen = list(dict.fromkeys(kinds))
    unknown = [kind for kind in chosen if kind not in KINDS]
    if unknown:
        raise BadArgument(f"kind: {unknown[0]!r} is not a kind of entity searched; give {', '.join(KINDS)}")
    return chosen


# -- keeping the index in step with the store --------------------------------------------------------

_CACHE: weakref.WeakKeyDictionary[Backend, SearchIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def label_version(store: Backend) -> int:
    """The generation at which a graph other than the network's last changed (0: never)."""
    book = store.bookkeeping()
    changes = [n for graph, n in book.changed.items() if not graph.startswith(NETWORK_PREFIX)]
    return max([*changes, book.changed_all, 0])


def index_of(queries: Queryable) -> SearchIndex:
    """The index of the store behind ``queries`` as it is now: held, read from beside the store, or
    built (and saved when the store is writable). Over a plain endpoint, built at each call."""
    store = backend_behind(queries)
    if store is None:
        return SearchIndex(0, build(queries, 0))
    version = label_version(store)
    with _LOCK:  # one build per version, whatever the number of threads asking
        held = _CACHE.get(store)
        if held is not None and held.version == version:
            return held
        index = _read(store, version)
        if index is None:
            index = SearchIndex(version, build(store, version))
            _save(store, index)
        _CACHE[store] = index
    return index


def _folder(store: Backend) -> Path | None:
    path = getattr(store, "path", None)
    return None if path is None else Path(path) / INDEX_DIR


def _read(store: Backend, version: int) -> SearchIndex | None:
    """The saved index if it is of ``version`` and of this ``FORMAT``, copied into memory."""
    folder = _folder(store)
    if folder is None or not (folder / INDEX_FILE).is_file():
        return None
    db = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        db.deserialize((folder / INDEX_FILE).read_bytes())
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except (OSError, sqlite3.Error) as exc:
        log.info("no usable search index in %s (%s)", folder, exc)
        db.close()
        return None
    if meta.get("format") != FORMAT or meta.get("version") != str(version):
        db.close()
        return None
    return SearchIndex(version, db)


def _save(store: Backend, index: SearchIndex) -> None:
    """Write the index beside a writable store, atomically; a store that cannot take it keeps it in memory."""
    folder = _folder(store)
    if folder is None or getattr(store, "read_only", False):
        return
    temporary: Path | None = None
    try:
        folder.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".index-", suffix=".tmp", delete=False) as out:
            temporary = Path(out.name)
            out.write(index.db.serialize())
        os.replace(temporary, folder / INDEX_FILE)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        log.warning("the search index could not be saved in %s (%s); it is kept in memory", folder, exc)


# -- building ----------------------------------------------------------------------------------------


@dataclass
class _Entity:
    kind: str
    names: dict[tuple[str, float], None] = field(default_factory=dict)  # (folded text, weight), in order
    keys: set[str] = field(default_factory=set)
    shown: tuple[int, int, str] | None = None  # (predicate rank, language rank, text): the least is shown
    codes: list[str] = field(default_factory=list)

    def add(self, predicate: str, literal: ox.Literal) -> None:
        folded = words(literal.value)
        if not folded:
            return
        weight = 1.0 if predicate in _NAMES or predicate in _ACRONYMS else ALIAS_WEIGHT
        self.names[(" ".join(folded), weight)] = None
        self.keys.add(" ".join(folded))
        if predicate == _ALPHA2:
            self.codes.append(literal.value)
        rank = _NAMES.get(predicate, 2 if predicate not in _ACRONYMS else 3)
        language = 0 if literal.language == "en" else 1 if not literal.language else 2
        candidate = (rank, language, literal.value)
        if self.shown is None or candidate < self.shown:
            self.shown = candidate

    def add_alias(self, text: str) -> None:
        folded = " ".join(words(text))
        if folded:
            self.names.setdefault((folded, ALIAS_WEIGHT), None)
            self.keys.add(folded)


def build(queries: Queryable, version: int) -> sqlite3.Connection:
    """A new index (an in-memory database) of the names ``queries`` answers ``LABELS`` with."""
    entities = _entities(queries)
    prominence = _prominence(queries)
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("version", str(version))])
    rows = list(entities.items())
    db.executemany(
        "INSERT INTO entity VALUES (?, ?, ?, ?, ?)",
        (
            (n, iri, e.kind, e.shown[2] if e.shown else fallback_label(iri), prominence.get(iri, 0))
            for n, (iri, e) in enumerate(rows)
        ),
    )
    db.executemany(
        "INSERT INTO name(text, entity, weight) VALUES (?, ?, ?)",
        ((text, n, weight) for n, (_, e) in enumerate(rows) for text, weight in e.names),
    )
    db.executemany("INSERT INTO exact VALUES (?, ?)", ((key, n) for n, (_, e) in enumerate(rows) for key in e.keys))
    db.execute("INSERT INTO name(name) VALUES ('optimize')")
    db.commit()
    return db


def _entities(queries: Queryable) -> dict[str, _Entity]:
    result = queries.query(LABELS)
    assert isinstance(result, ox.QuerySolutions)
    found: dict[str, _Entity] = {}
    for row in result:
        entity, kind, predicate, text = row["e"], row["kind"], row["p"], row["text"]
        if not (isinstance(entity, ox.NamedNode) and isinstance(text, ox.Literal)):
            continue
        held = found.get(entity.value)
        if held is None:
            held = found[entity.value] = _Entity(kind.value)
        elif kind.value != held.kind:
            held.kind = min(held.kind, kind.value, key=KINDS.index)
        held.add(predicate.value, text)
    for item in found.values():
        for code in item.codes if item.kind == "country" else ():
            for alias in _country_names(code.upper()):
                item.add_alias(alias)
    return found


def _prominence(queries: Queryable) -> dict[str, int]:
    result = queries.query(PROMINENCE)
    assert isinstance(result, ox.QuerySolutions)
    return {row["e"].value: int(row["n"].value) for row in result if isinstance(row["e"], ox.NamedNode)}


@cache
def _country_names(alpha2: str) -> tuple[str, ...]:
    """A country's names in ISO 3166 (pycountry): name, common and official name, and their translations."""
    record = pycountry.countries.get(alpha_2=alpha2)
    if record is None:
        return ()
    english = [getattr(record, attribute, None) for attribute in ("name", "common_name", "official_name")]
    names = [n for n in english if n]
    return tuple(dict.fromkeys([*names, *(t.gettext(n) for t in _translations() for n in names)]))


@cache
def _translations() -> tuple[gettext.NullTranslations, ...]:
    return tuple(
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)
        for language in LANGUAGES
    )
