"""The column values of an article row and of a cached brief row, built without SQLAlchemy.

One definition for both ways a brief is written: `Store` (SQLAlchemy) and `lite.LiteBriefCache`
(sqlite3, the CLI's quick path), so a row means the same whichever wrote it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.models import Article, Brief


def utcnow() -> datetime:
    return datetime.now(UTC)


def article_values(article: Article) -> dict[str, Any]:
    """An `articles` row for `article`, ingested now."""
    return {
        "id": article.id,
        "text": article.text,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published_at": article.published_at,
        "language": article.language,
        "ingested_at": utcnow(),
    }


def brief_values(article: Article, brief: Brief) -> dict[str, Any]:
    """A `briefs` row (a new id; an upsert keeps the stored one) for `brief` of `article`.

    Sets `brief.article_id` when it is missing; the stored JSON never says `cached`.
    """
    brief.article_id = brief.article_id or article.id
    data = brief.model_dump(mode="json", exclude={"id"})
    data["meta"]["cached"] = False
    return {
        "id": uuid.uuid4().hex,
        "article_id": article.id,
        "engine": brief.meta.engine,
        "model": brief.meta.model or "",
        "prompt_version": brief.meta.prompt_version or "",
        "data": data,
        "created_at": utcnow(),
    }
