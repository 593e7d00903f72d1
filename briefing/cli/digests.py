"""Digest commands: `schedules …`, `feeds …`, `scheduler` and `digest` (an ad hoc digest)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from briefing.config import get_settings
from briefing.errors import InputError


def _target(spec: str) -> dict:
    """`dir:/path`, `webhook:https://…`, `webhook-unsigned:https://…`, `email:a@x,b@y` → a target dict."""
    kind, _, value = spec.partition(":")
    if kind in ("dir", "directory") and value:
        return {"kind": "directory", "path": value}
    if kind == "webhook" and value:
        return {"kind": "webhook", "url": value}
    if kind == "webhook-unsigned" and value:
        return {"kind": "webhook", "url": value, "allow_unsigned": True}
    if kind == "email" and value:
        return {"kind": "email", "to": [address.strip() for address in value.split(",") if address.strip()]}
    raise InputError(
        f"target: {spec!r} is not dir:PATH, webhook:URL, webhook-unsigned:URL or email:ADDR[,ADDR]",
        field="target",
    )


def _store():  # imported lazily so `briefing --help` stays fast
    from briefing.store import open_store

    return open_store(get_settings())


def register(app: typer.Typer) -> None:
    """Add the digest commands to the main app."""
    schedules = typer.Typer(help="Digest schedules: when, what and where to deliver.")
    feeds = typer.Typer(help="RSS/Atom feeds polled for articles.")
    app.add_typer(schedules, name="schedules")
    app.add_typer(feeds, name="feeds")

    @schedules.command("create")
    def schedules_create(
        name: Annotated[str, typer.Argument(help="Name shown in the digest title.")],
        cron: Annotated[str, typer.Option(help="Five-field cron expression, e.g. '30 7 * * *'.")],
        timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/Berlin.")] = "UTC",
        target: Annotated[
            list[str],
            typer.Option(help="dir:PATH, webhook:URL, webhook-unsigned:URL or email:ADDR (repeatable)."),
        ] = [],  # noqa: B006
        source: Annotated[list[str], typer.Option(help="Only these article sources (repeatable).")] = [],  # noqa: B006
        keyword: Annotated[list[str], typer.Option(help="Only articles with one of these words.")] = [],  # noqa: B006
        tag: Annotated[list[str], typer.Option(help="Only articles from feeds with these tags.")] = [],  # noqa: B006
        window_hours: Annotated[
            float | None, typer.Option(help="Look-back; default since the last run.")
        ] = None,
        max_stories: Annotated[int, typer.Option(help="Cap on stories per digest.")] = 20,
        min_sources: Annotated[int, typer.Option(help="Independent sources a story needs.")] = 1,
    ) -> None:
        """Create a schedule and print it as JSON."""
        from pydantic import ValidationError

        from briefing.digests.models import ScheduleIn
        from briefing.digests.repo import DigestRepo
        from briefing.digests.schedules import validate_schedule

        try:
            spec = ScheduleIn(
                name=name,
                cron=cron,
                timezone=timezone,
                targets=[_target(item) for item in target],
                filters={"sources": source, "keywords": keyword, "tags": tag},
                window_hours=window_hours,
                max_stories=max_stories,
                min_sources=min_sources,
            )
        except ValidationError as error:
            raise InputError(f"schedule: {error.errors()[0]['loc']}: {error.errors()[0]['msg']}") from None
        schedule = DigestRepo(_store()).create_schedule(validate_schedule(spec, get_settings()))
        typer.echo(schedule.model_dump_json(indent=2))

    @schedules.command("list")
    def schedules_list() -> None:
        """One line per schedule: id, name, cron, time zone, targets."""
        from briefing.digests.models import target_key
        from briefing.digests.repo import DigestRepo

        for schedule in DigestRepo(_store()).list_schedules():
            targets = ", ".join(target_key(t) for t in schedule.targets) or "-"
            typer.echo(f"{schedule.id}\t{schedule.name}\t{schedule.cron}\t{schedule.timezone}\t{targets}")

    @schedules.command("show")
    def schedules_show(schedule_id: int) -> None:
        """A schedule and its runs, as JSON."""
        from briefing.digests.repo import DigestRepo

        repo = DigestRepo(_store())
        data = repo.get_schedule(schedule_id).model_dump(mode="json")
        data["runs"] = repo.list_runs(schedule_id)
        typer.echo(json.dumps(data, indent=2))

    @schedules.command("delete")
    def schedules_delete(schedule_id: int) -> None:
        """Delete a schedule (its digests are kept)."""
        from briefing.digests.repo import DigestRepo

        DigestRepo(_store()).delete_schedule(schedule_id)
        typer.echo(f"deleted schedule {schedule_id}")

    @app.command("scheduler")
    def scheduler_command(
        once: Annotated[
            bool, typer.Option("--once", help="One pass, then exit (for cron or tests).")
        ] = False,
    ) -> None:
        """Run the digest scheduler alone (it also runs inside `briefing serve`)."""
        from briefing.digests.scheduler import Scheduler

        logging.basicConfig(
            level=get_settings().log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
        scheduler = Scheduler(get_settings(), _store())
        if once:
            for digest in asyncio.run(scheduler.tick()):
                typer.echo(f"digest {digest.id}: {digest.title} ({len(digest.stories)} stories)")
            return
        asyncio.run(scheduler.run_forever())

    @app.command("digest")
    def digest_command(
        hours: Annotated[float, typer.Option(help="Window: articles of the last N hours.")] = 24.0,
        since: Annotated[datetime | None, typer.Option(help="Window start (overrides --hours).")] = None,
        until: Annotated[datetime | None, typer.Option(help="Window end (default now).")] = None,
        source: Annotated[list[str], typer.Option(help="Only these sources (repeatable).")] = [],  # noqa: B006
        article: Annotated[list[str], typer.Option(help="Exactly these article ids (repeatable).")] = [],  # noqa: B006
        fmt: Annotated[str, typer.Option("--format", help="md, html, txt or json.")] = "md",
        out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
        max_stories: Annotated[int, typer.Option(help="Cap on stories.")] = 20,
        min_sources: Annotated[int, typer.Option(help="Independent sources a story needs.")] = 1,
        title: Annotated[str | None, typer.Option(help="Digest title.")] = None,
        engine: Annotated[str | None, typer.Option(help="llm, offline or lead (default: settings).")] = None,
    ) -> None:
        """Build an ad hoc digest from stored articles and print (or write) it."""
        from briefing.digests.models import DigestFilters
        from briefing.digests.render import render
        from briefing.digests.service import DigestService

        settings = get_settings()
        end = until.replace(tzinfo=until.tzinfo or UTC) if until else datetime.now(UTC)
        start = since.replace(tzinfo=since.tzinfo or UTC) if since else end - timedelta(hours=hours)
        service = DigestService(settings, _store())
        digest = asyncio.run(
            service.ad_hoc(
                article_ids=article or None,
                since=start,
                until=end,
                filters=DigestFilters(sources=source),
                title=title,
                max_stories=max_stories,
                min_sources=min_sources,
                engine=engine,
            )
        )
        text = render(digest, fmt, settings)
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")
            typer.echo(f"wrote digest {digest.id} ({len(digest.stories)} stories) to {out}", err=True)

    @feeds.command("add")
    def feeds_add(
        url: str,
        source: Annotated[str | None, typer.Option(help="Outlet name given to its articles.")] = None,
        tag: Annotated[list[str], typer.Option(help="Tags for schedule filters (repeatable).")] = [],  # noqa: B006
        every: Annotated[int | None, typer.Option(help="Poll interval in minutes.")] = None,
    ) -> None:
        """Subscribe to a feed."""
        from briefing.digests.feeds import FeedPoller

        feed = FeedPoller(get_settings(), _store()).add_feed(url, source=source, tags=tag, poll_minutes=every)
        typer.echo(feed.model_dump_json(indent=2))

    @feeds.command("list")
    def feeds_list() -> None:
        """One line per feed with its last poll status."""
        from briefing.digests.feeds import FeedPoller

        for feed in FeedPoller(get_settings(), _store()).list_feeds():
            status = feed.last_status or "never polled"
            error = f" ({feed.last_error})" if feed.last_error else ""
            typer.echo(f"{feed.id}\t{feed.url}\t{status}{error}")
            for entry in feed.failing_entries:
                retry = f", next try {entry.next_attempt_at:%Y-%m-%d %H:%M}Z" if entry.next_attempt_at else ""
                typer.echo(
                    f"  ! {entry.status} after {entry.attempts} attempt(s){retry}: {entry.url}: {entry.error}"
                )

    @feeds.command("poll")
    def feeds_poll(
        feed_id: Annotated[int | None, typer.Argument(help="Poll only this feed (default: all).")] = None,
    ) -> None:
        """Poll feeds now and report new articles and failures."""
        from briefing.digests.feeds import FeedPoller

        poller = FeedPoller(get_settings(), _store())

        async def run() -> list:
            if feed_id is not None:
                return [await poller.poll(feed_id)]
            return [await poller.poll(feed.id) for feed in poller.list_feeds()]

        for result in asyncio.run(run()):
            typer.echo(
                f"{result.feed_id}\t{result.status}\t{len(result.new_articles)} new\t{result.duplicates} dup"
                f"\t{result.retried} retried"
            )
            for error in result.errors:
                typer.echo(f"  ! {error}", err=True)
