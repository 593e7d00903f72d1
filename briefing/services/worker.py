"""A worker: the process's runtime running durable work (brief jobs and the digest scheduler).

`briefing worker` runs one alone, so work scales apart from the API (`briefing serve --no-worker`
answers HTTP and queues work for the workers). Any number of workers share one database: jobs are
claimed atomically with fenced leases, schedule periods and deliveries are claimed once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING

from briefing.config import Settings
from briefing.queue import WorkQueue
from briefing.runtime import Runtime
from briefing.services.briefs import Briefs

if TYPE_CHECKING:
    from briefing.digests.scheduler import Scheduler

log = logging.getLogger("briefing.worker")


def digest_scheduler(runtime: Runtime, queue: WorkQueue, *, scheduler: bool = True) -> Scheduler | None:
    """Register the digest tasks on a procrastinate queue (every worker runs them), and return the
    scheduler loop this process runs, if any: on procrastinate it only enqueues due work (once, under
    queueing locks); on the embedded queue it runs it, claiming periods and deliveries with leases."""
    from briefing.digests.scheduler import Scheduler

    settings = runtime.settings
    tasks = None
    if queue.engine == "procrastinate":
        from briefing.digests.tasks import DigestTasks

        tasks = DigestTasks(
            settings, runtime.store, queue, builder=runtime.digests.builder, feeds=runtime.feeds
        )
    if not (scheduler and settings.scheduler_enabled):
        return None
    return Scheduler(settings, runtime.store, builder=runtime.digests.builder, tasks=tasks)


async def run_worker(
    settings: Settings, *, scheduler: bool = True, stop: asyncio.Event | None = None
) -> None:
    """Run brief jobs (and, with `scheduler`, schedules, feed polls and deliveries) until `stop` is set
    or the process gets SIGTERM/SIGINT; unfinished jobs keep their rows and are resumed elsewhere."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    runtime = await asyncio.to_thread(Runtime.open, settings)
    briefs = Briefs(settings, runtime.store, None, briefer=runtime.briefer)
    digests = digest_scheduler(runtime, briefs.queue, scheduler=scheduler)  # registers digest tasks
    tasks = [asyncio.create_task(briefs.queue.run_worker(stop), name="briefing-jobs")]
    if digests is not None:
        tasks.append(asyncio.create_task(digests.run_forever(stop), name="briefing-scheduler"))
    log.info(
        "worker started",
        extra={"database": runtime.store.engine.dialect.name, "scheduler": len(tasks) > 1},
    )
    try:
        await stop.wait()
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await runtime.aclose()
        log.info("worker stopped")
