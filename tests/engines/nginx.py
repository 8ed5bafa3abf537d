"""A private nginx (Debian's) balancing loopback replicas, for the tests: configuration and process.

``running_nginx(upstreams)`` writes ``nginx.conf`` in a temporary folder (pid file, logs and buffers
there), runs ``nginx -p DIR -c DIR/nginx.conf -g 'daemon off;'`` in the foreground on a free
loopback port, waits until it answers, yields its base URL and stops it (then removes the folder).
``make nginx`` installs it.

What the configuration promises (measured by tests/engines/test_nginx.py):

- requests go round-robin to the upstreams, over kept-alive HTTP/1.1 connections, with ``Host`` and
  ``X-Forwarded-For``/``-Proto``/``-Host`` passed on;
- a request that fails to reach an upstream, or whose upstream breaks the connection, times out or
  answers 502/503/504, is sent to the next upstream (``proxy_next_upstream``, at most one try per
  upstream), but only when it is idempotent: ``non_idempotent`` is left out, so a POST or PATCH already
  sent is never sent again and its client gets 502;
- an upstream that fails once is left out for ``FAIL_SECONDS``.

``/.nginx-ready`` is answered by nginx itself (204), so readiness does not depend on the upstreams;
the access log (``access.log``) records each request's method, status and the upstreams tried.
"""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from api.testing import background_server, free_port

READY = "/.nginx-ready"
FAIL_SECONDS = 30
CONF = """\
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 512;
}}

http {{
    log_format tries '$request_method $uri $status "$upstream_addr" "$upstream_status"';
    access_log {dir}/access.log tries;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    upstream replicas {{
{servers}
        keepalive 32;
    }}

    server {{
        listen 127.0.0.1:{port};

        location = {ready} {{
            return 204;
        }}

        location / {{
            proxy_pass http://replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_connect_timeout 2s;
            proxy_read_timeout {read_seconds}s;
            # Only idempotent requests are retried: without non_idempotent, nginx never resends a
            # POST, LOCK or PATCH it has already sent, since the upstream may have acted on it.
            proxy_next_upstream error timeout http_502 http_503 http_504;
            proxy_next_upstream_tries {tries};
            proxy_next_upstream_timeout {read_seconds}s;
        }}
    }}
}}
"""


@dataclass(frozen=True)
class Nginx:
    """A running test balancer: its base URL and the folder holding its logs."""

    base: str
    directory: Path

    def access_log(self) -> list[str]:
        path = self.directory / "access.log"
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def nginx_binary() -> str:
    """Debian puts nginx in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise RuntimeError("nginx is not installed: run `make nginx` (Debian's nginx)")
    return found


def render_conf(directory: Path, port: int, upstreams: Sequence[str], *, read_seconds: int) -> str:
    servers = "\n".join(f"        server {address} max_fails=1 fail_timeout={FAIL_SECONDS}s;" for address in upstreams)
    # As root, the master would hand the workers to `nobody`, who cannot use the private folder.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    return CONF.format(
        user=user,
        dir=directory,
        servers=servers,
        port=port,
        ready=READY,
        tries=len(upstreams),
        read_seconds=read_seconds,
    )


@contextmanager
def running_nginx(upstreams: Sequence[str], *, read_seconds: int = 30) -> Iterator[Nginx]:
    """nginx balancing ``upstreams`` (``127.0.0.1:port`` each) for the block."""
    if not upstreams:
        raise ValueError("running_nginx needs at least one upstream (127.0.0.1:port)")
    binary = nginx_binary()
    directory = Path(tempfile.mkdtemp(prefix="cnrs-kg-nginx-"))
    try:
        port = free_port()
        conf = directory / "nginx.conf"
        conf.write_text(render_conf(directory, port, upstreams, read_seconds=read_seconds), encoding="utf-8")
        base = f"http://127.0.0.1:{port}"
        # -e: the error log before the configuration is read (else /var/log/nginx, not always writable).
        command = [
            binary,
            "-p",
            str(directory),
            "-c",
            str(conf),
            "-e",
            str(directory / "error.log"),
            "-g",
            "daemon off;",
        ]
        with background_server(command, base + READY, log=directory / "stdout.log", timeout=20.0):
            yield Nginx(base, directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
