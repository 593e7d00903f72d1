"""Pydantic shapes of the digest area: schedules in and out, digests, stories, deliveries.

These are what the API returns and what the database rows are converted to, so the JSON a
reader gets from `/v1/digests/{id}.json` is exactly `Digest.model_dump_json()`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from briefing.digests.urls import check_scheme
from briefing.errors import InputError
from briefing.limits import MAX_ID
from briefing.models import Brief

MAX_WINDOW_HOURS = 24 * 366 * 10  # a look-back of ten years: longer is a typo, and past datetime's range

OutputFormat = Literal["md", "html", "txt", "json"]
DeliveryStatus = Literal["pending", "sending", "delivered", "failed"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _filter_word(value: str) -> str:
    """A filter value with something in it: a blank one would match no article, silently."""
    if not value.strip():
        raise ValueError("a filter value must not be blank (leave the filter out to match everything)")
    return value.strip()


# the schema publishes the rule (a pattern is searched: "has a non-space"); the validator words it
FilterWord = Annotated[
    str, AfterValidator(_filter_word), WithJsonSchema({"type": "string", "pattern": r"\S"})
]


class DigestFilters(_Model):
    """Which stored articles a schedule looks at; empty lists mean "no restriction"."""

    sources: list[FilterWord] = Field(
        default_factory=list, description="Article sources (exact, case-insensitive)."
    )
    feeds: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, description="Feed ids whose entries are included."
    )
    keywords: list[FilterWord] = Field(default_factory=list, description="Any keyword in title or text.")
    tags: list[FilterWord] = Field(
        default_factory=list, description="Tags of the feeds the articles came from."
    )


class DirectoryTarget(_Model):
    kind: Literal["directory"] = "directory"
    path: str


class WebhookTarget(_Model):
    kind: Literal["webhook"] = "webhook"
    url: str
    allow_unsigned: StrictBool = Field(
        default=False,
        description="Send without X-Briefing-Signature when BRIEFING_WEBHOOK_SECRET is unset "
        "(otherwise such a delivery fails). Signed whenever the secret is set.",
    )

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        # The rule feed URLs and delivery follow (and the schema publishes): any case of the
        # scheme, a plain host, no spaces. Checked when the schedule is saved, not at delivery.
        try:
            return check_scheme(value, field="url")
        except InputError as error:
            raise ValueError(str(error).removeprefix("url: ")) from None


_NO_CONTROL = r"[^\x00-\x1f\x7f]"
# one address, local@domain, without spaces, control characters or the separators of a list
# ("a@x, b@y" would be two recipients; a CR or LF would end the mail header)
_ADDRESS_CHAR = r"[^\x00-\x20\x7f@,;:<>()\[\]\\\"]"
_ADDRESS = re.compile(rf"^{_ADDRESS_CHAR}+@{_ADDRESS_CHAR}+(?![\s\S])")


def _stored(info: ValidationInfo) -> bool:
    """Validating a row read back from the store (`context={"stored": True}`): the rules added
    since it was saved are not held against it, so an old schedule still lists and runs."""
    return bool(info.context and info.context.get("stored"))


def _address(value: str, info: ValidationInfo) -> str:
    if not _stored(info) and not _ADDRESS.match(value):
        raise ValueError(f"{value[:80]!r} is not one e-mail address (name@example.com)")
    return value


EmailAddress = Annotated[
    str, AfterValidator(_address), WithJsonSchema({"type": "string", "pattern": _ADDRESS.pattern})
]


def _plain_name(value: str, info: ValidationInfo) -> str:
    if not _stored(info) and re.search(r"[\x00-\x1f\x7f]", value):
        raise ValueError("a name must not hold control characters (a line break, a tab)")
    return value


class EmailTarget(_Model):
    kind: Literal["email"] = "email"
    to: list[EmailAddress] = Field(min_length=1)
    format: Literal["html", "txt"] = "html"


DeliveryTarget = DirectoryTarget | WebhookTarget | EmailTarget


def target_key(target: DeliveryTarget) -> str:
    """Stable identity of a target: deliveries are unique per (digest, target key)."""
    if isinstance(target, DirectoryTarget):
        return f"directory:{target.path}"
    if isinstance(target, WebhookTarget):
        return f"webhook:{target.url}"
    return "email:" + ",".join(sorted(address.lower() for address in target.to))


MAX_TARGETS = 50  # deliveries per run: past this a schedule is a mailing list, and each costs a send


class ScheduleIn(_Model):
    """What a user sends to create or replace a schedule (validated in `schedules.validate_schedule`)."""

    name: Annotated[
        str,
        AfterValidator(_plain_name),
        WithJsonSchema(
            {"type": "string", "minLength": 1, "maxLength": 200, "pattern": rf"^{_NO_CONTROL}*(?![\s\S])"}
        ),
    ] = Field(min_length=1, max_length=200)
    cron: str = Field(max_length=200, description="Five-field cron expression, e.g. '30 7 * * *'.")
    timezone: str = Field(default="UTC", description="IANA time zone the cron expression is read in.")
    filters: DigestFilters = Field(default_factory=DigestFilters)
    window_hours: float | None = Field(
        default=None,
        gt=0,
        le=MAX_WINDOW_HOURS,
        allow_inf_nan=False,
        description="Look-back window; default: since the previous run (or 24 h).",
    )
    max_stories: int = Field(default=20, ge=1, le=500)
    min_sources: int = Field(
        default=1, ge=1, le=1000, description="Independent sources a story needs (corroboration)."
    )
    formats: list[OutputFormat] = Field(
        default_factory=lambda: ["md", "html", "json"],
        min_length=1,
        description="Files a directory target gets, one per format (md, html, txt, json).",
    )
    targets: list[DeliveryTarget] = Field(default_factory=list, max_length=MAX_TARGETS)
    engine: str | None = Field(default=None, description="Engine for briefs and merges; default: settings.")
    enabled: StrictBool = True

    @model_validator(mode="after")
    def _unique_targets(self) -> ScheduleIn:
        """One target per destination (`target_key`): a repeat is dropped, the first one kept, as
        the schedule shown back says (the schema can only forbid repeats that are equal in full)."""
        kept: dict[str, DeliveryTarget] = {}
        for target in self.targets:
            kept.setdefault(target_key(target), target)
        if len(kept) != len(self.targets):
            self.targets = list(kept.values())
        return self


class Schedule(ScheduleIn):
    id: int
    created_at: datetime
    updated_at: datetime

    def digest_title(self, when: datetime) -> str:
        """Its digest's title for a run at `when`, read in the schedule's own time zone (a slot and a
        run-now digest alike: "Morning — Tue 08 Dec 2026, 07:30")."""
        local = when.astimezone(ZoneInfo(self.timezone))
        return f"{self.name} — {local.strftime('%a %d %b %Y, %H:%M')}"


class ArticleRef(_Model):
    """Where a story's items come from: every rendered item links to one of these."""

    id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: datetime | None = None


