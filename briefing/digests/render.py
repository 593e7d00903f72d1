"""Render a digest with Jinja2: Markdown, email-safe HTML (inline CSS), plain text; JSON via pydantic.

Templates named `digest.<fmt>.j2` in `Settings.templates_dir` override the built-in ones, so a
user can restyle the email without touching the package.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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


def ref_label(ref: ArticleRef) -> str:
    return ref.source or ref.title or ref.id[:12]


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
    environment.globals.update(item_sources=item_sources, ref_label=ref_label, item_text=item_text)
    return environment


def render(digest: Digest, fmt: OutputFormat | str, settings: Settings) -> str:
    if fmt == "json":
        return digest.model_dump_json(indent=2)
    if fmt not in MEDIA_TYPES:
        raise InputError(f"format: {fmt!r} is not one of {', '.join(MEDIA_TYPES)}")
    template = _environment(settings.templates_dir).get_template(f"digest.{fmt}.j2")
    return template.render(digest=digest)
