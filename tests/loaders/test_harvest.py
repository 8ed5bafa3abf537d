"""The harvesters, offline: real records served by ``httpx.MockTransport``, an injected sleep that only records.

Covers the query strings sent, paging to the end, retries (429 with Retry-After, 5xx, transport errors),
interrupted and crashed runs that resume with every record exactly once, refused folders and queries.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import loaders.harvest as harvest
from loaders.harvest import (
    CheckpointError,
    FetchError,
    HalQuery,
    HarvestError,
    HarvestQueryError,
    OpenAlexQuery,
    RetryPolicy,
    harvest_hal,
    harvest_openalex,
    paging,
)
from loaders.harvest import checkpoint as checkpoints

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "harvest"
KEY = "sk-test-0123456789"
MAILTO = "kg@example.org"
FAST = RetryPolicy(attempts=3, base_delay=1.0, jitter=0.0)

Served = httpx.Response | Exception


class Server:
    """Serves one page per cursor; failures queued for a cursor are served first, in order."""

    def __init__(self, pages: dict[str, Any], cursor_param: str) -> None:
        self.pages = pages
        self.cursor_param = cursor_param
        self.requests: list[httpx.Request] = []
        self.failures: dict[str, list[Served]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        cursor = request.url.params[self.cursor_param]
        queued = self.failures.get(cursor)
        if queued:
            item = queued.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        return httpx.Response(200, json=self.pages[cursor])

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def cursors(self) -> list[str]:
        return [r.url.params[self.cursor_param] for r in self.requests]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CNRS_KG_MAILTO", "OPENALEX_MAILTO", "OPENALEX_API_KEY"):
        monkeypatch.delenv(name, raising=False)


# --- OpenAlex ---------------------------------------------------------------------------------

WORK_IDS = ("W2741809807", "W2755950973")
NEXT = (
    "IlsxNjA5MzcyODAwMDAwLCAnaHR0cHM6Ly9vcGVuYWxleC5vcmcvVzI0ODg0OTk3NjQnXSI=",
    "IlsxNjA5MzcyODAwMDAwLCAnVzI3NTUnXSI=",
)


def works() -> list[dict[str, Any]]:
    return [json.loads((FIXTURES / "openalex" / f"{w}.json").read_text(encoding="utf-8")) for w in WORK_IDS]


def openalex_page(results: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    meta = {"count": 2, "db_response_time_ms": 1, "page": None, "per_page": 1, "next_cursor": next_cursor}
    return {"meta": meta, "results": results}


def openalex_server(*, empty_last_page: bool = True) -> Server:
    """Two works a page apart; the API's usual ending (an empty page without cursor) or the short one."""
    first, second = works()
    if empty_last_page:
        pages = {
            "*": openalex_page([first], NEXT[0]),
            NEXT[0]: openalex_page([second], NEXT[1]),
            NEXT[1]: openalex_page([], None),
        }
    else:
        pages = {"*": openalex_page([first], NEXT[0]), NEXT[0]: openalex_page([second], None)}
    return Server(pages, "cursor")


