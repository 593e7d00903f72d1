"""What the API and the web page share: turning requests into articles, jobs and presented briefs."""

from __future__ import annotations

import hmac
import re
import time
from typing import Any

from api.metrics import Metrics
from api.schemas import ArticleIn, JobLinks, JobOut
from briefing.config import Settings
from briefing.engines import Engine
from briefing.errors import ConfigError, InputError, LLMError
from briefing.fetch import afetch_url
from briefing.grounding import ground_brief
from briefing.jobs import DatabaseJobQueue, Outcome
from briefing.models import Article, Brief, BriefOptions
from briefing.pipeline import Briefer
from briefing.store import Job, Store
from briefing.store.keys import hash_key

AUTH_CACHE_SECONDS = 1.0
MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}")


def check_model(engine: str, model: str, *, uses_model: bool, allowed: list[str]) -> None:
    """A requested model must make sense for its engine: 422 (naming the field) when it does not.

    Engines without a model (offline, lead) refuse one rather than ignore it silently; for the
    LLM engine the name must look like a model id and, when the server has an allow-list
    (BRIEFING_MODELS), be on it. A plausible name the endpoint does not know is caught when the
    endpoint answers 404 (see `BriefService.run_brief_job`).
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
    together with the job's completion, in one transaction (see `BriefService.run_brief_job`)."""

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


class BriefService:
    def __init__(self, settings: Settings, store: Store, metrics: Metrics) -> None:
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.briefer = Briefer(settings, cache=_LookupOnlyCache(store))
        self.queue = DatabaseJobQueue(store, settings, {"brief": self.run_brief_job})
        self._configured_hashes = {hash_key(key) for key in settings.api_keys}
        self._auth_checked_at = -1e9
        self._auth_required = bool(self._configured_hashes)

    # --- authentication ------------------------------------------------------------------------
    def auth_required(self) -> bool:
        if self._configured_hashes:
            return True
        now = time.monotonic()
        if now - self._auth_checked_at > AUTH_CACHE_SECONDS:
            self._auth_required = self.store.has_api_keys()
            self._auth_checked_at = now
        return self._auth_required

    def key_valid(self, key: str) -> bool:
        digest = hash_key(key)
        if any(hmac.compare_digest(digest, known) for known in self._configured_hashes):
            return True
        return self.store.check_api_key(key)

    # --- requests → articles -------------------------------------------------------------------
    async def article_from(self, request: ArticleIn) -> Article:
        """Validate an article request; fetches `url` when no text is given."""
        text = request.text
        title = request.title
        if text is None or not text.strip():
            if request.url:
                page = await afetch_url(request.url, self.settings)
                text, title = page.text, title or page.title
            elif text is None:
                raise InputError("text: a text (or a url to fetch) is required", fields=["text"])
            else:
                raise InputError("text: must not be empty or whitespace", fields=["text"])
        return Article(
            text=text,
            title=title,
            url=request.url,
            source=request.source,
            published_at=request.published_at,
            language=request.language,
        )

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

    # --- briefs --------------------------------------------------------------------------------
    def cached(self, article: Article, options: BriefOptions) -> Brief | None:
        """A cached brief answered without queueing (the cheap path)."""
        if not (self.settings.cache and options.use_cache):
            return None
        engine = self.engine_for(options)
        hit = self.store.get_brief(
            article_id=article.id,
            engine=engine.name,
            model=engine.model,
            prompt_version=engine.prompt_version,
        )
        self.metrics.cache.labels("hit" if hit else "miss").inc()
        if hit is None:
            return None
        hit.meta.cached = True
        return self.present(hit, article, options)

    def present(self, brief: Brief, article: Article, options: BriefOptions) -> Brief:
        mode = options.grounding or self.settings.grounding
        if mode == "strict" and brief.meta.grounded_ratio not in (None, 1.0):
            brief = ground_brief(
                brief, article.text, mode="strict", min_score=self.settings.grounding_min_score
            )
        return brief

    @staticmethod
    def _payload(article: Article, options: BriefOptions) -> dict[str, Any]:
        return {"article_id": article.id, "options": options.model_dump(mode="json", exclude_defaults=True)}

    def submit(self, article: Article, options: BriefOptions) -> Job:
        """Queue a brief job (answered later, or by `wait`)."""
        return self.queue.submit("brief", self._payload(article, options), article=article)

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

    async def run_brief_job(self, job: Job) -> Outcome:
        article = self.store.get_article(job.payload["article_id"])
        if article is None:
            raise InputError(f"article {job.payload['article_id']} is no longer stored")
        options = BriefOptions.model_validate(job.payload.get("options") or {})
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
            return Outcome(result_id=brief.id, value=brief)
        self.metrics.observe_brief(brief)
        brief_id = self.store.finish_brief_job(job.id, article=article, brief=brief)
        return Outcome(result_id=brief_id, value=brief, recorded=True)

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

    # --- jobs → responses ----------------------------------------------------------------------
    def job_out(self, job: Job, brief: Brief | None = None) -> JobOut:
        if brief is None and job.status == "succeeded":
            brief = self.job_brief(job)
        return JobOut(
            id=job.id,
            kind=job.kind,
            status=job.status,
            attempts=job.attempts,
            error=job.error,
            brief=brief,
            created_at=job.created_at,
            updated_at=job.updated_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            links=JobLinks(
                self=f"/v1/jobs/{job.id}",
                brief=f"/v1/briefs/{job.result_id}" if job.result_id else None,
                retry=f"/v1/jobs/{job.id}/retry" if job.status == "failed" else None,
            ),
        )
