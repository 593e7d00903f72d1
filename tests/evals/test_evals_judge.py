"""The LLM judge (mocked endpoint) and the recording key."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from briefing.config import Settings
from briefing.errors import ConfigError
from briefing.evaluation.dataset import load_dataset
from briefing.evaluation.judge import Judge
from briefing.evaluation.recording import request_key
from briefing.evaluation.runner import EvalOptions, run_eval

DATA = Path(__file__).parent / "data"
CHAT_URL = "http://llm.test/v1/chat/completions"


def _verdict(faithfulness: int) -> httpx.Response:
    content = {
        "faithfulness": {"score": faithfulness, "rationale": "All claims are in the article."},
        "coverage": {"score": 3, "rationale": "The next steps are missing."},
        "concision": {"score": 5, "rationale": "Nothing to cut."},
    }
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-judge",
            "object": "chat.completion",
            "created": 1700000000,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": json.dumps(content)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 800, "completion_tokens": 60, "total_tokens": 860},
        },
    )


async def test_judge_repeats_and_reports_the_spread(httpx2_mock, llm_settings: Settings) -> None:
    dataset = load_dataset(DATA / "gold").select(["harbor-bridge-closure"])
    route = httpx2_mock.post(CHAT_URL).mock(side_effect=[_verdict(5), _verdict(3)])
    results = await run_eval(
        dataset, llm_settings, EvalOptions(engine="lead", baseline=None, judge=True, judge_repeat=2)
    )

    assert route.call_count == 2
    body = json.loads(route.calls[0].request.content)
    assert body["temperature"] == 0
    assert body["response_format"]["json_schema"]["name"] == "judgement"
    assert "<<<ARTICLE" in body["messages"][1]["content"] and "Faithfulness" in body["messages"][0]["content"]
    case = results["judge"]["cases"]["harbor-bridge-closure"]
    assert case["faithfulness"]["scores"] == [5, 3]
    assert case["faithfulness"]["spread"] == 2
    assert case["coverage"]["rationales"] == ["The next steps are missing."] * 2
    assert results["aggregate"]["judge_faithfulness"] == 4.0
    assert results["aggregate"]["judge_faithfulness_spread_max"] == 2.0
    assert results["aggregate"]["judge_concision"] == 5.0


async def test_invalid_judge_output_is_recorded_not_fatal(httpx2_mock, llm_settings: Settings) -> None:
    dataset = load_dataset(DATA / "gold").select(["harbor-bridge-closure"])
    route = httpx2_mock.post(CHAT_URL).mock(side_effect=[_verdict(9), _verdict(9)])  # 9 is off the scale
    results = await run_eval(dataset, llm_settings, EvalOptions(engine="lead", baseline=None, judge=True))
    case = results["judge"]["cases"]["harbor-bridge-closure"]
    assert route.call_count == 2  # one repair round, then the error is recorded
    assert case["errors"] and case["errors"][0].startswith("LLMOutputError: the model gpt-4o-mini did not")
    assert "valid verdict" in case["errors"][0]
    assert results["aggregate"]["judge_faithfulness"] is None


async def test_invalid_verdict_gets_one_repair_round(httpx2_mock, llm_settings: Settings) -> None:
    dataset = load_dataset(DATA / "gold").select(["harbor-bridge-closure"])
    route = httpx2_mock.post(CHAT_URL).mock(side_effect=[_verdict(9), _verdict(4)])
    results = await run_eval(dataset, llm_settings, EvalOptions(engine="lead", baseline=None, judge=True))
    repair = json.loads(route.calls[1].request.content)["messages"][-1]["content"]
    assert "not valid" in repair and "faithfulness" in repair
    assert results["judge"]["cases"]["harbor-bridge-closure"]["faithfulness"]["scores"] == [4]
    assert results["aggregate"]["judge_faithfulness"] == 4.0


def test_judge_needs_an_endpoint(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        Judge(settings)


def test_request_key_ignores_json_key_order_but_not_content() -> None:
    url = "http://llm.test/v1/chat/completions"
    one = request_key("POST", url, b'{"model": "m", "messages": [1, 2]}')
    assert one == request_key("post", url, b'{"messages":[1,2],"model":"m"}')
    assert one != request_key("POST", url, b'{"model": "m", "messages": [2, 1]}')
    assert one != request_key("POST", url + "?x=1", b'{"model": "m", "messages": [1, 2]}')


async def test_eval_closes_the_engine_and_judge_clients(
    httpx2_mock, llm_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openai import AsyncOpenAI

    from briefing.engines.llm import LLMEngine

    closed: list[object] = []
    original = AsyncOpenAI.close

    async def recording_close(self: AsyncOpenAI) -> None:
        closed.append(self)
        await original(self)

    monkeypatch.setattr(AsyncOpenAI, "close", recording_close)
    built: list[LLMEngine] = []
    monkeypatch.setattr(
        "briefing.evaluation.runner.get_engine",
        lambda name, settings, model=None: built.append(LLMEngine(settings, model=model)) or built[-1],
    )
    dataset = load_dataset(DATA / "gold").select(["harbor-bridge-closure"])
    httpx2_mock.post(CHAT_URL).mock(side_effect=[_verdict(4)])
    results = await run_eval(dataset, llm_settings, EvalOptions(engine="llm", baseline=None, judge=True))

    assert results["errors"] == 1  # the verdict is not a brief; the case fails, the run goes on
    assert len(built) == 1 and built[0].client._client in closed  # the engine's client
    assert len(closed) == 2  # ... and the judge's


async def test_judge_reply_without_choices_is_recorded_not_fatal(httpx2_mock, llm_settings: Settings) -> None:
    dataset = load_dataset(DATA / "gold").select(["harbor-bridge-closure"])
    empty = httpx.Response(
        200,
        json={"id": "x", "object": "chat.completion", "created": 1700000000, "model": "m", "choices": []},
    )
    httpx2_mock.post(CHAT_URL).mock(side_effect=[empty])
    results = await run_eval(dataset, llm_settings, EvalOptions(engine="lead", baseline=None, judge=True))
    case = results["judge"]["cases"]["harbor-bridge-closure"]
    assert case["errors"] == ["LLMOutputError: the model gpt-4o-mini returned no choices"]
    assert results["aggregate"]["judge_faithfulness"] is None
