"""Stored stories: `briefing stories assign` and `briefing stories recluster --since … --until …`.

Articles are put in stories as they are stored; these commands assign whatever is still pending,
or forget and re-cluster the stories of a window (after changing the clustering settings, say).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from briefing.errors import InputError

stories_app = typer.Typer(help="Stories: the stored grouping of articles digests read.")


def _report(what: str, done: Any) -> None:
    typer.echo(
        f"{what}: {done.assigned} articles → {done.new_stories} new stories, "
        f"{done.joined_stories} stories continued; {done.waiting} articles wait for a brief"
    )


def _run(action: Any) -> Any:
    from briefing.config import get_settings
    from briefing.digests.stories import StoryAssigner
    from briefing.store import open_store

    settings = get_settings()
    store = open_store(settings)
    try:
        return action(StoryAssigner(settings, store))
    finally:
        store.close()


@stories_app.command("assign")
def assign_command() -> None:
    """Put every stored article that is in no story yet (and has a brief) into one."""
    _report("assigned", _run(lambda assigner: assigner.assign_pending()))


@stories_app.command("recluster")
def recluster_command(
    since: Annotated[
        str, typer.Option(help="Window start: 2h, 3d, 1w ago or an ISO date (UTC unless an offset is given).")
    ],
    until: Annotated[str, typer.Option(help="Window end, exclusive, written as --since.")],
) -> None:
    """Forget the stories of the articles in [--since, --until) and cluster them again."""
    from briefing.services.history import parse_when

    now = datetime.now(UTC)
    start, end = parse_when(since, option="--since", now=now), parse_when(until, option="--until", now=now)
    if start >= end:
        raise InputError(f"--since ({start:%Y-%m-%d %H:%M}) must be before --until ({end:%Y-%m-%d %H:%M})")
    _report("re-clustered", _run(lambda assigner: assigner.recluster(start, end)))


def register(app: typer.Typer) -> None:
    app.add_typer(stories_app, name="stories")
