"""Fixtures of the digest tests: a migrated store, and a small deterministic engine standing in for
an LLM (it counts its calls, so tests can check that nothing is briefed or merged twice)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from digest_fakes import CountingEngine, FakeBriefer

from briefing.config import Settings
from briefing.digests.build import DigestBuilder
from briefing.digests.repo import DigestRepo
from briefing.store import Store, open_store
from tests.conftest import postgres_schema


@pytest.fixture
def postgres_settings(settings: Settings) -> Iterator[Settings]:
    """Settings on a throwaway schema of the CI PostgreSQL server; skipped without DATABASE_URL."""
    with postgres_schema("d") as url:
        yield settings.model_copy(update={"database_url": url})


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
