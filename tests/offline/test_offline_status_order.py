"""Status items: newest development first, and the newest one present."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
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


def test_a_short_article_still_has_status_items() -> None:
    """When the summary is the whole article, its facts are still the status."""
    brief = brief_of(
        "The harbour wall in Orvalle was closed on Monday after a storm. "
        "Repairs have cost 2 million euros so far. Fishing boats were moved to Brenmar."
    )
    assert len(brief.status) >= 2
