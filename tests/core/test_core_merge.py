"""LLMEngine.merge: briefs of several articles of one story become one, quotes keep their article."""

from __future__ import annotations

from briefing.engines.llm import LLMEngine
from briefing.models import Actor, Brief, BriefMeta, BriefOptions, Evidence, StatusItem


def _brief(article_id: str, quote: str, name: str) -> Brief:
    return Brief(
        article_id=article_id,
        headline=f"{name} speaks",
        summary="Something happened.",
        actors=[Actor(name=name, evidence=[Evidence(quote=quote, article_id=article_id)])],
        status=[StatusItem(text="ongoing", evidence=[Evidence(quote=quote)])],
        meta=BriefMeta(engine="llm", model="gpt-4o-mini", llm_calls=1, prompt_tokens=500),
    )


async def test_merge_keeps_each_quote_article(httpx2_mock, llm_settings, reply, draft, sent, chat_url):
    a = _brief("article-a", "The mayor said the vote would be held in June.", "Mayor")
    b = _brief("article-b", "Opposition leaders called the plan reckless.", "Opposition")
    merged_reply = draft(
        actors=[
            {
                "name": "Mayor",
                "role": None,
                "aliases": [],
                "stance": None,
                "evidence": ["The mayor said the vote would be held in June."],
            },
            {
                "name": "Opposition",
                "role": None,
                "aliases": [],
                "stance": None,
                "evidence": ["opposition leaders called the plan reckless"],
            },
        ],
        status=[],
        next_steps=[],
    )
    route = httpx2_mock.post(chat_url).mock(side_effect=[reply(merged_reply, prompt_tokens=700)])
    merged = await LLMEngine(llm_settings).merge([a, b], BriefOptions())

    assert route.call_count == 1
    user = sent(route.calls[0])["messages"][1]["content"]
    assert "come from 2 articles about one story" in user and "<<<BRIEFS" in user
    assert [actor.evidence[0].article_id for actor in merged.actors] == ["article-a", "article-b"]
    assert merged.article_id is None
    assert merged.meta.llm_calls == 1 and merged.meta.prompt_tokens == 700 and merged.meta.chunks == 2


async def test_merge_of_one_brief_makes_no_call(httpx2_mock, llm_settings, chat_url):
    only = _brief("article-a", "A quote.", "Mayor")
    merged = await LLMEngine(llm_settings).merge([only], BriefOptions())
    assert httpx2_mock.calls.call_count == 0  # any request would also fail: nothing is mocked
    assert merged == only and merged is not only
