"""A digest reads its briefs, merged stories and articles in batches, not one query per row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from digest_fakes import DAY1, CountingEngine, FakeBriefer, article, harbor_and_tram
from sqlalchemy import event

from briefing.config import Settings
from briefing.digests.build import BuildSpec, DigestBuilder
from briefing.errors import BriefingError, NotFoundError
from briefing.models import Article, Brief, BriefOptions
from briefing.store import BATCH, Store
from briefing.store.digest_repo import DigestRepo
from briefing.store.stories import StoryStore


@contextmanager
def statements(store: Store) -> Iterator[list[str]]:
    """Every SQL statement the store's engine runs inside the block."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def many(n: int, stories: int = 40, *, outlets: bool = False) -> list[Article]:
    """`n` distinct articles about `stories` stories (each story's names shared by its articles);
    with `outlets`, story k is covered by k % 6 + 1 outlets (so stories rank apart)."""
    return [
        article(
            f"a{i}",
            f"Story{i % stories} council vote number {i}",
            f"The Story{i % stories} council met. Item {i} was agreed by Mayor Person{i % stories}.",
            f"Outlet {(i // stories) % (i % stories % 6 + 1) if outlets else i % 7}",
            hours=(i % 20) / 2,
        )
        for i in range(n)
    ]


async def test_get_briefs_matches_single_reads_in_one_query_per_batch(
    settings: Settings, any_store: Store
) -> None:
    engine = CountingEngine()
    briefer = FakeBriefer(settings, any_store, engine)
    articles = many(BATCH + 20)
    for item in articles[:-5]:  # the last five have no brief
        await briefer.brief(item)
    ids = [a.id for a in articles]
    with statements(any_store) as seen:
        found = any_store.get_briefs(
            ids, engine=engine.name, model=engine.model, prompt_version=engine.prompt_version
        )
    assert len([s for s in seen if "FROM briefs" in s]) == 2  # BATCH + 20 ids: two batches
    assert set(found) == set(ids[:-5])
    for article_id in (ids[0], ids[BATCH + 10]):
        single = any_store.get_brief(
            article_id=article_id,
            engine=engine.name,
            model=engine.model,
            prompt_version=engine.prompt_version,
        )
        assert single is not None and found[article_id].model_dump() == single.model_dump()
    other = any_store.get_briefs(
        ids, engine=engine.name, model="another", prompt_version=engine.prompt_version
    )
    assert other == {}  # another cache key: nothing


async def test_get_articles_batches_and_keeps_order(store: Store, repo: DigestRepo) -> None:
    articles = many(BATCH + 3)
    for item in articles:
        store.save_article(item)
    wanted = [a.id for a in reversed(articles)]
    with statements(store) as seen:
        got = repo.get_articles(wanted)
    assert [a.id for a in got] == wanted
    assert len([s for s in seen if "FROM articles" in s]) == 2
    with pytest.raises(NotFoundError, match="no article with id nope"):
        repo.get_articles([wanted[0], "nope"])


async def test_story_briefs_round_trip_in_batches(any_store: Store) -> None:
    stories = StoryStore(any_store)
    brief = Brief.model_validate({"headline": "H", "summary": "S", "meta": {"engine": "counting"}})
    stories.put_story_briefs(
        {f"k{i}": brief.model_copy(update={"headline": f"H{i}"}) for i in range(BATCH + 1)}
    )
    stories.put_story_briefs({"k0": brief})  # a stored key keeps its first brief
    with statements(any_store) as seen:
        found = stories.get_story_briefs([f"k{i}" for i in range(BATCH + 1)] + ["absent"])
    assert len(seen) == 2
    assert (
        len(found) == BATCH + 1
        and found["k0"].headline == "H0"
        and found[f"k{BATCH}"].headline == f"H{BATCH}"
    )


async def test_brief_many_reports_failures_per_article(settings: Settings, store: Store) -> None:
    class Failing(CountingEngine):
        async def brief(self, item: Article, options: BriefOptions) -> Brief:
            if "fail" in item.text:
                raise BriefingError("engine refused")
            return await super().brief(item, options)

    briefer = FakeBriefer(settings, store, Failing())
    good, bad = harbor_and_tram()[0], article("x", "x", "This one will fail.", "Somewhere")
    results = await briefer.brief_many([good, bad, good])
    assert isinstance(results[good.id], Brief) and not results[good.id].meta.cached
    assert isinstance(results[bad.id], BriefingError)
    again = await briefer.brief_many([good])
    assert again[good.id].meta.cached  # type: ignore[union-attr]
    assert briefer.fake.brief_calls == 1


async def test_cached_rebuild_costs_a_few_queries_not_one_per_article(
    builder: DigestBuilder, repo: DigestRepo, engine: CountingEngine
) -> None:
    spec = BuildSpec(articles=many(1200), title="Big", max_stories=100)
    first = await builder.build(spec, now=DAY1)
    assert first.stats.merges > 0
    with statements(repo.store) as seen:
        second = await builder.build(spec, now=DAY1)
    assert second.stats.briefs_cached == 1200 and second.stats.merges_cached == first.stats.merges
    assert [s.key for s in second.stories] == [s.key for s in first.stories]
    # 1,200 briefs in 3 batches + the merged stories in 1 (one per article would be 1,200+)
    assert len(seen) <= 6, seen


async def test_top_stories_merge_only_what_can_rank_and_match_merging_all(
    builder: DigestBuilder, engine: CountingEngine
) -> None:
    articles = many(1200, stories=200, outlets=True)
    everything = await builder.build(BuildSpec(articles=articles, title="All", max_stories=500), now=DAY1)
    merged_all = engine.merge_calls
    assert merged_all == everything.stats.merges > 20
    fresh = CountingEngine()
    lazy = DigestBuilder(
        builder.settings, builder.repo, briefer=FakeBriefer(builder.settings, builder.repo.store, fresh)
    )
    with builder.repo.store.connection() as connection:  # one database: forget the merges made above
        connection.exec_driver_sql("DELETE FROM story_briefs")
    top = await lazy.build(BuildSpec(articles=articles, title="Top", max_stories=5), now=DAY1)
    assert [(s.key, s.score) for s in top.stories] == [(s.key, s.score) for s in everything.stories[:5]]
    assert [s.brief.headline for s in top.stories] == [s.brief.headline for s in everything.stories[:5]]
    assert 5 <= fresh.merge_calls < merged_all // 2  # the rest could not rank, so were never merged
