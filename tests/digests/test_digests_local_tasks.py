"""Digest work on the embedded queue (SQLite), the same cases as on procrastinate
(test_digests_tasks.py): two schedulers, one feed, a per-minute schedule over simulated periods —
each period polled once, one digest and one delivery; a failed delivery and a failing feed entry
retried by the queue with capped backoff, a refusal failed at once. Every piece of digest work is a
job of the embedded queue, queued once under its lock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from digest_fakes import (
    EMPTY_FEED,
    CountingEngine,
    FakeBriefer,
    harbor_and_tram,
    just_due_schedule,
    minutely_schedule,
)
from digest_servers import Route, http_server
from pydantic import SecretStr
from sqlalchemy import text

from briefing.config import Settings
from briefing.digests.build import DigestBuilder
from briefing.digests.feeds import ENTRY_TASK, FeedPoller
from briefing.digests.models import DirectoryTarget, WebhookTarget
from briefing.digests.tasks import DELIVER_TASK, FEED_TASK, QUEUE, RUN_TASK, DigestTasks
from briefing.queue import LocalQueue
from briefing.store import Store, open_store
from briefing.store.digest_repo import DigestRepo

T0 = datetime(2026, 5, 4, 9, 0, 10, tzinfo=UTC)  # ten seconds into a minute


class Node:
    """One process: its own store and embedded queue over the shared SQLite file, its digest tasks."""

    def __init__(self, settings: Settings, engine: CountingEngine) -> None:
        self.store: Store = open_store(settings)
        self.queue = LocalQueue(self.store, settings, {})
        repo = DigestRepo(self.store)
        builder = DigestBuilder(settings, repo, briefer=FakeBriefer(settings, self.store, engine))
        self.tasks = DigestTasks(settings, self.store, self.queue, builder=builder)

    def scheduler_pass(self, at: datetime) -> int:
        return self.tasks.enqueue_due(at)


def _kinds(store: Store, where: str = "1 = 1") -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.scalars(text(f"SELECT kind FROM jobs WHERE {where} ORDER BY created_at")))


def _waiting(store: Store) -> int:
    return len(_kinds(store, "status IN ('queued', 'running')"))


async def _run_all(nodes: list[Node], *, until: float = 20.0) -> None:
    """Every node's worker until no digest work is left (a retry is held back a moment)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + until
    while True:
        await asyncio.gather(*(node.queue.drain(queue=QUEUE) for node in nodes))
        if _waiting(nodes[0].store) == 0 or loop.time() > deadline:
            return
        await asyncio.sleep(0.1)


