"""RSS/Atom feeds: polled on their own interval with conditional GET, each new entry's page fetched
and its text extracted (`briefing.fetch`), stored once by URL and once by content hash.

A failing feed (down, malformed, too big, too slow) is recorded on its row and reported by the
next digest run; it never stops the other feeds or the run. An entry whose page fetch fails is
recorded too and retried with capped backoff until it is stored or its attempts
(`feed_entry_max_attempts`) run out; a permanent error (a refused address, a 4xx other than
408/429) fails it at once. On the embedded queue (SQLite) the retries run in later polls — also
when the feed answers 304, which is the usual case, since the entry is still in the unchanged
feed; on procrastinate (PostgreSQL) each retry is a task (`ENTRY_TASK`) that the queue's retry
strategy runs again after the backoff (`briefing.digests.tasks`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import feedparser
import httpx
from pydantic import BaseModel
from sqlalchemy import and_, or_, select

from briefing.config import Settings
from briefing.digests.tables import FeedEntryRow, FeedRow
from briefing.digests.urls import check_public, check_scheme
from briefing.errors import BriefingError, ConflictError, NotFoundError, UpstreamError
from briefing.fetch import MAX_REDIRECTS, afetch_url, is_permanent
from briefing.models import Article
from briefing.store import Store
from briefing.store.tables import utcnow


class FailingEntry(BaseModel):
    """A feed entry whose page could not be fetched: `retrying` (tried again later) or `failed`."""

    url: str
    title: str | None = None
    status: str
    attempts: int
    error: str | None = None
    next_attempt_at: datetime | None = None


class Feed(BaseModel):
    id: int
    url: str
    title: str | None = None
    source: str | None = None
    tags: list[str] = []
    poll_minutes: int
    last_polled_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    failing_entries: list[FailingEntry] = []


@dataclass
class PollResult:
    feed_id: int
    url: str
    status: str  # ok | not-modified | error
    new_articles: list[str] = field(default_factory=list)
    duplicates: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)


def _failing(row: FeedEntryRow) -> FailingEntry:
    return FailingEntry(
        url=row.url,
        title=row.title,
        status=row.status,
        attempts=row.attempts,
        error=row.error,
        next_attempt_at=row.next_attempt_at,
    )


def _feed(row: FeedRow, failing: list[FailingEntry] | None = None) -> Feed:
    return Feed(
        id=row.id,
        url=row.url,
        title=row.title,
        source=row.source,
        tags=list(row.tags or []),
        poll_minutes=row.poll_minutes,
        last_polled_at=row.last_polled_at,
        last_status=row.last_status,
        last_error=row.last_error,
        failing_entries=failing or [],
    )


ENTRY_TASK = "briefing.feeds.entry"
ENTRY_QUEUE = "digests"


def _published(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else None


class FeedPoller:
    def __init__(self, settings: Settings, store: Store) -> None:
        from briefing.queue import kind_of

        self.settings = settings
        self.store = store
        # On procrastinate an entry's retries are queued tasks, not the next polls' work.
        self.queued_retries = kind_of(settings, store) == "procrastinate"

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
        url = check_scheme(url, field="url")
        with self.store.session() as session:
            if session.scalar(select(FeedRow.id).where(FeedRow.url == url)) is not None:
                raise ConflictError(f"feed url: {url} is already subscribed", field="url")
            row = FeedRow(
                url=url,
                title=title,
                source=source,
                tags=tags or [],
                poll_minutes=poll_minutes or self.settings.feed_poll_minutes,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return _feed(row)

    def list_feeds(self, *, limit: int | None = None, offset: int = 0) -> list[Feed]:
        """By id, each with its failing entries; `limit=None` is every feed (the poller)."""
        with self.store.session() as session:
            rows = list(session.scalars(select(FeedRow).order_by(FeedRow.id).limit(limit).offset(offset)))
            failing: dict[int, list[FailingEntry]] = {}
            query = (
                select(FeedEntryRow)
                .where(FeedEntryRow.status != "ok", FeedEntryRow.feed_id.in_([row.id for row in rows]))
                .order_by(FeedEntryRow.id)
            )
            for entry in session.scalars(query):
                failing.setdefault(entry.feed_id, []).append(_failing(entry))
            return [_feed(row, failing.get(row.id)) for row in rows]

    def get_feed(self, feed_id: int) -> Feed:
        with self.store.session() as session:
            row = session.get(FeedRow, feed_id)
            if row is None:
                raise NotFoundError(f"no feed with id {feed_id}")
            entries = session.scalars(
                select(FeedEntryRow)
                .where(FeedEntryRow.feed_id == feed_id, FeedEntryRow.status != "ok")
                .order_by(FeedEntryRow.id)
            )
            return _feed(row, [_failing(entry) for entry in entries])

    def entry_backoff(self, attempt: int) -> timedelta:
        """Delay after an entry's `attempt`-th failed fetch: base · 2^(attempt-1), capped."""
        base, cap = self.settings.feed_entry_backoff_base, self.settings.feed_entry_backoff_max
        return timedelta(seconds=min(cap, base * 2 ** (attempt - 1)))

    # --- polling ---------------------------------------------------------------------------------
    async def poll_due(self, now: datetime | None = None) -> list[PollResult]:
        """Poll every feed whose interval has passed; one feed's failure does not affect the others."""
        now = now or datetime.now(UTC)
        results = []
        for feed in self.list_feeds():
            due = (
                feed.last_polled_at is None
                or feed.last_polled_at + timedelta(minutes=feed.poll_minutes) <= now
            )
            if due:
                results.append(await self.poll(feed.id, now=now))
        return results

    async def poll(self, feed_id: int, *, now: datetime | None = None) -> PollResult:
        now = now or datetime.now(UTC)
        with self.store.session() as session:
            row = session.get(FeedRow, feed_id)
            if row is None:
                raise NotFoundError(f"no feed with id {feed_id}")
            feed, etag, modified = _feed(row), row.etag, row.last_modified
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
                parsed = feedparser.parse(body)
                if parsed.bozo and not parsed.entries:
                    raise UpstreamError(
                        f"malformed feed: {parsed.get('bozo_exception') or 'not RSS or Atom'}"
                    )
                etag, modified = response_headers.get("etag"), response_headers.get("last-modified")
                await self._entries(feed, parsed.entries[: self.settings.feed_max_entries], result, now)
                if not feed.title and parsed.feed.get("title"):
                    feed.title = parsed.feed.get("title")
        except BriefingError as error:
            result.status = "error"
            result.errors.insert(0, str(error))
        await self._retry_entries(feed, now, result)  # whatever the feed answered, even 304 or an error
        with self.store.session() as session:
            row = session.get(FeedRow, feed_id)
            if row is not None:
                row.last_polled_at = now
                row.last_status = result.status
                row.last_error = result.errors[0] if result.status == "error" else None
                row.etag, row.last_modified = etag, modified
                row.title = row.title or feed.title
        return result

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[int, bytes, httpx.Headers]:
        """GET with a total deadline and a size cap (a huge or endless feed is cut off, not read).

        Redirects are followed by hand so every hop passes `check_public`: a public feed must not
        be able to send the poller on to a private address."""
        deadline = time.monotonic() + self.settings.fetch_timeout
        limit = self.settings.fetch_max_bytes
        try:
            async with httpx.AsyncClient(timeout=self.settings.fetch_timeout, trust_env=False) as client:
                for _ in range(MAX_REDIRECTS + 1):
                    pinned = await check_public(url, self.settings, field="feed url")
                    hop_headers = {**headers, "Host": pinned.host_header}
                    request = client.build_request(
                        "GET", pinned.url, headers=hop_headers, extensions=pinned.extensions
                    )
                    async with contextlib.aclosing(await client.send(request, stream=True)) as response:
                        if response.is_redirect and "location" in response.headers:
                            url = urljoin(url, response.headers["location"])
                            continue
                        if response.status_code == 304:
                            return 304, b"", response.headers
                        if response.status_code >= 400:
                            raise UpstreamError(f"feed answered HTTP {response.status_code}")
                        chunks, size = [], 0
                        async for chunk in response.aiter_bytes():
                            size += len(chunk)
                            if size > limit:
                                raise UpstreamError(f"feed is larger than the {limit}-byte limit")
                            if time.monotonic() > deadline:
                                raise UpstreamError(
                                    f"feed took longer than {self.settings.fetch_timeout:g} s"
                                )
                            chunks.append(chunk)
                        return response.status_code, b"".join(chunks), response.headers
        except httpx.TimeoutException as error:
            raise UpstreamError(f"feed timed out after {self.settings.fetch_timeout:g} s") from error
        except httpx.HTTPError as error:
            raise UpstreamError(f"feed unreachable: {type(error).__name__}: {error}") from error
        raise UpstreamError(f"feed redirected more than {MAX_REDIRECTS} times")

    async def _entries(self, feed: Feed, entries: list[Any], result: PollResult, now: datetime) -> None:
        links = [entry.get("link") for entry in entries if entry.get("link")]
        with self.store.session() as session:
            known = set(session.scalars(select(FeedEntryRow.url).where(FeedEntryRow.url.in_(links))))
        for entry in entries:
            link = entry.get("link")
            if not link or link in known:
                continue  # stored already, or failing and retried on its own backoff
            known.add(link)
            title, published = entry.get("title"), _published(entry)
            try:
                page = await afetch_url(link, self.settings)
            except BriefingError as error:
                result.errors.append(f"{link}: {error}")
                with self.store.session() as session:
                    row = FeedEntryRow(
                        feed_id=feed.id, url=link, title=title, published_at=published, attempts=0
                    )
                    self._failed(row, error, now)
                    session.add(row)
                    session.flush()
                    retry = (row.id, row.next_attempt_at) if row.status == "retrying" else None
                if retry is not None and self.queued_retries:
                    self._queue_retry(*retry)
                continue
            article_id = self._store_article(feed, link, title, published, page, result)
            with self.store.session() as session:
                session.add(
                    FeedEntryRow(
                        feed_id=feed.id,
                        url=link,
                        title=title,
                        published_at=published,
                        content_hash=article_id,
                        article_id=article_id,
                        status="ok",
                        created_at=utcnow(),
                    )
                )
            await asyncio.sleep(0)

    def _failed(self, row: FeedEntryRow, error: BriefingError, now: datetime) -> None:
        """Count a failed page fetch on the entry; retry later unless the error is permanent or its
        attempts are used up."""
        row.attempts = (row.attempts or 0) + 1
        row.error = str(error)
        if is_permanent(error) or row.attempts >= self.settings.feed_entry_max_attempts:
            row.status, row.next_attempt_at = "failed", None
        else:
            row.status, row.next_attempt_at = "retrying", now + self.entry_backoff(row.attempts)

    def _queue_retry(self, entry_id: int, at: datetime | None) -> None:
        """Queue the entry's next fetch for `at`, once (procrastinate; a waiting one is kept)."""
        key = f"entry:{entry_id}"
        self.store.defer(
            ENTRY_TASK,
            {"entry_id": entry_id},
            queue=ENTRY_QUEUE,
            lock=key,
            queueing_lock=key,
            scheduled_at=at,
        )

    async def _retry_entries(self, feed: Feed, now: datetime, result: PollResult) -> None:
        """Fetch again the feed's failed entries whose backoff has passed (on procrastinate: queue
        those that have no task waiting, e.g. when queueing one failed)."""
        with self.store.session() as session:
            due = list(
                session.scalars(
                    select(FeedEntryRow)
                    .where(
                        FeedEntryRow.feed_id == feed.id,
                        FeedEntryRow.status == "retrying",
                        FeedEntryRow.next_attempt_at <= now,
                    )
                    .order_by(FeedEntryRow.id)
                    .limit(self.settings.feed_max_entries)
                )
            )
        for entry in due:
            if self.queued_retries:
                await asyncio.to_thread(self._queue_retry, entry.id, None)
                continue
            result.retried += 1
            await self._retry_one(feed, entry, now, result)

    async def retry_entry(self, entry_id: int, now: datetime | None = None) -> FailingEntry | None:
        """One more page fetch of a failing entry, if it is due (the entry task on procrastinate);
        the entry as it stands afterwards, None when it was stored (or is gone, or not due)."""
        now = now or datetime.now(UTC)
        with self.store.session() as session:
            entry = session.get(FeedEntryRow, entry_id)
            if entry is None or entry.status != "retrying":
                return None
            if entry.next_attempt_at is not None and entry.next_attempt_at > now + timedelta(seconds=1):
                return _failing(entry)  # not due: another task moved it on
            feed_row = session.get(FeedRow, entry.feed_id)
            if feed_row is None:
                return None
            feed = _feed(feed_row)
            session.expunge(entry)
        result = PollResult(feed.id, feed.url, "ok")
        await self._retry_one(feed, entry, now, result)
        with self.store.session() as session:
            row = session.get(FeedEntryRow, entry_id)
            return _failing(row) if row is not None and row.status != "ok" else None

    async def _retry_one(self, feed: Feed, entry: FeedEntryRow, now: datetime, result: PollResult) -> None:
        try:
            page = await afetch_url(entry.url, self.settings)
        except BriefingError as error:
            result.errors.append(f"{entry.url}: {error} (attempt {entry.attempts + 1})")
            with self.store.session() as session:
                row = session.get(FeedEntryRow, entry.id)
                if row is not None:
                    self._failed(row, error, now)
            return
        article_id = self._store_article(feed, entry.url, entry.title, entry.published_at, page, result)
        with self.store.session() as session:
            row = session.get(FeedEntryRow, entry.id)
            if row is not None:
                row.status, row.error, row.next_attempt_at = "ok", None, None
                row.attempts += 1
                row.content_hash = row.article_id = article_id

    def _store_article(
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
        with self.store.session() as session:
            duplicate = session.scalar(
                select(FeedEntryRow.id).where(
                    or_(
                        FeedEntryRow.content_hash == article.id,
                        and_(FeedEntryRow.url == link, FeedEntryRow.status == "ok"),
                    )
                )
            )
        if duplicate is None:
            self.store.save_article(article)
            result.new_articles.append(article.id)
        else:
            result.duplicates += 1
        return article.id
