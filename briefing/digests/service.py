"""What the API and the CLI both do with digests: run a schedule now, build an ad hoc digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from briefing.config import Settings
from briefing.digests.build import BuildSpec, DigestBuilder
from briefing.digests.deliver import Deliverer
from briefing.digests.models import Digest, DigestFilters
from briefing.digests.repo import DigestRepo
from briefing.errors import InputError
from briefing.models import BriefOptions
from briefing.store import Store


class DigestService:
    def __init__(self, settings: Settings, store: Store, *, builder: DigestBuilder | None = None) -> None:
        self.settings = settings
        self.repo = DigestRepo(store)
        self.builder = builder or DigestBuilder(settings, self.repo)
        self.deliverer = Deliverer(settings, self.repo)

    async def run_schedule_now(self, schedule_id: int, *, deliver: bool = True) -> Digest:
        """An extra, unscheduled digest of a schedule (it has no period, so scheduled runs are unaffected)."""
        schedule = self.repo.get_schedule(schedule_id)
        now = datetime.now(UTC)
        previous = next(iter(self.repo.list_digests(schedule_id=schedule_id, limit=1)), None)
        if schedule.window_hours is not None:
            since = now - timedelta(hours=schedule.window_hours)
        else:
            since = previous.window_end if previous and previous.window_end else now - timedelta(hours=24)
        spec = BuildSpec(
            articles=self.repo.select_articles(since=since, until=now, filters=schedule.filters),
            title=f"{schedule.name} — {now.strftime('%a %d %b %Y, %H:%M')} UTC",
            max_stories=schedule.max_stories,
            min_sources=schedule.min_sources,
            options=BriefOptions(engine=schedule.engine),
            schedule_id=schedule.id,
            window_start=since,
            window_end=now,
            previous=previous,
        )
        digest, _ = self.repo.save_digest(await self.builder.build(spec, now=now))
        assert digest.id is not None
        if deliver and schedule.targets:
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
    ) -> Digest:
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
            digest, _ = self.repo.save_digest(digest)
        return digest
