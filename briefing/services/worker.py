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

from briefing.config import Settings
from briefing.runtime import Runtime
from briefing.services.briefs import Briefs

log = logging.getLogger("briefing.worker")


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
    tasks = [asyncio.create_task(briefs.queue.run_worker(stop), name="briefing-jobs")]
    if scheduler and settings.scheduler_enabled:
        from briefing.digests.scheduler import Scheduler

        digests = Scheduler(settings, runtime.store, builder=runtime.digests.builder)
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
