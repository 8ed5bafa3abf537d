"""Odd request targets under ``/id/``, ``/export``, ``/static`` and ``/store``, sent byte for byte, and
Graph Store bodies that are not RDF, on a writable server with its token.

Each is a 4xx: never a 5xx, never a file of the server (``..``), never a traceback or a path in
the answer; the store holds the same statements afterwards.
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.reliability.probes import Listener, judge, raw, raw_get, request_bytes
from tests.reliability.servers import Server, graph_sizes, kill

TARGETS = [
    b"/id/..",
    b"/id/../..",
    b"/id/../../etc/passwd",
    b"/id/%2e%2e/%2e%2e/etc/passwd",
    b"/id/..%2F..%2Fetc%2Fpasswd",
    b"/id/%00",
    b"/id/org/%00",
    b"/id/org/ror/02feahw73%00",
    b"/id/org/ror/02feahw73%00.ttl",
    b"/id/a%2Fb",
    b"/id/%2F%2F%2F",
    b"/id//",
    b"/id/org//ror",
    b"/id/org/ror/02feahw73%2F..%2F..%2F..%2Fetc%2Fpasswd",
    b"/id/" + b"a" * 10_000,
    b"/id/" + b"a/" * 5_000,
    b"/id/" + b"%41" * 3_000,
    b"/id/" + b"a" * 100_000,  # over the 16 kB a request head may take
    "/id/org/université/中文/🙂".encode(),
    b"/id/%C3%A9",
    b"/id/%zz",
    b"/id/%C3",
    b"/id/%FF%FE",
    b"/id/%ED%A0%80",
    b"/id/\xff\xfe",
    b"/id/org/ror/02feahw73?format=%00",
    b"/id/org/ror/02feahw73?format=../../etc/passwd",
    b"/export/network.gexf/../../etc/passwd",
    b"/export/..%2F..%2Fetc%2Fpasswd",
    b"/export/network.%00",
    b"/export/network.gexf%00.txt",
    b"/export/network.%2e%2e%2f%2e%2e%2fapi%2fapp.py",
    b"/export/network." + b"x" * 10_000,
    b"/export/network.gexf?seeds=%00",
    b"/export/network.gexf?seeds=" + b"a" * 10_000,
    "/export/network.gexf?seeds=ror:中文".encode(),
    b"/export/network.gexf?seeds=%FF%FE",
    b"/export/network.gexf?hops=%00",
    b"/static/../api/app.py",
    b"/static/..%2F..%2Fapi%2Fapp.py",
    b"/static/%2e%2e/%2e%2e/api/app.py",
    b"/static/vendor/../../app.py",
    b"/store/..%2F..%2Fetc%2Fpasswd",
    b"/store?graph=%00",
    b"/store?graph=file:///etc/passwd",
]
# What a file of the machine or of the server would show, were it served.
FILE_SIGNS = ("root:x:0:0", "def create_app", "from __future__ import")


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: repr(t[:40])[2:-1])
def test_odd_targets_are_4xx(writable_server: Server, target: bytes) -> None:
    try:
        answer = raw_get(writable_server.base, target)
    except ConnectionError as exc:  # includes the server closing without a word: not an answer
        pytest.fail(f"no answer to GET {target[:60]!r}: {type(exc).__name__}")
    assert not judge(answer.status, answer.text, what=f"GET {target[:60]!r}")
    assert 400 <= answer.status < 500, f"{answer.status}: {answer.text[:200]}"
    assert not any(sign in answer.text for sign in FILE_SIGNS), answer.text[:200]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaa"> <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"> <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"> <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"> <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:x="urn:x#">
 <rdf:Description rdf:about="urn:a"><x:p>&i;</x:p></rdf:Description>
</rdf:RDF>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:x="urn:x#">
 <rdf:Description rdf:about="urn:a"><x:p>&secret;</x:p></rdf:Description>
</rdf:RDF>"""
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
NOT_RDF = {
    "PNG as Turtle": ("text/turtle", PNG),
    "bytes as Turtle": ("text/turtle", b"\xff\xfe\x00garbage"),
    "UTF-16 Turtle": ("text/turtle", "<urn:a> <urn:b> <urn:c> .".encode("utf-16")),
    "Latin-1 Turtle": ("text/turtle; charset=latin-1", "<urn:a> <urn:b> 'café' .".encode("latin-1")),
    "cut N-Triples": ("application/n-triples", b'<urn:a> <urn:b> "unterminated .'),
    "cut JSON-LD": ("application/ld+json", b'{"@context": {"@vocab": '),
    "deep JSON-LD": ("application/ld+json", b"[" * 100_000 + b"]" * 100_000),
    "external entity": ("application/rdf+xml", EXTERNAL_ENTITY),
    "named graphs into a graph": ("application/trig", b"<urn:g> { <urn:a> <urn:b> <urn:c> }"),
    "PNG": ("image/png", PNG),
    "text": ("text/plain", b"hello"),
    "no content type": ("", b"<urn:a> <urn:b> <urn:c> ."),
    "multipart without boundary": ("multipart/form-data", b"garbage"),
    "multipart of non-RDF": (
        "multipart/form-data; boundary=xyz",
        b"--xyz\r\nContent-Disposition: form-data; name=f; filename=a.ttl\r\nContent-Type: text/turtle\r\n\r\n"
        b"not turtle at all\r\n--xyz--\r\n",
    ),
}


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_graph_store_bodies_that_are_not_rdf_are_4xx(writable_server: Server, method: str) -> None:
    before = graph_sizes(writable_server)
    problems = []
    for name, (content_type, body) in NOT_RDF.items():
        headers = {"Content-Type": content_type} if content_type else {}
        target = b"/store?graph=urn:x:reliability"
        try:
            answer = raw(writable_server.base, request_bytes(method, target, {**headers, **writable_server.auth}, body))
        except (ConnectionError, TimeoutError) as exc:
            problems.append(f"{name}: no answer ({type(exc).__name__})")
            continue
        problems += judge(answer.status, answer.text, what=f"{method} {name}")
        if not 400 <= answer.status < 500:
            problems.append(f"{name}: {answer.status}, not a 4xx: {answer.text[:120]!r}")
    assert not problems, problems
    assert graph_sizes(writable_server) == before
    assert httpx.get(f"{writable_server.base}/store", params={"graph": "urn:x:reliability"}).status_code == 404


