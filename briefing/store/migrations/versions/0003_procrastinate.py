"""procrastinate's tables, types and functions (PostgreSQL only): the durable work queue's schema.

Installed by our migrations, not by `procrastinate schema --apply` at run time, so it is created
under the same migration lock as everything else and any number of processes can start together.
The SQL is procrastinate 3.10.0's `schema.sql`, kept beside this file; a later procrastinate that
changes its schema needs a new revision applying its migration files (the `procrastinate` test in
tests/service/test_service_queue.py fails when the installed schema differs from the kept one).

Revision ID: 0003_procrastinate
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0003_procrastinate"
down_revision = "0002_digests"
branch_labels = None
depends_on = None

SCHEMA = Path(__file__).resolve().parents[1] / "procrastinate" / "schema-3.10.0.sql"

_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def _execute_script(sql: str) -> None:
    # The script holds functions with `$$` bodies and `%` signs: run it as one simple query on the
    # driver's cursor (no parameters, so nothing is interpolated), inside the migration transaction.
    connection = op.get_bind().connection.driver_connection
    with connection.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite runs work in-process on its own jobs table (briefing.queue.local)
    _execute_script(SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    script = [f"DROP TABLE IF EXISTS procrastinate_{name} CASCADE;" for name in _TABLES]
    script.append(
        "DO $$ DECLARE f record; BEGIN FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname LIKE 'procrastinate%' "
        "AND n.nspname = current_schema() LOOP EXECUTE 'DROP FUNCTION ' || f.sig || ' CASCADE'; "
        "END LOOP; END $$;"
    )
    script += [
        f"DROP TYPE IF EXISTS {name} CASCADE;"
        for name in (
            "procrastinate_job_to_defer_v1",
            "procrastinate_job_event_type",
            "procrastinate_job_status",
        )
    ]
    _execute_script("\n".join(script))
