"""Digests over HTTP: build one now (`POST /v1/digests`), list, fetch as JSON/Markdown/HTML/text,
see and retry deliveries. (The HTML pages `/digests` and `/digests/{id}` are in `api.routes.web`.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.deps import DigestsDep
from api.schemas import Limit, Offset, Page
from briefing.digests.models import Delivery, DeliveryStatus, Digest
from briefing.digests.render import MEDIA_TYPES, render
from briefing.digests.service import IDEMPOTENCY_KEY_PATTERN, Idempotency
from briefing.engines import ENGINES
from briefing.errors import InputError
from briefing.limits import MAX_ID

router = APIRouter(tags=["digests"])
Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]


class DigestRequest(BaseModel):
    schedule_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Run this schedule now.")
    article_ids: list[str] | None = Field(
        default=None, max_length=5000, description="Or: an ad hoc digest of these articles."
    )
    title: str | None = None
    max_stories: int = Field(default=20, ge=1, le=500)
    min_sources: int = Field(default=1, ge=1, le=1000)
    engine: str | None = None

    # Published as oneOf, the rule _one_source enforces: a schedule id or a non-empty article list.
    model_config = ConfigDict(
        extra="forbid",  # a misspelt field is an error, as on every other body
        json_schema_extra={
            "oneOf": [
                {"required": ["schedule_id"], "properties": {"schedule_id": {"type": "integer"}}},
                {
                    "required": ["article_ids"],
                    "properties": {"article_ids": {"type": "array", "minItems": 1}},
                },
            ]
        },
    )

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str | None) -> str | None:
        # checked for both kinds of request, not only when an ad hoc digest gets to brief
        if value is not None and value not in ENGINES:
            raise ValueError(f"unknown engine {value!r}; choose one of: {', '.join(sorted(ENGINES))}")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> DigestRequest:
        if (self.schedule_id is None) == (not self.article_ids):
            raise ValueError("give either schedule_id or a non-empty article_ids list")
        return self


# The process's one digest service (built in the lifespan), never one per request.
Digests = DigestsDep


@router.post("/v1/digests", status_code=201)
async def create_digest(
    body: DigestRequest,
    digests: Digests,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            description="Repeat a request with the same key to get the same digest (200, "
            "Idempotent-Replayed: true) instead of a new one; a key reused for another request is a 422.",
            # published; Idempotency.of applies it with a message that says what to send
            json_schema_extra={"pattern": IDEMPOTENCY_KEY_PATTERN},
        ),
    ] = None,
) -> Digest:
    idempotency = None
    if idempotency_key is not None:
        idempotency = Idempotency.of(idempotency_key, body.model_dump_json())
    if body.schedule_id is not None:
        digest = await digests.run_schedule_now(body.schedule_id, idempotency=idempotency)
    else:
        digest = await digests.ad_hoc(
            article_ids=body.article_ids,
            title=body.title,
            max_stories=body.max_stories,
            min_sources=body.min_sources,
            engine=body.engine,
            idempotency=idempotency,
        )
    if idempotency is not None and idempotency.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return digest


@router.get("/v1/digests", summary="Digests, newest first")
async def list_digests(
    digests: Digests,
    schedule_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[Digest]:
    fetched = await asyncio.to_thread(
        digests.repo.list_digests, schedule_id=schedule_id, limit=limit + 1, offset=offset
    )
    return Page[Digest].of(fetched, limit=limit, offset=offset)


def _parse_ref(ref: str) -> tuple[int, str]:
    number, _, fmt = ref.partition(".")
    if not number.isdigit() or len(number) > 9 or (fmt and fmt not in MEDIA_TYPES):
        raise InputError(f"digest: {ref!r} is not '<id>' or '<id>.<md|html|txt|json>'", field="digest_id")
    return int(number), fmt or "json"


DigestRef = Annotated[str, PathParam(pattern=r"^[0-9]{1,9}(\.(md|html|txt|json))?$")]


RENDERED = {
    200: {
        "description": "The digest: JSON for `/v1/digests/12` and `.json`, else rendered as the suffix says",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Digest"}},
            **{
                media_type.split(";")[0]: {"schema": {"type": "string"}}
                for fmt, media_type in MEDIA_TYPES.items()
                if fmt != "json"
            },
        },
    }
}


@router.get("/v1/digests/{ref}", response_model=None, responses=RENDERED)
async def get_digest(ref: DigestRef, digests: Digests) -> Digest | Response:
    """`/v1/digests/12` (JSON), or `/v1/digests/12.md`, `.html`, `.txt`, `.json`."""
    digest_id, fmt = _parse_ref(ref)
    digest = await asyncio.to_thread(digests.repo.get_digest, digest_id)
    if "." not in ref:
        return digest
    return Response(render(digest, fmt, digests.settings), media_type=MEDIA_TYPES[fmt])


@router.get("/v1/digests/{digest_id}/deliveries", summary="A digest's deliveries, oldest first")
async def list_deliveries(
    digest_id: Id, digests: Digests, limit: Limit = 50, offset: Offset = 0
) -> Page[Delivery]:
    await asyncio.to_thread(digests.repo.get_digest, digest_id)
    fetched = await asyncio.to_thread(
        digests.repo.list_deliveries, digest_id=digest_id, limit=limit + 1, offset=offset
    )
    return Page[Delivery].of(fetched, limit=limit, offset=offset)


@router.get("/v1/deliveries", summary="Deliveries, oldest first, optionally of one status")
async def deliveries_by_status(
    digests: Digests, status: DeliveryStatus | None = None, limit: Limit = 50, offset: Offset = 0
) -> Page[Delivery]:
    fetched = await asyncio.to_thread(
        digests.repo.list_deliveries, status=status, limit=limit + 1, offset=offset
    )
    return Page[Delivery].of(fetched, limit=limit, offset=offset)


@router.post("/v1/deliveries/{delivery_id}/retry")
async def retry_delivery(delivery_id: Id, digests: Digests) -> Delivery:
    """Queue a failed delivery again (or a pending one now) and try it right away; 409 for one
    that was delivered or is being sent."""
    delivery = await asyncio.to_thread(digests.repo.retry_delivery, delivery_id, datetime.now(UTC))
    await digests.deliverer.deliver_due(digest_id=delivery.digest_id)
    return await asyncio.to_thread(digests.repo.get_delivery, delivery_id)
