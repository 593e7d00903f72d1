"""The digest HTTP API and pages, through the real app with the offline engine."""

from __future__ import annotations

import pytest
from digest_fakes import harbor_and_tram
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.main import create_app
from briefing.digests.tables import FeedEntryRow


@pytest.fixture
def client(settings, tmp_path):
    app = create_app(settings.model_copy(update={"scheduler_enabled": False}))
    with TestClient(app) as client:
        yield client


SCHEDULE = {"name": "Morning", "cron": "30 7 * * *", "timezone": "Europe/Berlin", "window_hours": 40000}


def test_schedule_crud(client) -> None:
    created = client.post("/v1/schedules", json=SCHEDULE)
    assert created.status_code == 201, created.text
    schedule_id = created.json()["id"]
    assert [s["id"] for s in client.get("/v1/schedules").json()["items"]] == [schedule_id]
    replaced = client.put(f"/v1/schedules/{schedule_id}", json={**SCHEDULE, "max_stories": 5})
    assert replaced.json()["max_stories"] == 5
    assert client.delete(f"/v1/schedules/{schedule_id}").status_code == 204
    assert client.get(f"/v1/schedules/{schedule_id}").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [("cron", "every morning"), ("cron", "0 0 30 2 *"), ("timezone", "Europe/Atlantis"), ("engine", "nope")],
)
def test_bad_cron_or_timezone_is_422_naming_it(client, field, value) -> None:
    response = client.post("/v1/schedules", json={**SCHEDULE, field: value})
    assert response.status_code == 422
    assert field in response.json()["error"]["message"]


def test_unknown_feed_scheme_is_422(client) -> None:
    response = client.post("/v1/feeds", json={"url": "gopher://example.org/feed"})
    assert response.status_code == 422 and response.json()["error"]["fields"] == ["url"]
    assert "not an http:// or https:// URL" in response.json()["error"]["message"]


def test_ad_hoc_and_schedule_digests_in_every_format(client) -> None:
    ids = []
    for article in harbor_and_tram():
        response = client.post("/v1/articles", json=article.model_dump(mode="json", exclude={"id"}))
        assert response.status_code in (200, 201), response.text
        ids.append(response.json()["article"]["id"])
    made = client.post("/v1/digests", json={"article_ids": ids, "title": "Ad hoc"})
    assert made.status_code == 201, made.text
    digest = made.json()
    assert digest["id"] and len(digest["stories"]) == 2
    assert client.get(f"/v1/digests/{digest['id']}").json()["title"] == "Ad hoc"
    markdown = client.get(f"/v1/digests/{digest['id']}.md")
    assert markdown.headers["content-type"].startswith("text/markdown") and markdown.text.startswith(
        "# Ad hoc"
    )
    assert "<html" in client.get(f"/v1/digests/{digest['id']}.html").text
    assert client.get(f"/v1/digests/{digest['id']}.pdf").status_code == 422
    assert client.get("/v1/digests/999").status_code == 404

    schedule_id = client.post("/v1/schedules", json=SCHEDULE).json()["id"]
    run = client.post("/v1/digests", json={"schedule_id": schedule_id})
    assert run.status_code == 201 and run.json()["schedule_id"] == schedule_id
    assert len(run.json()["stories"]) == 2
    assert [d["id"] for d in client.get("/v1/digests").json()["items"]] == [run.json()["id"], digest["id"]]

    page = client.get("/digests")
    assert page.status_code == 200 and "Ad hoc" in page.text
    assert "Deliveries" not in client.get(f"/digests/{digest['id']}").text


def test_digest_request_needs_exactly_one_source(client) -> None:
    assert client.post("/v1/digests", json={}).status_code == 422
    assert client.post("/v1/digests", json={"schedule_id": 1, "article_ids": ["x"]}).status_code == 422
    assert client.post("/v1/digests", json={"article_ids": ["nope"]}).status_code == 404


