"""Names, who-did-what and hedges: changed names the checker used to pass, and the true statements
next to them that must still pass."""

from __future__ import annotations

import pytest

from briefing.claims import Source, analyse, check_claim, verify_claim

ARTICLE = (
    "Jane Doe, the finance minister, resigned on Tuesday after the budget vote. "
    "Paula Rossi will take over the ministry."
)


def reasons(claim: str, evidence: str = ARTICLE, *, confirmed: bool = False) -> list[str]:
    return check_claim(claim, [evidence], source=analyse(evidence), confirmed=confirmed)


@pytest.mark.parametrize(
    ("claim", "name"),
    [
        ("Jane Smith Resigns As Finance Minister", "Jane Smith"),  # title case: a changed surname
        ("Then Paulo Rossi Takes Over", "Paulo Rossi"),  # title case: a changed first name
        ("Paul Rossi will take over the ministry", "Paul Rossi"),  # sentence-initial first name
        ("The ministry will go to Paul Rossi", "Paul Rossi"),  # "Paul" is no word of "Paula"
    ],
)
def test_a_changed_part_of_a_full_name_is_caught(claim: str, name: str) -> None:
    assert reasons(claim) == [f'name "{name}" not in its evidence']


@pytest.mark.parametrize(
    "claim",
    [
        "Jane Doe Resigns As Finance Minister",
        "Doe Quits As Finance Minister",  # an unknown title-case word next to no name part
        "Paula Rossi will take over the ministry",
        "The ministry will go to Paula Rossi",
    ],
)
def test_the_names_as_the_article_writes_them_pass(claim: str) -> None:
    assert reasons(claim) == []


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("Iranian officials talked", "Iran said it would talk."),  # a demonym of a name
        ("Gaza residents fled", "Gazans fled south."),  # the name inside its demonym
        ("The Smiths sold the farm", "The Smith family sold the farm."),
        ("The fund was backed by Peru", "The fund was backed by Peruvian officials."),
    ],
)
def test_names_with_a_demonym_or_plural_ending_are_backed(claim: str, evidence: str) -> None:
    assert reasons(claim, evidence) == []


def test_a_name_with_another_ending_is_not_backed() -> None:
    assert reasons("Then Paulette Rossi spoke", "Then Paul Rossi spoke.") != []
    assert reasons("Talks with Irana failed", "Talks with Iran failed.") != []


def test_who_did_what_holds_when_the_evidence_states_both_orders() -> None:
    both = "Acme sued Globex after Globex sued Acme over the patents."
    assert reasons("Acme sued Globex", both) == []
    assert reasons("Globex sued Acme", both) == []


def test_who_did_what_still_catches_a_reversal() -> None:
    one_way = "In March, Acme sued Globex over the patents."
    assert reasons("Acme sued Globex", one_way) == []
    assert reasons("Globex sued Acme", one_way) == [
        'who did what: "Globex" and "Acme" are reversed in the evidence'
    ]
    assert reasons("Globex was sued by Acme", one_way) == []  # passive voice: no finding
    far = (
        "Globex, a maker of industrial pumps based in the north of the country since 1950, was sued by Acme."
    )
    assert reasons("Globex sued Acme", far) == []


def test_a_role_before_of_is_no_action() -> None:
    evidence = "On Monday, Dobrescu, the mayor of Constanța, was sentenced to six years."
    assert reasons("Constanța mayor Dobrescu was sentenced to six years", evidence) == []
    # a role of two words before "of" ("chief executive of") is no action either
    quit = "Fiona Marsh stepped down as chief executive of retailer Halden & Rowe on Wednesday."
    assert reasons("Retailer Halden & Rowe said chief executive Fiona Marsh had stepped down", quit) == []
    # a verb three words before "of" still acts
    sued = "Acme sued the owners of Globex on Monday."
    assert reasons("Globex sued the owners of Acme", sued) == [
        'who did what: "Globex" and "Acme" are reversed in the evidence'
    ]
    owned = "Officials said the Finnish state owns 33.4 percent of Aurora."
    assert reasons("Officials said the Aurora state owns 33.4 percent of Finnish", owned) == [
        'who did what: "Aurora" and "Finnish" are reversed in the evidence'
    ]


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("The council approved the plan", "The council approved the plan on Monday."),  # a noun
        ("Officials achieved their aim", "Officials said they achieved their aim of a ceasefire."),
        (
            "The council approved the plans",
            "The council approved the plans on Monday.",  # a noun in the plural
        ),
    ],
)
def test_a_hedge_word_used_as_a_noun_is_no_hedge(claim: str, evidence: str) -> None:
    assert reasons(claim, evidence, confirmed=True) == []


