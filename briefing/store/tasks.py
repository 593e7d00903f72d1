"""procrastinate task rows written by our own transactions (PostgreSQL only).

A brief job is accepted as one transaction: our `jobs` row (what clients read) and the
procrastinate job that runs it are inserted together, so no job is stored without work to run it
and no work runs for a job that was rolled back. This goes through procrastinate's own SQL
function (`procrastinate_defer_jobs_v1`), the one its `defer` calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text, update
from sqlalchemy.exc import IntegrityError

from briefing.store.jobrows import _JOB_COLUMNS, Job, _claim_values, _held_by, _job, _lost
from briefing.store.leases import JOB_LEASE
from briefing.store.tables import JobRow, utcnow

_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, :queueing_lock, "
    "CAST(:args AS jsonb), :scheduled_at)::procrastinate_job_to_defer_v1]))"
)


class TasksMixin:
    """Task rows of `Store`: deferred in the caller's transaction."""

    connection: Callable[[], AbstractContextManager[Connection]]  # provided by Store

    def defer_task(
        self,
        connection: Connection,
        task: str,
        args: dict[str, Any],
        *,
        queue: str,
        lock: str | None = None,
        queueing_lock: str | None = None,
        scheduled_at: datetime | None = None,
    ) -> int | None:
        """Insert a procrastinate job in `connection`'s transaction; its id, or None when a job with
        the same `queueing_lock` is already waiting (the work is queued once)."""
        params = {
            "queue": queue,
            "task": task,
            "lock": lock,
            "queueing_lock": queueing_lock,
            "args": json.dumps(args),
            "scheduled_at": scheduled_at,
        }
        if queueing_lock is None:
            return int(connection.execute(_DEFER, params).scalar_one())
        try:
            with connection.begin_nested():
                return int(connection.execute(_DEFER, params).scalar_one())
        except IntegrityError:
            return None

    def defer(self, task: str, args: dict[str, Any], *, queue: str, **options: Any) -> int | None:
        """`defer_task` in its own transaction."""
        with self.connection() as connection:
            return self.defer_task(connection, task, args, queue=queue, **options)

    def defer_locked(
        self, task: str, args: dict[str, Any], *, queue: str, lock: str, at: datetime | None = None
    ) -> bool:
        """Defer a task once per `lock` (its queueing lock, and its lock, so two never run at once),
        from `at` on; False when one is waiting already."""
        return self.defer(task, args, queue=queue, lock=lock, queueing_lock=lock, scheduled_at=at) is not None

    def start_job(self, job_id: str, *, max_attempts: int, lease_seconds: float) -> Job | None:
        """Claim the job a task runs, whatever state a previous attempt left it in; None when the job
        is gone or finished (the task has nothing to do).

        A job found `running` was interrupted (its worker died or froze and the task was retried):
        it is taken over with a new attempt, which fences the old run's writes. One that has used
        `max_attempts` fails instead, so a job that kills its worker every time cannot loop forever.
        """
        now = utcnow()
        with self.connection() as connection:
            row = connection.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status.in_(("queued", "running")))
                .values(**_claim_values(now, lease_seconds))
                .returning(*_JOB_COLUMNS)
            ).first()
            if row is None:
                return None
            job = _job(row)
            if job.attempts > max_attempts:
                connection.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id)
                    .values(
                        status="failed",
                        attempts=max_attempts,
                        error={"type": "JobAbandoned", "message": f"worker stopped {max_attempts} times"},
                        finished_at=now,
                        updated_at=now,
                        **JOB_LEASE.released(),
                    )
                )
                return None
            return job

    def requeue_job(self, claim: Job, *, task: str, queue: str) -> None:
        """Give an interrupted run's job back to the queue (this worker is shutting down): the row
        goes back to queued and a new task is deferred, in one transaction; fenced with `claim`."""
        now = utcnow()
        with self.connection() as connection:
            requeued = connection.execute(
                update(JobRow)
                .where(*_held_by(claim))
                .values(status="queued", updated_at=now, **JOB_LEASE.released())
            ).rowcount
            if not requeued:
                raise _lost(claim)
            self.defer_task(connection, task, {"job_id": claim.id}, queue=queue)
