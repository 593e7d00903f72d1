"""Digest work on the embedded queue: the jobs table gains a queue name, a lock and a start time.

On SQLite (and with BRIEFING_QUEUE=local) feed polls, schedule periods, deliveries and feed
entries' page fetches are jobs of the embedded queue, like brief jobs: `lock_key` makes a piece of
work queued once (at most one queued or running job per key, as procrastinate's queueing lock),
and `run_after` holds a retry back until its backoff has passed.

Revision ID: 0005_local_tasks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from briefing.store.tables import UTCDateTime

revision = "0005_local_tasks"
down_revision = "0004_stories"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('queued', 'running') AND lock_key IS NOT NULL")


def upgrade() -> None:
    op.add_column("jobs", sa.Column("queue", sa.String(32), nullable=False, server_default="jobs"))
    op.add_column("jobs", sa.Column("lock_key", sa.String(255)))
    op.add_column("jobs", sa.Column("run_after", UTCDateTime()))
    op.create_index(
        "uq_jobs_active_lock",
        "jobs",
        ["lock_key"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_jobs_active_lock", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("run_after")
        batch.drop_column("lock_key")
        batch.drop_column("queue")
