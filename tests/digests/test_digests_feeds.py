"""Feeds from a loopback server: new entries stored once, ETag → 304, failing feeds reported, and
failing entries retried by the embedded queue with capped backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from digest_servers import PAGE, Route, http_server
from sqlalchemy import text

from briefing.digests.feeds import ENTRY_TASK, FeedPoller
from briefing.digests.models import ScheduleIn
from briefing.digests.tasks import QUEUE, DigestTasks
from briefing.errors import InputError, RefusedError
from briefing.fetch import is_permanent
from briefing.queue import LocalQueue


def rss(base: str, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link>"
        f"<pubDate>Mon, 04 May 2026 06:00:00 GMT</pubDate></item>"
        for path, title in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test Wire</title>{entries}</channel></rss>'
    ).encode()


@pytest.fixture
def open_settings(settings):
    return settings.model_copy(update={"allow_private_urls": True, "fetch_timeout": 1.0})


async def test_poll_stores_entries_once_and_uses_etag(open_settings, store) -> None:
    poller = FeedPoller(open_settings, store)
    told: list[str] = []
    poller.on_stored = told.append  # the runtime's story feed is told of every new article
    with http_server() as (base, recorder):
        recorder.routes["/a"] = Route(
            PAGE.format(title="Tram vote", body="The tram line was approved.").encode()
        )
        recorder.routes["/b"] = Route(
            PAGE.format(title="Bridge shut", body="The old bridge closed.").encode()
        )
        recorder.routes["/b-copy"] = recorder.routes["/b"]  # same text at another URL
        feed_body = rss(base, [("/a", "Tram vote"), ("/b", "Bridge shut"), ("/b-copy", "Bridge shut")])
        recorder.routes["/feed.xml"] = Route(feed_body, content_type="application/rss+xml", etag='"v1"')
        feed = poller.add_feed(f"{base}/feed.xml", source="Test Wire", tags=["local"])
        first = await poller.poll(feed.id)
        second = await poller.poll(feed.id)
        page_gets = [
            path for method, path, _, _ in recorder.requests if method == "GET" and path != "/feed.xml"
        ]
        conditional = [h.get("If-None-Match") for m, p, h, _ in recorder.requests if p == "/feed.xml"]
    assert first.status == "ok" and len(first.new_articles) == 2 and first.duplicates == 1
    assert second.status == "not-modified" and second.new_articles == []
    assert told == first.new_articles  # the duplicate is not new
    assert sorted(page_gets) == ["/a", "/b", "/b-copy"]  # each page fetched once
    assert conditional == [None, '"v1"']
    stored = store.get_article(first.new_articles[0])
    assert stored is not None and stored.source == "Test Wire" and stored.url.endswith("/a")
    assert stored.published_at == datetime(2026, 5, 4, 6, tzinfo=UTC)


async def test_failing_feeds_reported_others_continue(open_settings, store, repo) -> None:
    poller = FeedPoller(open_settings, store)
    told: list[str] = []
    poller.on_stored = told.append  # the runtime's story feed is told of every new article
    with http_server() as (base, recorder):
        recorder.routes["/a"] = Route(
            PAGE.format(title="Tram vote", body="The tram line was approved.").encode()
        )
        recorder.routes["/good.xml"] = Route(
            rss(base, [("/a", "Tram vote")]), content_type="application/rss+xml"
        )
        recorder.routes["/broken.xml"] = Route(b"<html><body>not a feed", content_type="text/html")
        recorder.routes["/down.xml"] = Route(b"oops", status=500)
        recorder.routes["/slow.xml"] = Route(rss(base, []), delay=3.0)
        recorder.routes["/huge.xml"] = Route(b"<rss>" + b"x" * 3000 + b"</rss>")
        for name in ("broken", "down", "slow", "good"):
            poller.add_feed(f"{base}/{name}.xml")
        huge_settings = open_settings.model_copy(update={"fetch_max_bytes": 1000})
        huge = FeedPoller(huge_settings, store)
        huge_feed = huge.add_feed(f"{base}/huge.xml")
        results = {r.url.rsplit("/", 1)[-1]: r for r in await poller.poll_due()}
        huge_result = await huge.poll(huge_feed.id)
    assert results["good.xml"].status == "ok" and len(results["good.xml"].new_articles) == 1
    assert "malformed" in results["broken.xml"].errors[0]
    assert "HTTP 500" in results["down.xml"].errors[0]
    assert "timed out" in results["slow.xml"].errors[0] or "longer" in results["slow.xml"].errors[0]
    assert "limit" in huge_result.errors[0]
    failing = dict(repo.failing_feeds(repo.create_schedule(ScheduleIn(name="x", cron="0 7 * * *"))))
    assert len(failing) == 4 and not any(url.endswith("good.xml") for url in failing)


async def test_poll_due_respects_interval(open_settings, store) -> None:
    poller = FeedPoller(open_settings, store)
    with http_server() as (base, recorder):
        recorder.routes["/f.xml"] = Route(rss(base, []), content_type="application/rss+xml")
        poller.add_feed(f"{base}/f.xml", poll_minutes=30)
        now = datetime.now(UTC)
        assert len(await poller.poll_due(now)) == 1
        assert await poller.poll_due(now + timedelta(minutes=10)) == []
        assert len(await poller.poll_due(now + timedelta(minutes=31))) == 1


def test_unknown_scheme_is_input_error(settings, store) -> None:
    with pytest.raises(InputError) as caught:
        FeedPoller(settings, store).add_feed("ftp://example.org/feed.xml")
    assert caught.value.http_status == 422 and caught.value.context["field"] == "url"


@pytest.mark.parametrize("url", ["http://a..b/feed.xml", f"http://{'a' * 64}.example/feed.xml"])
def test_a_host_no_resolver_takes_is_refused_when_the_feed_is_added(settings, store, url: str) -> None:
    with pytest.raises(InputError, match="is not a valid host name") as caught:
        FeedPoller(settings, store).add_feed(url)
    assert caught.value.http_status == 422


async def test_loopback_feed_refused_by_default(settings, store) -> None:
    poller = FeedPoller(settings, store)
    with http_server() as (base, recorder):
        feed = poller.add_feed(f"{base}/f.xml")
        result = await poller.poll(feed.id)
        assert recorder.requests == []
    assert result.status == "error" and "non-public" in result.errors[0]


async def test_redirect_from_a_public_feed_to_a_private_address_is_refused(
    settings, store, monkeypatch
) -> None:
    # "localhost" stands for a public host here; 127.0.0.1 stays private, as by default
    import briefing.fetch as urls  # every outbound fetch resolves there

    real = urls.resolve_checked
    monkeypatch.setattr(
        urls,
        "resolve_checked",
        lambda host, port, **kw: host if host == "localhost" else real(host, port, **kw),
    )
    poller = FeedPoller(settings, store)
    with http_server() as (base, recorder):
        port = base.rsplit(":", 1)[1]
        recorder.routes["/f.xml"] = Route(status=302, location=f"{base}/internal.xml")
        recorder.routes["/internal.xml"] = Route(body=rss(base, [("/a", "Secret")]))
        feed = poller.add_feed(f"http://localhost:{port}/f.xml")
        result = await poller.poll(feed.id)
    assert [path for _, path, _, _ in recorder.requests] == ["/f.xml"]
    assert result.status == "error" and "non-public" in result.errors[0]


async def test_redirect_between_allowed_feeds_is_followed(open_settings, store) -> None:
    poller = FeedPoller(open_settings, store)
    with http_server() as (base, recorder):
        recorder.routes["/old.xml"] = Route(status=301, location="/new.xml")
        recorder.routes["/new.xml"] = Route(body=rss(base, []), content_type="application/rss+xml")
        feed = poller.add_feed(f"{base}/old.xml")
        result = await poller.poll(feed.id)
    assert result.status == "ok", result.errors
    assert [path for _, path, _, _ in recorder.requests] == ["/old.xml", "/new.xml"]


def _entry_queue(settings, store, poller: FeedPoller) -> LocalQueue:
    """The embedded queue with the digest tasks registered: it runs the entries' retries."""
    queue = LocalQueue(store, settings, {})
    DigestTasks(settings, store, queue, feeds=poller)
    return queue


def _at(moment: datetime):  # type: ignore[no-untyped-def]
    return time_machine.travel(moment, tick=False)


async def test_failed_entry_is_retried_by_the_queue_with_backoff_while_feed_is_unchanged(
    open_settings, store
) -> None:
    tuned = open_settings.model_copy(update={"feed_entry_backoff_base": 600.0})
    poller = FeedPoller(tuned, store)
    queue = _entry_queue(tuned, store, poller)
    start = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    with http_server() as (base, recorder):
        recorder.routes["/a"] = Route(PAGE.format(title="Tram vote", body="The tram was approved.").encode())
        recorder.routes["/b"] = Route(b"busy", status=503)
        feed_body = rss(base, [("/a", "Tram vote"), ("/b", "Bridge shut")])
        recorder.routes["/feed.xml"] = Route(feed_body, content_type="application/rss+xml", etag='"v1"')
        feed = poller.add_feed(f"{base}/feed.xml", source="Test Wire")

        with _at(start):
            first = await poller.poll(feed.id, now=start)
            assert first.status == "ok" and len(first.new_articles) == 1
            assert any("/b" in error and "503" in error for error in first.errors)
            (failing,) = poller.get_feed(feed.id).failing_entries
            assert (failing.status, failing.attempts, failing.title) == ("retrying", 1, "Bridge shut")
            assert "503" in failing.error and failing.next_attempt_at == start + timedelta(seconds=600)
            assert await queue.drain(queue=QUEUE) == 0  # its retry is queued, held back by the backoff

        with _at(start + timedelta(seconds=300)):
            early = await poller.poll(feed.id, now=start + timedelta(seconds=300))
            assert early.status == "not-modified" and early.retried == 0
            assert await queue.drain(queue=QUEUE) == 0  # backoff not over

        with _at(start + timedelta(seconds=601)):
            second = await poller.poll(feed.id, now=start + timedelta(seconds=601))  # 304
            assert second.status == "not-modified" and second.retried == 0  # its task is waiting
            assert await queue.drain(queue=QUEUE) == 1  # b still down: retried later again
        (failing,) = poller.get_feed(feed.id).failing_entries
        assert failing.attempts == 2 and failing.next_attempt_at == start + timedelta(seconds=601 + 1200)

        recorder.routes["/b"] = Route(
            PAGE.format(title="Bridge shut", body="The old bridge closed.").encode()
        )
        with _at(start + timedelta(seconds=601 + 1000)):
            assert await queue.drain(queue=QUEUE) == 0  # the second backoff is not over
        with _at(start + timedelta(seconds=601 + 1201)):
            assert await queue.drain(queue=QUEUE) == 1
        b_gets = [path for method, path, _, _ in recorder.requests if method == "GET" and path == "/b"]
    assert len(b_gets) == 3  # first poll, one retry that failed, one that worked; none while backing off
    assert poller.get_feed(feed.id).failing_entries == []
    (entry_job,) = [job for job in _jobs(store) if job.kind == ENTRY_TASK]  # one job, retried in place
    assert (entry_job.status, entry_job.attempts) == ("succeeded", 2)
    stored = store.list_articles(limit=10)
    bridge = next(item for item in stored if item.title == "Bridge shut")
    assert bridge.url.endswith("/b")
    assert bridge.published_at == datetime(2026, 5, 4, 6, tzinfo=UTC)  # from the feed entry, kept


