"""RSS/Atom feeds: polled on their own interval with conditional GET, each new entry's page fetched
and its text extracted (`briefing.fetch`), stored once by URL and once by content hash.

A failing feed (down, malformed, too big, too slow) is recorded on its row and reported by the
next digest run; it never stops the other feeds or the run. An entry whose page fetch fails is
recorded too and retried with capped backoff until it is stored or its attempts
(`feed_entry_max_attempts`) run out; a permanent error (a refused address, a link that is not
http(s), a 4xx other than 408/429) fails it at once. Each retry is a task (`ENTRY_TASK`) of the
database's queue (the embedded one on SQLite, procrastinate on PostgreSQL), queued once per entry
and run again after the backoff (`briefing.digests.tasks`); a poll queues any due entry that has no
task waiting. The SQL is in `briefing.store.feeds`; a poll runs every store call in a worker
thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import httpx

from briefing.config import Settings
from briefing.digests.tables import FeedEntryRow
from briefing.digests.urls import check_scheme
from briefing.errors import BriefingError, ConflictError, InputError, UpstreamError
from briefing.fetch import afetch_url, get_checked, is_permanent
from briefing.models import Article, usable_date
from briefing.store import Store, worklocks
from briefing.store import feeds as rows
from briefing.store.feeds import FailingEntry, Feed
from briefing.store.tables import utcnow

__all__ = ["ENTRY_TASK", "FailingEntry", "Feed", "FeedPoller", "PollResult"]


@dataclass
class PollResult:
    feed_id: int
    url: str
    status: str  # ok | not-modified | error | busy (another poll of the feed is running)
    new_articles: list[str] = field(default_factory=list)
    duplicates: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)


ENTRY_TASK = "briefing.feeds.entry"
MAX_POLL_MINUTES = 60 * 24 * 365  # a feed's interval: 1 minute to a year
ENTRY_QUEUE = "digests"


def _published(entry: Any) -> datetime | None:
    """The entry's date, or None when it has none a digest could use (year 1, 9999, unparsable)."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        return usable_date(datetime(*parsed[:6], tzinfo=UTC)) if parsed else None
    except (ValueError, TypeError, OverflowError):
        return None


def _not_a_feed(body: bytes, headers: httpx.Headers) -> str:
    """Why a well-formed answer with no feed in it (an HTML page, an empty body) is no feed:
    feedparser reports neither an error nor a version for it, and it must not pass as `ok`."""
    if not body.strip():
        return "not an RSS or Atom feed: the answer was empty"
    kind = headers.get("content-type", "").split(";")[0].strip()
    return f"not an RSS or Atom feed: the answer was {kind}" if kind else "not an RSS or Atom feed"


