"""The digest scheduler: every poll, run each schedule's due period once, then send due deliveries.

This loop is the embedded queue's scheduler (SQLite); on PostgreSQL the pass is procrastinate
periodic work (`briefing.digests.tasks`), and `Scheduler.run_period` runs one period in a task.
Any number of schedulers may run against one database (inside `briefing serve`, or alone with
`briefing scheduler`): a period is claimed by inserting its run row (unique per schedule and
period), the digest row is unique per period too, and a run whose owner stopped renewing its
lease (crash, kill) is taken over once the lease expires, reusing the digest if it was saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from briefing.config import Settings
from briefing.digests.build import BuildSpec, DigestBuilder
from briefing.digests.deliver import Deliverer
from briefing.digests.feeds import FeedPoller
from briefing.digests.models import Digest, Schedule, SourceFailure
from briefing.digests.periods import Slot, due_slot
from briefing.models import BriefOptions
from briefing.queue.heartbeat import Heartbeat, LeaseLostError
from briefing.store import Store
from briefing.store.digest_repo import DigestRepo

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        builder: DigestBuilder | None = None,
        owner: str | None = None,
        clock: Clock = _utcnow,
        feed_poller: Callable[[datetime], object] | None = None,
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
        self.feed_poller = feed_poller or FeedPoller(settings, store).poll_due

    async def tick(self) -> list[Digest]:
        """One pass: due feeds, due schedule periods, due deliveries. Returns digests made or resumed."""
        now = self.clock()
        if self.feed_poller is not None:
            try:
                await self.feed_poller(now)  # type: ignore[misc]
            except Exception:  # a feed problem must never stop digests
                log.exception("feed polling failed")
        digests = []
        for schedule in self.repo.list_schedules(enabled_only=True):
            try:
                slot = due_slot(schedule.cron, schedule.timezone, now, not_before=schedule.created_at)
            except Exception as error:  # one unusable schedule must not stop the others
                log.error("schedule %s: cannot compute its slot, skipped: %s", schedule.id, error)
                continue
            if slot is None:
                continue
            digest = await self.run_period(schedule, slot)
            if digest is not None:
                digests.append(digest)
        await self.deliverer.deliver_due(now=self.clock())
        return digests

    async def run_period(self, schedule: Schedule, slot: Slot, *, deliver: bool = True) -> Digest | None:
        """Make (or finish) the digest of one period if this scheduler wins the claim.

        The lease is renewed while the digest is built; a scheduler that loses it (it stalled past
        the lease and another took over) drops its work and neither saves nor delivers."""
        now = self.clock()
        run_id = self.repo.claim_run(
            schedule.id, slot.period, slot.fire_at, owner=self.owner, now=now, lease=self.lease
        )
        if run_id is None:
            return None
        log.info("schedule %s: running period %s (run %s)", schedule.id, slot.period, run_id)

        def renew() -> bool:
            return self.repo.renew_run(run_id, owner=self.owner, now=self.clock(), lease=self.lease)

        try:
            async with Heartbeat(renew, interval=self.heartbeat, what=f"digest run {run_id}") as lease:
                digest = self.repo.digest_for_period(schedule.id, slot.period)
                if digest is None:
                    built = await lease.guard(self.build(schedule, slot))
                    lease.check()
                    digest, _ = self.repo.save_digest(built)
                assert digest.id is not None
                self.repo.ensure_deliveries(digest.id, schedule.targets, self.clock())
                if not self.repo.finish_run(run_id, owner=self.owner, digest_id=digest.id, now=self.clock()):
                    raise LeaseLostError(f"run {run_id} is owned by another scheduler now")
        except LeaseLostError:
            log.warning(
                "schedule %s period %s: another scheduler took the run over; not delivering",
                schedule.id,
                slot.period,
            )
            return None
        except Exception as error:
            attempts = self.repo.run_attempts(run_id)
            give_up = attempts >= self.settings.delivery_max_attempts
            log.exception("schedule %s period %s failed (attempt %s)", schedule.id, slot.period, attempts)
            self.repo.fail_run(
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
            previous_fire = self.repo.previous_run_fire_at(schedule.id, slot.period)
            window_start = previous_fire or window_end - timedelta(hours=24)
        articles = self.repo.select_articles(since=window_start, until=window_end, filters=schedule.filters)
        failures = [
            SourceFailure(source=f"feed {url}", error=error)
            for url, error in self.repo.failing_feeds(schedule)
        ]
        spec = BuildSpec(
            articles=articles,
            title=f"{schedule.name} — {slot.fire_at.strftime('%a %d %b %Y, %H:%M')}",
            max_stories=schedule.max_stories,
            min_sources=schedule.min_sources,
            options=BriefOptions(engine=schedule.engine),
            schedule_id=schedule.id,
            period=slot.period,
            window_start=window_start,
            window_end=window_end,
            previous=self.repo.previous_digest(schedule.id, slot.period),
            failures=failures,
        )
        return await self.builder.build(spec, now=self.clock())

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        """Poll until `stop` is set; an error in one pass is logged and the next pass goes on."""
        stop = stop or asyncio.Event()
        log.info("digest scheduler %s started", self.owner)
        try:
            while not stop.is_set():
                try:
                    await self.tick()
                except Exception:
                    log.exception("scheduler pass failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.settings.scheduler_poll_seconds)
        finally:
            await self.builder.briefer.aclose()
