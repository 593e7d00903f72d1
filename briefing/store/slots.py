"""A counting semaphore shared by every process on one PostgreSQL database: `size` advisory locks.

`BRIEFING_LLM_MAX_CONCURRENCY` bounds LLM calls in flight in one process; with PostgreSQL the
runtime also bounds them across processes with these slots, so N API processes and workers with a
bound of 8 still send at most 8 calls at once. A slot is held on its own connection (from a small
pool of `size` connections) for the length of one call; a process that dies drops its connections
and with them its slots.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Connection, Engine, create_engine, text

from briefing.store.flights import lock_id

POLL_SECONDS = 0.02
_TAKE = text(
    "SELECT s FROM generate_series(0, :n - 1) AS s "
    "WHERE pg_try_advisory_lock(:base + ((s + :offset) % :n)) LIMIT 1"
)


class SharedSlots:
    def __init__(self, engine: Engine, name: str, size: int) -> None:
        self.size = max(1, size)
        self.base = lock_id(f"slots:{name}") & 0x3FFFFFFFFFFFFFFF  # room to add the slot number
        # One connection per slot holder; the overflow covers several engines (models) in one process.
        self._engine = create_engine(
            engine.url, pool_size=self.size, max_overflow=self.size, pool_pre_ping=True
        )

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        """Wait for a free slot (polling), hold it while the block runs, then free it."""
        connection = await asyncio.to_thread(self._connect)
        try:
            slot = None
            while slot is None:
                slot = await asyncio.to_thread(self._take, connection)
                if slot is None:
                    await asyncio.sleep(POLL_SECONDS)
            try:
                yield
            finally:
                try:
                    await asyncio.to_thread(self._give, connection, slot)
                except Exception:
                    connection.invalidate()  # ending the session frees the slot
        finally:
            await asyncio.to_thread(connection.close)

    def _connect(self) -> Connection:
        return self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _take(self, connection: Connection) -> int | None:
        offset = random.randrange(self.size)
        params = {"n": self.size, "base": self.base, "offset": offset}
        found = connection.execute(_TAKE, params).scalar()
        return None if found is None else (int(found) + offset) % self.size

    def _give(self, connection: Connection, slot: int) -> None:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.base + slot})

    def close(self) -> None:
        self._engine.dispose()
