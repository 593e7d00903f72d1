"""The store: articles, the brief cache, jobs and API keys in one SQL database.

SQLite (WAL) in the data directory by default, PostgreSQL when DATABASE_URL says so. Migrations
run to head on `open_store`, so a fresh machine needs no setup step.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Text, cast, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from briefing.config import Settings
from briefing.errors import StoreError
from briefing.gcpause import gc_paused
from briefing.models import ARTICLE_METADATA, Article, Brief, Ingested, MetadataConflict
from briefing.store.database import make_engine, migrate
from briefing.store.history import BriefListing, BriefPage, HistoryMixin
from briefing.store.jobrows import ClaimLostError, Job, JobsMixin, JobStatus, QueueFullError
from briefing.store.keys import ApiKeyInfo, KeysMixin
from briefing.store.statements import Statements
from briefing.store.tables import ArticleRow, Base, BriefRow
from briefing.store.tasks import TasksMixin
from briefing.store.values import article_values, brief_values

__all__ = [
    "ApiKeyInfo",
    "Base",
    "BriefListing",
    "BriefPage",
    "ClaimLostError",
    "Job",
    "JobStatus",
    "QueueFullError",
    "Store",
    "open_store",
]

_ARTICLES = ArticleRow.__table__
_BRIEFS = BriefRow.__table__
# Ids per `IN (...)` of a batch read: one round trip per this many rows, far below any
# driver's bound-parameter limit (SQLite's is 32,766, PostgreSQL's 65,535).
BATCH = 500


def batches(ids: Sequence[str], size: int = BATCH) -> Iterator[Sequence[str]]:
    """Distinct ids in slices of `size`, in first-seen order."""
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


def _article(row: Any) -> Article:
    # Stored text is already normalized and hashed: no re-validation on the way out.
    return Article.model_construct(
        id=row.id,
        text=row.text,
        title=row.title,
        source=row.source,
        url=row.url,
        published_at=row.published_at,
        language=row.language,
    )


def _same(stored: object, given: object) -> bool:
    if isinstance(stored, datetime) and isinstance(given, datetime):
        return _utc(stored) == _utc(given)
    return stored == given


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _shown(value: object) -> str:
    return _utc(value).isoformat() if isinstance(value, datetime) else str(value)


def _brief(row: Any) -> Brief:
    brief = Brief.model_validate(row.data)
    brief.id = row.id
    return brief


class Store(JobsMixin, TasksMixin, KeysMixin, HistoryMixin):
    """Synchronous data access; every method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sql = Statements(engine.dialect.name)
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

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A Core connection in a transaction (commit on success): the cheap path for hot statements."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as error:
            raise StoreError(f"database error: {error.orig or error}") from error

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
    def _add_article(self, connection: Connection | Session, article: Article) -> bool:
        """Insert unless the content hash is stored already; True when it was new."""
        values = article_values(article)
        return connection.execute(self.sql.add_article, values).first() is not None

    def save_article(self, article: Article) -> tuple[Article, bool]:
        """Store an article unless one with the same content hash exists; (stored, created)."""
        ingested = self.ingest_article(article)
        return ingested.article, ingested.created

    def ingest_article(self, article: Article) -> Ingested:
        """Store an article; for a text stored before, fill in the metadata it lacks and report,
        never overwrite, the fields where it already has another value."""
        with self.connection() as connection:
            if self._add_article(connection, article):
                row = connection.execute(self.sql.get_article, {"p_id": article.id}).one()
                return Ingested(article=_article(row), created=True)
            filled = [
                name
                for name in ARTICLE_METADATA
                if getattr(article, name) is not None
                and connection.execute(
                    self.sql.fill_article[name], {"p_id": article.id, "p_value": getattr(article, name)}
                ).rowcount
                == 1
            ]
            stored = _article(connection.execute(self.sql.get_article, {"p_id": article.id}).one())
        conflicts = [
            MetadataConflict(
                field=name, stored=_shown(getattr(stored, name)), given=_shown(getattr(article, name))
            )
            for name in ARTICLE_METADATA
            if getattr(article, name) is not None and not _same(getattr(stored, name), getattr(article, name))
        ]
        return Ingested(article=stored, created=False, filled=filled, conflicts=conflicts)

    def get_article(self, article_id: str) -> Article | None:
        with self.connection() as connection:
            row = connection.execute(self.sql.get_article, {"p_id": article_id}).first()
        return _article(row) if row is not None else None

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, Article]:
        """Articles by id, one query per `BATCH` ids (a digest names thousands); absent ids are left out."""
        found: dict[str, Article] = {}
        with self.connection() as connection:
            for chunk in batches(article_ids):
                for row in connection.execute(select(_ARTICLES).where(_ARTICLES.c.id.in_(chunk))):
                    found[row.id] = _article(row)
        return found

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
        key = {
            "p_article_id": article_id,
            "p_engine": engine,
            "p_model": model or "",
            "p_prompt_version": prompt_version or "",
        }
        with self.connection() as connection:
            row = connection.execute(self.sql.get_brief, key).first()
        return _brief(row) if row is not None else None

    def get_briefs(
        self,
        article_ids: Sequence[str],
        *,
        engine: str,
        model: str | None,
        prompt_version: str | None,
    ) -> dict[str, Brief]:
        """Cached briefs of many articles under one cache key, one query per `BATCH` ids.

        A digest reads every brief of its window: one round trip per article cost more than the
        clustering. The JSON is read as text and parsed by pydantic in one step (twice as fast
        as decoding to a dict and validating that)."""
        found: dict[str, Brief] = {}
        query = select(_BRIEFS.c.id, _BRIEFS.c.article_id, cast(_BRIEFS.c.data, Text).label("data")).where(
            _BRIEFS.c.engine == engine,
            _BRIEFS.c.model == (model or ""),
            _BRIEFS.c.prompt_version == (prompt_version or ""),
        )
        with self.connection() as connection, gc_paused():
            for chunk in batches(article_ids):
                for row in connection.execute(query.where(_BRIEFS.c.article_id.in_(chunk))):
                    brief = Brief.model_validate_json(row.data)
                    brief.id = row.id
                    found[row.article_id] = brief
        return found

    def put_brief(self, *, article: Article, brief: Brief) -> Brief:
        """Upsert by cache key (the row keeps its first id); sets and returns `brief.id`."""
        with self.connection() as connection:
            self._add_article(connection, article)
            brief.id = self._upsert_brief(connection, article, brief)
        return brief

    def finish_brief_job(
        self, job_id: str, *, article: Article, brief: Brief, claim: Job | None = None
    ) -> str:
        """Store a job's brief and mark the job succeeded in one transaction; returns the brief id.

        The job's article was stored when the job was accepted, so it is not written again. With
        `claim` (the job as its worker claimed it) the job row is locked first and the whole write
        is refused (ClaimLostError) when another worker took the job over meanwhile: a stale
        worker never overwrites the cached brief or the job's result.
        """
        with self.connection() as connection:
            if claim is not None:
                self.check_claim(connection, claim)
            brief.id = self._upsert_brief(connection, article, brief)
            self.finish_job(job_id, result_id=brief.id, result=None, connection=connection, claim=claim)
        return brief.id

    def _upsert_brief(self, connection: Connection, article: Article, brief: Brief) -> str:
        values = brief_values(article, brief)
        return str(connection.execute(self.sql.upsert_brief, values).scalar_one())

    def get_brief_by_id(self, brief_id: str) -> Brief | None:
        with self.connection() as connection:
            row = connection.execute(self.sql.get_brief_by_id, {"p_id": brief_id}).first()
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
