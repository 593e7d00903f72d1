"""Rules for text as real pages bring it: past events, quotations, months and quote marks."""

from __future__ import annotations

from datetime import date

import pytest

from briefing.engines.offline.classify import classify
from briefing.engines.offline.trim import trim


@pytest.mark.parametrize(
    "sentence",
    [
        "Verris last month reversed his long-held position that the corridor could not be divided.",
        "Sabiá shares fell 6.2 percent on Wednesday, while Tropeiro did not say whether it would sell.",
        "In a statement on May 12, the company said it had agreed the terms.",
        "The court struck down part of the reform that would have reduced benefits for miners.",
        "The sticking point was a paragraph, added on Friday, that would require approval by all countries.",
        "The certification, which had been scheduled for Wednesday, has been postponed.",
        "Kethara said it would not accept any equivalence between the aggressor and the victim.",
        "The retailers said the law would destroy 4,000 jobs.",
        "The ministers said any settlement must start from the border recognised in 2014 and not later.",
        "The president remains committed to the principle of territorial integrity.",
    ],
)
def test_past_hypothetical_and_stance_sentences_are_not_next_steps(sentence: str) -> None:
    cues = classify(sentence, date(2026, 5, 20))
    assert not cues.is_next_step, cues


def test_a_year_after_a_past_form_is_not_when() -> None:
    cues = classify("The ministers said the talks will start from the border recognised in 2014.")
    assert cues.when is None


@pytest.mark.parametrize(
    ("sentence", "certainty", "when"),
    [
        ("The European Union will hold an emergency summit on Thursday.", "planned", "on Thursday"),
        ("The ministers are expected to adopt a common position next month.", "expected", "next month"),
        ("Marrow may travel to the corridor next week, her spokesman said.", "possible", "next week"),
        ("The hearing is scheduled for May 14.", "confirmed", None),
        ("The city said it would appeal the ruling in May.", "planned", "in May"),
    ],
)
def test_certainty_follows_the_wording(sentence: str, certainty: str, when: str | None) -> None:
    cues = classify(sentence)
    assert cues.is_next_step
    assert cues.certainty == certainty
    assert cues.when == when


def test_month_may_is_not_the_modal() -> None:
    assert classify("Talks in Lima ended on May 22 after the delegation walked out.").certainty is None
    assert classify("The board may sell the unit.").certainty == "possible"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            'Her office said the president "remains committed to the principle of territorial integrity."',
            'The president "remains committed to the principle of territorial integrity."',
        ),
        (
            "He said a freeze was “the only realistic path to serious preparation.”",
            "A freeze was “the only realistic path to serious preparation.”",
        ),
        ('"We need to end this war, and we need to end it this winter," Verris said.', None),
        ("“We are here because people want the shooting to stop.”", None),
    ],
)
def test_item_texts_keep_the_quotation_marks_of_the_sentence(sentence: str, expected: str | None) -> None:
    text = trim(sentence, asides=False).text
    if expected is None:  # one whole quotation: no unpaired mark is left
        assert not any(mark in text for mark in '"“”')
    else:
        assert text == expected
