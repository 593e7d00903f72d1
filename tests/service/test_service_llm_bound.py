"""One LLM budget across processes: on PostgreSQL, BRIEFING_LLM_MAX_CONCURRENCY bounds the calls in
flight of every runtime on the database, measured at the (mocked) LLM endpoint."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from briefing.config import Settings
from briefing.models import Article, BriefOptions
from briefing.runtime import Runtime
from tests.core.conftest import ARTICLE_TEXT, CHAT_URL, chat_response, draft_reply


@pytest.mark.postgres
async def test_the_llm_call_bound_holds_across_runtimes(
    httpx2_mock, llm_settings: Settings, postgres_schema_url: str
) -> None:
    settings = llm_settings.model_copy(
        update={"database_url": postgres_schema_url, "llm_max_concurrency": 2, "cache": False}
    )
    in_flight = peak = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.1)
        finally:
            in_flight -= 1
        return chat_response(draft_reply())

    route = httpx2_mock.post(CHAT_URL).mock(side_effect=answer)
    # Two runtimes stand for two processes: each has its own pool, Briefer and local semaphore.
    runtimes = [await asyncio.to_thread(Runtime.open, settings) for _ in range(2)]
    try:
        articles = [Article(text=f"{ARTICLE_TEXT}\n\nUpdate number {n}.") for n in range(8)]
        options = BriefOptions(engine="llm", use_cache=False)
        briefs = await asyncio.gather(
            *(runtimes[n % 2].briefer.brief(article, options) for n, article in enumerate(articles))
        )
    finally:
        for runtime in runtimes:
            await runtime.aclose()
    assert len(briefs) == 8 and route.call_count >= 8
    assert peak == 2  # each runtime alone would allow 2: without the shared slots it reaches 4
