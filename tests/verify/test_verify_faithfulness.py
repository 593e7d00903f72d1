"""The faithfulness set built from the gold briefs: detection recall per perturbation and false alarms.

Floors sit a little below the figures measured when the checker was last tuned (on `dev` only);
`test` cases were measured, never tuned on. The issue's targets that are not met yet are listed in
docs/verify.md with the measured figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.evaluation.dataset import load_gold_dir
from briefing.evaluation.faithfulness import build, caseless, measure

GOLD = load_gold_dir(Path(__file__).resolve().parents[2] / "evals" / "gold")
# measured (cased): dev FA 0.142, number 0.97, date 0.95, not-in-article 0.96, same-article 0.68, neg. 0.80
#                   test FA 0.060, number 0.98, date 0.83, not-in-article 0.95, same-article 0.57, neg. 0.82
FLOORS = {
    "dev": {
        "number": 0.95,
        "date": 0.90,
        "name_not_in_article": 0.93,
        "name_same_article": 0.63,
        "negation": 0.75,
    },
    "test": {
        "number": 0.95,
        "date": 0.75,
        "name_not_in_article": 0.90,
        "name_same_article": 0.50,
        "negation": 0.75,
    },
}
MAX_FALSE_ALARMS = {"dev": 0.16, "test": 0.09}


@pytest.fixture(scope="module")
def figures() -> dict[str, object]:
    return {f.split: f for f in measure(GOLD)}


def test_the_set_is_built_deterministically_with_every_kind() -> None:
    first, second = build(GOLD), build(GOLD)
    assert first == second
    kinds = {statement.kind for statement in first}
    assert {"untouched", "number", "date", "name_not_in_article", "name_same_article", "negation"} <= kinds
    assert all(s.text != s.original for s in first if s.kind != "untouched")


@pytest.mark.parametrize("split", ["dev", "test"])
def test_detection_recall_and_false_alarms_stay_at_their_measured_levels(figures: dict, split: str) -> None:
    result = figures[split]
    for kind, floor in FLOORS[split].items():
        assert result.recall[kind] >= floor, (kind, result.recall[kind], result.misses.get(kind, [])[:5])
    assert result.false_alarm_rate <= MAX_FALSE_ALARMS[split], result.false_alarms[:10]


def test_caseless_claims_are_still_checked() -> None:
    assert caseless("Sabiá's shares fell 6.2 percent.") == "sabiá 's shares fell 6.2 percent ."
    result = {f.split: f for f in measure(GOLD, variant="caseless")}["dev"]
    assert result.recall["number"] >= 0.95 and result.recall["name_not_in_article"] >= 0.95
