"""Use case "brief this article": cache lookup -> engine -> grounding -> store, now or as a job.

The HTTP API and the web page are thin callers of `Briefs`; the job handler (`run_job`) lives here,
beside the use case, so any process that has a runtime (an API process or a worker) can run brief
jobs. Store calls go through a worker thread: none blocks the event loop.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Protocol

from briefing.config import Settings
from briefing.digests.stories import StoryFeed
from briefing.engines import Engine
from briefing.errors import ConfigError, InputError, LLMError
from briefing.models import Article, Brief, BriefOptions, Ingested
from briefing.pipeline import Briefer
from briefing.queue import Outcome, build_queue
from briefing.store import Job, Store
from briefing.store.flights import Flights
from briefing.verify import present_brief

MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}")


class BriefMetrics(Protocol):
    """What the use case reports (implemented by the API's Prometheus metrics)."""

    cache: Any

    def observe_brief(self, brief: Brief) -> None: ...


class _Uncounted:
    def labels(self, *_: str) -> _Uncounted:
        return self

    def inc(self, amount: float = 1) -> None:
        return None


class _NoMetrics:
    """A worker has no /metrics endpoint to serve: its counts go nowhere."""

    cache = _Uncounted()

    def observe_brief(self, brief: Brief) -> None:
        return None


def check_model(engine: str, model: str, *, uses_model: bool, allowed: list[str]) -> None:
    """A requested model must make sense for its engine: 422 (naming the field) when it does not.

    Engines without a model (offline, lead) refuse one rather than ignore it silently; for the
    LLM engine the name must look like a model id and, when the server has an allow-list
    (BRIEFING_MODELS), be on it. A plausible name the endpoint does not know is caught when the
    endpoint answers 404 (see `Briefs.run_job`).
    """
    field = ["options.model"]
    if not uses_model:
        raise InputError(
            f"options.model: engine {engine!r} does not use a model; leave the model out", fields=field
        )
    if not model.strip():
        raise InputError("options.model: must not be empty", fields=field)
    if not MODEL_NAME.fullmatch(model):
        raise InputError(
            f"options.model: {model[:80]!r} is not a model name (letters, digits and . _ : / @ + -, "
            "at most 200 characters)",
            fields=field,
        )
    if allowed and model not in allowed:
        raise InputError(
            f"options.model: unknown model {model!r}; this server offers: {', '.join(allowed)}", fields=field
        )


class _LookupOnlyCache:
    """The pipeline's cache view for jobs: lookups go to the store; the job stores its brief itself,
    together with the job's completion, in one transaction (see `Briefs.run_job`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get_brief(
        self, *, article_id: str, engine: str, model: str | None, prompt_version: str | None
    ) -> Brief | None:
        return self.store.get_brief(
            article_id=article_id, engine=engine, model=model, prompt_version=prompt_version
        )

    def put_brief(self, *, article: Article, brief: Brief) -> None:
        return None


class Briefs:
    """Brief articles now or as durable jobs, over the process's one Briefer and store."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        metrics: BriefMetrics | None,
        *,
        briefer: Briefer,
        stories: StoryFeed | None = None,
    ) -> None:
        """With `stories`, every article a job briefs is put into a story right after."""
        self.settings = settings
        self.stories = stories
        self.store = store
        self.metrics = metrics or _NoMetrics()
        # The process's engines and LLM clients, with a cache view that leaves storing to the job.
        self.briefer = briefer.with_cache(_LookupOnlyCache(store))
        self.queue = build_queue(settings, store, {"brief": self.run_job})
        self.flights = Flights(store.engine)

    def engine_for(self, options: BriefOptions) -> Engine:
        """Build (once) the requested engine, so a bad engine or model is a 422 before anything is stored."""
        name = options.engine or self.settings.default_engine
        try:
            engine = self.briefer.engine(options.model_copy(update={"model": None}))
            if options.model is None:
                return engine
            check_model(
                name, options.model, uses_model=engine.model is not None, allowed=self.settings.models
            )
            return self.briefer.engine(options)
        except ConfigError as error:
            raise InputError(f"engine {name!r} is not available on this server: {error.message}") from error

    async def cached(self, article: Article, options: BriefOptions) -> Brief | None:
        """A cached brief answered without queueing (the cheap path)."""
        if not (self.settings.cache and options.use_cache):
            return None
        engine = self.engine_for(options)
        hit = await asyncio.to_thread(
            self.store.get_brief,
            article_id=article.id,
            engine=engine.name,
            model=engine.model,
            prompt_version=engine.prompt_version,
        )
        if hit is not None and self.briefer.needs_second_opinion(hit):
            hit = None  # stored before BRIEFING_VERIFY asked for the LLM: the job judges it first
        self.metrics.cache.labels("hit" if hit else "miss").inc()
        if hit is None:
            return None
        hit.meta.cached = True
        return self.present(hit, article, options)

    def present(self, brief: Brief, article: Article, options: BriefOptions) -> Brief:
        mode = options.grounding or self.settings.grounding
        return present_brief(brief, article.text, mode, min_score=self.settings.grounding_min_score)

    async def store_article(self, article: Article) -> Ingested:
        """Store an article (a text stored before gets the metadata it lacked); a new one is put
        into a story in the background (briefed first, with BRIEFING_BRIEF_ON_ARRIVAL)."""
        ingested = await asyncio.to_thread(self.store.ingest_article, article)
        if ingested.created and self.stories is not None:
            self.stories.note_stored(ingested.article.id)
        return ingested

    @staticmethod
    def _payload(article: Article, options: BriefOptions) -> dict[str, Any]:
        return {"article_id": article.id, "options": options.model_dump(mode="json", exclude_defaults=True)}

    async def submit(self, article: Article, options: BriefOptions) -> Job:
        """Queue a brief job (answered later, or by `wait`)."""
        return await asyncio.to_thread(
            self.queue.submit, "brief", self._payload(article, options), article=article
        )

    async def brief_now(self, article: Article, options: BriefOptions) -> tuple[Job, Brief | None]:
        """Make the brief in this request when a worker slot is free; else queue it.

        (job, the presented brief) when it ran here and succeeded; (job, None) when it failed or
        was queued — the job says which.
        """
        job, outcome = await self.queue.run_now(
            "brief", self._payload(article, options), article=article, timeout=self.settings.wait_seconds
        )
        if outcome is None or job.status != "succeeded":
            return job, None
        return job, self.present(outcome.value, article, options)

    async def run_job(self, job: Job) -> Outcome:
        """The brief job handler: brief the stored article, store the brief and finish the job at once."""
        article = await asyncio.to_thread(self.store.get_article, job.payload["article_id"])
        if article is None:
            raise InputError(f"article {job.payload['article_id']} is no longer stored")
        options = BriefOptions.model_validate(job.payload.get("options") or {})
        if not (self.settings.cache and options.use_cache):
            return await self._brief_and_store(job, article, options)
        # Single-flight on the cache key: concurrent jobs for one article (here or in another
        # process) make one engine call; the others wait and then find its brief in the cache.
        engine = self.engine_for(options)
        key = "|".join((article.id, engine.name, engine.model or "", engine.prompt_version or ""))
        # A holder that stopped renewing its job's lease is no reason to wait longer than the lease.
        async with self.flights.hold(key, wait=self.settings.job_lease_seconds):
            return await self._brief_and_store(job, article, options)

    async def _brief_and_store(self, job: Job, article: Article, options: BriefOptions) -> Outcome:
        # The stored brief is the flagged one (what the cache keeps); strict mode is applied when
        # it is presented, so a strict request never writes a filtered brief into the cache.
        try:
            brief = await self.briefer.brief(article, options.model_copy(update={"grounding": "flag"}))
        except LLMError as error:
            if error.status_code == 404 and options.model:
                raise InputError(
                    f"options.model: the LLM endpoint has no model {options.model!r}",
                    fields=["options.model"],
                ) from error
            raise
        if brief.meta.cached and brief.id:
            self.metrics.cache.labels("hit").inc()
            self._note_story(article, brief)  # briefed before, perhaps where no story feed ran
            return Outcome(result_id=brief.id, value=brief)
        self.metrics.observe_brief(brief)
        brief_id = await asyncio.to_thread(
            self.store.finish_brief_job, job.id, article=article, brief=brief, claim=job
        )
        self._note_story(article, brief)
        return Outcome(result_id=brief_id, value=brief, recorded=True)

    def _note_story(self, article: Article, brief: Brief) -> None:
        if self.stories is not None:
            self.stories.note(article.id, brief)

    def job_brief(self, job: Job) -> Brief | None:
        """The brief a succeeded job made, as its request asked to see it."""
        if job.result:  # jobs recorded before briefs were kept only in the briefs table
            return Brief.model_validate(job.result)
        if not job.result_id:
            return None
        brief = self.store.get_brief_by_id(job.result_id)
        article = self.store.get_article(brief.article_id or "") if brief else None
        if brief is None or article is None:
            return brief
        options = BriefOptions.model_validate(job.payload.get("options") or {})
        return self.present(brief, article, options)
