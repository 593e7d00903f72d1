"""The brief pipeline: article → (cache) → engine → grounding → claim check → stored brief.

Every caller (CLI, HTTP service, digests, evals) goes through `Briefer.brief`, so caching,
grounding and timing behave the same everywhere.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from briefing.clean import clean_article
from briefing.config import Settings
from briefing.engines import Engine, get_engine
from briefing.errors import BriefingError
from briefing.grounding import ground_brief
from briefing.models import Article, Brief, BriefOptions
from briefing.verify import check_brief, present_brief

if TYPE_CHECKING:
    from briefing.second_opinion import LLMVerifier


class BriefCache(Protocol):
    """What the pipeline needs from the store (implemented by `briefing.store`)."""

    def get_brief(
        self, *, article_id: str, engine: str, model: str | None, prompt_version: str | None
    ) -> Brief | None: ...

    def put_brief(self, *, article: Article, brief: Brief) -> None: ...

    # Optional: `get_briefs(article_ids, *, engine, model, prompt_version) -> dict[str, Brief]`,
    # many briefs in one read; `Briefer.brief_many` uses it when the cache has it (the store does).


class Briefer:
    """Makes grounded briefs with caching; engines are built once per (name, model) and reused."""

    def __init__(self, settings: Settings, cache: BriefCache | None = None) -> None:
        self.settings = settings
        self.cache = cache if settings.cache else None
        self._engines: dict[tuple[str, str | None], Engine] = {}
        self._verifier: LLMVerifier | None = None
        # The runtime sets this on PostgreSQL (briefing/store/slots.py); engines built later use it.
        self.llm_slots: Any = None

    def engine(self, options: BriefOptions | None = None) -> Engine:
        options = options or BriefOptions()
        name = options.engine or self.settings.default_engine
        key = (name, options.model)
        if key not in self._engines:
            self._engines[key] = self._build_engine(name, options.model)
        return self._engines[key]

    def with_cache(self, cache: BriefCache | None) -> Briefer:
        """A Briefer over the same engines (and LLM clients, and call bound) with another cache view.

        The process builds its engines once; a caller that stores briefs its own way (a job that
        records the brief with the job's completion) shares them instead of building its own.
        """
        view = type(self).__new__(type(self))
        view.__dict__.update(self.__dict__)
        view.cache = cache if self.settings.cache else None
        return view

    def _build_engine(self, name: str, model: str | None) -> Engine:
        engine = get_engine(name, self.settings, model=model)
        client = getattr(engine, "client", None)
        if client is not None and self.llm_slots is not None:
            client.shared_slots = self.llm_slots  # the call bound across processes (PostgreSQL)
        return engine

    def verifier(self) -> LLMVerifier | None:
        """The LLM second opinion (BRIEFING_VERIFY=llm / llm-all), None when the check is offline.

        It borrows the LLM engine's client for the configured model, so it shares that client's
        retries, connection pool and bound on calls in flight; built once, on first use.
        """
        if self.settings.verify == "offline":
            return None
        if self._verifier is None:
            from briefing.second_opinion import LLMVerifier

            engine = self.engine(BriefOptions(engine="llm"))
            self._verifier = LLMVerifier(self.settings, engine.client)  # type: ignore[attr-defined]
        return self._verifier

    async def second_opinion(self, brief: Brief) -> Brief:
        """Ask the LLM about a claim-checked brief when the settings say so (in place)."""
        verifier = self.verifier()
        if verifier is None:
            return brief
        return await verifier.review(brief)

    def needs_second_opinion(self, brief: Brief) -> bool:
        """A stored brief checked with less than BRIEFING_VERIFY asks for (judged before reuse)."""
        from briefing.verify_modes import needs_second_opinion  # not second_opinion: no LLM client

        return needs_second_opinion(brief, self.settings.verify)

    async def aclose(self) -> None:
        """Release what the engines hold open (the LLM engine's HTTP client); call once, when done."""
        for engine in self._engines.values():
            close = getattr(engine, "aclose", None)
            if close is not None:
                await close()
        self._engines.clear()

    async def brief(self, article: Article, options: BriefOptions | None = None) -> Brief:
        options = options or BriefOptions()
        engine = self.engine(options)
        started = time.perf_counter()
        if self.cache is not None and options.use_cache:
            # The cache is the database: read it in a worker thread, never on the event loop.
            cached = await asyncio.to_thread(
                self.cache.get_brief,
                article_id=article.id,
                engine=engine.name,
                model=engine.model,
                prompt_version=engine.prompt_version,
            )
            if cached is not None:
                return await self._from_cache(cached, article, options, started)
        return await self._make(engine, article, options, started)

    async def brief_many(
        self, articles: Sequence[Article], options: BriefOptions | None = None
    ) -> dict[str, Brief | BriefingError]:
        """Briefs of many articles by id (a failure as its error, so one bad article costs only itself).

        Cached briefs are read in batches (one query per few hundred articles, not one per article:
        a digest reads tens of thousands); the rest are made `llm_max_concurrency` at a time.
        """
        options = options or BriefOptions()
        engine = self.engine(options)
        started = time.perf_counter()
        cached: dict[str, Brief] = {}
        if self.cache is not None and options.use_cache:
            get_briefs = getattr(self.cache, "get_briefs", None)
            if get_briefs is not None:
                cached = await asyncio.to_thread(
                    get_briefs,
                    [article.id for article in articles],
                    engine=engine.name,
                    model=engine.model,
                    prompt_version=engine.prompt_version,
                )
            else:  # a cache without batch reads: one read per article
                for article in articles:
                    found = await asyncio.to_thread(
                        self.cache.get_brief,
                        article_id=article.id,
                        engine=engine.name,
                        model=engine.model,
                        prompt_version=engine.prompt_version,
                    )
                    if found is not None:
                        cached[article.id] = found
        results: dict[str, Brief | BriefingError] = {}
        missing: list[Article] = []
        for article in articles:
            found = cached.get(article.id)
            if found is None:
                missing.append(article)
            elif article.id not in results:
                results[article.id] = await self._from_cache(found, article, options, started)
        gate = asyncio.Semaphore(self.settings.llm_max_concurrency)

        async def one(article: Article) -> tuple[str, Brief | BriefingError]:
            async with gate:
                try:
                    return article.id, await self._make(engine, article, options, time.perf_counter())
                except BriefingError as error:
                    return article.id, error

        unique = list({article.id: article for article in missing}.values())
        results.update(await asyncio.gather(*(one(article) for article in unique)))
        return results

    async def _from_cache(
        self, cached: Brief, article: Article, options: BriefOptions, started: float
    ) -> Brief:
        cached.meta.cached = True
        if self.needs_second_opinion(cached):
            # stored before BRIEFING_VERIFY asked for more: judge it now and store it again
            await self.second_opinion(cached)
            cached.meta.cached = False
            assert self.cache is not None
            await asyncio.to_thread(self.cache.put_brief, article=article, brief=cached)
        cached.meta.latency_ms = (time.perf_counter() - started) * 1000
        return self._apply_mode(cached, article, options)

    async def _make(self, engine: Engine, article: Article, options: BriefOptions, started: float) -> Brief:
        cleaned, _ = clean_article(article)  # chrome removed; quotes still ground in article.text
        draft = await engine.brief(cleaned, options)
        draft.article_id = article.id
        if draft.meta.as_of is None and article.published_at is not None:
            draft.meta.as_of = article.published_at
        brief = ground_brief(
            draft, article.text, mode="flag", min_score=self.settings.grounding_min_score, in_place=True
        )
        check_brief(brief, article.text)
        await self.second_opinion(brief)
        brief.meta.latency_ms = (time.perf_counter() - started) * 1000
        if self.cache is not None:
            await asyncio.to_thread(self.cache.put_brief, article=article, brief=brief)
        return self._apply_mode(brief, article, options)

    def _apply_mode(self, brief: Brief, article: Article, options: BriefOptions) -> Brief:
        """The cache holds the flagged brief; strict mode drops unfound quotes and unsupported items."""
        mode = options.grounding or self.settings.grounding
        return present_brief(brief, article.text, mode, min_score=self.settings.grounding_min_score)
