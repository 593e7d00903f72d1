"""The real LLM engine behind the API: upstream failures are 502/503 with a message, jobs are failed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import httpx2
from fastapi.testclient import TestClient
from pydantic import SecretStr

CHAT_URL = "http://llm.test/v1/chat/completions"
ARTICLE = (
    "The city council voted on Tuesday to close the old bridge for repairs. Mayor Jane Doe said work "
    "would begin in May. Residents objected, saying the detour adds an hour to their commute."
)
DRAFT = {
    "headline": "Council closes the old bridge",
    "summary": "The council voted to close the bridge for repairs.",
    "actors": [
        {
            "name": "Jane Doe",
            "role": "Mayor",
            "aliases": [],
            "stance": None,
            "evidence": ["Mayor Jane Doe said work would begin in May"],
        }
    ],
    "status": [],
    "disputes": [],
    "next_steps": [],
}


def _reply(content: str) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1700000000,
            "model": "gpt-4o-mini",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        },
    )


def _llm_client(make_client: Callable[..., TestClient], **overrides: Any) -> TestClient:
    return make_client(
        engine="llm",
        openai_api_key=SecretStr("sk-test"),
        openai_base_url="http://llm.test/v1",
        model="gpt-4o-mini",
        llm_max_retries=1,
        llm_backoff_base=0.01,
        llm_backoff_max=0.02,
        **overrides,
    )


def _job(client: TestClient, job_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/jobs/{job_id}")
    assert response.status_code == 200
    return response.json()


def test_unreachable_llm_is_503_and_the_job_is_failed_and_retryable(
    make_client: Callable[..., TestClient], httpx2_mock: Any
) -> None:
    route = httpx2_mock.post(CHAT_URL).mock(side_effect=httpx2.ConnectError("connection refused"))
    client = _llm_client(make_client)
    response = client.post("/v1/briefs", json={"text": ARTICLE})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["type"] == "LLMUnavailableError"
    assert "http://llm.test/v1" in error["message"] and "could not be reached" in error["message"]
    assert route.call_count == 2  # the first try and one retry
    job = _job(client, error["job_id"])
    assert job["status"] == "failed" and job["error"]["type"] == "LLMUnavailableError"
    assert job["links"]["retry"] == f"/v1/jobs/{job['id']}/retry"

    # The endpoint comes back: the retried job succeeds with a brief from the model.
    route.side_effect = None
    route.return_value = _reply(json.dumps(DRAFT))
    assert client.post(job["links"]["retry"]).status_code == 202
    deadline = time.monotonic() + 10
    while (job := _job(client, job["id"]))["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    assert job["status"] == "succeeded"
    assert job["brief"]["headline"] == DRAFT["headline"] and job["brief"]["meta"]["engine"] == "llm"


def test_llm_failing_with_5xx_after_retries_is_503(
    make_client: Callable[..., TestClient], httpx2_mock: Any
) -> None:
    route = httpx2_mock.post(CHAT_URL).mock(
        return_value=httpx.Response(500, json={"error": {"message": "internal"}})
    )
    client = _llm_client(make_client)
    response = client.post("/v1/briefs", content=ARTICLE, headers={"content-type": "text/plain"})
    assert response.status_code == 503
    body = response.json()["error"]
    assert body["type"] == "LLMUnavailableError" and "2 attempts" in body["message"]
    assert route.call_count == 2
    assert _job(client, body["job_id"])["status"] == "failed"


def test_llm_answering_garbage_is_502_and_the_job_is_failed(
    make_client: Callable[..., TestClient], httpx2_mock: Any
) -> None:
    route = httpx2_mock.post(CHAT_URL).mock(return_value=_reply("this is not a brief"))
    client = _llm_client(make_client)
    response = client.post("/v1/briefs", json={"text": ARTICLE})
    assert response.status_code == 502
    body = response.json()["error"]
    assert body["type"] == "LLMOutputError" and "valid brief" in body["message"]
    assert route.call_count == 2  # the answer and one repair round
    job = _job(client, body["job_id"])
    assert job["status"] == "failed" and "valid brief" in job["error"]["message"]


def test_a_working_llm_answers_200_with_a_grounded_brief(
    make_client: Callable[..., TestClient], httpx2_mock: Any
) -> None:
    httpx2_mock.post(CHAT_URL).mock(return_value=_reply(json.dumps(DRAFT)))
    client = _llm_client(make_client)
    response = client.post("/v1/briefs", json={"text": ARTICLE})
    assert response.status_code == 200, response.text
    brief = response.json()
    assert brief["meta"]["engine"] == "llm" and brief["meta"]["model"] == "gpt-4o-mini"
    assert brief["actors"][0]["grounded"] is True
    job = _job(client, response.headers["x-job-id"])
    assert job["status"] == "succeeded" and job["brief"]["id"] == brief["id"]
