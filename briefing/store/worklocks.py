"""Work locks: at most one holder of a named piece of work (a feed's poll) at a time, across
every process on the database, taken without waiting.

The queue's locks (`feed:<id>` and the like) keep a task from being queued twice, but work that
does not go through the queue (`briefing feeds poll`, `POST /v1/feeds/{id}/poll`) needs a lock of
its own, held while it runs. On PostgreSQL it is a session advisory lock on a connection of its
own (namespaced by the schema, so two briefing schemas on one database do not share locks); on a
SQLite file, an exclusive `flock` on a file beside the database; on an in-memory database, a lock
in this process. A process that dies drops its connection or its file, and with it the lock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from sqlalchemy import Connection, text

from briefing.store import Store
from briefing.store.flights import lock_id

_LOCAL: dict[tuple[str, str], threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


@contextmanager
def try_hold(store: Store, key: str) -> Iterator[bool]:
    """Hold the work lock `key` for the block if no one else holds it: yields True, or False (at
    once, without waiting) when another holder has it."""
    engine = store.engine
    if engine.dialect.name == "postgresql":
        with _advisory(store, key) as held:
            yield held
        return
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        with _in_process(str(engine.url), key) as held:
            yield held
        return
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", key)
    with open(f"{database}.{name}.lock", "ab") as handle:  # closing it releases the lock
        yield _try_lock_file(handle)


@contextmanager
def _advisory(store: Store, key: str) -> Iterator[bool]:
    connection = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        schema = connection.execute(text("SELECT current_schema()")).scalar() or "public"
        number = lock_id(f"work:{schema}:{key}")
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": number}).scalar())
        try:
            yield held
        finally:
            if held:
                _unlock(connection, number)
    finally:
        connection.close()


def _unlock(connection: Connection, number: int) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": number})
    except Exception:
        # Never hand a connection that may still hold the lock back to the pool: dropping it
        # ends the session, which releases the lock.
        connection.invalidate()


@contextmanager
def _in_process(database: str, key: str) -> Iterator[bool]:
    with _LOCAL_GUARD:
        lock = _LOCAL.setdefault((database, key), threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()


def _try_lock_file(handle: IO[bytes]) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
