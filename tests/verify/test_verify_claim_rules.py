"""The rules behind a free-standing claim's verdict, one at a time: which sentences are taken as
its evidence, and how its score follows from the findings and the evidence's coverage."""

from __future__ import annotations

import pytest

from briefing import claims
from briefing.claims import (
    _acts_on,
    _around,
    _bare,
    _caseless,
    _fmt,
    _names,
    _negated_at,
    _prefix,
    _replaces_a_name_part,
    _stem,
    _text,
    _tokens,
    analyse,
    check_claim,
    extract_facts,
    select_evidence,
    verify_claim,
)

ARTICLE = (
    "The council met on Monday. The council approved the budget. "
    "Later the council approved the budget again. The budget includes funding for parks. "
    "Mayor Okafor praised the budget and the parks. Residents debated libraries and pools. "
    "Okafor also praised the libraries and the budget."
)


def evidence(claim: str, **options: int) -> list[str]:
    return [ARTICLE[start:end] for start, end in select_evidence(claim, analyse(ARTICLE), **options)]


def test_the_sentence_covering_most_claim_words_comes_first_and_ties_go_to_the_earlier() -> None:
    assert evidence("The council approved the budget") == ["The council approved the budget."]


def test_a_further_sentence_must_add_two_claim_words() -> None:
    assert evidence("The council approved the budget with funding for parks") == [
        "The council approved the budget.",
        "The budget includes funding for parks.",
    ]
    assert evidence("The council approved the budget and debated pools") == [
        "The council approved the budget.",
        "Residents debated libraries and pools.",
    ]
    assert evidence("The council approved the budget and debated") == ["The council approved the budget."]


def test_at_most_limit_sentences_are_taken_in_article_order() -> None:
    claim = "The council met, approved funding for parks and debated libraries and pools"
    three = [
        "The council met on Monday.",
        "The budget includes funding for parks.",
        "Residents debated libraries and pools.",
    ]
    assert evidence(claim) == three
    assert evidence(claim, limit=2) == [three[0], three[2]]


def test_names_do_not_choose_evidence_and_a_missing_one_is_rescued_only_with_two_shared_words() -> None:
    # a claim of names only goes by them: the earliest sentence naming most of them, none if none does
    assert evidence("Okafor and Smith") == ["Mayor Okafor praised the budget and the parks."]
    assert evidence("Smith and Jones") == []
    # "Okafor" is in no chosen sentence: the earlier of two sentences naming him and sharing two
    # more claim words ("praised", "budget") is added
    assert evidence("Okafor praised the budget the council approved") == [
        "The council approved the budget.",
        "Mayor Okafor praised the budget and the parks.",
    ]
    # names break a tie of shared words ("praised", "budget" / "council", "budget")
    assert evidence("Okafor praised the budget of the council") == [
        "Mayor Okafor praised the budget and the parks."
    ]
    # a sentence naming him that shares one claim word is not enough
    assert evidence("Okafor approved the budget") == ["The council approved the budget."]


@pytest.mark.parametrize(
    ("claim", "verdict", "score"),
    [
        ("The council approved the budget", "supported", 1.0),  # every word in the evidence
        ("The council approved the budget and the parks plan", "supported", 0.84),  # 3 of 5: 0.6 + 0.4 * 0.6
        ("The council approved the park levy", "supported", 0.8),  # 2 of 4: half is enough
        ("The council discussed road tolls and bus lanes", "unverifiable", 0.35),  # 1 of 6: 0.3 + 0.3 / 6
        ("The council approved the budget on Tuesday", "unsupported", 0.1313),  # 0.3 * (0.5 + 0.375) / 2
        ("The council approved the budget on Tuesday in 2019", "unsupported", 0.08),  # 0.3 * 0.8 / 3
        ("Volcanic ash grounded flights", "unsupported", 0.0),  # no sentence at all
    ],
)
def test_a_claims_score_follows_its_findings_and_coverage(claim: str, verdict: str, score: float) -> None:
    article = "The council approved the budget on Monday. The mayor praised the vote."
    result = verify_claim(claim, analyse(article))
    assert (result.text, result.verdict, result.score) == (claim, verdict, score)
    if verdict == "unsupported" and score == 0.0:
        assert result.reasons == ["no sentence of the article says this"] and result.evidence == []
    else:
        assert result.evidence == [(0, 42)]
    assert (result.verdict == "unsupported") == bool(result.reasons)


