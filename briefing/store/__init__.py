"""The store: articles, the brief cache, jobs and API keys in one SQL database.

SQLite (WAL) in the data directory by default, PostgreSQL when DATABASE_URL says so. Migrations
run to head on `open_store`, so a fresh machine needs no setup step.

The package imports nothing itself: `Store`, `open_store` and the names below come from
`briefing.store.store` (SQLAlchemy, ~0.3 s to import) on first use, so `briefing.store.lite`, the
CLI's sqlite3 path to the brief cache, starts without SQLAlchemy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.store.store import (
        BATCH,
        ApiKeyInfo,
        Base,
        BriefListing,
        BriefPage,
        ClaimLostError,
        Job,
        JobStatus,
        QueueFullError,
        Store,
        batches,
        gc_paused,
        open_store,
    )

__all__ = [
    "BATCH",
    "ApiKeyInfo",
    "Base",
    "BriefListing",
    "BriefPage",
    "ClaimLostError",
    "Job",
    "JobStatus",
    "QueueFullError",
    "Store",
    "batches",
    "gc_paused",
    "open_store",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'briefing.store' has no attribute {name!r}")
    value = getattr(import_module("briefing.store.store"), name)
    globals()[name] = value  # later look-ups skip this function
    return value