def _jobs(store) -> list:  # type: ignore[no-untyped-def]
    with store.engine.connect() as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM jobs ORDER BY created_at"))]
    return [store.get_job(job_id) for job_id in ids]


async def test_failing_entry_gives_up_after_max_attempts_and_is_listed(open_settings, store) -> None:
    tuned = open_settings.model_copy(update={"feed_entry_backoff_base": 1.0, "feed_entry_max_attempts": 3})
    poller = FeedPoller(tuned, store)
    queue = _entry_queue(tuned, store, poller)
    moment = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    with http_server() as (base, recorder):
        recorder.routes["/feed.xml"] = Route(
            rss(base, [("/busy", "Busy")]), content_type="application/rss+xml", etag='"v1"'
        )
        recorder.routes["/busy"] = Route(b"busy", status=503)
        feed = poller.add_feed(f"{base}/feed.xml")
        for _ in range(6):
            with _at(moment):
                await poller.poll(feed.id, now=moment)
                await queue.drain(queue=QUEUE)
            moment += timedelta(hours=1)
        gets = [path for method, path, _, _ in recorder.requests if path == "/busy"]
    assert len(gets) == 3
    (listed,) = poller.list_feeds()
    (entry,) = listed.failing_entries
    assert (entry.status, entry.attempts, entry.next_attempt_at) == ("failed", 3, None)
    assert "503" in entry.error
    assert [job.status for job in _jobs(store)] == ["succeeded"]  # given up: nothing left queued


