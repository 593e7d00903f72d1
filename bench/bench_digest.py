"""Digest benchmark: already-briefed synthetic articles (~0.15 stories per article) → cluster,
merge (offline), render; and clustering alone at scale.

One size (default 1,000): prints the time of each stage (one process), the B-cubed score of the
clustering on this synthetic set, peak memory, then the LLM-call count of a digest with a
counting engine (first build = new articles + multi-article stories, re-run = 0).

Several sizes: clustering alone at each size, each in a fresh process (so peak memory is that
size's), with the time of every clustering stage, and the growth exponent fitted to the times:

    taskset -c 0 .venv/bin/python bench/bench_digest.py [--articles 1000] [--stories 150]
    taskset -c 0 .venv/bin/python bench/bench_digest.py --articles 2000 4000 8000 16000 32000 64000 100000

A daily digest over N stored articles, end to end as the service makes it (select the day's
articles from the database → cached briefs → stored stories (clustered now only when an article has
none) → merge → rank → continuity → save → render
all four formats), on SQLite or on PostgreSQL. The articles and their offline briefs are stored
once (not timed; kept in --data-dir or a `bench_daily_<N>_<stories>` schema, so a second run skips it); then
the first digest of the day (no merged story cached) and a re-run (every merge cached) are timed:

    taskset -c 0 .venv/bin/python bench/bench_digest.py --daily 20000
    taskset -c 0 .venv/bin/python bench/bench_digest.py --daily 20000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/briefing
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefing.config import Settings
from briefing.digests.build import BuildSpec, DigestBuilder
from briefing.digests.cluster import (
    ClusterItem,
    ClusterParams,
    average_linkage,
    bcubed,
    candidate_pairs,
    cluster,
    features,
    pair_similarity,
)
from briefing.digests.render import render
from briefing.models import Article, Brief, BriefOptions
from briefing.pipeline import Briefer
from briefing.store import open_store
from briefing.store.digest_repo import DigestRepo

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
    if n_stories * per_story > len(words):  # large runs: four-syllable names as well
        words = sorted(set(words) | {w + d for w in words for d in SYLLABLES})
    if n_stories * per_story > len(words):
        raise SystemExit(f"at most {len(words) // per_story} stories")
    random.Random(seed).shuffle(words)
    return [
        [name.capitalize() for name in words[story * per_story : (story + 1) * per_story]]
        for story in range(n_stories)
    ]


def synthetic(
    n_articles: int, n_stories: int, seed: int = 7, actors: dict[str, tuple[str, ...]] | None = None
) -> tuple[list[Article], dict[str, str]]:
    """Articles and their gold story; `actors` (if given) gets each article's named people and firms,
    what an engine would extract."""
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
        if actors is not None:
            actors[article.id] = (person, company, town)
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


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cluster_stages(n_articles: int, n_stories: int) -> dict[str, float]:
    """Clustering alone, stage by stage, on synthetic articles whose actors are their story's names."""
    import sklearn.feature_extraction.text  # noqa: F401 - import cost is paid once per process, not timed

    actors: dict[str, tuple[str, ...]] = {}
    articles, gold = synthetic(n_articles, n_stories, actors=actors)
    items = [ClusterItem(a.id, a.title or "", a.text, a.published_at, actors[a.id]) for a in articles]
    params = ClusterParams()
    times: dict[str, float] = {}
    cpu_started = time.process_time()
    started = time.perf_counter()
    mark = time.process_time()

    def stage(name: str) -> None:
        nonlocal mark
        now = time.process_time()
        times[name] = now - mark  # CPU time: wall times on a shared machine are inflated 2-5x
        mark = now

    ordered = sorted(items, key=lambda item: (item.published_at, item.id))
    data = features(ordered, params)
    stage("features")
    rows, cols = candidate_pairs(data, params)
    stage("candidates")
    similarity = pair_similarity(data, rows, cols, params)
    stage("similarity")
    roots = average_linkage(len(ordered), rows, cols, similarity, params.threshold)
    stage("linkage")
    groups: dict[int, list[str]] = {}
    for item, root in zip(ordered, roots, strict=True):
        groups.setdefault(root, []).append(item.id)
    times["total"] = time.perf_counter() - started
    times["cpu"] = time.process_time() - cpu_started
    precision, recall, f1 = bcubed(list(groups.values()), gold)
    assert list(groups.values()) == cluster(items, params)  # the stages are exactly cluster()
    return {
        **times,
        "articles": n_articles,
        "pairs": len(rows),
        "clusters": len(groups),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "peak_mb": peak_mb(),
    }


