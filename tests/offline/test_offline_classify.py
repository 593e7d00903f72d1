"""Cue classification of single sentences."""

from __future__ import annotations

import pytest

from briefing.engines.offline.classify import classify


@pytest.mark.parametrize(
    ("sentence", "certainty", "when"),
    [
        ("The council will hold a public hearing on May 20.", "planned", "on May 20"),
        ("The vote is scheduled for next week.", "confirmed", "next week"),
        ("Talks are expected to resume in the coming days.", "expected", "in the coming days"),
        (
            "The ministry could announce new rules by the end of the year.",
            "possible",
            "by the end of the year",
        ),
        ("The union plans to extend the strike next week.", "planned", "next week"),
        ("The city has 30 days to file its appeal.", "confirmed", "30 days"),
        ("The four diplomats must leave the country by Sunday evening.", "confirmed", "by Sunday"),
        ("The deal would need approval from the commission in June.", "expected", "in June"),
        (
            "The offer runs until April 14, and shareholders are asked to vote next week.",
            "planned",
            "until April 14",
        ),
    ],
)
def test_future_cues_make_next_steps_with_certainty_and_when(
    sentence: str, certainty: str, when: str
) -> None:
    cues = classify(sentence)
    assert cues.is_next_step
    assert cues.certainty == certainty
    assert cues.when == when


@pytest.mark.parametrize(
    "sentence",
    [
        "The company had promised to invest 9 billion euros in the plant.",
        "The delay is a blow to Saxony's plans to build a cluster of plants.",
        "Prices rose 3 percent in Frankfurt after the announcement.",
    ],
)
def test_past_promises_and_nouns_are_not_next_steps(sentence: str) -> None:
    assert not classify(sentence).is_next_step


def test_reporting_day_is_not_the_time_of_the_step() -> None:
    cues = classify("Veltrix said on Tuesday it would delay construction.")
    assert cues.is_next_step  # "said ... would": reported future
    assert cues.when is None


def test_weak_modal_alone_is_not_a_step_but_reported_would_is() -> None:
    assert not classify("The plan would be costly.").is_next_step
    assert classify("Mayor Okafor said the city would appeal.").is_next_step


@pytest.mark.parametrize(
    "sentence",
    [
        "The Chamber of Commerce accused the union of holding the economy hostage.",
        "Ekberg denied the charge.",
        "Residents sued the city last year.",
        "Iceland rejected the accusation.",
        "Thousands protested outside parliament.",
    ],
)
def test_conflict_cues_make_disputes(sentence: str) -> None:
    assert classify(sentence).is_dispute


def test_contrast_alone_is_not_a_dispute() -> None:
    assert not classify("The weather was cold but the crowd stayed.").is_dispute


@pytest.mark.parametrize(
    "sentence",
    [
        "Construction of the line is on hold.",
        "About 40 percent of the track has been laid.",
        "The grant remains in place.",
        "About 2,400 workers walked out on June 1.",
    ],
)
def test_state_cues_and_past_tense_make_status(sentence: str) -> None:
    assert classify(sentence).is_status


def test_quotes_are_not_status() -> None:
    assert classify('"We have been ignored for years," she said.').quote_only
    assert not classify('"We have been ignored for years," she said.').is_status
    assert classify('The quotas must move with them," Eiriksson said.').quote_only  # fragment of a quote


def test_contested_prediction_without_a_date_is_not_a_step() -> None:
    cues = classify("The union disputes those figures and says automation will cost hundreds of jobs.")
    assert cues.is_dispute
    assert not cues.is_next_step


def test_a_date_after_publication_is_a_scheduled_step() -> None:
    from datetime import date

    sentence = "The acceptance period opens on February 3 and runs for ten weeks."
    assert not classify(sentence).is_next_step  # no publication date: no way to tell
    ahead = classify(sentence, date(2026, 1, 20))
    assert ahead.is_next_step and ahead.when == "on February 3" and ahead.certainty == "confirmed"
    assert not classify(sentence, date(2026, 3, 1)).is_next_step  # already past


@pytest.mark.parametrize(
    "sentence",
    [
        "Consumer group Fair Power said the fine was too small.",
        "Council leader Sandra Obi said the requirement was not negotiable.",
        "The developer says the numbers do not work.",
        "Union leader Peter Otieno called the offer an insult.",
        "The sticking point was a paragraph added at Chile's request.",
        "Where things stand: no agreement on who pays into the fund.",
        "The takeover has split the club's supporters.",
    ],
)
def test_a_verdict_on_the_other_side_s_terms_is_a_dispute_cue(sentence: str) -> None:
    assert classify(sentence).is_dispute


def test_a_plain_statement_of_terms_is_no_dispute() -> None:
    assert not classify("The regulator fined the supplier 12 million crowns on Wednesday.").is_dispute


def test_an_offer_set_against_a_demand_is_a_dispute_cue() -> None:
    assert classify(
        "The Ministry of Health has offered a 4.5 percent rise; the union is asking for 9 percent."
    ).is_dispute
    assert not classify("The Ministry of Health has offered a 4.5 percent rise over two years.").is_dispute


def test_two_sides_stating_different_figures_for_one_thing_contest_it() -> None:
    from briefing.engines.offline.classify import contests_figure, figure_issue

    ministry = "The ministry says 1,900 nursing posts are empty."
    union = "The union says 3,200 nursing posts are empty."
    assert contests_figure(union, ministry)
    assert not contests_figure(ministry, ministry)  # the same figure
    assert not contests_figure("The union says 3,200 members joined the march.", ministry)  # another thing
    assert not contests_figure("The ministry says 2,000 nursing posts are empty.", ministry)  # same side
    assert figure_issue(ministry) == "How many nursing posts are empty"
    assert figure_issue("The council approved the plan.") is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Northwind said it would appeal.",
        "The company will challenge the decision.",
    ],
)
def test_a_legal_step_a_side_announces_is_a_next_step_not_a_dispute(sentence: str) -> None:
    cues = classify(sentence)
    assert cues.is_next_step and not cues.is_dispute, cues


@pytest.mark.parametrize(
    "sentence",
    [
        "The union rejected the offer and said it would appeal.",  # a conflict cue of its own
        "The club will appeal, calling the ban unfair.",
        "Northwind appealed against the fine.",  # no future cue announces it: the appeal is made
    ],
)
def test_a_legal_step_with_a_conflict_of_its_own_stays_a_dispute(sentence: str) -> None:
    assert classify(sentence).is_dispute


@pytest.mark.parametrize(
    ("sentence", "dispute"),
    [
        ("The appeal must be filed within 30 days, the court said.", False),  # its procedure
        ("The appeal will be heard on Monday.", False),
        ("Residents filed an appeal against the closure.", True),  # the step taken against a thing
    ],
)
def test_a_legal_step_said_of_as_a_thing_is_no_conflict(sentence: str, dispute: bool) -> None:
    assert classify(sentence).is_dispute is dispute
