"""A private Virtuoso Open Source 7 (Debian's ``virtuoso-t``) for the tests, and what it does unlike Oxigraph.

``running_virtuoso()`` writes a ``virtuoso.ini`` in a temporary folder (database, transaction log and
error log there; the SQL and HTTP ports free ports on 127.0.0.1; a small buffer pool), runs
``virtuoso-t +foreground`` on it, waits until ``/sparql`` answers, sets up the accounts, yields a
``VirtuosoServer`` and stops the server and removes the folder at the end. ``make virtuoso`` installs
the server (``virtuoso-opensource-7-bin``: no system service, no database of its own).

Writes are authorised as an office would run it: anonymous ``/sparql`` and ``/sparql-graph-crud`` stay
read-only (Virtuoso's default), and one SQL account, ``cnrs_kg``, granted the ``SPARQL_UPDATE`` role,
writes through the authenticated endpoints ``/sparql-auth`` (SPARQL Update) and
``/sparql-graph-crud-auth`` (Graph Store protocol), with HTTP *digest* authentication: Virtuoso answers
Basic credentials there with 401. The ``dba`` password is changed from the well-known ``dba`` to a
random one at start, and neither password is written anywhere but in this process.

Differences from Oxigraph (7.2.5.1 from Debian bookworm; each checked by tests/engines/test_virtuoso.py
except what is marked *observed*, seen by hand on the same server):

1. Booleans come back as ``0``/``1`` in SPARQL JSON results: ``SELECT ?o { ?g cnrs:synthetic ?o }`` binds
   ``{"type": "typed-literal", "datatype": xsd:boolean, "value": "0"}`` for ``"false"^^xsd:boolean``; the
   CONSTRUCT output and ``STR(?o)`` say ``false`` (and the XML results, *observed*).
2. Typed literals are ``"type": "typed-literal"`` in JSON results (the SPARQL 1.0 draft form; pyoxigraph
   reads it), and the JSON carries an extra ``"link": []`` in ``head`` (*observed*).
3. ASK is answered as a one-column SELECT, ``__ASK_RETVAL``: one row binding ``"1"^^xsd:integer`` for
   true, no row for false, never ``{"boolean": ...}`` (JSON and XML alike).
4. Numeric and boolean literals are stored as values, not lexical forms: ``"1.50"^^xsd:decimal`` comes
   back ``"1.5"``, ``"1"^^xsd:boolean`` ``"true"``, ``"007"^^xsd:integer`` ``"7"`` (*observed*). The bundled data is
   already canonical, so it round-trips unchanged (gYear, gYearMonth, date, decimal, boolean, language
   tags, the 626-character source description, Lao script).
5. ``"x"`` and ``"x"^^xsd:string`` are two different terms (RDF 1.0): ``{ ?s ?p "active" }`` does not
   match a stored ``"active"^^xsd:string``, and CONSTRUCT writes the ``^^xsd:string`` out.
6. ``DATATYPE()`` of a language-tagged literal is unbound, not ``rdf:langString``.
7. The default graph is the union of all graphs, including Virtuoso's own: a fresh server already
   holds ~2,500 triples in ``http://www.openlinksw.com/schemas/virtrdf#``, ``http://www.w3.org/ns/ldp#``
   and ``http://localuriqaserver/sparql``, so ``SELECT (COUNT(*) AS ?n) { ?s ?p ?o }`` and
   ``SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }`` count and list them too.
8. Empty graphs do not exist for queries: ``SELECT ?g { GRAPH ?g {} }`` answers one row with ``?g``
   unbound, and ``ASK { GRAPH <any-iri> {} }`` is true for every IRI. ``CREATE GRAPH`` is recorded (a
   second one fails) but no query can list or tell an empty graph, and a Graph Store PUT of an empty
   graph answers 201 yet a GET of it then 404: the bundled store's empty ``_meta/changed?...``
   bookkeeping graphs (26 today) are lost this way, while every other bundled graph round-trips exactly.
9. ``DROP GRAPH <g>`` (without SILENT) fails, HTTP 500 ``SPARUL_DROP() failed: graph <g> has not been
   explicitly created before``, for a graph that holds triples but was filled by INSERT rather than
   made by ``CREATE GRAPH``; ``DROP SILENT GRAPH``, ``CLEAR``, ``MOVE``, ``ADD`` and ``COPY`` work.
10. A multi-operation update is not atomic: in ``DROP SILENT GRAPH <a> ; ADD <b> TO <a> ; DROP GRAPH <b>``
    the first two operations stay applied when the third fails; so do ``DROP SILENT GRAPH <b>`` before
    a failing ``INSERT ... WHERE { BIND(1/0 AS ?o) }``, also with ``DEFINE sql:log-enable`` 0, 1, 2 or 3
    (*observed*). Each operation commits on its own; a single operation is the unit to rely on.
11. Errors are ``text/plain`` (``Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error ...``):
    400 for a syntax error, but 500 for an update on ``/sparql`` without the role (``SR186:SECURITY``)
    and for a failed update operation; the Graph Store answers 403 to an anonymous write.
12. A Graph Store PUT answers 201 when the graph is new and 200 when replaced, GET of a missing graph
    404, as Oxigraph; but the default graph is not served (``GET ?default`` is 500, *observed*).
13. Timeouts: the ``timeout`` request parameter (milliseconds, checked about every 2 s) makes an
    *anytime* query. Over it, an aggregate is answered 200 with what was found so far (for a COUNT, no
    row at all, or now and then the count so far), said only in the headers ``X-SQL-State: S1TAT``
    and ``X-SQL-Message: RC...: Returning incomplete results, query interrupted by result timeout``,
    or, one time in a few, 500 ``SR203:
    Async statement killed by SQLCancel``. A SELECT already streaming rows (``SELECT ?a ?d WHERE
    { ?a ?b ?c . ?d ?e ?f }``, ``timeout=500``) was answered, in six tries, four times 500 ``text/plain``
    whose body is the JSON written so far (5 MB) followed by the error text, once 500 with the error
    alone, and once not at all within 30 s (*observed*).
    The ini's ``[SPARQL] MaxQueryExecutionTime`` (seconds) answers 500 ``Virtuoso S1T00 Error SR171:
    Transaction timed out`` to the three-pattern COUNT; but (*observed*, 20 s too long for a test) a
    two-pattern SELECT of some 6 million rows, with the limit at 6 s, had sent no byte after 20 s,
    when the client gave up; the server then used no more CPU and answered the next query at once.
    So the backend needs its own deadline on every request, and must read S1TAT as a failure.
    And an anytime answer may say nothing: a UNION of a three-row sub-select and the endless COUNT,
    ``timeout=500``, is answered 200 with the three rows alone and no X-SQL header (the network's
    batched query, 12 of its 1,607 rows, *observed*); so the backend does not send ``timeout``.
14. ``FILTER(?d <= "2019-01-01"^^xsd:date)`` misses dates before it, depending on what else the
    store holds: of the ten ASEAN accession dates before 2019, in a graph of their own on a fresh
    server, it finds fewer than ten; five in the bundled store; all ten beside the bundled store
    (*observed*), while ``<``, ``!(?d > ...)`` and the comparison projected (``1``) are right. No
    rewriting of a user's query by the backend can adapt that: the example writes ``!(a > b)``.
15. ``DEFINE input:default-graph-exclude <g>`` (which hides ``<g>`` from the default graph) makes a
    ``GRAPH <iri>`` pattern match nothing; ``input:named-graph-exclude <g>`` alone empties the
    default graph; both together hide ``<g>`` from ``GRAPH ?g`` and the default graph alike.
    An explicit dataset (``default-graph-uri`` and ``named-graph-uri`` for each of the bundled
    store's 26 graphs) works too, but took the network's hierarchy query from 0.2 s to 5.7 s
    (*observed*).
16. ``[SPARQL] ResultSetMaxRows`` cuts a SELECT answer at that many rows, 200, saying so only by the
    header ``X-SPARQL-MaxRows: <cap>`` (also on an answer of exactly the cap's rows); a CONSTRUCT
    answer is cut without the header (*observed*). The tests set it to 1,000,000.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from api.testing import background_server, free_port

SERVER = "virtuoso-t"
ISQL = "isql-vt"
USER = "cnrs_kg"
# A test instance: Debian's default 10,000 buffers of 8 kB (its ini advises 170,000 for 2 GB of free
# memory) hold the bundled graph; queries get 256 MB and two threads on the two-core test machines. The
# server's resident size is ~270 MB at start, ~380 MB with the whole bundled store loaded.
INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 256M
ThreadsPerQuery = 2
MaxClientConnections = 16
CheckpointInterval = 60
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 16
MaxClientConnections = 16
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {query_seconds}
MaxQueryCostEstimationTime = 0
"""


