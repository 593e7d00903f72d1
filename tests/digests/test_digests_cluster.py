"""Story clustering and the B-cubed metric."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from briefing.digests.cluster import ClusterItem, bcubed, canonical_actor, cluster


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