# --- who did what: the evidence's order of two names around the claim's verb ------------------


def _acts(words: str, doer: str = "acme", other: str = "globex", verb: str = "sued") -> bool:
    return _acts_on(words.split(), doer, other, {_stem(verb)})


def test_the_doer_comes_before_the_verb_and_the_verb_before_the_other_name() -> None:
    assert _acts("acme sued globex")
    assert _acts("then acme quickly sued globex")
    assert not _acts("globex sued acme")
    assert not _acts("sued acme met globex")  # the verb before the doer is not its action
    assert not _acts("acme met globex")


def test_the_other_name_is_at_most_twelve_words_on() -> None:
    eleven = " ".join(["w"] * 10)
    assert _acts(f"then acme sued {eleven} globex")  # 12 words from acme to globex
    assert not _acts(f"then acme sued {eleven} x globex")  # 13
    far_then_near = f"acme {eleven} x y acme sued globex"  # the first acme is too far, the second is not
    assert _acts(far_then_near)


def test_by_between_the_names_is_the_passive_voice() -> None:
    assert not _acts("acme was sued by globex")
    assert not _acts("acme by sued globex")
    assert _acts("stood by acme sued globex")  # "by" before the doer is not between


def test_a_word_before_of_is_a_role_not_an_action() -> None:
    assert not _acts("dobrescu the mayor of constanta", "dobrescu", "constanta", "mayor")
    assert _acts("dobrescu the mayor said constanta", "dobrescu", "constanta", "mayor")


# --- a changed part of a full name -------------------------------------------------------------

NAMES = analyse(
    "Jane Doe resigned on Tuesday. Officials met Paul Rossi later. "
    "Chief Minister Rao spoke, and the minister left."
)


@pytest.mark.parametrize(
    ("claim", "index", "expected"),
    [
        ("Janet Doe", 0, True),  # another first name before the article's surname
        ("Jane Dough", 1, True),  # another surname after the article's first name
        ("Jane Doe", 1, False),  # the article's own word
        ("Resigns Doe", 0, False),  # the article has the word in another form
        ("janet Doe", 0, False),  # lower case: no name
        ("Deputy Minister", 0, False),  # "minister" is a common word of the article, not a name
        ("Janet Paul", 0, False),  # the article writes no word before "Paul"
        ("Dough Jane", 0, False),  # nothing before the first word
    ],
)
def test_a_word_replacing_a_part_of_an_articles_full_name(claim: str, index: int, expected: bool) -> None:
    tokens = _tokens(claim)
    assert _replaces_a_name_part(tokens, index, tokens[index].low, NAMES) is expected


@pytest.mark.parametrize(
    ("claim", "runs"),
    [
        ("The deal with Company X failed", [["Company"]]),  # one letter is no name
        ("Talks with Xi ended early", [["Xi"]]),  # two letters are
        ("Paul met the new finance minister", [["Paul"]]),  # sentence-initial, a name of the article
        ("Okafor's Budget Passes Easily", [["Okafor's"]]),  # title case: the article's name, possessive
    ],
)
def test_name_runs_of_a_claim(claim: str, runs: list[list[str]]) -> None:
    source = analyse("Mayor Okafor met Paul Rossi and Xi on Monday. Okafor spoke of the budget.")
    assert [[t.text for t in run] for run in _names(_tokens(claim), source)] == runs


# --- hedges near the claim's words -------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "evidence", "hedge"),
    [
        (
            "The strike will go ahead",
            "Officials in the capital said on Friday that the strike may go ahead.",
            "may",
        ),
        ("The strike is on", "The strike called by local dock workers may last.", "may"),  # six words away
        ("The strike is on", "The strike called by local dock workers later may last.", None),  # seven
        (
            "The strike will go ahead",
            "The strike will go ahead on Monday, officials said, though some analysts may disagree.",
            None,
        ),
        ("The strike ended", "May brought the strike to an end.", None),  # the month, not the modal
        ("The union will strike", "The strike is what the union plans", None),  # "plans" ends the quote
        ("The union will strike", "On Monday the union said a strike is what it plans to", "plans"),
    ],
)
def test_a_hedge_counts_within_six_words_of_a_shared_word(
    claim: str, evidence: str, hedge: str | None
) -> None:
    found = check_claim(claim, [evidence], source=analyse(evidence), confirmed=True)
    hedges = [r for r in found if r.startswith('certainty "confirmed"')]
    assert hedges == ([f'certainty "confirmed" but its evidence hedges ("{hedge}")'] if hedge else [])