class StoryChange(_Model):
    """What changed in a story since the previous digest of the same schedule."""

    previous_digest_id: int | None = None
    previous_headline: str | None = None
    new_status: list[str] = Field(default_factory=list)
    new_disputes: list[str] = Field(default_factory=list)
    resolved_disputes: list[str] = Field(default_factory=list)
    happened_next_steps: list[str] = Field(default_factory=list)
    new_articles: int = 0

    @property
    def empty(self) -> bool:
        return not (
            self.new_status or self.new_disputes or self.resolved_disputes or self.happened_next_steps
        )


class Story(_Model):
    key: str = Field(description="Stable id of the story: hash of its earliest article id.")
    brief: Brief
    articles: list[ArticleRef]
    sources: list[str] = Field(default_factory=list)
    score: float = 0.0
    change: StoryChange | None = Field(
        default=None, description="Set when the story was in the previous digest."
    )


class SourceFailure(_Model):
    """A source (feed, article) that failed during the run; the run went on without it."""

    source: str
    error: str


class DigestStats(_Model):
    articles: int = 0
    briefed: int = 0
    briefs_cached: int = 0
    merges: int = 0
    merges_cached: int = 0
    llm_calls: int = 0
    clusters: int = 0
    dropped_uncorroborated: int = 0


class Digest(_Model):
    id: int | None = None
    schedule_id: int | None = None
    period: str | None = Field(
        default=None, description="Local wall-clock slot of the run, e.g. 2026-05-04T07:30."
    )
    title: str
    created_at: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None
    stories: list[Story] = Field(default_factory=list)
    failures: list[SourceFailure] = Field(default_factory=list)
    stats: DigestStats = Field(default_factory=DigestStats)
    note: str | None = Field(
        default=None,
        description="Why the digest has no stories when its window had no articles, e.g. "
        "'Nothing new since digest 4 of 2026-05-04 07:30 UTC.'",
    )


class DeliveryAttempt(_Model):
    at: datetime
    ok: bool
    error: str | None = None


class Delivery(_Model):
    id: int
    digest_id: int
    target: str
    kind: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    history: list[DeliveryAttempt] = Field(default_factory=list)
