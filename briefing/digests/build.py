"""Build a digest: brief each article (cached) → cluster → merge stories → ground → rank → continuity.

Every LLM call is cached: article briefs in the store's brief cache (through `Briefer`), merged
story briefs in `story_briefs` keyed by the engine and the story's article ids. A re-run over
the same articles therefore makes no LLM call at all.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from briefing.config import Settings
from briefing.digests.cluster import ClusterItem, ClusterParams, cluster
from briefing.digests.continuity import link_stories
from briefing.digests.models import ArticleRef, Digest, DigestStats, SourceFailure, Story
from briefing.digests.stories import StoryAssigner, cluster_item
from briefing.engines import Engine
from briefing.errors import BriefingError, ConfigError, InputError
from briefing.grounding import Locator, ground_brief
from briefing.models import Article, Brief, BriefOptions
from briefing.pipeline import Briefer
from briefing.store.digest_repo import DigestRepo
from briefing.store.stories import StoryStore
from briefing.verify import check_brief


@dataclass
class BuildSpec:
    """What to build; a schedule run and an ad hoc request both come down to this."""

    articles: Sequence[Article]
    title: str
    max_stories: int = 20
    min_sources: int = 1
    options: BriefOptions = field(default_factory=BriefOptions)
    schedule_id: int | None = None
    period: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    previous: Digest | None = None
    failures: list[SourceFailure] = field(default_factory=list)


_SALIENCE_WEIGHT = 0.2  # per grounded item, for at most 10 items
_SALIENCE_MAX = _SALIENCE_WEIGHT * 10


def source_of(article: Article) -> str:
    """What counts as one independent source: the outlet name, else the URL's host, else the article."""
    if article.source:
        return article.source.strip().lower()
    if article.url:
        return urlsplit(article.url).hostname or article.id
    return article.id


def story_key(article_ids: Sequence[str]) -> str:
    return hashlib.sha256(min(article_ids).encode()).hexdigest()[:16]


def _attribute(brief: Brief, texts: dict[str, str], *, in_place: bool = False) -> Brief:
    """Give every quote an `article_id` (the one it is found in) so each item links to its source.

    `in_place` for a brief this build owns (read or made for it, used once): a deep copy of every
    brief cost more than the rest of a 20,000-article digest build."""
    if not in_place:
        brief = brief.model_copy(deep=True)
    locators = {article_id: Locator(text) for article_id, text in texts.items()}
    for item in brief.items():
        for evidence in item.evidence:
            if evidence.article_id in texts:
                continue
            evidence.article_id = next(
                (aid for aid, locator in locators.items() if locator.locate(evidence.quote)), None
            )
    return brief