class FeedPoller:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        # Told of every new article (the runtime's story feed briefs it and assigns its story).
        self.on_stored: Callable[[str], None] | None = None

    # --- feed CRUD -------------------------------------------------------------------------------
    def add_feed(
        self,
        url: str,
        *,
        title: str | None = None,
        source: str | None = None,
        tags: list[str] | None = None,
        poll_minutes: int | None = None,
    ) -> Feed:
        """Subscribe to `url`, polled every `poll_minutes` (None: the default interval); a URL that
        is not http(s) or an interval outside 1 minute to a year is an InputError for every caller."""
        url = check_scheme(url, field="url")
        if poll_minutes is not None and not 1 <= poll_minutes <= MAX_POLL_MINUTES:
            raise InputError(
                f"poll_minutes: {poll_minutes} is not between 1 and {MAX_POLL_MINUTES} (a year)",
                field="poll_minutes",
            )
        return rows.add_feed(
            self.store,
            url,
            title=title,
            source=source,
            tags=tags or [],
            poll_minutes=self.settings.feed_poll_minutes if poll_minutes is None else poll_minutes,
        )

    def list_feeds(self, *, limit: int | None = None, offset: int = 0) -> list[Feed]:
        """By id, each with its failing entries; `limit=None` is every feed (the poller)."""
        return rows.list_feeds(self.store, limit=limit, offset=offset)

    def get_feed(self, feed_id: int) -> Feed:
        return rows.get_feed(self.store, feed_id)

    def delete_feed(self, feed_id: int) -> None:
        """Unsubscribe: the feed and its entries' retries go, its stored articles stay. Under the
        feed's poll lock, so a poll in progress is never cut off halfway (that is a 409 to retry)."""
        with worklocks.try_hold(self.store, f"poll:feed:{feed_id}") as held:
            if not held:
                raise ConflictError(f"feed {feed_id} is being polled right now; delete it again in a moment")
            rows.delete_feed(self.store, feed_id)

    def entry_backoff(self, attempt: int) -> timedelta:
        """Delay after an entry's `attempt`-th failed fetch: base · 2^(attempt-1), capped."""
        base, cap = self.settings.feed_entry_backoff_base, self.settings.feed_entry_backoff_max
        return timedelta(seconds=min(cap, base * 2 ** (attempt - 1)))

    # --- polling ---------------------------------------------------------------------------------
    async def poll_due(self, now: datetime | None = None) -> list[PollResult]:
        """Poll every feed whose interval has passed; one feed's failure does not affect the others."""
        now = now or datetime.now(UTC)
        results = []
        for feed in await asyncio.to_thread(self.list_feeds):
            due = (
                feed.last_polled_at is None
                or feed.last_polled_at + timedelta(minutes=feed.poll_minutes) <= now
            )
            if due:
                results.append(await self.poll(feed.id, now=now))
        return results

    async def poll(self, feed_id: int, *, now: datetime | None = None) -> PollResult:
        """Poll one feed now, holding its poll lock; a feed another process (or task) is polling
        right now is left to it: status `busy`, nothing fetched or recorded."""
        now = now or datetime.now(UTC)
        stack = contextlib.ExitStack()
        lock = worklocks.try_hold(self.store, f"poll:feed:{feed_id}")
        held = await asyncio.to_thread(stack.enter_context, lock)
        try:
            # Read after taking the lock: a poll that just ended may have left new validators.
            feed, etag, modified = await asyncio.to_thread(rows.feed_for_poll, self.store, feed_id)
            if not held:
                message = "another poll of this feed is running; it stores what is new"
                return PollResult(feed.id, feed.url, "busy", errors=[message])
            return await self._poll_held(feed, etag, modified, now)
        finally:
            await asyncio.to_thread(stack.close)

    async def _poll_held(
        self, feed: Feed, etag: str | None, modified: str | None, now: datetime
    ) -> PollResult:
        result = PollResult(feed.id, feed.url, "ok")
        headers: dict[str, str] = {}
        try:
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
            status, body, response_headers = await self._get(feed.url, headers)
            if status == 304:
                result.status = "not-modified"
            else:
                # in a worker thread: parsing a large or hostile feed takes seconds of CPU, which
                # on the event loop would stall every request and the scheduler meanwhile
                parsed = await asyncio.to_thread(feedparser.parse, body)
                # a cut-off feed ('<item><title>x</ti') parses to entries with no link: none usable
                if parsed.bozo and not any(entry.get("link") for entry in parsed.entries):
                    raise UpstreamError(
                        f"malformed feed: {parsed.get('bozo_exception') or 'not RSS or Atom'}"
                    )
                if not parsed.get("version") and not parsed.entries:
                    raise UpstreamError(_not_a_feed(body, response_headers))
                etag, modified = response_headers.get("etag"), response_headers.get("last-modified")
                await self._entries(feed, parsed.entries[: self.settings.feed_max_entries], result, now)
                if not feed.title and parsed.feed.get("title"):
                    feed.title = parsed.feed.get("title")
        except BriefingError as error:
            result.status = "error"
            result.errors.insert(0, str(error))
        await self._retry_entries(feed, now, result)  # whatever the feed answered, even 304 or an error
        await asyncio.to_thread(
            rows.record_poll,
            self.store,
            feed.id,
            now=now,
            status=result.status,
            error=result.errors[0] if result.status == "error" else None,
            etag=etag,
            modified=modified,
            title=feed.title,
        )
        return result

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[int, bytes, httpx.Headers]:
        """GET through the one safe fetch (`get_checked`: every redirect hop checked, a size cap and
        one deadline for all of it); a 304 keeps the copy the poller has."""
        check_scheme(url, field="feed url")
        fetched = await get_checked(url, self.settings, field="feed url", what="the feed", headers=headers)
        if fetched.status == 304:
            return 304, b"", fetched.headers
        if fetched.status >= 300:
            raise UpstreamError(f"feed answered HTTP {fetched.status}")
        return fetched.status, fetched.body, fetched.headers

    async def _entries(self, feed: Feed, entries: list[Any], result: PollResult, now: datetime) -> None:
        links = [entry.get("link") for entry in entries if entry.get("link")]
        known = await asyncio.to_thread(rows.known_entry_urls, self.store, links)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.feed_poll_budget
        for entry in entries:
            link = entry.get("link")
            if not link or link in known:
                continue  # stored already, or failing and retried on its own backoff
            known.add(link)
            title, published = entry.get("title"), _published(entry)
            try:
                if loop.time() >= deadline:  # recorded as a retry, so a 304 next time loses nothing
                    budget = self.settings.feed_poll_budget
                    raise UpstreamError(f"not fetched: the poll spent its {budget:g} s on other entries")
                page = await afetch_url(link, self.settings)
            except BriefingError as error:
                result.errors.append(f"{link}: {error}")
                failure = self._failure(0, error, now)
                row = await asyncio.to_thread(
                    rows.add_entry,
                    self.store,
                    feed_id=feed.id,
                    url=link,
                    title=title,
                    published_at=published,
                    **failure,
                )
                if row is not None and row.status == "retrying":  # None: another poll has it
                    await asyncio.to_thread(self._queue_retry, row.id, row.next_attempt_at)
                continue
            article_id = await self._store_article(feed, link, title, published, page, result)
            await asyncio.to_thread(
                rows.add_entry,
                self.store,
                feed_id=feed.id,
                url=link,
                title=title,
                published_at=published,
                content_hash=article_id,
                article_id=article_id,
                status="ok",
                created_at=utcnow(),
            )
            await asyncio.sleep(0)

    def _failure(self, attempts: int, error: BriefingError, now: datetime) -> dict[str, Any]:
        """An entry's values after one more failed page fetch: retried later unless the error is
        permanent or its attempts are used up."""
        attempts += 1
        values: dict[str, Any] = {"attempts": attempts, "error": str(error)}
        if is_permanent(error) or attempts >= self.settings.feed_entry_max_attempts:
            return {**values, "status": "failed", "next_attempt_at": None}
        return {**values, "status": "retrying", "next_attempt_at": now + self.entry_backoff(attempts)}

    def _queue_retry(self, entry_id: int, at: datetime | None) -> bool:
        """Queue the entry's next fetch for `at`, once (a waiting one is kept)."""
        from briefing.queue import defer_once

        return defer_once(
            self.settings,
            self.store,
            ENTRY_TASK,
            {"entry_id": entry_id},
            queue=ENTRY_QUEUE,
            lock=f"entry:{entry_id}",
            at=at,
        )

    async def _retry_entries(self, feed: Feed, now: datetime, result: PollResult) -> None:
        """Queue the feed's failed entries whose backoff has passed and that have no task waiting
        (e.g. when queueing one failed); `retried` counts those queued now."""
        due = await asyncio.to_thread(
            rows.due_entries, self.store, feed.id, now, limit=self.settings.feed_max_entries
        )
        for entry in due:
            if await asyncio.to_thread(self._queue_retry, entry.id, None):
                result.retried += 1

    async def retry_entry(self, entry_id: int, now: datetime | None = None) -> FailingEntry | None:
        """One more page fetch of a failing entry, if it is due (the entry task on procrastinate);
        the entry as it stands afterwards, None when it was stored (or is gone, or not due)."""
        now = now or datetime.now(UTC)
        found = await asyncio.to_thread(rows.retrying_entry, self.store, entry_id)
        if found is None:
            return None
        entry, feed = found
        if entry.next_attempt_at is not None and entry.next_attempt_at > now + timedelta(seconds=1):
            return await asyncio.to_thread(rows.failing_entry, self.store, entry_id)  # not due yet
        await self._retry_one(feed, entry, now, PollResult(feed.id, feed.url, "ok"))
        return await asyncio.to_thread(rows.failing_entry, self.store, entry_id)

    async def _retry_one(self, feed: Feed, entry: FeedEntryRow, now: datetime, result: PollResult) -> None:
        try:
            page = await afetch_url(entry.url, self.settings)
        except BriefingError as error:
            result.errors.append(f"{entry.url}: {error} (attempt {entry.attempts + 1})")
            failure = self._failure(entry.attempts, error, now)
            await asyncio.to_thread(rows.update_entry, self.store, entry.id, **failure)
            return
        article_id = await self._store_article(feed, entry.url, entry.title, entry.published_at, page, result)
        await asyncio.to_thread(
            rows.update_entry,
            self.store,
            entry.id,
            status="ok",
            error=None,
            next_attempt_at=None,
            attempts=entry.attempts + 1,
            content_hash=article_id,
            article_id=article_id,
        )

    async def _store_article(
        self,
        feed: Feed,
        link: str,
        title: str | None,
        published: datetime | None,
        page: Any,
        result: PollResult,
    ) -> str:
        """Save the entry's article unless the same text came from another entry; its content hash."""
        article = Article(
            text=page.text,
            title=title or page.title,
            source=feed.source or feed.title,
            url=link,
            published_at=published,
        )
        if not await asyncio.to_thread(rows.is_duplicate, self.store, article.id, link):
            await asyncio.to_thread(self.store.save_article, article)
            result.new_articles.append(article.id)
            if self.on_stored is not None:
                self.on_stored(article.id)
        else:
            result.duplicates += 1
        return article.id