# --- word forms ----------------------------------------------------------------------------------


def test_possessives_are_read_as_the_name() -> None:
    assert _bare("okafor's") == "okafor" and _bare("okafor") == "okafor" and _bare("boss") == "boss"
    assert _text("Okafor's plan and the mayor's").bare_lows == ["okafor", "plan", "and", "the", "mayor"]
    assert _text("The plan").bare_lows == ["the", "plan"]


def test_a_name_prefix_is_its_first_four_letters() -> None:
    assert [_prefix(w) for w in ("chile", "chilean", "estonia", "iran")] == ["chil", "chil", "esto", "iran"]


@pytest.mark.parametrize(
    ("claim", "caseless"),
    [
        ("Alpha Bravo Charlie delta echo", True),  # 3 of 5 words capitalized: title case
        ("Alpha Bravo charlie delta echo", False),  # 2 of 5
        ("Alpha Bravo Charlie delta echo and the", True),  # words of three letters do not count
        ("Alpha Bravo Charlie delta echo 2026 1999", True),  # nor numbers
        ("alpha bravo charlie", True),  # all lower case
        ("A to Z", False),  # no word to tell by
    ],
)
def test_a_claim_is_caseless_when_all_lower_or_mostly_capitalized(claim: str, caseless: bool) -> None:
    assert _caseless(_tokens(claim)) is caseless


@pytest.mark.parametrize(
    "claim",
    ["The council didn't approve the budget", "The council no longer backs the budget"],
)
def test_a_contracted_or_no_longer_negation_is_read(claim: str) -> None:
    evidence = "The council approved the budget and backs the budget on Monday."
    assert [r for r in check_claim(claim, [evidence], source=analyse(evidence)) if r.startswith("negation")]


# --- facts the evidence lacks: from the article (free-standing claims) or from a context --------

YEARS = "The council approved the budget in March. The previous budget was passed in 2019."
DAYS = "The council met on Monday. The mayor spoke on Friday about the budget."


def test_a_year_or_day_from_another_sentence_is_accepted_unless_the_evidence_has_another() -> None:
    evidence = ["The council approved the budget in March."]
    years = analyse(YEARS)
    assert (
        check_claim("The council approved the budget of 2019", evidence, source=years, open_facts=True) == []
    )
    assert check_claim("The council approved the budget of 2019", evidence, source=years) == [
        'year "2019" not in its evidence'
    ]
    assert check_claim(
        "The council approved the budget of 2020", evidence, source=years, open_facts=True
    ) == ['year "2020" not in its evidence']
    swapped = analyse("The council approved the budget in 2025. The earlier budget dates from 2019.")
    assert check_claim(
        "The council approved the budget in 2019",
        ["The council approved the budget in 2025."],
        source=swapped,
        open_facts=True,
    ) == ['year "2019" not in its evidence']  # the evidence's own year stands next to the same words
    days = analyse(DAYS)
    assert (
        check_claim(
            "The mayor spoke about the budget on Friday", ["The council met."], source=days, open_facts=True
        )
        == []
    )
    assert check_claim("The mayor spoke about the budget on Friday", ["The council met."], source=days) == [
        'date "Friday" not in its evidence'
    ]
    assert check_claim(
        "The council met on Friday", ["The council met on Monday."], source=days, open_facts=True
    ) == ['date "Friday" not in its evidence']


