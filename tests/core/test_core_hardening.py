"""Failure modes of the LLM path: a reply that is not JSON, the per-brief deadline, the cache key."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from briefing.cli import main
from briefing.config import Settings
from briefing.errors import LLMError
from briefing.models import Article
from briefing.pipeline import Briefer

ARTICLE = Path(__file__).resolve().parents[2] / "examples" / "article.txt"
TRUNCATED = b'{"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0, "mess'


def _truncated() -> httpx.Response:
    return httpx.Response(200, content=TRUNCATED, headers={"content-type": "application/json"})


def test_cli_prints_one_line_and_exits_3_when_the_llm_reply_is_not_json(
    httpx2_mock: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://llm.test/v1")
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BRIEFING_LLM_MAX_RETRIES", "0")
    httpx2_mock.post("http://llm.test/v1/chat/completions").mock(return_value=_truncated())
    monkeypatch.setattr(sys, "argv", ["briefing", "brief", str(ARTICLE)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 3
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("briefing: error:")]
    assert len(errors) == 1 and "Traceback" not in err, err
    assert errors[0].startswith("briefing: error: LLM gpt-4o-mini at http://llm.test/v1")
    assert "not valid JSON" in errors[0]


def test_switching_the_llm_endpoint_does_not_serve_the_previous_servers_brief(
    httpx2_mock: Any, tmp_path: Path, reply: Any, draft: Any
) -> None:
    first = httpx2_mock.post("http://one.test/v1/chat/completions").mock(return_value=reply(draft()))
    second = httpx2_mock.post("http://two.test/v1/chat/completions").mock(return_value=reply(draft()))
    from briefing.store import open_store

    base = Settings(data_dir=tmp_path / "data", openai_api_key="sk-test", engine="llm")
    article = Article(text=ARTICLE.read_text(encoding="utf-8"))

    async def brief_with(url: str) -> Any:
        settings = base.model_copy(update={"openai_base_url": url})
        store = open_store(settings)
        briefer = Briefer(settings, cache=store)
        try:
            return await briefer.brief(article)
        finally:
            await briefer.aclose()
            store.close()

    import asyncio

    assert not asyncio.run(brief_with("http://one.test/v1")).meta.cached
    assert asyncio.run(brief_with("http://one.test/v1/")).meta.cached  # same endpoint, same key
    assert first.call_count == 1
    assert not asyncio.run(brief_with("http://two.test/v1")).meta.cached
    assert second.call_count == 1


def _llm(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        openai_api_key="sk-test",
        openai_base_url="http://llm.test/v1",
        engine="llm",
        cache=False,
        **overrides,
    )


async def _brief_once(settings: Settings) -> None:
    briefer = Briefer(settings)
    try:
        await briefer.brief(Article(text=ARTICLE.read_text(encoding="utf-8")))
    finally:
        await briefer.aclose()


@pytest.mark.httpx2(assert_all_called=False)  # respx counts a call only once its reply returns
def test_the_deadline_bounds_every_try_of_an_llm_that_never_answers(httpx2_mock: Any, tmp_path: Path) -> None:
    import asyncio
    import time

    sent: list[object] = []

    async def hang(request: Any) -> httpx.Response:
        sent.append(request)
        await asyncio.sleep(30)
        raise AssertionError("unreachable")

    httpx2_mock.post("http://llm.test/v1/chat/completions").mock(side_effect=hang)
    settings = _llm(tmp_path, llm_timeout=20.0, llm_max_retries=4, llm_deadline=2.0)

    started = time.monotonic()
    with pytest.raises(LLMError) as caught:
        asyncio.run(_brief_once(settings))
    elapsed = time.monotonic() - started
    assert elapsed < 15, elapsed  # not 5 tries x 20 s
    assert caught.value.http_status == 503 and caught.value.exit_code == 3
    assert "BRIEFING_LLM_DEADLINE" in caught.value.message and "2s" in caught.value.message
    assert len(sent) <= 1  # the hung call was cut by the deadline, not retried


def test_the_deadline_covers_retries_and_backoff_together(httpx2_mock: Any, tmp_path: Path) -> None:
    import asyncio

    route = httpx2_mock.post("http://llm.test/v1/chat/completions").mock(
        return_value=httpx.Response(500, json={"error": {"message": "down"}})
    )
    settings = _llm(
        tmp_path, llm_max_retries=1000, llm_backoff_base=0.05, llm_backoff_max=0.05, llm_deadline=2.0
    )

    with pytest.raises(LLMError, match="BRIEFING_LLM_DEADLINE"):
        asyncio.run(_brief_once(settings))
    assert 1 <= route.call_count < 1000  # tries and backoff sleeps stopped together by the deadline


def test_default_per_call_timeout_leaves_room_for_retries_within_the_deadline() -> None:
    defaults = Settings()
    assert defaults.llm_deadline == 120.0
    assert defaults.llm_timeout * 3 <= defaults.llm_deadline  # a hung call cannot eat the whole budget
