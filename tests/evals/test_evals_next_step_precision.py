"""Next-step precision: the share of predicted next steps that match a gold one.

Recall alone rewards listing every sentence with a date in it; these cases make precision and
recall move in opposite directions, so a metric that confused the two would fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.evaluation.dataset import GoldBrief, InputError, load_gold_case
from briefing.evaluation.gate import Thresholds, check
from briefing.evaluation.metrics import GOLD_METRICS, aggregate, score_gold
from briefing.evaluation.report import render_summary
from briefing.models import Brief, BriefMeta, NextStep

STEPS = [
    "The council votes on the revised budget on Friday",
    "The mayor publishes the audit report in March",
    "Bus drivers hold a strike ballot next week",
]
UNRELATED = [
    "Forecasters expect heavy snow over the mountain passes",
    "A new bakery opens on the high street",
]


def _gold(steps: list[str]) -> GoldBrief:
    return GoldBrief(headline="h", summary="s", next_steps=[{"action": step} for step in steps])


def _brief(steps: list[str]) -> Brief:
    return Brief(
        headline="h",
        summary="s",
        next_steps=[NextStep(action=step) for step in steps],
        meta=BriefMeta(engine="test"),
    )


def test_metric_is_published_for_every_gold_run() -> None:
    assert "next_steps_precision" in GOLD_METRICS


def test_padding_keeps_recall_and_drops_precision() -> None:
    scores, matches = score_gold(_gold(STEPS[:1]), _brief([STEPS[0], *UNRELATED]))
    assert scores["next_steps_recall"] == 1.0
    assert scores["next_steps_precision"] == pytest.approx(1 / 3)
    assert matches.sections["next_steps"].pred_match == (0, None, None)


def test_one_right_step_of_three_is_precise_but_incomplete() -> None:
    scores, _ = score_gold(_gold(STEPS), _brief([STEPS[1]]))
    assert scores["next_steps_precision"] == 1.0
    assert scores["next_steps_recall"] == pytest.approx(1 / 3)
    assert scores["next_steps_f1"] == pytest.approx(0.5)


def test_paraphrase_counts_and_an_unrelated_past_event_does_not() -> None:
    predicted = [
        "The council will vote on the revised budget on Friday.",  # same event, other wording
        "Residents marched against the tram plan in December.",  # a past event, not a next step
    ]
    scores, _ = score_gold(_gold(STEPS[:1]), _brief(predicted))
    assert scores["next_steps_precision"] == 0.5
    assert scores["next_steps_recall"] == 1.0


def test_steps_predicted_for_a_story_without_any_are_all_extra() -> None:
    scores, _ = score_gold(_gold([]), _brief(UNRELATED))
    assert scores["next_steps_precision"] == 0.0
    scores, _ = score_gold(_gold([]), _brief([]))
    assert scores["next_steps_precision"] == 1.0  # nothing to find, nothing invented


def test_precision_is_macro_averaged_over_cases() -> None:
    first, _ = score_gold(_gold(STEPS[:1]), _brief([STEPS[0], *UNRELATED]))  # 1/3
    second, _ = score_gold(_gold(STEPS), _brief(STEPS))  # 1
    result = aggregate([first, second], GOLD_METRICS)
    assert result["next_steps_precision"] == pytest.approx((1 / 3 + 1) / 2)
    assert result["next_steps_recall"] == 1.0


def test_summary_shows_it_and_the_gate_can_bar_it() -> None:
    results = {
        "engine": {"name": "offline", "model": None},
        "dataset": {"name": "gold", "kind": "gold", "cases": 1, "fingerprint": "f"},
        "metrics": list(GOLD_METRICS),
        "aggregate": {**dict.fromkeys(GOLD_METRICS, 1.0), "next_steps_precision": 0.25},
        "errors": 0,
        "baseline": None,
        "cases": [],
    }
    assert "| next_steps_precision | 0.250 |" in render_summary(results)
    gate = check(results, Thresholds(0.02, {"next_steps_precision": 0.6}))
    assert gate.failures == ["next_steps_precision = 0.250 is below the threshold 0.600"]


def test_gold_evidence_must_be_verbatim_in_the_article(tmp_path: Path) -> None:
    path = tmp_path / "bridge.yaml"
    text = (
        "id: bridge\narticle: |\n  The council will vote on Friday. Repairs  start in May.\n"
        "gold:\n  headline: h\n  summary: s\n  next_steps:\n"
        "    - {action: Repairs start, evidence: ['Repairs start in May.']}\n"
    )
    path.write_text(text)
    assert load_gold_case(path).gold.next_steps[0].evidence == ["Repairs start in May."]
    path.write_text(text.replace("Repairs start in May.']", "Repairs begin in May.']"))
    with pytest.raises(InputError, match=r"evidence not found verbatim.*Repairs begin in May"):
        load_gold_case(path)
