"""Digest benchmark: 1,000 already-briefed articles (~150 stories) → cluster + merge (offline) + render.

Prints the time of each stage (one process, one core busy) and the B-cubed score of the
clustering on this synthetic set, then the LLM-call count of a digest with a counting engine:
first build = new articles + multi-article stories, re-run = 0.

    .venv/bin/python bench/bench_digest.py [--articles 1000] [--stories 150]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefing.config import Settings
from briefing.digests.build import BuildSpec, DigestBuilder
from briefing.digests.cluster import ClusterItem, bcubed, cluster
from briefing.digests.render import render
from briefing.digests.repo import DigestRepo
from briefing.models import Article, Brief, BriefOptions
from briefing.pipeline import Briefer
from briefing.store import open_store

SYLLABLES = [
    "ar",
    "bel",
    "cor",
    "dan",
    "el",
    "fen",
    "gal",
    "hor",
    "is",
    "jan",
    "kel",
    "lor",
    "mar",
    "nor",
    "os",
    "pel",
    "quin",
    "ros",
    "sal",
    "tor",
    "ul",
    "var",
    "wen",
    "yor",
    "zan",
]
NOUNS = [
    "council",
    "union",
    "port",
    "bank",
    "court",
    "ministry",
    "hospital",
    "school",
    "railway",
    "factory",
    "festival",
    "bridge",
    "airport",
    "library",
    "reservoir",
    "market",
    "league",
    "agency",
    "museum",
    "tunnel",
]
VERBS = [
    "approved",
    "rejected",
    "delayed",
    "announced",
    "suspended",
    "expanded",
    "closed",
    "reopened",
    "investigated",
    "funded",
]
FILLER = [
    "Officials said more details would follow.",
    "Residents reacted with a mix of relief and worry.",
    "The decision was expected after weeks of debate.",
    "Critics said the plan came too late.",
    "A spokesperson declined to comment further.",
    "The figures were published on Monday.",
]


def story_vocabulary(n_stories: int, seed: int, per_story: int = 6) -> list[list[str]]:
    """Distinct proper names for every story (no name is shared by two stories), so each story is a
    separate event as a labelled set needs; common nouns and verbs stay shared, as in real news."""
    words = sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES})
    if n_stories * per_story > len(words):
        raise SystemExit(f"at most {len(words) // per_story} stories")
    random.Random(seed).shuffle(words)
    return [
        [name.capitalize() for name in words[story * per_story : (story + 1) * per_story]]
        for story in range(n_stories)
    ]


def synthetic(n_articles: int, n_stories: int, seed: int = 7) -> tuple[list[Article], dict[str, str]]:
    rng = random.Random(seed)
    start = datetime(2026, 5, 4, tzinfo=UTC)
    vocabulary = story_vocabulary(n_stories, seed)
    articles, gold = [], {}
    for index in range(n_articles):
        story = index % n_stories
        srng = random.Random(seed * 1000 + story)
        town, first, last, firm, district, group = vocabulary[story]
        person, company = f"{first} {last}", f"{firm} {srng.choice(NOUNS).title()}"
        noun, verb = srng.choice(NOUNS), srng.choice(VERBS)
        detail = f"{srng.randint(2, 900)} {srng.choice(['jobs', 'million', 'homes', 'trains', 'beds'])}"
        title = rng.choice(
            [
                f"{town} {noun} {verb}",
                f"{company} says {town} {noun} was {verb}",
                f"{person} on the {town} {noun}",
            ]
        )
        sentences = [
            f"The {town} {noun} was {verb} on {rng.choice(['Monday', 'Tuesday'])}, {person} said.",
            f"{company} confirmed the move affects {detail} in {town}.",
            f"{person} told reporters the {noun} decision in {town} would stand.",
            f"The {district} district and the {group} group backed {person}.",
            *rng.sample(FILLER, 1),
        ]
        rng.shuffle(sentences)
        text = " ".join(sentences)
        article = Article(
            text=f"{text}\n\n(ref {index})",
            title=title,
            source=f"Outlet {rng.randint(1, 40)}",
            url=f"https://news.example/{index}",
            published_at=start + timedelta(minutes=rng.randint(0, 1200)),
        )
        articles.append(article)
        gold[article.id] = f"s{story}"
    return articles, gold


class CountingOffline:
    """The offline engine, counting calls as if each were an LLM call."""

    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, 0
        self.name, self.model, self.prompt_version = "counting", inner.model, inner.prompt_version

    async def brief(self, article: Article, options: BriefOptions) -> Brief:
        self.calls += 1
        brief = await self.inner.brief(article, options)
        brief.meta.engine = self.name  # the cache key is the engine name
        return brief

    async def merge(self, briefs: Sequence[Brief], options: BriefOptions) -> Brief:
        self.calls += 1
        merged = await self.inner.merge(briefs, options)
        merged.meta.engine = self.name
        return merged


class FixedBriefer(Briefer):
    def __init__(self, settings: Settings, cache, engine) -> None:
        super().__init__(settings, cache)
        self.fixed = engine

    def engine(self, options: BriefOptions | None = None):
        return self.fixed


async def main(n_articles: int, n_stories: int) -> None:
    articles, gold = synthetic(n_articles, n_stories)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        store = open_store(settings)
        repo = DigestRepo(store)
        builder = DigestBuilder(settings, repo)
        spec = BuildSpec(articles=articles, title="Bench", max_stories=n_stories * 2)

        started = time.perf_counter()
        for article in articles:  # "already briefed": fill the brief cache first (not timed below)
            await builder.briefer.brief(article)
        print(
            f"pre-briefing {n_articles} articles (offline, not part of the figure): "
            f"{time.perf_counter() - started:.2f} s"
        )

        started = time.perf_counter()
        briefs = {a.id: await builder.briefer.brief(a) for a in articles}
        t_cache = time.perf_counter() - started
        items = [
            ClusterItem(
                a.id, a.title or "", a.text, a.published_at, tuple(x.name for x in briefs[a.id].actors)
            )
            for a in articles
        ]
        started = time.perf_counter()
        clusters = cluster(items, builder.params)
        t_cluster = time.perf_counter() - started
        precision, recall, f1 = bcubed(clusters, gold)

        started = time.perf_counter()
        digest = await builder.build(spec)
        t_build = time.perf_counter() - started
        started = time.perf_counter()
        for fmt in ("md", "html", "txt", "json"):
            render(digest, fmt, settings)
        t_render = time.perf_counter() - started
        print(f"reading {n_articles} cached briefs: {t_cache:.2f} s")
        print(
            f"clustering alone: {t_cluster:.2f} s → {len(clusters)} clusters "
            f"(B-cubed P={precision:.3f} R={recall:.3f} F1={f1:.3f})"
        )
        print(
            f"digest build (cached briefs + cluster + {digest.stats.merges} offline merges + grounding"
            f" + rank): {t_build:.2f} s → {len(digest.stories)} stories"
        )
        print(f"render md+html+txt+json: {t_render:.2f} s")
        print(f"TOTAL cluster+merge+render: {t_build + t_render:.2f} s (target ≤ 5 s)")

        counting = CountingOffline(builder.briefer.engine())
        counted = DigestBuilder(settings, repo, briefer=FixedBriefer(settings, store, counting))
        subset = BuildSpec(articles=articles[:200], title="Calls", max_stories=500)
        first = await counted.build(subset)
        calls_first = counting.calls
        multi = sum(1 for story in first.stories if len(story.articles) > 1)
        await counted.build(subset)
        print(
            f"LLM-call count (counting engine, 200 articles): first build {calls_first} "
            f"= {len(subset.articles)} articles + {multi} multi-article stories; "
            f"re-run {counting.calls - calls_first}"
        )
        store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--stories", type=int, default=150)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.articles, arguments.stories))
    sys.exit(0)
