"""The `lead` baseline: the article's first sentences and nothing else.

Every eval report shows it next to the engine under test, so a score means "this far above the
trivial answer". On reference-summary data its summary is the field's Lead-3: the first three
sentences, one per line (the form ROUGE-Lsum expects).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import pysbd

from briefing.config import Settings
from briefing.models import Article, Brief, BriefMeta, BriefOptions

LEAD_SENTENCES = 3
_PYSBD_LANGUAGES = frozenset(
    {"am", "ar", "bg", "da", "de", "el", "en", "es", "fa", "fr", "hi", "hy"}
    | {"it", "ja", "kk", "mr", "my", "nl", "pl", "ru", "sk", "ur", "zh"}
)


@lru_cache(maxsize=16)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)


def sentences(text: str, language: str | None = None) -> list[str]:
    """Sentences in order; paragraphs never share a sentence (a dateline line stays its own unit)."""
    code = (language or "en").split("-")[0].lower()
    segmenter = _segmenter(code if code in _PYSBD_LANGUAGES else "en")
    found: list[str] = []
    for paragraph in text.split("\n"):
        if paragraph.strip():
            found.extend(piece.strip() for piece in segmenter.segment(paragraph) if piece.strip())
    return found


class LeadEngine:
    """Headline = first sentence, summary = first three sentences (newline-separated), no items."""

    name = "lead"

    def __init__(self, settings: Settings, *, model: str | None = None) -> None:
        self.settings = settings

    @property
    def model(self) -> str | None:
        return None

    @property
    def prompt_version(self) -> str | None:
        return f"lead-{LEAD_SENTENCES}"

    async def brief(self, article: Article, options: BriefOptions) -> Brief:
        lead = sentences(article.text, article.language)[:LEAD_SENTENCES]
        headline = lead[0] if lead else (article.title or "")
        return Brief(
            headline=headline or "(empty article)",
            summary="\n".join(lead) or headline or "(empty article)",
            meta=BriefMeta(engine=self.name, prompt_version=self.prompt_version, as_of=article.published_at),
        )

    async def merge(self, briefs: Sequence[Brief], options: BriefOptions) -> Brief:
        """The first brief leads, as the first sentences lead an article."""
        if not briefs:
            raise ValueError("merge needs at least one brief")
        return briefs[0].model_copy(deep=True)