class DigestBuilder:
    def __init__(
        self,
        settings: Settings,
        repo: DigestRepo,
        *,
        briefer: Briefer | None = None,
        params: ClusterParams | None = None,
        assigner: StoryAssigner | None = None,
    ) -> None:
        """With `assigner`, digests read the stored stories (briefing/digests/stories.py)."""
        self.settings = settings
        self.repo = repo
        self.briefer = briefer or Briefer(settings, repo.store)
        self.params = params or ClusterParams(threshold=settings.digest_cluster_threshold)
        self.stories = StoryStore(repo.store)
        self.assigner = assigner

    async def _clusters(
        self, items: list[ClusterItem], spec: BuildSpec
    ) -> tuple[list[list[str]], dict[str, str]]:
        """The stories of the items: the stored ones when every item has one (after assigning the
        pending articles), else clustered now. Stored stories are used only for the engine whose
        briefs they were assigned with; they group the items exactly as `cluster` orders them."""
        if self.assigner is None or (items and not self._uses_stored(spec)):
            return cluster(items, self.params), {}
        ids = [item.id for item in items]
        # only this digest's articles: a database upgraded with years of articles is not assigned at once
        await asyncio.to_thread(lambda: self.assigner.assign_pending(article_ids=ids))
        story_of = await asyncio.to_thread(self.assigner.index.stories_of, ids)
        if len(story_of) < len(items):  # an article without a brief of that engine when assigned
            return cluster(items, self.params), {}
        groups: dict[str, list[str]] = {}
        for item in sorted(items, key=lambda i: (i.published_at is None, i.published_at or 0, i.id)):
            groups.setdefault(story_of[item.id], []).append(item.id)
        return list(groups.values()), story_of

    def _uses_stored(self, spec: BuildSpec) -> bool:
        assert self.assigner is not None
        engine = self._engine(spec.options)
        return (engine.name, engine.model, engine.prompt_version) == self.assigner.engine_key

    def _stories_of(self, story_of: dict[str, str], spec: BuildSpec) -> dict[str, str] | None:
        """Stored story of this digest's and the previous digest's articles, for continuity."""
        if not story_of:
            return None
        if spec.previous is not None and self.assigner is not None:
            ids = [ref.id for story in spec.previous.stories for ref in story.articles]
            story_of = {**self.assigner.index.stories_of(ids), **story_of}
        return story_of

    def _engine(self, options: BriefOptions) -> Engine:
        try:
            return self.briefer.engine(options)
        except ConfigError as error:
            name = options.engine or self.settings.default_engine
            raise InputError(f"engine {name!r} is not available on this server: {error.message}") from error

    async def build(self, spec: BuildSpec, *, now: datetime | None = None) -> Digest:
        now = now or datetime.now(UTC)
        self._engine(spec.options)  # an engine this server lacks is refused before any work
        stats = DigestStats(articles=len(spec.articles))
        failures = list(spec.failures)
        briefs = await self._brief_all(spec, stats, failures)
        by_id = {article.id: article for article in spec.articles if article.id in briefs}

        items = [cluster_item(article, briefs[article.id]) for article in by_id.values()]
        clusters, story_of = await self._clusters(items, spec)
        stats.clusters = len(clusters)

        corroborated: list[list[Article]] = []
        for members in clusters:
            articles = [by_id[article_id] for article_id in members]
            if len({source_of(article) for article in articles}) < spec.min_sources:
                stats.dropped_uncorroborated += 1
                continue
            corroborated.append(articles)
        stories = await self._top_stories(corroborated, briefs, spec, stats, failures, spec.window_end or now)
        stories = link_stories(stories, spec.previous, self.params, story_of=self._stories_of(story_of, spec))
        return Digest(
            schedule_id=spec.schedule_id,
            period=spec.period,
            title=spec.title,
            created_at=now,
            window_start=spec.window_start,
            window_end=spec.window_end,
            stories=stories,
            failures=failures,
            stats=stats,
            note=_empty_note(spec) if not spec.articles else None,
        )

    async def _brief_all(
        self, spec: BuildSpec, stats: DigestStats, failures: list[SourceFailure]
    ) -> dict[str, Brief]:
        """Every article's brief: the cached ones in a few batch reads, the others made now."""
        results = await self.briefer.brief_many(spec.articles, spec.options)
        briefs: dict[str, Brief] = {}
        for article in spec.articles:
            result = results.get(article.id)
            if result is None or article.id in briefs:
                continue
            if isinstance(result, BriefingError):
                label = article.url or article.title or article.id
                failures.append(SourceFailure(source=f"article {label}", error=str(result)))
                results.pop(article.id)
                continue
            briefs[article.id] = result
            if result.meta.cached:
                stats.briefs_cached += 1
            else:
                stats.briefed += 1
                stats.llm_calls += result.meta.llm_calls
        return briefs

    @staticmethod
    def _merge_key(engine: Engine, articles: Sequence[Article]) -> str:
        key_source = [engine.name, engine.model, engine.prompt_version, sorted(a.id for a in articles)]
        return hashlib.sha256(json.dumps(key_source).encode()).hexdigest()

    async def _story_briefs(
        self,
        engine: Engine,
        stories: list[list[Article]],
        briefs: dict[str, Brief],
        spec: BuildSpec,
        stats: DigestStats,
        failures: list[SourceFailure],
    ) -> dict[str, Brief]:
        """The brief of every story, by its first article's id: a single article's own brief, else
        the cached merge (all read in one batch per few hundred stories), else a new merge."""
        keys = {
            articles[0].id: self._merge_key(engine, articles) for articles in stories if len(articles) > 1
        }
        cached = self.stories.get_story_briefs(list(keys.values())) if spec.options.use_cache and keys else {}
        result: dict[str, Brief] = {}
        new: dict[str, Brief] = {}
        for articles in stories:
            first = articles[0].id
            texts = {article.id: article.text for article in articles}
            if len(articles) == 1:
                result[first] = _attribute(briefs[first], texts, in_place=True)
                continue
            key = keys[first]
            if key in cached:
                stats.merges_cached += 1
                result[first] = cached[key]
                continue
            try:
                merged = await self._merge(engine, articles, [briefs[a.id] for a in articles], texts, spec)
            except BriefingError as error:
                failures.append(
                    SourceFailure(source=f"story {articles[0].title or articles[0].id}", error=str(error))
                )
                continue
            stats.merges += 1
            stats.llm_calls += merged.meta.llm_calls
            result[first] = new[key] = merged
        self.stories.put_story_briefs(new)
        return result

    async def _merge(
        self,
        engine: Engine,
        articles: list[Article],
        briefs: list[Brief],
        texts: dict[str, str],
        spec: BuildSpec,
    ) -> Brief:
        inputs = [
            _attribute(brief, {a.id: texts[a.id]}, in_place=True)
            for brief, a in zip(briefs, articles, strict=True)
        ]
        merged = await engine.merge(inputs, spec.options)
        merged = _attribute(merged, texts, in_place=True)
        merged = ground_brief(
            merged, texts, mode="flag", min_score=self.settings.grounding_min_score, in_place=True
        )
        check_brief(merged, texts)
        await self.briefer.second_opinion(merged)
        return merged

    async def _top_stories(
        self,
        corroborated: list[list[Article]],
        briefs: dict[str, Brief],
        spec: BuildSpec,
        stats: DigestStats,
        failures: list[SourceFailure],
        at: datetime,
    ) -> list[Story]:
        """The `max_stories` best-ranked stories, merging only stories that can still make the cut.

        A story's score needs its merged brief only for the salience term, which adds at most
        `_SALIENCE_MAX`; so stories are taken in order of their upper bound, a chunk at a time, and
        the rest are never merged once the `max_stories`-th exact score beats the next bound. The
        result is the same as merging every story (ties too: they are broken by key), at a
        fraction of the merges (a day of 20,000 articles has ~3,000 stories, a digest shows 20).
        """
        engine = self.briefer.engine(spec.options)
        candidates: list[tuple[float, str, list[Article], list[str]]] = []
        for articles in corroborated:
            sources = sorted({source_of(article) for article in articles})
            if len(articles) == 1:  # its own brief: the exact score costs nothing
                bound = self._score(briefs[articles[0].id], articles, sources, at)
            else:
                bound = self._base_score(articles, sources, at) + _SALIENCE_MAX + 1e-6  # 1e-6: rounding
            candidates.append((bound, story_key([a.id for a in articles]), articles, sources))
        candidates.sort(key=lambda candidate: (-candidate[0], candidate[1]))
        ranked: list[Story] = []
        chunk = max(2 * spec.max_stories, 32)
        start = 0
        while start < len(candidates):
            if len(ranked) >= spec.max_stories:
                ranked.sort(key=lambda story: (-story.score, story.key))
                if ranked[spec.max_stories - 1].score > candidates[start][0]:
                    break  # no story left can rank above the ones kept
            taken = candidates[start : start + chunk]
            start += len(taken)
            merged = await self._story_briefs(engine, [c[2] for c in taken], briefs, spec, stats, failures)
            for _, key, articles, sources in taken:
                brief = merged.get(articles[0].id)
                if brief is None:  # its merge failed (recorded in failures)
                    continue
                ranked.append(
                    Story(
                        key=key,
                        brief=brief,
                        articles=[
                            ArticleRef(
                                id=a.id,
                                title=a.title,
                                source=a.source,
                                url=a.url,
                                published_at=a.published_at,
                            )
                            for a in articles
                        ],
                        sources=sources,
                        score=self._score(brief, articles, sources, at),
                    )
                )
        ranked.sort(key=lambda story: (-story.score, story.key))
        return ranked[: spec.max_stories]

    @staticmethod
    def _base_score(articles: list[Article], sources: list[str], at: datetime) -> float:
        """The score without the salience term: more sources first, then fresher."""
        latest = max((a.published_at for a in articles if a.published_at), default=None)
        age_hours = max(0.0, (at - latest).total_seconds() / 3600) if latest else 48.0
        return 3.0 * len(sources) + 2.0 * math.exp(-age_hours / 24)

    @classmethod
    def _score(cls, brief: Brief, articles: list[Article], sources: list[str], at: datetime) -> float:
        """More sources first, then fresher, then richer (more grounded items)."""
        salience = sum(1 for item in brief.items() if item.grounded is not False)
        return round(cls._base_score(articles, sources, at) + _SALIENCE_WEIGHT * min(salience, 10), 6)


def _empty_note(spec: BuildSpec) -> str:
    """What a digest with no articles in its window says, so a reader (and `schedules run`) sees
    that nothing happened rather than an unexplained empty digest."""
    previous = spec.previous
    if previous is not None and previous.id is not None:
        made = previous.created_at.astimezone(UTC)
        return f"Nothing new since digest {previous.id} of {made:%Y-%m-%d %H:%M} UTC."
    return "No articles in this digest's window."
