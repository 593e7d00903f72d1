"""Brief history: the stored briefs newest first, searched by words and by source, one page at a time.

The web page's history list and `briefing briefs list` read this. Matching is a case-insensitive
substring test (SQL LIKE, wildcards in the words escaped) over the headline, the summary, the
article's title and its text: a scan, which is fine for the thousands of briefs one instance
keeps; it is not a full-text index.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from briefing.models import Brief
from briefing.store.tables import ArticleRow, BriefRow

MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class BriefListing:
    """One line of the history: the brief and the article facts the list shows beside it."""

    brief: Brief
    created_at: datetime
    title: str | None
    source: str | None
    url: str | None


@dataclass(frozen=True)
class BriefPage:
    """A page of listings and the offset of the next page (None on the last page)."""

    items: list[BriefListing]
    offset: int
    next_offset: int | None


class HistoryMixin:
    """History methods of `Store`."""

    session: Callable[[], AbstractContextManager[Session]]  # provided by Store

    def search_briefs(
        self,
        *,
        text: str | None = None,
        source: str | None = None,
        since: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> BriefPage:
        """Briefs newest first whose headline, summary, article title or text contains `text`, whose
        article's source is `source` (case-insensitive) and that were made at or after `since`;
        empty filters match everything."""
        query = select(BriefRow, ArticleRow.title, ArticleRow.source, ArticleRow.url).join(
            ArticleRow, ArticleRow.id == BriefRow.article_id
        )
        if since is not None:
            query = query.where(BriefRow.created_at >= since)
        words = (text or "").strip()[:MAX_QUERY_CHARS]
        if words:
            query = query.where(
                or_(
                    BriefRow.data["headline"].as_string().icontains(words, autoescape=True),
                    BriefRow.data["summary"].as_string().icontains(words, autoescape=True),
                    ArticleRow.title.icontains(words, autoescape=True),
                    ArticleRow.text.icontains(words, autoescape=True),
                )
            )
        if source and source.strip():
            query = query.where(func.lower(ArticleRow.source) == source.strip().lower())
        query = query.order_by(BriefRow.created_at.desc(), BriefRow.id).limit(limit + 1).offset(offset)
        with self.session() as session:
            rows = session.execute(query).all()
        items = [_listing(*row) for row in rows[:limit]]
        return BriefPage(items, offset, offset + limit if len(rows) > limit else None)

    def brief_sources(self, limit: int = 200) -> list[str]:
        """The distinct article sources that have a brief, for the history page's source picker."""
        query = (
            select(ArticleRow.source)
            .join(BriefRow, BriefRow.article_id == ArticleRow.id)
            .where(ArticleRow.source.is_not(None), ArticleRow.source != "")
            .group_by(ArticleRow.source)
            .order_by(ArticleRow.source)
            .limit(limit)
        )
        with self.session() as session:
            return list(session.scalars(query))


def _listing(row: BriefRow, title: str | None, source: str | None, url: str | None) -> BriefListing:
    brief = Brief.model_validate(row.data)
    brief.id = row.id
    return BriefListing(brief, row.created_at, title, source, url)