async def test_two_schedulers_poll_once_and_make_one_digest_and_delivery_per_period(
    settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    settings = settings.model_copy(
        update={"allow_private_urls": True, "delivery_dirs": [tmp_path], "fetch_timeout": 60.0}
    )
    nodes = [Node(settings, CountingEngine()), Node(settings, CountingEngine())]
    try:
        for item in harbor_and_tram():
            nodes[0].store.save_article(item)
        repo = DigestRepo(nodes[0].store)
        minutely_schedule(repo, [DirectoryTarget(path=str(out))], T0 - timedelta(minutes=1))
        periods = 5
        with http_server() as (base, recorder):
            recorder.routes["/feed.xml"] = Route(EMPTY_FEED, content_type="application/rss+xml")
            FeedPoller(settings, nodes[0].store).add_feed(f"{base}/feed.xml", poll_minutes=1)
            for minute in range(periods):
                tick = T0 + timedelta(minutes=minute)
                with time_machine.travel(tick, tick=False):
                    added = await asyncio.gather(  # both schedulers' passes, at once
                        *(asyncio.to_thread(node.scheduler_pass, tick) for node in nodes)
                    )
                    assert sum(added) == 2  # the feed poll and the period's run, queued once
                    await _run_all(nodes)
            polls = [
                path for method, path, _, _ in recorder.requests if method == "GET" and path == "/feed.xml"
            ]
        assert len(polls) == periods  # each period's poll once, though two schedulers ran the pass
        digests = repo.list_digests()
        assert sorted(d.period for d in digests) == [
            (T0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M") for m in range(periods)
        ]
        deliveries = repo.list_deliveries()
        assert len(deliveries) == periods
        assert all(d.status == "delivered" and d.attempts == 1 for d in deliveries)
        assert len(list(out.iterdir())) == 3 * periods  # md, html, json per period
        kinds = _kinds(nodes[0].store)
        assert [kinds.count(kind) for kind in (FEED_TASK, RUN_TASK, DELIVER_TASK)] == [periods] * 3
        assert _waiting(nodes[0].store) == 0
    finally:
        for node in nodes:
            node.store.close()


async def test_a_failed_delivery_is_retried_with_backoff_and_a_refusal_fails_at_once(
    settings: Settings, tmp_path: Path
) -> None:
    settings = settings.model_copy(
        update={
            "allow_private_urls": True,
            "webhook_secret": SecretStr("s"),
            "delivery_backoff_base": 0.3,
            "delivery_backoff_max": 0.6,
            "delivery_dirs": [tmp_path / "allowed"],
        }
    )
    node = Node(settings, CountingEngine())
    try:
        for item in harbor_and_tram():
            node.store.save_article(item)
        repo = DigestRepo(node.store)
        with http_server() as (base, recorder):
            recorder.fail_next = 2  # 500, 500, then 204
            targets = [WebhookTarget(url=f"{base}/hook"), DirectoryTarget(path=str(tmp_path / "elsewhere"))]
            just_due_schedule(repo, targets, datetime.now(UTC))
            node.scheduler_pass(datetime.now(UTC))
            await node.queue.drain(queue=QUEUE)
            assert len(recorder.posts()) == 1  # the first attempt; its retry is held back
            assert node.scheduler_pass(datetime.now(UTC)) == 0  # a retry is waiting: not queued again
            await _run_all([node])
            posts = recorder.posts()
        by_kind = {d.kind: d for d in repo.list_deliveries()}
        webhook, directory = by_kind["webhook"], by_kind["directory"]
        assert webhook.status == "delivered" and webhook.attempts == 3 and len(posts) == 3
        assert [a.ok for a in webhook.history] == [False, False, True]
        assert directory.status == "failed" and directory.attempts == 1  # refused folder: no retry
        jobs = [node.store.get_job(job_id) for job_id in _ids(node.store, DELIVER_TASK)]
        assert sorted((job.status, job.attempts) for job in jobs) == [("succeeded", 1), ("succeeded", 3)]
    finally:
        node.store.close()


def _ids(store: Store, kind: str) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.scalars(text("SELECT id FROM jobs WHERE kind = :k"), {"k": kind}))


async def test_a_failing_feed_entry_is_retried_by_the_queue_and_a_refused_page_fails_at_once(
    settings: Settings, tmp_path: Path
) -> None:
    settings = settings.model_copy(
        update={
            "allow_private_urls": True,
            "feed_entry_backoff_base": 0.2,
            "feed_entry_backoff_max": 0.3,
            "feed_entry_max_attempts": 3,
        }
    )
    node = Node(settings, CountingEngine())
    try:
        with http_server() as (base, recorder):
            items = "".join(
                f"<item><title>{name}</title><link>{base}/{name}</link></item>" for name in ("busy", "gone")
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>{items}</channel></rss>'
            recorder.routes["/feed.xml"] = Route(body.encode(), content_type="application/rss+xml")
            recorder.routes["/busy"] = Route(b"busy", status=503)
            feed = FeedPoller(settings, node.store).add_feed(f"{base}/feed.xml", poll_minutes=60)
            node.scheduler_pass(datetime.now(UTC))
            await _run_all([node])
            gets = [path for method, path, _, _ in recorder.requests if method == "GET"]
        entries = {
            e.url.removeprefix(base): e
            for e in FeedPoller(settings, node.store).get_feed(feed.id).failing_entries
        }
        assert gets.count("/feed.xml") == 1 and gets.count("/gone") == 1  # 404: failed at once
        assert gets.count("/busy") == 3  # the poll's fetch, then two retries by the queue
        assert (entries["/gone"].status, entries["/gone"].attempts) == ("failed", 1)
        assert (entries["/busy"].status, entries["/busy"].attempts) == ("failed", 3)
        assert _kinds(node.store).count(ENTRY_TASK) == 1  # one job, retried in place
        assert _waiting(node.store) == 0
    finally:
        node.store.close()


async def test_a_scheduler_process_on_sqlite_runs_its_pass_and_the_digest_tasks(
    settings: Settings, tmp_path: Path
) -> None:
    """`briefing scheduler` (a worker of the digest queue with the scheduler loop): a due period's
    digest is made and delivered by jobs of the embedded queue, each once, though the loop ran the
    pass many times meanwhile."""
    from briefing.services.worker import run_worker

    out = tmp_path / "out"
    settings = settings.model_copy(
        update={"scheduler_poll_seconds": 0.1, "job_poll_seconds": 0.05, "delivery_dirs": [tmp_path]}
    )
    store = open_store(settings)
    try:
        for item in harbor_and_tram():
            store.save_article(item)
        repo = DigestRepo(store)
        just_due_schedule(repo, [DirectoryTarget(path=str(out))], datetime.now(UTC))
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(settings, jobs=False, stop=stop))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while loop.time() < deadline and not any(d.status == "delivered" for d in repo.list_deliveries()):
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # a few more passes: nothing is queued twice
        stop.set()
        await asyncio.wait_for(worker, 20)
        (digest,) = repo.list_digests()
        (delivery,) = repo.list_deliveries()
        assert (delivery.status, delivery.attempts, delivery.digest_id) == ("delivered", 1, digest.id)
        assert len(list(out.iterdir())) == 3
        kinds = _kinds(store, "status = 'succeeded'")
        assert kinds.count(RUN_TASK) == 1 and kinds.count(DELIVER_TASK) == 1
        assert _waiting(store) == 0
    finally:
        store.close()


class Killed(BaseException):
    """Stands in for the process being stopped mid-job (SIGTERM, a cron timeout, a kill)."""


async def test_a_scheduler_pass_killed_mid_job_is_recovered_by_the_next_pass(
    settings: Settings, monkeypatch
) -> None:
    """`briefing scheduler --once` from cron: a pass that dies inside a feed poll leaves its job
    running under its lock; the next pass, once the lease has lapsed, queues it again and polls."""
    from briefing.services.schedules import scheduler_pass

    settings = settings.model_copy(update={"allow_private_urls": True, "job_lease_seconds": 0.5})
    store = open_store(settings)
    try:
        with http_server() as (base, recorder):
            recorder.routes["/feed.xml"] = Route(EMPTY_FEED, content_type="application/rss+xml")
            FeedPoller(settings, store).add_feed(f"{base}/feed.xml", poll_minutes=1)
            real_poll = FeedPoller.poll

            async def dying_poll(self, feed_id, *, now=None):  # type: ignore[no-untyped-def]
                raise Killed

            monkeypatch.setattr(FeedPoller, "poll", dying_poll)
            with pytest.raises(Killed):
                await scheduler_pass(settings, store)
            monkeypatch.setattr(FeedPoller, "poll", real_poll)
            assert _kinds(store, "status = 'running'") == [FEED_TASK]  # left running, locked
            await asyncio.sleep(0.8)  # its lease lapses
            report = await scheduler_pass(settings, store)
            polls = [path for method, path, _, _ in recorder.requests if path == "/feed.xml"]
        assert [poll.status for poll in report.polls] == ["ok"] and len(polls) == 1
        assert _waiting(store) == 0
    finally:
        store.close()
