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
