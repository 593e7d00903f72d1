"""Job rows: the durable record of accepted work (claimed with leases so crashed work is resumed)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from briefing.errors import NotFoundError
from briefing.models import Article
from briefing.store.tables import ArticleRow, JobRow, utcnow

JobStatus = Literal["queued", "running", "succeeded", "failed"]
ACTIVE = ("queued", "running")


class Job(BaseModel):
    id: str
    kind: str
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


def _job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        status=row.status,  # type: ignore[arg-type]
        payload=row.payload,
        attempts=row.attempts,
        error=row.error,
        result_id=row.result_id,
        result=row.result,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


class JobsMixin:
    """Job methods of `Store`."""

    engine: Engine
    session: Callable[[], AbstractContextManager[Session]]  # provided by Store
    _add_article: Callable[[Session, Article], tuple[ArticleRow, bool]]

    def submit_job(self, kind: str, payload: dict[str, Any], *, article: Article | None = None) -> Job:
        """Store the job (and its article) in one transaction, before any work starts."""
        now = utcnow()
        row = JobRow(
            id=uuid.uuid4().hex,
            kind=kind,
            payload=payload,
            status="queued",
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        with self.session() as session:
            if article is not None:
                self._add_article(session, article)
            session.add(row)
            session.flush()
            return _job(row)

    def get_job(self, job_id: str) -> Job | None:
        with self.session() as session:
            row = session.get(JobRow, job_id)
            return _job(row) if row is not None else None

    def count_active_jobs(self) -> int:
        with self.session() as session:
            return int(session.scalar(select(func.count()).where(JobRow.status.in_(ACTIVE))) or 0)

    def claim_job(self, *, lease_seconds: float, kinds: tuple[str, ...] | None = None) -> Job | None:
        """Atomically move the oldest queued job to running; None when the queue is empty."""
        now = utcnow()
        with self.session() as session:
            query = select(JobRow.id).where(JobRow.status == "queued").order_by(JobRow.created_at).limit(1)
            if kinds:
                query = query.where(JobRow.kind.in_(kinds))
            if self.engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            job_id = session.scalar(query)
            if job_id is None:
                return None
            claimed = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == "queued")
                .values(
                    status="running",
                    attempts=JobRow.attempts + 1,
                    lease_until=now + timedelta(seconds=lease_seconds),
                    started_at=now,
                    updated_at=now,
                )
            )
            if claimed.rowcount != 1:  # another process won the race
                return None
            row = session.get(JobRow, job_id, populate_existing=True)
            assert row is not None
            return _job(row)

    def extend_lease(self, job_id: str, *, lease_seconds: float) -> None:
        now = utcnow()
        with self.session() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == "running")
                .values(lease_until=now + timedelta(seconds=lease_seconds), updated_at=now)
            )

    def finish_job(self, job_id: str, *, result_id: str | None, result: dict[str, Any] | None) -> None:
        now = utcnow()
        with self.session() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(
                    status="succeeded",
                    result_id=result_id,
                    result=result,
                    error=None,
                    lease_until=None,
                    finished_at=now,
                    updated_at=now,
                )
            )

    def fail_job(self, job_id: str, *, error: dict[str, Any]) -> None:
        now = utcnow()
        with self.session() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id)
                .values(status="failed", error=error, lease_until=None, finished_at=now, updated_at=now)
            )

    def requeue_expired(self, *, max_attempts: int, now: datetime | None = None) -> int:
        """Running jobs whose lease ran out (their worker died) go back to the queue.

        A job that has already used `max_attempts` fails instead, so a job that crashes the
        process every time cannot loop forever.
        """
        now = now or utcnow()
        expired = (JobRow.status == "running", JobRow.lease_until < now)
        with self.session() as session:
            session.execute(
                update(JobRow)
                .where(*expired, JobRow.attempts >= max_attempts)
                .values(
                    status="failed",
                    error={"type": "JobAbandoned", "message": f"worker stopped {max_attempts} times"},
                    lease_until=None,
                    finished_at=now,
                    updated_at=now,
                )
            )
            requeued = session.execute(
                update(JobRow).where(*expired).values(status="queued", lease_until=None, updated_at=now)
            )
            return int(requeued.rowcount or 0)

    def retry_job(self, job_id: str) -> Job:
        """Queue a failed job again; returns the job as it now stands."""
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
                session.refresh(row)
            return _job(row)
