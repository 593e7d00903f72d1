"""Dispute issues phrased from the contested clause, and disputes that answer the sentence before."""

from __future__ import annotations

import asyncio

import pytest

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.engines.offline.issues import answers_previous, claim_issue, past_of, phrase_issue
from briefing.models import Article, BriefOptions


@pytest.mark.parametrize(
    ("sentence", "issue"),
    [
        (
            "The pact was signed after a dispute over whether ships may be boarded in open waters.",
            "Whether ships may be boarded in open waters",
        ),
        (
            "The mill denied the claim that its dye had entered the river.",
            "Whether its dye had entered the river",
        ),
        (
            "The ministry accused the harbour board of hiding the cost overruns.",
            "Whether the harbour board hid the cost overruns",
        ),
        (
            "The guild criticised the council for closing the library without a vote.",
            "Whether the council was right in closing the library without a vote",
        ),
        (
            "Residents called for the city to reopen the ferry route.",
            "Whether the city should reopen the ferry route",
        ),
        (
            "Northland proposed that fees be shared by the number of passengers.",
            "Whether fees should be shared by the number of passengers",
        ),
        (
            'The union warned that the rota "would not work" in winter.',
            "Whether the rota would work in winter",
        ),
        (
            "The growers pushed for a new water quota by 2030.",
            "Whether there should be a new water quota by 2030",
        ),
        (
            "The two firms blamed each other for the delayed shipment.",
            "Who is to blame for the delayed shipment",
        ),
    ],
)
def test_contested_clause_becomes_a_neutral_issue(sentence: str, issue: str) -> None:
    assert phrase_issue(sentence) == issue


def test_a_modal_claim_is_judged_without_its_attribution() -> None:
    sentence = "The board should have published the audit in March, Ortiz said."
    assert phrase_issue(sentence, "The board should have published the audit in March.") == (
        "Whether the board should have published the audit in March"
    )
    assert phrase_issue(sentence) is None  # no rule applies to the sentence alone


def test_a_clause_without_subject_is_not_an_issue() -> None:
    assert phrase_issue("The mayor said that had never been the plan.") is None


def test_plain_facts_get_no_phrased_issue() -> None:
    assert phrase_issue("The bridge reopened on Monday after repairs.") is None


@pytest.mark.parametrize(
    ("gerund", "past"),
    [
        ("launching", "launched"),
        ("firing", "fired"),
        ("stopping", "stopped"),
        ("carrying", "carried"),
        ("taking", "took"),
        ("selling", "sold"),
    ],
)
def test_past_of_gerunds(gerund: str, past: str) -> None:
    assert past_of(gerund) == past


def test_a_denial_that_points_back_answers_the_previous_sentence() -> None:
    assert answers_previous("Meridian rejected that account.")
    assert answers_previous("The mill denied the claim, saying its filters worked.")
    assert not answers_previous("The mill denied the claim that its dye entered the river.")
    assert not answers_previous("The mill rejected the offer.")
    # a bare pointer that ends the clause points back too; a "that" clause is a claim of its own
    assert answers_previous("Brightwell denies that.")
    assert answers_previous("Savanna disputes that, saying its operating profit fell by a fifth.")
    assert answers_previous("Otieno rejected this — the union had served notice.")
    assert not answers_previous("The mill denied that it had released dye.")
    assert not answers_previous("The mill rejected this year's offer.")
    claim = "Inspectors said the dye had entered the river."  # trimmed (as the engine does): no attribution
    assert claim_issue(claim, "The dye had entered the river.") == "Whether the dye had entered the river"


def test_engine_builds_a_two_sided_dispute_from_a_claim_and_its_rejection() -> None:
    text = (
        "Millford Textiles was fined on Monday for polluting the Arden river, regulators said.\n\n"
        "The regional water agency said Millford Textiles had released untreated dye into the river for "
        "three weeks in May.\n\n"
        "Millford Textiles rejected that account, saying its filters had worked throughout.\n\n"
        "The company will appeal the fine next month."
    )
    brief = asyncio.run(OfflineEngine(Settings()).brief(Article(text=text), BriefOptions()))
    answered = [d for d in brief.disputes if len(d.evidence) == 2]
    assert answered, brief.disputes
    dispute = answered[0]
    assert dispute.issue.startswith("Whether Millford Textiles had released untreated dye")
    assert [e.quote for e in dispute.evidence] == [
        "The regional water agency said Millford Textiles had released untreated dye into the river for "
        "three weeks in May.",
        "Millford Textiles rejected that account, saying its filters had worked throughout.",
    ]
    assert all(e.quote in text for e in dispute.evidence)


