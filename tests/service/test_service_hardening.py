"""Hardening of the HTTP service: upstream replies that are not JSON, hostile bodies, request ids."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

CHAT_URL = "http://llm.test/v1/chat/completions"
ARTICLE = "The city council voted on Tuesday to close the old bridge. Mayor Jane Doe said work begins in May."


def test_llm_reply_that_is_not_json_is_502_and_the_job_is_failed_and_retryable(
    make_client: Callable[..., TestClient], httpx2_mock: Any
) -> None:
    truncated = httpx.Response(
        200, content=b'{"id": "chatcmpl-1", "choices": [{"mess', headers={"content-type": "application/json"}
    )
    route = httpx2_mock.post(CHAT_URL).mock(return_value=truncated)
    client = make_client(
        engine="llm",
        openai_api_key=SecretStr("sk-test"),
        openai_base_url="http://llm.test/v1",
        llm_max_retries=1,
        llm_backoff_base=0.01,
        llm_backoff_max=0.02,
    )
    response = client.post("/v1/briefs", json={"text": ARTICLE})
    assert response.status_code == 502, response.text
    error = response.json()["error"]
    assert error["type"] == "LLMError" and "not valid JSON" in error["message"]
    assert route.call_count == 2  # a body cut in transit is retried like a 5xx
    job = client.get(f"/v1/jobs/{error['job_id']}").json()
    assert job["status"] == "failed" and job["error"]["status"] == 502
    assert job["links"]["retry"] == f"/v1/jobs/{job['id']}/retry"


@pytest.mark.parametrize("path", ["/v1/briefs", "/v1/articles", "/v1/schedules", "/v1/digests"])
def test_deeply_nested_json_is_a_4xx_not_a_500(client: TestClient, path: str) -> None:
    body = "[" * 5000 + "]" * 5000
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    if path in ("/v1/briefs", "/v1/articles"):  # bodies read by our own parser say why
        assert "nested too deeply" in response.json()["error"]["message"]


class _JsonLines(logging.Handler):
    """Formats each record when it is emitted, as the server's stderr handler does."""

    def __init__(self) -> None:
        super().__init__()
        from api.logs import JsonFormatter

        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def test_an_unexpected_500_carries_the_request_id_in_header_body_and_log(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = client.app.state.service  # type: ignore[attr-defined]

    def broken(**_: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(service.store, "list_briefs", broken)
    handler = _JsonLines()
    logging.getLogger("briefing.api").addHandler(handler)
    try:
        raw = TestClient(client.app, raise_server_exceptions=False)  # the running app, not a second start
        response = raw.get("/v1/briefs", headers={"X-Request-ID": "trace-123"})
    finally:
        logging.getLogger("briefing.api").removeHandler(handler)
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "trace-123"
    assert "trace-123" in response.json()["error"]["message"]
    errors = [line for line in handler.lines if line["message"] == "unexpected error"]
    assert len(errors) == 1 and "ZeroDivisionError" in errors[0]["exception"]
    assert errors[0]["request_id"] == "trace-123"
