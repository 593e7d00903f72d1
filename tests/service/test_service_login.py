"""The web page with keys on: a login form starts a signed, expiring session; posts need an Origin."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

KEY = "page-key-1"
SAME = {"Origin": "http://testserver"}
HTML = {"Accept": "text/html,application/xhtml+xml"}
ARTICLE = "Mayor Jane Doe said the park would reopen. Work begins Monday, officials said."


def _sign_in(client: TestClient) -> None:
    signed = client.post("/login", data={"key": KEY, "next": "/"}, headers=SAME, follow_redirects=False)
    assert signed.status_code == 303


def test_login_sets_a_signed_httponly_session_that_opens_the_page_and_api(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(api_keys=[KEY])
    bounced = client.get("/", headers=HTML, follow_redirects=False)
    assert bounced.status_code == 303 and bounced.headers["location"] == "/login?next=/"
    form = client.get("/login?next=/")
    assert form.status_code == 200 and 'name="key"' in form.text and 'type="password"' in form.text

    wrong = client.post("/login", data={"key": "nope", "next": "/"}, headers=SAME, follow_redirects=False)
    assert wrong.status_code == 403 and "not valid" in wrong.text and "set-cookie" not in wrong.headers

    signed = client.post("/login", data={"key": KEY, "next": "/"}, headers=SAME, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("briefing_session=") and KEY not in cookie  # never the key itself
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Max-Age=43200" in cookie and "Secure" not in cookie  # plain http here

    page = client.get("/", headers=HTML)
    assert page.status_code == 200 and "Sign out" in page.text
    assert client.get("/v1/briefs").status_code == 200
    made = client.post("/", data={"text": ARTICLE}, headers=SAME, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"].startswith("/briefs/")

    client.post("/logout", headers=SAME)
    assert "briefing_session" not in client.cookies
    assert client.get("/v1/briefs").status_code == 401


def test_cookie_posts_without_or_with_a_foreign_origin_are_refused(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(api_keys=[KEY])
    _sign_in(client)
    evil = client.post("/", data={"text": ARTICLE}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and evil.json()["error"]["type"] == "CrossSiteRequest"
    bare = client.post("/", data={"text": ARTICLE})
    assert bare.status_code == 403
    by_referer = client.post(
        "/", data={"text": ARTICLE}, headers={"Referer": "http://testserver/"}, follow_redirects=False
    )
    assert by_referer.status_code == 303
    assert client.get("/v1/briefs").json()["items"] != []  # only the same-site post made a brief


def test_bearer_clients_need_no_origin_and_a_bad_cookie_is_403(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(api_keys=[KEY])
    response = client.post(
        "/v1/briefs?engine=test", json={"text": ARTICLE}, headers={"Authorization": f"Bearer {KEY}"}
    )
    assert response.status_code == 200
    client.cookies.set("briefing_session", "made-up")
    assert client.get("/v1/briefs").status_code == 403
    client.cookies.set("briefing_session", KEY)  # the raw key is not a session either
    assert client.get("/v1/briefs").status_code == 403
    assert client.get("/", headers=HTML, follow_redirects=False).headers["location"] == "/login?next=/"


def test_login_refuses_cross_site_posts_and_open_redirects(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY])
    forged = client.post("/login", data={"key": KEY}, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and "set-cookie" not in forged.headers
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        signed = client.post(
            "/login", data={"key": KEY, "next": target}, headers=SAME, follow_redirects=False
        )
        assert signed.headers["location"] == "/", target


def test_without_keys_the_page_is_open_but_cross_site_posts_are_refused(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client()
    assert client.get("/login", follow_redirects=False).headers["location"] == "/"
    forged = client.post("/", data={"text": ARTICLE}, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert client.get("/v1/briefs").json()["items"] == []
    assert client.post("/", data={"text": ARTICLE}, headers=SAME, follow_redirects=False).status_code == 303
