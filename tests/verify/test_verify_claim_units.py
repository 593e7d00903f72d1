"""The small rules of the claim check, one by one: how a word loses its ending, when a negation
negates and what, which words stand beside a verb, when a statement is only conditional, which
name words an evidence backs, and how the joined quotes, numbers and dates of `check_claim` are
compared. Each example is one a wrong rule would get wrong (the mutation gate of `make mutation`
checks that a changed rule fails a test here)."""

from __future__ import annotations

import pytest

from briefing.claims import (
    ANTONYMS,
    _a_form_of_an_article_word,
    _acts_on,
    _adverb_of_another_word,
    _caseless,
    _conditional_at,
    _content,
    _contexts,
    _converse,
    _coverage,
    _dateline_ends,
    _is_negation,
    _names,
    _negated_at,
    _negation_targets,
    _role_of,
    _stem,
    _stem_in,
    _text,
    _tokens,
    _unsuffixed,
    analyse,
    check_claim,
    select_evidence,
    verify_claim,
)


def _index(text: str, word: str) -> int:
    """The index of the first token of `text` that is `word` (folded)."""
    return [t.low for t in _tokens(text)].index(word)


# --- word forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "bare"),
    [
        ("negotiations", "negoti"),  # "ations"
        ("negotiation", "negoti"),  # "ation"
        ("meetings", "meet"),  # "ings", not "meeting"
        ("carried", "carr"),  # "ied", not "carri"
        ("carries", "carr"),  # "ies", not "carri"
        ("reaches", "reach"),  # "es", not "reache"
        ("quickly", "quick"),  # "ly"
        ("minister's", "minister"),  # a possessive first
        ("news", "news"),  # an ending leaves at least four letters
        ("gas", "gas"),
        ("fell", "fall"),  # an irregular past
    ],
)
def test_a_word_loses_a_possessive_and_one_ending(word: str, bare: str) -> None:
    assert _unsuffixed(word) == bare


@pytest.mark.parametrize(
    ("word", "form"),
    [
        ("expelling", True),  # its first five letters: "expel" of "expelled"
        ("expels", True),
        ("vaped", True),  # four of a five-letter word: "vape"
        ("vapes", True),
        ("exposing", False),  # "expos" is no word of the article
    ],
)
def test_a_word_sharing_five_letters_with_an_article_word_is_its_form(word: str, form: bool) -> None:
    source = analyse("Officials expelled two diplomats. Teenagers vape at school.")
    assert _a_form_of_an_article_word(word, source) is form


def test_digits_are_content_words_as_written() -> None:
    assert _content(_tokens("The plant cut 1,250,000 jobs")) == ["plant", "cut", "1,250,000", "jobs"]


def test_the_coverage_of_a_claim_reads_each_quote_whole() -> None:
    # "Budget" opens the second quote: the quotes are joined with a plain space
    assert _coverage("approved the budget", ["The council approved it.", "Budget talks ended."]) == 1.0
    assert _coverage("approved the budget", ["The council approved it."]) == 0.5


@pytest.mark.parametrize(
    ("word", "words", "backed"),
    [
        ("iranians", {"iran"}, True),
        ("gazans", {"gaza"}, True),
        ("mayans", {"may"}, False),  # the base must have four letters
        ("kimi", {"kim"}, False),
    ],
)
def test_a_name_with_a_name_ending_needs_a_four_letter_base(word: str, words: set[str], backed: bool) -> None:
    assert _stem_in(word, words) is backed


# --- negation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word", "negates"),
    [
        ("The board did not approve the plan.", "not", True),
        # "not until" says the thing happened, later; also right after the negation
        ("Payments will resume, but not until March.", "not", False),
        ("Not approved until July 21", "not", False),  # a negation opening the text
        # "until" counts only within six words after the negation
        ("The board did not approve the plan for the port until July.", "not", True),
        # the sentence ends the look-ahead: the negation still negates
        ("Did the council approve it? It did not. Approval came later.", "not", True),
        ("It is more likely than not.", "not", False),
    ],
)
def test_a_negation_negates_unless_until_follows(text: str, word: str, negates: bool) -> None:
    assert _is_negation(_tokens(text), _index(text, word)) is negates


@pytest.mark.parametrize(
    ("text", "word", "negated"),
    [
        ("Officials did not say whether the council approved the plan.", "approved", True),  # five back
        ("Officials did not say whether the city council approved the plan.", "approved", False),  # six
        ("Officials did not object. The council approved the plan.", "approved", False),  # another sentence
        ("The firm failed to produce a binding result.", "produce", True),  # a negating verb
    ],
)
def test_a_word_is_negated_within_five_words_before_it(text: str, word: str, negated: bool) -> None:
    assert _negated_at(_tokens(text), _index(text, word)) is negated


@pytest.mark.parametrize(
    ("text", "targets"),
    [
        ("The talks ended without a deal.", ["deal"]),  # stop words are passed over
        ("Regulators have not yet approved it.", ["approved"]),  # so are auxiliaries
        ("Funding was not in any of the plans.", []),  # at most four words on
        ("The deal passed without Germany.", []),  # a name is no target
        ("The bill passed with no new taxes.", []),  # "no new": more of a thing
        ("There will be no 2035 deadline.", ["deadline"]),  # a number is passed over
        ("Talks went on without 2035, officials said.", []),  # a number ending its phrase
        ("The law did not. Critics said so.", []),  # the sentence ends the look-ahead
    ],
)
def test_the_words_a_negation_applies_to(text: str, targets: list[str]) -> None:
    tokens = _tokens(text)
    assert [tokens[i].low for i in _negation_targets(tokens)] == targets


@pytest.mark.parametrize(
    ("text", "word", "adverb"),
    [
        ("The project was not fully funded.", "fully", True),  # five letters: an adverb of "funded"
        ("The seal had not been properly checked.", "properly", True),
        ("The project was not fully funded.", "funded", False),  # no adverb
        ("The seal was not checked properly", "properly", False),  # the text's last word
        ("The seal was not checked properly. Inspectors said so.", "properly", False),  # its sentence's last
        ("The system was not fully in place.", "fully", False),  # a stop word follows
        ("Turnout was not nearly 5 percent.", "nearly", False),  # a number follows
        ("It was not only banks.", "only", False),  # four letters
        ("It was not sealed properly.", "sealed", False),  # no "-ly"
    ],
)
def test_a_negated_manner_adverb_of_a_word_the_claim_lacks(text: str, word: str, adverb: bool) -> None:
    tokens = _tokens(text)
    stems = [_stem(t.low) for t in tokens]
    claim_stems = {_stem(t.low) for t in _tokens("Officials said the work was done")}
    assert _adverb_of_another_word(tokens, stems, _index(text, word), claim_stems) is adverb


def test_a_negated_adverb_of_a_word_the_claim_shares_is_read() -> None:
    text = "The project was not fully funded."
    tokens = _tokens(text)
    stems = [_stem(t.low) for t in tokens]
    claim_stems = {_stem(t.low) for t in _tokens("The project was funded")}
    assert _adverb_of_another_word(tokens, stems, _index(text, "fully"), claim_stems) is False


@pytest.mark.parametrize(
    ("text", "word", "conditional"),
    [
        ("The merger is approved unless Parliament objects.", "approved", True),
        ("The vote is binding only if turnout reaches 35 per cent.", "binding", True),
        ("The fine is due only when the appeal fails.", "due", True),
        ("The ban stays in force unless\nthe court lifts it.", "force", True),  # "unless" ends a line
        ("The fine is due when the appeal fails.", "due", False),
        ("The fine is due only after the appeal fails.", "due", False),
        ("The fine is due. Only if it is paid will talks resume.", "due", False),  # another sentence
        ("The merger is approved, officials said, unless Parliament objects.", "approved", False),
    ],
)
def test_a_word_stated_only_on_a_condition(text: str, word: str, conditional: bool) -> None:
    assert _conditional_at(_tokens(text), _index(text, word)) is conditional


# --- the words beside a verb, and converse order words ------------------------------------------

CLAIM_AFTER = "Protests erupted after voting closed"


def _after_converse(evidence: str) -> bool:
    claim = _text(CLAIM_AFTER)
    return _converse(claim, _index(CLAIM_AFTER, "after"), _text(evidence), ANTONYMS["after"])


@pytest.mark.parametrize(
    ("evidence", "converse"),
    [
        # the claim's left words on the right of "before" and its right words on the left: the same order
        ("Voting ended before the unrest erupted.", True),
        ("Voting before protests.", True),
        ("The unrest erupted before voting ended.", False),  # the same sides: the opposite order
        ("Police arrived before protests erupted.", False),  # only the claim's left words swapped
        ("Voting ended before police arrived.", False),  # only its right words
        ("Voting ended and the unrest erupted.", False),  # no opposite word
    ],
)
def test_an_opposite_order_word_with_the_sides_swapped_says_the_same(evidence: str, converse: bool) -> None:
    assert _after_converse(evidence) is converse


@pytest.mark.parametrize(
    ("claim", "evidence", "reasons"),
    [
        ("Protests erupted after voting closed", "Voting ended before the unrest erupted.", []),
        ("Protests came after the vote", "The vote before protests was calm.", []),
        (
            "Protests erupted after the vote",
            "Police arrived before protests erupted.",
            ['polarity: "after" where its evidence says "before"'],
        ),
        (
            "Protests erupted after the vote",
            "The vote came before police arrived.",
            ['polarity: "after" where its evidence says "before"'],
        ),
    ],
)
def test_an_order_in_time_is_checked_with_its_sides(claim: str, evidence: str, reasons: list[str]) -> None:
    assert check_claim(claim, [evidence]) == reasons


# --- who did what -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lows", "acts"),
    [
        ("acme sued globex", True),
        ("acme quickly sued the owners of globex", True),
        ("acme spoke of suing globex", True),  # the verb right after "of" acts
        ("acme , the owner of globex", False),  # a word right before "of" is a role
        ("acme was sued by globex", False),  # passive voice
        ("globex sued acme", False),  # the other way round
    ],
)
def test_a_doer_acts_on_the_other_name_through_a_verb(lows: str, acts: bool) -> None:
    verbs = {_stem("sued"), _stem("suing"), _stem("owner")}
    assert _acts_on(lows.split(), "acme", "globex", verbs) is acts


@pytest.mark.parametrize(
    ("claim", "evidence", "reasons"),
    [
        # only content words between the names are verbs: "and" is none
        (
            "Both Okafor and Mensah signed the trade accord",
            "Both Mensah and Okafor signed the trade accord.",
            [],
        ),
        # a verb of three letters is one
        (
            "In the final Barcelona won against Sevilla",
            "In the final Sevilla won against Barcelona.",
            ['who did what: "Barcelona" and "Sevilla" are reversed in the evidence'],
        ),
        # "by" right after the first name: the passive voice, no order to check
        ("In the derby, Sevilla by contrast beat Barcelona", "In the derby Barcelona beat Sevilla.", []),
    ],
)
def test_who_did_what_reads_the_content_words_between_the_names(
    claim: str, evidence: str, reasons: list[str]
) -> None:
    assert check_claim(claim, [evidence]) == reasons


# --- the evidence negates what the claim affirms ------------------------------------------------

AFFIRMS = 'negation: affirms "approved" where its evidence negates it'


@pytest.mark.parametrize(
    ("claim", "evidence", "reasons"),
    [
        # the words just before the negated word say what it is said of: the claim's "Brussels"
        ("Brussels approved the merger", "Brussels officials have not approved the merger.", [AFFIRMS]),
        # ... within four words: "Brussels" five words back says nothing of it
        ("Brussels approved the merger", "Brussels said staff have not approved the merger.", []),
        ("Brussels approved the merger", "Brussels officials said staff have not approved the merger.", []),
        # other content words before it, none of the claim's: said of something else
        ("Regulators approved the merger", "Shareholders have not approved the merger.", []),
        # no content word before it: a finding
        ("Regulators approved the merger", "It has not approved the merger.", [AFFIRMS]),
    ],
)
def test_an_evidence_negation_is_read_with_the_words_before_it(
    claim: str, evidence: str, reasons: list[str]
) -> None:
    assert check_claim(claim, [evidence]) == reasons


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # "plan" is also stated plainly: passed over, and the next negated word still read
        (
            "The council drew up a plan and has approved the budget",
            "The council met without a plan, then drew up a plan, but has not approved the budget.",
        ),
        # "office" is not the claim's "officer"
        (
            "The officer said the council has approved the budget",
            "The mayor was not in office, and the council has not approved the budget.",
        ),
        # "properly" is an adverb of "sealed", which the claim does not say
        (
            "The work was handled properly and the council has approved the budget",
            "The seal had not been properly sealed and the council has not approved the budget.",
        ),
        # the claim negates "join" too, by a verb
        (
            "The union declines to join the strike, and the council has approved the budget",
            "The union will not join the strike, and the council has not approved the budget.",
        ),
    ],
)
def test_each_negated_word_of_the_evidence_is_read_past_one_passed_over(claim: str, evidence: str) -> None:
    assert check_claim(claim, [evidence]) == [AFFIRMS]


# --- the joined quotes --------------------------------------------------------------------------


def test_quotes_are_joined_without_gluing_their_words() -> None:
    # "Okafor" opens the second quote
    assert check_claim("The council met and Okafor agreed", ["The council met.", "Okafor agreed."]) == []


def test_a_line_break_inside_a_quote_is_a_space() -> None:
    # a hard-wrapped quote: the break does not end the sentence the negation is in
    assert check_claim("Regulators approved the merger", ["Regulators have not\napproved the merger."]) == [
        AFFIRMS
    ]


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "evidence", "reasons"),
    [
        # a possessive is read as the name, also for a short one
        ("The envoy met Kim's sister", "The envoy met Kim and his sister.", []),
        # a name of three letters takes no ending: "Kimi" is another name
        ("The envoy met Kim", "The envoy met Kimi and his sister.", ['name "Kim" not in its evidence']),
        # an acronym is read as the initials of a run of capitalized words, link words left out ...
        (
            "Officials praised the new report from UNESCO",
            "Officials praised the new report from the United Nations Educational, Scientific and Cultural"
            " Organization.",
            [],
        ),
        # ... if written in capitals and of six letters at most
        (
            "Officials praised Ebu",
            "Officials praised the European Broadcasting Union.",
            ['name "Ebu" not in its evidence'],
        ),
        (
            "Officials praised the UNESCAP report",
            "Officials praised the report of the United Nations Economic and Social Commission for Asia and"
            " the Pacific.",
            ['name "UNESCAP" not in its evidence'],
        ),
        # each word of a run is read: a backed acronym or adjective does not back the next word
        (
            "Officials said ministers of the EU Council would meet",
            "Officials said ministers of the European Union would meet.",
            ['name "EU Council" not in its evidence'],
        ),
        (
            "Officials said the members of the Italian Senate would vote",
            "Officials said the members would vote in Italy.",
            ['name "Italian Senate" not in its evidence'],
        ),
    ],
)
def test_the_name_words_an_evidence_backs(claim: str, evidence: str, reasons: list[str]) -> None:
    assert check_claim(claim, [evidence]) == reasons


def test_a_name_backed_by_an_alias_does_not_back_the_next_word_of_its_run() -> None:
    aliases = [["Kip Keino", "the Olympian"]]
    evidence = ["Officials said on Monday that the Olympian had won the race easily."]
    claim = "Officials said on Monday that Keino had won the race easily"
    assert check_claim(claim, evidence, aliases=aliases) == []
    assert check_claim(claim.replace("Keino", "Keino Mwangi"), evidence, aliases=aliases) == [
        'name "Keino Mwangi" not in its evidence'
    ]


def test_an_adjective_of_a_name_in_the_context_backs_it() -> None:
    # "Italian" for "Italy" (five letters) of the context, not of the quote
    claim = "Officials from the Italian embassy met"
    evidence = ["Officials from the embassy met on Monday."]
    assert check_claim(claim, evidence, context="Officials from the embassy of Italy met on Monday.") == []
    assert check_claim(claim, evidence) == ['name "Italian" not in its evidence']


def test_a_short_name_is_backed_by_its_possessive_in_the_whole_article() -> None:
    source = analyse("Officials praised Kim's sister.")
    assert check_claim("Officials praised Kim", [source.text], source=source, context=source.text) == []


def test_a_lower_case_claims_possessive_of_a_word_the_article_lacks_is_a_likely_name() -> None:
    source = analyse("The court upheld the appeal.")
    claim = "the court upheld figueiredo's appeal"
    assert check_claim(claim, [source.text], source=source) == [
        'word "figueiredo\'s" not in the article (a name?)'
    ]


def test_open_facts_need_no_source() -> None:
    claim = "The council hired Okafor on Monday at 3 p.m."
    assert check_claim(claim, ["The council hired Mayor Okafor on Monday at 3 p.m."], open_facts=True) == []


def test_every_word_of_a_run_is_read_past_one_found_elsewhere_in_the_article() -> None:
    source = analyse("Mayor Okafor spoke. The vote was lost in March.")
    evidence = ["The vote was lost in March."]
    assert check_claim("The vote was lost by Okafor in March", evidence, source=source, open_facts=True) == []
    assert check_claim(
        "The vote was lost by Okafor Mensah in March", evidence, source=source, open_facts=True
    ) == ['name "Okafor Mensah" not in its evidence']


ROLES = (
    "The president dissolved parliament. Finance Minister Duarte Reis said the budget had failed. "
    "President Teresa Albuquerque spoke."
)


def _role(claim: str, evidence: str) -> str | None:
    source = analyse(ROLES)
    text = _text(claim)
    run = next(run for run in _names(text.tokens, source) if run[0].low == "duarte")
    return _role_of(text.tokens, run, _text(evidence), source, _caseless(text.tokens))


def test_a_role_is_a_title_the_evidence_also_has() -> None:
    claim = "President Duarte Reis dissolved parliament"
    assert _role(claim, "The president dissolved parliament.") == "president"
    assert _role(claim, "Parliament was dissolved.") is None


def test_a_name_not_in_the_article_is_missing_whatever_role_it_has() -> None:
    source = analyse(ROLES)
    evidence = ["The president dissolved parliament."]
    claim = "President Rui Costa dissolved parliament"
    assert check_claim(claim, evidence, source=source, open_facts=True) == [
        'name "Rui Costa" not in its evidence'
    ]


DATELINE = "LIMA, May 22 (Cordillera News Agency) — {} said the talks ended without agreement.\n\n{}"


@pytest.mark.parametrize(
    ("speaker", "then", "reasons"),
    [
        # the dateline's place is no spare name, even one the article writes as a name ("in Lima")
        ("The minister", "The minister, Julio Huaman, chaired them in Lima.", []),
        # the first word after the dateline is the evidence's own: another name there is a swap
        (
            "Okafor",
            "The minister, Julio Huaman, chaired them with Okafor.",
            ['name "Julio Huaman" not in its evidence'],
        ),
    ],
)
def test_a_datelines_names_are_no_spare_names_but_the_words_after_it_are(
    speaker: str, then: str, reasons: list[str]
) -> None:
    source = analyse(DATELINE.format(speaker, then))
    assert verify_claim("Julio Huaman said the talks ended without agreement.", source).reasons == reasons


def test_a_dateline_with_an_en_dash() -> None:
    text = "LIMA, May 22 (Cordillera News Agency) – Officials said."
    assert _dateline_ends(text) == [(0, 40)]
    assert _dateline_ends("Officials said the talks ended.") == []


def test_a_claim_of_names_only_can_take_the_first_sentence() -> None:
    source = analyse("Okafor praised the parks. Later the council met Okafor.")
    assert select_evidence("Okafor", source) == [(0, 25)]


# --- numbers ------------------------------------------------------------------------------------


def test_the_words_around_every_occurrence_of_a_number() -> None:
    tokens = _tokens("The plant cut 4,100 jobs in May and 4,100 contracts in June.")
    assert _contexts(tokens, ["4,100"]) == {"plant", "cut", "jobs", "contra", "june"}


@pytest.mark.parametrize(
    ("claim", "evidence", "elsewhere"),
    [
        # the claim's number is in another sentence, but the evidence's own number next to the same
        # words is unused by the claim: a changed number ("7.8" is not "8", nor "5.8" "6")
        ("Unemployment was 8 percent in May", "Unemployment was 7.8 percent in May.", "hired 8 inspectors"),
        ("Unemployment was 6 percent in May", "Unemployment was 5.8 percent in May.", "hired 6 inspectors"),
    ],
)
def test_a_rounded_number_of_the_evidence_is_a_spare(claim: str, evidence: str, elsewhere: str) -> None:
    source = analyse(f"{evidence} The council {elsewhere}.")
    number = claim.split()[2]
    assert check_claim(claim, [evidence], source=source, open_facts=True) == [
        f'number "{number}" not in its evidence'
    ]


def test_a_number_is_not_backed_by_its_rounded_neighbour_elsewhere_in_the_article() -> None:
    source = analyse("Unemployment rose in May. The council hired 8 inspectors.")
    assert check_claim(
        "Unemployment was 7.8 percent in May", ["Unemployment rose in May."], source=source, open_facts=True
    ) == ['number "7.8" not in its evidence']


def test_a_fractional_amount_in_another_currency() -> None:
    assert check_claim("The ticket costs $7.50", ["The ticket costs €7.50."]) == [
        'currency: "7.50" in dollars where its evidence has euros'
    ]


@pytest.mark.parametrize(
    ("claim", "evidence", "reason"),
    [
        (
            "The council hired 12 inspectors and 40 clerks",
            "The council hired 12 inspectors and 30 clerks.",
            'number "40" not in its evidence',
        ),
        (
            "The fifth and sixth drafts were rejected",
            "The fifth and seventh drafts were rejected.",
            'ordinal "sixth" not in its evidence',
        ),
        (
            "The talks ran on Monday and Friday",
            "The talks ran on Monday and Tuesday.",
            'date "Friday" not in its evidence',
        ),
        (
            "The talks ran at 9:00 and 15:00",
            "The talks ran at 9:00 and 16:00.",
            'time "15:00" not in its evidence',
        ),
        (
            "The talks ran in 2019 and 2021",
            "The talks ran in 2019 and 2020.",
            'year "2021" not in its evidence',
        ),
    ],
)
def test_every_fact_is_read_past_a_backed_one(claim: str, evidence: str, reason: str) -> None:
    assert check_claim(claim, [evidence]) == [reason]


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # "rose": no opposite in the evidence
        ("Shares rose after the board approved the deal", "Shares rose after the board rejected the deal."),
        # "after": the same order with the sides swapped
        (
            "Protests erupted after voting closed and the board approved the plan",
            "Voting ended before the unrest erupted and the board rejected the plan.",
        ),
        # "rose" and "fell": both in the evidence, each beside its own words
        (
            "Exports rose 5% while imports fell, and the board approved the plan",
            "Exports rose 5% while imports fell, and the board rejected the plan.",
        ),
    ],
)
def test_every_opposite_word_of_a_claim_is_read_past_one_passed_over(claim: str, evidence: str) -> None:
    assert check_claim(claim, [evidence]) == ['polarity: "approved" where its evidence says "rejected"']


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # a dateline's date opening the quote ("12" of a cut dateline) counts nothing ...
        ("12 (South Atlantic Business Wire) — Regulators blocked 12 deals.", {"regula", "block", "deal"}),
        # a dateline's place that reads as a number ("TWO RIVERS") counts nothing either
        ("TWO RIVERS, Wis., May 3 (Lakeshore Wire) — Two ferries sank.", {"ferr", "sank"}),
        # ... but the number right after the dateline is the story's own
        ("LIMA, May 22 (Cordillera News Agency) — 40 miners were rescued.", {"miner", "rescu"}),
    ],
)
def test_the_words_around_a_number_skip_a_datelines(text: str, words: set[str]) -> None:
    tokens = _tokens(text)
    assert _contexts(tokens, ["12", "40", "Two"], skip=_dateline_ends(text)) == words


