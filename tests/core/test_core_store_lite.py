"""The CLI's sqlite3 path to the brief cache (briefing/store/lite.py) against the full Store.

A brief written by one path must read back the same through the other, the upsert must keep the
row's first id as the Store's does, and anything the quick path cannot serve opens the Store.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.errors import StoreError
from briefing.models import Article, Brief, BriefOptions
from briefing.store import Store, open_store
from briefing.store.lite import LiteBriefCache, open_brief_cache, sqlite_path

ARTICLE = Article(
    text="The union said on Monday that 2,400 workers walked out. The port authority called it unlawful.",
    title="Strike at the port",
    source="wire",
    url="https://example.test/strike",
    published_at=datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2))),
)


def _brief(settings: Settings) -> Brief:
    return asyncio.run(OfflineEngine(settings).brief(ARTICLE, BriefOptions()))


def _key(brief: Brief) -> dict[str, str | None]:
    return {
        "article_id": ARTICLE.id,
        "engine": brief.meta.engine,
        "model": brief.meta.model,
        "prompt_version": brief.meta.prompt_version,
    }


def _lite(settings: Settings) -> LiteBriefCache:
    cache = open_brief_cache(settings)
    assert isinstance(cache, LiteBriefCache)
    return cache


@pytest.fixture
def store(settings: Settings):
    opened = open_store(settings)  # creates and migrates the database: the quick path needs it at head
    yield opened
    opened.close()


def test_a_brief_written_by_the_quick_path_reads_back_the_same_through_the_store(settings, store) -> None:
    brief = _brief(settings)
    lite = _lite(settings)
    try:
        written = lite.put_brief(article=ARTICLE, brief=brief.model_copy(deep=True))
    finally:
        lite.close()
    read = store.get_brief(**_key(brief))
    assert read is not None and read.id == written.id
    assert read.model_dump(exclude={"id"}) == brief.model_copy(update={"article_id": ARTICLE.id}).model_dump(
        exclude={"id"}
    )
    article = store.get_article(ARTICLE.id)
    assert article is not None and article.model_dump() == ARTICLE.model_dump()
    assert article.published_at == datetime(2026, 3, 1, 7, 30, tzinfo=UTC)
    ingested = store.article_ingested_at(ARTICLE.id)
    assert ingested is not None and abs(datetime.now(UTC) - ingested) < timedelta(minutes=5)
    assert [listed.id for listed in store.list_briefs()] == [written.id]


def test_a_brief_stored_by_the_store_is_served_by_the_quick_path(settings, store) -> None:
    brief = _brief(settings)
    stored = store.put_brief(article=ARTICLE, brief=brief.model_copy(deep=True))
    lite = _lite(settings)
    try:
        found = lite.get_brief(**_key(brief))
        missing = lite.get_brief(**{**_key(brief), "prompt_version": "another"})
    finally:
        lite.close()
    assert missing is None
    assert found is not None and found.id == stored.id
    assert found.model_dump() == store.get_brief(**_key(brief)).model_dump()  # type: ignore[union-attr]


def test_the_quick_upsert_keeps_the_first_id_and_replaces_the_data(settings, store) -> None:
    brief = _brief(settings)
    first = store.put_brief(article=ARTICLE, brief=brief.model_copy(deep=True))
    changed = brief.model_copy(update={"headline": "Another headline"}, deep=True)
    lite = _lite(settings)
    try:
        again = lite.put_brief(article=ARTICLE, brief=changed)
    finally:
        lite.close()
    assert again.id == first.id
    read = store.get_brief(**_key(brief))
    assert read is not None and read.headline == "Another headline" and not read.meta.cached
    assert len(store.list_briefs()) == 1


def test_what_the_quick_path_cannot_serve_opens_the_store(settings, monkeypatch) -> None:
    fresh = open_brief_cache(settings)  # no database yet: the Store creates and migrates it
    try:
        assert isinstance(fresh, Store)
    finally:
        fresh.close()
    assert isinstance(_lite(settings), LiteBriefCache)
    opened: list[Settings] = []
    monkeypatch.setattr("briefing.store.open_store", lambda given: opened.append(given) or "the store")
    with sqlite3.connect(settings.data_dir / "briefing.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001_core'")
    assert open_brief_cache(settings) == "the store"  # behind head: the Store would migrate it
    memory = Settings(database_url="sqlite://")
    assert open_brief_cache(memory) == "the store"
    assert opened == [settings, memory]


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///data/briefing.db",
        "sqlite:////tmp/x/briefing.db",
        "sqlite+pysqlite:///relative.db",
        "sqlite:///a b/c.db",
    ],
)
def test_sqlite_path_is_the_file_sqlalchemy_opens(url: str) -> None:
    assert sqlite_path(url) == Path(make_url(url).database or "")


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file.db?mode=ro",
        "sqlite:///with%20escape.db",
        "postgresql+psycopg://postgres@127.0.0.1:5432/x",
        "sqlite+aiosqlite:///x.db",
    ],
)
def test_urls_with_options_or_other_backends_are_left_to_the_store(url: str) -> None:
    assert sqlite_path(url) is None


def test_a_database_error_is_a_store_error(settings, store) -> None:
    lite = _lite(settings)
    try:
        with sqlite3.connect(settings.data_dir / "briefing.db") as connection:
            connection.execute("DROP TABLE briefs")
        with pytest.raises(StoreError, match="database error: no such table: briefs"):
            lite.get_brief(article_id=ARTICLE.id, engine="offline", model=None, prompt_version=None)
        with pytest.raises(StoreError, match="no such table: briefs"):
            lite.put_brief(article=ARTICLE, brief=_brief(settings))
        assert store.get_article(ARTICLE.id) is None  # the article insert was rolled back with it
    finally:
        lite.close()


def test_a_failed_write_is_rolled_back_and_the_cache_stays_usable(settings, store) -> None:
    database = settings.data_dir / "briefing.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON briefs BEGIN SELECT RAISE(FAIL, 'no'); END"
        )
    lite = _lite(settings)
    try:
        with pytest.raises(sqlite3.Error, match="no"):
            lite.put_brief(article=ARTICLE, brief=_brief(settings))
        assert store.get_article(ARTICLE.id) is None
        with sqlite3.connect(database) as connection:
            connection.execute("DROP TRIGGER refuse")
        written = lite.put_brief(article=ARTICLE, brief=_brief(settings))  # no transaction left open
    finally:
        lite.close()
    assert store.get_article(ARTICLE.id) is not None
    assert [listed.id for listed in store.list_briefs()] == [written.id]
