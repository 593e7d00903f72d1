"""What the API and the web page share: turning requests into articles, jobs and presented briefs."""

from __future__ import annotations

import hmac
import time

from pydantic import ValidationError

from api.metrics import Metrics
from api.schemas import ArticleIn, JobLinks, JobOut
from api.session import Sessions
from briefing.config import Settings
from briefing.digests.stories import StoryFeed
from briefing.errors import InputError
from briefing.fetch import afetch_url
from briefing.models import Article, Brief
from briefing.pipeline import Briefer
from briefing.services.briefs import Briefs
from briefing.store import Job, Store
from briefing.store.keys import hash_key

AUTH_CACHE_SECONDS = 1.0


class BriefService(Briefs):
    """The brief use case plus what only HTTP needs: API keys, request bodies, job documents."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        metrics: Metrics,
        *,
        briefer: Briefer,
        stories: StoryFeed | None = None,
    ) -> None:
        super().__init__(settings, store, metrics, briefer=briefer, stories=stories)
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
        return self.key_hash_valid(hash_key(key))

    def key_hash_valid(self, digest: str) -> bool:
        """A key known by its digest is configured, or stored and not revoked."""
        if any(hmac.compare_digest(digest, known) for known in self._configured_hashes):
            return True
        return self.store.check_api_key_hash(digest)

    def session_valid(self, tag: str, sessions: Sessions) -> bool:
        """A sign-in cookie's tag is that of a valid key (configured, or stored and not revoked)."""
        hashes = [*self._configured_hashes, *self.store.active_api_key_hashes()]
        return any(hmac.compare_digest(tag, sessions.tag(digest)) for digest in hashes)

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
        try:
            return Article(
                text=text,
                title=title,
                url=request.url,
                source=request.source,
                published_at=request.published_at,
                language=request.language,
            )
        except ValidationError as error:  # what the request schema cannot see: unpaired surrogates
            problem = error.errors()[0]
            field = ".".join(map(str, problem["loc"])) or "text"
            raise InputError(
                f"{field}: {problem['msg'].removeprefix('Value error, ')}", fields=[field]
            ) from None

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
