"""The work queue: one protocol (`WorkQueue`), two engines — procrastinate on PostgreSQL, and the
embedded in-process queue over the jobs table on SQLite. `build_queue` picks one from settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from briefing.config import Settings
from briefing.errors import ConfigError
from briefing.queue.base import FINAL, Handler, Outcome, WorkQueue, error_document
from briefing.queue.local import LocalQueue
from briefing.store import Store

__all__ = [
    "FINAL",
    "Handler",
    "LocalQueue",
    "Outcome",
    "WorkQueue",
    "build_queue",
    "defer_once",
    "error_document",
    "kind_of",
]


def kind_of(settings: Settings, store: Store) -> str:
    """`procrastinate` or `local`: what BRIEFING_QUEUE (auto by default) means on this database."""
    postgres = store.engine.dialect.name == "postgresql"
    if settings.queue == "procrastinate" and not postgres:
        raise ConfigError("BRIEFING_QUEUE=procrastinate needs a PostgreSQL DATABASE_URL")
    if settings.queue == "local" or not postgres:
        return "local"
    return "procrastinate"


def defer_once(
    settings: Settings,
    store: Store,
    task: str,
    args: dict[str, Any],
    *,
    queue: str,
    lock: str,
    at: datetime | None = None,
) -> bool:
    """Queue a task once per `lock` (from `at` on) on this database's queue, from code that has no
    queue of its own (a feed poll run by the CLI); the workers on the database run it. False when
    one is queued already."""
    if kind_of(settings, store) == "procrastinate":
        return store.defer_locked(task, args, queue=queue, lock=lock, at=at)
    return store.defer_job(task, args, queue=queue, lock=lock, run_after=at) is not None


def build_queue(settings: Settings, store: Store, handlers: dict[str, Handler]) -> WorkQueue:
    """The process's queue over `store`, running `handlers` (job kind -> coroutine)."""
    if kind_of(settings, store) == "local":
        return LocalQueue(store, settings, handlers)
    from briefing.queue.pg import ProcrastinateQueue  # imports procrastinate only when used

    return ProcrastinateQueue(store, settings, handlers)
