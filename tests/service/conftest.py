"""Service fixtures: a store on SQLite (always) and on PostgreSQL (when DATABASE_URL is set)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from briefing import engines
from briefing.config import Settings
from briefing.store import Store, open_store
from tests.conftest import postgres_schema

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(autouse=True)
def _test_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(engines.ENGINES, "test", "tests.service.fake_engine:FakeEngine")


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A throwaway schema on the CI PostgreSQL server, dropped at the end, so runs repeat cleanly."""
    with postgres_schema("t") as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema of its own (for tests that start servers on an empty database)."""
    with postgres_schema("f") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def store_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_schema_url")
        store = open_store(settings.model_copy(update={"database_url": url}))
        with store.engine.begin() as connection:  # empty every table for this test
            tables = ("api_keys", "jobs", "briefs", "articles", "procrastinate_jobs", "procrastinate_workers")
            names = ", ".join(f'"{t}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} CASCADE"))
        store.close()
        return settings.model_copy(update={"database_url": url})
    return settings


@pytest.fixture
def store(store_settings: Settings) -> Iterator[Store]:
    opened = open_store(store_settings)
    yield opened
    opened.close()


@pytest.fixture
def make_client(store_settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Start service instances (lifespan included) with setting overrides; closed after the test."""
    from api.main import create_app

    opened: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        client = TestClient(create_app(store_settings.model_copy(update=overrides)))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(engine=None)
