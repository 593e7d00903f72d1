"""Safe URL fetching: private addresses refused, size capped, HTML turned into article text."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from briefing.config import Settings
from briefing.errors import InputError, UpstreamError
from briefing.fetch import fetch_url, resolve_checked

PAGE = (
    "<html><head><title>Harbour reopens</title></head><body><nav>Menu</nav><article>"
    "<h1>Harbour reopens</h1><p>The harbour reopened on Friday after a week of storms, officials said.</p>"
    "<p>Fishing boats returned to the quay by the afternoon.</p></article></body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/big":
            body = b"x" * 50_000
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        if self.path == "/image":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(b"\x89PNG")
            return
        if self.path != "/article":
            self.send_error(404)
            return
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A loopback server in a thread, for as long as the fixture lives; yields its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True  # a handler still dripping does not hold up the shutdown
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server() -> Iterator[str]:
    yield from _serve(_Handler)


def test_loopback_refused_by_default(settings: Settings, server: str) -> None:
    with pytest.raises(InputError, match="non-public address"):
        fetch_url(server + "/article", settings)


@pytest.mark.parametrize(
    "address", ["10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fd00::1", "0.0.0.0"]
)
def test_private_and_link_local_addresses_refused(address: str) -> None:
    with pytest.raises(InputError, match="non-public"):
        resolve_checked(address, 80, allow_private=False)


@pytest.mark.parametrize(
    "address",
    [
        *("64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "2002:a00:5::1", "::7f00:1", "::ffff:10.0.0.5"),
        "::ffff:0:7f00:1",  # IPv4-translated (SIIT)
        "64:ff9b:1::7f00:1",  # local-use NAT64
        "64:ff9b:1::808:808",  # local-use NAT64 is never public, whatever it embeds
    ],
)
def test_ipv6_forms_of_private_ipv4_addresses_refused(address: str) -> None:
    # NAT64, 6to4 and IPv4-compatible addresses carry an IPv4 address a translating network delivers to
    with pytest.raises(InputError, match="non-public"):
        resolve_checked(address, 80, allow_private=False)


@pytest.mark.parametrize(
    "address", ["64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111", "::ffff:0:808:808"]
)
def test_ipv6_forms_of_public_addresses_allowed(address: str) -> None:
    assert resolve_checked(address, 80, allow_private=False) == address


def test_names_resolving_to_private_space_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: int, **_: object) -> list:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(InputError, match=r"internal\.example"):
        resolve_checked("internal.example", 80, allow_private=False)
    assert resolve_checked("internal.example", 80, allow_private=True) == "10.0.0.5"


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "http://", "not a url"])
def test_non_http_urls_refused(settings: Settings, url: str) -> None:
    with pytest.raises(InputError):
        fetch_url(url, settings)


@pytest.mark.parametrize("url", ["http://a..b/", f"http://{'a' * 64}.example/", f"http://{'a.' * 130}com/"])
def test_host_names_no_resolver_takes_are_input_errors(settings: Settings, url: str) -> None:
    with pytest.raises(InputError, match="is not a valid host name"):
        fetch_url(url, settings)


class _Drip(BaseHTTPRequestHandler):
    """Answers its headers a byte at a time (each read within the read timeout), or redirects to a
    javascript: URL."""

    def do_GET(self) -> None:
        if self.path == "/js":
            self.send_response(302)
            self.send_header("Location", "javascript:alert(1)")
            self.end_headers()
            return
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: " + b"x" * 200:
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.05)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def drip() -> Iterator[str]:
    yield from _serve(_Drip)


def test_one_deadline_covers_a_server_that_drips_its_headers(settings: Settings, drip: str) -> None:
    allowed = settings.model_copy(update={"allow_private_urls": True, "fetch_timeout": 0.5})
    started = time.monotonic()
    with pytest.raises(UpstreamError, match=r"took longer than 0\.5 s"):
        fetch_url(drip + "/slow", allowed)
    assert time.monotonic() - started < 3  # the drip alone would take over 10 s


def test_a_redirect_to_a_non_http_url_is_an_input_error(settings: Settings, drip: str) -> None:
    allowed = settings.model_copy(update={"allow_private_urls": True})
    with pytest.raises(InputError, match=r"cannot fetch|not an http"):  # a 4xx, never a 500
        fetch_url(drip + "/js", allowed)


def test_allowed_fetch_extracts_article_text_through_redirect(settings: Settings, server: str) -> None:
    allowed = settings.model_copy(update={"allow_private_urls": True})
    page = fetch_url(server + "/redirect", allowed)
    assert page.final_url.endswith("/article") and page.title == "Harbour reopens"
    assert "reopened on Friday" in page.text and "<p>" not in page.text


def test_size_limit_and_content_type(settings: Settings, server: str) -> None:
    allowed = settings.model_copy(update={"allow_private_urls": True, "fetch_max_bytes": 10_000})
    with pytest.raises(InputError, match="10000-byte limit"):
        fetch_url(server + "/big", allowed)
    with pytest.raises(InputError, match="image/png"):
        fetch_url(server + "/image", allowed)
    with pytest.raises(InputError, match="HTTP 404"):
        fetch_url(server + "/missing", allowed)


def test_api_fetches_url_when_no_text(make_client: Callable[..., TestClient], server: str) -> None:
    client = make_client(allow_private_urls=True)
    response = client.post("/v1/briefs?engine=test", json={"url": server + "/article"})
    assert response.status_code == 200, response.text
    assert "The harbour reopened on Friday" in response.json()["summary"]
    refused = make_client().post("/v1/briefs?engine=test", json={"url": server + "/article"})
    assert refused.status_code == 422 and refused.json()["error"]["fields"] == ["url"]
