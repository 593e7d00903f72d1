"""Stories assigned right after articles arrive (briefing/digests/stories.py, `StoryFeed`): briefed
by a job, or stored without a brief and briefed on arrival; through the running service on SQLite
and PostgreSQL, and the feed's batching, filtering and failure handling with recording fakes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from briefing.config import Settings
from briefing.digests.stories import Assignment, StoryFeed
from briefing.models import Article, Brief, BriefMeta
from briefing.store import open_store
from briefing.store.story_index import StoryIndex
from tests.conftest import postgres_schema
from tests.digests.test_digests_stories import labelled

DEFAULT = ("offline", None, "v1")


def _brief(engine: tuple[str, str | None, str | None] = DEFAULT) -> Brief:
    name, model, prompt_version = engine
    return Brief(
        headline="h", summary="s", meta=BriefMeta(engine=name, model=model, prompt_version=prompt_version)
    )


class RecordingAssigner:
    """Records each pass's article ids (and when it ran); fails the passes listed in `fail`."""

    engine_key = DEFAULT

    def __init__(self, fail: set[int] | None = None) -> None:
        self.calls: list[tuple[float, list[str]]] = []
        self.fail = fail or set()

    def assign_pending(self, *, article_ids: list[str]) -> Assignment:
        self.calls.append((time.monotonic(), list(article_ids)))
        if len(self.calls) - 1 in self.fail:
            raise RuntimeError("database away")
        return Assignment(len(article_ids), 1, 0, 0)


class RecordingBriefer:
    """Records the articles it briefs; fails for the ids in `fail`."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.briefed: list[str] = []
        self.fail = fail or set()

    async def brief(self, article: Article) -> Brief:
        self.briefed.append(article.id)
        if article.id in self.fail:
            raise RuntimeError("LLM away")
        return _brief()


class ArticlesStore:
    def __init__(self, *articles: Article) -> None:
        self.articles = {article.id: article for article in articles}

    def get_articles(self, ids: list[str]) -> dict[str, Article]:
        return {article_id: self.articles[article_id] for article_id in ids if article_id in self.articles}


async def _started(feed: StoryFeed, stop: asyncio.Event) -> asyncio.Task[None]:
    runner = asyncio.create_task(feed.run(stop))
    await _until(lambda: feed.running)
    return runner


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_notes_in_a_burst_make_one_pass_and_passes_keep_their_interval() -> None:
    assigner = RecordingAssigner()
    feed = StoryFeed(assigner, delay=0.05, interval=0.5)  # type: ignore[arg-type]
    stop = asyncio.Event()
    runner = await _started(feed, stop)
    for article_id in ("c", "a", "b"):
        feed.note(article_id, _brief())
    await _until(lambda: len(assigner.calls) == 1)
    assert assigner.calls[0][1] == ["a", "b", "c"]
    feed.note("d", _brief())
    feed.note("d", _brief())  # noted twice, assigned once
    await _until(lambda: len(assigner.calls) == 2)
    assert assigner.calls[1][1] == ["d"]
    assert assigner.calls[1][0] - assigner.calls[0][0] >= 0.45  # not sooner than the interval
    stop.set()
    await asyncio.wait_for(runner, 2)
    assert feed.passes == 2


async def test_briefs_of_another_engine_are_not_noted() -> None:
    assigner = RecordingAssigner()
    feed = StoryFeed(assigner, delay=0.01, interval=0)  # type: ignore[arg-type]
    stop = asyncio.Event()
    runner = await _started(feed, stop)
    feed.note("other-engine", _brief(("lead", None, "v1")))
    feed.note("other-prompt", _brief(("offline", None, "v0")))
    feed.note("other-model", _brief(("offline", "gpt", "v1")))
    feed.note("default", _brief())
    await _until(lambda: len(assigner.calls) == 1)
    await asyncio.sleep(0.05)
    assert [ids for _, ids in assigner.calls] == [["default"]]
    stop.set()
    await asyncio.wait_for(runner, 2)


async def test_a_failed_pass_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    assigner = RecordingAssigner(fail={0})
    feed = StoryFeed(assigner, delay=0.01, interval=0)  # type: ignore[arg-type]
    stop = asyncio.Event()
    runner = await _started(feed, stop)
    with caplog.at_level(logging.WARNING, logger="briefing.digests.stories"):
        feed.note("a", _brief())
        await _until(lambda: len(assigner.calls) == 1)
        feed.note("b", _brief())
        await _until(lambda: len(assigner.calls) == 2)
    assert [ids for _, ids in assigner.calls] == [["a"], ["b"]]
    assert "assigning 1 articles to stories failed" in caplog.text
    assert feed.passes == 1  # only the pass that worked counts
    stop.set()
    await asyncio.wait_for(runner, 2)
    assert runner.result() is None


async def test_nothing_is_noted_while_no_feed_runs() -> None:
    """An API process without a worker has a feed that never runs: it must not keep notes."""
    assigner = RecordingAssigner()
    feed = StoryFeed(assigner, briefer=RecordingBriefer(), delay=0.01, interval=0)  # type: ignore[arg-type]
    feed.note("early", _brief())
    feed.note_stored("early-article")
    stop = asyncio.Event()
    runner = await _started(feed, stop)
    await asyncio.sleep(0.1)
    assert assigner.calls == []
    stop.set()
    await asyncio.wait_for(runner, 2)
    assert not feed.running


async def test_articles_stored_without_a_brief_are_briefed_then_assigned() -> None:
    a, b, c = (Article(text=f"Article {name} of the day.") for name in "abc")
    assigner = RecordingAssigner()
    assigner.store = ArticlesStore(a, b, c)  # type: ignore[attr-defined]
    briefer = RecordingBriefer(fail={b.id})
    feed = StoryFeed(assigner, briefer=briefer, delay=0.02, interval=0)  # type: ignore[arg-type]
    stop = asyncio.Event()
    runner = await _started(feed, stop)
    feed.note_stored(a.id)
    feed.note_stored(b.id)
    feed.note("briefed-by-a-job", _brief())
    await _until(lambda: len(assigner.calls) == 1)
    assert sorted(briefer.briefed) == sorted([a.id, b.id])
    # the one whose briefing failed stays pending; the other and the job's article are assigned
    assert assigner.calls[0][1] == sorted([a.id, "briefed-by-a-job"])
    feed.note_stored(c.id)
    await _until(lambda: len(assigner.calls) == 2)
    assert assigner.calls[1][1] == [c.id]
    stop.set()
    await asyncio.wait_for(runner, 2)


async def test_without_a_briefer_stored_articles_wait_for_a_brief() -> None:
    assigner = RecordingAssigner()
    feed = StoryFeed(assigner, delay=0.01, interval=0)  # type: ignore[arg-type]
    stop = asyncio.Event()
    runner = await _started(feed, stop)
    feed.note_stored("unbriefed")
    feed.note("briefed", _brief())
    await _until(lambda: len(assigner.calls) == 1)
    await asyncio.sleep(0.05)
    assert [ids for _, ids in assigner.calls] == [["briefed"]]
    stop.set()
    await asyncio.wait_for(runner, 2)


async def test_the_feed_stops_while_idle() -> None:
    feed = StoryFeed(RecordingAssigner())  # type: ignore[arg-type]
    stop = asyncio.Event()
    runner = await _started(feed, stop)
    await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(runner, 2)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service_settings(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    if request.param == "sqlite":
        yield settings
        return
    with postgres_schema("sf") as url:
        yield settings.model_copy(update={"database_url": url})


def _two_stories(count: int = 2) -> tuple[list[Any], dict[str, str]]:
    """`count` articles of each of the labelled set's first two stories."""
    articles, gold = labelled()
    chosen: dict[str, list[Any]] = {}
    for article in articles:
        story = gold[article.id]
        if story in chosen or len(chosen) < 2:
            chosen.setdefault(story, [])
            if len(chosen[story]) < count:
                chosen[story].append(article)
    picked = [article for members in chosen.values() for article in members]
    return picked, {article.id: gold[article.id] for article in picked}


