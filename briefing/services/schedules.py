"""Use cases of the digest commands: change a schedule, run one now, one scheduler pass, poll feeds.

The CLI parses and prints; these functions hold the few decisions (what an update may change, what
makes a repeated `run` the same run, what a pass did) so the API could call them too.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from briefing.config import Settings
from briefing.digests.feeds import FeedPoller, PollResult
from briefing.digests.models import Delivery, Digest, Schedule, ScheduleIn
from briefing.digests.schedules import validate_schedule
from briefing.digests.service import DigestService, Idempotency
from briefing.errors import InputError
from briefing.store import Store
from briefing.store.digest_repo import DigestRepo


def schedule_spec(values: dict[str, Any]) -> ScheduleIn:
    """A `ScheduleIn` from CLI values; a bad value is an InputError naming the field."""
    try:
        return ScheduleIn.model_validate(values)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "schedule"
        raise InputError(f"schedule: {where}: {problem['msg']}") from None


def update_schedule(
    repo: DigestRepo, schedule_id: int, changes: dict[str, Any], settings: Settings
) -> Schedule:
    """Change only the given fields of a schedule (None means "keep"), validated like a new one."""
    current = repo.get_schedule(schedule_id)
    given = {name: value for name, value in changes.items() if value is not None}
    if not given:
        raise InputError(
            "nothing to change: give at least one option (see `briefing schedules update --help`)"
        )
    values = current.model_dump(mode="json", include=set(ScheduleIn.model_fields))
    filters = given.pop("filters", None)
    if filters:
        values["filters"] = {**values["filters"], **{k: v for k, v in filters.items() if v is not None}}
    values.update(given)
    return repo.update_schedule(schedule_id, validate_schedule(schedule_spec(values), settings))


def set_enabled(repo: DigestRepo, schedule_id: int, enabled: bool) -> Schedule:
    """Pause or resume a schedule (a paused one makes no digests and keeps its settings)."""
    current = repo.get_schedule(schedule_id)
    if current.enabled == enabled:
        return current
    return repo.update_schedule(schedule_id, current.model_copy(update={"enabled": enabled}))


def default_run_key(schedule_id: int, now: datetime | None = None) -> str:
    """The idempotency key of `schedules run` without --key: the schedule and the current minute,
    so a command retried right away (a timeout, a double Enter) returns the first run's digest."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"cli-run:{schedule_id}:{moment:%Y-%m-%dT%H:%M}"


async def run_now(
    service: DigestService, schedule_id: int, *, key: str | None, deliver: bool
) -> tuple[Digest, bool]:
    """Run a schedule now, once per key and schedule: (digest, replayed) — replayed means an
    earlier run of this schedule with the same key made it, and nothing was built or delivered
    again. A key is the schedule's own (a date used as the key of every schedule's run is no
    clash)."""
    body = json.dumps({"schedule_id": schedule_id, "deliver": deliver}, sort_keys=True)
    if key is None:
        idempotency = Idempotency.of(default_run_key(schedule_id), body)
    else:
        idempotency = Idempotency.of(key, body, scope=f"cli-run:{schedule_id}:key", label="--key")
    digest = await service.run_schedule_now(schedule_id, deliver=deliver, idempotency=idempotency)
    return digest, idempotency.replayed


@dataclass
class PassReport:
    """What one scheduler pass did, for `briefing scheduler --once` to print."""

    polls: list[PollResult] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


async def scheduler_pass(settings: Settings, store: Store) -> PassReport:
    """One pass of the scheduler (due feeds, due periods, due deliveries), and what it did.

    The pass enqueues the due work under the same locks as a scheduler's pass, and this process
    runs the digest queue (procrastinate's, or the embedded one) until nothing is left that can run
    now (a retry scheduled for later stays queued for the workers, or the next pass)."""
    from briefing.queue import kind_of

    repo = DigestRepo(store)
    before = {delivery.id: (delivery.status, delivery.attempts) for delivery in repo.list_deliveries()}
    if kind_of(settings, store) == "procrastinate":
        report = await _queued_pass(settings, store)
    else:
        report = await _local_pass(settings, store)
    for delivery in repo.list_deliveries():
        if before.get(delivery.id) == (delivery.status, delivery.attempts):
            continue  # untouched by this pass
        line = f"delivery {delivery.id} of digest {delivery.digest_id} to {delivery.target}"
        if delivery.status == "delivered":
            report.delivered.append(line)
        elif delivery.attempts != (before.get(delivery.id) or (None, 0))[1]:
            report.failed.append(f"{line}: {delivery.status} ({delivery.last_error or 'no error recorded'})")
    return report


async def _local_pass(settings: Settings, store: Store) -> PassReport:
    from briefing.digests.tasks import QUEUE, DigestTasks, TaskLog
    from briefing.queue import LocalQueue

    queue = LocalQueue(store, settings, {})
    tasks = DigestTasks(settings, store, queue)
    tasks.log = TaskLog()
    try:
        await asyncio.to_thread(tasks.enqueue_due, datetime.now(UTC))
        await queue.drain(queue=QUEUE)
    finally:
        await tasks.runner.builder.briefer.aclose()
    return PassReport(polls=tasks.log.polls, digests=tasks.log.digests)


async def _queued_pass(settings: Settings, store: Store) -> PassReport:
    from briefing.digests.tasks import QUEUE, DigestTasks, TaskLog
    from briefing.queue.pg import ProcrastinateQueue

    queue = ProcrastinateQueue(store, settings, {})
    tasks = DigestTasks(settings, store, queue)
    tasks.log = TaskLog()
    try:
        await asyncio.to_thread(tasks.enqueue_due, datetime.now(UTC))
        async with queue.opened():
            await queue.app.run_worker_async(
                queues=[QUEUE], wait=False, install_signal_handlers=False, listen_notify=False
            )
    finally:
        await tasks.runner.builder.briefer.aclose()
    return PassReport(polls=tasks.log.polls, digests=tasks.log.digests)


async def poll_feeds(poller: FeedPoller, feed_id: int | None) -> list[PollResult]:
    """Poll one feed or all of them now (not only the due ones)."""
    if feed_id is not None:
        return [await poller.poll(feed_id)]
    return [await poller.poll(feed.id) for feed in poller.list_feeds()]


def all_failed(results: list[PollResult]) -> bool:
    """True when there were feeds to poll and every one of them failed: `feeds poll` exits 1."""
    return bool(results) and all(result.status == "error" for result in results)


def none_delivered(deliveries: list[Delivery]) -> bool:
    """True when a run had deliveries and not one of them went out (pending a retry, or failed):
    `schedules run` exits 1, as `feeds poll` does when every feed failed."""
    return bool(deliveries) and not any(delivery.status == "delivered" for delivery in deliveries)