def test_feed_shows_its_failing_entries(settings) -> None:
    from digest_servers import Route, http_server

    app = create_app(settings.model_copy(update={"scheduler_enabled": False, "allow_private_urls": True}))
    with TestClient(app) as client, http_server() as (base, recorder):
        recorder.routes["/feed.xml"] = Route(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><item><title>Down</title>'
            f"<link>{base}/down</link></item></channel></rss>".encode(),
            content_type="application/rss+xml",
        )
        recorder.routes["/down"] = Route(b"busy", status=503)
        feed_id = client.post("/v1/feeds", json={"url": f"{base}/feed.xml"}).json()["id"]
        polled = client.post(f"/v1/feeds/{feed_id}/poll").json()
        assert polled["status"] == "ok" and polled["new_articles"] == [] and "503" in polled["errors"][0]
        shown = client.get(f"/v1/feeds/{feed_id}")
        listed = client.get("/v1/feeds").json()["items"]
    assert shown.status_code == 200
    (entry,) = shown.json()["failing_entries"]
    assert entry["url"] == f"{base}/down" and entry["status"] == "retrying" and entry["attempts"] == 1
    assert listed[0]["failing_entries"] == shown.json()["failing_entries"]
    assert client.get("/v1/feeds/999").status_code == 404


def test_a_deleted_feed_goes_with_its_retries_and_its_articles_stay(settings) -> None:
    from digest_servers import Route, http_server

    from briefing.store import worklocks

    app = create_app(settings.model_copy(update={"scheduler_enabled": False, "allow_private_urls": True}))
    with TestClient(app) as client, http_server() as (base, recorder):
        recorder.routes["/feed.xml"] = Route(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>'
            f"<item><title>Up</title><link>{base}/up</link><description>The bridge reopened on Monday."
            f"</description></item><item><title>Down</title><link>{base}/down</link></item></channel></rss>".encode(),
            content_type="application/rss+xml",
        )
        recorder.routes["/up"] = Route(
            b"<p>The bridge reopened on Monday after repairs.</p>", content_type="text/html"
        )
        recorder.routes["/down"] = Route(b"busy", status=503)
        feed_id = client.post("/v1/feeds", json={"url": f"{base}/feed.xml"}).json()["id"]
        polled = client.post(f"/v1/feeds/{feed_id}/poll").json()
        assert (
            len(polled["new_articles"]) == 1
            and len(client.get(f"/v1/feeds/{feed_id}").json()["failing_entries"]) == 1
        )
        store = app.state.runtime.store
        with worklocks.try_hold(store, f"poll:feed:{feed_id}") as held:  # a poll in progress elsewhere
            assert held
            busy = client.delete(f"/v1/feeds/{feed_id}")
        assert busy.status_code == 409 and "being polled right now" in busy.json()["error"]["message"]
        assert client.get(f"/v1/feeds/{feed_id}").status_code == 200
        assert client.delete(f"/v1/feeds/{feed_id}").status_code == 204
        assert client.get(f"/v1/feeds/{feed_id}").status_code == 404
        assert client.delete(f"/v1/feeds/{feed_id}").status_code == 404
        assert client.get("/v1/feeds").json()["items"] == []
        assert [a["title"] for a in client.get("/v1/articles").json()["items"]] == ["Up"]
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(FeedEntryRow)) == 0


def test_webhook_target_without_secret_needs_allow_unsigned(client, settings) -> None:
    hook = {"kind": "webhook", "url": "https://hooks.example.org/digest"}
    refused = client.post("/v1/schedules", json={**SCHEDULE, "targets": [hook]})
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert "targets[0]" in message and "BRIEFING_WEBHOOK_SECRET" in message and "allow_unsigned" in message
    allowed = client.post("/v1/schedules", json={**SCHEDULE, "targets": [{**hook, "allow_unsigned": True}]})
    assert allowed.status_code == 201 and allowed.json()["targets"][0]["allow_unsigned"] is True
    schedule_id = allowed.json()["id"]
    assert client.put(f"/v1/schedules/{schedule_id}", json={**SCHEDULE, "targets": [hook]}).status_code == 422

    signed_app = create_app(
        settings.model_copy(update={"scheduler_enabled": False, "webhook_secret": "s3cret"})
    )
    with TestClient(signed_app) as signed:
        assert signed.post("/v1/schedules", json={**SCHEDULE, "targets": [hook]}).status_code == 201


