"""The brief cache of the default SQLite store through the standard library's sqlite3.

A one-article `briefing brief` reads one cached brief or writes one; through `Store` that costs
SQLAlchemy's import (~0.3 s CPU, the largest part of the command's start-up). This path runs the
same statements as `Statements.get_brief`, `add_article` and `upsert_brief`, with the same
connection pragmas and value encodings (JSON text as `json.dumps` writes it, naive-UTC timestamps
in SQLAlchemy's SQLite format), so a brief written here reads back the same through `Store` and
the other way round (tests/core/test_core_startup.py). It serves only an existing SQLite database
whose schema is at head; anything else (PostgreSQL, a new or older database, a URL with options)
opens the full `Store`, which migrates.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.errors import StoreError
from briefing.store.revisions import script_heads
from briefing.store.values import article_values, brief_values

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.models import Article, Brief
    from briefing.pipeline import BriefCache

# Every SQLite connection of the store runs these (database.make_engine too): WAL lets the API read
# while a worker writes; NORMAL sync is durable across process crashes.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)
CONNECT_TIMEOUT = 10  # seconds, as make_engine's connect_args

# SQLAlchemy's storage format for DATETIME on SQLite (microseconds always written).
_DATETIME = "%Y-%m-%d %H:%M:%S.%f"
_ARTICLE_COLUMNS = ("id", "text", "title", "source", "url", "published_at", "language", "ingested_at")
_BRIEF_COLUMNS = ("id", "article_id", "engine", "model", "prompt_version", "data", "created_at")
ADD_ARTICLE = (
    f"INSERT INTO articles ({', '.join(_ARTICLE_COLUMNS)}) VALUES ({', '.join('?' * len(_ARTICLE_COLUMNS))}) "
    "ON CONFLICT (id) DO NOTHING"
)
UPSERT_BRIEF = (
    f"INSERT INTO briefs ({', '.join(_BRIEF_COLUMNS)}) VALUES ({', '.join('?' * len(_BRIEF_COLUMNS))}) "
    "ON CONFLICT (article_id, engine, model, prompt_version) "
    "DO UPDATE SET data = excluded.data, created_at = excluded.created_at RETURNING id"
)
GET_BRIEF = (
    "SELECT id, data FROM briefs WHERE article_id = ? AND engine = ? AND model = ? AND prompt_version = ?"
)
_URL_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")


def create_private(path: Path) -> None:
    """Create the database file readable by its owner only (articles, briefs and key digests are
    no one else's business), unless it exists; SQLite gives its -wal and -shm files the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def sqlite_path(url: str) -> Path | None:
    """The file of a plain `sqlite:///PATH` URL; None for any other URL (memory, options, escapes)."""
    for prefix in _URL_PREFIXES:
        if url.startswith(prefix):
            rest = url[len(prefix) :]
            if rest and rest != ":memory:" and not any(mark in rest for mark in "?#%@"):
                return Path(rest)
    return None


def _bind(value: Any) -> Any:
    """A value as SQLAlchemy binds it for these columns on SQLite (UTCDateTime, JSON)."""
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        return moment.astimezone(UTC).replace(tzinfo=None).strftime(_DATETIME)
    if isinstance(value, dict):
        return json.dumps(value)
    return value


class LiteBriefCache:
    """`get_brief` and `put_brief` of `Store` over one sqlite3 connection (the CLI's brief cache)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    @classmethod
    def connect(cls, path: Path) -> LiteBriefCache | None:
        """The cache of the database at `path`, or None when it is not a store at head (or unreadable)."""
        try:
            create_private(path)
            connection = sqlite3.connect(
                path, timeout=CONNECT_TIMEOUT, isolation_level=None, check_same_thread=False
            )
        except (sqlite3.Error, OSError):
            return None
        try:
            for pragma in SQLITE_PRAGMAS:
                connection.execute(pragma)
            stored = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
        except sqlite3.Error:
            connection.close()
            return None
        if not stored or stored != script_heads():
            connection.close()
            return None
        return cls(connection)

    def get_brief(
        self, *, article_id: str, engine: str, model: str | None, prompt_version: str | None
    ) -> Brief | None:
        from briefing.models import Brief

        key = (article_id, engine, model or "", prompt_version or "")
        try:
            row = self._connection.execute(GET_BRIEF, key).fetchone()
        except sqlite3.OperationalError as error:
            raise StoreError(f"database error: {error}") from error
        if row is None:
            return None
        brief = Brief.model_validate(json.loads(row[1]))
        brief.id = row[0]
        return brief

    def put_brief(self, *, article: Article, brief: Brief) -> Brief:
        """Store the article unless known and upsert the brief by cache key, in one transaction."""
        article_row = article_values(article)
        brief_row = brief_values(article, brief)
        connection = self._connection
        try:
            connection.execute("BEGIN")
            try:
                connection.execute(ADD_ARTICLE, [_bind(article_row[name]) for name in _ARTICLE_COLUMNS])
                (brief_id,) = connection.execute(
                    UPSERT_BRIEF, [_bind(brief_row[name]) for name in _BRIEF_COLUMNS]
                ).fetchone()
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as error:
            raise StoreError(f"database error: {error}") from error
        brief.id = str(brief_id)
        return brief

    def close(self) -> None:
        self._connection.close()


def open_brief_cache(settings: Settings) -> BriefCache:
    """The quick sqlite3 cache for a SQLite store at head; otherwise the full `Store` (migrated)."""
    path = sqlite_path(settings.resolved_database_url)
    if path is not None and path.is_file():
        cache = LiteBriefCache.connect(path)
        if cache is not None:
            return cache
    from briefing.store import open_store

    return open_store(settings)
