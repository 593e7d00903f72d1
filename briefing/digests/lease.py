"""Keep a scheduled run's lease alive while it is being built, and notice when it was lost.

A run is owned through a lease that other schedulers may take over once it expires. A build can
take longer than the lease (many LLM calls), so the owner renews it on a heartbeat; if a renewal
finds the run owned by someone else (this process stalled past the lease and was taken over),
the work in progress is cancelled and nothing of it is saved or delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import TypeVar

from briefing.errors import StoreError
from briefing.store.digest_repo import DigestRepo

log = logging.getLogger(__name__)
T = TypeVar("T")


class LeaseLostError(Exception):
    """Another scheduler took over this run; the loser must stop and deliver nothing."""


class RunLease:
    def __init__(
        self,
        repo: DigestRepo,
        run_id: int,
        owner: str,
        *,
        clock: Callable[[], datetime],
        lease: timedelta,
        interval: float,
    ) -> None:
        self.repo = repo
        self.run_id = run_id
        self.owner = owner
        self.clock = clock
        self.lease = lease
        self.interval = interval
        self.lost = asyncio.Event()
        self.renewals = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunLease:
        self._task = asyncio.create_task(self._beat())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _renew(self) -> bool:
        return self.repo.renew_run(self.run_id, owner=self.owner, now=self.clock(), lease=self.lease)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                kept = await asyncio.to_thread(self._renew)
            except StoreError:  # a database hiccup is not a lost lease: try again next beat
                log.warning("run %s: lease renewal failed, retrying", self.run_id, exc_info=True)
                continue
            if not kept:
                log.warning("run %s: lease lost to another scheduler", self.run_id)
                self.lost.set()
                return
            self.renewals += 1

    def check(self) -> None:
        """Renew now; raise `LeaseLostError` if this owner no longer holds the run."""
        if self.lost.is_set() or not self._renew():
            self.lost.set()
            raise LeaseLostError(f"run {self.run_id} is owned by another scheduler now")

    async def guard(self, work: Awaitable[T]) -> T:
        """Await `work`, cancelling it as soon as the lease is lost."""
        task = asyncio.ensure_future(work)
        lost = asyncio.ensure_future(self.lost.wait())
        try:
            await asyncio.wait({task, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise LeaseLostError(f"run {self.run_id} is owned by another scheduler now")
