"""Every kind of IRI a page links to resolves on this server: nothing a page links is a 404.

One entity page per kind of entity the bundled store holds (organisations by registry, countries,
areas, instruments and their parties, works and authorships, links, observations...), then the
pages they lead to (graphs, the ontology, rules), as HTML and as Turtle. A link to this server is
followed as it is; an IRI under ``https://w3id.org/cnrs-kg/`` (in RDF) is followed at the same path
here, as w3id.org would redirect it. Each kind of link is followed a few times, not every link: the
CNRS page alone links hundreds of laboratories of one kind.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import pyoxigraph as ox
from starlette.testclient import TestClient

from graph import OxigraphStore

BASE = "https://w3id.org/cnrs-kg/"
ID = BASE + "id/"
SERVER = "http://testserver"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# The words of the IRIs the project mints (ontology.iris); any other segment is an identifier.
KIND_WORDS = frozenset(
    {
        *("org", "ror", "hal", "openalex", "country", "area", "m49", "group", "membership", "instrument"),
        *("party", "office", "change", "address", "dataset", "obs", "work", "doi", "authorship", "link"),
        *("all", "document", "match"),
    }
)
PER_KIND = 2  # links of one kind followed
ENTITIES = f"""SELECT DISTINCT ?e WHERE {{
  {{ ?e ?p ?o }} UNION {{ ?s ?p ?e }} FILTER(isIRI(?e) && STRSTARTS(STR(?e), "{ID}"))
}}"""


def kind(path: str) -> str:
    """The kind of a local path: its words, identifiers as ``*``, and the query's parameter names.

    >>> kind("/id/work/doi/10.1007/978-3-319-07998-1_18/authorship/hal/1?format=turtle")
    'id/work/doi/*/authorship/hal/*?format'
    """
    parts = urlsplit(path)
    words: list[str] = []
    for segment in parts.path.strip("/").split("/"):
        word = segment if segment in KIND_WORDS or not words else "*"
        if word != "*" or words[-1:] != ["*"]:
            words.append(word)
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return "/".join(words) + (f"?{','.join(names)}" if names else "")


class _Links(HTMLParser):
    """The ``href``s and ``id``s of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value is not None and tag in ("a", "link"):
                self.hrefs.append(value)
            elif name == "id" and value is not None:
                self.ids.add(value)


def _one_entity_per_kind(store: OxigraphStore) -> list[str]:
    result = store.query(ENTITIES)
    assert isinstance(result, ox.QuerySolutions)
    found: dict[str, str] = {}
    for row in result:
        path = "/" + row["e"].value.removeprefix(BASE)
        if path < found.setdefault(kind(path), path):
            found[kind(path)] = path
    return sorted(found.values())


class Crawl:
    """Pages fetched, links followed (a few per kind), and every failure seen."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.seen: set[tuple[str, str]] = set()
        self.kinds: Counter[tuple[str, str]] = Counter()
        self.ids: dict[str, set[str]] = {}
        self.failures: list[str] = []
        self.fragments: list[tuple[str, str, str]] = []  # (page linking, page linked, fragment)

    def local(self, page: str, href: str) -> str | None:
        """The local path (and query) of a link on ``page``; None for a link out of the project."""
        url = urljoin(SERVER + page, href)
        if url.startswith(BASE):
            url = SERVER + "/" + url.removeprefix(BASE)
        if not url.startswith(SERVER + "/"):
            return None
        return url.removeprefix(SERVER)

    def fetch(self, path: str, accept: str, *, force: bool = False) -> ox.Store | list[str] | None:
        """GET ``path``; its links (HTML) or statements (RDF) if it answered, else None."""
        target = urldefrag(path)[0]
        if (target, accept) in self.seen:
            return None
        key = (kind(target), accept)
        if not force and self.kinds[key] >= PER_KIND:
            return None
        self.seen.add((target, accept))
        self.kinds[key] += 1
        response = self.client.get(target, headers={"accept": accept})
        if response.status_code != 200:
            self.failures.append(f"{target} ({accept}): {response.status_code} {response.text[:120]!r}")
            return None
        media_type = response.headers["content-type"].split(";")[0]
        if media_type == "text/html":
            parser = _Links()
            parser.feed(response.text)
            self.ids[target] = parser.ids
            return parser.hrefs
        if media_type == "text/turtle":
            store = ox.Store()
            store.load(response.content, format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
            return store
        return None

    def follow(self, page: str, depth: int) -> None:
        """``page`` in HTML and Turtle, then what it links to, ``depth`` links deep."""
        hrefs = self.fetch(page, BROWSER, force=depth == 2)
        if isinstance(hrefs, list):
            for href in hrefs:
                assert not href.startswith(BASE), f"{page} links {href} out, not here"
                target = self.local(page, href)
                if target is None:
                    continue
                if "#" in target:
                    self.fragments.append((page, *urldefrag(target)))
                if depth > 0:
                    self.follow(target, depth - 1)
        statements = self.fetch(page, "text/turtle", force=depth == 2)
        if isinstance(statements, ox.Store):
            for quad in statements:
                for term in (quad.subject, quad.predicate, quad.object):
                    if isinstance(term, ox.NamedNode) and term.value.startswith(BASE) and depth > 0:
                        target = self.local(page, term.value)
                        assert target is not None
                        self.fetch(urldefrag(target)[0], "text/turtle")


def test_every_kind_of_link_resolves(client: TestClient, bundled: OxigraphStore) -> None:
    crawl = Crawl(client)
    starts = [*_one_entity_per_kind(bundled), "/ontology"]
    assert {kind(path) for path in starts} >= {"id/org/ror/*", "id/country/*", "id/work/doi/*", "id/link/*/all/*"}
    for page in starts:
        crawl.follow(page, 2)
    assert not crawl.failures, "\n".join(crawl.failures)
    for page, target, fragment in crawl.fragments:
        if target in crawl.ids:
            assert fragment in crawl.ids[target], f"{page} links {target}#{fragment}, which has no such anchor"
    followed = {k for k, _ in crawl.kinds}
    for expected in ("graph/", "ontology", "rules/", "store?graph", ".well-known/", "sparql"):
        assert any(k.startswith(expected) for k in followed), f"no link of kind {expected} followed"
    assert sum(crawl.kinds.values()) > 100


def test_every_term_of_the_ontology_an_entity_page_links_has_its_anchor(client: TestClient) -> None:
    html = client.get("/id/org/ror/02feahw73", headers={"accept": BROWSER}).text
    linked = set(re.findall(r'href="/ontology#([^"]+)"', html))
    assert {"ResearchOrganisation", "rorId"} <= linked
    parser = _Links()
    parser.feed(client.get("/ontology", headers={"accept": BROWSER}).text)
    assert linked <= parser.ids
