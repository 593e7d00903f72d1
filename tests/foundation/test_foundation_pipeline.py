from __future__ import annotations

from collections.abc import Sequence

import pytest

from briefing import engines
from briefing.config import Settings
from briefing.models import Article, Brief, BriefMeta, BriefOptions, Evidence, StatusItem
from briefing.pipeline import Briefer

ARTICLE = Article(text="The council approved the budget on Monday. Critics said it was rushed.")


class ScriptedEngine:
    """Returns one real and one invented quote, and counts calls."""

    name = "scripted"
    calls = 0

    def __init__(self, settings: Settings, model: str | None = None) -> None:
        self.settings = settings

    @property
    def model(self) -> str | None:
        return "m1"

    @property
    def prompt_version(self) -> str | None:
        return "p1"

    async def brief(self, article: Article, options: BriefOptions) -> Brief:
        type(self).calls += 1
        return Brief(
            headline="Budget approved",
            summary="The council approved the budget.",
            status=[
                StatusItem(text="approved", evidence=[Evidence(quote="The council approved the budget")]),
                StatusItem(text="invented", evidence=[Evidence(quote="The mayor resigned over the budget")]),
            ],
            meta=BriefMeta(engine=self.name, model=self.model, prompt_version=self.prompt_version),
        )

    async def merge(self, briefs: Sequence[Brief], options: BriefOptions) -> Brief:
        return briefs[0]


class MemoryCache:
    def __init__(self) -> None:
        self.rows: dict[tuple, Brief] = {}

    def get_brief(self, *, article_id, engine, model, prompt_version):
        found = self.rows.get((article_id, engine, model, prompt_version))
        return found.model_copy(deep=True) if found else None

    def put_brief(self, *, article, brief):
        self.rows[(article.id, brief.meta.engine, brief.meta.model, brief.meta.prompt_version)] = brief


@pytest.fixture(autouse=True)
def _scripted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(engines.ENGINES, "scripted", f"{__name__}:ScriptedEngine")
    ScriptedEngine.calls = 0


async def test_pipeline_grounds_and_caches(settings: Settings) -> None:
    cache = MemoryCache()
    briefer = Briefer(settings, cache)
    options = BriefOptions(engine="scripted")
    first = await briefer.brief(ARTICLE, options)
    assert first.article_id == ARTICLE.id
    assert [item.grounded for item in first.status] == [True, False]
    assert first.meta.grounded_ratio == 0.5 and not first.meta.cached
    second = await briefer.brief(ARTICLE, options)
    assert ScriptedEngine.calls == 1
    assert second.meta.cached and second.status == first.status


async def test_strict_mode_drops_ungrounded_items_even_from_cache(settings: Settings) -> None:
    cache = MemoryCache()
    briefer = Briefer(settings, cache)
    await briefer.brief(ARTICLE, BriefOptions(engine="scripted"))
    strict = await briefer.brief(ARTICLE, BriefOptions(engine="scripted", grounding="strict"))
    assert ScriptedEngine.calls == 1
    assert [item.text for item in strict.status] == ["approved"]
    # the cache still holds the flagged brief
    assert len(next(iter(cache.rows.values())).status) == 2


async def test_cache_can_be_bypassed_per_request(settings: Settings) -> None:
    briefer = Briefer(settings, MemoryCache())
    await briefer.brief(ARTICLE, BriefOptions(engine="scripted"))
    await briefer.brief(ARTICLE, BriefOptions(engine="scripted", use_cache=False))
    assert ScriptedEngine.calls == 2
