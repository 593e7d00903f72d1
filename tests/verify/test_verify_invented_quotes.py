"""An LLM that invents one quote per item next to real ones: strict keeps no trace, flag marks each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.digests.models import ArticleRef, Digest, DigestStats, Story
from briefing.digests.render import render
from briefing.models import Article, Brief, BriefOptions
from briefing.pipeline import Briefer
from briefing.render import brief_to_markdown
from tests.verify.fake_openai import ARTICLE, INVENTED, serve


@pytest.fixture
def fake_llm(tmp_path: Path) -> Iterator[Settings]:
    server, base_url = serve()
    yield Settings(
        data_dir=tmp_path / "data",
        openai_api_key="sk-test",
        openai_base_url=base_url,
        model="fake-model",
        cache=False,
    )
    server.shutdown()


async def _brief(settings: Settings, grounding: str) -> Brief:
    briefer = Briefer(settings)
    try:
        return await briefer.brief(Article(text=ARTICLE), BriefOptions(engine="llm", grounding=grounding))
    finally:
        await briefer.aclose()


async def test_strict_output_has_no_trace_of_the_invented_quotes(fake_llm: Settings) -> None:
    brief = await _brief(fake_llm, "strict")
    dumped = brief.model_dump_json()
    markdown = brief_to_markdown(brief)
    for quote in INVENTED:
        assert quote not in dumped and quote not in markdown
    assert len(brief.items()) == 3  # every item kept its real quote
    assert all(e.grounded for item in brief.items() for e in item.evidence)
    assert brief.meta.quotes_total == 3 and brief.meta.quotes_found == 3
    assert brief.meta.grounded_ratio == 1.0
    assert any("dropped 3 quote(s) not found in the article" in w for w in brief.meta.warnings)


async def test_flag_output_marks_every_invented_quote_and_counts_exactly(fake_llm: Settings) -> None:
    brief = await _brief(fake_llm, "flag")
    quotes = [e for item in brief.items() for e in item.evidence]
    assert [e.grounded for e in quotes] == [True, False] * 3
    assert all(e.start is not None and ARTICLE[e.start : e.end] == e.quote for e in quotes if e.grounded)
    assert all(e.start is None for e in quotes if not e.grounded)
    assert brief.meta.quotes_total == 6 and brief.meta.quotes_found == 3
    assert brief.meta.grounded_ratio == 0.0  # no item has all its quotes found
    assert "grounding: 3 of 6 quote(s) not found in the article, in 3 item(s)" in brief.meta.warnings
    markdown = brief_to_markdown(brief)
    for quote in INVENTED:
        line = next(line for line in markdown.splitlines() if quote in line)
        assert "not found in the article" in line
    assert "> Mayor Jane Doe said work would begin in May\n" in markdown  # found quotes stay plain


@pytest.mark.parametrize("fmt", ["md", "html", "txt", "json"])
async def test_every_digest_format_marks_the_invented_quotes(fake_llm: Settings, fmt: str) -> None:
    brief = await _brief(fake_llm, "flag")
    ref = ArticleRef(id=brief.article_id or "a", title="Bridge", source="Wire")
    digest = Digest(
        title="Daily",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        stories=[Story(key="s1", brief=brief, articles=[ref])],
        stats=DigestStats(),
    )
    text = render(digest, fmt, fake_llm)
    for quote in INVENTED[1:]:  # status and next step (digests list no actor quotes)
        if fmt == "json":
            assert f'"quote": "{quote}"' in text
        else:
            line = next(line for line in text.splitlines() if quote in line)
            assert "not found in the article" in line.lower()
    if fmt == "json":
        assert text.count('"grounded": false') >= 3
