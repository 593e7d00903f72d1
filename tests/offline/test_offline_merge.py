"""Merging the briefs of one story's articles into one brief."""

from __future__ import annotations

import asyncio

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.grounding import ground_brief
from briefing.models import Actor, Article, Brief, BriefMeta, BriefOptions, Evidence, NextStep, StatusItem

FIRST = (
    "Mayor Daniel Okafor said on Friday the city would appeal the court ruling that halted the Riverside "
    "light-rail line. Construction of the line is on hold. The council will hold a public hearing on May 20."
)
SECOND = (
    "Millbrook will appeal a judge's order stopping work on the Riverside light-rail line, "
    "Mayor Okafor said. "
    "Construction of the Riverside line is on hold. Residents accused the city of rushing the project."
)


def make(settings: Settings, text: str) -> Brief:
    article = Article(text=text)
    result = asyncio.run(OfflineEngine(settings).brief(article, BriefOptions()))
    result.article_id = article.id
    return result


def test_merge_unites_actors_and_keeps_evidence_with_its_article(settings: Settings) -> None:
    first, second = make(settings, FIRST), make(settings, SECOND)
    merged = asyncio.run(OfflineEngine(settings).merge([first, second], BriefOptions()))
    okafor = [actor for actor in merged.actors if "Okafor" in actor.name]
    assert len(okafor) == 1
    assert okafor[0].role == "Mayor"
    ids = {evidence.article_id for item in merged.items() for evidence in item.evidence}
    assert ids == {first.article_id, second.article_id}
    assert merged.article_id is None
    assert merged.meta.engine == "offline" and merged.meta.llm_calls == 0
    # every quote is found in the article it names
    regrounded = ground_brief(merged, {first.article_id: FIRST, second.article_id: SECOND})
    assert regrounded.meta.grounded_ratio == 1.0


def test_near_duplicate_items_fold_into_one_with_both_quotes(settings: Settings) -> None:
    first, second = make(settings, FIRST), make(settings, SECOND)
    merged = asyncio.run(OfflineEngine(settings).merge([first, second], BriefOptions()))
    on_hold = [item for item in merged.status if "on hold" in item.text]
    assert len(on_hold) == 1
    assert {e.article_id for e in on_hold[0].evidence} == {first.article_id, second.article_id}


def test_inputs_are_not_modified_and_aliases_join_by_name(settings: Settings) -> None:
    meta = BriefMeta(engine="offline")
    one = Brief(
        article_id="a1",
        headline="One",
        summary="The strike goes on at the port.",
        actors=[Actor(name="Tomas Ekberg", aliases=["Ekberg"], evidence=[Evidence(quote="Ekberg said")])],
        status=[StatusItem(text="The strike goes on.", evidence=[Evidence(quote="The strike goes on.")])],
        meta=meta,
    )
    two = Brief(
        article_id="a2",
        headline="Two",
        summary="The port strike goes on, the union said.",
        actors=[
            Actor(name="Lena Marsh", evidence=[Evidence(quote="Marsh")]),
            Actor(name="Ekberg", role="union leader", evidence=[Evidence(quote="Ekberg")]),
        ],
        next_steps=[
            NextStep(action="Talks resume Thursday.", evidence=[Evidence(quote="Talks resume Thursday.")])
        ],
        meta=meta,
    )
    merged = asyncio.run(OfflineEngine(Settings()).merge([one, two], BriefOptions()))
    assert [actor.name for actor in merged.actors] == ["Tomas Ekberg", "Lena Marsh"]
    assert merged.actors[0].role == "union leader"
    assert [e.article_id for e in merged.actors[0].evidence] == ["a1", "a2"]
    assert one.actors[0].evidence[0].article_id is None  # inputs untouched
    assert merged.headline in {"One", "Two"}
    assert len(merged.next_steps) == 1 and merged.next_steps[0].evidence[0].article_id == "a2"


def test_merging_nothing_or_one(settings: Settings) -> None:
    empty = asyncio.run(OfflineEngine(settings).merge([], BriefOptions()))
    assert empty.actors == [] and empty.headline == ""
    single = make(settings, FIRST)
    merged = asyncio.run(OfflineEngine(settings).merge([single], BriefOptions()))
    assert merged.headline == single.headline and merged.article_id == single.article_id
