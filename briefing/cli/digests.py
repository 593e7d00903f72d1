"""Digest commands: `schedules …`, `feeds …`, `scheduler` and `digest` (an ad hoc digest).

Each command checks its options, calls one service function and prints. Heavy modules are imported
inside the commands so `briefing --help` stays quick.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefing.cli.output import ITEM_ID, LIST_FORMAT, check_format, echo_json
from briefing.errors import InputError
from briefing.limits import MAX_ID

if TYPE_CHECKING:
    from briefing.store import Store

schedules_app = typer.Typer(help="Digest schedules: when, what and where to deliver.")
feeds_app = typer.Typer(help="RSS/Atom feeds polled for articles.")
DIGEST_FORMATS = ("md", "html", "txt", "json")
DIGEST_FORMAT_ALIASES = {"markdown": "md", "text": "txt"}  # the spellings `briefing brief` uses
TARGET_HELP = "dir:PATH, webhook:URL, webhook-unsigned:URL or email:ADDR (repeatable)."


def _run_async(awaitable: Any) -> Any:
    """asyncio.run, with asyncio imported only by the commands that need it (quicker --help)."""
    import asyncio

    return asyncio.run(awaitable)


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


def _settings() -> Any:
    from briefing.config import get_settings

    return get_settings()


@contextmanager
def _store() -> Iterator[Store]:
    from briefing.store import open_store

    store = open_store(_settings())
    try:
        yield store
    finally:
        store.close()


def _repo(store: Store) -> Any:
    from briefing.store.digest_repo import DigestRepo

    return DigestRepo(store)


# --- schedules ---------------------------------------------------------------------------------


@schedules_app.command("create")
def schedules_create(
    name: Annotated[str, typer.Argument(help="Name shown in the digest title.")],
    cron: Annotated[str, typer.Option(help="Five-field cron expression, e.g. '30 7 * * *'.")],
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/Berlin.")] = "UTC",
    target: Annotated[list[str], typer.Option(help=TARGET_HELP)] = [],  # noqa: B006
    source: Annotated[list[str], typer.Option(help="Only these article sources (repeatable).")] = [],  # noqa: B006
    keyword: Annotated[list[str], typer.Option(help="Only articles with one of these words.")] = [],  # noqa: B006
    tag: Annotated[list[str], typer.Option(help="Only articles from feeds with these tags.")] = [],  # noqa: B006
    window_hours: Annotated[float | None, typer.Option(help="Look-back; default since the last run.")] = None,
    max_stories: Annotated[int, typer.Option(help="Cap on stories per digest.")] = 20,
    min_sources: Annotated[int, typer.Option(help="Independent sources a story needs.")] = 1,
    engine: Annotated[
        str | None, typer.Option(help="Engine for its briefs: llm, offline or lead (default: settings).")
    ] = None,
) -> None:
    """Create a schedule and print it as JSON."""
    from briefing.digests.schedules import validate_schedule
    from briefing.services.schedules import schedule_spec

    spec = schedule_spec(
        {
            "name": name,
            "cron": cron,
            "timezone": timezone,
            "targets": [_target(item) for item in target],
            "filters": {"sources": source, "keywords": keyword, "tags": tag},
            "window_hours": window_hours,
            "max_stories": max_stories,
            "min_sources": min_sources,
            "engine": engine,
        }
    )
    settings = _settings()
    spec = validate_schedule(spec, settings)
    with _store() as store:
        schedule = _repo(store).create_schedule(spec)
    typer.echo(schedule.model_dump_json(indent=2))


@schedules_app.command("list")
def schedules_list(output_format: LIST_FORMAT = "text") -> None:
    """One line per schedule: id, name, cron, time zone, targets (and "paused" when disabled).

    A webhook that gets its digests without a signature says so (`webhook-unsigned:`, as it was
    created): its receiver cannot tell them from forged ones.
    """
    from briefing.digests.models import WebhookTarget, target_key

    output_format = check_format(output_format, ("text", "json"))
    with _store() as store:
        schedules = _repo(store).list_schedules()
    if output_format == "json":
        echo_json(schedules)
        return
    for schedule in schedules:
        shown = (
            f"webhook-unsigned:{t.url}"
            if isinstance(t, WebhookTarget) and t.allow_unsigned
            else target_key(t)
            for t in schedule.targets
        )
        targets = ", ".join(shown) or "-"
        paused = "" if schedule.enabled else "\tpaused"
        typer.echo(f"{schedule.id}\t{schedule.name}\t{schedule.cron}\t{schedule.timezone}\t{targets}{paused}")


@schedules_app.command("show")
def schedules_show(schedule_id: ITEM_ID) -> None:
    """A schedule and its runs, as JSON."""
    with _store() as store:
        repo = _repo(store)
        data = repo.get_schedule(schedule_id).model_dump(mode="json")
        data["runs"] = repo.list_runs(schedule_id)
    typer.echo(json.dumps(data, indent=2))


@schedules_app.command("delete")
def schedules_delete(schedule_id: ITEM_ID) -> None:
    """Delete a schedule (its digests are kept)."""
    with _store() as store:
        _repo(store).delete_schedule(schedule_id)
    typer.echo(f"deleted schedule {schedule_id}")


@schedules_app.command("update")
def schedules_update(
    schedule_id: ITEM_ID,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    cron: Annotated[str | None, typer.Option(help="New five-field cron expression.")] = None,
    timezone: Annotated[str | None, typer.Option(help="New IANA time zone.")] = None,
    target: Annotated[list[str] | None, typer.Option(help="Replace the targets: " + TARGET_HELP)] = None,
    source: Annotated[list[str] | None, typer.Option(help="Replace the source filter (repeatable).")] = None,
    keyword: Annotated[list[str] | None, typer.Option(help="Replace the keyword filter.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Replace the tag filter.")] = None,
    window_hours: Annotated[float | None, typer.Option(help="New look-back in hours.")] = None,
    max_stories: Annotated[int | None, typer.Option(help="New cap on stories.")] = None,
    min_sources: Annotated[int | None, typer.Option(help="New number of sources a story needs.")] = None,
    engine: Annotated[str | None, typer.Option(help="Engine for its briefs: llm, offline or lead.")] = None,
) -> None:
    """Change some fields of a schedule (the others stay) and print it as JSON."""
    from briefing.services.schedules import update_schedule

    changes: dict[str, Any] = {
        "name": name,
        "cron": cron,
        "timezone": timezone,
        "targets": [_target(item) for item in target] if target else None,
        "filters": {"sources": source, "keywords": keyword, "tags": tag}
        if (source or keyword or tag)
        else None,
        "window_hours": window_hours,
        "max_stories": max_stories,
        "min_sources": min_sources,
        "engine": engine,
    }
    settings = _settings()
    with _store() as store:
        schedule = update_schedule(_repo(store), schedule_id, changes, settings)
    typer.echo(schedule.model_dump_json(indent=2))


def _set_enabled(schedule_id: int, enabled: bool) -> None:
    from briefing.services.schedules import set_enabled

    with _store() as store:
        schedule = set_enabled(_repo(store), schedule_id, enabled)
    typer.echo(f"schedule {schedule.id} ({schedule.name}) is {'enabled' if schedule.enabled else 'disabled'}")


@schedules_app.command("enable")
def schedules_enable(schedule_id: ITEM_ID) -> None:
    """Resume a schedule: the scheduler makes its digests again, from its next slot on."""
    _set_enabled(schedule_id, True)


@schedules_app.command("disable")
def schedules_disable(schedule_id: ITEM_ID) -> None:
    """Pause a schedule: no digests until `enable`; its settings and digests are kept."""
    _set_enabled(schedule_id, False)


@schedules_app.command("run")
def schedules_run(
    schedule_id: ITEM_ID,
    key: Annotated[
        str | None,
        typer.Option(
            help="Idempotency key: a repeat with the same key returns the first digest and sends nothing."
        ),
    ] = None,
    deliver: Annotated[
        bool, typer.Option("--deliver/--no-deliver", help="Send it to the schedule's targets.")
    ] = True,
) -> None:
    """Make a digest of a schedule now (outside its cron slots) and deliver it, once per key.

    Without --key the key is the schedule and the current minute, so a command retried right
    away returns the first run's digest instead of making and sending a second one.
    """
    from briefing.digests.service import DigestService
    from briefing.services.schedules import none_delivered, run_now

    settings = _settings()
    with _store() as store:
        service = DigestService(settings, store)

        async def run() -> tuple[Any, bool]:
            try:
                return await run_now(service, schedule_id, key=key, deliver=deliver)
            finally:
                await service.builder.briefer.aclose()

        digest, replayed = _run_async(run())
        deliveries = _repo(store).list_deliveries(digest_id=digest.id) if deliver else []
    what = "already made by an earlier run with this key" if replayed else "made"
    typer.echo(f"digest {digest.id}: {digest.title} ({len(digest.stories)} stories), {what}")
    if digest.note:
        typer.echo(f"  {digest.note}")
    for delivery in deliveries:
        error = f" ({delivery.last_error})" if delivery.last_error else ""
        line = f"  delivery {delivery.id} to {delivery.target}: {delivery.status}{error}"
        if delivery.status == "pending" and delivery.next_attempt_at is not None:
            line += (
                f"; next attempt at {delivery.next_attempt_at:%Y-%m-%d %H:%M:%S}Z, made by a running"
                " `briefing serve` or `briefing scheduler` (or `briefing scheduler --once` then)"
            )
        typer.echo(line)
    if none_delivered(deliveries):
        typer.echo(f"briefing: no delivery succeeded ({len(deliveries)})", err=True)
        raise typer.Exit(1)


# --- scheduler and ad hoc digests --------------------------------------------------------------


def scheduler_command(
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit (for cron or tests).")] = False,
) -> None:
    """Run the digest scheduler alone (it also runs inside `briefing serve`)."""
    from briefing.services.schedules import scheduler_pass

    settings = _settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not once:
        from briefing.services.worker import run_worker

        # The same path as in `briefing serve` and `briefing worker`: on PostgreSQL a procrastinate
        # worker of the digest tasks, the pass as periodic work; on SQLite the embedded loop.
        _run_async(run_worker(settings.model_copy(update={"scheduler_enabled": True}), jobs=False))
        return
    with _store() as store:
        report = _run_async(scheduler_pass(settings, store))
    for poll in report.polls:
        typer.echo(f"feed {poll.feed_id}: {poll.status}, {len(poll.new_articles)} new article(s)")
    for digest in report.digests:
        typer.echo(f"digest {digest.id}: {digest.title} ({len(digest.stories)} stories)")
    for line in report.delivered:
        typer.echo(f"{line}: delivered")
    for line in report.failed:
        typer.echo(line)
    if not (report.polls or report.digests or report.delivered or report.failed):
        typer.echo("nothing was due: no feed to poll, no schedule slot, no delivery")


def _check_out(out: Path | None) -> None:
    if out is None:
        return
    if out.is_dir():
        raise InputError(f"--out {out} is a folder; give a file name")
    if not out.parent.is_dir():
        raise InputError(f"--out {out}: the folder {out.parent} does not exist")
    from briefing.services.batch import check_writable

    check_writable(out, "--out")


def digest_command(
    hours: Annotated[float, typer.Option(help="Window: articles of the last N hours.")] = 24.0,
    since: Annotated[
        str | None, typer.Option(help="Window start: 2h, 3d, 1w ago or an ISO date (overrides --hours).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Window end, written as --since (default now).")] = None,
    source: Annotated[list[str], typer.Option(help="Only these sources (repeatable).")] = [],  # noqa: B006
    article: Annotated[list[str], typer.Option(help="Exactly these article ids (repeatable).")] = [],  # noqa: B006
    fmt: Annotated[str, typer.Option("--format", help="md, html, txt or json.")] = "md",
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    max_stories: Annotated[int, typer.Option(min=1, help="Cap on stories.")] = 20,
    min_sources: Annotated[int, typer.Option(min=1, help="Independent sources a story needs.")] = 1,
    title: Annotated[str | None, typer.Option(help="Digest title.")] = None,
    engine: Annotated[str | None, typer.Option(help="llm, offline or lead (default: settings).")] = None,
) -> None:
    """Build an ad hoc digest from stored articles and print (or write) it."""
    # Every option is checked before anything is built or saved.
    fmt = DIGEST_FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
    if fmt not in DIGEST_FORMATS:
        raise InputError(f"--format must be one of: {', '.join(DIGEST_FORMATS)}")
    _check_out(out)
    if not math.isfinite(hours):
        raise InputError(f"--hours {hours}: give a number of hours, such as 24")
    if hours <= 0:
        raise InputError("--hours must be more than 0")
    from briefing.digests.models import MAX_WINDOW_HOURS  # not at import: `briefing --help` stays light

    if hours > MAX_WINDOW_HOURS:
        raise InputError(f"--hours must be at most {MAX_WINDOW_HOURS} (ten years)")
    from briefing.services.history import parse_when

    now = datetime.now(UTC)
    end = parse_when(until, option="--until", now=now) if until else now
    start = parse_when(since, option="--since", now=now) if since else end - timedelta(hours=hours)
    if start >= end:
        raise InputError(f"--since ({start:%Y-%m-%d %H:%M}) must be before --until ({end:%Y-%m-%d %H:%M})")
    if engine is not None:
        from briefing.engines import check_engine_name

        check_engine_name(engine)
    from briefing.digests.models import DigestFilters
    from briefing.digests.render import render
    from briefing.digests.service import DigestService

    settings = _settings()
    with _store() as store:
        service = DigestService(settings, store)

        async def build() -> Any:
            try:
                return await service.ad_hoc(
                    article_ids=article or None,
                    since=start,
                    until=end,
                    filters=DigestFilters(sources=source),
                    title=title,
                    max_stories=max_stories,
                    min_sources=min_sources,
                    engine=engine,
                )
            finally:
                await service.builder.briefer.aclose()

        digest = _run_async(build())
    text = render(digest, fmt, settings)
    if out is None:
        typer.echo(text, nl=False)
    else:
        from briefing.services.batch import write_output

        write_output(out, text, "--out")
        typer.echo(f"wrote digest {digest.id} ({len(digest.stories)} stories) to {out}", err=True)


# --- feeds -------------------------------------------------------------------------------------


@feeds_app.command("add")
def feeds_add(
    url: str,
    source: Annotated[str | None, typer.Option(help="Outlet name given to its articles.")] = None,
    tag: Annotated[list[str], typer.Option(help="Tags for schedule filters (repeatable).")] = [],  # noqa: B006
    every: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=60 * 24 * 365,
            help="Poll interval in minutes, 1 to 525600 (default: BRIEFING_FEED_POLL_MINUTES, 30).",
        ),
    ] = None,
) -> None:
    """Subscribe to a feed."""
    from briefing.digests.feeds import FeedPoller

    with _store() as store:
        feed = FeedPoller(_settings(), store).add_feed(url, source=source, tags=tag, poll_minutes=every)
    typer.echo(feed.model_dump_json(indent=2))


@feeds_app.command("list")
def feeds_list(output_format: LIST_FORMAT = "text") -> None:
    """One line per feed with its last poll status (and a line per entry being retried)."""
    from briefing.digests.feeds import FeedPoller

    output_format = check_format(output_format, ("text", "json"))
    with _store() as store:
        feeds = FeedPoller(_settings(), store).list_feeds()
    if output_format == "json":
        echo_json(feeds)
        return
    for feed in feeds:
        status = feed.last_status or "never polled"
        error = f" ({feed.last_error})" if feed.last_error else ""
        typer.echo(f"{feed.id}\t{feed.url}\t{status}{error}")
        for entry in feed.failing_entries:
            retry = f", next try {entry.next_attempt_at:%Y-%m-%d %H:%M}Z" if entry.next_attempt_at else ""
            typer.echo(
                f"  ! {entry.status} after {entry.attempts} attempt(s){retry}: {entry.url}: {entry.error}"
            )


@feeds_app.command("delete")
def feeds_delete(feed_id: ITEM_ID) -> None:
    """Unsubscribe from a feed (the articles it brought are kept)."""
    from briefing.digests.feeds import FeedPoller

    with _store() as store:
        FeedPoller(_settings(), store).delete_feed(feed_id)
    typer.echo(f"deleted feed {feed_id}")


@feeds_app.command("poll")
def feeds_poll(
    feed_id: Annotated[
        int | None, typer.Argument(min=1, max=MAX_ID, help="Poll only this feed (default: all).")
    ] = None,
) -> None:
    """Poll feeds now and report new articles and failures; exit 1 when every feed failed."""
    from briefing.digests.feeds import FeedPoller
    from briefing.services.schedules import all_failed, poll_feeds

    with _store() as store:
        results = _run_async(poll_feeds(FeedPoller(_settings(), store), feed_id))
    for result in results:
        if result.status == "busy":  # polled by someone else right now: not a failure
            typer.echo(f"{result.feed_id}\tbusy: {result.errors[0]}")
            continue
        typer.echo(
            f"{result.feed_id}\t{result.status}\t{len(result.new_articles)} new\t{result.duplicates} dup"
            f"\t{result.retried} retried"
        )
        for error in result.errors:
            typer.echo(f"  ! {error}", err=True)
    if all_failed(results):
        typer.echo(f"briefing: every feed failed ({len(results)})", err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the digest commands to the main app."""
    app.add_typer(schedules_app, name="schedules")
    app.add_typer(feeds_app, name="feeds")
    app.command("scheduler")(scheduler_command)
    app.command("digest")(digest_command)
