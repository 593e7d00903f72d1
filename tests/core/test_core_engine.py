"""LLM engine paths against a mocked OpenAI-compatible endpoint (respx via httpx2_mock)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from briefing.engines.llm import LLMEngine
from briefing.errors import LLMOutputError, LLMTruncatedError, LLMUnavailableError
from briefing.models import Article, BriefOptions


async def test_one_call_when_the_article_fits(
    httpx2_mock, llm_settings, article, reply, draft, sent, chat_url
):
    route = httpx2_mock.post(chat_url).mock(
        side_effect=[reply(draft(), prompt_tokens=900, completion_tokens=300)]
    )
    engine = LLMEngine(llm_settings)
    brief = await engine.brief(article, BriefOptions())

    assert route.call_count == 1
    assert brief.headline.startswith("Port authority")
    assert brief.meta.engine == "llm" and brief.meta.model == "gpt-4o-mini"
    assert brief.meta.chunks == 1 and brief.meta.llm_calls == 1
    assert (brief.meta.prompt_tokens, brief.meta.completion_tokens) == (900, 300)
    # gpt-4o-mini: $0.15 / $0.60 per 1M tokens
    assert brief.meta.cost_usd == pytest.approx((900 * 0.15 + 300 * 0.60) / 1e6)
    assert brief.meta.prompt_version == engine.prompt_version and len(engine.prompt_version) == 12
    assert brief.actors[0].evidence[0].quote == "We want the cranes moving again, but not at any price"
    assert brief.actors[0].evidence[0].start is None  # grounding is the pipeline's job

    body = sent(route.calls[0])
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][0]["content"] == engine.system_prompt  # static prefix first
    assert "<<<ARTICLE" in body["messages"][1]["content"]
    assert "About 2,400 workers walked out on June 1." in body["messages"][1]["content"]


async def test_unknown_model_cost_is_null(httpx2_mock, llm_settings, article, reply, draft, chat_url):
    httpx2_mock.post(chat_url).mock(side_effect=[reply(draft())])
    engine = LLMEngine(llm_settings, model="acme-local-7b")
    brief = await engine.brief(article, BriefOptions())
    assert brief.meta.cost_usd is None
    assert brief.meta.prompt_tokens == 1000
    assert any("context-window table" in warning for warning in brief.meta.warnings)


async def test_map_reduce_maps_concurrently_then_reduces(
    httpx2_mock, llm_settings, article, reply, draft, sent, chat_url
):
    settings = llm_settings.model_copy(update={"chunk_tokens": 120, "chunk_overlap_tokens": 16})
    events: list[tuple[str, float, float]] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        user = json.loads(request.content)["messages"][1]["content"]
        kind = "reduce" if "<<<BRIEFS" in user else "map"
        started = time.perf_counter()
        await asyncio.sleep(0.05)
        events.append((kind, started, time.perf_counter()))
        return reply(draft(), prompt_tokens=100, completion_tokens=40)

    route = httpx2_mock.post(chat_url).mock(side_effect=answer)
    brief = await LLMEngine(settings).brief(article, BriefOptions())

    maps = [event for event in events if event[0] == "map"]
    reduces = [event for event in events if event[0] == "reduce"]
    assert brief.meta.chunks == len(maps) >= 3
    assert len(reduces) == 1
    # every map call started before the first one finished: they ran at the same time
    assert max(start for _, start, _ in maps) < min(end for _, _, end in maps)
    assert reduces[0][1] >= max(end for _, _, end in maps)
    assert brief.meta.llm_calls == route.call_count == len(maps) + 1
    assert brief.meta.prompt_tokens == 100 * route.call_count
    reduce_body = sent(route.calls[-1])["messages"][1]["content"]
    assert f"Merge these {len(maps)} partial briefs" in reduce_body


async def test_map_calls_respect_the_concurrency_bound(
    httpx2_mock, llm_settings, article, reply, draft, chat_url
):
    settings = llm_settings.model_copy(update={"chunk_tokens": 100, "llm_max_concurrency": 2})
    in_flight = 0
    peak = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return reply(draft())

    httpx2_mock.post(chat_url).mock(side_effect=answer)
    brief = await LLMEngine(settings).brief(article, BriefOptions())
    assert brief.meta.chunks >= 4
    assert peak == 2


async def test_hierarchical_reduce_with_a_small_context_window(
    httpx2_mock, llm_settings, reply, draft, chat_url
):
    # 40 short paragraphs; a window that fits one chunk of ~150 tokens and only a few partial briefs.
    text = "\n\n".join(
        f"Paragraph {i}: the council met on day {i} and said the budget vote would follow. "
        f"Officials said item {i} was settled."
        for i in range(40)
    )
    settings = llm_settings.model_copy(
        update={"context_windows": {"gpt-4o-mini": 1400}, "max_output_tokens": 300, "chunk_tokens": 150}
    )
    counts: list[int] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        user = json.loads(request.content)["messages"][1]["content"]
        if "<<<BRIEFS" in user:
            counts.append(int(user.split("Merge these ")[1].split(" ")[0]))
        return reply(draft())

    httpx2_mock.post(chat_url).mock(side_effect=answer)
    engine = LLMEngine(settings)
    brief = await engine.brief(Article(text=text), BriefOptions())
    assert brief.meta.chunks > 4
    assert len(counts) >= 2  # more than one reduce call: the partials did not fit one prompt
    assert max(counts) < brief.meta.chunks
    assert brief.meta.llm_calls == brief.meta.chunks + len(counts)


async def test_invalid_reply_gets_one_repair_round(
    httpx2_mock, llm_settings, article, reply, draft, sent, chat_url
):
    bad = {"headline": "x"}  # summary missing
    route = httpx2_mock.post(chat_url).mock(side_effect=[reply(bad), reply(draft())])
    brief = await LLMEngine(llm_settings).brief(article, BriefOptions())
    assert route.call_count == 2
    assert brief.meta.llm_calls == 2 and brief.meta.prompt_tokens == 2000
    messages = sent(route.calls[1])["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == json.dumps(bad)
    assert "summary" in messages[3]["content"] and "Field required" in messages[3]["content"]


async def test_two_invalid_replies_raise_with_the_last_output(
    httpx2_mock, llm_settings, article, reply, chat_url
):
    route = httpx2_mock.post(chat_url).mock(side_effect=[reply("not json"), reply("{still not json")])
    with pytest.raises(LLMOutputError) as caught:
        await LLMEngine(llm_settings).brief(article, BriefOptions())
    assert route.call_count == 2
    assert caught.value.last_output == "{still not json"


async def test_code_fenced_json_is_accepted(httpx2_mock, llm_settings, article, reply, draft, chat_url):
    route = httpx2_mock.post(chat_url).mock(side_effect=[reply("```json\n" + json.dumps(draft()) + "\n```")])
    brief = await LLMEngine(llm_settings).brief(article, BriefOptions())
    assert route.call_count == 1 and brief.status[0].text.startswith("About 2,400")


async def test_length_truncation_is_an_error_without_repair(
    httpx2_mock, llm_settings, article, reply, chat_url
):
    route = httpx2_mock.post(chat_url).mock(side_effect=[reply('{"headline": "Port', finish_reason="length")])
    with pytest.raises(LLMTruncatedError) as caught:
        await LLMEngine(llm_settings).brief(article, BriefOptions())
    assert route.call_count == 1
    assert "BRIEFING_MAX_OUTPUT_TOKENS" in str(caught.value)
    assert caught.value.last_output == '{"headline": "Port'


async def test_json_schema_rejected_falls_back_to_json_mode(
    httpx2_mock, llm_settings, article, reply, draft, sent, chat_url
):
    rejected = httpx.Response(
        400,
        json={
            "error": {"message": "response_format json_schema is not supported", "type": "invalid_request"}
        },
    )
    route = httpx2_mock.post(chat_url).mock(side_effect=[rejected, reply(draft()), reply(draft())])
    engine = LLMEngine(llm_settings)
    await engine.brief(article, BriefOptions())
    assert sent(route.calls[0])["response_format"]["type"] == "json_schema"
    assert sent(route.calls[1])["response_format"] == {"type": "json_object"}
    await engine.brief(article, BriefOptions())  # remembered: no second rejection
    assert route.call_count == 3
    assert sent(route.calls[2])["response_format"] == {"type": "json_object"}


async def test_other_bad_requests_are_not_retried(httpx2_mock, llm_settings, article, chat_url):
    rejected = httpx.Response(400, json={"error": {"message": "maximum context length exceeded"}})
    route = httpx2_mock.post(chat_url).mock(side_effect=[rejected])
    with pytest.raises(Exception) as caught:
        await LLMEngine(llm_settings).brief(article, BriefOptions())
    assert route.call_count == 1
    assert "(400)" in str(caught.value) and "context length" in str(caught.value)


async def test_429_retry_after_is_honoured(httpx2_mock, llm_settings, article, reply, draft, chat_url):
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    limited = httpx.Response(429, headers={"Retry-After": "7"}, json={"error": {"message": "rate limited"}})
    route = httpx2_mock.post(chat_url).mock(side_effect=[limited, reply(draft())])
    brief = await LLMEngine(llm_settings, sleep=sleep).brief(article, BriefOptions())
    assert route.call_count == 2
    assert waits == [7.0]
    assert brief.meta.llm_calls == 1  # only answered calls are billed


async def test_5xx_until_retries_run_out(httpx2_mock, llm_settings, article, chat_url):
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    settings = llm_settings.model_copy(
        update={"llm_max_retries": 3, "llm_backoff_base": 1.0, "llm_backoff_max": 8}
    )
    route = httpx2_mock.post(chat_url).mock(
        return_value=httpx.Response(503, json={"error": {"message": "busy"}})
    )
    with pytest.raises(LLMUnavailableError) as caught:
        await LLMEngine(settings, sleep=sleep).brief(article, BriefOptions())
    assert route.call_count == 4
    assert caught.value.attempts == 4 and caught.value.status_code == 503
    assert "4 attempts" in str(caught.value)
    assert len(waits) == 3
    assert waits[0] < waits[2] <= 8 + 1  # exponential growth, capped (plus jitter)


async def test_timeouts_are_retried_then_reported(httpx2_mock, llm_settings, article, reply, draft, chat_url):
    import httpx2

    settings = llm_settings.model_copy(update={"llm_max_retries": 1})
    route = httpx2_mock.post(chat_url).mock(side_effect=httpx2.ReadTimeout("too slow"))
    with pytest.raises(LLMUnavailableError) as caught:
        await LLMEngine(settings).brief(article, BriefOptions())
    assert route.call_count == 2
    assert "timed out" in str(caught.value)

    route.side_effect = [httpx2.ConnectTimeout("slow"), reply(draft())]
    brief = await LLMEngine(settings).brief(article, BriefOptions())
    assert brief.headline


async def test_auth_failure_is_one_clear_error(httpx2_mock, llm_settings, article, chat_url):
    route = httpx2_mock.post(chat_url).mock(
        return_value=httpx.Response(401, json={"error": {"message": "bad key"}})
    )
    with pytest.raises(Exception) as caught:
        await LLMEngine(llm_settings).brief(article, BriefOptions())
    assert route.call_count == 1
    assert "OPENAI_API_KEY" in str(caught.value)


async def test_a_failing_map_call_raises_its_own_error(
    httpx2_mock, llm_settings, article, reply, draft, chat_url
):
    settings = llm_settings.model_copy(update={"chunk_tokens": 120, "llm_max_retries": 0})
    answers = iter([reply(draft()), httpx.Response(503, json={"error": {"message": "down"}})])

    async def answer(request: httpx.Request) -> httpx.Response:
        return next(answers, reply(draft()))

    httpx2_mock.post(chat_url).mock(side_effect=answer)
    with pytest.raises(LLMUnavailableError) as caught:  # not an ExceptionGroup: the CLI can print it
        await LLMEngine(settings).brief(article, BriefOptions())
    assert caught.value.status_code == 503