def _post_all(client: TestClient, path: str, articles: list[Any]) -> None:
    for article in articles:
        body = {
            "text": article.text,
            "title": article.title,
            "source": article.source,
            "published_at": article.published_at.isoformat(),
        }
        response = client.post(path, json=body)
        assert response.status_code in (201, 202), response.text


def _stories_of(settings: Settings, ids: list[str], *, wait: float) -> dict[str, str]:
    """The stories of `ids` once all are assigned, or what is assigned after `wait` seconds."""
    store = open_store(settings)
    try:
        index = StoryIndex(store)
        deadline = time.monotonic() + wait
        while len(stored := index.stories_of(ids)) < len(ids) and time.monotonic() < deadline:
            time.sleep(0.05)
        return stored
    finally:
        store.close()


@pytest.mark.parametrize("path", ["/v1/briefs?wait=false", "/v1/articles"])
def test_articles_arriving_at_the_service_get_stories_without_a_digest(
    service_settings: Settings, path: str
) -> None:
    """Briefed by a job, or only stored (then briefed on arrival): either way in a story soon after."""
    from api.main import create_app

    articles, gold = _two_stories()
    with TestClient(create_app(service_settings)) as client:
        _post_all(client, path, articles)
        stored = _stories_of(service_settings, list(gold), wait=30)
    assert len(stored) == len(gold), f"only {len(stored)} of {len(gold)} assigned"
    by_gold: dict[str, set[str]] = {}
    for article_id, story in gold.items():
        by_gold.setdefault(story, set()).add(stored[article_id])
    assert all(len(ids) == 1 for ids in by_gold.values())  # one story per gold story …
    assert len({next(iter(ids)) for ids in by_gold.values()}) == 2  # … and the two stay apart


def test_stored_articles_wait_for_a_brief_when_briefing_on_arrival_is_off(settings: Settings) -> None:
    from api.main import create_app

    articles, gold = _two_stories()
    off = settings.model_copy(update={"brief_on_arrival": False})
    with TestClient(create_app(off)) as client:
        _post_all(client, "/v1/articles", articles)
        # longer than the feed's 1 s gathering delay: a pass would have run by now
        assert _stories_of(off, list(gold), wait=2.5) == {}
        brief = client.get(f"/v1/articles/{articles[0].id}")
        assert brief.status_code == 200