def test_an_ordinal_or_a_time_elsewhere_in_the_article_backs_a_free_standing_claim() -> None:
    drafts = analyse(
        "Delegates met at 9:00. The second draft keeps the target. The draft sets up a fund. "
        "The first draft was rejected at 7:05 p.m."
    )
    evidence = ["The draft sets up a fund."]
    assert check_claim("The second draft sets up a fund", evidence, source=drafts, open_facts=True) == []
    assert check_claim("The fund was set up at 9:00", evidence, source=drafts, open_facts=True) == []
    # not without open facts, nor when the article lacks it
    assert check_claim("The second draft sets up a fund", evidence, source=drafts) == [
        'ordinal "second" not in its evidence'
    ]
    assert check_claim("The third draft sets up a fund", evidence, source=drafts, open_facts=True) == [
        'ordinal "third" not in its evidence'
    ]
    assert check_claim("The fund was set up at 8:00", evidence, source=drafts, open_facts=True) == [
        'time "8:00" not in its evidence'
    ]
    # an ordinal or time of the evidence's own that the claim leaves unused is the sign of a swap
    assert check_claim(
        "The second draft was rejected", ["The first draft was rejected."], source=drafts, open_facts=True
    ) == ['ordinal "second" not in its evidence']
    assert check_claim(
        "The draft was rejected at 9:00",
        ["The draft was rejected at 7:05 p.m."],
        source=drafts,
        open_facts=True,
    ) == ['time "9:00" not in its evidence']


def test_numbers_and_names_are_looked_up_in_the_context_when_given() -> None:
    context = "Mayor Okafor spoke. The council approved projects. There were 12 projects."
    evidence = ["The council approved projects."]
    assert check_claim("The council approved 12 projects", evidence, context=context) == []
    assert check_claim("The council approved 12 projects", evidence) == ['number "12" not in its evidence']
    # the article as `source` tells names from words; it does not back facts by itself
    assert check_claim("The council approved 12 projects", evidence, source=analyse(context)) == [
        'number "12" not in its evidence'
    ]
    assert check_claim("The projects were approved by Okafor", evidence, context=context) == []
    assert check_claim("The projects were approved by Okafor", evidence) == [
        'name "Okafor" not in its evidence'
    ]


def test_every_finding_is_kept_and_named() -> None:
    assert check_claim("The third vote failed", ["The second vote failed."]) == [
        'ordinal "third" not in its evidence'
    ]
    assert (
        check_claim("One of the ministers resigned", ["A minister resigned."]) == []
    )  # "one of" is no count
    assert check_claim(
        "The council approved 12 projects", ["The council approved 11 projects."], confirmed=True
    ) == ['number "12" not in its evidence']


@pytest.mark.parametrize(
    ("claim", "found"),
    [
        ("talks with zork failed", ['word "zork" not in the article (a name?)']),  # rare, four letters
        ("talks with figueiredos failed", []),  # the article's name in another form
        ("talks with figueiredo's team failed", []),  # and as a possessive
    ],
)
def test_a_lower_case_claims_rare_word_the_article_lacks_is_a_likely_name(
    claim: str, found: list[str]
) -> None:
    article = "Talks with Figueiredo failed."
    assert check_claim(claim, [article], source=analyse(article)) == found


# --- names the evidence lacks ------------------------------------------------------------------


def test_an_adjective_of_a_name_backs_it_whatever_holds_the_evidence() -> None:
    assert check_claim("The Swedes voted", ["Sweden voted."]) == []  # the evidence itself
    assert (
        check_claim("Chilean officials met", ["Officials met."], context="Chile said so. Officials met.")
        == []
    )
    article = analyse("Sweden voted. They voted.")
    assert check_claim("The Swedes voted", ["They voted."], source=article, context=article.text) == []
    assert check_claim("The Swedes voted", ["They voted."]) == ['name "Swedes" not in its evidence']


def test_every_word_of_a_name_run_is_checked_past_a_backed_one() -> None:
    assert check_claim(
        "They met the Chilean Smith there on a cold morning", ["Chile said. Jones met them."]
    ) == ['name "Chilean Smith" not in its evidence']
    assert check_claim("The CEO Smith resigned", ["The boss resigned."]) == [
        'name "CEO Smith" not in its evidence'
    ]


def test_a_name_is_backed_by_another_name_of_its_actor_only_when_the_evidence_has_one() -> None:
    aliases = [["Claire Dumont", "the minister"]]
    claim = "The vote was lost by Dumont"
    assert check_claim(claim, ["The vote was lost by the minister."], aliases=aliases) == []
    assert check_claim(claim, ["The vote was lost."], aliases=aliases) == [
        'name "Dumont" not in its evidence'
    ]


