"""Digest work as procrastinate tasks (PostgreSQL): scheduler passes, feed polls, schedule periods
and deliveries.

The scheduler pass is procrastinate periodic work (`schedule_passes`): every worker that runs the
scheduler also runs procrastinate's deferrer, and the database defers each tick once (its
`procrastinate_periodic_defers` row is unique per task and tick), so N schedulers make one pass
per tick. A pass only enqueues what is due, each item under a queueing lock — `feed:<id>`,
`run:<schedule>:<period>`, `delivery:<id>` — so N schedulers enqueue it once while it waits, and
under the same procrastinate lock, so two tasks for one item never run at once. Each task
re-checks that its item is still due when it starts (another may have just done it); the unique
run row and digest key of a period stay the last guard.

Deliveries and feed entries' page fetches retry with capped exponential backoff (`deliver.backoff`
and `FeedPoller.entry_backoff`, the same formulas as on the embedded queue), as a procrastinate
retry strategy (`RetryLater`); permanent errors (refused address, folder outside the allow-list,
missing setting, a webhook or page 4xx other than 408/429) fail at once.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from procrastinate import JobContext
from procrastinate.jobs import Job as TaskJob
from procrastinate.retry import BaseRetryStrategy, RetryDecision

from briefing.config import Settings
from briefing.digests.build import DigestBuilder
from briefing.digests.feeds import ENTRY_TASK, FeedPoller, PollResult
from briefing.digests.models import Digest
from briefing.digests.periods import Slot, due_slot
from briefing.digests.scheduler import Scheduler
from briefing.store import Store, digest_work

if TYPE_CHECKING:
    from briefing.queue.pg import ProcrastinateQueue

log = logging.getLogger(__name__)

QUEUE = "digests"
PASS_TASK = "briefing.digests.pass"
PASS_LOCK = "digests:pass"
FEED_TASK = "briefing.feeds.poll"
RUN_TASK = "briefing.digests.run"
DELIVER_TASK = "briefing.digests.deliver"


class RetryLaterError(Exception):
    """An attempt failed and may pass later: procrastinate runs the task again after `delay` s."""

    def __init__(self, what: str, delay: float) -> None:
        super().__init__(f"{what}: retry in {delay:g} s")
        self.delay = delay


class RetryDeliveryError(RetryLaterError):
    """A delivery attempt failed and may pass later."""

    def __init__(self, delivery_id: int, delay: float) -> None:
        super().__init__(f"delivery {delivery_id}", delay)


class RetryEntryError(RetryLaterError):
    """A feed entry's page fetch failed and may pass later."""

    def __init__(self, entry_id: int, delay: float) -> None:
        super().__init__(f"feed entry {entry_id}", delay)


class RetryLater(BaseRetryStrategy):
    """Retry only what the task asked to retry, after the capped backoff it computed (its own
    attempt count, kept on its row, decides when to give up; a permanent error is not retried)."""

    def get_retry_decision(self, *, exception: BaseException, job: TaskJob) -> RetryDecision | None:
        if isinstance(exception, RetryLaterError):
            return RetryDecision(retry_in={"seconds": exception.delay})
        return None


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
    """Enqueue due digest work (any scheduler) and run it (any worker), on one ProcrastinateQueue."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        queue: ProcrastinateQueue,
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
        queue.task(DELIVER_TASK, self.deliver, queue=QUEUE, retry=RetryLater(), pass_context=True)
        queue.task(ENTRY_TASK, self.fetch_entry, queue=QUEUE, retry=RetryLater())

    def schedule_passes(self) -> None:
        """Run a scheduler pass every `scheduler_poll_seconds`, as periodic work deferred once per
        tick across every scheduler on the database (`run_pass`)."""
        cron = pass_cron(self.settings.scheduler_poll_seconds)
        self.queue.periodic(PASS_TASK, cron=cron, periodic_id="scheduler", queueing_lock=PASS_LOCK)

    # --- enqueueing (a scheduler pass; blocking, run in a thread) -------------------------------
    def _defer(self, task: str, key: str, args: dict[str, Any]) -> bool:
        return self.store.defer(task, args, queue=QUEUE, lock=key, queueing_lock=key) is not None

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
        """The periodic scheduler pass of one tick: enqueue what is due at the tick's time."""
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
        """One more page fetch of a failing feed entry; a failure that may pass is retried by
        procrastinate after the entry's capped backoff, a permanent one (or the last) fails it."""
        now = datetime.now(UTC)  # a retry runs when procrastinate scheduled it: the real clock
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

    async def deliver(self, context: JobContext, delivery_id: int, now: str) -> None:
        # A retry runs when procrastinate scheduled it: on the real clock, not the enqueuer's.
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
