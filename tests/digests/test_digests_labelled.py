"""Clustering quality on the labelled story set (≥ 60 articles written for the tests, with near-misses).

Actors come from the real offline engine, as they do in a digest. The figures are printed so
`pytest -s` shows them; the gate is B-cubed precision and recall ≥ 0.95 each.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from briefing.config import Settings
from briefing.digests.cluster import ClusterItem, ClusterParams, bcubed, candidate_pairs, cluster, features
from briefing.engines import get_engine
from briefing.models import Article, BriefOptions

DATA = Path(__file__).parent / "data" / "stories.yaml"


async def labelled_items(settings: Settings) -> tuple[list[ClusterItem], dict[str, str]]:
    records = yaml.safe_load(DATA.read_text(encoding="utf-8"))["articles"]
    engine = get_engine("offline", settings)
    items = []
    for record in records:
        article = Article(text=record["text"], title=record["title"], source=record["source"])
        brief = await engine.brief(article, BriefOptions())
        names = tuple(name for actor in brief.actors for name in [actor.name, *actor.aliases])
        items.append(ClusterItem(record["id"], record["title"], article.text, record["published_at"], names))
    return items, {record["id"]: record["story"] for record in records}


async def test_labelled_set_bcubed_at_least_0_95(settings: Settings) -> None:
    items, gold = await labelled_items(settings)
    assert len(items) >= 60 and len(set(gold.values())) >= 15
    params = ClusterParams(threshold=settings.digest_cluster_threshold)
    precision, recall, f1 = bcubed(cluster(items, params), gold)
    print(
        f"\nB-cubed on {len(items)} articles / {len(set(gold.values()))} stories: "
        f"P={precision:.3f} R={recall:.3f} F1={f1:.3f}"
    )
    assert precision >= 0.95
    assert recall >= 0.95


async def test_quality_holds_when_blocking_prunes_most_pairs(settings: Settings) -> None:
    """With blocks capped at 8 articles (the largest story has 7), fewer
    than a tenth of all pairs are scored, and the clustering is as good as with every pair."""
    items, gold = await labelled_items(settings)
    pruned = ClusterParams(threshold=settings.digest_cluster_threshold, block_max_df=8)
    rows, _ = candidate_pairs(features(items, pruned), pruned)
    assert len(rows) < len(items) * (len(items) - 1) // 2 // 10
    precision, recall, _ = bcubed(cluster(items, pruned), gold)
    assert precision >= 0.95 and recall >= 0.95


async def test_near_miss_pairs_stay_apart(settings: Settings) -> None:
    items, gold = await labelled_items(settings)
    story_of = {}
    for group in cluster(items, ClusterParams(threshold=settings.digest_cluster_threshold)):
        for item_id in group:
            story_of[item_id] = tuple(sorted({gold[i] for i in group}))
    for pair in [("harbor-strike", "kessick-crane-strike"), ("budget-2027", "varga-inquiry")]:
        mixed = [labels for labels in story_of.values() if set(pair) <= set(labels)]
        assert not mixed, f"{pair} merged into one story"
