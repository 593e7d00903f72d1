"""What the API and the CLI both do with digests: run a schedule now, build an ad hoc digest.

Both are outside any schedule period, so nothing but an `Idempotency-Key` stops a retried request
from making a second digest (and a second delivery): with a key, the first request's digest is
returned for every repeat of it, even for repeats that arrive while the first is still building.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from briefing.config import Settings
from briefing.digests.build import BuildSpec, DigestBuilder
from briefing.digests.deliver import Deliverer
from briefing.digests.models import Digest, DigestFilters
from briefing.digests.stories import StoryAssigner
from briefing.errors import InputError
from briefing.models import BriefOptions
from briefing.pipeline import Briefer
from briefing.store import Store
from briefing.store.digest_repo import DigestRepo

# 1-200 printable ASCII characters, not starting or ending with a space (HTTP would strip it).
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]([\x20-\x7e]{0,198}[\x21-\x7e])?$"
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


@dataclass
class Idempotency:
    """A request's Idempotency-Key and a hash of its body; `replayed` tells the caller afterwards
    whether an earlier request's digest was returned. With a `scope` the key counts only within
    it (`schedules run --key` is per schedule); without one it is global (the API's header)."""

    key: str
    request_hash: str
    replayed: bool = False
    scope: str = ""

    @classmethod
    def of(
        cls, key: str, request_body: str, *, scope: str = "", label: str = "Idempotency-Key"
    ) -> Idempotency:
        """`label` names the key as the user gave it: the API's header, or the CLI's `--key`."""
        if not _IDEMPOTENCY_KEY.match(key):
            raise InputError(f"{label}: give 1-200 printable ASCII characters (e.g. a UUID)", field=label)
        return cls(key, hashlib.sha256(request_body.encode("utf-8")).hexdigest(), scope=scope)

    @property
    def stored_key(self) -> str:
        """The key as the digest is saved under: the scope and the key, hashed when that would not
        fit the column (200 characters)."""
        if not self.scope:
            return self.key
        scoped = f"{self.scope}:{self.key}"
        if len(scoped) <= 200:
            return scoped
        return f"{self.scope}:sha256:{hashlib.sha256(self.key.encode('utf-8')).hexdigest()}"


class DigestService:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        builder: DigestBuilder | None = None,
        briefer: Briefer | None = None,
    ) -> None:
        """Build once per process (the runtime does) and pass the process's `briefer`, so digests
        share its engines and LLM clients instead of building their own."""
        self.settings = settings
        self.repo = DigestRepo(store)
        self.builder = builder or DigestBuilder(
            settings, self.repo, briefer=briefer, assigner=StoryAssigner(settings, store, briefer=briefer)
        )
        self.deliverer = Deliverer(settings, self.repo)

    def _replay(self, idempotency: Idempotency | None) -> Digest | None:
        if idempotency is None:
            return None
        found = self.repo.digest_for_key(idempotency.stored_key)
        if found is None:
            return None
        digest, request_hash = found
        if request_hash != idempotency.request_hash:
            raise InputError(
                f"Idempotency-Key: {idempotency.key!r} was already used for a different request "
                f"(digest {digest.id}); use a new key for a new request",
                field="Idempotency-Key",
            )
        idempotency.replayed = True
        return digest

    def _save(self, digest: Digest, idempotency: Idempotency | None) -> Digest:
        if idempotency is None:
            saved, _ = self.repo.save_digest(digest)
            return saved
        saved, created = self.repo.save_digest(
            digest, idempotency_key=idempotency.stored_key, request_hash=idempotency.request_hash
        )
        if not created:  # a concurrent request with the same key saved first: that one counts
            replayed = self._replay(idempotency)
            assert replayed is not None
            return replayed
        return saved

    async def run_schedule_now(
        self, schedule_id: int, *, deliver: bool = True, idempotency: Idempotency | None = None
    ) -> Digest:
        """An extra, unscheduled digest of a schedule (it has no period, so scheduled runs are unaffected).
        With `idempotency`, a repeated request returns the first one's digest and delivers nothing new."""
        replayed = self._replay(idempotency)
        if replayed is not None:
            return replayed
        schedule = self.repo.get_schedule(schedule_id)
        now = datetime.now(UTC)
        previous = next(iter(self.repo.list_digests(schedule_id=schedule_id, limit=1)), None)
        if schedule.window_hours is not None:
            since = now - timedelta(hours=schedule.window_hours)
        else:
            since = previous.window_end if previous and previous.window_end else now - timedelta(hours=24)
        spec = BuildSpec(
            articles=self.repo.select_articles(since=since, until=now, filters=schedule.filters),
            title=schedule.digest_title(now),
            max_stories=schedule.max_stories,
            min_sources=schedule.min_sources,
            options=BriefOptions(engine=schedule.engine),
            schedule_id=schedule.id,
            window_start=since,
            window_end=now,
            previous=previous,
        )
        digest = self._save(await self.builder.build(spec, now=now), idempotency)
        assert digest.id is not None
        if deliver and schedule.targets:  # idempotent: one delivery per (digest, target)
            self.repo.ensure_deliveries(digest.id, schedule.targets, now)
            await self.deliverer.deliver_due(now=now, digest_id=digest.id)
        return digest

    async def ad_hoc(
        self,
        *,
        article_ids: Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        filters: DigestFilters | None = None,
        title: str | None = None,
        max_stories: int = 20,
        min_sources: int = 1,
        engine: str | None = None,
        save: bool = True,
        idempotency: Idempotency | None = None,
    ) -> Digest:
        replayed = self._replay(idempotency)
        if replayed is not None:
            return replayed
        if article_ids:
            articles = self.repo.get_articles(list(dict.fromkeys(article_ids)))
        else:
            articles = self.repo.select_articles(since=since, until=until, filters=filters or DigestFilters())
        if not articles:
            raise InputError("no articles to build a digest from (check the ids or the window)")
        spec = BuildSpec(
            articles=articles,
            title=title or f"Digest of {len(articles)} articles",
            max_stories=max_stories,
            min_sources=min_sources,
            options=BriefOptions(engine=engine),
            window_start=since,
            window_end=until,
        )
        digest = await self.builder.build(spec)
        if save:
            digest = self._save(digest, idempotency)
        return digest
