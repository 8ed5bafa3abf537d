"""nginx in front of three replicas: reads survive a replica killed mid-run, writes in flight are not resent.

Each replica is uvicorn serving ``create_app`` (a Starlette app answering which replica it is) in a
child process on a free loopback port; one is killed with SIGKILL, as a crashed replica would be.
What a client sees: a GET whose replica dies (before or while answering) is answered by another
replica, so no read fails; a POST whose replica dies while handling it gets 502 Bad Gateway from
nginx, never a second delivery, and the client cannot tell from that whether the write happened.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.testing import background_server, free_port
from tests.engines.nginx import Nginx, running_nginx

REPLICAS = 3
CLIENTS = 16
RUN_SECONDS = 4.0
KILL_AFTER_SECONDS = 1.5
SLOW_SECONDS = 1.0
REPLICA_ENV = "CNRS_KG_TEST_REPLICA"
MARKERS_ENV = "CNRS_KG_TEST_MARKERS"


def create_app() -> Starlette:
    """A replica: ``/`` says which one answered; ``/slow`` marks that it started, then answers a second later."""
    replica = os.environ[REPLICA_ENV]
    markers = Path(os.environ[MARKERS_ENV])

    async def whoami(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "replica": replica,
                "pid": os.getpid(),
                "host": request.headers.get("host"),
                "forwarded_for": request.headers.get("x-forwarded-for"),
                "forwarded_host": request.headers.get("x-forwarded-host"),
            }
        )

    async def slow(request: Request) -> JSONResponse:
        await request.body()
        (markers / f"{request.method}-{replica}").touch()
        await asyncio.sleep(SLOW_SECONDS)
        return JSONResponse({"replica": replica})

    return Starlette(routes=[Route("/", whoami), Route("/slow", slow, methods=["GET", "POST"])])


@dataclass(frozen=True)
class Replica:
    name: str
    address: str
    pid: int

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)


@contextmanager
def replicas(markers: Path) -> Iterator[list[Replica]]:
    """Three uvicorn replicas of ``create_app`` for the block."""
    with ExitStack() as stack:
        started = []
        for index in range(REPLICAS):
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", "--factory", f"{__name__}:create_app", "--host", "127.0.0.1"]
            command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
            env = {**os.environ, REPLICA_ENV: str(index), MARKERS_ENV: str(markers)}
            base = f"http://127.0.0.1:{port}"
            stack.enter_context(background_server(command, base + "/", env=env, log=markers / f"replica-{index}.log"))
            pid = httpx.get(base + "/").json()["pid"]
            started.append(Replica(str(index), f"127.0.0.1:{port}", pid))
        yield started


@dataclass(frozen=True)
class Answer:
    at: float
    status: int
    replica: str | None


def read_until(balancer: Nginx, deadline: float, answers: list[Answer]) -> None:
    with httpx.Client(timeout=10) as client:
        while (now := time.monotonic()) < deadline:
            try:
                response = client.get(balancer.base + "/")
            except httpx.TransportError:
                answers.append(Answer(now, 0, None))
                continue
            replica = response.json()["replica"] if response.status_code == 200 else None
            answers.append(Answer(now, response.status_code, replica))


def test_reads_survive_a_replica_killed_mid_run(tmp_path: Path) -> None:
    with replicas(tmp_path) as started, running_nginx([replica.address for replica in started]) as balancer:
        answers: list[Answer] = []
        begin = time.monotonic()
        readers = [
            threading.Thread(target=read_until, args=(balancer, begin + RUN_SECONDS, answers)) for _ in range(CLIENTS)
        ]
        for reader in readers:
            reader.start()
        time.sleep(KILL_AFTER_SECONDS)
        killed_at = time.monotonic()
        started[1].kill()
        for reader in readers:
            reader.join()
        log = balancer.access_log()
    assert len(answers) > 100
    assert [answer for answer in answers if answer.status != 200] == []
    assert {answer.replica for answer in answers if answer.at < killed_at} == {"0", "1", "2"}
    assert {answer.replica for answer in answers if answer.at > killed_at + 0.5} == {"0", "2"}
    retried = [line for line in log if line.startswith("GET / 200") and ", " in line]
    assert retried, "no GET was retried on another replica: the kill was not exercised"


def test_headers_reach_the_replica(tmp_path: Path) -> None:
    with replicas(tmp_path) as started, running_nginx([replica.address for replica in started]) as balancer:
        seen = httpx.get(balancer.base + "/").json()
    port = balancer.base.rsplit(":", 1)[1]
    assert seen["host"] == seen["forwarded_host"] == f"127.0.0.1:{port}"
    assert seen["forwarded_for"] == "127.0.0.1"


def wait_for_marker(markers: Path, method: str) -> str:
    """The replica that started handling a ``/slow`` request of ``method``."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = sorted(markers.glob(f"{method}-*"))
        if found:
            return found[0].name.split("-", 1)[1]
        time.sleep(0.02)
    raise AssertionError(f"no replica received the {method}")


def kill_in_flight(markers: Path, started: list[Replica], balancer: Nginx, method: str) -> tuple[httpx.Response, str]:
    """Send ``method /slow``, kill the replica handling it; the client's answer and the killed replica."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(httpx.request, method, balancer.base + "/slow", content=b"{}", timeout=20)
        victim = wait_for_marker(markers, method)
        next(replica for replica in started if replica.name == victim).kill()
        return pending.result(), victim


def test_a_post_in_flight_is_not_resent_but_a_get_is(tmp_path: Path) -> None:
    with replicas(tmp_path) as started, running_nginx([replica.address for replica in started]) as balancer:
        post, post_victim = kill_in_flight(tmp_path, started, balancer, "POST")
        get, get_victim = kill_in_flight(tmp_path, started, balancer, "GET")
    assert post.status_code == 502
    assert [marker.name for marker in tmp_path.glob("POST-*")] == [f"POST-{post_victim}"]  # sent once only
    assert get.status_code == 200
    answered_by = get.json()["replica"]
    assert answered_by not in {get_victim, post_victim}
    assert sorted(marker.name for marker in tmp_path.glob("GET-*")) == sorted(
        [f"GET-{get_victim}", f"GET-{answered_by}"]
    )