def _slope(results: list[dict], key: str) -> float:
    """Least-squares slope of log(time) on log(articles)."""
    xs = [math.log(r["articles"]) for r in results]
    ys = [math.log(r[key]) for r in results]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def scaling(sizes: list[int], stories_per_article: float) -> None:
    """Each size in its own process; then the exponent b of time ≈ a·n^b, least squares in log-log."""
    results = []
    for n in sizes:
        stories = max(1, round(n * stories_per_article))
        output = subprocess.run(
            [sys.executable, __file__, "--cluster-only", "--articles", str(n), "--stories", str(stories)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{n:>7} articles (CPU): features {result['features']:.2f} s, "
            f"candidates {result['candidates']:.2f} s ({result['pairs']} pairs), "
            f"similarity {result['similarity']:.2f} s, linkage {result['linkage']:.2f} s; "
            f"total CPU {result['cpu']:.2f} s, wall {result['total']:.2f} s; peak {result['peak_mb']:.0f} MB",
            flush=True,
        )
        print(
            f"clustering alone: {result['total']:.2f} s → {result['clusters']} clusters "
            f"(B-cubed P={result['precision']:.3f} R={result['recall']:.3f} F1={result['f1']:.3f})",
            flush=True,
        )
    steady = [r for r in results if r["articles"] >= 8000]  # common words past block_max_df
    if len(results) >= 2:
        for key, what in (("total", "wall time"), ("cpu", "CPU time")):
            slope = _slope(results, key)
            print(f"fitted growth exponent of {what} (∝ n^b, {len(results)} sizes): b = {slope:.2f}")
            if 2 <= len(steady) < len(results):
                print(f"  over the {len(steady)} sizes from 8,000 articles on: b = {_slope(steady, key):.2f}")
            by_size = {r["articles"]: r[key] for r in results}
            if 2000 in by_size and 16000 in by_size:
                print(f"  16,000 vs 2,000 articles: {by_size[16000] / by_size[2000]:.1f}× the {what}")


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
        print(f"TOTAL cluster+merge+render: {t_build + t_render:.2f} s; peak memory {peak_mb():.0f} MB")

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


class Stages:
    """Wall and CPU time of each stage of the real digest path, by wrapping the functions it calls."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def clear(self) -> None:
        self.wall.clear()
        self.cpu.clear()

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu

    def wrap(self, owner: object, attribute: str, name: str) -> None:
        inner = getattr(owner, attribute)
        stages = self

        if asyncio.iscoroutinefunction(inner):

            async def timed_async(*args, **kwargs):
                wall, cpu = time.perf_counter(), time.process_time()
                try:
                    return await inner(*args, **kwargs)
                finally:
                    stages.add(name, time.perf_counter() - wall, time.process_time() - cpu)

            setattr(owner, attribute, timed_async)
        else:

            def timed(*args, **kwargs):
                wall, cpu = time.perf_counter(), time.process_time()
                try:
                    return inner(*args, **kwargs)
                finally:
                    stages.add(name, time.perf_counter() - wall, time.process_time() - cpu)

            setattr(owner, attribute, timed)


def bench_settings(data_dir: Path, database_url: str | None, schema: str) -> Settings:
    """Settings on `data_dir` (SQLite) or on `schema` of `database_url` (created if need be)."""
    if database_url is None:
        return Settings(data_dir=data_dir)
    from urllib.parse import quote

    from sqlalchemy import create_engine, text

    admin = create_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    admin.dispose()
    separator = "&" if "?" in database_url else "?"
    url = f"{database_url}{separator}options={quote(f'-csearch_path={schema}')}"
    return Settings(data_dir=data_dir, database_url=url)


async def daily(
    n_articles: int, n_stories: int, data_dir: Path, database_url: str | None, max_stories: int
) -> None:
    import sklearn.feature_extraction.text  # noqa: F401 - import cost is paid once per process, not timed
    from sqlalchemy import text

    import briefing.digests.build as build_module
    from briefing.digests.service import DigestService

    articles, gold = synthetic(n_articles, n_stories)
    settings = bench_settings(data_dir, database_url, f"bench_daily_{n_articles}_{n_stories}")
    store = open_store(settings)
    where = "PostgreSQL" if database_url else "SQLite"
    service = DigestService(settings, store)
    briefer = service.builder.briefer
    engine = briefer.engine()
    started = time.perf_counter()
    have = store.get_briefs(
        [a.id for a in articles], engine=engine.name, model=engine.model, prompt_version=engine.prompt_version
    )
    missing = [a for a in articles if a.id not in have]
    for article in missing:  # stores the article and its brief
        await briefer.brief(article)
    print(
        f"{where}: {n_articles} articles stored and briefed beforehand ({len(missing)} added now, "
        f"{time.perf_counter() - started:.1f} s, not part of the figures)",
        flush=True,
    )
    assigner = service.builder.assigner
    if assigner is not None:  # stories are assigned as articles arrive: before the digest, not in it
        wall, cpu = time.perf_counter(), time.process_time()
        done = assigner.assign_pending()
        print(
            f"{where}: stories assigned beforehand ({done.assigned} articles now, "
            f"{time.process_time() - cpu:.2f} s CPU, {time.perf_counter() - wall:.2f} s wall; "
            "not part of the figures)",
            flush=True,
        )
    day = datetime(2026, 5, 4, tzinfo=UTC)

    stages = Stages()
    stages.wrap(service.repo, "select_articles", "select articles")
    stages.wrap(service.builder, "_brief_all", "read briefs")
    stages.wrap(service.builder, "_clusters", "stories")  # stored stories read (or clustered now)
    stages.wrap(build_module, "cluster", "cluster")
    stages.wrap(service.builder, "_story_briefs", "story briefs")
    stages.wrap(build_module, "link_stories", "continuity")
    stages.wrap(service, "_save", "save")

    for run in ("first digest of the day (no merge cached)", "re-run (merges cached)"):
        if run.startswith("first"):
            with store.connection() as connection:  # bench only: forget merged story briefs
                connection.execute(text("DELETE FROM story_briefs"))
        stages.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        digest = await service.ad_hoc(since=day, until=day + timedelta(days=1), max_stories=max_stories)
        mark_wall, mark_cpu = time.perf_counter(), time.process_time()
        for fmt in ("md", "html", "txt", "json"):
            render(digest, fmt, settings)
        stages.add("render", time.perf_counter() - mark_wall, time.process_time() - mark_cpu)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        clusters = [[ref.id for ref in story.articles] for story in digest.stories]
        score = ""
        if sum(map(len, clusters)) == len(gold):  # every story in the digest: the clustering is scored
            score = " (B-cubed P={:.3f} R={:.3f} F1={:.3f})".format(*bcubed(clusters, gold))
        print(
            f"{where}, {run}: {digest.stats.articles} articles → {digest.stats.clusters} stories, "
            f"top {len(digest.stories)} in the digest; {digest.stats.merges} merges made, "
            f"{digest.stats.merges_cached} cached{score}"
        )
        print("  " + ", ".join(f"{name} {stages.cpu[name]:.2f} s" for name in stages.cpu) + " (CPU)")
        print("  " + ", ".join(f"{name} {stages.wall[name]:.2f} s" for name in stages.wall) + " (wall)")
        print(
            f"  TOTAL daily digest (select → render): {cpu:.2f} s CPU, {wall:.2f} s wall; "
            f"peak memory {peak_mb():.0f} MB",
            flush=True,
        )
    store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000])
    parser.add_argument("--stories", type=int, help="stories in the set (default: 0.15 per article)")
    parser.add_argument("--cluster-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--daily", type=int, metavar="N", help="a daily digest over N stored articles")
    parser.add_argument("--max-stories", type=int, default=20, help="stories a --daily digest keeps")
    parser.add_argument("--database-url", help="PostgreSQL for --daily (default: SQLite in --data-dir)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "briefing-bench-daily",
        help="where --daily keeps its SQLite database between runs",
    )
    arguments = parser.parse_args()
    ratio = 0.15
    if arguments.daily:
        stories = arguments.stories or max(1, round(arguments.daily * ratio))
        data_dir = arguments.data_dir / f"{arguments.daily}-{stories}"
        asyncio.run(daily(arguments.daily, stories, data_dir, arguments.database_url, arguments.max_stories))
    elif len(arguments.articles) > 1:
        scaling(arguments.articles, ratio)
    else:
        n = arguments.articles[0]
        stories = arguments.stories or max(1, round(n * ratio))
        if arguments.cluster_only:
            print(json.dumps(cluster_stages(n, stories)))
        else:
            asyncio.run(main(n, stories))
    sys.exit(0)
