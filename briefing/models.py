"""The data model every part of briefing speaks: articles in, grounded briefs out.

`SCHEMA_VERSION` changes whenever the JSON shape of `Brief` changes, so stored briefs and
downstream consumers can tell which shape they hold.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = "1.2"

Certainty = Literal["confirmed", "planned", "expected", "possible"]
GroundingMode = Literal["flag", "strict"]
VerifyMode = Literal["offline", "llm", "llm-all"]

_WS = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def normalize_text(text: str) -> str:
    """Canonical article text: NFC, unix newlines, trimmed lines, single blank lines between paragraphs.

    The article id is a hash of this text, so trivially different copies of one article
    (CRLF, trailing spaces) share an id and a cached brief.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_WS.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


EARLIEST_YEAR, LATEST_YEAR = 1800, 2200  # the dates an article can carry


def usable_date(value: datetime | None) -> datetime | None:
    """An article's date if it is one it can carry (the years 1800 to 2200), else None: date
    arithmetic (a digest's day window, time zones) cannot handle year 1 or 9999, and such a date
    says nothing about when the article appeared."""
    if value is None or not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return None
    try:
        value.astimezone(UTC)  # "0001-01-01T00:00:00+23:59" is in year 0 in UTC
    except (OverflowError, ValueError):
        return None
    return value


def given_date(value: datetime) -> datetime:
    """A publication date a user gave explicitly: refused, not dropped, when an article cannot carry
    it (`usable_date`), so a typo in the year does not vanish without a word."""
    if usable_date(value) is None:
        raise ValueError(f"a publication date must fall in the years {EARLIEST_YEAR}-{LATEST_YEAR}")
    return value


def clamp_date(value: datetime) -> datetime:
    """A window bound (`since`, `until`) within the dates articles can carry: an earlier or later
    bound selects the same articles, and date arithmetic stays in range."""
    if value.year < EARLIEST_YEAR:
        return datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)
    if value.year > LATEST_YEAR:
        return datetime(LATEST_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC)
    return value


def has_words(text: str) -> bool:
    """Whether a text has a letter or digit: one of only spaces, dashes, symbols or invisible
    characters (zero-width spaces) has nothing to brief or check."""
    return any(char.isalnum() for char in text)


def http_url(value: str | None) -> str | None:
    """An article's address must be an http(s) URL with a host: anything else (javascript:, data:,
    file:) would become a link or a fetch that runs or reads what it should not."""
    if value is None:
        return None
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url[:80]!r} is not an http:// or https:// URL")
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in url):
        # a newline or a tab in a link ends it early in Markdown and lets the rest read as markup
        raise ValueError(f"{url[:80]!r} has spaces or control characters; percent-encode them")
    return url


