"""`briefing briefs list|show` (the history of stored briefs) and `briefing articles add|list`.

Each command parses its options, calls one function of `briefing.services.history` and prints.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.cli.output import LIST_FORMAT, check_format, echo_json
from briefing.errors import InputError
from briefing.limits import MAX_ID

if TYPE_CHECKING:
    from collections.abc import Iterator

    from briefing.store import Store

briefs_app = typer.Typer(
    help="Stored briefs: every brief made by the CLI, the API or a digest.", no_args_is_help=True
)
articles_app = typer.Typer(help="Stored articles, the input of digests.")

SINCE_HELP = "Only since then: 2h, 3d, 1w ago, or an ISO date/time (UTC)."


@contextmanager
def _store() -> Iterator[Store]:
    from briefing.config import get_settings
    from briefing.store import open_store

    store = open_store(get_settings())
    try:
        yield store
    finally:
        store.close()


def _since(value: str | None) -> datetime | None:
    from briefing.services.history import parse_when

    return parse_when(value, option="--since") if value is not None else None


@briefs_app.command("list")
def briefs_list(
    since: Annotated[str | None, typer.Option(help=SINCE_HELP)] = None,
    source: Annotated[str | None, typer.Option(help="Only briefs of articles from this source.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_ID, help="At most this many, newest first.")] = 50,
    output_format: LIST_FORMAT = "text",
) -> None:
    """One line per stored brief, newest first: id, time, engine, source and headline."""
    from briefing.services.history import list_briefs

    output_format = check_format(output_format, ("text", "json"))
    start = _since(since)
    with _store() as store:
        rows = list_briefs(store, since=start, source=source, limit=limit)
    if output_format == "json":
        typer.echo(
            json.dumps([{**row.__dict__, "created_at": row.created_at.isoformat()} for row in rows], indent=2)
        )
        return
    for row in rows:
        engine = f"{row.engine}:{row.model}" if row.model else row.engine
        typer.echo(
            f"{row.id}\t{row.created_at:%Y-%m-%d %H:%M}\t{engine}\t{row.source or '-'}\t{row.headline}"
        )


@briefs_app.command("show")
def briefs_show(
    brief_id: Annotated[str, typer.Argument(metavar="ID", help="A brief id from `briefing briefs list`.")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="markdown or json.")] = "markdown",
) -> None:
    """Print one stored brief."""
    from briefing.render import brief_to_markdown
    from briefing.services.history import get_brief

    output_format = check_format(output_format, ("markdown", "json"))
    with _store() as store:
        brief = get_brief(store, brief_id)
    if output_format == "json":
        typer.echo(brief.model_dump_json(indent=2))
    else:
        typer.echo(brief_to_markdown(brief), nl=False)


@articles_app.command("add")
def articles_add(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="UTF-8 text files, one article each.")
    ],
    source: Annotated[
        str | None, typer.Option(help="Outlet name (digests count independent sources).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title (one file only).")] = None,
    url: Annotated[str | None, typer.Option(help="Where the article was published (one file only).")] = None,
    published_at: Annotated[
        str | None,
        typer.Option(help="Publication time, ISO (e.g. 2026-03-01T08:00Z) or 2h/3d ago; default: unknown."),
    ] = None,
) -> None:
    """Store articles for digests; prints each one's id and whether it was new.

    A text stored before gets the metadata it lacks; a field it already has with another value is
    kept, with a warning on stderr.
    """
    from briefing.services.history import add_articles, parse_when, read_articles

    when = parse_when(published_at, option="--published-at") if published_at is not None else None
    if when is not None:
        from briefing.models import given_date

        try:
            given_date(when)
        except ValueError as error:
            raise InputError(f"--published-at {published_at!r}: {error}") from None
    articles = read_articles(files, source=source, title=title, url=url, published_at=when)
    with _store() as store:
        added = add_articles(store, articles)
    for item in added:
        status = "added" if item.created else "already stored"
        if item.filled:
            status += f" (filled in: {', '.join(item.filled)})"
        typer.echo(f"{item.article.id}\t{status}\t{item.label}")
        for conflict in item.conflicts:
            typer.echo(
                f"warning: {item.label}: kept the stored {conflict.field} {conflict.stored!r} "
                f"(given: {conflict.given!r})",
                err=True,
            )


@articles_app.command("list")
def articles_list(
    since: Annotated[str | None, typer.Option(help=SINCE_HELP)] = None,
    source: Annotated[str | None, typer.Option(help="Only articles from this source.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_ID, help="At most this many, newest first.")] = 50,
    output_format: LIST_FORMAT = "text",
) -> None:
    """One line per stored article, newest first: id, time, source and title (or first words)."""
    from briefing.services.history import list_articles

    output_format = check_format(output_format, ("text", "json"))
    start = _since(since)
    with _store() as store:
        articles = list_articles(store, since=start, source=source, limit=limit)
    if output_format == "json":
        echo_json(articles)
        return
    for article in articles:
        when = f"{article.published_at:%Y-%m-%d %H:%M}" if article.published_at else "-"
        label = article.title or " ".join(article.text.split()[:10])
        typer.echo(f"{article.id}\t{when}\t{article.source or '-'}\t{label}")


def register(app: typer.Typer) -> None:
    """Add the `briefs` and `articles` groups to the main app."""
    app.add_typer(briefs_app, name="briefs")
    app.add_typer(articles_app, name="articles")