@pytest.mark.parametrize(
    ("sentence", "issue"),
    [
        (
            "The ferry operator disputed that, saying the port could not handle 40 more sailings a day.",
            "Whether the port could handle 40 more sailings a day",
        ),
        (
            "The county said it would examine whether the levy was compatible with state law.",
            "Whether the levy was compatible with state law",
        ),
        (
            "At the centre of the row is a question about how many rangers the park service will lay off.",
            "How many rangers the park service will lay off",
        ),
        (
            "He denied any involvement in the decision to close the clinic.",
            "Who was responsible for the decision to close the clinic",
        ),
        ("Residents criticised the closure of the night bus route.", "The closure of the night bus route"),
        ("The merger has divided the town council.", "The merger"),
        (
            "The guild filed a complaint, arguing that the tender had favoured a single bidder.",
            "Whether the tender had favoured a single bidder",
        ),
        (
            "The council wanted a new bridge toll for lorries.",
            "Whether there should be a new bridge toll for lorries",
        ),
    ],
)
def test_new_issue_rules_phrase_the_contested_point(sentence: str, issue: str) -> None:
    assert phrase_issue(sentence) == issue


@pytest.mark.parametrize(
    "sentence",
    [
        "The union rejected the allegations.",  # too short a thing to be an issue by itself
        "The mayor will decide whether to appeal.",  # a choice of one party, not a contested point
    ],
)
def test_new_issue_rules_leave_other_sentences_alone(sentence: str) -> None:
    assert phrase_issue(sentence) is None


def test_preposition_to_is_not_a_demanded_action() -> None:
    """ "wanted an allowance equal to the …" is a demanded thing, not "X should the …"."""
    issue = phrase_issue("The union wanted an allowance equal to the overtime rate.")
    assert issue == "Whether there should be an allowance equal to the overtime rate"


def test_a_glued_section_heading_does_not_hide_the_rule() -> None:
    glued = phrase_issue("Fans divided  The merger has divided the town council.")
    assert glued == phrase_issue("The merger has divided the town council.") == "The merger"


def test_a_neutral_issue_drops_only_the_main_clause_negation() -> None:
    previous = "Kamau said the strike was unprotected because the union had not given notice."
    issue = claim_issue(previous, "The strike was unprotected because the union had not given notice.")
    assert issue == "Whether the strike was unprotected because the union had not given notice"
    neutral = claim_issue("X said the levy was not legal.", "The levy was not legal.")
    assert neutral == "Whether the levy was legal"


def test_two_sides_claims_about_one_thing_in_a_row_contest_it() -> None:
    from briefing.engines.offline.issues import contests_claim

    lithmar = "Lithmar says the boats were fishing illegally in Lithmar's waters."
    savonia = "Savonia says the boats were fishing legally in Savonian waters under the treaty."
    assert contests_claim(savonia, lithmar)
    assert not contests_claim("Lithmar said the boats were fishing in Lithmar's waters again.", lithmar)
    assert not contests_claim("Savonia says its budget will rise next year.", lithmar)  # another thing
    assert not contests_claim("The boats were towed to port.", lithmar)  # no side speaks


@pytest.mark.parametrize(
    "sentence",
    [
        # the contested thing runs past the 80-character cap of the clause, which fell inside a word
        "The growers' union opposed the ministry's plan to double the water levy on farms across the "
        "southern valleys within three years.",
        "Residents sued the county over the decision to build a waste incinerator beside the primary "
        "schools of Oldmoorton and Whitbeck without any consultation.",
    ],
)
def test_a_capped_clause_never_cuts_a_word(sentence: str) -> None:
    issue = phrase_issue(sentence)
    assert issue is not None
    words = set(sentence.lower().replace(",", " ").split())
    assert all(word in words for word in issue.lower().split()), issue


def test_a_new_speaker_ends_the_rejected_thing() -> None:
    sentence = "Lawmakers rejected the revised budget and Prime Minister Ana Sousa said she would resign."
    assert phrase_issue(sentence) == "The revised budget"


def test_a_trimmed_claim_keeps_the_lower_case_its_sentence_has() -> None:
    sentence = "The agency said guidance should remain voluntary for small firms."
    assert claim_issue(sentence, "Guidance should remain voluntary for small firms.") == (
        "Whether guidance should remain voluntary for small firms"
    )
    named = "The agency said Guidance Partners should pay the fine."
    assert claim_issue(named, "Guidance Partners should pay the fine.").startswith(
        "Whether Guidance Partners"
    )


def test_the_speaker_of_an_inverted_attribution_is_not_the_issue() -> None:
    sentence = '"The audit was rushed," said Deputy Auditor General Marta Lindqvist-Oru.'
    assert phrase_issue(sentence) is None
    assert phrase_issue("The union says the two were dismissed for attendance violations.") == (
        "Whether the two were dismissed for attendance violations"
    )


@pytest.mark.parametrize(
    ("sentence", "issue"),
    [
        (
            "The delegate said Saudi Arabia would insist that its reservations be recorded in the plenary.",
            "Whether its reservations should be recorded in the plenary",
        ),
        (
            "The union asked that the strike ballot be rerun under independent supervision.",
            "Whether the strike ballot should be rerun under independent supervision",
        ),
    ],
)
def test_a_demand_in_the_subjunctive_after_any_form_of_the_verb(sentence: str, issue: str) -> None:
    assert phrase_issue(sentence) == issue