@dataclass(frozen=True)
class VirtuosoServer:
    """Where a running test Virtuoso answers, and the account that may write to it."""

    base: str
    sql_port: int
    user: str
    password: str = field(repr=False)
    directory: Path = field(default=Path())

    @property
    def query_endpoint(self) -> str:
        """SPARQL Query, anonymous and read-only."""
        return f"{self.base}/sparql"

    @property
    def update_endpoint(self) -> str:
        """SPARQL Query and Update for ``user`` (digest authentication)."""
        return f"{self.base}/sparql-auth"

    @property
    def graph_store(self) -> str:
        """The Graph Store protocol for ``user`` (digest authentication)."""
        return f"{self.base}/sparql-graph-crud-auth"

    @property
    def graph_store_read(self) -> str:
        """The Graph Store protocol, anonymous and read-only."""
        return f"{self.base}/sparql-graph-crud"

    def auth(self) -> httpx.DigestAuth:
        return httpx.DigestAuth(self.user, self.password)


def isql(sql_port: int, password: str, statements: str) -> str:
    """Run SQL statements as ``dba``; raise ``RuntimeError`` on any error (isql itself exits 0 anyway)."""
    done = subprocess.run(
        [ISQL, f"127.0.0.1:{sql_port}", "dba", password, "VERBOSE=OFF", "BANNER=OFF", f"exec={statements}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in output:
        raise RuntimeError(f"isql-vt failed on {statements!r}: {output.strip()}")
    return output


def set_up_accounts(sql_port: int, password: str) -> str:
    """Create the writing account with the SPARQL_UPDATE role and give ``dba`` a random password; return it."""
    dba_password = secrets.token_urlsafe(16)
    # Quoted identifiers: Virtuoso folds unquoted SQL names to upper case, and the account is lower case.
    isql(
        sql_port,
        "dba",
        f"DB.DBA.USER_CREATE('{USER}', '{password}'); GRANT SPARQL_UPDATE TO \"{USER}\"; "
        f"USER_SET_PASSWORD('dba', '{dba_password}');",
    )
    return dba_password


@contextmanager
def running_virtuoso(
    *, query_seconds: int = 60, max_rows: int = 1_000_000, startup_seconds: float = 90.0
) -> Iterator[VirtuosoServer]:
    """A fresh Virtuoso on loopback for the block; ``query_seconds`` is its MaxQueryExecutionTime,
    ``max_rows`` its ResultSetMaxRows."""
    if shutil.which(SERVER) is None:
        raise RuntimeError(f"{SERVER} is not installed: run `make virtuoso` (Debian's virtuoso-opensource-7-bin)")
    directory = Path(tempfile.mkdtemp(prefix="cnrs-kg-virtuoso-"))
    try:
        sql_port, http_port = free_port(), free_port()
        ini = directory / "virtuoso.ini"
        ini.write_text(
            INI.format(
                dir=directory, sql_port=sql_port, http_port=http_port, query_seconds=query_seconds, max_rows=max_rows
            ),
            encoding="utf-8",
        )
        base = f"http://127.0.0.1:{http_port}"
        command = [SERVER, "+foreground", "+configfile", str(ini)]
        probe = f"{base}/sparql?query={quote('ASK {}')}"
        with background_server(command, probe, log=directory / "stdout.log", timeout=startup_seconds):
            password = secrets.token_urlsafe(16)
            set_up_accounts(sql_port, password)
            yield VirtuosoServer(base, sql_port, USER, password, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
