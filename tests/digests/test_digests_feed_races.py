"""Polls of one feed at the same moment (two `feeds poll` processes, or one and the scheduler): the
second finds the first's poll lock and leaves the feed to it; two feeds listing one link store it
once. Both on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from digest_servers import PAGE, Route, http_server
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from briefing.config import Settings
from briefing.digests.feeds import FeedPoller, PollResult
from briefing.digests.tables import FeedEntryRow
from briefing.store import Store, open_store
from briefing.store.worklocks import try_hold


def rss(base: str, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link></item>" for path, title in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>{entries}</channel></rss>'.encode()
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    chosen = request.getfixturevalue("postgres_settings") if request.param == "postgres" else settings
    return chosen.model_copy(update={"allow_private_urls": True, "fetch_timeout": 5.0})


@pytest.fixture
def stores(db_settings: Settings) -> Iterator[list[Store]]:
    """Two stores on one database, as two processes would have."""
    opened = [open_store(db_settings), open_store(db_settings)]
    yield opened
    for store in opened:
        store.close()


def _poll_in_threads(settings: Settings, stores: list[Store], feed_ids: list[int]) -> list[PollResult]:
    """Poll `feed_ids[i]` through `stores[i]`, each in a thread with its own event loop, at once."""
    results: list[PollResult | BaseException] = [RuntimeError("not run")] * len(feed_ids)
    start = threading.Barrier(len(feed_ids))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = asyncio.run(FeedPoller(settings, stores[index]).poll(feed_ids[index]))
        except BaseException as error:  # reported by the assertion below
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(feed_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not [r for r in results if isinstance(r, BaseException)], results
    return results  # type: ignore[return-value]


def _entries(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(FeedEntryRow)) or 0)


def test_a_second_poll_of_a_feed_being_polled_leaves_it_to_the_first(db_settings, stores) -> None:
    with http_server() as (base, recorder):
        recorder.routes["/a"] = Route(PAGE.format(title="Tram vote", body="The tram was approved.").encode())
        recorder.routes["/b"] = Route(PAGE.format(title="Bridge shut", body="The bridge closed.").encode())
        # Slow enough that the second poll starts while the first one holds the feed.
        feed = rss(base, [("/a", "Tram vote"), ("/b", "Bridge shut")])
        recorder.routes["/feed.xml"] = Route(feed, content_type="application/rss+xml", delay=1.0)
        feed_id = FeedPoller(db_settings, stores[0]).add_feed(f"{base}/feed.xml").id
        results = _poll_in_threads(db_settings, stores, [feed_id, feed_id])
        feed_gets = [path for method, path, _, _ in recorder.requests if path == "/feed.xml"]
        # The lock is released afterwards: the next poll runs.
        after = asyncio.run(FeedPoller(db_settings, stores[1]).poll(feed_id))
    by_status = {result.status: result for result in results}
    assert sorted(by_status) == ["busy", "ok"]
    assert len(by_status["ok"].new_articles) == 2
    assert by_status["busy"].new_articles == [] and "another poll" in by_status["busy"].errors[0]
    assert feed_gets == ["/feed.xml"]  # the busy poll fetched nothing
    assert _entries(stores[0]) == 2
    assert after.status == "ok"


def test_two_feeds_listing_one_link_polled_at_once_store_it_once(db_settings, stores) -> None:
    with http_server() as (base, recorder):
        # Both polls fetch the page at the same time, then both insert its entry.
        recorder.routes["/a"] = Route(
            PAGE.format(title="Tram vote", body="The tram was approved.").encode(), delay=1.0
        )
        for name in ("one", "two"):
            recorder.routes[f"/{name}.xml"] = Route(
                rss(base, [("/a", "Tram vote")]), content_type="application/rss+xml"
            )
        poller = FeedPoller(db_settings, stores[0])
        feed_ids = [poller.add_feed(f"{base}/{name}.xml").id for name in ("one", "two")]
        results = _poll_in_threads(db_settings, stores, feed_ids)
    assert [result.status for result in results] == ["ok", "ok"]
    assert _entries(stores[0]) == 1


def test_feeds_poll_of_a_feed_being_polled_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.cli import app

    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "true")
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=tmp_path / "data")
    with http_server() as (base, recorder):
        recorder.routes["/feed.xml"] = Route(rss(base, []), content_type="application/rss+xml")
        assert CliRunner().invoke(app, ["feeds", "add", f"{base}/feed.xml"]).exit_code == 0
        store = open_store(settings)
        try:
            with try_hold(store, "poll:feed:1") as held:  # another process is polling feed 1
                assert held
                busy = CliRunner().invoke(app, ["feeds", "poll", "1"])
        finally:
            store.close()
        after = CliRunner().invoke(app, ["feeds", "poll", "1"])
        gets = [path for method, path, _, _ in recorder.requests if method == "GET"]
    assert busy.exit_code == 0, busy.output
    assert busy.stdout == "1\tbusy: another poll of this feed is running; it stores what is new\n"
    assert after.exit_code == 0 and after.stdout.startswith("1\tok\t")
    assert gets == ["/feed.xml"]  # only the poll after the other one ended fetched the feed


def test_api_poll_of_a_feed_being_polled_is_409(settings: Settings) -> None:
    from api.main import create_app

    open_settings = settings.model_copy(update={"scheduler_enabled": False, "allow_private_urls": True})
    with http_server() as (base, recorder), TestClient(create_app(open_settings)) as client:
        recorder.routes["/feed.xml"] = Route(rss(base, []), content_type="application/rss+xml")
        feed_id = client.post("/v1/feeds", json={"url": f"{base}/feed.xml"}).json()["id"]
        store = open_store(open_settings)
        try:
            with try_hold(store, f"poll:feed:{feed_id}"):
                busy = client.post(f"/v1/feeds/{feed_id}/poll")
        finally:
            store.close()
        done = client.post(f"/v1/feeds/{feed_id}/poll")
        documented = client.get("/openapi.json").json()["paths"]["/v1/feeds/{feed_id}/poll"]["post"]
    assert busy.status_code == 409
    assert "another poll of this feed is running" in busy.json()["error"]["message"]
    assert done.status_code == 200 and done.json()["status"] == "ok"
    assert "409" in documented["responses"]
