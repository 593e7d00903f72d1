"""Test-wide fixtures: no real network, a clean environment, settings on a temporary data dir."""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from briefing.config import Settings
from tests.real_dependencies import pytest_configure, pytest_runtest_makereport  # noqa: F401 (hooks)

pytest_plugins = ("pytester",)  # for testing those hooks


def _worker_database(url: str | None, worker: str | None) -> str | None:
    """The database a test process uses on the PostgreSQL server at `url`.

    Under pytest-xdist (`make test` runs two workers) each worker gets a database of its own,
    named after the given one plus the worker id and created on first use: advisory locks (the
    LLM budget, single-flight, the migration lock) and LISTEN/NOTIFY are scoped to a database, so
    workers sharing one would see each other's calls and jobs. Tests still take a fresh schema
    each, so a database left by an earlier run is reused as it is.
    """
    if not url or not worker:
        return url
    from sqlalchemy import create_engine, make_url, text

    given = make_url(url)
    name = f"{given.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if found.scalar() is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


# The PostgreSQL server for tests that run against it (set by .ci/run); captured before the
# environment is cleaned so ordinary tests never pick it up by accident.
POSTGRES_URL = _worker_database(
    os.environ.get("DATABASE_URL") or os.environ.get("BRIEFING_TEST_DATABASE_URL"),
    os.environ.get("PYTEST_XDIST_WORKER"),
)


@contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """A URL on a throwaway schema of the test PostgreSQL server, dropped afterwards (skips the
    test without DATABASE_URL). A schema per use, so racing tests start from an empty database."""
    if not POSTGRES_URL:
        pytest.skip("DATABASE_URL is not set; PostgreSQL tests run in CI (.ci/run)")
    from sqlalchemy import create_engine, text

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        try:
            _drop_schema(admin, schema)
        finally:
            admin.dispose()


def _drop_schema(admin: Any, schema: str) -> None:
    """Drop a test schema without ever waiting forever: a connection a test leaked (idle in a
    transaction on one of its tables) would block `DROP SCHEMA` until pytest-timeout kills the run.
    Such a blocker is named in a warning and ended, then the drop is tried once more."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    drop = text(f'DROP SCHEMA "{schema}" CASCADE')
    try:
        with admin.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            connection.execute(drop)
        return
    except OperationalError as error:
        if "lock timeout" not in str(error):
            raise
    with admin.begin() as connection:
        blockers = connection.execute(
            text(
                "SELECT DISTINCT a.pid, a.state, left(a.query, 120) FROM pg_locks l "
                "JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE n.nspname = :schema AND a.pid <> pg_backend_pid()"
            ),
            {"schema": schema},
        ).all()
        for pid, _, _ in blockers:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    warnings.warn(f"schema {schema}: ended connections that held its tables: {blockers}", stacklevel=1)
    with admin.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        connection.execute(drop)


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _allowed(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # unix socket
        return True
    host = address[0] if isinstance(address, tuple) else None
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _allowed(address):
        raise RuntimeError(f"tests may not reach the network (tried to connect to {address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _allowed(address):
        raise RuntimeError(f"tests may not reach the network (tried to connect to {address!r})")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_network() -> Iterator[None]:
    """A missed mock fails loudly instead of reaching the internet."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("BRIEFING_", "OPENAI_")) or name in {"DATABASE_URL", "AZURE_OPENAI_API_KEY"}:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "/nonexistent-tiktoken-cache")
    # A developer's .env in the checkout must not change what the tests see (they set what they need).
    monkeypatch.setenv("BRIEFING_ENV_FILE", "")


# The host name Starlette's TestClient sends; allowed like an operator allows a server's own name.
TEST_HOSTS = ["testserver"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded defaults on a temporary data dir (offline engine, SQLite)."""
    return Settings(
        data_dir=tmp_path / "data", llm_backoff_base=0.01, llm_backoff_max=0.05, allowed_hosts=TEST_HOSTS
    )


@pytest.fixture
def llm_settings(tmp_path: Path) -> Settings:
    """Settings pointing at a fake OpenAI-compatible endpoint (mock it with httpx2_mock)."""
    return Settings(
        data_dir=tmp_path / "data",
        openai_api_key="sk-test",
        openai_base_url="http://llm.test/v1",
        model="gpt-4o-mini",
        llm_backoff_base=0.01,
        llm_backoff_max=0.05,
        allowed_hosts=TEST_HOSTS,
    )
