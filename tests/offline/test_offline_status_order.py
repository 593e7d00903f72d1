"""Status items: newest development first, the newest one present, no pile of summary repeats."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime

import pytest

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.engines.offline.engine import _repeats_summary, _summary_sentences
from briefing.engines.offline.recency import UNDATED, days_ago, order_key
from briefing.models import Article, Brief, BriefOptions

PUBLISHED = date(2026, 8, 12)  # a Wednesday


@pytest.mark.parametrize(
    ("sentence", "days"),
    [
        ("BRASÍLIA, Aug. 12 — The regulator on Wednesday blocked the deal.", 0.0),  # the dateline is no cue
        ("Shares fell on Monday.", 2.0),
        ("Talks began Aug. 3.", 9.0),
        ("The deal was agreed last month.", 30.0),
        ("The plant opened two years ago.", 730.0),
        ("Sales fell in 2019.", 7 * 365.0),
        ("The firm had agreed to pay.", 30.0),
        ("Prices are now higher.", 0.0),
        ("Nothing says when.", None),
    ],
)
def test_days_ago_reads_date_and_tense_cues(sentence: str, days: float | None) -> None:
    assert days_ago(sentence, PUBLISHED) == days


def test_a_lasting_state_is_no_dated_event_and_undated_sits_between() -> None:
    assert days_ago("Prices are now higher.", PUBLISHED, states=False) is None
    assert (
        order_key("Shares fell on Monday.", PUBLISHED)
        < UNDATED
        < order_key("It began last month.", PUBLISHED)
    )


def brief_of(text: str) -> Brief:
    article = Article(text=text, published_at=datetime(2026, 8, 12, 9, tzinfo=UTC))
    return asyncio.run(OfflineEngine(Settings()).brief(article, BriefOptions()))


STORY = (
    "The Orvalle city council last month approved a 12 million euro plan to rebuild the harbour wall.\n\n"
    "The plan was drawn up in 2019 after storms flooded 300 homes in the old town.\n\n"
    "Work on the wall has been delayed by a shortage of steel, the council said.\n\n"
    "The contractor, Brenmar Construction, has hired 140 workers for the project.\n\n"
    "The harbour has been closed to fishing boats since the spring.\n\n"
    "On Tuesday the regional court suspended the building permit after a complaint by residents.\n\n"
    "The council has 30 days to respond to the court."
)


def test_status_is_newest_first_and_holds_the_newest_development() -> None:
    brief = brief_of(STORY)
    texts = [item.text for item in brief.status]
    assert any("suspended the building permit" in text for text in texts), texts
    keys = [order_key(item.evidence[0].quote, PUBLISHED) for item in brief.status]
    assert keys == sorted(keys), texts
    assert "suspended the building permit" in texts[0]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def test_at_most_one_status_item_restates_a_summary_sentence() -> None:
    brief = brief_of(STORY)
    pieces = [_words(p) for p in re.split(r"(?<=[.!?])\s+(?=[A-Z])", brief.summary)]
    restated = [
        item.text
        for item in brief.status
        if any(
            len(_words(item.text) & p) >= 0.8 * len(_words(item.text))
            and len(_words(item.text) & p) >= 0.6 * len(p)
            for p in pieces
        )
    ]
    assert len(restated) <= 1, (brief.summary, restated)
    assert len(brief.status) >= 3


def test_one_fact_of_a_long_summary_sentence_is_no_repeat() -> None:
    summary = _summary_sentences(
        "The council approved the harbour plan on Monday, as storms flooded 300 homes and the court "
        "suspended the permit. Work starts in May."
    )
    assert _repeats_summary("Work starts in May.", summary)
    assert not _repeats_summary("The council approved the harbour plan on Monday.", summary)
    assert not _repeats_summary("Brenmar hired 140 workers.", summary)


def test_a_short_article_still_has_status_items() -> None:
    """When the summary is the whole article, repeats fill the status list up to two items."""
    brief = brief_of(
        "The harbour wall in Orvalle was closed on Monday after a storm. "
        "Repairs have cost 2 million euros so far. Fishing boats were moved to Brenmar."
    )
    assert len(brief.status) >= 2