async def test_a_refusing_page_fails_at_once_and_a_rate_limit_is_retried(open_settings, store) -> None:
    poller = FeedPoller(open_settings, store)
    queue = _entry_queue(open_settings, store, poller)
    moment = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    with http_server() as (base, recorder):
        items = [("/gone", "Gone"), ("/forbidden", "Forbidden"), ("/limited", "Limited")]
        recorder.routes["/feed.xml"] = Route(rss(base, items), content_type="application/rss+xml")
        recorder.routes["/forbidden"] = Route(b"no", status=403)
        recorder.routes["/limited"] = Route(b"slow down", status=429)
        feed = poller.add_feed(f"{base}/feed.xml")
        with _at(moment):
            await poller.poll(feed.id, now=moment)
        with _at(moment + timedelta(days=1)):  # every backoff is over
            assert await queue.drain(queue=QUEUE) == 1  # only the rate-limited page is retried
        gets = [path for method, path, _, _ in recorder.requests if path != "/feed.xml"]
    entries = {entry.url.removeprefix(base): entry for entry in poller.get_feed(feed.id).failing_entries}
    assert (entries["/gone"].status, entries["/gone"].attempts) == ("failed", 1)  # 404: no retry
    assert (entries["/forbidden"].status, entries["/forbidden"].attempts) == ("failed", 1)
    assert (entries["/limited"].status, entries["/limited"].attempts) == ("retrying", 2)
    assert sorted(gets) == ["/forbidden", "/gone", "/limited", "/limited"]


def test_entry_backoff_doubles_up_to_its_cap(open_settings, store) -> None:
    tuned = open_settings.model_copy(
        update={"feed_entry_backoff_base": 300.0, "feed_entry_backoff_max": 1000.0}
    )
    poller = FeedPoller(tuned, store)
    delays = [poller.entry_backoff(attempt).total_seconds() for attempt in range(1, 6)]
    assert delays == [300.0, 600.0, 1000.0, 1000.0, 1000.0]
    assert is_permanent(RefusedError("private address")) and not is_permanent(InputError("HTTP 429"))


def test_an_entry_date_no_digest_could_use_is_no_date() -> None:
    from briefing.digests.feeds import _published

    assert _published({"published_parsed": (2026, 3, 10, 7, 30, 0, 1, 69, 0)}) == datetime(
        2026, 3, 10, 7, 30, tzinfo=UTC
    )
    assert _published({"published_parsed": (1, 1, 1, 0, 0, 0, 0, 1, 0)}) is None
    assert _published({"updated_parsed": (9999, 12, 31, 23, 59, 59, 4, 365, 0)}) is None
    assert _published({}) is None


