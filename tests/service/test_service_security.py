"""Security: http(s)-only URLs, security headers and CSP, the Host allow-list, signed sessions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient
from pydantic import SecretStr

ARTICLE = "Mayor Jane Doe said the park would reopen. Work begins Monday, officials said."
KEY = "page-key-1"
SAME = {"Origin": "http://testserver"}
BAD_URLS = [
    "javascript:fetch('/v1/briefs')",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("path", ["/v1/briefs", "/v1/articles"])
def test_article_urls_must_be_http_or_https(client: TestClient, path: str, url: str) -> None:
    response = client.post(path, json={"text": ARTICLE, "url": url})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["fields"] == ["url"] and "http:// or https://" in error["message"]
    assert client.post(path, json={"text": ARTICLE, "url": "https://news.example/a"}).status_code < 300


def test_the_web_form_refuses_a_javascript_url_with_a_message(client: TestClient) -> None:
    response = client.post("/", data={"url": "javascript:alert(1)"}, headers=SAME)
    assert response.status_code == 422 and "http:// or https://" in response.text


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/feeds", {"url": "javascript:alert(1)"}, "url"),
        (
            "/v1/schedules",
            {"name": "x", "cron": "30 7 * * *", "targets": [{"kind": "webhook", "url": "ftp://x/h"}]},
            "targets",
        ),
    ],
)
def test_feed_and_webhook_urls_must_be_http_or_https(
    client: TestClient, path: str, body: dict[str, object], field: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert any(field in name for name in response.json()["error"]["fields"])
    assert "http" in response.json()["error"]["message"]


def _policy(header: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/digests", "/login"])
def test_html_pages_send_a_csp_without_inline_script_and_security_headers(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = _policy(response.headers["content-security-policy"])
    script = policy["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert re.search(r"'nonce-[A-Za-z0-9_-]{16,}'", script)
    assert policy["object-src"] == "object-src 'none'" and "frame-ancestors" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    again = client.get(path).headers["content-security-policy"]
    assert again != response.headers["content-security-policy"]  # a fresh nonce per response


def test_json_responses_get_a_locked_down_policy_too(client: TestClient) -> None:
    response = client.get("/v1/briefs")
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_digest_page_is_the_pages_own_escaped_template_not_the_users_html(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    """The page renders the digest itself (so it reflows on a phone): a user's digest template,
    script and all, reaches only the `.html` download, never the page; planted text is escaped."""
    (tmp_path / "digest.html.j2").write_text("<script>window.__own = 1</script>{{ digest.title }}")
    client = make_client(engine=None, templates_dir=tmp_path)
    stored = client.post("/v1/articles", json={"text": ARTICLE, "source": "<b>wire</b>"}).json()
    title = '<img src=x onerror="alert(1)">'
    digest = client.post(
        "/v1/digests", json={"title": title, "article_ids": [stored["article"]["id"]]}
    ).json()
    page = client.get(f"/digests/{digest['id']}")
    assert page.status_code == 200
    assert "<script" not in page.text and "<iframe" not in page.text and "<img" not in page.text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page.text
    assert "&lt;b&gt;wire&lt;/b&gt;" in page.text  # the source label, escaped
    assert client.get(f"/v1/digests/{digest['id']}.html").text.startswith("<script>")  # the user's own


# --- Host allow-list (DNS rebinding) -------------------------------------------------------------


def test_a_foreign_host_is_refused_with_400(client: TestClient) -> None:
    response = client.get("/v1/briefs", headers={"Host": "attacker.example"})
    assert response.status_code == 400 and response.json()["error"]["type"] == "BadHost"
    assert "BRIEFING_ALLOWED_HOSTS" in response.json()["error"]["message"]
    rebound = client.post(
        "/v1/schedules",
        json={"name": "x", "cron": "30 7 * * *", "targets": [{"kind": "directory", "path": "/tmp/x"}]},
        headers={"Host": "attacker.example:8000", "Origin": "http://attacker.example:8000"},
    )
    assert rebound.status_code == 400
    assert client.get("/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200  # probes


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"])
def test_loopback_names_are_always_served(make_client: Callable[..., TestClient], host: str) -> None:
    client = make_client(allowed_hosts=[])
    assert client.get("/v1/briefs", headers={"Host": host}).status_code == 200
    assert client.get("/v1/briefs").status_code == 400  # "testserver" is no longer on the list


@pytest.mark.parametrize(
    "host", ["evil.com@localhost", "localhost:8000/x", "127.0.0.1:99999", "localhost:80:80", "local host", ""]
)
def test_a_malformed_host_is_refused_not_read_leniently(
    make_client: Callable[..., TestClient], host: str
) -> None:
    client = make_client(allowed_hosts=[])
    assert client.get("/v1/briefs", headers={"Host": host}).status_code == 400


def test_two_host_headers_are_refused() -> None:
    # the test client sends one Host; a raw ASGI call sends two, the first one allowed
    from api.middleware import request_host

    scope = {"type": "http", "headers": [(b"host", b"localhost"), (b"host", b"evil.example")]}
    assert request_host(scope) is None
    assert request_host({"type": "http", "headers": [(b"host", b"LOCALHOST:8000")]}) == "localhost"
    assert request_host({"type": "http", "headers": [(b"host", b"[::1]:8000")]}) == "::1"


def test_allowed_hosts_setting_adds_names(make_client: Callable[..., TestClient]) -> None:
    client = make_client(allowed_hosts=["briefing.example.org"])
    assert client.get("/v1/briefs", headers={"Host": "briefing.example.org"}).status_code == 200
    assert client.get("/v1/briefs", headers={"Host": "other.example.org"}).status_code == 400


def test_origin_is_checked_against_the_allow_list_and_the_port(client: TestClient) -> None:
    post = {"text": ARTICLE}
    ok = client.post("/", data=post, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert ok.status_code == 303
    for origin in ("http://evil.example", "http://testserver:9999", "http://localhost"):
        refused = client.post("/", data=post, headers={"Origin": origin})
        assert refused.status_code == 403, origin


# --- signed sessions -------------------------------------------------------------------------------


def _sign_in(client: TestClient) -> str:
    signed = client.post("/login", data={"key": KEY, "next": "/"}, headers=SAME, follow_redirects=False)
    assert signed.status_code == 303
    return signed.headers["set-cookie"]


def test_the_session_cookie_is_signed_and_never_the_key(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY])
    cookie = _sign_in(client)
    value = client.cookies["briefing_session"]
    assert KEY not in cookie and value.count(".") >= 2  # payload.timestamp.signature
    assert client.get("/v1/briefs").status_code == 200
    payload, stamp, signature = value.rsplit(".", 2)
    forged = signature[::-1] if signature != signature[::-1] else signature + "x"
    client.cookies.clear()
    client.cookies.set("briefing_session", f"{payload}.{stamp}.{forged}")
    assert client.get("/v1/briefs").status_code == 403


def test_the_session_cookie_does_not_carry_the_keys_digest(make_client: Callable[..., TestClient]) -> None:
    # a digest of a person's weak key would let anyone who reads the cookie test guesses offline
    import hashlib
    import json

    from itsdangerous import URLSafeTimedSerializer

    client = make_client(api_keys=[KEY])
    _sign_in(client)
    # what anyone holding the cookie can read, without the secret
    _, data = URLSafeTimedSerializer("any", salt="briefing-session").loads_unsafe(
        client.cookies["briefing_session"]
    )
    digest = hashlib.sha256(KEY.encode()).hexdigest()
    assert set(data) == {"t"} and digest not in json.dumps(data) and KEY not in json.dumps(data)
    other = make_client(api_keys=[KEY], session_secret=SecretStr("c" * 32))
    other.cookies.set("briefing_session", client.cookies["briefing_session"])
    assert other.get("/v1/briefs").status_code == 403  # the tag holds only under its own secret


def test_the_session_expires(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY], session_max_age=60.0)
    with time_machine.travel(0, tick=False) as clock:
        clock.move_to("2026-12-01T10:00:00Z")
        assert "Max-Age=60" in _sign_in(client)
        assert client.get("/v1/briefs").status_code == 200
        value = client.cookies["briefing_session"]
        clock.shift(timedelta(seconds=120))
        client.cookies.clear()
        client.cookies.set("briefing_session", value)  # a client that keeps the cookie past Max-Age
        assert client.get("/v1/briefs").status_code == 403


def test_revoking_the_key_ends_its_sessions(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    store = client.app.state.service.store  # type: ignore[attr-defined]
    key, info = store.create_api_key("reader")
    signed = client.post("/login", data={"key": key, "next": "/"}, headers=SAME, follow_redirects=False)
    assert signed.status_code == 303 and client.get("/v1/briefs").status_code == 200
    store.revoke_api_key(info.id)
    assert client.get("/v1/briefs").status_code == 403


def test_secure_cookie_over_https(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY])
    client.base_url = client.base_url.copy_with(scheme="https")
    signed = client.post(
        "/login",
        data={"key": KEY, "next": "/"},
        headers={"Origin": "https://testserver"},
        follow_redirects=False,
    )
    assert signed.status_code == 303 and "Secure" in signed.headers["set-cookie"]


def test_the_secret_is_generated_once_and_kept_in_the_data_dir(
    make_client: Callable[..., TestClient],
) -> None:
    first = make_client(api_keys=[KEY])
    _sign_in(first)
    data_dir = first.app.state.settings.data_dir  # type: ignore[attr-defined]
    secret = data_dir / "session.key"
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_text().strip()) >= 32
    second = make_client(api_keys=[KEY])  # a restart (or another process) on the same data dir
    second.cookies.set("briefing_session", first.cookies["briefing_session"])
    assert second.get("/v1/briefs").status_code == 200


def test_a_configured_secret_signs_sessions_instead(make_client: Callable[..., TestClient]) -> None:
    one = make_client(api_keys=[KEY], session_secret=SecretStr("a" * 32))
    _sign_in(one)
    same = make_client(api_keys=[KEY], session_secret=SecretStr("a" * 32))
    other = make_client(api_keys=[KEY], session_secret=SecretStr("b" * 32))
    for client in (same, other):
        client.cookies.set("briefing_session", one.cookies["briefing_session"])
    assert same.get("/v1/briefs").status_code == 200
    assert other.get("/v1/briefs").status_code == 403
    data_dir = one.app.state.settings.data_dir  # type: ignore[attr-defined]
    assert not (data_dir / "session.key").exists()  # nothing generated when the secret is set


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_scripts_carry_the_nonce_of_their_policy(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"]).group(1)  # type: ignore[union-attr]
    scripts = re.findall(r"<script[^>]*>", response.text)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)


@pytest.mark.parametrize("path", ["/", "/healthz", "/v1/briefs", "/v1/nothing-here"])
def test_head_answers_as_get_without_a_body(client: TestClient, path: str) -> None:
    got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert "content-security-policy" in head.headers
