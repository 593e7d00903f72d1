"""Brief history: one row per stored brief with its article's title and source (`briefing briefs list`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from briefing.store.tables import ArticleRow, BriefRow


@dataclass(frozen=True)
class BriefSummary:
    """What a history line shows; the brief itself is `Store.get_brief_by_id(id)`."""

    id: str
    created_at: datetime
    engine: str
    model: str | None
    headline: str
    article_id: str
    title: str | None
    source: str | None
    url: str | None


class HistoryMixin:
    """Listing briefs newest first, filtered by time and by the article's source."""

    session: Callable[[], AbstractContextManager[Session]]

    def brief_history(
        self, *, since: datetime | None = None, source: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[BriefSummary]:
        query = select(BriefRow, ArticleRow.title, ArticleRow.source, ArticleRow.url).join(
            ArticleRow, ArticleRow.id == BriefRow.article_id
        )
        if since is not None:
            query = query.where(BriefRow.created_at >= since)
        if source is not None:
            query = query.where(ArticleRow.source == source)
        query = query.order_by(BriefRow.created_at.desc(), BriefRow.id).limit(limit).offset(offset)
        with self.session() as session:
            return [
                BriefSummary(
                    id=row.id,
                    created_at=row.created_at,
                    engine=row.engine,
                    model=row.model or None,
                    headline=str((row.data or {}).get("headline") or ""),
                    article_id=row.article_id,
                    title=title,
                    source=article_source,
                    url=url,
                )
                for row, title, article_source, url in session.execute(query)
            ]
