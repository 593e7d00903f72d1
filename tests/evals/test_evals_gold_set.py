"""The gold set keeps the shape the annotation guide promises, so new cases cannot erode it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from briefing.evaluation.dataset import EvalCase, load_dataset
from briefing.tokens import load_tokenizer

GOLD = Path(__file__).resolve().parents[2] / "evals" / "gold"
TOPICS = {
    "diplomacy", "elections", "courts", "business", "labour", "tech-regulation",
    "public-health", "climate-negotiations", "sports-governance", "local-government",
}  # fmt: skip


@pytest.fixture(scope="module")
def cases() -> tuple[EvalCase, ...]:
    return load_dataset(GOLD).cases


def _words(text: str) -> int:
    return len(text.split())


def test_size_and_topic_coverage(cases: tuple[EvalCase, ...]) -> None:
    assert len(cases) >= 40
    topics = Counter(case.topic for case in cases)
    assert set(topics) == TOPICS
    assert min(topics.values()) >= 3


def test_special_cases_are_present(cases: tuple[EvalCase, ...]) -> None:
    tags = Counter(tag for case in cases for tag in case.tags)
    assert tags["long"] >= 5
    assert tags["adversarial"] >= 3
    non_english = [case for case in cases if case.language != "en"]
    assert len(non_english) >= 3
    assert all("non-english" in case.tags for case in non_english)


def test_long_cases_force_map_reduce(cases: tuple[EvalCase, ...]) -> None:
    tokenizer = load_tokenizer("gpt-4o-mini")
    for case in cases:
        if "long" in case.tags:
            assert tokenizer.count(case.article) > 6000, case.id


def test_regular_cases_are_news_length(cases: tuple[EvalCase, ...]) -> None:
    for case in cases:
        if not {"long", "short"} & set(case.tags):
            assert 300 <= _words(case.article) <= 2000, case.id


def test_gold_briefs_follow_the_guide(cases: tuple[EvalCase, ...]) -> None:
    for case in cases:
        gold = case.gold
        assert gold is not None, case.id
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", gold.summary.strip()) if s]
        assert 2 <= len(sentences) <= 3, case.id
        assert gold.actors and gold.status and gold.next_steps, case.id
        for dispute in gold.disputes:
            assert dispute.parties, (case.id, dispute.issue)


def test_held_out_split_covers_real_world_page_shapes(cases: tuple[EvalCase, ...]) -> None:
    """The test split is large enough to report and covers the shapes real pages arrive in."""
    held_out = [case for case in cases if case.split == "test"]
    assert len(held_out) >= 30
    forms = Counter(tag for case in held_out for tag in case.tags)
    for form in ("page-chrome", "wire", "live-blog", "press-release", "transcript", "op-ed"):
        assert forms[form] >= 2, form
    assert forms["ptb-tokenized"] >= 3 and forms["lower-case"] >= 3
    assert len({case.topic for case in held_out}) == len(TOPICS)
