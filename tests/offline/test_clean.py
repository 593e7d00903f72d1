"""Cleaning before briefing: page chrome goes, the story stays, and offsets map back exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.clean import clean_article, clean_text
from briefing.config import Settings
from briefing.models import Article
from briefing.pipeline import Briefer

PAGES = Path(__file__).parent / "data" / "pages"
PASTE = (PAGES / "browser_paste.txt").read_text()
CHROME = [
    "date 2025-10-21",
    "16 px",
    "Scroll down for video",
    "By Hanna Lieber",
    "Published: 09:14 GMT",
    "AP Photo",
    "Related",
    "Five things to watch",
    "newsletter",
    "cookies",
    "All rights reserved",
    "Skip to main content",
]


def test_chrome_lines_are_removed_and_the_story_is_kept() -> None:
    cleaned = clean_text(PASTE)
    for chrome in CHROME:
        assert chrome not in cleaned.text, chrome
    assert cleaned.text.startswith("European leaders on Tuesday rejected")
    assert "Fighting along the front line continued overnight" in cleaned.text
    assert cleaned.removed >= 12


def test_every_cleaned_offset_maps_back_to_the_same_character() -> None:
    cleaned = clean_text(PASTE)
    for offset in range(len(cleaned.text)):
        if cleaned.text[offset] != "\n":
            assert PASTE[cleaned.to_original(offset)] == cleaned.text[offset]
    line = "The EU has already frozen 40 billion euros"
    start = cleaned.text.index(line)
    assert PASTE[cleaned.to_original(start) :].startswith(line)


@pytest.mark.parametrize(
    "line",
    [
        "Scroll down for video",
        "date 2025-10-21 + ↺ − 16 px",
        "By MARTA KELLER and JO BIRD for Daily Wire",
        "Photo: Getty Images",
        "Sign up for our newsletter.",
        "© 2026 Daily Wire",
        "Updated: 21 October 2025 14:03 BST",
        "Share this article",
        "We value your privacy",
        "We and our partners use cookies and similar technologies to store and access information on "
        "your device, to personalise content and ads and to analyse our traffic.",
        "Accept",
        "Reject all",
        "Accept all cookies",
        "Manage preferences",
        "Agree and close",
        "Facebook Twitter LinkedIn WhatsApp Email",
        "Share | Tweet | Email",
        "by sarah okafor",  # a byline of lower-cased text
    ],
)
def test_typical_chrome_line_is_removed(line: str) -> None:
    text = f"Officials said the bridge will reopen on Monday after repairs.\n{line}\nTraffic was diverted."
    assert line not in clean_text(text).text


@pytest.mark.parametrize(
    "line",
    [
        "Published figures show unemployment rose to 6.1 percent in March, the highest level in four years.",
        "Share prices fell 4 percent after the announcement.",
        "Subscribers will pay 3 euros more a month from June, the company said.",
        "By March, the council had spent 2 million euros on consultants.",
        "The minister told Reuters the talks would resume.",
        "Accept the offer or strike, the union told its members.",
        "Agree to the deal and the fine halves, the regulator said.",
        "Twitter and Facebook were fined.",
        "We and our partners at the port will reopen the terminal on Monday, the operator said.",
        "by the end of the week the port will reopen",
        "by tuesday",
        "by the council",
    ],
)
def test_story_sentences_that_start_like_chrome_are_kept(line: str) -> None:
    text = f"Officials said the bridge will reopen on Monday after repairs.\n\n{line}"
    assert line in clean_text(text).text


def test_clean_article_keeps_the_id_and_leaves_clean_text_alone() -> None:
    article = Article(text=PASTE, title="Share")
    cleaned, _ = clean_article(article)
    assert cleaned.id == article.id
    assert cleaned.title is None  # a chrome title is no title
    plain = Article(text="The council voted on Monday.\n\nThe plan passed.")
    assert clean_article(plain)[0] is plain


async def test_the_pipeline_briefs_the_cleaned_text_and_grounds_in_the_original() -> None:
    article = Article(text=PASTE)
    brief = await Briefer(Settings(engine="offline", cache=False)).brief(article)
    assert "px" not in brief.headline and "date" not in brief.headline.lower()
    assert brief.meta.grounded_ratio == 1.0
    for item in brief.items():
        for evidence in item.evidence:
            assert article.text[evidence.start : evidence.end] == evidence.quote
            assert "Scroll down" not in evidence.quote