async def test_an_answer_with_no_feed_in_it_is_an_error_not_ok(open_settings, store) -> None:
    poller = FeedPoller(open_settings, store)
    page = b"<html><head><title>Hi</title></head><body><p>A page.</p></body></html>"
    with http_server() as (base, recorder):
        recorder.routes["/page"] = Route(page, content_type="text/html; charset=utf-8")
        recorder.routes["/empty"] = Route(b"", content_type="application/rss+xml")
        recorder.routes["/no-items.xml"] = Route(rss(base, []), content_type="application/rss+xml")
        ids = {name: poller.add_feed(f"{base}/{name}").id for name in ("page", "empty", "no-items.xml")}
        results = {name: await poller.poll(feed_id) for name, feed_id in ids.items()}
    assert results["page"].status == "error"
    assert results["page"].errors == ["not an RSS or Atom feed: the answer was text/html"]
    assert results["empty"].status == "error"
    assert results["empty"].errors == ["not an RSS or Atom feed: the answer was empty"]
    assert results["no-items.xml"].status == "ok"  # a real feed with nothing in it yet
    stored = poller.get_feed(ids["page"])
    assert (stored.last_status, stored.last_error) == (
        "error",
        "not an RSS or Atom feed: the answer was text/html",
    )


async def test_an_entry_link_that_is_not_http_fails_at_once(open_settings, store) -> None:
    poller = FeedPoller(open_settings, store)
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>'
        b"<item><title>F</title><link>ftp://example.org/file.txt</link></item>"
        b"<item><title>J</title><link>javascript:alert(1)</link></item>"
        b"</channel></rss>"
    )
    with http_server() as (base, recorder):
        recorder.routes["/feed.xml"] = Route(feed, content_type="application/rss+xml")
        made = poller.add_feed(f"{base}/feed.xml")
        result = await poller.poll(made.id)
    assert result.status == "ok" and result.new_articles == []
    entries = {entry.url: entry for entry in poller.get_feed(made.id).failing_entries}
    assert set(entries) == {"ftp://example.org/file.txt", "javascript:alert(1)"}
    for entry in entries.values():
        assert (entry.status, entry.attempts, entry.next_attempt_at) == ("failed", 1, None)
        assert "not an http(s) URL" in (entry.error or "")
    with store.session() as session:  # no retry is queued for them
        assert session.execute(text("SELECT count(*) FROM jobs")).scalar() == 0


@pytest.mark.parametrize("minutes", [0, -5, 60 * 24 * 365 + 1])
def test_a_poll_interval_outside_a_minute_to_a_year_is_refused(settings, store, minutes) -> None:
    poller = FeedPoller(settings, store)
    with pytest.raises(InputError) as caught:
        poller.add_feed("https://example.org/feed.xml", poll_minutes=minutes)
    assert caught.value.context["field"] == "poll_minutes" and str(minutes) in caught.value.message
    assert poller.list_feeds() == []
    assert poller.add_feed("https://example.org/a.xml", poll_minutes=1).poll_minutes == 1
    assert poller.add_feed("https://example.org/b.xml").poll_minutes == settings.feed_poll_minutes


def test_the_published_url_pattern_and_check_scheme_agree_on_empty_host_labels() -> None:
    import re

    from briefing.digests.urls import HTTP_URL_PATTERN, check_scheme

    for url, accepted in [
        ("https://example.org/feed", True),
        ("https://example.org./feed", True),
        ("https://a_b.example:8080", True),
        ("https://.example.org", False),
        ("https://example..org", False),
        ("https://.", False),
    ]:
        try:
            check_scheme(url, field="url")
            checked = True
        except InputError:
            checked = False
        assert (bool(re.search(HTTP_URL_PATTERN, url)), checked) == (accepted, accepted), url
