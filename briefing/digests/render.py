"""Render a digest with Jinja2: Markdown, email-safe HTML (inline CSS), plain text; JSON via pydantic.

Templates named `digest.<fmt>.j2` in `Settings.templates_dir` override the built-in ones, so a
user can restyle the email without touching the package.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)

from briefing.config import Settings
from briefing.digests.models import ArticleRef, Digest, OutputFormat, Story
from briefing.errors import InputError
from briefing.models import Evidence

MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "json": "application/json",
}


def item_sources(evidence: list[Evidence], story: Story) -> list[ArticleRef]:
    """The articles an item's quotes come from (first article of the story when none is named)."""
    by_id = {ref.id: ref for ref in story.articles}
    refs = [by_id[e.article_id] for e in evidence if e.article_id in by_id]
    unique = list({ref.id: ref for ref in refs}.values())
    return unique or story.articles[:1]


def item_text(item: object) -> str:
    """The one line that states an item, whatever its kind (status, dispute, next step, actor)."""
    for attribute in ("text", "issue", "action", "name"):
        value = getattr(item, attribute, None)
        if value:
            when = getattr(item, "when", None)
            return f"{value} ({when})" if when else str(value)
    return ""


def ref_url(ref: ArticleRef) -> str | None:
    """The article's own address when it is an http(s) URL with a host; anything else is not linked."""
    url = (ref.url or "").strip()
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def ref_anchor(ref: ArticleRef) -> str:
    """Id of the element that stands for an article without a URL (in its story's sources line)."""
    return f"article-{ref.id}"


def ref_href(ref: ArticleRef) -> str:
    """Where a link to the article goes: its URL, else the anchor its story's sources line carries."""
    return ref_url(ref) or f"#{ref_anchor(ref)}"


def unfound_quotes(item: object) -> list[str]:
    """The item's quotes that grounding did not find (every format prints them as such)."""
    return [" ".join(e.quote.split()) for e in getattr(item, "evidence", []) if e.grounded is False]


def unsupported_note(item: object) -> str:
    """ "unsupported: <reasons>" for an item the claim check does not back, else ""."""
    if getattr(item, "supported", None) is False and any(e.grounded for e in getattr(item, "evidence", [])):
        return "unsupported: " + "; ".join(getattr(item, "reasons", []))
    return ""


def ref_label(ref: ArticleRef) -> str:
    """A name a reader recognises: the outlet, else the URL's domain, else the title (never an id)."""
    if ref.source and ref.source.strip():
        return ref.source.strip()
    url = ref_url(ref)
    host = urlsplit(url).hostname if url else None
    if host:
        return host.removeprefix("www.")
    return (ref.title or "").strip() or "untitled article"


def ref_title(ref: ArticleRef) -> str | None:
    """The title to show next to the label, unless the label already is the title."""
    title = (ref.title or "").strip()
    return title if title and title != ref_label(ref) else None


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&])")
_MD_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


def md_escape(value: object) -> str:
    """Inline Markdown text (a link's text): brackets, emphasis and HTML characters are escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def md_url(url: str) -> str:
    """A link destination Markdown reads as one piece (spaces and brackets percent-encoded)."""
    return "".join(
        _MD_URL_UNSAFE.get(char) or (f"%{ord(char):02X}" if ord(char) < 0x20 or ord(char) == 0x7F else char)
        for char in url
    )  # a control character (a newline) would end the link and start markup of its own


@lru_cache(maxsize=8)
def _environment(templates_dir: Path | None) -> Environment:
    loaders = [FileSystemLoader(str(templates_dir))] if templates_dir else []
    loaders.append(PackageLoader("briefing.digests", "templates"))
    environment = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(
        item_sources=item_sources,
        ref_label=ref_label,
        ref_title=ref_title,
        ref_url=ref_url,
        ref_href=ref_href,
        ref_anchor=ref_anchor,
        item_text=item_text,
        unfound_quotes=unfound_quotes,
        unsupported_note=unsupported_note,
    )
    environment.filters.update(md=md_escape, md_url=md_url)
    return environment


def render(digest: Digest, fmt: OutputFormat | str, settings: Settings) -> str:
    if fmt == "json":
        return digest.model_dump_json(indent=2)
    if fmt not in MEDIA_TYPES:
        raise InputError(f"format: {fmt!r} is not one of {', '.join(MEDIA_TYPES)}")
    template = _environment(settings.templates_dir).get_template(f"digest.{fmt}.j2")
    return template.render(digest=digest)
