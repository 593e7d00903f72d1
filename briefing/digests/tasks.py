"""Digest work as queued tasks: scheduler passes, feed polls, schedule periods, deliveries and
feed entries' page fetches, on whichever queue the process runs (procrastinate on PostgreSQL, the
embedded queue on SQLite) — one mechanism, the same tasks and the same locks.

A scheduler pass only enqueues what is due, each item under a lock — `feed:<id>`,
`run:<schedule>:<period>`, `delivery:<id>`, `entry:<id>` — held while the item is queued or
running, so N schedulers enqueue it once and two tasks for one item never run at once. Each task
re-checks that its item is still due when it starts (another may have just done it); the unique
run row and digest key of a period stay the last guard.

On procrastinate the pass is periodic work (`schedule_passes`): every scheduler runs
procrastinate's deferrer, and the database defers each tick once (its
`procrastinate_periodic_defers` row is unique per task and tick). On the embedded queue each
scheduler runs the pass on its own loop (`run_passes`); the locks make the work queued once all the
same.

Deliveries and feed entries' page fetches retry with capped exponential backoff (`deliver.backoff`
and `FeedPoller.entry_backoff`): the task raises a `RetryLaterError`, and the queue runs it again
after the delay (a procrastinate retry strategy; on the embedded queue, the job row held back).
Permanent errors (refused address, folder outside the allow-list, missing setting, a webhook or
page 4xx other than 408/429) fail at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from briefing.config import Settings
from briefing.digests.build import DigestBuilder
from briefing.digests.feeds import ENTRY_TASK, FeedPoller, PollResult
from briefing.digests.models import Digest
from briefing.digests.periods import Slot, due_slot
from briefing.digests.scheduler import Scheduler
from briefing.queue.base import RetryLaterError, WorkQueue
from briefing.store import Store, digest_work

log = logging.getLogger(__name__)

QUEUE = "digests"
PASS_TASK = "briefing.digests.pass"
PASS_LOCK = "digests:pass"
FEED_TASK = "briefing.feeds.poll"
RUN_TASK = "briefing.digests.run"
DELIVER_TASK = "briefing.digests.deliver"


class RetryDeliveryError(RetryLaterError):
    """A delivery attempt failed and may pass later."""

    def __init__(self, delivery_id: int, delay: float) -> None:
        super().__init__(f"delivery {delivery_id}", delay)


class RetryEntryError(RetryLaterError):
    """A feed entry's page fetch failed and may pass later."""

    def __init__(self, entry_id: int, delay: float) -> None:
        super().__init__(f"feed entry {entry_id}", delay)


def pass_cron(seconds: float) -> str:
    """The cron of a scheduler pass every `seconds` (procrastinate's 6th column is seconds)."""
    every = max(1, round(seconds))
    if every < 60:
        return f"* * * * * */{every}"
    return f"*/{max(1, every // 60)} * * * *"


@dataclass
class TaskLog:
    """What this process's digest tasks did (for `briefing scheduler --once` to print)."""

    polls: list[PollResult] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)


def _clock_from(now: str) -> Any:
    """A clock that reads `now` (the enqueuing scheduler's time) when the task starts, then runs on."""
    offset = datetime.fromisoformat(now) - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