def test_a_name_is_rescued_from_the_first_sentence() -> None:
    source = analyse("Mayor Okafor praised the budget and the parks. The council approved the budget.")
    assert select_evidence("Okafor praised the budget the council approved", source) == [(0, 46), (47, 79)]


# --- certainty ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # the hedge is near the one word both share: a number, as written
        ("Delivery of 1,250,000 doses", "The ministry said it may receive 1,250,000 by spring."),
        # near words the claim has in another form ("approved" / "approve", "mergers")
        ("Regulators approved the mergers", "Regulators may approve the mergers next week."),
    ],
)
def test_a_confirmed_claim_with_a_hedge_near_a_shared_word(claim: str, evidence: str) -> None:
    assert check_claim(claim, [evidence], confirmed=True) == [
        'certainty "confirmed" but its evidence hedges ("may")'
    ]


def test_a_title_case_claim_dense_with_names_is_read_by_its_case() -> None:
    # with the article at hand, only names are capitalized here: "Ebu" is no acronym of the
    # "European Broadcasting Union"
    article = "Oristal will appeal to the European Broadcasting Union in Düsseldorf, Rossi said."
    source = analyse(article)
    assert check_claim("Oristal Appeals to Ebu in Düsseldorf", [article], source=source) == [
        'name "Ebu" not in its evidence'
    ]


# --- facts found elsewhere in the article (free-standing claims) --------------------------------

ELSEWHERE = "The council met. It hired 8 inspectors in its second session in 2019 on Friday at 9:00."


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        ("The council met and hired 8 inspectors and 40 clerks", 'number "40" not in its evidence'),
        ("The council met in its second and fifth sessions", 'ordinal "fifth" not in its evidence'),
        ("The council met in 2019 and 2021", 'year "2021" not in its evidence'),
        ("The council met on Friday and Monday", 'date "Monday" not in its evidence'),
        ("The council met at 9:00 and 15:00", 'time "15:00" not in its evidence'),
    ],
)
def test_every_fact_is_read_past_one_found_elsewhere_in_the_article(claim: str, reason: str) -> None:
    source = analyse(ELSEWHERE)
    assert check_claim(claim, ["The council met."], source=source, open_facts=True) == [reason]


def test_a_number_with_more_than_six_decimals_is_found_elsewhere_in_the_article() -> None:
    # per-token prices: numbers are compared to six decimals
    source = analyse("OpenAI cut its price. Each token now costs $0.0000025.")
    claim = "OpenAI cut its price to $0.0000025 a token"
    assert check_claim(claim, ["OpenAI cut its price."], source=source, open_facts=True) == []


def test_a_price_with_more_than_six_decimals_in_another_currency() -> None:
    assert check_claim("The API costs $0.0000025 a token", ["The API costs €0.0000025 a token."]) == [
        'currency: "0.0000025" in dollars where its evidence has euros'
    ]


@pytest.mark.parametrize(
    ("dateline", "claim", "then"),
    [
        # the dateline's "22" (next to "LIMA") is no spare number of a claim's "30" next to "Lima"
        ("LIMA, May 22", "Lima hired 30 inspectors", "Lima hired 30 inspectors in 2020."),
        # nor its year a spare year of the claim's 2020
        ("LIMA, May 22, 2024", "In 2020 Lima hired inspectors", "The city hired more in 2020."),
    ],
)
def test_a_datelines_date_is_no_spare_fact(dateline: str, claim: str, then: str) -> None:
    quote = f"{dateline} (Cordillera News Agency) — The city hired inspectors."
    source = analyse(f"{quote}\n\n{then}")
    assert check_claim(claim, [quote], source=source, open_facts=True) == []
