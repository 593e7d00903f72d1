"""SQL of feeds and their entries (`briefing.digests.feeds` polls over HTTP and calls these).

Every function is one short transaction on the store's database. An entry is stored once by URL
(unique), and its article once by content hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from briefing.digests.tables import FeedEntryRow, FeedRow, ScheduleRow
from briefing.errors import ConflictError, NotFoundError
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


# --- feeds ---------------------------------------------------------------------------------------
def add_feed(
    store: Store, url: str, *, title: str | None, source: str | None, tags: list[str], poll_minutes: int
) -> Feed:
    """Subscribe to `url`; ConflictError when it is subscribed already."""
    with store.session() as session:
        if session.scalar(select(FeedRow.id).where(FeedRow.url == url)) is not None:
            raise ConflictError(f"feed url: {url} is already subscribed", field="url")
        row = FeedRow(
            url=url, title=title, source=source, tags=tags, poll_minutes=poll_minutes, created_at=utcnow()
        )
        session.add(row)
        session.flush()
        return _feed(row)


def list_feeds(store: Store, *, limit: int | None = None, offset: int = 0) -> list[Feed]:
    """By id, each with its failing entries; `limit=None` is every feed (the poller)."""
    with store.session() as session:
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


def get_feed(store: Store, feed_id: int) -> Feed:
    with store.session() as session:
        row = session.get(FeedRow, feed_id)
        if row is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        entries = session.scalars(
            select(FeedEntryRow)
            .where(FeedEntryRow.feed_id == feed_id, FeedEntryRow.status != "ok")
            .order_by(FeedEntryRow.id)
        )
        return _feed(row, [_failing(entry) for entry in entries])


def delete_feed(store: Store, feed_id: int) -> None:
    """Forget a feed and its entries' fetch records (the articles it brought stay stored)."""
    with store.session() as session:
        row = session.get(FeedRow, feed_id)
        if row is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        users = [
            schedule_id
            for schedule_id, spec in session.execute(select(ScheduleRow.id, ScheduleRow.spec))
            if feed_id in ((spec or {}).get("filters") or {}).get("feeds", [])
        ]
        if users:  # a filter naming a deleted feed would match nothing, or a later feed given its id
            listed = ", ".join(map(str, sorted(users)))
            raise ConflictError(
                f"feed {feed_id} is in the feed filter of schedule {listed}; take it out of the "
                "filter first (PATCH /v1/schedules/ID), then delete the feed"
            )
        session.execute(FeedEntryRow.__table__.delete().where(FeedEntryRow.feed_id == feed_id))
        session.delete(row)


def feed_for_poll(store: Store, feed_id: int) -> tuple[Feed, str | None, str | None]:
    """The feed with the validators of its last answer (ETag, Last-Modified) for a conditional GET."""
    with store.session() as session:
        row = session.get(FeedRow, feed_id)
        if row is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        return _feed(row), row.etag, row.last_modified


def record_poll(
    store: Store,
    feed_id: int,
    *,
    now: datetime,
    status: str,
    error: str | None,
    etag: str | None,
    modified: str | None,
    title: str | None,
) -> None:
    """What a poll found: when, how it went, the new validators, a title if the feed had none."""
    with store.session() as session:
        row = session.get(FeedRow, feed_id)
        if row is not None:
            row.last_polled_at = now
            row.last_status = status
            row.last_error = error
            row.etag, row.last_modified = etag, modified
            row.title = row.title or title


# --- entries -------------------------------------------------------------------------------------
def known_entry_urls(store: Store, links: list[str]) -> set[str]:
    """The links that have an entry already (stored, or failing and retried on their own backoff)."""
    with store.session() as session:
        return set(session.scalars(select(FeedEntryRow.url).where(FeedEntryRow.url.in_(links))))


def add_entry(store: Store, **values: Any) -> FeedEntryRow | None:
    """Insert an entry row (stored or failing); the row as inserted, with its id. None when its URL
    has an entry already: another poll (of this feed or another feed listing the same link) stored
    it since this one looked, and that entry stands."""
    try:
        with store.session() as session:
            row = FeedEntryRow(**values)
            session.add(row)
            session.flush()
            return row
    except IntegrityError:
        with store.session() as session:
            if session.scalar(select(FeedEntryRow.id).where(FeedEntryRow.url == values["url"])) is None:
                raise  # another constraint (a deleted feed): not the race this is for
        return None


def update_entry(store: Store, entry_id: int, **values: Any) -> None:
    with store.session() as session:
        row = session.get(FeedEntryRow, entry_id)
        if row is not None:
            for name, value in values.items():
                setattr(row, name, value)


def due_entries(store: Store, feed_id: int, now: datetime, *, limit: int) -> list[FeedEntryRow]:
    """The feed's failing entries whose backoff has passed."""
    with store.session() as session:
        return list(
            session.scalars(
                select(FeedEntryRow)
                .where(
                    FeedEntryRow.feed_id == feed_id,
                    FeedEntryRow.status == "retrying",
                    FeedEntryRow.next_attempt_at <= now,
                )
                .order_by(FeedEntryRow.id)
                .limit(limit)
            )
        )


def retrying_entry(store: Store, entry_id: int) -> tuple[FeedEntryRow, Feed] | None:
    """A retrying entry with its feed; None when it is gone, stored or given up."""
    with store.session() as session:
        entry = session.get(FeedEntryRow, entry_id)
        if entry is None or entry.status != "retrying":
            return None
        feed_row = session.get(FeedRow, entry.feed_id)
        if feed_row is None:
            return None
        feed = _feed(feed_row)
        session.expunge(entry)
        return entry, feed


def failing_entry(store: Store, entry_id: int) -> FailingEntry | None:
    """The entry as it stands, if it is failing (None when stored or gone)."""
    with store.session() as session:
        row = session.get(FeedEntryRow, entry_id)
        return _failing(row) if row is not None and row.status != "ok" else None


def is_duplicate(store: Store, content_hash: str, link: str) -> bool:
    """The same text came from another entry, or this link was stored already."""
    with store.session() as session:
        return (
            session.scalar(
                select(FeedEntryRow.id).where(
                    or_(
                        FeedEntryRow.content_hash == content_hash,
                        and_(FeedEntryRow.url == link, FeedEntryRow.status == "ok"),
                    )
                )
            )
            is not None
        )
