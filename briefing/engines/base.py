"""The engine seam: everything that makes briefs (CLI, API, digests, evals) talks to this interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from briefing.models import Article, Brief, BriefOptions


@runtime_checkable
class Engine(Protocol):
    """Makes a brief from one article, and merges several briefs into one.

    `brief` returns an ungrounded brief (evidence quotes without offsets); the pipeline grounds it.
    `merge` combines briefs of one long article (reduce) or of one story (digest); each input's
    evidence keeps its `article_id` so grounding can check it against the right text.
    """

    name: str

    @property
    def model(self) -> str | None: ...

    @property
    def prompt_version(self) -> str | None: ...

    async def brief(self, article: Article, options: BriefOptions) -> Brief: ...

    async def merge(self, briefs: Sequence[Brief], options: BriefOptions) -> Brief: ...
