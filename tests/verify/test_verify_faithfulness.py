"""The faithfulness set built from the gold briefs: detection recall per perturbation and false alarms.

The checker was tuned on `dev` only; `test` cases were measured once, never tuned on. Where the
issue's target is met on a split, the target itself is the gate; where it is not, the floor sits a
little below the measured figure and docs/verify.md says the target is not met.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.evaluation.dataset import load_gold_dir
from briefing.evaluation.faithfulness import TARGETS, build, caseless, measure

GOLD = load_gold_dir(Path(__file__).resolve().parents[2] / "evals" / "gold")
# measured 2026-12-07, late (cased, 52 dev cases): dev FA 0.0496 (27 of 544), test FA 0.052 (15 of 291);
# 2026-12-07, earlier: dev FA 0.068, test FA 0.062; 2026-12-04:
#   dev  FA 0.090, number 0.96, date 0.93, not-in-article 0.96, same-article 0.64, negation 0.78
#   test FA 0.062, number 0.97, date 0.90, not-in-article 0.97, same-article 0.63, negation 0.88
FLOORS = {
    "dev": dict(TARGETS),  # every recall target met
    "test": dict(TARGETS),  # every recall target met (same-article swaps since the date-slot rule)
}
# the 5 % target is met on dev (tuned on), not on test (15 of 291; 14 would be)
MAX_FALSE_ALARMS = {"dev": 0.05, "test": 0.055}


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
