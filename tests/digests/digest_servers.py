"""Loopback servers for the digest tests: a webhook receiver, a feed/page server, an SMTP sink."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# An article page as a feed entry links to it: a title and two paragraphs of body.
PAGE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{body} The council met on Monday to discuss the matter in detail with residents.</p>
<p>Officials said a decision would follow within weeks, after a public consultation.</p>
</article></body></html>"""


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    delay: float = 0.0
    location: str | None = None  # sent as the Location header (with a 3xx status)


@dataclass
class Recorder:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    fail_next: int = 0  # answer 500 to this many POSTs first
    post_status: int = 204  # what the other POSTs get
    lock: threading.Lock = field(default_factory=threading.Lock)

    def posts(self) -> list[tuple[dict[str, str], bytes]]:
        return [(headers, body) for method, _, headers, body in self.requests if method == "POST"]


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _record(self, body: bytes) -> None:
            with recorder.lock:
                recorder.requests.append((self.command, self.path, dict(self.headers.items()), body))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._record(body)
            with recorder.lock:
                failing = recorder.fail_next > 0
                recorder.fail_next -= failing
            self.send_response(500 if failing else recorder.post_status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            self._record(b"")
            route = recorder.routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.delay:
                time.sleep(route.delay)
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            if route.location:
                self.send_header("Location", route.location)
            if route.etag:
                self.send_header("ETag", route.etag)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(route.body)

    return Handler


@contextmanager
def http_server() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorder
    finally:
        server.shutdown()
        server.server_close()


def valid_signature(headers: dict[str, str], body: bytes, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("X-Briefing-Signature", ""), expected)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(**options: Any) -> Iterator[tuple[int, list]]:
    """An aiosmtpd sink on a loopback port; `options` go to its Controller (TLS, auth…)."""
    from aiosmtpd.controller import Controller

    messages: list = []

    class Sink:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            messages.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port, messages
    finally:
        controller.stop()


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
