"""Trimming keeps the claim and drops only datelines, markers, attributions and trailing clauses."""

from __future__ import annotations

import pytest

from briefing.engines.offline.trim import shorten, strip_dateline, trim


@pytest.mark.parametrize(
    ("sentence", "text", "speaker"),
    [
        (
            "KYIV, Ukraine (Reuters) — President Zelenskyy said on Tuesday that talks would resume soon.",
            "Talks would resume soon.",
            "President Zelenskyy",
        ),
        ('"We will not accept this deal," Peskov said.', "We will not accept this deal.", "Peskov"),
        (
            "The project is on hold pending a review, according to the ministry.",
            "The project is on hold pending a review.",
            "the ministry",
        ),
        (
            "But the union rejected the offer, its president said.",
            "The union rejected the offer.",
            "its president",
        ),
        (
            "The union's general secretary, Tomas Ekberg, said members would stay off the job.",
            "Members would stay off the job.",
            "The union's general secretary, Tomas Ekberg,",
        ),
    ],
)
def test_attributions_are_trimmed_and_speaker_kept(sentence: str, text: str, speaker: str) -> None:
    trimmed = trim(sentence)
    assert trimmed.text == text
    assert trimmed.attribution == speaker


def test_attribution_stays_when_the_rest_leans_on_it() -> None:
    assert (
        trim("The company said it would appeal the ruling.").text
        == "The company said it would appeal the ruling."
    )


def test_keep_attribution_leaves_the_speaker_in_the_text() -> None:
    trimmed = trim("Officials said the bridge will reopen on March 3.", keep_attribution=True)
    assert trimmed.text == "Officials said the bridge will reopen on March 3."
    assert trimmed.attribution == "Officials"


def test_a_verb_phrase_is_not_taken_for_a_speaker() -> None:
    sentence = "The union disputes those figures and says automation will cost hundreds of jobs."
    assert trim(sentence).text == sentence


def test_long_sentences_keep_their_first_full_clause() -> None:
    sentence = (
        "Talks between Norway and Iceland over mackerel quotas collapsed on Monday after negotiators failed "
        "to agree on a share, leaving fishing fleets from both countries without agreed limits weeks before "
        "the season opens and processors without a plan."
    )
    text = trim(sentence).text
    assert text.startswith("Talks between Norway and Iceland over mackerel quotas collapsed on Monday")
    assert len(text.split()) < len(sentence.split())
    assert text.endswith(".")
    assert sentence.startswith(text[:-1])  # a prefix: nothing reworded


def test_no_cut_in_the_middle_of_a_phrase() -> None:
    sentence = " ".join(["Word"] + ["word"] * 49) + "."
    assert trim(sentence).text == sentence  # no clause boundary: keep it whole rather than break it


def test_dateline_variants() -> None:
    assert strip_dateline("HALVERSTAD, June 9 — The authority agreed.") == "The authority agreed."
    assert strip_dateline("WASHINGTON (AP) -- The Senate voted.") == "The Senate voted."
    assert strip_dateline("The Senate voted.") == "The Senate voted."
    # a place with its country, then the date; a date written day-first, as French wires do
    assert strip_dateline("BRNO, Czech Republic, Nov. 17 — The court ruled.") == "The court ruled."
    assert strip_dateline("LILLE, 26 mars — Le tribunal a condamné.") == "Le tribunal a condamné."
    assert strip_dateline("NATO, the alliance, said on Monday — nothing.").startswith("NATO")
    # with no capitals to go by (lower-cased text), or capitals outside A-Z: a place and a date
    assert strip_dateline("halverstad, june 9 — the authority agreed.") == "the authority agreed."
    assert strip_dateline("new york, oct. 3 (wire) — stocks fell.") == "stocks fell."
    assert (
        strip_dateline("BRASÍLIA, Aug. 12 (Business Wire) — The regulator ruled.") == "The regulator ruled."
    )
    assert strip_dateline("talks resumed, the union said on june 9 — again.").startswith("talks resumed")


def test_shorten_cuts_at_a_clause_for_headlines() -> None:
    text = (
        "The port authority and the union agreed on Tuesday to return to the table, as a strike that has "
        "idled the terminal entered its second week."
    )
    assert shorten(text, 16) == "The port authority and the union agreed on Tuesday to return to the table."


def test_item_texts_drop_asides_and_trailing_elaboration() -> None:
    sentence = (
        "The businessman, Cornel Voicu, the majority owner of the operator, was sentenced to four years "
        "for giving bribes, leaving the company without a chief executive."
    )
    text = trim(sentence, asides=False).text
    assert text == "The businessman, Cornel Voicu was sentenced to four years for giving bribes."
    assert trim("Dobrescu (57) denied it, saying the case was political.", asides=False).text == (
        "Dobrescu denied it, saying the case was political."  # the rest would be too short to stand alone
    )


@pytest.mark.parametrize(
    ("sentence", "text", "speaker"),
    [
        (
            "The ministry said in a statement that the talks would resume.",
            "The talks would resume.",
            "The ministry",
        ),
        (
            "The regulator said in its ruling on Monday that the fees were unlawful.",
            "The fees were unlawful.",
            "The regulator",
        ),
        ("Ruiz said at a news conference in Lima that the fund was dead.", "The fund was dead.", "Ruiz"),
        ("Ruiz said in Lima the fund was dead.", "The fund was dead.", "Ruiz"),
    ],
)
def test_where_or_how_it_was_said_goes_with_the_attribution(sentence: str, text: str, speaker: str) -> None:
    trimmed = trim(sentence, max_words=30, asides=False)
    assert (trimmed.text, trimmed.attribution) == (text, speaker)


@pytest.mark.parametrize(
    "sentence", ["中国政府周二宣布了新的经济刺激计划。", "सरकार ने नई योजना की घोषणा की।", "你好吗？"]
)
def test_a_sentence_ending_in_its_own_script_gets_no_extra_full_stop(sentence: str) -> None:
    assert trim(sentence, max_words=30).text == sentence