@pytest.mark.parametrize(
    ("evidence", "found"),
    [
        ("The vote was lost in March.", []),  # the article's name, and no other name in the evidence
        ("The vote was lost by Rossi in March.", ['name "Okafor" not in its evidence']),  # a swap's sign
    ],
)
def test_a_name_from_elsewhere_in_the_article_is_accepted_unless_the_evidence_names_another(
    evidence: str, found: list[str]
) -> None:
    article = analyse(f"Mayor Okafor spoke. {evidence}")
    assert (
        check_claim("The vote was lost by Okafor in March", [evidence], source=article, open_facts=True)
        == found
    )
    assert check_claim("The vote was lost by Okafor in March", [evidence], source=article) == [
        'name "Okafor" not in its evidence'
    ]


# --- the words around a number (what it counts) ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "width", "words"),
    [
        ("The council cut 4,100 jobs in Dutch hubs", 2, ["council", "cut", "jobs", "dutch"]),  # two a side
        ("The council cut 4,100 jobs in Dutch hubs", 1, ["cut", "jobs"]),
        ("Council cut 4,100 jobs", 2, ["council", "cut", "jobs"]),  # up to the first word
        ("Prices rose. 4,100 jobs went.", 2, ["jobs", "went"]),  # not into the sentence before
        ("They cut 4,100. Jobs went.", 2, ["cut"]),  # nor the one after
        ("They cut 4,100 million and 2,500 jobs", 2, ["cut", "jobs"]),  # no scales, numbers or stop words
    ],
)
def test_the_content_words_around_a_number_in_its_sentence(text: str, width: int, words: list[str]) -> None:
    tokens = _tokens(text)
    at = next(i for i, t in enumerate(tokens) if t.text == "4,100")
    assert _around(tokens, at, at, width) == {_stem(w.lower()) for w in words}


# --- numbers as written, negations near a word -------------------------------------------------


def test_large_numbers_are_shown_with_thousands_separators() -> None:
    assert [_fmt(v) for v in (10_000, 9_999, 2.5, 1_250_000)] == ["10,000", "9999", "2.5", "1.25e+06"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("two hundred protesters", 200), ("a hundred protesters", 100), ("three thousand jobs", 3000)],
)
def test_written_numbers_are_read(text: str, value: float) -> None:
    assert [n[1] for n in extract_facts(text).numbers] == [value]


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("Inflation was 1.5 percent", "Inflation was 1.5 percent."),  # decimals are not rounded away
        ("The rate was 0.1234567", "The rate was 0.1234567."),  # nor the seventh decimal
    ],
)
def test_a_number_in_the_evidence_backs_the_claim(claim: str, evidence: str) -> None:
    assert check_claim(claim, [evidence]) == []


def test_a_decimal_is_not_backed_by_its_rounded_neighbour() -> None:
    assert check_claim("Inflation was 1.5 percent", ["Inflation was 2 percent."]) == [
        'number "1.5" not in its evidence'
    ]


@pytest.mark.parametrize(
    ("text", "word", "negated"),
    [
        ("No funding was approved", "funding", True),  # the first word of the sentence negates
        ("It was not. Funding was approved", "funding", False),  # not across a sentence end
        ("Officials did not approve the funding", "approve", True),
        ("Officials approved the funding", "approved", False),
    ],
)
def test_a_word_is_negated_by_a_negation_just_before_it_in_its_sentence(
    text: str, word: str, negated: bool
) -> None:
    tokens = _tokens(text)
    at = next(i for i, t in enumerate(tokens) if t.low == word)
    assert _negated_at(tokens, at) is negated


# --- currency, opposites beside the claim's words, names-only evidence (2026-12-06) -------------


@pytest.mark.parametrize(
    ("family", "read"),
    [
        *[("euro", "euros"), ("dollar", "dollars"), ("real", "reais"), ("yen", "yen"), ("yuan", "yuan")],
        *[("rand", "rand"), ("naira", "naira"), ("won", "won"), ("shilling", "shillings")],
    ],
)
def test_a_currency_reads_in_its_plural(family: str, read: str) -> None:
    assert claims._plural(family) == read


