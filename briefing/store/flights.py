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
    async def hold(self, key: str, *, wait: float) -> AsyncIterator[bool]:
        """Hold `key` while no one else (here or, on PostgreSQL, in any process) does; yields True.

        Waits at most `wait` seconds, then goes ahead without the flight (yields False): a holder
        that is frozen (SIGSTOP, a VM pause) keeps its lock, and must not stall the work that
        replaced it. Single-flight saves calls; it never blocks work for longer than that.
        """
        deadline = asyncio.get_running_loop().time() + wait
        lock, users = self._local.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        locked = False
        try:
            try:  # callers in this process queue here, using no connection while they wait
                await asyncio.wait_for(lock.acquire(), max(0.0, wait))
                locked = True
            except TimeoutError:
                pass
            if not locked or self.engine.dialect.name != "postgresql":
                yield locked
                return
            async with self._advisory(lock_id(key), deadline) as held:
                yield held
        finally:
            if locked:
                lock.release()
            users[0] -= 1
            if not users[0]:
                self._local.pop(key, None)

    @asynccontextmanager
    async def _advisory(self, key: int, deadline: float) -> AsyncIterator[bool]:
        loop = asyncio.get_running_loop()
        connection = await asyncio.to_thread(self._connect)
        try:
            held = await asyncio.to_thread(_try_lock, connection, key)
            while not held and loop.time() < deadline:
                await asyncio.sleep(POLL_SECONDS)
                held = await asyncio.to_thread(_try_lock, connection, key)
            try:
                yield held
            finally:
                if held:
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