def cached(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def openalex_run(
    server: Server, out: Path, query: OpenAlexQuery | None = None, **options: Any
) -> harvest.HarvestResult:
    options.setdefault("sleep", lambda seconds: None)
    options.setdefault("retry", FAST)
    return harvest_openalex(query or OpenAlexQuery(per_page=1), out, client=server.client(), **options)


def test_openalex_sends_filters_contact_paging_and_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNRS_KG_MAILTO", MAILTO)
    monkeypatch.setenv("OPENALEX_API_KEY", KEY)
    server = openalex_server()
    query = OpenAlexQuery(countries=("vn", "th"), from_year=2015, to_year=2024, per_page=1)
    openalex_run(server, tmp_path, query)

    first = server.requests[0]
    assert (first.url.scheme, first.url.host, first.url.path) == ("https", "api.openalex.org", "/works")
    assert dict(first.url.params) == {
        "filter": "authorships.institutions.lineage:I1294671590,authorships.countries:VN|TH,publication_year:2015-2024",
        "per-page": "1",
        "cursor": "*",
        "mailto": MAILTO,
        "api_key": KEY,
    }
    assert first.headers["User-Agent"].startswith("cnrs-kg/")
    assert first.headers["User-Agent"].endswith(f"(mailto:{MAILTO})")
    assert server.cursors() == ["*", NEXT[0], NEXT[1]]
    for path in tmp_path.iterdir():  # the key went to the API, and nowhere else
        assert KEY.encode() not in path.read_bytes(), path
    saved = json.loads((tmp_path / "checkpoint.json").read_text(encoding="utf-8"))
    assert saved["query"] == {"url": "https://api.openalex.org/works", "filter": query.filter, "per-page": 1}
    assert KEY not in repr(query)


def test_openalex_query_filters() -> None:
    assert OpenAlexQuery(institutions=("https://openalex.org/i1294671590",), lineage=False).filter == (
        "institutions.id:I1294671590"
    )
    assert OpenAlexQuery(from_year=2015, extra_filter="type:article,").filter == (
        "authorships.institutions.lineage:I1294671590,publication_year:>2014,type:article"
    )
    assert OpenAlexQuery(institutions=(), countries=["KH"], to_year=2024).filter == (
        "authorships.countries:KH,publication_year:<2025"
    )


def test_openalex_pages_to_the_end(tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    result = openalex_run(openalex_server(), tmp_path / "out", progress=lambda done, total: seen.append((done, total)))

    assert result == harvest.HarvestResult(
        cache=tmp_path / "out" / "openalex-works.jsonl", pages=3, records=2, resumed=False, complete=True, total=2
    )
    assert cached(result.cache) == works()  # one work a line, the JSON the API returned
    assert seen == [(0, None), (1, 2), (2, 2), (2, 2)]
    saved = json.loads((tmp_path / "out" / "checkpoint.json").read_text(encoding="utf-8"))
    assert (saved["cursor"], saved["complete"], saved["size"]) == (None, True, result.cache.stat().st_size)


def test_openalex_last_page_without_cursor_ends_the_harvest(tmp_path: Path) -> None:
    server = openalex_server(empty_last_page=False)
    result = openalex_run(server, tmp_path)
    assert (result.pages, result.records, result.complete) == (2, 2, True)
    assert server.cursors() == ["*", NEXT[0]]


def test_openalex_waits_as_long_as_retry_after_says(tmp_path: Path) -> None:
    server = openalex_server()
    server.failures[NEXT[0]] = [httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "slow down"})]
    sleeps: list[float] = []
    result = openalex_run(server, tmp_path, sleep=sleeps.append)
    assert sleeps == [7.0]
    assert result.complete
    assert cached(result.cache) == works()


def test_retry_after_is_capped(tmp_path: Path) -> None:
    server = openalex_server()
    server.failures["*"] = [httpx.Response(429, headers={"Retry-After": "86400"})]
    sleeps: list[float] = []
    openalex_run(server, tmp_path, sleep=sleeps.append, retry=RetryPolicy(max_retry_after=30.0))
    assert sleeps == [30.0]


def test_transport_errors_and_bad_bodies_are_retried_with_backoff(tmp_path: Path) -> None:
    server = openalex_server()
    server.failures["*"] = [httpx.ConnectError("connection refused"), httpx.Response(200, text="<html>proxy</html>")]
    sleeps: list[float] = []
    result = openalex_run(server, tmp_path, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0]  # doubling from base_delay (no jitter in FAST)
    assert result.records == 2


def test_server_errors_end_in_one_clear_line_after_the_last_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENALEX_API_KEY", KEY)
    server = openalex_server()
    server.failures["*"] = [httpx.Response(503, text="unavailable")] * 3
    sleeps: list[float] = []
    with pytest.raises(FetchError) as caught:
        openalex_run(server, tmp_path, sleep=sleeps.append)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("GET https://api.openalex.org/works?filter=")
    assert "api_key=%2A%2A%2A" in message
    assert KEY not in message
    assert "failed after 3 attempts (HTTP 503)" in message
    assert message.endswith("run the same command again to resume where it stopped")
    assert caught.value.status == 503
    assert sleeps == [1.0, 2.0]
    assert len(server.requests) == 3
    assert "HTTP 503; retry 2 of 2 in 2.0 s" in caplog.text
    assert KEY not in caplog.text


