"""A tiny deterministic engine for service tests: quotes the article's first sentence."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence

from briefing.config import Settings
from briefing.errors import LLMUnavailableError
from briefing.models import Actor, Article, Brief, BriefMeta, BriefOptions, Evidence, StatusItem


class FakeEngine:
    name = "test"

    def __init__(self, settings: Settings, model: str | None = None) -> None:
        self._model = model or "fake-1"
        # The kill-mid-job test runs the server in a subprocess and slows the engine there.
        self.delay = float(os.environ.get("BRIEFING_TEST_ENGINE_DELAY", "0"))
        # Tells apart the briefs of two server processes (the fencing test).
        self.tag = os.environ.get("BRIEFING_TEST_ENGINE_TAG", "")

    @property
    def model(self) -> str | None:
        return self._model

    @property
    def prompt_version(self) -> str | None:
        return "t1"

    async def brief(self, article: Article, options: BriefOptions) -> Brief:
        if self.delay:
            await asyncio.sleep(self.delay)
        if "FAIL-UPSTREAM" in article.text:
            raise LLMUnavailableError("the fake LLM is down", attempts=3)
        first = article.text.split(". ")[0].strip()
        headline = f"{self.tag} {first}" if self.tag else first
        return Brief(
            headline=headline[:80],
            summary=first,
            actors=[Actor(name="Someone", evidence=[Evidence(quote=first)])],
            status=[
                StatusItem(
                    text="made up", evidence=[Evidence(quote="this quote is not in the article at all")]
                )
            ],
            meta=BriefMeta(engine=self.name, model=self.model, prompt_version=self.prompt_version),
        )

    async def merge(self, briefs: Sequence[Brief], options: BriefOptions) -> Brief:
        return briefs[0]
