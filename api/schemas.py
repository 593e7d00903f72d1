"""Request and response bodies of the JSON API (what /openapi.json publishes)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
)

from briefing.models import Article, Brief, BriefOptions, MetadataConflict, clamp_date, given_date, http_url

_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def _date_time_text(value: Any) -> Any:
    """A date-time must be written out: pydantic would read `since=0.5` or `"published_at": -139`
    as a Unix time, which the schema (`format: date-time`) does not allow."""
    if isinstance(value, datetime):  # already parsed (a model built in Python, not from JSON)
        return value
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        raise ValueError("expected an ISO 8601 date-time such as 2026-12-01T07:30:00Z")
    return value


DateTimeText = Annotated[datetime, BeforeValidator(_date_time_text)]
# `since` / `until`: the same rule, and a bound before 1800 or after 2200 is read as that year
DateTimeQuery = Annotated[datetime, BeforeValidator(_date_time_text), AfterValidator(clamp_date)]
_CARRIED_YEAR = r"^(?:1[89][0-9]{2}|2[01][0-9]{2}|2200)-"  # 1800-2200, as `given_date` checks
# an article's `published_at`: refused outside the years an article can carry (see `given_date`)
PublishedAt = Annotated[
    datetime,
    BeforeValidator(_date_time_text),
    AfterValidator(given_date),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": _CARRIED_YEAR}),
]


class ArticleIn(BaseModel):
    # The rule the service applies (BriefService.article_from), published: a non-blank text, or a url.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["text"], "properties": {"text": {"type": "string", "pattern": "\\S"}}},
                {"required": ["url"], "properties": {"url": {"type": "string", "minLength": 1}}},
            ]
        },
    )

    text: str | None = Field(default=None, description="Article text; required unless `url` is given.")
    title: str | None = None
    url: str | None = Field(
        default=None, description="Where the article lives; fetched when `text` is absent."
    )
    source: str | None = None
    published_at: PublishedAt | None = None
    language: str | None = None

    _url = field_validator("url")(http_url)


class BriefRequest(ArticleIn):
    options: BriefOptions = Field(default_factory=BriefOptions)


class JobLinks(BaseModel):
    self: str
    brief: str | None = None
    retry: str | None = None


class JobOut(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    attempts: int
    error: dict[str, Any] | None = None
    brief: Brief | None = None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    links: JobLinks


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: every list endpoint answers this shape (`next_offset` null on the last)."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None = None

    @classmethod
    def of(cls, fetched: Sequence[T], *, limit: int, offset: int) -> Page[T]:
        """`fetched` was read with `limit + 1`: the extra row only says whether a next page exists."""
        more = len(fetched) > limit
        return cls(
            items=list(fetched[:limit]),
            limit=limit,
            offset=offset,
            next_offset=offset + limit if more else None,
        )


# The paging parameters of every list endpoint.
Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip: a page's `next_offset`.")]


class ArticleOut(BaseModel):
    article: Article = Field(description="The article as stored (after this request's fill-in).")
    created: bool = Field(
        description="True: this request stored the text (201); false: it was stored before (200)."
    )
    filled: list[str] = Field(
        default_factory=list,
        description="Metadata fields the stored article lacked and this request filled in.",
    )
    conflicts: list[MetadataConflict] = Field(
        default_factory=list,
        description="Fields the stored article already has with another value: the stored value is kept.",
    )


class ErrorBody(BaseModel):
    type: str
    message: str
    fields: list[str] | None = None
    job_id: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody
