"""The store on SQLite and (in CI) PostgreSQL: articles, the brief cache, jobs, API keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from briefing.config import Settings
from briefing.errors import NotFoundError, StoreError
from briefing.models import Article, Brief, BriefMeta
from briefing.store import Store, open_store


def _brief(headline: str, engine: str = "test", model: str | None = "m", prompt: str | None = "p1") -> Brief:
    return Brief(
        headline=headline, summary="s", meta=BriefMeta(engine=engine, model=model, prompt_version=prompt)
    )


def test_open_store_creates_data_dir_wal_and_tables(settings: Settings) -> None:
    store = open_store(settings)
    try:
        assert (settings.data_dir / "briefing.db").exists()
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        tables = set(inspect(store.engine).get_table_names())
        assert {"articles", "briefs", "jobs", "api_keys", "alembic_version"} <= tables
    finally:
        store.close()
    reopened = open_store(settings)  # migrating an up-to-date database is a no-op
    reopened.close()


def test_unreachable_database_is_a_store_error(settings: Settings) -> None:
    bad = settings.model_copy(update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    with pytest.raises(StoreError, match="cannot open the database"):
        open_store(bad)


def test_save_article_is_idempotent_by_content_hash(store: Store) -> None:
    first, created = store.save_article(Article(text="Line one.\r\nLine two.  ", title="T"))
    again, created_again = store.save_article(Article(text="Line one.\nLine two.", title="Other"))
    assert created and not created_again
    assert again.id == first.id and again.title == "T"
    assert store.get_article(first.id) == first
    assert store.get_article("missing") is None


def test_list_articles_filters_on_published_or_ingested_time(store: Store) -> None:
    old = Article(text="Old news.", source="a", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    new = Article(text="New news.", source="b", published_at=datetime(2024, 6, 1, 12, tzinfo=UTC))
    undated = Article(text="Undated news.", source="a")  # falls back to ingest time (now)
    for article in (old, new, undated):
        store.save_article(article)
    ids = [a.id for a in store.list_articles()]
    assert ids == [undated.id, new.id, old.id]
    since = [a.id for a in store.list_articles(since=datetime(2024, 1, 1, tzinfo=UTC))]
    assert since == [undated.id, new.id]
    window = store.list_articles(
        since=datetime(2024, 1, 1, tzinfo=UTC), until=datetime(2025, 1, 1, tzinfo=UTC)
    )
    assert [a.id for a in window] == [new.id]
    assert [a.id for a in store.list_articles(source="a")] == [undated.id, old.id]
    assert [a.id for a in store.list_articles(limit=1, offset=1)] == [new.id]
    assert store.list_articles()[1].published_at == datetime(2024, 6, 1, 12, tzinfo=UTC)


def test_brief_cache_round_trip_and_upsert_keeps_id(store: Store) -> None:
    article = Article(text="Something happened today.", source="wire")
    stored = store.put_brief(article=article, brief=_brief("first"))
    assert stored.id and stored.article_id == article.id
    assert store.get_article(article.id) is not None  # put_brief stores the article too
    again = store.put_brief(article=article, brief=_brief("second"))
    assert again.id == stored.id
    hit = store.get_brief(article_id=article.id, engine="test", model="m", prompt_version="p1")
    assert hit is not None and hit.headline == "second" and hit.id == stored.id
    assert store.get_brief(article_id=article.id, engine="test", model="other", prompt_version="p1") is None
    none_key = store.put_brief(article=article, brief=_brief("no model", model=None, prompt=None))
    assert none_key.id != stored.id
    assert store.get_brief(article_id=article.id, engine="test", model=None, prompt_version=None) is not None
    by_id = store.get_brief_by_id(stored.id)
    assert by_id is not None and by_id.headline == "second"
    assert store.get_brief_by_id("nope") is None


def test_list_briefs_by_source_and_time(store: Store) -> None:
    a = store.put_brief(article=Article(text="A text.", source="x"), brief=_brief("a"))
    b = store.put_brief(article=Article(text="B text.", source="y"), brief=_brief("b"))
    assert [x.id for x in store.list_briefs()] == [b.id, a.id]
    assert [x.id for x in store.list_briefs(source="x")] == [a.id]
    assert store.list_briefs(since=datetime.now(UTC) + timedelta(hours=1)) == []
    assert [x.id for x in store.list_briefs(limit=1, offset=1)] == [a.id]


def test_job_lifecycle_claim_finish_fail_retry(store: Store) -> None:
    article = Article(text="Job article.")
    job = store.submit_job("brief", {"article_id": article.id}, article=article)
    assert job.status == "queued" and store.get_article(article.id) is not None
    assert store.count_active_jobs() == 1
    claimed = store.claim_job(lease_seconds=30)
    assert claimed is not None and claimed.id == job.id and claimed.status == "running"
    assert claimed.attempts == 1
    assert store.claim_job(lease_seconds=30) is None  # nothing else queued
    store.fail_job(job.id, error={"type": "LLMError", "message": "boom"})
    failed = store.get_job(job.id)
    assert failed is not None and failed.status == "failed" and failed.error["message"] == "boom"
    assert store.count_active_jobs() == 0
    retried = store.retry_job(job.id)
    assert retried.status == "queued" and retried.error is None
    again = store.claim_job(lease_seconds=30)
    assert again is not None and again.id == job.id
    store.finish_job(job.id, result_id="b1", result={"headline": "h"})
    done = store.get_job(job.id)
    assert done is not None and done.status == "succeeded" and done.result_id == "b1"
    assert store.retry_job(job.id).status == "succeeded"  # only failed jobs go back
    with pytest.raises(NotFoundError):
        store.retry_job("missing")


def test_jobs_are_claimed_oldest_first_and_once(store: Store) -> None:
    ids = [store.submit_job("brief", {"n": n}).id for n in range(3)]
    claimed = [store.claim_job(lease_seconds=30) for _ in range(4)]
    assert [j.id if j else None for j in claimed] == [*ids, None]


def test_expired_leases_are_requeued_then_failed_after_max_attempts(store: Store) -> None:
    job = store.submit_job("brief", {})
    store.claim_job(lease_seconds=30)
    assert store.requeue_expired(max_attempts=2) == 0  # lease still valid
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert store.requeue_expired(max_attempts=2, now=later) == 1
    assert store.get_job(job.id).status == "queued"
    store.claim_job(lease_seconds=30)  # second attempt
    assert store.requeue_expired(max_attempts=2, now=later) == 0
    abandoned = store.get_job(job.id)
    assert abandoned.status == "failed" and abandoned.error["type"] == "JobAbandoned"


def test_api_keys_are_hashed_listed_and_revoked(store: Store) -> None:
    assert not store.has_active_api_keys() and not store.has_api_keys()
    key, info = store.create_api_key("ci")
    assert key.startswith("brf_") and info.prefix == key[:10]
    with store.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT key_hash FROM api_keys").scalar()
    assert key not in stored and len(stored) == 64
    assert store.check_api_key(key) and not store.check_api_key(key + "x")
    assert store.has_active_api_keys()
    assert [k.name for k in store.list_api_keys()] == ["ci"]
    revoked = store.revoke_api_key(info.id)
    assert revoked.revoked_at is not None
    assert not store.check_api_key(key) and not store.has_active_api_keys()
    assert store.has_api_keys()
    with pytest.raises(NotFoundError):
        store.revoke_api_key("nope")
