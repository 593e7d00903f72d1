"""Durable work on PostgreSQL with procrastinate: brief jobs (and the digest tasks) as procrastinate tasks.

Our `jobs` table stays what clients read (status, attempts, result); a job row and the
procrastinate job that runs it are inserted in one transaction. procrastinate workers fetch
tasks with `SELECT … FOR UPDATE SKIP LOCKED`, wake on LISTEN/NOTIFY, and send a heartbeat every
third of `job_lease_seconds`; every worker also looks, four times per lease, for tasks whose
worker stopped sending heartbeats (killed, frozen, cut off) and retries them, so stalled work runs
again within about 1.25 leases. The retried run takes the job over with a new attempt, which fences the
stalled run's writes (a frozen worker that resumes writes nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate.jobs import Job as TaskJob
from procrastinate.psycopg_connector import PsycopgConnector
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from sqlalchemy.engine import URL

from briefing.config import Settings
from briefing.errors import BriefingError
from briefing.models import Article
from briefing.queue.base import Handler, Outcome, RetryLaterError
from briefing.queue.local import LocalQueue
from briefing.store import ClaimLostError, Job, Store

log = logging.getLogger("briefing.queue")

JOB_TASK = "briefing.job"
JOB_QUEUE = "jobs"


class RetryLater(BaseRetryStrategy):
    """Retry only what the task asked to retry, after the capped backoff it computed (its own
    attempt count, kept on its row, decides when to give up; a permanent error is not retried)."""

    def get_retry_decision(self, *, exception: BaseException, job: TaskJob) -> RetryDecision | None:
        if isinstance(exception, RetryLaterError):
            return RetryDecision(retry_in={"seconds": exception.delay})
        return None


def conninfo(url: URL) -> str:
    """The libpq URI of a SQLAlchemy PostgreSQL URL (its options, e.g. a search_path, kept)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class ProcrastinateQueue(LocalQueue):
    """The `WorkQueue` protocol over procrastinate; waiting and fencing are shared with `LocalQueue`."""

    engine = "procrastinate"

    def __init__(self, store: Store, settings: Settings, handlers: dict[str, Handler]) -> None:
        super().__init__(store, settings, handlers)
        self.app = procrastinate.App(
            connector=PsycopgConnector(conninfo=conninfo(store.engine.url), min_size=1, max_size=4)
        )
        self.app.task(name=JOB_TASK, queue=JOB_QUEUE)(self._job_task)

    # --- registration of other tasks (digests) --------------------------------------------------
    def task(
        self,
        name: str,
        function: Callable[..., Awaitable[Any]],
        *,
        queue: str,
        retry: bool = False,
        pass_context: bool = False,
    ) -> None:
        """Register an async task this queue's workers run (its arguments are JSON keywords); with
        `retry`, a `RetryLaterError` runs it again after its delay (a procrastinate retry strategy)."""
        strategy = RetryLater() if retry else False
        self.app.task(name=name, queue=queue, retry=strategy, pass_context=pass_context)(function)

    def defer(
        self, task: str, args: dict[str, Any], *, queue: str, lock: str, at: datetime | None = None
    ) -> bool:
        """Defer a registered task once per `lock`; False when one is waiting already."""
        return self.store.defer_locked(task, args, queue=queue, lock=lock, at=at)

    def periodic(self, name: str, *, cron: str, periodic_id: str, queueing_lock: str) -> None:
        """Make the registered task `name` periodic work: every worker of this process runs
        procrastinate's deferrer, and the database defers each tick once, however many workers
        (on however many machines) try; the task gets the tick's `timestamp` (Unix seconds)."""
        self.app.periodic(cron=cron, periodic_id=periodic_id, queueing_lock=queueing_lock)(
            self.app.tasks[name]
        )

    # --- the WorkQueue protocol ------------------------------------------------------------------
    def submit(self, kind: str, payload: dict[str, Any], *, article: Article | None = None) -> Job:
        """Store the job and defer its task in one transaction (refusing when the queue is full)."""
        if kind not in self.handlers:
            raise BriefingError(f"no handler for job kind {kind!r}")
        return self.store.submit_job(
            kind, payload, article=article, limit=self.settings.queue_limit, task=(JOB_TASK, JOB_QUEUE)
        )

    async def run_now(
        self, kind: str, payload: dict[str, Any], *, article: Article | None = None, timeout: float
    ) -> tuple[Job, Outcome | None]:
        """Queue the job; the caller waits for it (any worker on the database may run it)."""
        return await asyncio.to_thread(self.submit, kind, payload, article=article), None

    def retry(self, job_id: str) -> Job:
        self._brief_job(job_id)
        return self.store.retry_job(job_id, task=(JOB_TASK, JOB_QUEUE))

    async def run_worker(self, stop: asyncio.Event, *, queues: list[str] | None = None) -> None:
        """Run a procrastinate worker (`queues`, or all of this app's) until `stop` is set or this is
        cancelled; running tasks are given back to the queue, and the pool is closed, before returning."""
        self._loop = asyncio.get_running_loop()
        lease = self.settings.job_lease_seconds
        async with self.opened():
            worker = asyncio.create_task(
                self.app.run_worker_async(
                    queues=queues,
                    concurrency=max(1, self.settings.workers),
                    install_signal_handlers=False,
                    update_heartbeat_interval=max(0.1, lease / 3),
                    stalled_worker_timeout=lease,
                    shutdown_graceful_timeout=0,  # unfinished tasks are requeued, as on SQLite
                    fetch_job_polling_interval=self.settings.job_poll_seconds,
                    abort_job_polling_interval=max(self.settings.job_poll_seconds, 1.0),
                    delete_jobs="successful",
                ),
                name="procrastinate-worker",
            )
            reaper = asyncio.create_task(self._retry_stalled(), name="procrastinate-stalled")
            stopping = asyncio.create_task(stop.wait())
            try:
                await asyncio.wait({worker, stopping}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (reaper, stopping, worker):
                    task.cancel()
                _, pending = await asyncio.wait({worker, reaper, stopping}, timeout=15)
                if pending:
                    log.error("the procrastinate worker did not stop within 15 s")
            if worker.done() and not worker.cancelled() and worker.exception() is not None:
                raise worker.exception()  # type: ignore[misc]

    @contextlib.asynccontextmanager
    async def opened(self) -> AsyncIterator[procrastinate.App]:
        """The app with its connection pool open, and closed afterwards, even when cancelled while
        it opens: procrastinate's `open_async` context is not entered then, and psycopg_pool treats
        a cancelled connect as a failed one, retrying it for minutes (a stopping process hangs)."""
        try:
            await self.app.open_async()
            yield self.app
        finally:
            await self.app.close_async()

    # --- internals -----------------------------------------------------------------------------
    async def _retry_stalled(self) -> None:
        """Four times per lease, retry the tasks of workers that stopped sending heartbeats."""
        lease = self.settings.job_lease_seconds
        manager = self.app.job_manager
        while True:
            await asyncio.sleep(max(0.1, lease / 4))
            try:
                stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=lease)
            except Exception as error:  # the database is away for a moment: try again next time
                log.warning("looking for stalled tasks failed: %s", error)
                continue
            for job in stalled:
                try:
                    await manager.retry_job(job)
                except Exception as error:  # another worker retried it first
                    log.debug("stalled task %s not retried: %s", job.id, error)
                    continue
                log.warning("task %s (%s): its worker stopped; retried", job.id, job.task_name)

    async def _job_task(self, job_id: str) -> None:
        """The procrastinate task of a brief job: claim the row (a new, fencing attempt) and run it."""
        job = await asyncio.to_thread(
            self.store.start_job,
            job_id,
            max_attempts=self.settings.job_max_attempts,
            lease_seconds=self.settings.job_lease_seconds,
        )
        if job is None:
            self._finished(job_id)
            return
        try:
            await self._execute(job, asyncio.Semaphore(0))
        except asyncio.CancelledError:
            # This worker is stopping: hand the job back (fenced, so a taken-over run does nothing).
            with contextlib.suppress(ClaimLostError):
                await asyncio.shield(
                    asyncio.to_thread(self.store.requeue_job, job, task=JOB_TASK, queue=JOB_QUEUE)
                )
            raise