class DigestTasks:
    """Enqueue due digest work (any scheduler) and run it (any worker), on the process's queue."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        queue: WorkQueue,
        *,
        builder: DigestBuilder | None = None,
        feeds: FeedPoller | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.runner = Scheduler(settings, store, builder=builder)  # runs one item; never enqueues
        self.feeds = feeds or FeedPoller(settings, store)
        self.queue = queue
        self.log: TaskLog | None = None  # set to record what the tasks did
        queue.task(PASS_TASK, self.run_pass, queue=QUEUE)
        queue.task(FEED_TASK, self.poll_feed, queue=QUEUE)
        queue.task(RUN_TASK, self.run_period, queue=QUEUE)
        queue.task(DELIVER_TASK, self.deliver, queue=QUEUE, retry=True, pass_context=True)
        queue.task(ENTRY_TASK, self.fetch_entry, queue=QUEUE, retry=True)

    def schedule_passes(self) -> None:
        """Run a scheduler pass every `scheduler_poll_seconds`, as periodic work deferred once per
        tick across every scheduler on the database (`run_pass`)."""
        from briefing.queue.pg import ProcrastinateQueue

        assert isinstance(self.queue, ProcrastinateQueue), "periodic work needs procrastinate"
        cron = pass_cron(self.settings.scheduler_poll_seconds)
        self.queue.periodic(PASS_TASK, cron=cron, periodic_id="scheduler", queueing_lock=PASS_LOCK)

    async def run_passes(self, stop: asyncio.Event) -> None:
        """The embedded queue's scheduler: a pass every `scheduler_poll_seconds` until `stop` is set
        (the workers of every process on the database run what it enqueues). An error in one pass is
        logged and the next goes on."""
        log.info("digest scheduler started")
        while not stop.is_set():
            try:
                await self.run_pass(int(datetime.now(UTC).timestamp()))
            except Exception:
                log.exception("scheduler pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.scheduler_poll_seconds)

    # --- enqueueing (a scheduler pass; blocking, run in a thread) -------------------------------
    def _defer(self, task: str, key: str, args: dict[str, Any]) -> bool:
        return self.queue.defer(task, args, queue=QUEUE, lock=key)

    def enqueue_due(self, now: datetime) -> int:
        """Enqueue every due feed poll, schedule period and delivery; how many this pass added."""
        at = now.astimezone(UTC).isoformat()
        added = 0
        for feed_id in digest_work.due_feed_ids(self.store, now):
            added += self._defer(FEED_TASK, f"feed:{feed_id}", {"feed_id": feed_id, "now": at})
        for schedule in self.runner.repo.list_schedules(enabled_only=True):
            try:
                slot = due_slot(schedule.cron, schedule.timezone, now, not_before=schedule.created_at)
            except Exception as error:  # one unusable schedule must not stop the others
                log.error("schedule %s: cannot compute its slot, skipped: %s", schedule.id, error)
                continue
            if slot is None or digest_work.run_finished(self.store, schedule.id, slot.period):
                continue
            args = {"schedule_id": schedule.id, "period": slot.period, "fire_at": slot.fire_at.isoformat()}
            added += self._defer(RUN_TASK, f"run:{schedule.id}:{slot.period}", {**args, "now": at})
        added += self.enqueue_deliveries(now)
        return added

    def enqueue_deliveries(self, now: datetime, digest_id: int | None = None) -> int:
        at = now.astimezone(UTC).isoformat()
        return sum(
            self._defer(DELIVER_TASK, f"delivery:{delivery_id}", {"delivery_id": delivery_id, "now": at})
            for delivery_id in digest_work.due_delivery_ids(self.store, now, digest_id=digest_id)
        )

    # --- the tasks ------------------------------------------------------------------------------
    async def run_pass(self, timestamp: int) -> None:
        """The scheduler pass of one tick: enqueue what is due at the tick's time."""
        added = await asyncio.to_thread(self.enqueue_due, datetime.fromtimestamp(timestamp, UTC))
        if added:
            log.info("scheduler pass at %s enqueued %d task(s)", timestamp, added)

    async def poll_feed(self, feed_id: int, now: str) -> None:
        at = datetime.fromisoformat(now)  # the enqueuer's time: the next interval counts from it
        if await asyncio.to_thread(digest_work.feed_due, self.store, feed_id, at):  # else just polled
            result = await self.feeds.poll(feed_id, now=at)
            if self.log is not None:
                self.log.polls.append(result)

    async def fetch_entry(self, entry_id: int) -> None:
        """One more page fetch of a failing feed entry; a failure that may pass is retried by the
        queue after the entry's capped backoff, a permanent one (or the last) fails it."""
        now = datetime.now(UTC)  # a retry runs when the queue scheduled it: the real clock
        entry = await self.feeds.retry_entry(entry_id, now)
        if entry is not None and entry.status == "retrying" and entry.next_attempt_at is not None:
            raise RetryEntryError(entry_id, max(0.0, (entry.next_attempt_at - now).total_seconds()))

    async def run_period(self, schedule_id: int, period: str, fire_at: str, now: str) -> None:
        runner = copy.copy(self.runner)
        runner.clock = _clock_from(now)
        schedule = await asyncio.to_thread(runner.repo.get_schedule, schedule_id)
        digest = await runner.run_period(
            schedule, Slot(period=period, fire_at=datetime.fromisoformat(fire_at)), deliver=False
        )
        if digest is not None:
            if self.log is not None:
                self.log.digests.append(digest)
            await asyncio.to_thread(self.enqueue_deliveries, runner.clock(), digest.id)

    async def deliver(self, context: Any, delivery_id: int, now: str) -> None:
        # A retry runs when the queue scheduled it: on the real clock, not the enqueuer's.
        retried = bool(context.job.attempts)
        at = datetime.now(UTC) if retried else _clock_from(now)()
        lease = timedelta(seconds=max(60.0, 3 * self.settings.delivery_timeout))
        claimed = await asyncio.to_thread(
            digest_work.claim_delivery, self.store, delivery_id, now=at, lease=lease
        )
        if not claimed:
            return  # sent, failed for good, not due yet, or being sent by another task
        delivery = await self.runner.deliverer.attempt(delivery_id, at)
        if delivery.status == "pending" and delivery.next_attempt_at is not None:
            raise RetryDeliveryError(delivery_id, max(0.0, (delivery.next_attempt_at - at).total_seconds()))
