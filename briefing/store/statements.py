"""Prebuilt Core statements for the calls made on every request.

Built once per store with bound parameters, so SQLAlchemy compiles each once and later
executions skip statement construction and cache-key generation (a large share of a
brief's service overhead otherwise). Parameter names carry a `p_` prefix because SQLAlchemy
reserves bare column names for the VALUES/SET clauses.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from briefing.store.leases import JOB_LEASE
from briefing.store.tables import ArticleRow, BriefRow, JobRow

ARTICLES = ArticleRow.__table__
BRIEFS = BriefRow.__table__
JOBS = JobRow.__table__
ACTIVE = ("queued", "running")
CACHE_KEY = ("article_id", "engine", "model", "prompt_version")


class Statements:
    def __init__(self, dialect: str) -> None:
        # Only the dialect in use is imported (PostgreSQL's costs ~30 ms of every CLI start-up).
        upsert: Any = import_module(
            "sqlalchemy.dialects.postgresql" if dialect == "postgresql" else "sqlalchemy.dialects.sqlite"
        ).insert
        self.add_article = (
            upsert(ARTICLES).on_conflict_do_nothing(index_elements=["id"]).returning(ARTICLES.c.id)
        )
        self.get_article = select(ARTICLES).where(ARTICLES.c.id == bindparam("p_id"))
        # Fill one metadata field of a stored article only while it is empty: concurrent requests
        # cannot overwrite each other, and rowcount says whether this one filled it.
        self.fill_article = {
            name: update(ARTICLES)
            .where(ARTICLES.c.id == bindparam("p_id"), ARTICLES.c[name].is_(None))
            .values({name: bindparam("p_value", type_=ARTICLES.c[name].type)})
            for name in ("title", "source", "url", "published_at", "language")
        }
        brief = upsert(BRIEFS)
        self.upsert_brief = brief.on_conflict_do_update(
            index_elements=list(CACHE_KEY),
            set_={"data": brief.excluded.data, "created_at": brief.excluded.created_at},
        ).returning(BRIEFS.c.id)
        self.get_brief = select(BRIEFS.c.id, BRIEFS.c.data).where(
            *(BRIEFS.c[name] == bindparam(f"p_{name}") for name in CACHE_KEY)
        )
        self.get_brief_by_id = select(BRIEFS.c.id, BRIEFS.c.data).where(BRIEFS.c.id == bindparam("p_id"))
        self.add_job = insert(JOBS)
        self.get_job = select(JOBS).where(JOBS.c.id == bindparam("p_id"))
        # the queue limit counts brief jobs, not digest work queued on the embedded queue
        self.count_active = (
            select(func.count()).select_from(JOBS).where(JOBS.c.status.in_(ACTIVE), JOBS.c.queue == "jobs")
        )
        self.finish_job = (
            update(JOBS)
            .where(JOBS.c.id == bindparam("p_id"))
            .values(
                status="succeeded",
                result_id=bindparam("p_result_id"),
                result=bindparam("p_result", type_=JOBS.c.result.type),
                error=None,
                finished_at=bindparam("p_now", type_=JOBS.c.finished_at.type),
                updated_at=bindparam("p_now", type_=JOBS.c.updated_at.type),
                **JOB_LEASE.released(),
            )
        )
        # The fence: a claim is (attempts, started_at) as the claimer read them; a worker whose job
        # was requeued and claimed again (attempts + 1, a new start) no longer matches and writes nothing.
        fence = (
            JOB_LEASE.holding(),
            JOBS.c.attempts == bindparam("p_attempt"),
            JOBS.c.started_at == bindparam("p_started", type_=JOBS.c.started_at.type),
        )
        self.finish_job_fenced = self.finish_job.where(*fence)
        self.touch_claim = (
            update(JOBS)
            .where(JOBS.c.id == bindparam("p_id"), *fence)
            .values(updated_at=bindparam("p_now", type_=JOBS.c.updated_at.type))
        )
        self.extend_lease = (
            update(JOBS)
            .where(JOBS.c.id == bindparam("p_id"), JOB_LEASE.holding())
            .values(
                **JOB_LEASE.renewal(bindparam("p_until", type_=JOBS.c.lease_until.type)),
                updated_at=bindparam("p_now", type_=JOBS.c.updated_at.type),
            )
        )
        self.extend_lease_fenced = self.extend_lease.where(*fence)
