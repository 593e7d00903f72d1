"""One schedule period, run once: the body of the digest run task (`briefing.digests.tasks`).

The scheduler pass (`DigestTasks`) queues a period's run under a lock, on either queue; this is
what the task does. Any number of schedulers may run against one database (inside `briefing
serve`, or alone with `briefing scheduler`): a period is still claimed by inserting its run row
(unique per schedule and period) — the last guard should two tasks ever run — the digest row is
unique per period too, and a run whose owner stopped renewing its lease (crash, kill) is taken over
once the lease expires, reusing the digest if it was saved.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from briefing.config import Settings
from briefing.digests.build import BuildSpec, DigestBuilder
from briefing.digests.deliver import Deliverer
from briefing.digests.models import Digest, Schedule, SourceFailure
from briefing.digests.periods import Slot
from briefing.models import BriefOptions
from briefing.queue.heartbeat import Heartbeat, LeaseLostError
from briefing.store import Store
from briefing.store.digest_repo import DigestRepo

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """Runs schedule periods (a run task's work): builds, saves and delivers one digest per period."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        builder: DigestBuilder | None = None,
        owner: str | None = None,
        clock: Clock = _utcnow,
        heartbeat: float | None = None,
    ) -> None:
        self.settings = settings
        self.repo = DigestRepo(store)
        self.builder = builder or DigestBuilder(settings, self.repo)
        self.deliverer = Deliverer(settings, self.repo)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.lease = timedelta(seconds=settings.scheduler_lease_seconds)
        # renew three times per lease, so one slow renewal does not let the lease lapse
        self.heartbeat = heartbeat if heartbeat is not None else settings.scheduler_lease_seconds / 3

    async def run_period(self, schedule: Schedule, slot: Slot, *, deliver: bool = True) -> Digest | None:
        """Make (or finish) the digest of one period if this scheduler wins the claim.

        The lease is renewed while the digest is built; a scheduler that loses it (it stalled past
        the lease and another took over) drops its work and neither saves nor delivers."""
        now = self.clock()
        # every store call in a worker thread: a busy database never stalls the event loop (and the
        # job's own lease renewals with it)
        run_id = await asyncio.to_thread(
            self.repo.claim_run,
            schedule.id,
            slot.period,
            slot.fire_at,
            owner=self.owner,
            now=now,
            lease=self.lease,
        )
        if run_id is None:
            return None
        log.info("schedule %s: running period %s (run %s)", schedule.id, slot.period, run_id)

        def renew() -> bool:
            return self.repo.renew_run(run_id, owner=self.owner, now=self.clock(), lease=self.lease)

        try:
            async with Heartbeat(renew, interval=self.heartbeat, what=f"digest run {run_id}") as lease:
                digest = await asyncio.to_thread(self.repo.digest_for_period, schedule.id, slot.period)
                if digest is None:
                    built = await lease.guard(self.build(schedule, slot))
                    lease.check()
                    digest, _ = await asyncio.to_thread(self.repo.save_digest, built)
                assert digest.id is not None
                await asyncio.to_thread(
                    self.repo.ensure_deliveries, digest.id, schedule.targets, self.clock()
                )
                finished = await asyncio.to_thread(
                    self.repo.finish_run, run_id, owner=self.owner, digest_id=digest.id, now=self.clock()
                )
                if not finished:
                    raise LeaseLostError(f"run {run_id} is owned by another scheduler now")
        except LeaseLostError:
            log.warning(
                "schedule %s period %s: another scheduler took the run over; not delivering",
                schedule.id,
                slot.period,
            )
            return None
        except Exception as error:
            attempts = await asyncio.to_thread(self.repo.run_attempts, run_id)
            give_up = attempts >= self.settings.delivery_max_attempts
            log.exception("schedule %s period %s failed (attempt %s)", schedule.id, slot.period, attempts)
            await asyncio.to_thread(
                self.repo.fail_run,
                run_id,
                owner=self.owner,
                error=f"{type(error).__name__}: {error}",
                now=self.clock(),
                retry_in=timedelta(seconds=self.settings.scheduler_poll_seconds),
                give_up=give_up,
            )
            return None
        if deliver:
            await self.deliverer.deliver_due(now=self.clock(), digest_id=digest.id)
        return digest

    async def build(self, schedule: Schedule, slot: Slot) -> Digest:
        window_end = slot.fire_at.astimezone(UTC)
        if schedule.window_hours is not None:
            window_start = window_end - timedelta(hours=schedule.window_hours)
        else:
            previous_fire = await asyncio.to_thread(self.repo.previous_run_fire_at, schedule.id, slot.period)
            window_start = previous_fire or window_end - timedelta(hours=24)
        articles = await asyncio.to_thread(
            self.repo.select_articles, since=window_start, until=window_end, filters=schedule.filters
        )
        failing = await asyncio.to_thread(self.repo.failing_feeds, schedule)
        failures = [SourceFailure(source=f"feed {url}", error=error) for url, error in failing]
        previous = await asyncio.to_thread(self.repo.previous_digest, schedule.id, slot.period)
        spec = BuildSpec(
            articles=articles,
            title=schedule.digest_title(slot.fire_at),
            max_stories=schedule.max_stories,
            min_sources=schedule.min_sources,
            options=BriefOptions(engine=schedule.engine),
            schedule_id=schedule.id,
            period=slot.period,
            window_start=window_start,
            window_end=window_end,
            previous=previous,
            failures=failures,
        )
        return await self.builder.build(spec, now=self.clock())
