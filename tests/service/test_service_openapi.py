"""The published OpenAPI document matches what the service does (the rules schemathesis checks)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.main import create_app
from briefing.config import Settings
from briefing.digests.schedules import CRON_PATTERN, check_cron


def test_options_and_405_name_every_method_of_the_path(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        options = client.options("/v1/articles")
        assert options.status_code == 204 and options.headers["allow"] == "GET, OPTIONS, POST"
        refused = client.patch("/v1/schedules/3")
        assert refused.status_code == 405
        assert refused.headers["allow"] == "DELETE, GET, OPTIONS, PUT"
        assert client.options("/v1/schedules").headers["allow"] == "GET, OPTIONS, POST"


def test_a_number_is_not_a_date_time(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        for path in ("/v1/briefs?since=0.5", "/v1/articles?until=1700000000"):
            response = client.get(path)
            assert response.status_code == 422 and "ISO 8601" in response.json()["error"]["message"]
        assert client.get("/v1/briefs?since=2026-12-01T07:30:00Z").status_code == 200


def test_schema_documents_404_auth_and_body_errors(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        paths = client.get("/openapi.json").json()["paths"]
    for path, method in [
        ("/v1/schedules/{schedule_id}", "get"),
        ("/v1/feeds/{feed_id}", "get"),
        ("/v1/digests/{ref}", "get"),
        ("/v1/deliveries/{delivery_id}/retry", "post"),
        ("/v1/digests", "post"),
    ]:
        assert "404" in paths[path][method]["responses"], (path, method)
    assert {"400", "401", "403", "413", "415"} <= set(paths["/v1/schedules"]["post"]["responses"])
    assert "409" in paths["/v1/feeds"]["post"]["responses"]
    assert "401" not in paths["/healthz"]["get"]["responses"]
    assert "security" not in paths["/v1/briefs"]["post"]  # no keys on this server


def test_schema_states_text_or_url_cron_time_zones_and_engines(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    branches = components["ArticleIn"]["anyOf"]
    assert [branch["required"] for branch in branches] == [["text"], ["url"]]
    schedule = components["ScheduleIn"]["properties"]
    assert schedule["cron"]["pattern"] == CRON_PATTERN
    assert "Europe/Berlin" in schedule["timezone"]["enum"]
    engines = components["BriefOptions"]["properties"]["engine"]["anyOf"][0]["enum"]
    assert "offline" in engines and "llm" not in engines  # no LLM configured here
    assert len(components["DigestRequest"]["oneOf"]) == 2


def test_with_keys_the_protected_operations_declare_the_bearer_scheme(settings: Settings) -> None:
    keyed = settings.model_copy(update={"api_keys": ["k-1"]})
    with TestClient(create_app(keyed)) as client:
        paths = client.get("/openapi.json", headers={"Authorization": "Bearer k-1"}).json()["paths"]
    assert paths["/v1/briefs"]["post"]["security"] == [{"apiKey": []}]
    assert "security" not in paths["/healthz"]["get"]


def test_a_duplicate_feed_is_a_409(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/feeds", json={"url": "http://feeds.example/rss"}).status_code == 201
        again = client.post("/v1/feeds", json={"url": "http://feeds.example/rss"})
        assert again.status_code == 409 and "already subscribed" in again.json()["error"]["message"]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.from_regex(CRON_PATTERN, fullmatch=True))
def test_every_cron_the_schema_allows_is_accepted(expression: str) -> None:
    """What the published pattern admits, check_cron accepts (the 30th of February aside)."""
    try:
        check_cron(expression)
    except Exception as error:
        assert "never matches a real date" in str(error), expression


def test_cron_outside_the_pattern_is_refused() -> None:
    for expression in ("", "* * * *", "61 * * * *", "* * * * * *", "@daily"):
        assert not re.match(CRON_PATTERN, expression)
        try:
            check_cron(expression)
        except Exception as error:
            assert "cron:" in str(error)
        else:
            raise AssertionError(expression)


def test_an_html_fragment_is_briefed_and_markup_alone_is_a_422(settings: Settings) -> None:
    """trafilatura finds no "page" in a fragment; the text a browser would show is used then."""
    with TestClient(create_app(settings)) as client:
        for body in ("Hello world", "<p>The council voted on Tuesday.</p>"):
            response = client.post("/v1/briefs", content=body, headers={"content-type": "text/html"})
            assert response.status_code == 200, (body, response.text)
        stored = client.post(
            "/v1/articles", content="<b>Short</b> note", headers={"content-type": "text/html"}
        )
        assert stored.status_code == 201 and stored.json()["article"]["text"] == "Short note"
        for body in ("<br>", "<script>alert(1)</script>", "<!-- nothing -->"):
            response = client.post("/v1/briefs", content=body, headers={"content-type": "text/html"})
            assert response.status_code == 422, body
        schema = client.get("/openapi.json").json()
    html = schema["paths"]["/v1/articles"]["post"]["requestBody"]["content"]["text/html"]["schema"]
    assert html["pattern"] == "\\S" and "422" in html["description"]


def test_a_written_out_date_time_is_required_in_bodies_too(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        for value in (-139, 1700000000, "2026-12-01"):
            response = client.post("/v1/articles", json={"text": "Some text.", "published_at": value})
            assert response.status_code == 422 and "ISO 8601" in response.json()["error"]["message"], value
        ok = client.post(
            "/v1/articles", json={"text": "Some text.", "published_at": "2026-12-01T07:30:00+01:00"}
        )
        assert ok.status_code == 201 and ok.json()["article"]["published_at"] == "2026-12-01T06:30:00Z"


def test_schedule_and_digest_rules_are_applied_as_published(settings: Settings, tmp_path) -> None:
    keyed = settings.model_copy(update={"webhook_secret": "s" * 20, "delivery_dirs": [tmp_path / "out"]})
    with TestClient(create_app(keyed)) as client:
        schema = client.get("/openapi.json").json()
        base = {"name": "x", "cron": "30 7 * * *"}
        upper = client.post(
            "/v1/schedules", json={**base, "targets": [{"kind": "webhook", "url": "HTTP://h.example/x"}]}
        )
        assert upper.status_code == 201, upper.text  # the schema's pattern admits any case of the scheme
        spaced = client.post(
            "/v1/schedules", json={**base, "targets": [{"kind": "webhook", "url": "http://a b/"}]}
        )
        assert spaced.status_code == 422  # refused when saved, not at the first delivery
        for path in (f"{tmp_path}/out/a\u0000b", "relative/dir", f"{tmp_path}/out/../x"):
            refused = client.post("/v1/schedules", json={**base, "targets": [{"path": path}]})
            assert refused.status_code == 422, (path, refused.text)  # NUL was a 500
        inside = client.post("/v1/schedules", json={**base, "targets": [{"path": f"{tmp_path}/out/daily"}]})
        assert inside.status_code == 201
        unknown = client.post("/v1/digests", json={"schedule_id": inside.json()["id"], "engine": "AAA"})
        assert unknown.status_code == 422 and "unknown engine" in unknown.json()["error"]["message"]
        key = client.post("/v1/digests", json={"schedule_id": 1}, headers={"Idempotency-Key": " "})
        assert key.status_code == 422
    components = schema["components"]["schemas"]
    path = components["DirectoryTargetIn"]["properties"]["path"]
    assert str(tmp_path / "out") in path["description"] and path["pattern"].startswith("^(?:/")
    assert "pattern" not in components["DirectoryTarget"]["properties"]["path"]  # stored ones: plain
    header = schema["paths"]["/v1/digests"]["post"]["parameters"][0]
    assert header["name"] == "idempotency-key" and header["schema"]["pattern"].startswith("^[\\x21-\\x7e]")
    claims = components["VerifyIn"]["properties"]["claims"]["items"]
    assert claims["pattern"] == "\\S" and claims["maxLength"] == 5000
    rendered = schema["paths"]["/v1/digests/{ref}"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/markdown", "text/html", "text/plain"} <= set(rendered)