def test_a_refused_query_fails_at_once_with_the_api_message(tmp_path: Path) -> None:
    server = openalex_server()
    refusal = {"error": "Invalid query parameters error.", "message": "authorships.countries is not a valid field"}
    server.failures["*"] = [httpx.Response(400, json=refusal)]
    sleeps: list[float] = []
    with pytest.raises(FetchError, match=r"HTTP 400 \(Invalid query .* not a valid field\); .*check the filters"):
        openalex_run(server, tmp_path, sleep=sleeps.append)
    assert sleeps == []


@pytest.mark.parametrize(
    ("interrupt", "max_pages"),
    [
        pytest.param(lambda server: None, 1, id="max_pages"),
        pytest.param(
            lambda server: server.failures.update({NEXT[0]: [httpx.ReadTimeout("timed out")] * 3}), None, id="fetch"
        ),
        pytest.param(lambda server: server.failures.update({NEXT[0]: [RuntimeError("killed")]}), None, id="crash"),
    ],
)
def test_an_interrupted_harvest_resumes_with_each_work_once(
    tmp_path: Path, interrupt: Callable[[Server], None], max_pages: int | None
) -> None:
    first = openalex_server()
    interrupt(first)
    if max_pages is None:
        with pytest.raises((FetchError, RuntimeError)):
            openalex_run(first, tmp_path)
        assert first.cursors()[:2] == ["*", NEXT[0]]  # it stopped on page 2
    else:
        stopped = openalex_run(first, tmp_path, max_pages=max_pages)
        assert (stopped.pages, stopped.records, stopped.complete, stopped.resumed) == (1, 1, False, False)
        assert first.cursors() == ["*"]

    second = openalex_server()
    result = openalex_run(second, tmp_path)
    assert second.cursors() == [NEXT[0], NEXT[1]]  # not from the start
    assert (result.pages, result.records, result.complete, result.resumed) == (3, 2, True, True)
    assert cached(result.cache) == works()


