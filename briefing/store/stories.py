"""Batch reads and writes of digest stories: the merged-story brief cache.

A digest of a day's articles looks up thousands of cached story briefs at once; one query per
batch instead of one per story keeps that a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Text, cast, select

from briefing.digests.tables import StoryBriefRow
from briefing.models import Brief
from briefing.store import Store, batches, gc_paused
from briefing.store.tables import utcnow

_STORY_BRIEFS = StoryBriefRow.__table__


class StoryStore:
    """Story data access on the store's database; every method is one short transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _insert(self) -> Any:
        from sqlalchemy.dialects import postgresql, sqlite

        return postgresql.insert if self.store.engine.dialect.name == "postgresql" else sqlite.insert

    def get_story_briefs(self, keys: Sequence[str]) -> dict[str, Brief]:
        """Cached merged briefs by key, one query per batch of keys; absent keys are left out."""
        found: dict[str, Brief] = {}
        query = select(_STORY_BRIEFS.c.key, cast(_STORY_BRIEFS.c.data, Text).label("data"))
        with self.store.connection() as connection, gc_paused():
            for chunk in batches(keys):
                for row in connection.execute(query.where(_STORY_BRIEFS.c.key.in_(chunk))):
                    found[row.key] = Brief.model_validate_json(row.data)
        return found

    def put_story_briefs(self, briefs: Mapping[str, Brief]) -> None:
        """Store merged briefs (a key stored already keeps its first brief), in one transaction."""
        if not briefs:
            return
        now = utcnow()
        rows = [
            {"key": key, "data": brief.model_dump(mode="json"), "created_at": now}
            for key, brief in briefs.items()
        ]
        statement = self._insert()(_STORY_BRIEFS).on_conflict_do_nothing(index_elements=["key"])
        with self.store.connection() as connection:
            for start in range(0, len(rows), 500):
                connection.execute(statement, rows[start : start + 500])