def article_id_for(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Article(_Model):
    """A news article; `id` is the sha256 of its normalized text."""

    id: str = ""
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    language: str | None = None

    @field_validator("text")
    @classmethod
    def _normalized(cls, value: str) -> str:
        return normalize_text(value)

    _url = field_validator("url")(http_url)
    _published = field_validator("published_at")(usable_date)

    @field_validator("text", "title", "source", "language")
    @classmethod
    def _encodable(cls, value: str | None) -> str | None:
        if value is not None and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("is not valid Unicode text (it holds an unpaired surrogate)") from None
        return value

    def model_post_init(self, __context: object) -> None:
        if not self.id:
            self.id = hashlib.sha256(self.text.encode("utf-8")).hexdigest()


ARTICLE_METADATA = ("title", "source", "url", "published_at", "language")


class MetadataConflict(_Model):
    """A metadata field given for a stored text that already has another value: the stored one is kept."""

    field: str
    stored: str
    given: str


class Ingested(_Model):
    """What storing an article did: new, or the same text stored before with the metadata it was
    missing `filled` in from this request, and `conflicts` where both have different values."""

    article: Article
    created: bool
    filled: list[str] = Field(default_factory=list)
    conflicts: list[MetadataConflict] = Field(default_factory=list)


class Evidence(_Model):
    """A verbatim quote from the article; offsets and `grounded` are filled by grounding."""

    quote: str
    start: int | None = None
    end: int | None = None
    grounded: bool | None = Field(
        default=None,
        description="True: found in the article (start/end set); False: not found in the article.",
    )
    article_id: str | None = Field(
        default=None, description="Article the quote comes from (set in multi-article story briefs)."
    )


class SecondOpinion(_Model):
    """The LLM's verdict on an item (BRIEFING_VERIFY=llm or llm-all): it decides `supported` when
    it says so explicitly; an item it did not answer keeps the offline verdict."""

    verdict: Literal["supported", "unsupported"]
    reason: str = ""
    model: str | None = None


class _Item(_Model):
    evidence: list[Evidence] = Field(default_factory=list)
    grounded: bool | None = Field(
        default=None,
        description="True when the item has evidence and every quote was found; None before grounding.",
    )
    supported: bool | None = Field(
        default=None,
        description="True when the facts the item's own words state (numbers, dates, names, polarity, "
        "certainty) are backed by its found evidence; None before the claim check.",
    )
    reasons: list[str] = Field(default_factory=list, description="Why the claim check found it unsupported.")
    second_opinion: SecondOpinion | None = None


class Actor(_Item):
    name: str
    role: str | None = None
    aliases: list[str] = Field(default_factory=list)
    stance: str | None = None


class StatusItem(_Item):
    text: str


class Position(_Model):
    party: str
    position: str


class Dispute(_Item):
    issue: str
    parties: list[str] = Field(default_factory=list)
    positions: list[Position] = Field(default_factory=list)


class NextStep(_Item):
    action: str
    who: str | None = None
    when: str | None = None
    certainty: Certainty | None = None


class BriefMeta(_Model):
    engine: str
    model: str | None = None
    prompt_version: str | None = None
    as_of: datetime | None = None
    chunks: int = 1
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    latency_ms: float = 0.0
    grounded_ratio: float | None = Field(
        default=None, description="Share of items whose every evidence quote was found in the article."
    )
    quotes_total: int = 0
    quotes_found: int = 0
    supported_ratio: float | None = Field(
        default=None, description="Share of items the claim check found supported by their evidence."
    )
    headline_supported: bool | None = None
    summary_supported: bool | None = None
    headline_reasons: list[str] = Field(default_factory=list)
    summary_reasons: list[str] = Field(default_factory=list)
    verify: VerifyMode = Field(
        default="offline", description="The claim check this brief had (BRIEFING_VERIFY)."
    )
    verify_calls: int = Field(default=0, description="LLM calls of the second opinion (BRIEFING_VERIFY).")
    verify_prompt_tokens: int = 0
    verify_completion_tokens: int = 0
    verify_cost_usd: float | None = Field(
        default=None, description="USD of the second opinion's calls; None when unknown or none made."
    )
    cached: bool = False
    warnings: list[str] = Field(default_factory=list)


class Brief(_Model):
    """A structured brief: every item carries evidence quoted from the article."""

    schema_version: str = SCHEMA_VERSION
    id: str | None = Field(default=None, description="Store id; set once the brief is saved.")
    article_id: str | None = None
    headline: str
    summary: str
    actors: list[Actor] = Field(default_factory=list)
    status: list[StatusItem] = Field(default_factory=list)
    disputes: list[Dispute] = Field(default_factory=list)
    next_steps: list[NextStep] = Field(default_factory=list)
    meta: BriefMeta

    def items(self) -> list[_Item]:
        """Every evidence-bearing item, in a stable order (actors, status, disputes, next steps)."""
        return [*self.actors, *self.status, *self.disputes, *self.next_steps]


class BriefOptions(_Model):
    """Per-request choices; None means "use the settings default"."""

    engine: str | None = None
    model: str | None = None
    grounding: GroundingMode | None = None
    use_cache: bool = True


def brief_json_schema() -> dict:
    """The published JSON Schema of a Brief (what `briefing schema` prints)."""
    schema = Brief.model_json_schema()
    schema["$id"] = f"https://briefing.dev/schema/brief/{SCHEMA_VERSION}.json"
    schema["title"] = "Brief"
    return schema
