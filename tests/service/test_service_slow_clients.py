"""Slow clients: a real loopback server closes connections whose headers or body never finish."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from api.main import create_app
from api.server import server_config
from briefing.config import Settings

TIMEOUT = 0.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _server(settings: Settings) -> Iterator[int]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(server_config(settings, create_app(settings), host="127.0.0.1", port=port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def _closed_after(port: int, sent: bytes, wait: float) -> tuple[bool, float, bytes]:
    """Send `sent`, then nothing: (closed by the server within `wait`, seconds it took, bytes received)."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(sent)
        sock.settimeout(wait)
        started = time.monotonic()
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            return False, time.monotonic() - started, received
        return True, time.monotonic() - started, received


@pytest.fixture(params=["httptools", "h11"])
def port(
    request: pytest.FixtureRequest, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[int]:
    import api.server

    if request.param == "h11":  # the fallback when httptools is not installed
        monkeypatch.setattr(api.server, "PROTOCOL", api.server.H11ReadDeadline)
    tuned = settings.model_copy(
        update={"client_timeout": TIMEOUT, "scheduler_enabled": False, "allowed_hosts": ["127.0.0.1"]}
    )
    with _server(tuned) as port:
        yield port


def test_a_connection_whose_headers_never_finish_is_closed(port: int) -> None:
    closed, took, received = _closed_after(port, b"GET /v1/briefs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", 5)
    assert closed and TIMEOUT * 0.8 <= took < 10, took
    assert received == b""


def test_a_connection_whose_body_never_finishes_is_closed(port: int) -> None:
    head = (
        b"POST /v1/articles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: text/plain\r\nContent-Length: 1000\r\n\r\n"
    )
    closed, took, _ = _closed_after(port, head + b"Mayor Jane Doe said", 5)
    assert closed and took < 10, took


def test_an_idle_connection_before_any_byte_is_closed(port: int) -> None:
    closed, took, _ = _closed_after(port, b"", 5)
    assert closed and took < 10, took


def test_a_prompt_client_is_served_and_kept_alive(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for _ in range(2):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            sock.settimeout(5)
            reply = sock.recv(65536)
            assert reply.startswith(b"HTTP/1.1 200"), reply[:80]
