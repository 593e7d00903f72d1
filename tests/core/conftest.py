"""Fixtures for the LLM core tests: an article, and OpenAI-style replies for the mocked endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from briefing.models import Article

CHAT_URL = "http://llm.test/v1/chat/completions"

ARTICLE_TEXT = (Path(__file__).resolve().parents[2] / "examples" / "article.txt").read_text(encoding="utf-8")


def draft_reply(**overrides: object) -> dict:
    """A valid draft brief whose quotes all come from the example article."""
    draft = {
        "headline": "Port authority and dockworkers agree to resume talks",
        "summary": "The two sides will meet on Thursday under a state mediator.",
        "actors": [
            {
                "name": "Lena Marsh",
                "role": "Port Authority chief executive",
                "aliases": ["Marsh"],
                "stance": None,
                "evidence": ["We want the cranes moving again, but not at any price"],
            }
        ],
        "status": [
            {
                "text": "About 2,400 workers are on strike.",
                "evidence": ["About 2,400 workers walked out on June 1."],
            }
        ],
        "disputes": [],
        "next_steps": [
            {
                "action": "Talks under a state mediator",
                "who": "both sides",
                "when": "Thursday",
                "certainty": "planned",
                "evidence": [
                    "the two sides would meet on Thursday under the supervision of a state mediator"
                ],
            }
        ],
    }
    draft.update(overrides)
    return draft


def chat_response(
    content: object,
    *,
    finish_reason: str = "stop",
    prompt_tokens: int = 1000,
    completion_tokens: int = 200,
    status_code: int = 200,
) -> httpx.Response:
    text = content if isinstance(content, str) else json.dumps(content)
    return httpx.Response(
        status_code,
        json={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1700000000,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
    )


def request_json(call: object) -> dict:
    return json.loads(call.request.content)  # type: ignore[attr-defined]


@pytest.fixture
def article() -> Article:
    return Article(text=ARTICLE_TEXT, title="Port talks to resume")


@pytest.fixture
def reply() -> Callable[..., httpx.Response]:
    return chat_response


@pytest.fixture
def draft() -> Callable[..., dict]:
    return draft_reply


@pytest.fixture
def sent() -> Callable[[object], dict]:
    """The JSON body of a recorded request."""
    return request_json


@pytest.fixture
def chat_url() -> str:
    return CHAT_URL
