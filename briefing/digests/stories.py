"""Stories assigned as articles arrive, so a digest reads ready stories instead of clustering its day.

`StoryAssigner.assign_pending` puts every article that is in no story yet into one: the stored
stories of the articles around them (`horizon_hours` either side) seed the same average linkage
the batch clustering uses, a pending article joins a stored story or forms a new one with other
pending articles, and two stored stories are never merged. Stories therefore carry over across
days: an article of today that follows yesterday's story gets that story's id, which continuity
uses to link the two digests' stories. When every article is pending at once (a fresh index, or
`recluster` of a window with nothing stored around it) the stories are exactly `cluster`'s.

Actors come from the briefs of the server's default engine, as in a digest built with it; an
article with no such brief yet stays pending until it has one. Assignment runs under the index's
lock (see briefing/store/story_index.py), so processes storing articles at once never make two
stories of one pair.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from briefing.config import Settings
from briefing.digests.cluster import ClusterItem, ClusterParams, cluster_into
from briefing.errors import InputError
from briefing.models import Article, Brief
from briefing.queue.base import wait_any
from briefing.store import Store
from briefing.store.story_index import StoryIndex

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # the pipeline imports the digest package; only the type is needed here
    from briefing.pipeline import Briefer


@dataclass(frozen=True)
class Assignment:
    """What one assignment did: articles put in stories, and how many stories they made or joined."""

    assigned: int
    new_stories: int
    joined_stories: int
    waiting: int  # pending articles with no brief yet


def cluster_item(article: Article, brief: Brief) -> ClusterItem:
    """The clustering input of an article, the same in a digest build and in story assignment."""
    return ClusterItem(
        id=article.id,
        title=article.title or brief.headline,
        text=article.text,
        published_at=article.published_at,
        actors=tuple(name for actor in brief.actors for name in [actor.name, *actor.aliases]),
    )


class StoryAssigner:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        engine: tuple[str, str | None, str | None] | None = None,
        briefer: Briefer | None = None,
        params: ClusterParams | None = None,
        horizon_hours: float = 96.0,
    ) -> None:
        """`engine` is the (name, model, prompt_version) whose briefs give the actors; by default
        the server's default engine, taken from the process's `briefer` when one is given (so no
        second engine is built), else from a Briefer of its own (the CLI)."""
        self.settings = settings
        self.store = store
        self.index = StoryIndex(store)
        self.params = params or ClusterParams(threshold=settings.digest_cluster_threshold)
        self.horizon = timedelta(hours=horizon_hours)
        self._engine = engine
        self._briefer = briefer

    @property
    def engine_key(self) -> tuple[str, str | None, str | None]:
        if self._engine is None:
            from briefing.pipeline import Briefer

            engine = (self._briefer or Briefer(self.settings, self.store)).engine()
            self._engine = (engine.name, engine.model, engine.prompt_version)
        return self._engine

    def _items(self, article_ids: Sequence[str]) -> dict[str, ClusterItem]:
        name, model, prompt_version = self.engine_key
        articles = self.store.get_articles(article_ids)
        briefs = self.store.get_briefs(
            list(articles), engine=name, model=model, prompt_version=prompt_version
        )
        return {aid: cluster_item(articles[aid], briefs[aid]) for aid in articles if aid in briefs}

    def assign_pending(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        article_ids: Sequence[str] | None = None,
    ) -> Assignment:
        """Put the articles that are in no story (in [since, until), of `article_ids`, if given)
        into stories."""
        with self.index.locked() as connection:
            return self._assign(connection, since, until, article_ids)

    def _assign(
        self,
        connection: Connection,
        since: datetime | None,
        until: datetime | None,
        article_ids: Sequence[str] | None = None,
    ) -> Assignment:
        pending = self.index.pending(connection, since=since, until=until, article_ids=article_ids)
        if not pending:
            return Assignment(0, 0, 0, 0)
        times = dict(pending)
        items = self._items(list(times))
        waiting = len(times) - len(items)
        if not items:
            return Assignment(0, 0, 0, waiting)
        earliest, latest = min(times.values()), max(times.values())
        stored = self.index.members_between(connection, earliest - self.horizon, latest + self.horizon)
        items.update(self._items([aid for aid in stored if aid not in items]))
        stored = {aid: sid for aid, sid in stored.items() if aid in items}
        stories = cluster_into(list(items.values()), stored, self.params)
        new = {aid: stories[aid] for aid in items if aid not in stored}
        self.index.add(connection, new, times)
        known = set(stored.values())
        made = {sid for sid in new.values() if sid not in known}
        joined = {sid for sid in new.values() if sid in known}
        return Assignment(len(new), len(made), len(joined), waiting)

    def recluster(self, since: datetime, until: datetime) -> Assignment:
        """Forget the stories of the articles in [since, until) and assign them again (the stories
        around the window stay as they are)."""
        if since >= until:
            raise InputError("--since must be before --until")
        with self.index.locked() as connection:  # one lock: no assigner sees the window half done
            self.index.forget(connection, since, until)
            return self._assign(connection, since, until)


class StoryFeed:
    """Assign articles to stories in the background, right after they arrive.

    A job that stores a brief of the default engine calls `note`; an article stored without a
    brief (a feed entry, `POST /v1/articles`) is noted with `note_stored` and, with a `briefer`
    (`BRIEFING_BRIEF_ON_ARRIVAL`, on by default), briefed with the default engine first, since
    the actors a story is made from come from its brief. `run` (a task of each process that runs
    brief jobs) then assigns the noted articles in one pass. A pass reads the stored stories of the
    whole 96-hour horizon, so notes are gathered for `delay` seconds and passes are at least
    `interval` seconds apart: a burst of a thousand articles costs a few passes, not a thousand.
    Nothing is lost if the process stops first: the articles stay pending in the database and the
    next digest that contains them (or `briefing stories assign`) briefs and assigns them.
    """

    def __init__(
        self,
        assigner: StoryAssigner,
        *,
        briefer: Briefer | None = None,
        delay: float = 1.0,
        interval: float = 30.0,
        concurrency: int = 4,
    ) -> None:
        self.assigner = assigner
        self.briefer = briefer
        self.delay = delay
        self.interval = interval
        self.concurrency = concurrency
        self.passes = 0
        self.running = False  # notes are taken only while `run` runs (an API without a worker has none)
        self._noted: set[str] = set()
        self._unbriefed: set[str] = set()
        self._wake = asyncio.Event()

    def note_stored(self, article_id: str) -> None:
        """An article stored without a brief: briefed and assigned in the next pass (with a briefer)."""
        if self.briefer is None or not self.running:
            return  # it waits for a brief (a job or a digest), as BRIEFING_BRIEF_ON_ARRIVAL=false asks
        self._unbriefed.add(article_id)
        self._wake.set()

    def note(self, article_id: str, brief: Brief) -> None:
        """Queue the article for the next pass if `brief` is one the stories are made from."""
        if not self.running:
            return
        meta = brief.meta
        if (meta.engine, meta.model, meta.prompt_version) != self.assigner.engine_key:
            return  # another engine's brief: the article waits for one of the default engine
        self._noted.add(article_id)
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Assign what was noted, pass after pass, until `stop` is set (or this is cancelled)."""
        self.running = True
        try:
            await self._passes(stop)
        finally:
            self.running = False
            self._noted, self._unbriefed = set(), set()  # pending in the database; assigned later

    async def _passes(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        last = -math.inf
        while not stop.is_set():
            await wait_any(self._wake, stop)
            if stop.is_set():
                return
            await asyncio.sleep(max(self.delay, last + self.interval - loop.time()))
            self._wake.clear()
            ids, self._noted = self._noted, set()
            unbriefed, self._unbriefed = sorted(self._unbriefed - ids), set()
            last = loop.time()
            ids = sorted(ids | set(await self._brief(unbriefed)))
            if not ids:
                continue
            try:
                done = await asyncio.to_thread(self.assigner.assign_pending, article_ids=ids)
            except Exception:  # the articles stay pending: a digest or a later pass assigns them
                log.warning("assigning %d articles to stories failed", len(ids), exc_info=True)
                continue
            self.passes += 1
            log.info(
                "stories: %d articles assigned (%d new stories, %d continued)",
                done.assigned,
                done.new_stories,
                done.joined_stories,
            )

    async def _brief(self, article_ids: list[str]) -> list[str]:
        """Brief (and so store briefs of) the articles with the default engine; the ids briefed.
        A stored brief is reused (the Briefer's cache), and one failure skips only its article."""
        if not article_ids or self.briefer is None:
            return []
        briefer = self.briefer
        articles = await asyncio.to_thread(self.assigner.store.get_articles, article_ids)
        slots = asyncio.Semaphore(max(1, self.concurrency))

        async def brief(article: Article) -> str | None:
            async with slots:
                try:
                    await briefer.brief(article)
                except Exception as error:  # the article stays pending: a digest briefs it later
                    log.warning("article %s: briefing it on arrival failed: %s", article.id, error)
                    return None
            return article.id

        done = await asyncio.gather(*(brief(article) for article in articles.values()))
        return [article_id for article_id in done if article_id is not None]
