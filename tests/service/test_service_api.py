"""The JSON API end to end through the ASGI app (store on SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from briefing.store import Store

ARTICLE = (
    "The city council voted on Tuesday to close the old bridge. "
    "Repairs will begin in May, the mayor said. Residents objected to the plan."
)


def _wait_for(client: TestClient, job_url: str, status: str) -> dict:
    for _ in range(200):
        job = client.get(job_url).json()
        if job["status"] == status:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job never reached {status}: {job}")


def test_post_json_returns_grounded_brief_then_cache_hit(client: TestClient) -> None:
    response = client.post(
        "/v1/briefs", json={"text": ARTICLE, "source": "wire", "options": {"engine": "test"}}
    )
    assert response.status_code == 200, response.text
    brief = response.json()
    assert brief["headline"].startswith("The city council voted")
    assert brief["meta"]["cached"] is False and brief["id"]
    quote = brief["actors"][0]["evidence"][0]
    assert quote["grounded"] is True and ARTICLE[quote["start"] : quote["end"]] == quote["quote"]
    assert brief["status"][0]["grounded"] is False  # the fake engine invents one quote
    assert response.headers["location"] == f"/v1/briefs/{brief['id']}"
    again = client.post("/v1/briefs?engine=test", json={"text": ARTICLE + "  \n"})
    assert again.status_code == 200 and again.json()["meta"]["cached"] is True
    assert again.json()["id"] == brief["id"]
    stored = client.get(f"/v1/briefs/{brief['id']}").json()
    assert stored["headline"] == brief["headline"]


def test_strict_grounding_drops_ungrounded_items(client: TestClient) -> None:
    flagged = client.post("/v1/briefs?engine=test", json={"text": ARTICLE}).json()
    strict = client.post("/v1/briefs?engine=test&grounding=strict", json={"text": ARTICLE}).json()
    assert len(flagged["status"]) == 1 and strict["status"] == []
    assert strict["actors"] == flagged["actors"]


def test_text_plain_and_html_bodies(client: TestClient) -> None:
    plain = client.post(
        "/v1/briefs?engine=test", content=ARTICLE.encode(), headers={"content-type": "text/plain"}
    )
    assert plain.status_code == 200 and plain.json()["article_id"]
    html = (
        "<html><head><title>Bridge closes</title></head><body><nav>Home | Sport</nav>"
        f"<article><h1>Bridge closes</h1><p>{ARTICLE}</p></article></body></html>"
    )
    response = client.post(
        "/v1/briefs?engine=test", content=html.encode(), headers={"content-type": "text/html; charset=utf-8"}
    )
    assert response.status_code == 200, response.text
    article = client.get(f"/v1/articles/{response.json()['article_id']}").json()
    assert "Repairs will begin in May" in article["text"] and "<p>" not in article["text"]


def test_wait_false_gives_202_job_that_finishes(client: TestClient) -> None:
    response = client.post("/v1/briefs?engine=test&wait=false", json={"text": ARTICLE})
    assert response.status_code == 202
    job = response.json()
    assert response.headers["location"] == job["links"]["self"] == f"/v1/jobs/{job['id']}"
    assert job["status"] in ("queued", "running", "succeeded")
    done = _wait_for(client, job["links"]["self"], "succeeded")
    assert done["brief"]["headline"].startswith("The city council")
    assert client.get(done["links"]["brief"]).status_code == 200


def test_expired_wait_gives_202(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_TEST_ENGINE_DELAY", "0.5")
    client = make_client(wait_seconds=0.05)
    response = client.post("/v1/briefs?engine=test", json={"text": ARTICLE})
    assert response.status_code == 202
    _wait_for(client, response.json()["links"]["self"], "succeeded")


def test_upstream_failure_is_503_job_failed_and_retryable(client: TestClient) -> None:
    text = "FAIL-UPSTREAM. The model is down today."
    response = client.post("/v1/briefs?engine=test", json={"text": text})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["type"] == "LLMUnavailableError" and "down" in error["message"]
    job = client.get(f"/v1/jobs/{error['job_id']}").json()
    assert job["status"] == "failed" and job["error"]["type"] == "LLMUnavailableError"
    assert job["links"]["retry"] == f"/v1/jobs/{job['id']}/retry"
    retried = client.post(job["links"]["retry"])
    assert retried.status_code == 202
    again = _wait_for(client, job["links"]["self"], "failed")
    assert again["attempts"] == 1 and again["error"]["message"] == "the fake LLM is down"
    ok = client.post("/v1/briefs?engine=test&wait=false", json={"text": ARTICLE}).json()
    _wait_for(client, ok["links"]["self"], "succeeded")
    assert client.post(f"/v1/jobs/{ok['id']}/retry").status_code == 409


@pytest.mark.parametrize(
    ("body", "headers", "status", "field"),
    [
        ({"text": ""}, None, 422, "text"),
        ({"text": " \n\t "}, None, 422, "text"),
        ({}, None, 422, "text"),
        ({"text": "ok", "bogus": 1}, None, 422, "bogus"),
        ({"text": "ok", "published_at": "yesterday"}, None, 422, "published_at"),
        ({"text": "ok", "options": {"grounding": "loose"}}, None, 422, "options.grounding"),
        # a lone surrogate: JSON can spell it, UTF-8 cannot
        (b'{"text": "ok \\ud800"}', {"content-type": "application/json"}, 422, "text"),
        (b'{"text": "ok", "title": "\\udc00"}', {"content-type": "application/json"}, 422, "title"),
        ({"url": "http://a..b/"}, None, 422, "url"),  # no resolver takes this host
        (b"{not json", {"content-type": "application/json"}, 422, "body"),
        (b"[1, 2]", {"content-type": "application/json"}, 422, "body"),
        (b"caf\xe9 au lait", {"content-type": "text/plain"}, 400, None),
        (b'{"text": "\xff"}', {"content-type": "application/json"}, 400, None),
        (b"GIF89a", {"content-type": "image/gif"}, 415, None),
        (b"text", {}, 415, None),
    ],
)
def test_bad_input_is_a_clear_4xx(
    client: TestClient, body: object, headers: dict | None, status: int, field: str | None
) -> None:
    if isinstance(body, dict):
        response = client.post("/v1/briefs?engine=test", json=body)
    else:
        response = client.post("/v1/briefs?engine=test", content=body, headers=headers or {})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"]
    if field:
        assert field in error["fields"]


def test_unknown_engine_is_422_and_nothing_is_queued(client: TestClient) -> None:
    response = client.post("/v1/briefs?engine=nope", json={"text": ARTICLE})
    assert response.status_code == 422 and "unknown engine 'nope'" in response.json()["error"]["message"]
    assert client.get("/v1/articles").json()["items"] == []


def test_body_over_limit_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=1000)
    big = "word " * 400
    assert client.post("/v1/briefs?engine=test", json={"text": big}).status_code == 413

    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(10):
            yield b"x" * 200

    streamed = client.post("/v1/briefs?engine=test", content=chunks(), headers={"content-type": "text/plain"})
    assert streamed.status_code == 413
    assert "1000-byte limit" in streamed.json()["error"]["message"]
    # routes whose JSON body FastAPI parses reported the limit as "error parsing the body" (400)
    for path in ("/v1/verify", "/v1/schedules", "/v1/digests"):
        over = client.post(path, content=chunks(), headers={"content-type": "application/json"})
        assert over.status_code == 413, (path, over.text)
        assert "1000-byte limit" in over.json()["error"]["message"]
    assert (
        client.post(
            "/v1/verify", json={"article": "The port reopened.", "claims": ["It reopened."]}
        ).status_code
        == 200
    )


def test_queue_limit_gives_429_with_retry_after(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_TEST_ENGINE_DELAY", "2")
    client = make_client(queue_limit=2, workers=1)
    accepted = [
        client.post("/v1/briefs?engine=test&wait=false", json={"text": f"Story {n}."}) for n in range(2)
    ]
    assert [r.status_code for r in accepted] == [202, 202]
    refused = client.post("/v1/briefs?engine=test&wait=false", json={"text": "Story 3."})
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "retry" in refused.json()["error"]["message"]


def test_list_briefs_filters_and_paginates(client: TestClient) -> None:
    ids = []
    for n, source in enumerate(["a", "b", "a"]):
        body = {"text": f"Story number {n} happened. Then more.", "source": source}
        ids.append(client.post("/v1/briefs?engine=test", json=body).json()["id"])
    page = client.get("/v1/briefs?limit=2").json()
    assert [b["id"] for b in page["items"]] == [ids[2], ids[1]] and page["next_offset"] == 2
    rest = client.get("/v1/briefs?limit=2&offset=2").json()
    assert [b["id"] for b in rest["items"]] == [ids[0]] and rest["next_offset"] is None
    assert {b["id"] for b in client.get("/v1/briefs?source=a").json()["items"]} == {ids[0], ids[2]}
    assert client.get("/v1/briefs?since=2999-01-01T00:00:00Z").json()["items"] == []
    assert client.get("/v1/briefs?limit=0").status_code == 422


def test_articles_ingest_is_idempotent_and_listed(client: TestClient) -> None:
    body = {"text": ARTICLE, "source": "feed", "published_at": "2024-05-01T10:00:00Z"}
    first = client.post("/v1/articles", json=body)
    second = client.post("/v1/articles", json={**body, "text": ARTICLE + "\r\n"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["article"]["id"] == second.json()["article"]["id"]
    assert second.json()["created"] is False
    listed = client.get("/v1/articles?source=feed&since=2024-01-01T00:00:00Z").json()["items"]
    assert [a["id"] for a in listed] == [first.json()["article"]["id"]]
    assert client.get("/v1/articles?until=2024-01-01T00:00:00Z").json()["items"] == []
    assert client.post("/v1/articles", json={"text": "  "}).status_code == 422


def test_not_found_is_404_json(client: TestClient) -> None:
    for path in ("/v1/briefs/nope", "/v1/jobs/nope", "/v1/articles/nope", "/no-such-page"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["error"]["message"]
    assert client.post("/v1/jobs/nope/retry").status_code == 404


def test_health_ready_metrics_and_request_id(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["checks"]["database"] == "ok"
    response = client.post(
        "/v1/briefs?engine=test", json={"text": ARTICLE}, headers={"X-Request-ID": "abc-123"}
    )
    assert response.headers["x-request-id"] == "abc-123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32
    client.post("/v1/briefs?engine=test", json={"text": ARTICLE})
    metrics = client.get("/metrics").text
    assert 'briefing_http_requests_total{method="POST",route="/v1/briefs",status="200"} 2.0' in metrics
    assert 'briefing_brief_cache_total{result="hit"} 1.0' in metrics
    assert 'briefing_briefs_total{engine="test",outcome="ok"} 1.0' in metrics
    assert "briefing_job_queue_depth 0.0" in metrics


def test_readyz_is_503_when_llm_engine_chosen_without_endpoint(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(engine="llm")
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "not ready"


def test_openapi_documents_json_and_text_bodies(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/v1/briefs"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "text/plain", "text/html"}
    assert "BriefRequest" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_zero_configuration_uses_the_offline_engine(client: TestClient) -> None:
    response = client.post("/v1/briefs", content=ARTICLE.encode(), headers={"content-type": "text/plain"})
    assert response.status_code == 200, response.text
    brief = response.json()
    assert brief["meta"]["engine"] == "offline" and brief["meta"]["llm_calls"] == 0
    assert brief["headline"]


def test_digest_work_is_no_job_a_client_can_read_or_retry(
    make_client: Callable[..., TestClient], store: Store
) -> None:
    """Feed polls and deliveries on the embedded queue live in the jobs table too, but the jobs API
    is for brief jobs: a client neither sees them nor queues them again (a retry beside a waiting
    copy would also break the one-per-lock rule)."""
    client = make_client(engine=None, worker_enabled=False)  # no worker to take the task first
    task = store.defer_job("briefing.digests.deliver", {"delivery_id": 1}, queue="digests", lock="delivery:1")
    assert task is not None
    claim = store.claim_job(lease_seconds=30, kinds=("briefing.digests.deliver",))
    assert claim is not None
    store.fail_job(task.id, error={"type": "X", "message": "x"}, claim=claim)
    for response in (client.get(f"/v1/jobs/{task.id}"), client.post(f"/v1/jobs/{task.id}/retry")):
        assert response.status_code == 404, response.text
        assert response.json()["error"]["message"] == f"no job with id {task.id!r}"
    again = store.get_job(task.id)
    assert again is not None and again.status == "failed"  # not queued again


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59Z", "0871-09-20T11:36:28Z"]
)
def test_a_date_no_digest_could_use_is_refused_and_such_bounds_still_list(
    client: TestClient, when: str
) -> None:
    # year 1 (in year 0 once in UTC) and 9999 broke the store and every digest holding the article;
    # a date the user gave is refused rather than dropped without a word
    refused = client.post("/v1/articles", json={"text": f"The port reopened ({when}).", "published_at": when})
    assert refused.status_code == 422, refused.text
    assert "publication date must fall in the years 1800-2200" in refused.json()["error"]["message"]
    stored = client.post("/v1/articles", json={"text": f"The port reopened ({when})."})
    assert stored.status_code in (200, 201), stored.text
    digest = client.post("/v1/digests", json={"article_ids": [stored.json()["article"]["id"]]})
    assert digest.status_code in (200, 201), digest.text
    for bound in ("since=0001-01-01T00:00:00Z", "until=9999-12-31T23:59:59Z", "since=0890-04-24T09:37:05Z"):
        listed = client.get(f"/v1/articles?{bound}")
        assert listed.status_code == 200 and listed.json()["items"], bound


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/verify", {"article": "The port reopened.", "claims": ["It reopened."], "claim": "x"}),
        ("/v1/digests", {"article_ids": ["a"], "titel": "Morning"}),
        ("/v1/feeds", {"url": "http://example.com/feed.xml", "pol_minutes": 5}),
    ],
)
def test_an_unknown_body_field_is_a_422_naming_it(client: TestClient, path: str, body: dict) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    unknown = next(key for key in body if key in {"claim", "titel", "pol_minutes"})
    assert any(unknown in field for field in response.json()["error"]["fields"])
