"""Single-flight: one holder at a time per key, in this process and across processes on PostgreSQL.

Concurrent requests for one new article (same engine, model and prompt version) would otherwise
each call the LLM. The first holds the key's flight while it briefs and stores the brief; the others
wait, then find the brief in the cache. On PostgreSQL the flight is a session advisory lock (held on
its own connection), so it spans every process on the database; on SQLite, which is embedded, it is
a lock in this process only.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Connection, Engine, text

POLL_SECONDS = 0.05


def lock_id(key: str) -> int:
    """A signed 64-bit advisory-lock id for a key (namespaced, so other lock users cannot collide)."""
    return int.from_bytes(hashlib.sha256(b"briefing.flight:" + key.encode()).digest()[:8], "big", signed=True)


class Flights:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Wait until no one else (here or, on PostgreSQL, in any process) holds `key`, then hold it."""
        lock, users = self._local.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:  # callers in this process queue here, using no connection while they wait
                if self.engine.dialect.name != "postgresql":
                    yield
                    return
                async with self._advisory(lock_id(key)):
                    yield
        finally:
            users[0] -= 1
            if not users[0]:
                self._local.pop(key, None)

    @asynccontextmanager
    async def _advisory(self, key: int) -> AsyncIterator[None]:
        connection = await asyncio.to_thread(self._connect)
        try:
            while not await asyncio.to_thread(_try_lock, connection, key):
                await asyncio.sleep(POLL_SECONDS)
            try:
                yield
            finally:
                try:
                    await asyncio.to_thread(_unlock, connection, key)
                except Exception:
                    # Never hand a connection that may still hold the lock back to the pool:
                    # dropping it ends the session, which releases the lock.
                    connection.invalidate()
        finally:
            await asyncio.to_thread(connection.close)

    def _connect(self) -> Connection:
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _try_lock(connection: Connection, key: int) -> bool:
    return bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())


def _unlock(connection: Connection, key: int) -> None:
    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
