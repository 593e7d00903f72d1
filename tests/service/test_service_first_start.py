"""Processes started together on a fresh database all come up: migrations run under a lock."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from briefing.config import Settings
from briefing.store import open_store
from briefing.store.database import normalize_url
from tests.conftest import POSTGRES_URL

BRIEFING = Path(sys.executable).parent / "briefing"
PROCESSES = 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_together(tmp_path: Path, **extra: str) -> None:
    """Start PROCESSES `briefing serve` at once on one database; each must answer /readyz."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BRIEFING_", "OPENAI_")) and key != "DATABASE_URL"
    }
    env.update(BRIEFING_DATA_DIR=str(tmp_path / "data"), **extra)
    ports = [_free_port() for _ in range(PROCESSES)]
    logs = [tmp_path / f"serve-{port}.log" for port in ports]
    processes = [
        subprocess.Popen(
            [str(BRIEFING), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        pending = dict(zip(ports, processes, strict=True))
        deadline = time.monotonic() + 120  # three cold starts at once on 2 loaded cores
        while pending and time.monotonic() < deadline:
            for port, process in list(pending.items()):
                assert process.poll() is None, logs[ports.index(port)].read_text()[-2000:]
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                        del pending[port]
                except httpx.HTTPError:
                    pass
            time.sleep(0.05)
        assert not pending, "not ready: " + ", ".join(map(str, pending))
        assert all(process.poll() is None for process in processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def test_servers_started_together_on_a_fresh_sqlite_file_all_come_up(tmp_path: Path) -> None:
    _start_together(tmp_path)
    # The schema is complete and usable after the race.
    store = open_store(Settings(data_dir=tmp_path / "data"))
    try:
        assert store.ping() and store.count_active_jobs() == 0
    finally:
        store.close()
    assert (tmp_path / "data" / "briefing.db.migrate.lock").exists()


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A database created for this test only and dropped after it."""
    if not POSTGRES_URL:
        pytest.skip("DATABASE_URL is not set; PostgreSQL tests run in CI (.ci/run)")
    url = make_url(normalize_url(POSTGRES_URL))
    name = f"{url.database}_fresh_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_servers_started_together_on_a_fresh_postgres_database_all_come_up(
    tmp_path: Path, fresh_postgres_url: str
) -> None:
    _start_together(tmp_path, DATABASE_URL=fresh_postgres_url)
    store = open_store(Settings(data_dir=tmp_path / "data", database_url=fresh_postgres_url))
    try:
        assert store.ping() and store.count_active_jobs() == 0
    finally:
        store.close()


def test_the_database_file_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    from briefing.config import Settings
    from briefing.store.database import make_engine
    from briefing.store.lite import LiteBriefCache

    engine = make_engine(Settings(data_dir=tmp_path / "served"))
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (x)"))
    engine.dispose()
    assert (tmp_path / "served" / "briefing.db").stat().st_mode & 0o777 == 0o600
    assert LiteBriefCache.connect(tmp_path / "cli" / "briefing.db") is None  # not a store at head yet
    assert (tmp_path / "cli" / "briefing.db").stat().st_mode & 0o777 == 0o600
    existing = tmp_path / "mine.db"
    existing.write_bytes(b"")
    existing.chmod(0o640)
    make_engine(Settings(database_url=f"sqlite:///{existing}")).dispose()
    assert existing.stat().st_mode & 0o777 == 0o640  # an existing file keeps the mode its owner gave it