def test_a_crash_between_append_and_checkpoint_is_repaired(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = checkpoints.write_checkpoint

    def dies_on_page_two(folder: Path, checkpoint: checkpoints.Checkpoint) -> None:
        calls.append(checkpoint.pages)
        if checkpoint.pages == 2:
            raise KeyboardInterrupt  # after page 2 was appended, before its checkpoint
        real(folder, checkpoint)

    monkeypatch.setattr(paging, "write_checkpoint", dies_on_page_two)
    with pytest.raises(KeyboardInterrupt):
        openalex_run(openalex_server(), tmp_path)
    cache = tmp_path / "openalex-works.jsonl"
    assert [w["id"] for w in cached(cache)] == [f"https://openalex.org/{w}" for w in WORK_IDS]  # one too many

    monkeypatch.setattr(paging, "write_checkpoint", real)
    server = openalex_server()
    result = openalex_run(server, tmp_path)
    assert server.cursors() == [NEXT[0], NEXT[1]]
    assert cached(cache) == works()
    assert result.records == 2


def test_a_finished_harvest_is_not_fetched_again(tmp_path: Path) -> None:
    openalex_run(openalex_server(), tmp_path)
    server = openalex_server()
    result = openalex_run(server, tmp_path)
    assert server.requests == []
    assert (result.records, result.complete, result.resumed) == (2, True, True)


def test_a_new_contact_or_key_resumes_the_same_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    openalex_run(openalex_server(), tmp_path, max_pages=1)
    monkeypatch.setenv("OPENALEX_MAILTO", MAILTO)
    monkeypatch.setenv("OPENALEX_API_KEY", KEY)
    assert openalex_run(openalex_server(), tmp_path).resumed


def test_another_query_is_refused_the_folder(tmp_path: Path) -> None:
    openalex_run(openalex_server(), tmp_path, max_pages=1)
    before = (tmp_path / "openalex-works.jsonl").read_bytes()
    server = openalex_server()
    with pytest.raises(CheckpointError, match=r"holds the harvest of another query .*choose another folder"):
        openalex_run(server, tmp_path, OpenAlexQuery(countries=("VN",), per_page=1))
    with pytest.raises(CheckpointError, match="another query"):
        harvest_hal(HalQuery(), tmp_path, client=server.client())
    assert server.requests == []
    assert (tmp_path / "openalex-works.jsonl").read_bytes() == before


def test_a_cache_shorter_than_its_checkpoint_is_refused(tmp_path: Path) -> None:
    openalex_run(openalex_server(), tmp_path, max_pages=1)
    cache = tmp_path / "openalex-works.jsonl"
    cache.write_bytes(cache.read_bytes()[:100])
    with pytest.raises(CheckpointError, match=r"holds 100 bytes but its checkpoint vouches for \d+"):
        openalex_run(openalex_server(), tmp_path)


@pytest.mark.parametrize(
    ("checkpoint", "cache", "message"),
    [
        ("{not json", None, "damaged checkpoint"),
        ('{"format": 1, "source": "openalex"}', None, "damaged checkpoint"),
        (None, '{"id": "https://openalex.org/W1"}\n', "a cache without a checkpoint"),
    ],
)
def test_a_folder_that_cannot_be_trusted_is_refused(
    tmp_path: Path, checkpoint: str | None, cache: str | None, message: str
) -> None:
    if checkpoint is not None:
        (tmp_path / "checkpoint.json").write_text(checkpoint, encoding="utf-8")
    if cache is not None:
        (tmp_path / "openalex-works.jsonl").write_text(cache, encoding="utf-8")
    with pytest.raises(CheckpointError, match=message):
        openalex_run(openalex_server(), tmp_path)


def test_the_checkpoint_is_replaced_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = checkpoints.Checkpoint(source="openalex", fingerprint="f", query={}, cache="c.jsonl", cursor="*")
    checkpoints.write_checkpoint(tmp_path, old)

    def fails(src: str, dst: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fails)
    with pytest.raises(OSError, match="disk full"):
        checkpoints.write_checkpoint(tmp_path, old.advance(cursor="next", records=5, size=10, total=9))
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.json"]  # no temporary file left
    assert checkpoints.read_checkpoint(tmp_path) == old


@pytest.mark.parametrize("code", ["XX", "VNM", "V", "", "1A", "EU"])
def test_invalid_country_codes_are_refused(code: str) -> None:
    with pytest.raises(HarvestQueryError, match="is not ISO 3166-1 alpha-2"):
        OpenAlexQuery(countries=("VN", code))
    with pytest.raises(ValueError, match="is not ISO 3166-1 alpha-2"):
        HalQuery(countries=(code,))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: OpenAlexQuery(per_page=201), "per_page 201 is out of range; use 1 to 200"),
        (lambda: OpenAlexQuery(from_year=2024, to_year=2015), "year range 2024-2015 is empty"),
        (lambda: OpenAlexQuery(institutions=("CNRS",)), "not an OpenAlex institution id"),
        (lambda: OpenAlexQuery(institutions=()), "selects every work"),
        (lambda: HalQuery(rows=0), "rows 0 is out of range"),
        (lambda: HalQuery(structures=(-1,)), "HAL structure ids"),
        (lambda: HalQuery(country_field="country"), "country field"),
    ],
)
def test_invalid_queries_are_refused(make: Callable[[], object], message: str) -> None:
    with pytest.raises(HarvestQueryError, match=message):
        make()


def test_an_invalid_contact_is_refused_before_any_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Checked when the harvest starts, since the e-mail may come from the environment.
    monkeypatch.setenv("CNRS_KG_MAILTO", "kg at example.org")
    server = openalex_server()
    with pytest.raises(HarvestQueryError, match=r"'kg at example\.org' is not an e-mail address"):
        openalex_run(server, tmp_path)
    with pytest.raises(HarvestQueryError, match="is not an e-mail address"):
        hal_run(hal_server(), tmp_path, HalQuery(mailto="nobody"))
    assert server.requests == []


# --- HAL --------------------------------------------------------------------------------------

HAL_IDS = ("hal-00719737", "cea-00991452", "anses-01067498", "hal-01149835", "hal-01213935", "hal-01246266")
MARKS = ("AoE/BjcxOTczNw==", "AoE/BzEwNjc0OTg=", "AoE/BzEyNDYyNjY=")


def tei(hal_id: str) -> str:
    (path,) = FIXTURES.joinpath("hal").glob(f"{hal_id}*.xml")
    return path.read_text(encoding="utf-8")


