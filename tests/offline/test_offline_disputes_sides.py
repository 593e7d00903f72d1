"""More ways news text states a disagreement, both sides of it, and counter-claims."""

from __future__ import annotations

import asyncio

import pytest

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.engines.offline.classify import classify
from briefing.engines.offline.issues import counters_previous, opposes, phrase_issue
from briefing.models import Article, Brief, BriefOptions


def brief_of(text: str) -> Brief:
    return asyncio.run(OfflineEngine(Settings()).brief(Article(text=text), BriefOptions()))


@pytest.mark.parametrize(
    ("sentence", "issue"),
    [
        (
            "The two ministries disagree over the timetable for the pipeline.",
            "The timetable for the pipeline",
        ),
        (
            "The port authority rebuffed the claim that dredging had harmed the reef.",
            "Whether dredging had harmed the reef",
        ),
        ("The governor vetoed the bill on rent controls.", "The bill on rent controls"),
        ("The club appealed against the ban on its home stadium.", "The ban on its home stadium"),
        (
            "Parcelway says the two were dismissed for attendance violations.",
            "Whether the two were dismissed for attendance violations",
        ),
        (
            'The mayor called the claim that the bridge was unsafe "baseless".',
            "Whether the bridge was unsafe",
        ),
    ],
)
def test_more_ways_of_disagreeing_phrase_the_contested_point(sentence: str, issue: str) -> None:
    assert phrase_issue(sentence) == issue


def test_an_inverted_attribution_is_not_the_contested_claim() -> None:
    """ "…," said its chairwoman, Maeve Ryan: the words after "said" name the speaker."""
    issue = phrase_issue('"Pregnant women should be kept out of it," said its chairwoman, Maeve Ryan.')
    assert issue is None or "chairwoman" not in issue


def test_a_negation_is_a_contested_claim_only_when_quoted() -> None:
    quoted = '"The law does not give him the power to cancel our strike," the union said.'
    claim = "The law does not give him the power to cancel our strike."
    assert phrase_issue(quoted, claim) == "Whether the law does give him the power to cancel our strike"
    assert phrase_issue("The verdict is not final.", "The verdict is not final.") is None


@pytest.mark.parametrize(
    "sentence",
    [
        "The governor vetoes the bill.",
        "The senator lambasted the plan.",
        "The ministry said the water was safe, but residents said it smelled of chlorine.",
        "But the union says the offer is lower than last year.",
    ],
)
def test_new_conflict_cues_make_a_dispute_candidate(sentence: str) -> None:
    assert classify(sentence).is_dispute


def test_two_claims_without_a_contrast_are_not_a_dispute() -> None:
    assert not classify("The minister said the plan would start in May and said it was popular.").is_dispute


def test_disagreeing_and_appealing_is_still_a_next_step() -> None:
    cues = classify("The company said it strongly disagrees with the ruling and will appeal.")
    assert cues.is_dispute and cues.is_next_step


def test_a_counter_claim_answers_a_claim_not_a_fact() -> None:
    claim = "The utility said the water was safe to drink."
    assert counters_previous("But residents said the water smelled of chlorine.", claim)
    assert not counters_previous(
        "But residents said the water smelled of chlorine.", "The plant opened in 1998."
    )
    assert not counters_previous("Residents said the water smelled of chlorine.", claim)


def test_opposing_verbs() -> None:
    assert opposes("Boreal rejected the suggestion that it was trying to buy the airline cheaply.")
    assert opposes("The families sued the operator.")
    assert not opposes("The board met on Monday to discuss the offer.")


def test_a_one_sided_rejection_gets_the_opposed_side_and_both_positions() -> None:
    text = (
        "Norrland Air on Monday launched a hostile bid for Baltic Wings, the Latvian carrier.\n\n"
        "Baltic Wings said the offer undervalued the airline and its Asian routes.\n\n"
        "Norrland Air rejected the suggestion that it was trying to buy the airline cheaply.\n\n"
        "Shareholders have until March 30 to accept the offer."
    )
    brief = brief_of(text)
    rejection = next(d for d in brief.disputes if "cheaply" in d.issue)
    assert rejection.issue == "Whether Norrland Air was trying to buy the airline cheaply"
    assert rejection.parties == ["Norrland Air", "Baltic Wings"]
    assert {p.party for p in rejection.positions} == {"Norrland Air", "Baltic Wings"}
    assert rejection.positions[0].position == "The offer undervalued the airline and its Asian routes."
    assert all(e.quote in text for e in rejection.evidence)


def test_a_counter_claim_quotes_both_sentences_and_asks_the_first_claim() -> None:
    text = (
        "The Harwick water utility said on Tuesday that the tap water was safe to drink.\n\n"
        "But residents of the Eastfield district said the water smelled of chlorine.\n\n"
        "The utility will test samples next week."
    )
    brief = brief_of(text)
    countered = [d for d in brief.disputes if len(d.evidence) == 2]
    assert countered, brief.disputes
    assert countered[0].issue == "Whether the tap water was safe to drink"
    assert [e.quote for e in countered[0].evidence] == [
        "The Harwick water utility said on Tuesday that the tap water was safe to drink.",
        "But residents of the Eastfield district said the water smelled of chlorine.",
    ]


@pytest.mark.parametrize(
    ("sentence", "issue"),
    [
        ("The plan to close the school was opposed by parents and teachers.", "The plan to close the school"),
        ("The levy has drawn sharp criticism from retailers.", "The levy"),
        (
            "Residents sued the city over the closure of the night bus route.",
            "The closure of the night bus route",
        ),
        ("The union filed a legal challenge against the new shift rota.", "The new shift rota"),
    ],
)
def test_a_contested_thing_and_a_lawsuit_name_the_issue(sentence: str, issue: str) -> None:
    assert phrase_issue(sentence) == issue


def test_a_stance_after_a_reporting_verb_is_a_dispute_candidate() -> None:
    """ "said … should …" states a position (conflict 1 for the stance, 1 for "should")."""
    assert classify("The delegate said the guidance should remain voluntary.").is_dispute
    assert not classify("The delegate said the guidance was published in May.").is_dispute


def test_a_clash_on_a_day_over_a_thing_names_the_thing() -> None:
    sentence = "Mayor Lena Ortiz and councillor Tomas Reyes clashed on Monday over the harbour plan."
    assert phrase_issue(sentence) == "The harbour plan"


def test_x_said_but_y_said_gives_each_side_its_position() -> None:
    text = (
        "Mayor Lena Ortiz and councillor Tomas Reyes clashed on Monday over the harbour plan.\n\n"
        "Ortiz said the new harbour wall would protect 300 homes, but Reyes said the wall would cost twice "
        "the estimate.\n\n"
        "The council will vote on the plan next week."
    )
    brief = brief_of(text)
    two = next(d for d in brief.disputes if "300 homes" in d.issue)
    assert two.issue == "Whether the new harbour wall would protect 300 homes"
    assert [(p.party, p.position) for p in two.positions] == [
        ("Lena Ortiz", "The new harbour wall would protect 300 homes."),
        ("Tomas Reyes", "The wall would cost twice the estimate."),
    ]
    assert set(two.parties) == {"Lena Ortiz", "Tomas Reyes"}


def test_however_after_the_subject_is_a_counter_claim() -> None:
    claim = "The Harwick Water Board said on Tuesday that the tap water was safe to drink."
    counter = "The Eastfield Residents Association, however, said the water smelled of chlorine."
    assert counters_previous(counter, claim)
    assert counters_previous(
        "In response, the board said the samples were clean.", "Residents said it smelled."
    )
    assert classify(counter).is_dispute
