"""Rules for text as real pages bring it: past events, quotations, months and quote marks."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from briefing.clean import clean_article, is_chrome_line
from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.engines.offline.classify import classify
from briefing.engines.offline.headline import make_headline
from briefing.engines.offline.sentences import SentenceSplitter
from briefing.engines.offline.trim import trim
from briefing.models import Article

PAGES = Path(__file__).parent / "data" / "pages"


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


@pytest.mark.parametrize(
    ("sentence", "headline"),
    [
        (
            "European leaders on Tuesday rejected a proposal by Governor Aldo Verris to freeze the disputed "
            "Maren corridor along the current front line, a senior European Union official said.",
            "European leaders rejected a proposal by Governor Aldo Verris",
        ),
        ("The U.S. will send more troops to the region, a U.S. official said Tuesday.", None),
        (
            "the rail operator said on wednesday that it will cut 40 regional services, blaming drivers.",
            "The rail operator will cut 40 regional services",
        ),
        (
            "STOCKHOLM, Jan. 19 — Swedish carrier Boreal Airways on Monday launched a hostile 2.1 billion "
            "euro takeover bid for Finland's Aurora Wings, taking its offer directly to shareholders.",
            None,
        ),
    ],
)
def test_headline_is_a_clean_statement_of_3_to_14_words(sentence: str, headline: str | None) -> None:
    made = make_headline(sentence)
    assert 3 <= len(made.split()) <= 14, made
    assert not re.search(r"\bsaid\b|STOCKHOLM|Monday|Tuesday|[,;:]$", made), made
    if headline is not None:
        assert made == headline


@pytest.mark.parametrize("page", ["browser_paste.txt", "ptb_tokenized.txt", "all_lower.txt"])
def test_pasted_pages_get_real_headlines(page: str) -> None:
    text = (PAGES / page).read_text()
    brief = OfflineEngine(Settings()).build(clean_article(Article(text=text))[0])
    assert 3 <= len(brief.headline.split()) <= 14, brief.headline
    assert not is_chrome_line(brief.headline)
    assert not re.search(r"\b(?:px|date|Share|Scroll|By [A-Z])\b", brief.headline), brief.headline
    assert brief.headline[0].isupper()


def test_a_chrome_first_line_is_never_the_title_line() -> None:
    text = "date 2025-10-21 + ↺ − 16 px\n\nThe port reopened on Monday after a strike.\n\nShips queued."
    brief = OfflineEngine(Settings()).build(Article(text=text))
    assert "px" not in brief.headline
    assert brief.headline.startswith("The port reopened")


def test_ptb_tokenized_and_lower_case_text_split_into_sentences() -> None:
    splitter = SentenceSplitter()
    ptb = (PAGES / "ptb_tokenized.txt").read_text()
    sentences = splitter.split(ptb)
    assert len(sentences) == 7
    assert sentences[2].text.endswith("ignoring the neighbourhood .")
    assert sentences[3].text.startswith("`` This library")
    lower = (PAGES / "all_lower.txt").read_text()
    sentences = splitter.split(lower)
    assert [s.text.split()[0] for s in sentences] == ["the", "the", "talks", "the"]
    for sentence in splitter.split(ptb) + sentences:
        assert (ptb if sentence.text in ptb else lower)[sentence.start : sentence.end] == sentence.text


def _paste_brief():
    return OfflineEngine(Settings()).build(
        clean_article(Article(text=(PAGES / "browser_paste.txt").read_text()))[0]
    )


def test_actors_have_clean_roles_collectives_and_no_reporting_outlet() -> None:
    brief = _paste_brief()
    by_name = {actor.name: actor for actor in brief.actors}
    assert by_name["Ilse Marrow"].role == "President"  # not "Plans for President"
    assert "European leaders" in by_name
    assert not any("Times" in actor.name or "Courier" in actor.name for actor in brief.actors)


def test_a_dispute_that_points_back_is_a_whole_clause_with_its_party() -> None:
    brief = _paste_brief()
    pointing = [d for d in brief.disputes if any(e.quote.startswith("They also said") for e in d.evidence)]
    assert pointing, [d.issue for d in brief.disputes]
    dispute = pointing[0]
    assert not dispute.issue.startswith("They")
    assert dispute.issue.startswith("The foreign ministers of France, Germany and Poland opposed")
    assert len(dispute.evidence) == 2  # the sentence it points to is quoted too
    assert dispute.positions and dispute.positions[0].party
    assert not re.search(r"\b(?:the|along|of)$", dispute.issue.rstrip("."))


def test_next_steps_of_the_pasted_page_are_future_events_only() -> None:
    actions = [step.action for step in _paste_brief().next_steps]
    assert any(action.startswith("The European Union will hold an emergency summit") for action in actions)
    assert not any("reversed" in action or "We need to end" in action for action in actions)
    assert not any("remains committed" in action or "recognised in 2014" in action for action in actions)


def test_a_next_steps_who_is_the_one_named_in_what_was_said_not_the_speaker() -> None:
    text = (
        "Nurses vote on pay deal\n\n"
        "The Nursing Staff Union and the Health Service Executive reached a draft pay deal on Friday. "
        "Union president Orla Brennan said the Nursing Staff Union would meet the Health Service "
        "Executive on Monday. "
        "Orla Brennan said she would recommend the deal to members."
    )
    brief = OfflineEngine(Settings()).build(Article(text=text))
    whos = {step.action: step.who for step in brief.next_steps}
    meeting = next(action for action in whos if "meet" in action)
    assert whos[meeting] == "Nursing Staff Union", whos
    recommend = next((action for action in whos if "recommend" in action), None)
    assert recommend is None or whos[recommend] == "Orla Brennan", whos  # she is who acts there


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        (
            "Fire at Lyon plant\nA fire broke out at a chemical plant near Lyon on Monday.",
            "Fire at Lyon plant",
        ),
        (
            "Fire at Lyon plant\n\nA fire broke out at a chemical plant near Lyon on Monday.",
            "Fire at Lyon plant",
        ),
    ],
)
def test_a_short_piece_keeps_the_title_on_its_first_line(text: str, headline: str) -> None:
    brief = OfflineEngine(Settings()).build(Article(text=text))
    assert brief.headline == headline
    assert (
        brief.summary == "A fire broke out at a chemical plant near Lyon on Monday."
    )  # the title is not body


def test_a_short_piece_without_a_title_line_gets_one_from_its_body() -> None:
    brief = OfflineEngine(Settings()).build(
        Article(text="A fire broke out at a chemical plant near Lyon on Monday. Firefighters put it out.")
    )
    assert brief.headline.startswith("A fire broke out")


def test_a_next_steps_who_is_not_an_actor_named_only_in_the_speakers_title() -> None:
    # "Port Authority chief executive Lena Marsh said the two sides would meet": the authority is
    # named in her title, not in what she said, so she is who is reported
    example = Path(__file__).resolve().parents[2] / "examples" / "article.txt"
    brief = OfflineEngine(Settings()).build(Article(text=example.read_text()))
    whos = {step.action.split(" on ")[0]: step.who for step in brief.next_steps}
    assert whos["The two sides would meet"] == "Lena Marsh", whos