def test_unknown_delivery_status_filter_is_422(client) -> None:
    # a typo ("faild") would otherwise look like "no failed deliveries"
    response = client.get("/v1/deliveries", params={"status": "faild"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == ["query.status"]
    assert client.get("/v1/deliveries", params={"status": "failed"}).json()["items"] == []


def test_feed_url_with_a_bad_port_is_422(client) -> None:
    response = client.post("/v1/feeds", json={"url": "http://example.org:99999/feed"})
    assert response.status_code == 422
    assert "bad port" in response.json()["error"]["message"]


def test_a_digest_with_an_engine_this_server_lacks_is_422_and_stores_nothing(client, settings) -> None:
    assert settings.openai_api_key is None and settings.openai_base_url is None  # no LLM endpoint here
    ids = [
        client.post("/v1/articles", json=a.model_dump(mode="json", exclude={"id"})).json()["article"]["id"]
        for a in harbor_and_tram()
    ]
    refused = client.post("/v1/digests", json={"article_ids": ids, "engine": "llm"})
    assert refused.status_code == 422, refused.text
    assert "engine 'llm' is not available on this server" in refused.json()["error"]["message"]
    schedule = client.post("/v1/schedules", json={**SCHEDULE, "engine": "llm"})
    assert schedule.status_code == 422, schedule.text  # refused when saved, not at its first run
    assert schedule.json()["error"]["fields"] == ["engine"]
    assert client.get("/v1/digests").json()["items"] == []
    assert client.get("/v1/schedules").json()["items"] == []
    published = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("ScheduleIn", "DigestRequest"):
        assert published[name]["properties"]["engine"]["anyOf"][0]["enum"] == ["lead", "offline"]


def test_a_relative_directory_target_is_saved_against_the_server_working_directory(
    client, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    body = {**SCHEDULE, "targets": [{"kind": "directory", "path": "out/morning"}]}
    created = client.post("/v1/schedules", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["targets"][0]["path"] == str(tmp_path / "out" / "morning")
    replaced = client.put(
        f"/v1/schedules/{created.json()['id']}",
        json={**body, "targets": [{"kind": "directory", "path": "b"}]},
    )
    assert replaced.json()["targets"][0]["path"] == str(tmp_path / "b")


@pytest.mark.parametrize("path", ["/v1/verify", "/v1/schedules", "/v1/feeds", "/v1/digests"])
def test_a_json_route_sent_another_content_type_is_415(client, path) -> None:
    response = client.post(path, content=b"some text", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert (
        response.json()["error"]["message"] == "unsupported content type 'text/plain'; send application/json"
    )
    assert client.post(path, content=b"{}", headers={"content-type": "application/json"}).status_code == 422


def test_an_article_window_that_ends_before_it_starts_is_422(client) -> None:
    for since, until in [("2026-03-02T00:00:00Z", "2026-03-01T00:00:00Z"), ("2026-03-01T00:00:00Z",) * 2]:
        response = client.get("/v1/articles", params={"since": since, "until": until})
        assert response.status_code == 422
        assert "must be before until" in response.json()["error"]["message"]
        assert response.json()["error"]["fields"] == ["since", "until"]
    ok = client.get("/v1/articles", params={"since": "2026-03-01T00:00:00Z", "until": "2026-03-02T00:00:00Z"})
    assert ok.status_code == 200


def test_retrying_a_delivered_delivery_is_409(client, tmp_path) -> None:
    for article in harbor_and_tram():
        client.post("/v1/articles", json=article.model_dump(mode="json", exclude={"id"}))
    target = {"kind": "directory", "path": str(tmp_path / "out")}
    schedule_id = client.post("/v1/schedules", json={**SCHEDULE, "targets": [target]}).json()["id"]
    digest_id = client.post("/v1/digests", json={"schedule_id": schedule_id}).json()["id"]
    (delivery,) = client.get(f"/v1/digests/{digest_id}/deliveries").json()["items"]
    assert delivery["status"] == "delivered"
    files = sorted((tmp_path / "out").iterdir())
    again = client.post(f"/v1/deliveries/{delivery['id']}/retry")
    assert again.status_code == 409
    assert again.json()["error"]["message"].startswith(f"delivery {delivery['id']} was delivered at ")
    assert sorted((tmp_path / "out").iterdir()) == files
    assert client.post("/v1/deliveries/999/retry").status_code == 404
