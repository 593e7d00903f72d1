"""The work queue: one protocol over the embedded queue (SQLite) and procrastinate (PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from importlib import resources
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from briefing.config import Settings
from briefing.errors import ConfigError
from briefing.queue import LocalQueue, Outcome, build_queue, kind_of
from briefing.store import Job, QueueFullError, Store, open_store
from tests.service.test_service_durability import _free_port, _start

SCHEMA = Path(__file__).resolve().parents[2] / "briefing/store/migrations/procrastinate/schema-3.10.0.sql"


def test_the_migration_installs_the_installed_procrastinate_schema() -> None:
    """An upgraded procrastinate with another schema needs a new migration: this says so."""
    installed = (resources.files("procrastinate.sql") / "schema.sql").read_text(encoding="utf-8")
    assert SCHEMA.read_text(encoding="utf-8") == installed


def test_sqlite_runs_the_embedded_queue_and_refuses_procrastinate(settings: Settings) -> None:
    store = open_store(settings)
    try:
        assert kind_of(settings, store) == "local"
        assert isinstance(build_queue(settings, store, {}), LocalQueue)
        with pytest.raises(ConfigError, match="needs a PostgreSQL"):
            kind_of(settings.model_copy(update={"queue": "procrastinate"}), store)
    finally:
        store.close()


@pytest.fixture
def store_settings(settings: Settings, postgres_url: str) -> Settings:
    """These tests run on PostgreSQL only (a fresh schema each); `store` opens it."""
    return settings.model_copy(update={"database_url": postgres_url})


def _tasks(store: Store) -> list[tuple[str, str, dict]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT task_name, status::text, args FROM procrastinate_jobs ORDER BY id")
        )
        return [(row[0], row[1], row[2]) for row in rows]


@pytest.mark.postgres
def test_a_job_and_its_task_are_stored_together(store: Store, store_settings: Settings) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("procrastinate runs on PostgreSQL")
    queue = build_queue(store_settings.model_copy(update={"queue_limit": 2}), store, {"brief": _never})
    assert kind_of(store_settings, store) == "procrastinate"
    job = queue.submit("brief", {"n": 1})
    assert _tasks(store) == [("briefing.job", "todo", {"job_id": job.id})]
    queue.submit("brief", {"n": 2})
    with pytest.raises(QueueFullError):
        queue.submit("brief", {"n": 3})
    assert len(_tasks(store)) == 2  # the refused job's task was rolled back with its row
    assert store.count_active_jobs() == 2
    # BRIEFING_QUEUE=local keeps the embedded queue on PostgreSQL too
    local = build_queue(store_settings.model_copy(update={"queue": "local"}), store, {"brief": _never})
    assert isinstance(local, LocalQueue) and type(local) is LocalQueue


async def _never(job: Job) -> Outcome:
    raise AssertionError("not run")


@pytest.mark.postgres
async def test_a_procrastinate_worker_runs_jobs_retries_failed_ones_and_stops_at_once(
    store: Store, store_settings: Settings
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("procrastinate runs on PostgreSQL")
    calls: list[str] = []

    async def handler(job: Job) -> Outcome:
        calls.append(job.id)
        if job.payload.get("fail") and len(calls) == 1:
            raise ConfigError("first attempt fails")
        return Outcome(result_id=None, result={"n": job.payload["n"]})

    fast = store_settings.model_copy(update={"job_poll_seconds": 0.2})
    queue = build_queue(fast, store, {"brief": handler})
    stop = asyncio.Event()
    worker = asyncio.create_task(queue.run_worker(stop))
    try:
        failing = await asyncio.to_thread(queue.submit, "brief", {"n": 1, "fail": True})
        done = await queue.wait(failing.id, 20)
        assert done is not None and done.status == "failed" and done.error["type"] == "ConfigError"
        again = await asyncio.to_thread(queue.retry, failing.id)
        assert again.status == "queued"
        done = await queue.wait(failing.id, 20)
        assert done is not None and done.status == "succeeded" and done.result == {"n": 1}
        assert done.attempts == 1 and calls == [failing.id, failing.id]
    finally:
        stop.set()
        started = time.monotonic()
        await asyncio.wait_for(worker, 20)
        assert time.monotonic() - started < 10
    with store.engine.connect() as connection:  # the worker unregistered itself
        assert connection.scalar(text("SELECT count(*) FROM procrastinate_workers")) == 0


@pytest.mark.postgres
async def test_a_worker_cancelled_while_its_pool_opens_leaves_no_pool_task_behind(
    store: Store, store_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service stopped just after it started: psycopg_pool retries a cancelled connect for
    minutes, so a pool left open when opening is interrupted keeps the event loop from closing."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("procrastinate runs on PostgreSQL")
    import psycopg_pool

    opening = asyncio.Event()

    async def stuck(self: psycopg_pool.AsyncConnectionPool, timeout: float = 30.0) -> None:
        opening.set()
        await asyncio.Event().wait()  # the first connection never arrives

    monkeypatch.setattr(psycopg_pool.AsyncConnectionPool, "wait", stuck)
    queue = build_queue(store_settings, store, {"brief": _never})
    worker = asyncio.create_task(queue.run_worker(asyncio.Event()))
    await asyncio.wait_for(opening.wait(), 20)
    assert any(t.get_name().startswith("pool-") for t in asyncio.all_tasks())  # its workers run
    worker.cancel()
    await asyncio.wait_for(asyncio.gather(worker, return_exceptions=True), 20)
    await asyncio.sleep(0.1)
    assert [t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("pool-")] == []


@pytest.mark.postgres
async def test_a_stopping_worker_hands_its_running_job_back(store: Store, store_settings: Settings) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("procrastinate runs on PostgreSQL")
    started = asyncio.Event()

    async def slow(job: Job) -> Outcome:
        started.set()
        await asyncio.sleep(60)
        return Outcome()

    queue = build_queue(store_settings.model_copy(update={"job_poll_seconds": 0.2}), store, {"brief": slow})
    stop = asyncio.Event()
    worker = asyncio.create_task(queue.run_worker(stop))
    job = await asyncio.to_thread(queue.submit, "brief", {})
    await asyncio.wait_for(started.wait(), 20)
    worker.cancel()  # as the FastAPI lifespan does at shutdown
    await asyncio.wait_for(asyncio.gather(worker, return_exceptions=True), 20)
    now = store.get_job(job.id)
    assert now is not None and now.status == "queued" and now.attempts == 1
    assert ("briefing.job", "todo", {"job_id": job.id}) in _tasks(store)  # the next worker runs it

    async def quick(job: Job) -> Outcome:
        return Outcome(result={"resumed": True})

    resumed = build_queue(
        store_settings.model_copy(update={"job_poll_seconds": 0.2}), store, {"brief": quick}
    )
    stop = asyncio.Event()
    worker = asyncio.create_task(resumed.run_worker(stop))
    try:
        done = await resumed.wait(job.id, 20)
        assert done is not None and done.status == "succeeded" and done.attempts == 2
    finally:
        stop.set()
        await asyncio.wait_for(worker, 20)


@pytest.mark.postgres
def test_a_killed_workers_job_completes_on_another_within_15_seconds(
    tmp_path: Path, postgres_url: str
) -> None:
    """kill -9 the process running a job: another process's worker notices the missing heartbeats
    (procrastinate) and runs the job again, with the default lease, within 15 s of the kill."""
    ports = _free_port(), _free_port()
    defaults = {"DATABASE_URL": postgres_url, "BRIEFING_JOB_LEASE_SECONDS": "10"}
    killed = _start(ports[0], tmp_path / "a", delay="60", **defaults)
    other = None
    try:
        base = f"http://127.0.0.1:{ports[0]}"
        accepted = httpx.post(f"{base}/v1/briefs?engine=test&wait=false", json={"text": "A story. Killed."})
        assert accepted.status_code == 202, accepted.text
        path = accepted.json()["links"]["self"]
        for _ in range(400):
            if httpx.get(base + path).json()["status"] == "running":
                break
            time.sleep(0.05)
        else:
            pytest.fail("the job never started")
        other = _start(ports[1], tmp_path / "b", delay="0", **defaults)  # started after: the job is A's
        killed.kill()
        killed.wait(10)
        kill_at = time.monotonic()
        url = f"http://127.0.0.1:{ports[1]}{path}"
        job: dict = {}
        while time.monotonic() - kill_at < 15:
            job = httpx.get(url).json()
            if job["status"] == "succeeded":
                break
            time.sleep(0.1)
        assert job["status"] == "succeeded" and job["attempts"] == 2, job
    finally:
        for process in (killed, other):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
