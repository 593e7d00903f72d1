"""Request and response bodies of the JSON API (what /openapi.json publishes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from briefing.models import Article, Brief, BriefOptions, http_url


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, description="Article text; required unless `url` is given.")
    title: str | None = None
    url: str | None = Field(
        default=None, description="Where the article lives; fetched when `text` is absent."
    )
    source: str | None = None
    published_at: datetime | None = None
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
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None = None


class ArticleOut(BaseModel):
    article: Article
    created: bool


class ErrorBody(BaseModel):
    type: str
    message: str
    fields: list[str] | None = None
    job_id: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody
