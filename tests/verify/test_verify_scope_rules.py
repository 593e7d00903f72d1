"""What a claim's words reach: title case told from a sentence dense with names, which sentence
wins a tie, which spare number of the evidence hints at a changed one, and what a negation denies.
Each rule with the true statement it must pass and the change it must still catch."""

from __future__ import annotations

from briefing.claims import (
    _caseless,
    _opens_a_clause,
    _places,
    _tokens,
    analyse,
    check_claim,
    select_evidence,
    verify_claim,
)

COURT = analyse(
    "The court in Düsseldorf granted the injunction on Monday. Oristal said it would appeal to the "
    "Higher Regional Court in Düsseldorf. The injunction takes effect once security is deposited."
)


def test_title_case_needs_a_capitalized_word_the_article_writes_in_lower_case() -> None:
    dense = "Oristal will appeal to Oksana Pemberton-Ruiz in Düsseldorf"
    assert _caseless(_tokens(dense)) is True  # most long words capitalized: without the article, title case
    assert (
        _caseless(_tokens(dense), COURT) is False
    )  # "will", "appeal" are lower case: only names are capitalized
    assert _caseless(_tokens("Oristal Will Appeal The Injunction In Düsseldorf"), COURT) is True


def test_a_name_not_in_the_article_is_found_in_a_sentence_dense_with_names() -> None:
    result = verify_claim("Oristal will appeal to Oksana Pemberton-Ruiz in Düsseldorf", COURT)
    assert result.verdict == "unsupported"
    assert 'name "Oksana Pemberton-Ruiz" not in its evidence' in result.reasons
    assert verify_claim("Oristal will appeal to the Higher Regional Court in Düsseldorf", COURT).reasons == []


APPEAL = analyse(
    "Asante-Mensah was banned for two years on Thursday. The panel said he would not appeal. "
    "The sprinter said he would appeal to the Court of Arbitration for Sport. Officials appeal often."
)


def test_of_sentences_sharing_as_many_claim_words_the_one_naming_the_claims_names_wins() -> None:
    # "appeal" is the one content word the claim shares with three sentences; the one naming the
    # court is taken, not the earliest
    spans = select_evidence("He will appeal to the Court of Arbitration for Sport", APPEAL)
    assert [APPEAL.text[a:b] for a, b in spans] == [
        "The sprinter said he would appeal to the Court of Arbitration for Sport."
    ]
    # names only break ties: a sentence sharing more claim words still comes first
    spans = select_evidence("The panel said Court of Arbitration for Sport would not appeal", APPEAL)
    assert APPEAL.text[slice(*spans[0])] == "The panel said he would not appeal."


BUDGET = analyse("The council postponed Tuesday's vote on its 2026 budget. The vote will be held on May 26.")


def test_a_spare_year_of_the_evidence_hints_only_at_a_changed_year() -> None:
    evidence = ["The council postponed Tuesday's May vote on its 2026 budget."]
    assert check_claim("The vote is now set for May 26", evidence, source=BUDGET, open_facts=True) == []
    # a spare number beside the same words still does
    assert check_claim(
        "The vote is now set for May 26", ["The vote was set for May 12."], source=BUDGET, open_facts=True
    ) == ['number "26" not in its evidence']
    # and a spare year a changed year
    years = analyse("The council postponed the vote on its 2026 budget. The 2025 budget passed.")
    assert check_claim(
        "The council postponed the vote on its 2025 budget", evidence, source=years, open_facts=True
    ) == ['year "2025" not in its evidence']


WIRE = analyse(
    "LIMA, May 22 (Andes Wire) — Talks ended on Friday without a deal. Andes Wire first reported "
    "the walkout on May 20."
)


def test_the_date_of_a_dateline_is_no_spare_number() -> None:
    claim = "Talks in Lima were reported on May 20"  # "Lima" stands next to the dateline's "22" too
    dateline = ["LIMA, May 22 (Andes Wire) — Talks ended on Friday without a deal."]
    assert check_claim(claim, dateline, source=WIRE, open_facts=True) == []
    # the same date in the body of a sentence is one
    body = ["Talks in Lima were reported on May 22."]
    assert check_claim(claim, body, source=WIRE, open_facts=True) == ['number "20" not in its evidence']


def test_no_new_thing_is_not_denied_by_the_thing() -> None:
    evidence = ["The preamble mentions fossil fuels and recalls the earlier decision."]
    assert check_claim("The preamble recalls the decision, with no new fossil fuel language", evidence) == []
    assert check_claim("The preamble has no further fossil fuel language", evidence) == []
    assert check_claim("The preamble recalls the decision, with no fossil fuel language", evidence) == [
        'negation: says "not fossil" where its evidence affirms it'
    ]


def test_a_negation_passes_over_a_number_to_the_thing_it_denies() -> None:
    assert check_claim("The plan sets no 2035 deadline", ["The plan sets a 2035 deadline."]) == [
        'negation: says "not deadline" where its evidence affirms it'
    ]
    # a number that ends the phrase ("without 2035, …") leaves the negation nothing to deny
    evidence = ["If 2035 is not in the text, we will not join consensus."]
    assert check_claim("The group will not join consensus without 2035, the envoy says", evidence) == []
    assert check_claim("the group will not join consensus without 2035 , talmeria says", evidence) == []


TABLETS = analyse(
    "Meridian Pharma said the delay came from slow import clearance. She said the remaining tablets had "
    "arrived at the warehouse in Laguna and would be handed over within the week. Santos Trading "
    "will hand over its stock in May."
)


LAGUNA = analyse("Talks were held in Laguna. Officials from Manila attended.")


def test_a_place_of_the_evidence_is_no_sign_of_a_swapped_actor() -> None:
    evidence = [
        "She said the remaining tablets had arrived at the warehouse in Laguna and would be handed over "
        "within the week."
    ]
    # "Laguna" is where the tablets are: "Meridian", named in another sentence, is not taken for a swap
    assert (
        check_claim(
            "Meridian will hand over the remaining tablets", evidence, source=TABLETS, open_facts=True
        )
        == []
    )
    # an actor of the evidence is such a sign
    actor = ["Santos Trading will hand over its stock in May."]
    assert check_claim("Meridian will hand over its stock", actor, source=TABLETS, open_facts=True) == [
        'name "Meridian" not in its evidence'
    ]
    # and a place is one for a claim's place ("in Laguna" / "in Manila")
    assert check_claim(
        "Talks were held in Manila", ["Talks were held in Laguna."], source=LAGUNA, open_facts=True
    ) == ['name "Manila" not in its evidence']


def test_an_opposite_the_claim_says_itself_of_the_same_words_is_no_contradiction() -> None:
    evidence = ["The mayor wants to raise the daily congestion charge from 8 to 12 euros."]
    both = (
        "The mayor wants to raise the daily congestion charge to 12 euros after it cut traffic by 18 percent"
    )
    assert [r for r in check_claim(both, evidence) if r.startswith("polarity")] == []
    # the claim's own "raise" stands elsewhere: its "cut" of the charge is still a contradiction
    flipped = "The mayor wants to cut the daily congestion charge to 12 euros after revenue was raised"
    assert 'polarity: "cut" where its evidence says "raise"' in check_claim(flipped, evidence)


def test_a_place_is_the_name_right_after_the_preposition_or_the_rest_of_its_run() -> None:
    tokens = _tokens("Stock arrived at the warehouse in San Pablo. Santos said. From Laguna came more.")
    # "Santos" opens a sentence after a place: a new subject, not the rest of the place's name
    assert [tokens[i].text for i in sorted(_places(tokens))] == ["San", "Pablo", "Laguna"]
    evidence = ["The tablets arrived at the warehouse in San Pablo and will be handed over within the week."]
    pablo = analyse(evidence[0] + " Meridian said the delay came from slow import clearance.")
    # the two words of the place are no actor: "Meridian", named elsewhere, is no swap
    assert (
        check_claim("The tablets will be handed over by Meridian", evidence, source=pablo, open_facts=True)
        == []
    )


def test_a_claims_name_is_in_a_place_only_right_after_the_preposition() -> None:
    tablets = ["She said the remaining tablets had arrived at the warehouse in Laguna within the week."]
    source = analyse(tablets[0] + " Meridian Pharma said the delay came from slow import clearance.")
    for claim in (
        "The tablets will be handed over by Meridian",
        "Meridian will hand the remaining tablets in",
    ):
        assert check_claim(claim, tablets, source=source, open_facts=True) == [], claim
    assert check_claim(
        "In Manila, talks were held", ["Talks were held in Laguna."], source=LAGUNA, open_facts=True
    ) == ['name "Manila" not in its evidence']


def test_every_opposite_word_of_the_claim_is_checked_past_one_said_of_both_sides() -> None:
    evidence = ["Shares of Alder rose 5 percent while Birch fell 3 percent, and the board approved the plan."]
    assert check_claim("Shares of Alder rose 5 percent and the board rejected the plan", evidence) == [
        'polarity: "rejected" where its evidence says "approved"'
    ]


def test_the_claims_own_opposite_must_stand_nearer_the_evidences_words_than_the_claims_word() -> None:
    evidence = ["The council will raise the fee."]
    # "raise" and "cut" stand beside the same words: no nearer side, so "cut" is still a finding
    assert 'polarity: "cut" where its evidence says "raise"' in check_claim(
        "The council will cut or raise the fee", evidence
    )


def test_a_negation_does_not_reach_past_a_comma_and_a_conjunction() -> None:
    evidence = ["Shares did not rise, and the board approved the plan."]
    assert check_claim("Shares did not rise, and the board rejected the plan", evidence) == [
        'polarity: "rejected" where its evidence says "approved"'
    ]
    assert check_claim("Shares did not rise, and the board approved the plan", evidence) == []
    # PTB spacing (" , and") is such a boundary too; a list after the negation is not
    assert check_claim("shares did not rise , and the board rejected the plan", evidence) == [
        'polarity: "rejected" where its evidence says "approved"'
    ]
    assert _opens_a_clause(_tokens("did not rise, and the board"), 3) is True
    assert _opens_a_clause(_tokens("did not rise and the board"), 3) is False
    assert (
        _opens_a_clause(_tokens("did not approve the budget, the plan"), 5) is False
    )  # "the": no conjunction


def test_a_conjunction_right_before_the_word_or_after_the_first_one_ends_the_negation() -> None:
    # the conjunction next to the word itself ("…, but approved") and one right after the negation
    # ("No, but …") both end its reach
    assert check_claim(
        "The council did not meet, but approved the plan", ["The council rejected the plan."]
    ) == ['polarity: "approved" where its evidence says "rejected"']
    no_but = check_claim("No, but the board rejected the plan", ["The board approved the plan."])
    assert 'polarity: "rejected" where its evidence says "approved"' in no_but
