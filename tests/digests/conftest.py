"""Fixtures of the digest tests: a migrated store, and a small deterministic engine standing in for
an LLM (it counts its calls, so tests can check that nothing is briefed or merged twice)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from digest_fakes import CountingEngine, FakeBriefer
from sqlalchemy import create_engine, text

from briefing.config import Settings
from briefing.digests.build import DigestBuilder
from briefing.store import Store, open_store
from briefing.store.digest_repo import DigestRepo
from tests.conftest import POSTGRES_URL


@pytest.fixture
def postgres_settings(settings: Settings) -> Iterator[Settings]:
    """Settings on a throwaway schema of the CI PostgreSQL server (dropped afterwards); skipped
    without DATABASE_URL. One schema per test, so racing tests start from an empty database."""
    if not POSTGRES_URL:
        pytest.skip("DATABASE_URL is not set; PostgreSQL tests run in CI (.ci/run)")
    schema = f"d_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        yield settings.model_copy(update={"database_url": url})
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings)
    yield store
    store.close()


@pytest.fixture
def repo(store: Store) -> DigestRepo:
    return DigestRepo(store)


@pytest.fixture
def engine() -> CountingEngine:
    return CountingEngine()


@pytest.fixture
def builder(settings: Settings, repo: DigestRepo, engine: CountingEngine) -> DigestBuilder:
    return DigestBuilder(settings, repo, briefer=FakeBriefer(settings, repo.store, engine))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Store]:
    """A migrated store on SQLite, and on PostgreSQL too when DATABASE_URL is set."""
    chosen = request.getfixturevalue("postgres_settings") if request.param == "postgres" else settings
    store = open_store(chosen)
    yield store
    store.close()
