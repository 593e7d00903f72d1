"""Sentence splitting: hard cases of news text, exact offsets, noise detection."""

from __future__ import annotations

import pytest

from briefing.engines.offline.sentences import SentenceSplitter


@pytest.fixture(scope="module")
def splitter() -> SentenceSplitter:
    return SentenceSplitter()


def texts(splitter: SentenceSplitter, text: str, language: str | None = None) -> list[str]:
    return [sentence.text for sentence in splitter.split(text, language)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He met Dr. J. R. Smith in the U.S. on Monday. Then he left.", 2),
        ('Growth was 3.5 per cent. "It\'s fine," she said. "We will see."', 3),
        ("Mr. Putin and Mrs. May met at 10 a.m. Tuesday. Officials said so.", 2),
        ("Gov. Newsom spoke. Sen. Warren replied.", 2),
        ("The U.S. Senate voted 51-49. The bill now goes to the House.", 2),
    ],
)
def test_hard_cases_split_where_a_reader_would(splitter: SentenceSplitter, text: str, expected: int) -> None:
    assert len(texts(splitter, text)) == expected


def test_title_abbreviation_is_rejoined_with_its_name(splitter: SentenceSplitter) -> None:
    assert texts(splitter, "Gov. Newsom spoke. Sen. Warren replied.")[1] == "Sen. Warren replied."


def test_paragraph_breaks_end_sentences_and_offsets_are_exact(splitter: SentenceSplitter) -> None:
    text = "First line without a period\nSecond line.\n\n  Third paragraph here. And more."
    sentences = splitter.split(text)
    assert [s.text for s in sentences] == [
        "First line without a period",
        "Second line.",
        "Third paragraph here.",
        "And more.",
    ]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
    assert [s.paragraph for s in sentences] == [0, 1, 2, 2]  # each non-empty line is a paragraph
    assert [s.index for s in sentences] == [0, 1, 2, 3]


def test_other_languages_use_their_own_rules(splitter: SentenceSplitter) -> None:
    text = "Der Vertrag wurde z. B. von der Regierung geprüft. Die Gespräche gehen weiter."
    result = texts(splitter, text, "de")
    assert result == ["Der Vertrag wurde z. B. von der Regierung geprüft.", "Die Gespräche gehen weiter."]


def test_markup_and_table_rows_are_flagged_as_noise(splitter: SentenceSplitter) -> None:
    text = "<div class='ad'><span>Sponsored</span></div>\n| a | b | c | d |\nThe council met on Monday."
    flags = {s.text: s.is_noise for s in splitter.split(text)}
    assert flags["The council met on Monday."] is False
    assert flags["| a | b | c | d |"] is True
    assert any(noise for text, noise in flags.items() if text.startswith("<div"))


def test_empty_text_has_no_sentences(splitter: SentenceSplitter) -> None:
    assert splitter.split("") == []
    assert splitter.split("\n\n  \n") == []


WRAPPED = (
    "PORT ARLEN, May 4 — Around 1,800 dockworkers walked off the job at Port Arlen before dawn on\n"
    "Monday, halting container loading at the country's busiest harbour in a dispute over pay.\n"
    "\n"
    "The walkout was called by the United Port Workers union after Arlen Terminals Group, which runs\n"
    "the port's three container berths, confirmed it would cut the premium paid for night shifts\n"
    "from June 1.\n"
    "\n"
    "Pickets gathered at all three terminal entrances as the morning shift was due to start. By 7 a.m. no\n"
    "container had moved, according to port staff who asked not to be named.\n"
)


def test_hard_wrapped_text_is_split_into_whole_sentences(splitter: SentenceSplitter) -> None:
    from briefing.engines.offline.sentences import hard_wrapped

    assert hard_wrapped(WRAPPED)
    found = splitter.split(WRAPPED)
    assert [s.text.split()[-1] for s in found] == ["pay.", "1.", "start.", "named."]
    assert all(WRAPPED[s.start : s.end] == s.text for s in found)  # verbatim, line breaks and all
    assert [s.paragraph for s in found] == [0, 1, 2, 2]


@pytest.mark.parametrize(
    "text",
    [
        # a pasted page: one long line per paragraph, single line breaks between them
        "\n".join(["The council met on Monday and approved the budget after a long debate " * 3] * 6),
        # short lines of chrome or a list are no wrapped prose
        "Share\nTweet\nEmail\nPrint\nRelated\nThe council met on Monday.",
        # lines that end their sentences
        "\n".join(["The council met on Monday and approved the budget after a long debate."] * 6),
    ],
)
def test_other_text_keeps_a_line_break_as_a_sentence_end(splitter: SentenceSplitter, text: str) -> None:
    from briefing.engines.offline.sentences import hard_wrapped

    assert not hard_wrapped(text)


def test_a_brief_of_hard_wrapped_text_reads_as_one_line_and_its_quotes_ground() -> None:
    from briefing.config import Settings
    from briefing.engines.offline import OfflineEngine
    from briefing.grounding import ground_brief
    from briefing.models import Article
    from briefing.verify import check_brief

    made = OfflineEngine(Settings()).build(Article(text=WRAPPED))
    assert "\n" not in made.summary and "\n" not in made.headline
    assert all("\n" not in item.text for item in made.status)
    assert any("\n" in e.quote for item in made.items() for e in item.evidence)
    grounded = ground_brief(made, WRAPPED)
    assert all(e.grounded for item in grounded.items() for e in item.evidence)
    checked = check_brief(grounded, WRAPPED)
    assert all(item.supported for item in checked.items()), [
        (item, item.reasons) for item in checked.items() if not item.supported
    ]
