"""Whoever builds an LLM engine closes its HTTP client when done (no leaked connections)."""

from __future__ import annotations

import pytest

from briefing.config import Settings
from briefing.engines.llm import LLMEngine
from briefing.models import BriefOptions
from briefing.pipeline import Briefer


async def test_briefer_aclose_closes_the_llm_client(
    httpx2_mock, llm_settings: Settings, article, reply, draft, chat_url
) -> None:
    httpx2_mock.post(chat_url).mock(side_effect=[reply(draft())])
    briefer = Briefer(llm_settings)
    brief = await briefer.brief(article, BriefOptions(engine="llm"))
    engine = briefer.engine(BriefOptions(engine="llm"))
    assert brief.meta.engine == "llm" and not engine.client._client.is_closed()
    await briefer.aclose()
    assert engine.client._client.is_closed()


async def test_briefer_aclose_skips_engines_without_connections(llm_settings: Settings) -> None:
    briefer = Briefer(llm_settings)
    lead = briefer.engine(BriefOptions(engine="lead"))
    llm = briefer.engine(BriefOptions(engine="llm"))
    assert getattr(lead, "aclose", None) is None  # the lead engine holds nothing open
    await briefer.aclose()  # closes what has a connection, skips the rest without failing
    assert llm.client._client.is_closed()
    # closed engines are forgotten: asking again builds a fresh one instead of a closed client
    assert briefer.engine(BriefOptions(engine="llm")) is not llm
    await briefer.aclose()


def test_cli_brief_closes_the_llm_client(
    httpx2_mock, monkeypatch: pytest.MonkeyPatch, tmp_path, article, reply, draft, chat_url
) -> None:
    from typer.testing import CliRunner

    from briefing.cli import app

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://llm.test/v1")
    monkeypatch.setenv("BRIEFING_CACHE", "false")
    closed: list[LLMEngine] = []
    original = LLMEngine.aclose

    async def recording_aclose(self: LLMEngine) -> None:
        closed.append(self)
        await original(self)

    monkeypatch.setattr(LLMEngine, "aclose", recording_aclose)
    httpx2_mock.post(chat_url).mock(side_effect=[reply(draft())])
    source = tmp_path / "a.txt"
    source.write_text(article.text)
    result = CliRunner().invoke(app, ["brief", str(source), "--engine", "llm", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(closed) == 1 and closed[0].client._client.is_closed()
