"""Schedules and feeds over HTTP: `/v1/schedules` CRUD (+ runs), `/v1/feeds` (add, list, poll)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from api.deps import DigestsDep, FeedsDep, get_settings
from api.schemas import ErrorOut, Limit, Offset, Page
from briefing.config import Settings
from briefing.digests.feeds import MAX_POLL_MINUTES, Feed
from briefing.digests.models import Schedule, ScheduleIn
from briefing.digests.schedules import validate_schedule
from briefing.errors import ConflictError
from briefing.limits import MAX_ID
from briefing.store.digest_repo import DigestRepo

router = APIRouter(tags=["digests"])
Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]


def get_repo(digests: DigestsDep) -> DigestRepo:
    return digests.repo


class FeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, as on every other body

    url: str
    title: str | None = None
    source: str | None = None
    tags: list[str] = Field(default_factory=list)
    poll_minutes: int | None = Field(default=None, ge=1, le=MAX_POLL_MINUTES)


@router.post("/v1/schedules", status_code=201)
async def create_schedule(
    body: ScheduleIn,
    repo: Annotated[DigestRepo, Depends(get_repo)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Schedule:
    return await asyncio.to_thread(repo.create_schedule, validate_schedule(body, settings))


@router.get("/v1/schedules", summary="Schedules, by id")
async def list_schedules(
    repo: Annotated[DigestRepo, Depends(get_repo)], limit: Limit = 50, offset: Offset = 0
) -> Page[Schedule]:
    fetched = await asyncio.to_thread(repo.list_schedules, limit=limit + 1, offset=offset)
    return Page[Schedule].of(fetched, limit=limit, offset=offset)


@router.get("/v1/schedules/{schedule_id}")
async def get_schedule(schedule_id: Id, repo: Annotated[DigestRepo, Depends(get_repo)]) -> Schedule:
    return await asyncio.to_thread(repo.get_schedule, schedule_id)


@router.put("/v1/schedules/{schedule_id}")
async def replace_schedule(
    schedule_id: Id,
    body: ScheduleIn,
    repo: Annotated[DigestRepo, Depends(get_repo)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Schedule:
    return await asyncio.to_thread(repo.update_schedule, schedule_id, validate_schedule(body, settings))


@router.delete("/v1/schedules/{schedule_id}", status_code=204)
async def delete_schedule(schedule_id: Id, repo: Annotated[DigestRepo, Depends(get_repo)]) -> Response:
    await asyncio.to_thread(repo.delete_schedule, schedule_id)
    return Response(status_code=204)


@router.get("/v1/schedules/{schedule_id}/runs", summary="A schedule's runs, oldest first")
async def list_runs(
    schedule_id: Id, repo: Annotated[DigestRepo, Depends(get_repo)], limit: Limit = 50, offset: Offset = 0
) -> Page[dict[str, Any]]:
    await asyncio.to_thread(repo.get_schedule, schedule_id)
    fetched = await asyncio.to_thread(repo.list_runs, schedule_id, limit=limit + 1, offset=offset)
    return Page[dict[str, Any]].of(fetched, limit=limit, offset=offset)


@router.post("/v1/feeds", status_code=201)
async def add_feed(body: FeedIn, feeds: FeedsDep) -> Feed:
    return await asyncio.to_thread(
        feeds.add_feed,
        body.url,
        title=body.title,
        source=body.source,
        tags=body.tags,
        poll_minutes=body.poll_minutes,
    )


@router.get("/v1/feeds", summary="Feeds, by id, each with its failing entries")
async def list_feeds(feeds: FeedsDep, limit: Limit = 50, offset: Offset = 0) -> Page[Feed]:
    fetched = await asyncio.to_thread(feeds.list_feeds, limit=limit + 1, offset=offset)
    return Page[Feed].of(fetched, limit=limit, offset=offset)


@router.get("/v1/feeds/{feed_id}")
async def get_feed(feed_id: Id, feeds: FeedsDep) -> Feed:
    """The feed, its last poll, and its entries whose page fetch is failing (retrying or given up)."""
    return await asyncio.to_thread(feeds.get_feed, feed_id)


@router.delete("/v1/feeds/{feed_id}", status_code=204, responses={409: {"model": ErrorOut}})
async def delete_feed(feed_id: Id, feeds: FeedsDep) -> Response:
    """Unsubscribe: the feed and its entries' retries go; the articles it brought stay. A feed
    being polled right now answers 409 (try again in a moment)."""
    await asyncio.to_thread(feeds.delete_feed, feed_id)
    return Response(status_code=204)


@router.post("/v1/feeds/{feed_id}/poll")
async def poll_feed(feed_id: Id, feeds: FeedsDep) -> dict[str, Any]:
    result = await feeds.poll(feed_id)
    if result.status == "busy":
        raise ConflictError(f"feed {feed_id}: {result.errors[0]}")
    return {
        "feed_id": result.feed_id,
        "status": result.status,
        "new_articles": result.new_articles,
        "duplicates": result.duplicates,
        "retried": result.retried,
        "errors": result.errors,
    }
