"""The store: articles, the brief cache, jobs and API keys in one SQL database.

SQLite (WAL) in the data directory by default, PostgreSQL when DATABASE_URL says so. Migrations
run to head on `open_store`, so a fresh machine needs no setup step.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from briefing.config import Settings
from briefing.errors import StoreError
from briefing.models import Article, Brief
from briefing.store.database import make_engine, migrate
from briefing.store.jobrows import Job, JobsMixin, JobStatus
from briefing.store.keys import ApiKeyInfo, KeysMixin
from briefing.store.tables import ArticleRow, Base, BriefRow, utcnow

__all__ = ["ApiKeyInfo", "Base", "Job", "JobStatus", "Store", "open_store"]


def _article(row: ArticleRow) -> Article:
    return Article(
        id=row.id,
        text=row.text,
        title=row.title,
        source=row.source,
        url=row.url,
        published_at=row.published_at,
        language=row.language,
    )


def _brief(row: BriefRow) -> Brief:
    brief = Brief.model_validate(row.data)
    brief.id = row.id
    return brief


class Store(JobsMixin, KeysMixin):
    """Synchronous data access; every method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as error:
            session.rollback()
            raise StoreError(f"database error: {error.orig or error}") from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> bool:
        try:
            with self.session() as session:
                session.execute(select(1))
            return True
        except StoreError:
            return False

    # --- articles ------------------------------------------------------------------------------
    def _insert(self) -> Any:
        return postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert

    def _add_article(self, session: Session, article: Article) -> tuple[ArticleRow, bool]:
        statement = (
            self._insert()(ArticleRow)
            .values(
                id=article.id,
                text=article.text,
                title=article.title,
                source=article.source,
                url=article.url,
                published_at=article.published_at,
                language=article.language,
                ingested_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(ArticleRow.id)
        )
        created = session.execute(statement).first() is not None
        row = session.get(ArticleRow, article.id)
        assert row is not None
        return row, created

    def save_article(self, article: Article) -> tuple[Article, bool]:
        """Store an article unless one with the same content hash exists; (stored, created)."""
        with self.session() as session:
            row, created = self._add_article(session, article)
            return _article(row), created

    def get_article(self, article_id: str) -> Article | None:
        with self.session() as session:
            row = session.get(ArticleRow, article_id)
            return _article(row) if row is not None else None

    def article_ingested_at(self, article_id: str) -> datetime | None:
        with self.session() as session:
            return session.scalar(select(ArticleRow.ingested_at).where(ArticleRow.id == article_id))

    def list_articles(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        source: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Article]:
        """Newest first by `coalesce(published_at, ingested_at)`; `since` inclusive, `until` exclusive."""
        when = func.coalesce(ArticleRow.published_at, ArticleRow.ingested_at)
        query = select(ArticleRow)
        if since is not None:
            query = query.where(when >= since)
        if until is not None:
            query = query.where(when < until)
        if source is not None:
            query = query.where(ArticleRow.source == source)
        query = query.order_by(when.desc(), ArticleRow.id).limit(limit).offset(offset)
        with self.session() as session:
            return [_article(row) for row in session.scalars(query)]

    # --- briefs (the cache) --------------------------------------------------------------------
    def get_brief(
        self, *, article_id: str, engine: str, model: str | None, prompt_version: str | None
    ) -> Brief | None:
        query = select(BriefRow).where(
            BriefRow.article_id == article_id,
            BriefRow.engine == engine,
            BriefRow.model == (model or ""),
            BriefRow.prompt_version == (prompt_version or ""),
        )
        with self.session() as session:
            row = session.scalars(query).first()
            return _brief(row) if row is not None else None

    def put_brief(self, *, article: Article, brief: Brief) -> Brief:
        """Upsert by cache key (the row keeps its first id); sets and returns `brief.id`."""
        key = {
            "article_id": article.id,
            "engine": brief.meta.engine,
            "model": brief.meta.model or "",
            "prompt_version": brief.meta.prompt_version or "",
        }
        brief.article_id = brief.article_id or article.id
        data = brief.model_dump(mode="json", exclude={"id"})
        data["meta"]["cached"] = False
        now = utcnow()
        with self.session() as session:
            self._add_article(session, article)
            statement = self._insert()(BriefRow).values(id=uuid.uuid4().hex, data=data, created_at=now, **key)
            statement = statement.on_conflict_do_update(
                index_elements=list(key), set_={"data": statement.excluded.data, "created_at": now}
            )
            session.execute(statement)
            brief.id = session.scalar(select(BriefRow.id).filter_by(**key))
        return brief

    def get_brief_by_id(self, brief_id: str) -> Brief | None:
        with self.session() as session:
            row = session.get(BriefRow, brief_id)
            return _brief(row) if row is not None else None

    def list_briefs(
        self,
        *,
        since: datetime | None = None,
        source: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Brief]:
        """Newest first by the time the brief was (re)made."""
        query = select(BriefRow)
        if since is not None:
            query = query.where(BriefRow.created_at >= since)
        if source is not None:
            query = query.join(ArticleRow, ArticleRow.id == BriefRow.article_id).where(
                ArticleRow.source == source
            )
        query = query.order_by(BriefRow.created_at.desc(), BriefRow.id).limit(limit).offset(offset)
        with self.session() as session:
            return [_brief(row) for row in session.scalars(query)]


def open_store(settings: Settings) -> Store:
    """Connect (creating the SQLite data directory if needed) and migrate to head."""
    engine = make_engine(settings)
    try:
        migrate(engine)
    except OperationalError as error:
        engine.dispose()
        where = engine.url.render_as_string(hide_password=True)
        raise StoreError(f"cannot open the database {where}: {error.orig or error}") from error
    return Store(engine)
