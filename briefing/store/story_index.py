"""Stored stories (table `story_members`, revision 0004_stories): the story each article is in.

Assignment reads the stories near the new articles, clusters, and writes the new members; two
processes doing that at once could each start a story for the same pair of articles. So every
assignment runs under one lock for the database (PostgreSQL: a transaction-scoped advisory lock;
SQLite: a file lock beside the database), reads and writes in that transaction, and an article
can be inserted only once (its id is the primary key).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    MetaData,
    String,
    Table,
    and_,
    delete,
    func,
    select,
    text,
)

from briefing.store import Store, batches
from briefing.store.database import _lock_file
from briefing.store.tables import ArticleRow, UTCDateTime, utcnow

STORY_LOCK_KEY = zlib.crc32(b"briefing.stories.assign")

_METADATA = MetaData()
STORY_MEMBERS = Table(
    "story_members",
    _METADATA,
    Column("article_id", String(64), ForeignKey(ArticleRow.__table__.c.id), primary_key=True),
    Column("story_id", String(64), nullable=False),
    Column("published_at", UTCDateTime()),
    Column("assigned_at", UTCDateTime(), nullable=False),
)
_ARTICLES = ArticleRow.__table__
_when = func.coalesce(_ARTICLES.c.published_at, _ARTICLES.c.ingested_at)


class StoryIndex:
    """Data access for stored stories; writes only inside `locked()`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @contextmanager
    def locked(self) -> Iterator[Connection]:
        """A transaction holding the assignment lock until it commits (or rolls back)."""
        engine = self.store.engine
        if engine.dialect.name == "postgresql":
            with self.store.connection() as connection:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORY_LOCK_KEY})
                yield connection
            return
        database = engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            with self.store.connection() as connection:
                yield connection
            return
        with open(f"{database}.stories.lock", "ab") as handle:  # closing it releases the lock
            _lock_file(handle)
            with self.store.connection() as connection:
                yield connection

    def pending(
        self,
        connection: Connection,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        article_ids: Sequence[str] | None = None,
    ) -> list[tuple[str, datetime]]:
        """Articles in no story yet (of `article_ids` if given), with their time (published, else
        ingested), oldest first."""
        query = (
            select(_ARTICLES.c.id, _when.label("at"))
            .select_from(_ARTICLES.outerjoin(STORY_MEMBERS, STORY_MEMBERS.c.article_id == _ARTICLES.c.id))
            .where(STORY_MEMBERS.c.article_id.is_(None))
        )
        if since is not None:
            query = query.where(_when >= since)
        if until is not None:
            query = query.where(_when < until)
        if article_ids is None:
            rows = list(connection.execute(query))
        else:
            rows = [
                row
                for chunk in batches(article_ids)
                for row in connection.execute(query.where(_ARTICLES.c.id.in_(chunk)))
            ]
        return sorted(((row.id, row.at) for row in rows), key=lambda pair: (pair[1], pair[0]))

    def members_between(self, connection: Connection, since: datetime, until: datetime) -> dict[str, str]:
        """Article id → story id of the stored members whose time is in [since, until)."""
        query = select(STORY_MEMBERS.c.article_id, STORY_MEMBERS.c.story_id).where(
            and_(STORY_MEMBERS.c.published_at >= since, STORY_MEMBERS.c.published_at < until)
        )
        return {row.article_id: row.story_id for row in connection.execute(query)}

    def add(self, connection: Connection, stories: Mapping[str, str], times: Mapping[str, datetime]) -> int:
        """Store new members (an article stored already keeps its story); how many were new."""
        from sqlalchemy.dialects import postgresql, sqlite

        insert = postgresql.insert if self.store.engine.dialect.name == "postgresql" else sqlite.insert
        now = utcnow()
        rows = [
            {"article_id": aid, "story_id": sid, "published_at": times[aid], "assigned_at": now}
            for aid, sid in stories.items()
        ]
        statement = insert(STORY_MEMBERS).on_conflict_do_nothing(index_elements=["article_id"])
        added = 0
        for start in range(0, len(rows), 500):
            added += connection.execute(statement, rows[start : start + 500]).rowcount
        return added

    def forget(self, connection: Connection, since: datetime, until: datetime) -> int:
        """Remove the members whose time is in [since, until), for re-clustering that window."""
        statement = delete(STORY_MEMBERS).where(
            and_(STORY_MEMBERS.c.published_at >= since, STORY_MEMBERS.c.published_at < until)
        )
        return connection.execute(statement).rowcount

    def stories_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """Article id → story id for the given articles that are in a story."""
        found: dict[str, str] = {}
        query = select(STORY_MEMBERS.c.article_id, STORY_MEMBERS.c.story_id)
        with self.store.connection() as connection:
            for chunk in batches(article_ids):
                for row in connection.execute(query.where(STORY_MEMBERS.c.article_id.in_(chunk))):
                    found[row.article_id] = row.story_id
        return found
