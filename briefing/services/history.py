"""Use cases over what is stored: the brief history (`briefing briefs …`) and the articles.

Thin on purpose: the CLI parses and prints, the store runs the SQL; what lives here is the part a
user can get wrong (a time like `2d`, a file that is not text, a URL that is not http(s)), checked
before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from briefing.errors import InputError, NotFoundError
from briefing.models import Article, Brief, MetadataConflict
from briefing.services.batch import decode_article
from briefing.store import Store

_AGO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(value: str, *, option: str, now: datetime | None = None) -> datetime:
    """`30m`, `2h`, `7d`, `1w` (that long ago) or an ISO date/time (UTC unless it says otherwise)."""
    ago = _AGO.match(value)
    if ago:
        try:
            return (now or datetime.now(UTC)) - timedelta(**{_UNITS[ago.group(2)]: float(ago.group(1))})
        except OverflowError:
            message = f"{option} {value!r}: that is before the year 1; give a shorter time ago"
            raise InputError(message) from None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"{option} {value!r}: give a time like 2h, 3d or 1w ago, or an ISO date such as 2026-03-01"
        ) from None
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)  # what the store compares; the calendar's ends can overflow here
    except OverflowError:
        raise InputError(f"{option} {value!r}: that falls outside the years 1-9999 in UTC") from None


@dataclass(frozen=True)
class BriefSummary:
    """What a history line shows; the brief itself is `get_brief(store, id)`."""

    id: str
    created_at: datetime
    engine: str
    model: str | None
    headline: str
    article_id: str
    title: str | None
    source: str | None
    url: str | None


def list_briefs(
    store: Store, *, since: datetime | None = None, source: str | None = None, limit: int = 50
) -> list[BriefSummary]:
    """Stored briefs, newest first (the same search the web page's history uses)."""
    page = store.search_briefs(since=since, source=source, limit=limit)
    return [
        BriefSummary(
            id=item.brief.id or "",
            created_at=item.created_at,
            engine=item.brief.meta.engine,
            model=item.brief.meta.model or None,
            headline=item.brief.headline,
            article_id=item.brief.article_id or "",
            title=item.title,
            source=item.source,
            url=item.url,
        )
        for item in page.items
    ]


def get_brief(store: Store, brief_id: str) -> Brief:
    """One stored brief by id; NotFoundError (exit 2) names the id when there is none."""
    brief = store.get_brief_by_id(brief_id.strip())
    if brief is None:
        raise NotFoundError(f"no brief with id {brief_id!r} (see `briefing briefs list`)")
    return brief


@dataclass(frozen=True)
class Added:
    """One stored article, whether it was new, and for a text stored before what metadata this
    call filled in and which given fields were kept as stored (`conflicts`)."""

    label: str
    article: Article
    created: bool
    filled: list[str] = field(default_factory=list)
    conflicts: list[MetadataConflict] = field(default_factory=list)


def read_articles(
    paths: Sequence[Path],
    *,
    source: str | None = None,
    title: str | None = None,
    url: str | None = None,
    published_at: datetime | None = None,
) -> list[tuple[str, Article]]:
    """Read and validate every file first, so one bad file stores nothing."""
    if not paths:
        raise InputError("give at least one article file")
    if len(paths) > 1 and (title is not None or url is not None):
        raise InputError(f"--title and --url describe one article, but {len(paths)} files were given")
    articles: list[tuple[str, Article]] = []
    for path in paths:
        if not path.is_file():
            raise InputError(
                f"no such file: {path}" if not path.exists() else f"{path} is not a regular file"
            )
        text = decode_article(path.read_bytes(), str(path))
        try:
            article = Article(text=text, title=title, source=source, url=url, published_at=published_at)
        except ValidationError as error:
            problem = error.errors()[0]
            field = ".".join(str(part) for part in problem["loc"]) or "article"
            raise InputError(f"--{field.replace('_', '-')}: {problem['msg']}") from None
        articles.append((str(path), article))
    return articles


def add_articles(store: Store, articles: Sequence[tuple[str, Article]]) -> list[Added]:
    """Store the articles; a text stored before gets the metadata it lacked, and keeps (and reports)
    the fields it already has with another value."""
    added = []
    for label, article in articles:
        ingested = store.ingest_article(article)
        added.append(Added(label, ingested.article, ingested.created, ingested.filled, ingested.conflicts))
    return added


def list_articles(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Article]:
    """Stored articles in [since, until), newest first by publication (or storing) time; a window
    that ends before it starts is an InputError (an empty list would hide the mistake)."""
    if since is not None and until is not None and since >= until:
        message = f"since ({since.isoformat()}) must be before until ({until.isoformat()})"
        raise InputError(message, fields=["since", "until"])
    return store.list_articles(since=since, until=until, source=source, limit=limit, offset=offset)
