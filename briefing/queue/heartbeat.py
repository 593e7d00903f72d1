"""Keep a lease while its work runs, and stop the work as soon as the lease is lost.

Work owned under a lease (a brief job on the embedded queue, a scheduled digest run) can take
longer than the lease, so its owner renews the lease on a heartbeat. A renewal that finds the
lease gone means this process stalled past it (frozen, cut off) and someone else took the work
over: the work in progress is cancelled and nothing of it is written. The rows and their SQL are
in `briefing/store/leases.py`; this is the one heartbeat every lease holder uses.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TypeVar

from briefing.errors import StoreError

log = logging.getLogger("briefing.queue")
T = TypeVar("T")


class LeaseLostError(Exception):
    """Someone else holds the lease now; the loser must stop and write nothing."""


class Heartbeat:
    """`async with Heartbeat(renew, interval=…, what=…) as beat: await beat.guard(work)`.

    `renew` is a blocking store call (run in a worker thread) that extends the lease and returns
    False once this owner no longer holds it. A database error on one beat is not a lost lease:
    the next beat tries again, and the lease (three beats long for its users) covers the gap.
    """

    def __init__(self, renew: Callable[[], bool], *, interval: float, what: str) -> None:
        self.renew = renew
        self.interval = interval
        self.what = what
        self.lost = asyncio.Event()
        self.renewals = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Heartbeat:
        self._task = asyncio.create_task(self._beat(), name=f"heartbeat {self.what}")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            # asyncio.wait, not `await task`: a cancellation of the caller itself must go on
            # propagating, not be swallowed as if it were the heartbeat's own.
            await asyncio.wait({self._task})

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                kept = await asyncio.to_thread(self.renew)
            except StoreError as error:  # the database is away for a moment: try again next beat
                log.warning("%s: lease renewal failed, retrying: %s", self.what, error.message)
                continue
            if not kept:
                log.warning("%s: the lease was taken over by another worker", self.what)
                self.lost.set()
                return
            self.renewals += 1

    def check(self) -> None:
        """Renew now (blocking); raise `LeaseLostError` if this owner no longer holds the lease."""
        if self.lost.is_set() or not self.renew():
            self.lost.set()
            raise LeaseLostError(f"{self.what} is held by another worker now")

    async def guard(self, work: Awaitable[T]) -> T:
        """Await `work`, cancelling it (and raising `LeaseLostError`) as soon as the lease is lost."""
        task = asyncio.ensure_future(work)
        lost = asyncio.ensure_future(self.lost.wait())
        finished = False
        try:
            await asyncio.wait({task, lost}, return_when=asyncio.FIRST_COMPLETED)
            finished = task.done()
        finally:
            lost.cancel()
            if not task.done():  # the lease was lost, or the caller is being cancelled
                task.cancel()
                await asyncio.wait({task})
        if not finished:
            raise LeaseLostError(f"{self.what} is held by another worker now")
        return task.result()
