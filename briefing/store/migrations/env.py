"""Alembic environment: always run programmatically by `briefing.store.migrate` with a live connection."""

from __future__ import annotations

from alembic import context

from briefing.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
