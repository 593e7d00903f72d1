"""A worker: the process's runtime running durable work (brief jobs and the digest scheduler).

`briefing worker` runs one alone, so work scales apart from the API (`briefing serve --no-worker`
answers HTTP and queues work for the workers). Any number of workers share one database: jobs —
brief jobs and digest work alike — are claimed atomically with fenced leases, and each piece of
digest work is queued once under its lock.
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
    from briefing.digests.tasks import DigestTasks

log = logging.getLogger("briefing.worker")


def digest_scheduler(runtime: Runtime, queue: WorkQueue, *, scheduler: bool = True) -> DigestTasks | None:
    """Register the digest tasks on this process's queue (its workers run them), and set up its
    scheduler; the tasks, when a scheduler loop is to run here.

    On procrastinate, with `scheduler`, the pass becomes periodic work, deferred once per tick
    across every process on the database: no loop to run here. On the embedded queue the loop
    (`DigestTasks.run_passes`) runs the pass; its locks queue each piece of work once however many
    processes run it."""
    from briefing.digests.tasks import DigestTasks

    settings = runtime.settings
    on = scheduler and settings.scheduler_enabled
    tasks = DigestTasks(settings, runtime.store, queue, builder=runtime.digests.builder, feeds=runtime.feeds)
    if queue.engine == "procrastinate":
        if on:
            tasks.schedule_passes()
        return None
    return tasks if on else None


async def run_worker(
    settings: Settings, *, scheduler: bool = True, jobs: bool = True, stop: asyncio.Event | None = None
) -> None:
    """Run brief jobs (and, with `scheduler`, schedules, feed polls and deliveries) until `stop` is set
    or the process gets SIGTERM/SIGINT; unfinished jobs keep their rows and are resumed elsewhere.
    `jobs=False` runs the digest work only (`briefing scheduler`)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    runtime = await asyncio.to_thread(Runtime.open, settings)
    briefs = Briefs(settings, runtime.store, None, briefer=runtime.briefer, stories=runtime.stories)
    digests = digest_scheduler(runtime, briefs.queue, scheduler=scheduler)  # registers digest tasks
    from briefing.digests.tasks import QUEUE as DIGESTS

    queues = None if jobs else [DIGESTS]  # on procrastinate the periodic pass runs in this worker
    tasks = [asyncio.create_task(briefs.queue.run_worker(stop, queues=queues), name="briefing-jobs")]
    if jobs and runtime.stories is not None:  # articles briefed by this worker's jobs get stories
        tasks.append(asyncio.create_task(runtime.stories.run(stop), name="briefing-stories"))
    if digests is not None:
        tasks.append(asyncio.create_task(digests.run_passes(stop), name="briefing-scheduler"))
    log.info(
        "worker started",
        extra={"database": runtime.store.engine.dialect.name, "scheduler": scheduler, "jobs": jobs},
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
