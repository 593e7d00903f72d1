"""Story clustering and the B-cubed metric."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from briefing.digests.cluster import (
    ClusterItem,
    ClusterParams,
    average_linkage,
    bcubed,
    candidate_pairs,
    canonical_actor,
    cluster,
    features,
)


def test_bcubed_hand_made_case() -> None:
    gold = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"}
    predicted = [["a", "b"], ["c", "d", "e"]]
    precision, recall, f1 = bcubed(predicted, gold)
    # precision: a,b 1; c 1/3; d,e 2/3 → (2 + 1/3 + 4/3) / 5
    assert precision == pytest.approx((2 + 1 / 3 + 4 / 3) / 5)
    # recall: a,b 2/3; c 1/3; d,e 1 → (4/3 + 1/3 + 2) / 5
    assert recall == pytest.approx((4 / 3 + 1 / 3 + 2) / 5)
    assert f1 == pytest.approx(2 * precision * recall / (precision + recall))


def test_bcubed_perfect_and_singletons() -> None:
    gold = {"a": "x", "b": "x", "c": "y"}
    assert bcubed([["a", "b"], ["c"]], gold) == (1.0, 1.0, 1.0)
    precision, recall, _ = bcubed([["a"], ["b"], ["c"]], gold)
    assert precision == 1.0 and recall == pytest.approx((0.5 + 0.5 + 1) / 3)


def test_bcubed_rejects_mismatched_items() -> None:
    with pytest.raises(ValueError):
        bcubed([["a"]], {"a": "x", "b": "x"})


def test_canonical_actor_folds_case_and_articles() -> None:
    assert canonical_actor("The Port Authority") == canonical_actor("port authority")


T0 = datetime(2026, 5, 4, 7, tzinfo=UTC)
ITEMS = [
    ClusterItem(
        "s1",
        "Dock workers strike at Harwick harbor",
        "Dock workers at Harwick harbor walked out on Monday over pay, halting container traffic.",
        T0,
        ("Harwick Dockers Union",),
    ),
    ClusterItem(
        "s2",
        "Harwick harbor strike halts containers",
        "Container traffic at Harwick harbor stopped as dock workers went on strike over pay.",
        T0 + timedelta(hours=3),
        ("Harwick Dockers Union",),
    ),
    ClusterItem(
        "f1",
        "City council approves new tram line",
        "The city council voted to approve the new tram line to the airport, with construction from autumn.",
        T0,
        ("City Council",),
    ),
    ClusterItem(
        "f2",
        "Tram line to airport gets council approval",
        "Construction of the airport tram line will start in autumn after the council vote.",
        T0 + timedelta(hours=5),
        ("city council",),
    ),
]


def test_two_stories_separate() -> None:
    clusters = cluster(ITEMS)
    assert sorted(sorted(group) for group in clusters) == [["f1", "f2"], ["s1", "s2"]]


def test_clustering_is_order_independent() -> None:
    assert cluster(ITEMS) == cluster(list(reversed(ITEMS)))


def test_trivial_inputs() -> None:
    assert cluster([]) == []
    assert cluster(ITEMS[:1]) == [["s1"]]


def _partition(labels: list[int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, set()).add(index)
    return {frozenset(group) for group in groups.values()}


@pytest.mark.parametrize("seed", range(6))
def test_sparse_average_linkage_matches_dense(seed: int) -> None:
    """With every pair given, the heap-based linkage cuts the same clusters as SciPy's dense one."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    rng = np.random.default_rng(seed)
    n = 40
    centres = rng.integers(0, 6, size=n)
    similarity = np.where(centres[:, None] == centres[None, :], 0.35, 0.02) + rng.random((n, n)) * 0.2
    similarity = np.triu(similarity, 1)
    similarity = similarity + similarity.T
    rows, cols = np.triu_indices(n, 1)
    roots = average_linkage(n, rows, cols, similarity[rows, cols], 0.75)
    distance = 1.0 - similarity
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    # SciPy merges at distance <= t; ours strictly below: the same cut away from exact ties
    dense = fcluster(tree, t=0.75 - 1e-9, criterion="distance")
    assert _partition(roots) == _partition(list(dense))
    assert 2 <= len(set(roots)) < n


def test_absent_pairs_count_as_zero_in_the_average() -> None:
    # a-b and b-c are close, a-c unknown: mean of {a,b} to c is (0 + 0.9) / 2 = 0.45
    rows, cols, values = np.array([0, 1]), np.array([1, 2]), np.array([0.95, 0.9])
    assert len(set(average_linkage(3, rows, cols, values, 0.6))) == 1  # 0.45 > 1 - 0.6
    assert len(set(average_linkage(3, rows, cols, values, 0.5))) == 2  # 0.45 < 1 - 0.5


def test_blocking_purges_terms_in_too_many_articles() -> None:
    """Each story's terms are in two articles: a cap of one article leaves no candidate pair."""
    rows, cols = candidate_pairs(features(ITEMS, ClusterParams()), ClusterParams())
    assert all(row < col for row, col in zip(rows, cols, strict=True)) and len(rows) >= 2
    purged = ClusterParams(block_max_df=1)
    assert len(candidate_pairs(features(ITEMS, purged), purged)[0]) == 0
    assert cluster(ITEMS, purged) == [
        [item.id] for item in sorted(ITEMS, key=lambda i: (i.published_at, i.id))
    ]
