"""Job rows: the durable record of accepted work (claimed with leases so crashed work is resumed)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Connection, Engine, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from briefing.errors import BriefingError, NotFoundError
from briefing.models import Article
from briefing.store.leases import JOB_LEASE
from briefing.store.statements import Statements
from briefing.store.tables import JobRow, utcnow

JobStatus = Literal["queued", "running", "succeeded", "failed"]
ACTIVE = ("queued", "running")


class Job(BaseModel):
    id: str
    kind: str
    queue: str = "jobs"  # "jobs" (brief jobs) or the queue of digest work on the embedded queue
    lock_key: str | None = None
    run_after: datetime | None = None
    status: JobStatus
    payload: dict[str, Any]
    attempts: int
    error: dict[str, Any] | None = None
    result_id: str | None = None
    result: dict[str, Any] | None = None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


_JOB_COLUMNS = tuple(JobRow.__table__.c)


class QueueFullError(BriefingError):
    """Too much accepted work is waiting; the client should come back after `retry_after` seconds."""

    http_status = 429
    exit_code = 3

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ClaimLostError(BriefingError):
    """A worker's claim on a job is gone: its lease lapsed and the job was requeued or claimed again.

    Raised instead of writing, so a worker that was frozen (or cut off) and resumes cannot overwrite
    the result of the run that replaced it; its work is dropped.
    """

    http_status = 409


def _lost(claim: Job) -> ClaimLostError:
    return ClaimLostError(
        f"job {claim.id}: attempt {claim.attempts} was taken over by another worker; its outcome is dropped"
    )


def _fence(claim: Job) -> dict[str, Any]:
    return {"p_attempt": claim.attempts, "p_started": claim.started_at}


def _held_by(claim: Job) -> tuple[ColumnElement[bool], ...]:
    """The job row is still held by `claim` (the fence of a write as ORM conditions)."""
    return (
        JobRow.id == claim.id,
        JOB_LEASE.holding(),
        JobRow.attempts == claim.attempts,
        JobRow.started_at == claim.started_at,
    )


def _claim_values(now: datetime, lease_seconds: float) -> dict[str, Any]:
    """A claim of a job row: running, one more attempt (the fence for its writes), a fresh lease."""
    return {
        **JOB_LEASE.hold(now, timedelta(seconds=lease_seconds)),
        "attempts": JobRow.attempts + 1,
        "started_at": now,
        "updated_at": now,
    }


def _job(row: Any) -> Job:
    # Rows come from our own table, so the model is built without re-validating them.
    return Job.model_construct(**{column.key: getattr(row, column.key) for column in _JOB_COLUMNS})


class JobsMixin:
    """Job methods of `Store`. Core statements (not the ORM): these run on every request."""

    engine: Engine
    session: Callable[[], AbstractContextManager[Session]]  # provided by Store
    connection: Callable[[], AbstractContextManager[Connection]]  # provided by Store
    sql: Statements  # provided by Store
    _add_article: Callable[[Connection | Session, Article], bool]

    def submit_job(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        article: Article | None = None,
        run_lease_seconds: float | None = None,
        limit: int | None = None,
        task: tuple[str, str] | None = None,
    ) -> Job:
        """Store the job (and its article) in one transaction, before any work starts.

        With `run_lease_seconds` the job is stored already claimed (running, under a lease) by the
        caller, which runs it at once: one transaction instead of insert-then-claim. With `limit`,
        refuses (QueueFullError) when queued + running jobs would exceed it; the count is taken
        after the insert, inside the write transaction, so concurrent submitters cannot both pass
        on SQLite. With `task` (name, queue) a procrastinate task that runs the job is deferred in
        the same transaction (PostgreSQL).
        """
        now = utcnow()
        running = run_lease_seconds is not None
        values: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "kind": kind,
            "payload": payload,
            "attempts": 1 if running else 0,
            "error": None,
            "result_id": None,
            "result": None,
            **(
                JOB_LEASE.hold(now, timedelta(seconds=run_lease_seconds))
                if run_lease_seconds is not None
                else {"status": "queued", "lease_until": None}
            ),
            "created_at": now,
            "updated_at": now,
            "started_at": now if running else None,
            "finished_at": None,
        }
        with self.connection() as connection:
            if article is not None:
                self._add_article(connection, article)
            connection.execute(self.sql.add_job, values)
            if limit is not None:
                active = int(connection.scalar(self.sql.count_active) or 0)
                if active > limit:  # raising rolls the insert back
                    raise QueueFullError(
                        f"the server has {limit} jobs queued or running; retry shortly", retry_after=5
                    )
            if task is not None:
                self.defer_task(connection, task[0], {"job_id": values["id"]}, queue=task[1])  # type: ignore[attr-defined]
        return Job.model_construct(**values)

    def get_job(self, job_id: str) -> Job | None:
        with self.connection() as connection:
            row = connection.execute(self.sql.get_job, {"p_id": job_id}).first()
        return _job(row) if row is not None else None

    def count_active_jobs(self) -> int:
        with self.connection() as connection:
            return int(connection.scalar(self.sql.count_active) or 0)

    def defer_job(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        queue: str,
        lock: str | None = None,
        run_after: datetime | None = None,
    ) -> Job | None:
        """Queue a piece of work for the embedded queue (digest work); None when a job with the same
        `lock` is already queued or running (the work is queued once, like procrastinate's queueing
        lock). `run_after` holds it back until then."""
        now = utcnow()
        values: dict[str, Any] = {  # the other columns start empty (NULL)
            "id": uuid.uuid4().hex,
            "kind": kind,
            "queue": queue,
            "lock_key": lock,
            "run_after": run_after,
            "payload": payload,
            "status": "queued",
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self.connection() as connection:
                connection.execute(self.sql.add_job, values)
        except IntegrityError:
            if lock is None:
                raise
            return None
        return Job.model_construct(**values)

    def prune_tasks(self, *, older_than: timedelta, now: datetime | None = None) -> int:
        """Delete finished digest-task rows (any queue but brief jobs') that ended before `now -
        older_than`: they are the embedded queue's work log, not results a client reads, and a
        scheduler adds some every pass. Brief jobs are kept (clients read them by id)."""
        cutoff = (now or utcnow()) - older_than
        with self.connection() as connection:
            return int(
                connection.execute(
                    delete(JobRow).where(
                        JobRow.queue != "jobs",
                        JobRow.status.in_(("succeeded", "failed")),
                        JobRow.finished_at < cutoff,
                    )
                ).rowcount
                or 0
            )

    def retry_job_later(self, claim: Job, *, run_after: datetime) -> None:
        """Give a claimed job back to the queue, to run again from `run_after` (a retry after its
        backoff); fenced with the claim (ClaimLostError when another worker took the job over)."""
        now = utcnow()
        with self.connection() as connection:
            done = connection.execute(
                update(JobRow)
                .where(*_held_by(claim))
                .values(status="queued", run_after=run_after, updated_at=now, **JOB_LEASE.released())
            ).rowcount
        if not done:
            raise _lost(claim)

    def claim_job(self, *, lease_seconds: float, kinds: tuple[str, ...] | None = None) -> Job | None:
        """Atomically move the oldest queued job that may run now (of `kinds`, when given) to
        running; None when there is none."""
        now = utcnow()
        with self.connection() as connection:
            query = (
                select(JobRow.id)
                .where(JobRow.status == "queued", or_(JobRow.run_after.is_(None), JobRow.run_after <= now))
                .order_by(JobRow.created_at)
                .limit(1)
            )
            if kinds is not None:  # () claims nothing: a worker with no handler for any kind
                query = query.where(JobRow.kind.in_(kinds))
            if self.engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            job_id = connection.scalar(query)
            if job_id is None:
                return None
            claimed = connection.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == "queued")
                .values(**_claim_values(now, lease_seconds))
                .returning(*_JOB_COLUMNS)
            ).first()
            return _job(claimed) if claimed is not None else None  # None: another process won the race

    def extend_lease(self, job_id: str, *, lease_seconds: float, claim: Job | None = None) -> bool:
        """Renew a running job's lease; with `claim`, only while that claim holds (False once lost)."""
        now = utcnow()
        params = {"p_id": job_id, "p_until": now + timedelta(seconds=lease_seconds), "p_now": now}
        statement = self.sql.extend_lease
        if claim is not None:
            params.update(_fence(claim))
            statement = self.sql.extend_lease_fenced
        with self.connection() as connection:
            return bool(connection.execute(statement, params).rowcount)

    def check_claim(self, connection: Connection, claim: Job) -> None:
        """Lock the job row while `claim` still holds it, in `connection`'s transaction; else raise
        ClaimLostError (which rolls that transaction back, so nothing of the stale result is kept)."""
        params = {"p_id": claim.id, "p_now": utcnow(), **_fence(claim)}
        if not connection.execute(self.sql.touch_claim, params).rowcount:
            raise _lost(claim)

    def finish_job(
        self,
        job_id: str,
        *,
        result_id: str | None,
        result: dict[str, Any] | None,
        connection: Connection | None = None,
        claim: Job | None = None,
    ) -> None:
        """Mark the job succeeded; pass `connection` to do it in the transaction that stored its result.

        With `claim`, only while that claim holds: ClaimLostError when the job was taken over.
        """
        params = {"p_id": job_id, "p_result_id": result_id, "p_result": result, "p_now": utcnow()}
        statement = self.sql.finish_job
        if claim is not None:
            params.update(_fence(claim))
            statement = self.sql.finish_job_fenced
        if connection is not None:
            done = connection.execute(statement, params).rowcount
        else:
            with self.connection() as own:
                done = own.execute(statement, params).rowcount
        if claim is not None and not done:
            raise _lost(claim)

    def fail_job(self, job_id: str, *, error: dict[str, Any], claim: Job | None = None) -> None:
        """Record the job's failure; with `claim`, only while that claim holds (else ClaimLostError)."""
        now = utcnow()
        where = [JobRow.id == job_id, *(_held_by(claim) if claim is not None else ())]
        with self.connection() as connection:
            failed = connection.execute(
                update(JobRow)
                .where(*where)
                .values(status="failed", error=error, finished_at=now, updated_at=now, **JOB_LEASE.released())
            ).rowcount
        if claim is not None and not failed:
            raise _lost(claim)

    def requeue_expired(self, *, max_attempts: int, now: datetime | None = None) -> int:
        """Running jobs whose lease ran out (their worker died) go back to the queue.

        A job that has already used `max_attempts` fails instead, so a job that crashes the
        process every time cannot loop forever.
        """
        now = now or utcnow()
        expired = JOB_LEASE.lapsed(now)
        with self.session() as session:
            session.execute(
                update(JobRow)
                .where(expired, JobRow.attempts >= max_attempts)
                .values(
                    status="failed",
                    error={"type": "JobAbandoned", "message": f"worker stopped {max_attempts} times"},
                    finished_at=now,
                    updated_at=now,
                    **JOB_LEASE.released(),
                )
            )
            requeued = session.execute(
                update(JobRow).where(expired).values(status="queued", updated_at=now, **JOB_LEASE.released())
            )
            return int(requeued.rowcount or 0)

    def retry_job(self, job_id: str, *, task: tuple[str, str] | None = None) -> Job:
        """Queue a failed job again (with `task`, deferring the task that runs it); returns the job."""
        now = utcnow()
        with self.session() as session:
            row = session.get(JobRow, job_id)
            if row is None:
                raise NotFoundError(f"no job with id {job_id!r}")
            if row.status == "failed":
                session.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status == "failed")
                    .values(status="queued", error=None, attempts=0, finished_at=None, updated_at=now)
                )
                if task is not None:
                    self.defer_task(session.connection(), task[0], {"job_id": job_id}, queue=task[1])  # type: ignore[attr-defined]
                session.refresh(row)
            return _job(row)