@pytest.mark.parametrize(
    ("evidence", "hedge"),
    [
        ("The union plans to strike on Monday.", "plans"),
        ("The union aims to strike on Monday.", "aims"),
        ("The union may strike on Monday.", "may"),
        ("The union planned a strike for Monday.", "planned"),
        ("The strike is expected to go ahead on Monday.", "expected"),  # repeated by the claim below
    ],
)
def test_a_confirmed_claim_on_hedged_evidence_is_still_caught(evidence: str, hedge: str) -> None:
    claim = "The strike is expected to go ahead" if hedge == "expected" else "The union will strike on Monday"
    assert reasons(claim, evidence, confirmed=True) == [
        f'certainty "confirmed" but its evidence hedges ("{hedge}")'
    ]


DATED = (
    "Aurelis Logistics made a cash offer for Vennekamp Parcel. Shareholders will vote on the offer on May 18."
)


def test_a_name_of_the_article_where_the_evidence_has_a_date_is_caught() -> None:
    from briefing.claims import verify_claim

    source = analyse(DATED)
    swapped = verify_claim("Shareholders will vote on the offer on Aurelis 18.", source)
    assert swapped.verdict == "unsupported"
    assert swapped.reasons == ['name "Aurelis" not in its evidence']
    assert verify_claim("Shareholders will vote on the offer on May 18.", source).verdict == "supported"
    # the same shape with no month in the evidence is left alone (nothing says a date was there)
    undated = analyse(
        "Aurelis Logistics made a cash offer for Vennekamp Parcel. "
        "Shareholders will vote on the offer in hall 18 at the exchange."
    )
    assert (
        verify_claim("Shareholders will vote on the offer in Aurelis 18 at the exchange.", undated).reasons
        == []
    )


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        (
            "Shareholders will vote on the offer on Aurelis 1.",
            ['number "1" not in its evidence', 'name "Aurelis" not in its evidence'],
        ),
        (
            "Shareholders will vote on the offer on Aurelis 31.",
            ['number "31" not in its evidence', 'name "Aurelis" not in its evidence'],
        ),
        # no day of a month: only the number is a finding
        ("Shareholders will vote on the offer on Aurelis 32.", ['number "32" not in its evidence']),
        ("Shareholders will vote on the offer on Aurelis 0.", ['number "0" not in its evidence']),
        # no number after the name, or the claim has the evidence's month itself
        ("Shareholders will vote on the offer of Aurelis.", []),
        ("In May shareholders will vote on the offer on Aurelis 18.", []),
    ],
)
def test_the_date_slot_needs_a_day_number_after_the_name_and_a_month_only_the_evidence_has(
    claim: str, expected: list[str]
) -> None:
    from briefing.claims import verify_claim

    assert verify_claim(claim, analyse(DATED)).reasons == expected


def test_a_name_opening_the_evidence_sentence_is_a_spare_name_too() -> None:
    # the evidence's own name at the start of its sentence shows a swapped-in actor
    article = "Lena Marsh runs the port. Tomas Ekberg leads the union.\n\nEkberg denied the charge on Monday."
    source = analyse(article)
    assert verify_claim("Lena Marsh denied the charge on Monday.", source).reasons == [
        'name "Lena Marsh" not in its evidence'
    ]
    assert verify_claim("Ekberg denied the charge on Monday.", source).verdict == "supported"
    assert verify_claim("Tomas Ekberg denied the charge on Monday.", source).verdict == "supported"
    # a sentence-initial word the article never capitalizes mid-sentence is no name
    plain = analyse("Lena Marsh runs the port.\n\nLater the union denied the charge on Monday.")
    assert verify_claim("Lena Marsh denied the charge on Monday.", plain).verdict == "supported"


@pytest.mark.parametrize(
    ("article", "claim", "said"),
    [
        (
            "Shares in Cobre Andino rose 14.5% on the news, while Vale's stock fell 3 percent.",
            "Shares in Cobre Andino fell 14.5%.",
            "rose",
        ),
        (
            "Shares in Cobre Andino rose 14.5% on the news, while Vale's stock fell 3 percent.",
            "Vale's stock rose 3 percent.",
            "fell",
        ),
        (
            "Acme said its shares fell 5 percent on Monday. Globex said its own shares rose 2 percent.",
            "Globex's shares fell 2 percent.",
            "rose",
        ),
    ],
)
def test_with_both_opposites_in_the_evidence_the_one_beside_the_claims_words_counts(
    article: str, claim: str, said: str
) -> None:
    source = analyse(article)
    word = next(w for w in ("fell", "rose") if w in claim)
    assert verify_claim(claim, source).reasons == [f'polarity: "{word}" where its evidence says "{said}"']
    true = claim.replace(word, said)
    assert verify_claim(true, source).verdict == "supported", verify_claim(true, source).reasons


WIRE = (
    "LISBON, July 17 (Iberian Morning Wire) — Portugal's president dissolved parliament on Friday "
    "and called a snap election.\n\n"
    "President Teresa Albuquerque announced the decision in a televised address. "
    "Finance Minister Duarte Reis said the budget had failed."
)


def test_the_names_of_a_dateline_are_no_spare_names() -> None:
    source = analyse(
        "LIMA, May 22 (Cordillera News Agency) — The environment minister said the talks ended without "
        "agreement.\n\nThe minister, Julio Huaman, chaired them in the capital."
    )
    # the place and the agency that filed the story do not point at a swap
    assert verify_claim("Julio Huaman said the talks ended without agreement.", source).reasons == []
    # a name of the evidence itself still does
    named = analyse(
        "LIMA, May 22 — Officials from Chile said the talks on the glacier fund ended without agreement.\n\n"
        "A compromise from Peru was rejected."
    )
    claim = "Officials from Peru said the talks on the glacier fund ended without agreement."
    assert verify_claim(claim, named).reasons == ['name "Peru" not in its evidence']


@pytest.mark.parametrize("variant", ["cased", "lower"])
def test_a_name_is_backed_where_the_article_gives_it_the_role_the_evidence_names(variant: str) -> None:
    source = analyse(WIRE)
    true = "President Teresa Albuquerque dissolved parliament and called a snap election."
    swapped = "President Duarte Reis dissolved parliament and called a snap election."
    if variant == "lower":
        true, swapped = true.lower(), swapped.lower()
    assert verify_claim(true, source).reasons == []
    shown = "Duarte Reis" if variant == "cased" else "duarte reis"
    # the evidence names only the role; the article never calls Reis its president
    assert verify_claim(swapped, source).reasons == [f'name "{shown}" not in its evidence']


def test_a_role_needs_the_article_to_use_it_as_a_title() -> None:
    # "summoned" is in the evidence and in lower case in the article, but is never a title
    source = analyse(
        "Corvenia summoned the ambassador on Monday.\n\nAmbassador Dragan Ilic left. The envoy met Mocanu."
    )
    assert _role_of_claim("corvenia summoned mocanu and the ambassador on monday .", "mocanu", source) is None
    assert (
        _role_of_claim(
            "Ambassador Dragan Ilic left on Monday.",
            "dragan",
            analyse("The ambassador left on Monday. Ambassador Dragan Ilic spoke."),
        )
        == "ambassador"
    )


def _role_of_claim(claim: str, first: str, source: Source) -> str | None:
    from briefing.claims import _caseless, _names, _role_of, _text

    text = _text(claim)
    run = next(run for run in _names(text.tokens, source) if run[0].low == first)
    evidence = _text(source.text)
    return _role_of(text.tokens, run, evidence, source, _caseless(text.tokens))


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("LIMA, May 22 (Cordillera News Agency) — Talks ended.", "LIMA, May 22 (Cordillera News Agency) — "),
        (
            "12 (South Atlantic Business Wire) — Brazil's regulator blocked it.",
            "12 (South Atlantic Business Wire) — ",
        ),
        ("SÃO PAULO — Prices rose.", None),  # not ASCII capitals: left alone, as before
        ("DENVER, March 5 — A committee voted.", "DENVER, March 5 — "),
        ("The talks — which ran late — ended.", None),
        ("Talks ended. \n 29 — Ghanaian sprinter Kofi Mensah was banned.", "29 — "),
    ],
)
def test_datelines_are_found_at_the_start_of_each_quote(text: str, dateline: str | None) -> None:
    from briefing.claims import _dateline_ends

    spans = _dateline_ends(text)
    assert [text[a:b] for a, b in spans] == ([dateline] if dateline else [])


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        (
            "About 60 per cent would come from EU funds.",
            "About 60 per cent would be paid from European Union funds.",
        ),
        ("The NCDC sent a team.", "The Nigeria Centre for Disease Control sent a team."),
        ("the ncdc sent a team .", "The Nigeria Centre for Disease Control sent a team."),
    ],
)
def test_an_acronym_is_backed_by_the_initials_of_a_name_in_the_evidence(claim: str, evidence: str) -> None:
    assert check_claim(claim, [evidence], source=analyse(evidence)) == []


def test_an_acronym_the_evidence_names_do_not_spell_is_still_caught() -> None:
    evidence = "About 60 per cent would be paid from European Union funds."
    assert check_claim(
        "About 60 per cent would come from UN funds.", [evidence], source=analyse(evidence)
    ) == ['name "UN" not in its evidence']


def test_a_sentence_that_names_no_one_is_not_read_as_lower_case() -> None:
    # "president" is capitalized everywhere in the article, but the claim is written in sentence case
    source = analyse(
        "The vote was 5-4. Council President Mark Rutherford spoke. He objects to the rate increase."
    )
    evidence = ["He objects to the rate increase."]
    assert check_claim("The council president objects to the rate increase.", evidence, source=source) == []
    # an all lower-case claim still takes its names from the article's casing
    assert check_claim("the council president objects to the rate increase .", evidence, source=source) == [
        'name "council president" not in its evidence'
    ]
