"""Digest work on procrastinate (PostgreSQL): two schedulers, one feed, a per-minute schedule over
simulated periods — each tick's pass deferred once (procrastinate periodic work), each period
polled once, one digest and one delivery; deliveries retried by a procrastinate retry strategy
with capped backoff."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from digest_fakes import EMPTY_FEED, CountingEngine, FakeBriefer, harbor_and_tram, minutely_schedule
from digest_servers import Route, http_server
from procrastinate.periodic import PeriodicDeferrer
from pydantic import SecretStr
from sqlalchemy import text

from briefing.config import Settings
from briefing.digests.build import DigestBuilder
from briefing.digests.feeds import ENTRY_TASK, FeedPoller
from briefing.digests.models import DirectoryTarget, WebhookTarget
from briefing.digests.tasks import PASS_TASK, DigestTasks
from briefing.queue import build_queue
from briefing.queue.pg import ProcrastinateQueue
from briefing.store import Store, open_store
from briefing.store.digest_repo import DigestRepo

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 5, 4, 9, 0, 10, tzinfo=UTC)  # ten seconds into a minute


class Node:
    """One process: its store, procrastinate queue, digest tasks and scheduler (on a fake clock)."""

    def __init__(self, settings: Settings, engine: CountingEngine) -> None:
        self.store: Store = open_store(settings)
        self.queue = build_queue(settings, self.store, {})
        assert isinstance(self.queue, ProcrastinateQueue)
        repo = DigestRepo(self.store)
        builder = DigestBuilder(settings, repo, briefer=FakeBriefer(settings, self.store, engine))
        self.tasks = DigestTasks(settings, self.store, self.queue, builder=builder)
        self.tasks.schedule_passes()

    async def defer_tick(self, at: datetime) -> None:
        """What this process's procrastinate deferrer does at the tick `at`: defer the pass."""
        registry = self.queue.app.periodic_registry
        await PeriodicDeferrer(registry=registry).defer_jobs(
            [(task, int(at.timestamp())) for task in registry.periodic_tasks.values()]
        )

    async def drain(self) -> None:
        """Run this node's worker until the queue has nothing it can take now. Its deferrer is left
        out: the ticks are simulated (`defer_tick`), not read from the real clock."""
        registry = self.queue.app.periodic_registry
        periodic, registry.periodic_tasks = registry.periodic_tasks, {}
        try:
            await self.queue.app.run_worker_async(
                wait=False, install_signal_handlers=False, concurrency=4, listen_notify=False
            )
        finally:
            registry.periodic_tasks = periodic


def _count(store: Store, where: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.scalar(text(f"SELECT count(*) FROM procrastinate_jobs WHERE {where}")))


def _waiting(store: Store) -> int:
    return _count(store, "status IN ('todo', 'doing')")