def hal_server() -> Server:
    """Six documents, two a page, then the page that repeats the last mark (Solr's "no more")."""
    docs = [{"docid": h.split("-")[1].lstrip("0"), "halId_s": h, "label_xml": tei(h)} for h in HAL_IDS]
    cursors = ("*", *MARKS)
    pages = {}
    for n, cursor in enumerate(cursors):
        chunk = docs[2 * n : 2 * n + 2]
        response = {"numFound": 6, "start": 0, "numFoundExact": True, "docs": chunk}
        pages[cursor] = {"response": response, "nextCursorMark": MARKS[n] if n < len(MARKS) else cursor}
    return Server(pages, "cursorMark")


def hal_run(server: Server, out: Path, query: HalQuery | None = None, **options: Any) -> harvest.HarvestResult:
    options.setdefault("sleep", lambda seconds: None)
    options.setdefault("retry", FAST)
    return harvest_hal(query or HalQuery(rows=2), out, client=server.client(), **options)


def test_hal_sends_filters_fields_sort_and_cursor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNRS_KG_MAILTO", MAILTO)
    server = hal_server()
    hal_run(server, tmp_path, HalQuery(countries=("VN", "th"), from_year=2015, to_year=2024, rows=2))

    first = server.requests[0]
    assert str(first.url).startswith("https://api.archives-ouvertes.fr/search/?")
    assert first.url.params.multi_items() == [
        ("q", "*:*"),
        ("fq", "structId_i:441569"),
        ("fq", "structCountry_s:(vn OR th)"),
        ("fq", "producedDateY_i:[2015 TO 2024]"),
        ("fl", "docid,halId_s,label_xml"),
        ("sort", "docid asc"),
        ("rows", "2"),
        ("wt", "json"),
        ("cursorMark", "*"),
    ]
    assert first.headers["User-Agent"].endswith(f"(mailto:{MAILTO})")
    assert server.cursors() == ["*", *MARKS]


def test_hal_pages_to_the_end_one_tei_document_a_line(tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    result = hal_run(hal_server(), tmp_path, progress=lambda done, total: seen.append((done, total)))

    assert (result.pages, result.records, result.complete, result.total) == (4, 6, True, 6)
    assert result.cache == tmp_path / "hal-tei.jsonl"
    lines = cached(result.cache)
    assert [line["tei"] for line in lines] == [tei(h) for h in HAL_IDS]
    assert [(line["page"], line["cursor"], line["halId"]) for line in lines[:3]] == [
        (1, "*", HAL_IDS[0]),
        (1, "*", HAL_IDS[1]),
        (2, MARKS[0], HAL_IDS[2]),
    ]
    assert seen == [(0, None), (2, 6), (4, 6), (6, 6), (6, 6)]


def test_hal_resumes_after_an_interruption(tmp_path: Path) -> None:
    first = hal_server()
    first.failures[MARKS[1]] = [httpx.Response(502)] * 3
    with pytest.raises(FetchError, match="HTTP 502"):
        hal_run(first, tmp_path)
    second = hal_server()
    result = hal_run(second, tmp_path)
    assert second.cursors() == [MARKS[1], MARKS[2]]
    assert result.resumed
    assert result.complete
    assert [line["halId"] for line in cached(result.cache)] == list(HAL_IDS)


def test_hal_reports_the_query_solr_refused(tmp_path: Path) -> None:
    server = hal_server()
    server.failures["*"] = [httpx.Response(200, json={"error": {"msg": "undefined field structCountry", "code": 400}})]
    with pytest.raises(FetchError, match=r"HAL refused the query \(undefined field structCountry\); check the filters"):
        hal_run(server, tmp_path)


# --- the package ------------------------------------------------------------------------------


def test_public_names() -> None:
    assert sorted(harvest.__all__) == [
        "CheckpointError",
        "FetchError",
        "HalQuery",
        "HarvestError",
        "HarvestQueryError",
        "HarvestResult",
        "OpenAlexQuery",
        "Progress",
        "RetryPolicy",
        "harvest_hal",
        "harvest_openalex",
    ]


def test_errors_are_loader_errors() -> None:
    from loaders import LoaderError

    assert issubclass(HarvestError, LoaderError)
    assert all(issubclass(kind, HarvestError) for kind in (HarvestQueryError, FetchError, CheckpointError))
