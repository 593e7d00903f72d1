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
