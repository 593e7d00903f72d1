"""Choosing a model per request: 422 for a model the engine or server cannot use."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.service.test_service_llm import ARTICLE, CHAT_URL, DRAFT, _llm_client, _reply


@pytest.mark.parametrize("engine", ["offline", "lead"])
def test_engines_without_a_model_refuse_one(make_client: Callable[..., TestClient], engine: str) -> None:
    client = make_client()
    response = client.post(
        "/v1/briefs", json={"text": ARTICLE, "options": {"engine": engine, "model": "gpt-4o"}}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (
        error["fields"] == ["options.model"] and f"engine {engine!r} does not use a model" in error["message"]
    )
    query = client.post(f"/v1/briefs?engine={engine}&model=x", json={"text": ARTICLE})
    assert query.status_code == 422
    assert client.get("/v1/briefs").json()["items"] == []  # nothing was stored or run


@pytest.mark.parametrize("model", ["", "   ", "gpt 4o", "model;drop", "x" * 201])
def test_implausible_model_names_are_422(
    make_client: Callable[..., TestClient], httpx2_mock: Any, model: str
) -> None:
    client = _llm_client(make_client)  # no route mocked: any call to the endpoint would fail the test
    response = client.post("/v1/briefs", json={"text": ARTICLE, "options": {"model": model}})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == ["options.model"]
    assert len(httpx2_mock.calls) == 0


def test_allow_list_names_the_models_on_offer(
    make_client: Callable[..., TestClient], httpx2_mock: Any
) -> None:
    route = httpx2_mock.post(CHAT_URL).mock(return_value=_reply(json.dumps(DRAFT)))
    client = _llm_client(make_client, models=["gpt-4o-mini", "gpt-4o"])
    refused = client.post("/v1/briefs", json={"text": ARTICLE, "options": {"model": "gpt-5-ultra"}})
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert "unknown model 'gpt-5-ultra'" in message and "gpt-4o-mini, gpt-4o" in message
    assert route.call_count == 0
    accepted = client.post("/v1/briefs", json={"text": ARTICLE, "options": {"model": "gpt-4o"}})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["meta"]["model"] == "gpt-4o"
    assert json.loads(route.calls[0].request.content)["model"] == "gpt-4o"


def test_a_model_the_endpoint_does_not_know_is_422_and_fails_the_job(
    make_client: Callable[..., TestClient], httpx2_mock: Any
) -> None:
    httpx2_mock.post(CHAT_URL).mock(
        return_value=httpx.Response(
            404, json={"error": {"message": "model not found", "code": "model_not_found"}}
        )
    )
    client = _llm_client(make_client)
    response = client.post("/v1/briefs", json={"text": ARTICLE, "options": {"model": "no-such-model"}})
    assert response.status_code == 422
    error = response.json()["error"]
    assert "has no model 'no-such-model'" in error["message"]
    job = client.get(f"/v1/jobs/{error['job_id']}").json()
    assert job["status"] == "failed" and job["error"]["status"] == 422