async def _run_all(nodes: list[Node], *, until: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + until
    while True:
        await asyncio.gather(*(node.drain() for node in nodes))
        if _waiting(nodes[0].store) == 0 or loop.time() > deadline:
            return
        await asyncio.sleep(0.2)  # a retry scheduled a moment ahead


async def test_two_schedulers_poll_once_and_make_one_digest_and_delivery_per_period(
    postgres_settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    settings = postgres_settings.model_copy(
        update={"allow_private_urls": True, "delivery_dirs": [tmp_path], "fetch_timeout": 60.0}
    )
    nodes = [Node(settings, CountingEngine()), Node(settings, CountingEngine())]
    try:
        for node in nodes:
            await node.queue.app.open_async()
        for item in harbor_and_tram():
            nodes[0].store.save_article(item)
        repo = DigestRepo(nodes[0].store)
        minutely_schedule(repo, [DirectoryTarget(path=str(out))], T0 - timedelta(minutes=1))
        periods = 5
        with http_server() as (base, recorder):
            recorder.routes["/feed.xml"] = Route(EMPTY_FEED, content_type="application/rss+xml")
            FeedPoller(settings, nodes[0].store).add_feed(f"{base}/feed.xml", poll_minutes=1)
            for minute in range(periods):
                tick = T0 - timedelta(seconds=10) + timedelta(minutes=minute)  # on the minute
                await asyncio.gather(*(node.defer_tick(tick) for node in nodes))  # both, at once
                await _run_all(nodes)
            polls = [
                path for method, path, _, _ in recorder.requests if method == "GET" and path == "/feed.xml"
            ]
        assert _count(nodes[0].store, f"task_name = '{PASS_TASK}'") == periods  # one pass per tick
        assert len(polls) == periods  # each period's poll once, though two schedulers deferred it
        digests = repo.list_digests()
        assert sorted(d.period for d in digests) == [
            (T0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M") for m in range(periods)
        ]
        deliveries = repo.list_deliveries()
        assert len(deliveries) == periods
        assert all(d.status == "delivered" and d.attempts == 1 for d in deliveries)
        assert len(list(out.iterdir())) == 3 * periods  # md, html, json per period
        assert _waiting(nodes[0].store) == 0
    finally:
        for node in nodes:
            await node.queue.app.close_async()
            node.store.close()


async def test_a_failed_delivery_is_retried_with_backoff_and_a_refusal_fails_at_once(
    postgres_settings: Settings, tmp_path: Path
) -> None:
    settings = postgres_settings.model_copy(
        update={
            "allow_private_urls": True,
            "webhook_secret": SecretStr("s"),
            "delivery_backoff_base": 0.5,
            "delivery_backoff_max": 1.0,
            "delivery_dirs": [tmp_path / "allowed"],
        }
    )
    node = Node(settings, CountingEngine())
    await node.queue.app.open_async()
    try:
        for item in harbor_and_tram():
            node.store.save_article(item)
        repo = DigestRepo(node.store)
        with http_server() as (base, recorder):
            recorder.fail_next = 2  # 500, 500, then 204
            targets = [WebhookTarget(url=f"{base}/hook"), DirectoryTarget(path=str(tmp_path / "elsewhere"))]
            minutely_schedule(repo, targets, T0 - timedelta(minutes=1))
            await node.defer_tick(T0)
            await _run_all([node])
            posts = recorder.posts()
        by_kind = {d.kind: d for d in repo.list_deliveries()}
        webhook, directory = by_kind["webhook"], by_kind["directory"]
        assert webhook.status == "delivered" and webhook.attempts == 3 and len(posts) == 3
        assert [a.ok for a in webhook.history] == [False, False, True]
        assert directory.status == "failed" and directory.attempts == 1  # refused folder: no retry
    finally:
        await node.queue.app.close_async()
        node.store.close()


async def test_a_failing_feed_entry_is_retried_by_the_queue_and_a_refused_page_fails_at_once(
    postgres_settings: Settings, tmp_path: Path
) -> None:
    settings = postgres_settings.model_copy(
        update={
            "allow_private_urls": True,
            "feed_entry_backoff_base": 0.2,
            "feed_entry_backoff_max": 0.3,
            "feed_entry_max_attempts": 3,
        }
    )
    node = Node(settings, CountingEngine())
    await node.queue.app.open_async()
    try:
        with http_server() as (base, recorder):
            items = "".join(
                f"<item><title>{name}</title><link>{base}/{name}</link></item>" for name in ("busy", "gone")
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>{items}</channel></rss>'
            recorder.routes["/feed.xml"] = Route(body.encode(), content_type="application/rss+xml")
            recorder.routes["/busy"] = Route(b"busy", status=503)
            feed = FeedPoller(settings, node.store).add_feed(f"{base}/feed.xml", poll_minutes=60)
            await node.defer_tick(T0)
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
        assert _count(node.store, f"task_name = '{ENTRY_TASK}'") == 1  # one task, retried in place
        assert _waiting(node.store) == 0
    finally:
        await node.queue.app.close_async()
        node.store.close()
