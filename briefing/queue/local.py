"""The embedded work queue: jobs run in-process over the store's `jobs` table (SQLite's default).

It runs brief jobs and registered tasks alike (the digest work: feed polls, schedule periods,
deliveries, feed entry retries), each a row of the table: a task deferred under a lock is queued
once (one queued or running job per lock), and a task that asks to be retried later is held back
on its row until then (`run_after`), as procrastinate does on PostgreSQL.

Claims carry leases (the rule in briefing/store/leases.py) renewed on the one heartbeat
(briefing/queue/heartbeat.py); a lease that is not renewed (the worker died) sends the job back
to the queue, and every result write is fenced with the claim. Every store call runs in a worker
thread, so a slow database never stalls the event loop. On PostgreSQL the same protocol is served
by procrastinate (`briefing.queue.pg`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from briefing.config import Settings
from briefing.errors import BriefingError, NotFoundError
from briefing.models import Article
from briefing.queue.base import (
    FINAL,
    Handler,
    Outcome,
    RetryLaterError,
    TaskContext,
    TaskRun,
    error_document,
    wait_any,
)
from briefing.queue.heartbeat import Heartbeat, LeaseLostError
from briefing.store import ClaimLostError, Job, Store
from briefing.store.tables import utcnow

__all__ = ["LocalQueue"]

log = logging.getLogger("briefing.queue")

BRIEF_QUEUE = "jobs"  # the queue of brief jobs; digest work has queues of its own
# Finished digest-task rows are kept this long (what the scheduler did lately), then deleted.
TASK_RETENTION = timedelta(days=1)
PRUNE_EVERY = 600.0  # seconds between prunes: a DELETE that scans finished jobs, once in a while


class LocalQueue:
    """Jobs in the store's table, run by one dispatcher task per process with bounded concurrency."""

    engine = "local"

    def __init__(self, store: Store, settings: Settings, handlers: dict[str, Handler]) -> None:
        self.store = store
        self.settings = settings
        self.handlers = handlers
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._slots: asyncio.Semaphore | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._task_queues: dict[str, str] = {}  # registered task -> its queue
        self.running = 0

    # --- the JobQueue protocol -------------------------------------------------------------------
    def submit(self, kind: str, payload: dict[str, Any], *, article: Article | None = None) -> Job:
        """Persist the job (refusing when the queue is full), then nudge the dispatcher."""
        if kind not in self.handlers:
            raise BriefingError(f"no handler for job kind {kind!r}")
        job = self.store.submit_job(kind, payload, article=article, limit=self.settings.queue_limit)
        self._notify()
        return job

    async def run_now(
        self, kind: str, payload: dict[str, Any], *, article: Article | None = None, timeout: float
    ) -> tuple[Job, Outcome | None]:
        """Run a job in the caller's task when a worker slot is free (the synchronous fast path).

        The job is stored already claimed — one transaction, still before any work starts — and a
        handler that records its result with the job's completion makes it two in all. When no
        slot is free (or jobs are waiting for one), the job is queued instead and the outcome is
        None: the caller waits for it like any other. If this process dies mid-run, the lease
        lapses and the job is resumed like a dispatched one.
        """
        if kind not in self.handlers:
            raise BriefingError(f"no handler for job kind {kind!r}")
        slots = self._slots
        if slots is None or slots.locked():
            return await asyncio.to_thread(self.submit, kind, payload, article=article), None
        await slots.acquire()  # free and uncontended: returns without yielding
        try:
            job = await asyncio.to_thread(
                self.store.submit_job,
                kind,
                payload,
                article=article,
                run_lease_seconds=self.settings.job_lease_seconds,
                limit=self.settings.queue_limit,
            )
        except BaseException:
            slots.release()
            raise
        task = self._track(asyncio.create_task(self._execute(job, slots)))
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            return job, None
        return task.result()

    def task(
        self,
        name: str,
        function: Callable[..., Awaitable[Any]],
        *,
        queue: str,
        retry: bool = False,
        pass_context: bool = False,
    ) -> None:
        """Register an async task this queue's workers run: a job of kind `name` whose payload is the
        task's keyword arguments. With `retry`, a `RetryLaterError` queues the job again after its
        delay (the same row, so its lock keeps other copies out meanwhile); any other error fails it."""

        async def run(job: Job) -> Outcome:
            arguments = dict(job.payload)
            if pass_context:
                arguments["context"] = TaskContext(TaskRun(attempts=max(0, job.attempts - 1)))
            try:
                await function(**arguments)
            except RetryLaterError as later:
                if not retry:
                    raise
                return Outcome(retry_in=later.delay)
            return Outcome()

        self.handlers[name] = run
        self._task_queues[name] = queue

    def defer(
        self, task: str, args: dict[str, Any], *, queue: str, lock: str, at: datetime | None = None
    ) -> bool:
        """Queue a registered task once per `lock` (False when one is queued or running already)."""
        job = self.store.defer_job(task, args, queue=queue, lock=lock, run_after=at)
        if job is not None:
            self._notify()
        return job is not None

    async def drain(self, *, queue: str) -> int:
        """Run the jobs of `queue` this process can take now, one at a time, until none is left
        (`briefing scheduler --once`; a retry held back for later stays queued). How many ran."""
        kinds = self._kinds([queue])
        await self._reap(prune=True)  # a run killed mid-job (a cron pass) left its row running
        ran = 0
        while kinds:
            job = await asyncio.to_thread(
                self.store.claim_job, lease_seconds=self.settings.job_lease_seconds, kinds=kinds
            )
            if job is None:
                break
            await self._execute(job, asyncio.Semaphore(0))
            ran += 1
        return ran

    def get(self, job_id: str) -> Job | None:
        """A brief job by id; None for digest work, which is this queue's own business (a client
        never sees, nor retries, a feed poll or a delivery task)."""
        job = self.store.get_job(job_id)
        return job if job is not None and job.queue == BRIEF_QUEUE else None

    def retry(self, job_id: str) -> Job:
        self._brief_job(job_id)
        job = self.store.retry_job(job_id)
        if job.status == "queued":
            self._notify()
        return job

    async def wait(self, job_id: str, timeout: float) -> Job | None:
        """The job once it is finished, or as it stands when `timeout` runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            future: asyncio.Future[None] = loop.create_future()
            self._waiters.setdefault(job_id, []).append(future)
            try:
                job = await asyncio.to_thread(self.store.get_job, job_id)
                remaining = deadline - loop.time()
                if job is None or job.status in FINAL or remaining <= 0:
                    return job
                # Polling covers jobs finished by a worker in another process.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(future, min(remaining, self.settings.job_poll_seconds))
            finally:
                waiters = self._waiters.get(job_id, [])
                if future in waiters:
                    waiters.remove(future)
                if not waiters:
                    self._waiters.pop(job_id, None)

    async def run_worker(self, stop: asyncio.Event, *, queues: list[str] | None = None) -> None:
        """Claim and run jobs (of `queues`, or of every registered kind) until `stop` is set; at most
        `settings.workers` at a time."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        slots = self._slots = asyncio.Semaphore(max(1, self.settings.workers))
        next_reap = next_prune = 0.0
        try:
            while not stop.is_set():
                if time.monotonic() >= next_reap:
                    prune = time.monotonic() >= next_prune
                    await self._reap(prune=prune)
                    next_reap = time.monotonic() + max(0.1, self.settings.job_lease_seconds / 2)
                    if prune:
                        next_prune = time.monotonic() + PRUNE_EVERY
                await slots.acquire()
                self._wakeup.clear()
                try:
                    job = await asyncio.to_thread(
                        self.store.claim_job,
                        lease_seconds=self.settings.job_lease_seconds,
                        kinds=self._kinds(queues),  # only what this process can run
                    )
                except BaseException:
                    slots.release()
                    raise
                if job is None:
                    slots.release()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wait_any(self._wakeup, stop), self.settings.job_poll_seconds)
                    continue
                self._track(asyncio.create_task(self._execute(job, slots)))
        finally:
            # Unfinished jobs keep their rows; their leases lapse and the next start resumes them.
            self._slots = None
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    # --- internals -----------------------------------------------------------------------------
    def _brief_job(self, job_id: str) -> Job:
        """The brief job `job_id`, or NotFoundError (digest work included: clients never see it)."""
        job = self.get(job_id)
        if job is None:
            raise NotFoundError(f"no job with id {job_id!r}")
        return job

    async def _reap(self, *, prune: bool) -> None:
        """Send jobs whose lease lapsed (their worker died) back to the queue, and with `prune`
        delete finished digest-task rows past their retention."""
        requeued = await asyncio.to_thread(
            self.store.requeue_expired, max_attempts=self.settings.job_max_attempts
        )
        if requeued:
            log.warning("requeued %d interrupted job(s)", requeued)
        if prune:
            await asyncio.to_thread(self.store.prune_tasks, older_than=TASK_RETENTION)

    def _kinds(self, queues: list[str] | None) -> tuple[str, ...]:
        """The job kinds this process runs from `queues` (brief jobs are queue "jobs")."""
        return tuple(
            kind
            for kind in self.handlers
            if queues is None or self._task_queues.get(kind, BRIEF_QUEUE) in queues
        )

    def _notify(self) -> None:
        loop, wakeup = self._loop, self._wakeup
        if loop is None or wakeup is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wakeup.set()
        else:
            loop.call_soon_threadsafe(wakeup.set)

    def _finished(self, job_id: str) -> None:
        for future in self._waiters.get(job_id, []):
            if future.done():
                continue
            if future.get_loop() is asyncio.get_running_loop():
                future.set_result(None)
            else:
                future.get_loop().call_soon_threadsafe(_resolve, future)

    def _track(self, task: asyncio.Task[Any]) -> asyncio.Task[Any]:
        """Keep a reference (the loop holds tasks weakly) and cancel it at shutdown."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _execute(self, job: Job, slots: asyncio.Semaphore) -> tuple[Job, Outcome | None]:
        """Run a claimed job, record how it ended, free its slot; (job as it ended, outcome).

        Every write is fenced with the claim (`job` as claimed): when the lease lapsed and another
        worker took the job over, the heartbeat stops this run and nothing of it is written.
        """
        self.running += 1
        lease, claim = self.settings.job_lease_seconds, job

        def renew() -> bool:
            return self.store.extend_lease(claim.id, lease_seconds=lease, claim=claim)

        outcome: Outcome | None = None
        try:
            async with Heartbeat(renew, interval=max(0.05, lease / 3), what=f"job {job.id}") as beat:
                try:
                    outcome = await beat.guard(self.handlers[job.kind](job))
                except LeaseLostError:
                    raise _claim_lost(job) from None
                except ClaimLostError:
                    raise
                except Exception as error:
                    if not isinstance(error, BriefingError):
                        log.exception("job %s (%s) crashed", job.id, job.kind)
                    else:
                        log.warning("job %s (%s) failed: %s", job.id, job.kind, error.message)
                    document = error_document(error)
                    await asyncio.to_thread(self.store.fail_job, job.id, error=document, claim=job)
                    job = job.model_copy(update={"status": "failed", "error": document})
                else:
                    if outcome.retry_in is not None:  # a task's retry: queued again, held back
                        run_after = utcnow() + timedelta(seconds=outcome.retry_in)
                        await asyncio.to_thread(self.store.retry_job_later, job, run_after=run_after)
                        return job.model_copy(update={"status": "queued", "run_after": run_after}), outcome
                    if not outcome.recorded:
                        await asyncio.to_thread(
                            self.store.finish_job,
                            job.id,
                            result_id=outcome.result_id,
                            result=outcome.result,
                            claim=job,
                        )
                    job = job.model_copy(
                        update={
                            "status": "succeeded",
                            "result_id": outcome.result_id,
                            "result": outcome.result,
                        }
                    )
        except ClaimLostError as lost:
            log.warning("%s", lost.message)
            outcome = None
            job = await asyncio.to_thread(self.store.get_job, job.id) or job
        finally:
            self.running -= 1
            slots.release()
        self._finished(job.id)
        return job, outcome


def _claim_lost(job: Job) -> ClaimLostError:
    return ClaimLostError(f"job {job.id}: attempt {job.attempts} lost its lease to another worker; stopped")


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
