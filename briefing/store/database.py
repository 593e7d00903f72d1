"""Database engine construction and migrations (SQLite with WAL by default, PostgreSQL by URL)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from briefing.config import Settings
from briefing.store.lite import CONNECT_TIMEOUT, SQLITE_PRAGMAS, create_private
from briefing.store.revisions import MIGRATIONS_DIR, script_heads


def normalize_url(url: str) -> str:
    """Accept the usual `postgres://` / `postgresql://` spellings and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:  # WAL, NORMAL sync, foreign keys, busy timeout (briefing/store/lite.py)
        cursor.execute(pragma)
    cursor.close()


def make_engine(settings: Settings) -> Engine:
    """Create the SQLAlchemy engine; creates the data directory for the default SQLite file."""
    url = make_url(normalize_url(settings.resolved_database_url))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
            create_private(Path(url.database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": CONNECT_TIMEOUT})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config() -> Any:
    """An ini-free Alembic config whose scripts live inside the package (works from a wheel)."""
    from alembic.config import Config  # imported only when a migration may be needed: ~0.3 s

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    return config


# One key for every briefing database on a server: migrations of two schemas merely take turns.
MIGRATION_LOCK_KEY = zlib.crc32(b"briefing.store.migrate")


def _lock_file(handle: IO[bytes]) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock on `<database file>.migrate.lock`, held while one process migrates."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    # Closing the file releases the lock, also when the process dies mid-migration.
    with open(f"{database}.migrate.lock", "ab") as handle:
        _lock_file(handle)
        yield


@contextmanager
def migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the migration lock until it commits.

    Processes started together on a fresh database would otherwise all create the same tables at
    once (PostgreSQL: a unique violation on pg_type; SQLite: "table already exists" or "database is
    locked"). With the lock the first one migrates and the others then find the schema at head.
    """
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            yield connection
        return
    with _sqlite_file_lock(engine), engine.begin() as connection:
        yield connection


def at_heads(engine: Engine) -> bool:
    """True when the database is already at every head: then opening a store needs no Alembic
    (importing it and loading its scripts costs ~0.4 s of every CLI command's start-up)."""
    try:
        with engine.connect() as connection:
            stored = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    except DBAPIError:  # no version table yet: a fresh database
        return False
    return bool(stored) and stored == script_heads()


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to `revision` (default: every head, so other areas' revisions apply too).

    Safe to call from any number of processes at once: they take turns under `migration_lock`.
    A database already at the heads is left alone without loading Alembic.
    """
    if revision == "heads" and at_heads(engine):
        return
    from alembic import command

    config = alembic_config()
    with migration_lock(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
