"""Stories assigned right after a job briefs an article (briefing/digests/stories.py, `StoryFeed`):
through the running service on SQLite and PostgreSQL, and the feed's batching, filtering and
failure handling with a recording assigner."""

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
from briefing.models import Brief, BriefMeta
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


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_notes_in_a_burst_make_one_pass_and_passes_keep_their_interval() -> None:
    assigner = RecordingAssigner()
    feed = StoryFeed(assigner, delay=0.05, interval=0.5)  # type: ignore[arg-type]
    stop = asyncio.Event()
    runner = asyncio.create_task(feed.run(stop))
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
    runner = asyncio.create_task(feed.run(stop))
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
    runner = asyncio.create_task(feed.run(stop))
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


async def test_the_feed_stops_while_idle() -> None:
    feed = StoryFeed(RecordingAssigner())  # type: ignore[arg-type]
    stop = asyncio.Event()
    runner = asyncio.create_task(feed.run(stop))
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


def test_articles_briefed_by_the_service_get_stories_without_a_digest(service_settings: Settings) -> None:
    from api.main import create_app

    articles, gold = _two_stories()
    with TestClient(create_app(service_settings)) as client:
        for article in articles:
            body = {
                "text": article.text,
                "title": article.title,
                "source": article.source,
                "published_at": article.published_at.isoformat(),
            }
            response = client.post("/v1/briefs?wait=false", json=body)
            assert response.status_code == 202, response.text
        store = open_store(service_settings)
        try:
            index = StoryIndex(store)
            deadline = time.monotonic() + 30
            while len(stored := index.stories_of(list(gold))) < len(gold):
                assert time.monotonic() < deadline, f"only {len(stored)} of {len(gold)} assigned"
                time.sleep(0.05)
        finally:
            store.close()
    by_gold: dict[str, set[str]] = {}
    for article_id, story in gold.items():
        by_gold.setdefault(story, set()).add(stored[article_id])
    assert all(len(ids) == 1 for ids in by_gold.values())  # one story per gold story …
    assert len({next(iter(ids)) for ids in by_gold.values()}) == 2  # … and the two stay apart
