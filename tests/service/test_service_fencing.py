"""Fencing: a worker whose job was taken over (its lease lapsed) writes nothing when it resumes."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from briefing.config import Settings
from briefing.jobs import DatabaseJobQueue, Outcome
from briefing.models import Article, Brief, BriefMeta
from briefing.store import ClaimLostError, Job, Store
from briefing.store.tables import utcnow
from tests.service.test_service_durability import _free_port, _start

ARTICLE = Article(text="The council met on Monday. It voted to close the bridge.")


def _brief(headline: str) -> Brief:
    return Brief(
        headline=headline, summary=headline, meta=BriefMeta(engine="test", model="m", prompt_version="1")
    )


def _take_over(store: Store) -> Job:
    """What another worker does once a lease lapsed: requeue the job and claim it again."""
    assert store.requeue_expired(max_attempts=5, now=utcnow() + timedelta(seconds=60)) == 1
    second = store.claim_job(lease_seconds=30)
    assert second is not None
    return second


def test_a_stale_claim_writes_nothing(store: Store) -> None:
    job = store.submit_job("brief", {"article_id": ARTICLE.id}, article=ARTICLE)
    first = store.claim_job(lease_seconds=30)
    assert first is not None and first.id == job.id and first.attempts == 1
    second = _take_over(store)
    assert second.attempts == 2

    with pytest.raises(ClaimLostError):
        store.finish_brief_job(job.id, article=ARTICLE, brief=_brief("stale"), claim=first)
    with pytest.raises(ClaimLostError):
        store.finish_job(job.id, result_id="stale", result=None, claim=first)
    with pytest.raises(ClaimLostError):
        store.fail_job(job.id, error={"type": "X", "message": "stale"}, claim=first)
    assert store.extend_lease(job.id, lease_seconds=30, claim=first) is False
    assert store.get_brief(article_id=ARTICLE.id, engine="test", model="m", prompt_version="1") is None
    still = store.get_job(job.id)
    assert still is not None and still.status == "running" and still.attempts == 2

    assert store.extend_lease(job.id, lease_seconds=30, claim=second) is True
    brief_id = store.finish_brief_job(job.id, article=ARTICLE, brief=_brief("current"), claim=second)
    done = store.get_job(job.id)
    assert done is not None and done.status == "succeeded" and done.result_id == brief_id
    cached = store.get_brief(article_id=ARTICLE.id, engine="test", model="m", prompt_version="1")
    assert cached is not None and cached.headline == "current"


async def test_the_heartbeat_stops_a_run_whose_claim_was_taken_over(store: Store, settings: Settings) -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def handler(job: Job) -> Outcome:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Outcome(result_id="never")

    # A lease long enough that the worker never lapses its own claim on a loaded machine.
    # One slot, held by the run: this worker cannot claim the requeued job before the "other worker".
    fast = settings.model_copy(update={"job_lease_seconds": 1.5, "job_poll_seconds": 0.05, "workers": 1})
    queue = DatabaseJobQueue(store, fast, {"brief": handler})
    stop = asyncio.Event()
    worker = asyncio.create_task(queue.run_worker(stop))
    try:
        job = await asyncio.to_thread(queue.submit, "brief", {})
        await asyncio.wait_for(started.wait(), 10)
        second = await asyncio.to_thread(_take_over, store)
        await asyncio.wait_for(cancelled.wait(), 5)  # the next heartbeat saw the claim was gone
        for _ in range(100):  # the run winds down: its slot is freed, it writes nothing
            if queue.running == 0:
                break
            await asyncio.sleep(0.02)
        now = await asyncio.to_thread(store.get_job, job.id)
        assert now is not None and now.status == "running" and now.attempts == second.attempts == 2
        assert now.result_id is None and queue.running == 0
    finally:
        stop.set()
        await asyncio.wait_for(worker, 10)


@pytest.mark.postgres
def test_a_frozen_server_that_resumes_cannot_overwrite_the_rerun(tmp_path: Path, postgres_url: str) -> None:
    """SIGSTOP a server mid-job, let a second server re-run the job, SIGCONT the first: the result
    stays the second's (before fencing, the resumed server wrote its stale brief over it)."""
    ports = _free_port(), _free_port()
    frozen = _start(
        ports[0], tmp_path / "a", delay="2", DATABASE_URL=postgres_url, BRIEFING_TEST_ENGINE_TAG="A"
    )
    other = None
    try:
        base = f"http://127.0.0.1:{ports[0]}"
        accepted = httpx.post(f"{base}/v1/briefs?engine=test&wait=false", json={"text": ARTICLE.text})
        assert accepted.status_code == 202
        path = accepted.json()["links"]["self"]
        for _ in range(200):
            if httpx.get(base + path).json()["status"] == "running":
                break
            time.sleep(0.02)
        else:
            pytest.fail("the job never started")
        frozen.send_signal(signal.SIGSTOP)

        other = _start(
            ports[1], tmp_path / "b", delay="0", DATABASE_URL=postgres_url, BRIEFING_TEST_ENGINE_TAG="B"
        )
        url = f"http://127.0.0.1:{ports[1]}{path}"
        job: dict = {}
        deadline = time.monotonic() + 60  # a second server's start and take-over, on a loaded machine
        while time.monotonic() < deadline:
            job = httpx.get(url).json()
            if job["status"] == "succeeded":
                break
            time.sleep(0.05)
        assert job["status"] == "succeeded" and job["attempts"] == 2, job
        assert job["brief"]["headline"].startswith("B ")

        frozen.send_signal(signal.SIGCONT)
        time.sleep(3)  # the resumed server's engine finishes its 2 s and it tries to write
        assert frozen.poll() is None
        after = httpx.get(url).json()
        assert after["status"] == "succeeded" and after["attempts"] == 2
        assert after["brief"]["headline"].startswith("B "), after["brief"]["headline"]
        assert after["links"]["brief"] == job["links"]["brief"]
        cached = httpx.get(f"http://127.0.0.1:{ports[1]}{job['links']['brief']}").json()
        assert cached["headline"].startswith("B "), cached["headline"]
    finally:
        frozen.send_signal(signal.SIGCONT)
        for process in (frozen, other):
            if process is not None:
                process.terminate()
                process.wait(15)