@pytest.mark.parametrize(
    ("text", "money"),
    [
        ("It cost 500 yen.", {500.0: {"yen"}}),
        ("It cost 500 YEN.", {500.0: {"yen"}}),
        ("It cost 5 rub.", {}),  # a lower-case three-letter word is no code
        ("It cost 5 RUB.", {5.0: {"rouble"}}),
        ("It cost EUR  18.", {18.0: {"euro"}}),  # a code, two spaces before the amount
        ("It cost ABC 18.", {}),  # three capitals that are no currency code
        ("It cost C$ 40.", {40.0: {"dollar"}}),
        ("It cost 3 francs.", {3.0: {"franc"}}),
    ],
)
def test_the_currency_of_an_amount(text: str, money: dict[float, set[str]]) -> None:
    assert claims.extract_facts(text).money == money


def _text_of(text: str) -> claims._Text:
    return claims._Text(text)


def test_the_words_beside_a_verb_stop_at_its_sentence_and_six_words() -> None:
    text = _text_of("Alpha beta gamma delta epsilon zeta eta rose theta iota. Kappa lambda")
    at = [t.low for t in text.tokens].index("rose")
    beside = claims._beside(text.tokens, text.stems, at)
    assert beside == {
        claims._stem(w) for w in ("beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota")
    }
    first = claims._beside(text.tokens, text.stems, 0)  # the sentence's first word: nothing before it
    assert first == {claims._stem(w) for w in ("beta", "gamma", "delta", "epsilon", "zeta", "eta")}
    short = _text_of("An ox is at 5 and up. Then more.")
    assert claims._beside(short.tokens, short.stems, 1) == {"5"}  # stop words and two-letter words out


@pytest.mark.parametrize(
    ("claim", "evidence", "reasons"),
    [
        # the same verb in another form ("closing" for "closed") counts as the evidence saying it
        (
            "The shops closed early on Monday.",
            "The shops were closing early on Monday, and the banks opened late.",
            [],
        ),
        # one word beside the opposite, none beside the same verb: the opposite is what it says
        (
            "Globex fell.",
            "Profits fell. Separately, Globex shares rose.",
            ['polarity: "fell" where its evidence says "rose"'],
        ),
        # a tie is no finding
        ("Acme fell.", "Acme rose and Globex fell.", []),
        # of two opposites beside the claim's words equally, the first is named
        (
            "Globex fell.",
            "Profits fell. Globex rose, then Globex gained.",
            ['polarity: "fell" where its evidence says "rose"'],
        ),
    ],
)
def test_with_both_opposites_in_the_evidence(claim: str, evidence: str, reasons: list[str]) -> None:
    assert check_claim(claim, [evidence], source=analyse(evidence)) == reasons


def test_a_claim_of_names_only_takes_the_first_sentence_naming_most_of_them() -> None:
    article = "Mayor Okafor opened the session. The council approved the budget. Both Okafor and Smith left."
    source = analyse(article)
    spans = select_evidence("Okafor", source)
    assert [article[s:e] for s, e in spans] == ["Mayor Okafor opened the session."]
    spans = select_evidence("Okafor and Smith", source)
    assert [article[s:e] for s, e in spans] == ["Both Okafor and Smith left."]


def test_a_name_is_rescued_after_another_that_the_evidence_has() -> None:
    article = (
        "The Harbour Board approved the budget and the parks. Mayor Okafor praised the budget and the parks."
    )
    # "Harbour Board" is in the chosen sentence; "Okafor", after it in the claim, is looked up too
    spans = select_evidence(
        "The Harbour Board and Okafor approved the budget and the parks", analyse(article)
    )
    assert [article[s:e] for s, e in spans] == [
        "The Harbour Board approved the budget and the parks.",
        "Mayor Okafor praised the budget and the parks.",
    ]


def test_the_default_evidence_limit_is_three_sentences() -> None:
    article = "The council met. Voters backed funding. Residents debated libraries. Unions discussed pools."
    spans = select_evidence(
        "council met, voters backed funding, residents debated libraries, unions discussed pools",
        analyse(article),
    )
    assert len(spans) == 3


@pytest.mark.parametrize(
    ("claim", "quotes", "reasons", "graded"),
    [
        ("It is on", [], [], ("unverifiable", 0.3)),  # no quotes: nothing is covered
        ("It is on", ["It is on."], [], ("supported", 1.0)),  # no content words: covered
        ("The council met", [], ["no sentence of the article says this"], ("unsupported", 0.0)),
    ],
)
def test_grade(claim: str, quotes: list[str], reasons: list[str], graded: tuple[str, float]) -> None:
    assert claims.grade(claim, quotes, reasons) == graded