def test_json_ld_fetches_no_remote_context(writable_server: Server, listener: Listener) -> None:
    document = {"@context": f"http://127.0.0.1:{listener.port}/context.jsonld", "@id": "urn:a", "urn:b": "c"}
    response = httpx.put(
        f"{writable_server.base}/store",
        params={"graph": "urn:x:context"},
        content=json.dumps(document),
        headers={"content-type": "application/ld+json", **writable_server.auth},
        timeout=30,
    )
    assert not judge(response.status_code, response.text, what="a remote JSON-LD context")
    assert response.status_code == 400, response.text
    assert listener.connections == 0


def test_an_xml_entity_bomb_is_refused(writable_server: Server) -> None:
    """Entities expanding to a billion characters: refused (4xx) at once, not expanded.

    Last in the module: a server that expands it burns a core and gigabytes until the module's
    server is stopped.
    """
    headers = {"Content-Type": "application/rdf+xml", **writable_server.auth}
    request = request_bytes("PUT", b"/store?graph=urn:x:bomb", headers, BILLION_LAUGHS)
    try:
        answer = raw(writable_server.base, request, timeout=5)
    except TimeoutError:
        kill(writable_server.process())  # it would expand the bomb until stopped; SIGTERM waits for it
        pytest.fail("an RDF/XML entity bomb got no answer within 5 s: the server is expanding it")
    assert not judge(answer.status, answer.text, what="an XML entity bomb")
    assert 400 <= answer.status < 500, answer.text[:200]
