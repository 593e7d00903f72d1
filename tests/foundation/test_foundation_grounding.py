from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from briefing.grounding import Locator, NormalizedText, ground_brief
from briefing.models import Actor, Brief, BriefMeta, Dispute, Evidence, NextStep, StatusItem

ARTICLE = (
    "GENEVA, March 14 \u2014 Foreign Minister Ana Ruiz said on Friday that "
    "\u201ctalks will resume next week\u201d.\n\n"
    "The ministry's spokesman, Karl  Brandt, denied reports that the delegation had walked out."
)


def _brief(*quotes: str) -> Brief:
    return Brief(
        headline="h",
        summary="s",
        status=[StatusItem(text=f"item {i}", evidence=[Evidence(quote=q)]) for i, q in enumerate(quotes)],
        meta=BriefMeta(engine="test"),
    )


def test_exact_quote_gets_offsets() -> None:
    quote = "denied reports that the delegation had walked out"
    brief = ground_brief(_brief(quote), ARTICLE)
    evidence = brief.status[0].evidence[0]
    assert evidence.grounded is True
    assert ARTICLE[evidence.start : evidence.end] == quote
    assert brief.meta.grounded_ratio == 1.0


def test_quote_marks_dashes_case_and_whitespace_are_normalized() -> None:
    quote = 'said on friday that "Talks will resume next week"'
    evidence = ground_brief(_brief(quote), ARTICLE).status[0].evidence[0]
    assert evidence.grounded
    located = ARTICLE[evidence.start : evidence.end]
    assert located.startswith("said on Friday") and located.endswith("next week")
    # the stored quote becomes the verbatim article text
    assert evidence.quote == located


def test_double_space_in_article_matches_single_space_quote() -> None:
    evidence = ground_brief(_brief("spokesman, Karl Brandt, denied"), ARTICLE).status[0].evidence[0]
    assert evidence.grounded and ARTICLE[evidence.start : evidence.end] == "spokesman, Karl  Brandt, denied"


def test_small_typo_is_found_fuzzily() -> None:
    evidence = ground_brief(_brief("denied report that the delegation had walked out"), ARTICLE)
    assert evidence.status[0].evidence[0].grounded


def test_fabricated_quote_is_flagged_and_dropped_in_strict_mode() -> None:
    brief = _brief("talks will resume next week", "the minister resigned in disgrace after the vote")
    flagged = ground_brief(brief, ARTICLE)
    assert [item.grounded for item in flagged.status] == [True, False]
    assert flagged.meta.grounded_ratio == 0.5
    assert any("not found" in warning for warning in flagged.meta.warnings)
    strict = ground_brief(brief, ARTICLE, mode="strict")
    assert [item.text for item in strict.status] == ["item 0"]


def test_item_without_evidence_is_ungrounded() -> None:
    brief = Brief(
        headline="h",
        summary="s",
        actors=[Actor(name="Ana Ruiz", evidence=[Evidence(quote="Foreign Minister Ana Ruiz")])],
        disputes=[Dispute(issue="walkout", parties=["Brandt"])],
        next_steps=[
            NextStep(action="talks resume", evidence=[Evidence(quote="talks will resume next week")])
        ],
        meta=BriefMeta(engine="test"),
    )
    grounded = ground_brief(brief, ARTICLE)
    assert grounded.actors[0].grounded and grounded.next_steps[0].grounded
    assert grounded.disputes[0].grounded is False
    assert grounded.meta.grounded_ratio == 2 / 3


def test_multi_article_evidence_is_checked_against_its_own_article() -> None:
    other = "Rain fell across the valley on Sunday."
    brief = Brief(
        headline="h",
        summary="s",
        status=[
            StatusItem(text="a", evidence=[Evidence(quote="Rain fell across the valley", article_id="b")]),
            StatusItem(text="b", evidence=[Evidence(quote="Rain fell across the valley", article_id="a")]),
        ],
        meta=BriefMeta(engine="test"),
    )
    grounded = ground_brief(brief, {"a": ARTICLE, "b": other})
    assert [item.grounded for item in grounded.status] == [True, False]


@given(st.text(min_size=1, max_size=300), st.data())
def test_any_substring_is_located_at_an_equivalent_span(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    found = Locator(text).locate(quote)
    if quote.strip():
        assert found is not None
        folded = NormalizedText.of(text[found[0] : found[1]]).text
        assert NormalizedText.of(quote).text.strip(" .,;:'\"") in folded


# --- regressions a mutation run found unguarded ------------------------------------------------


def test_short_quote_is_not_fuzzy_matched_to_a_near_miss() -> None:
    # "the minister" scores ~92 against "the ministry" (above the fuzzy cutoff): only the
    # minimum-length guard stops a 12-character near miss from counting as evidence.
    text = "The ministry said nothing on Friday."
    assert Locator(text).locate("the minister") is None
    assert ground_brief(_brief("the minister"), text).status[0].grounded is False


def test_long_near_miss_is_still_fuzzy_matched() -> None:
    # the same one-letter difference in a quote long enough to fuzzy-match is found
    text = "The ministry said nothing on Friday about the talks."
    assert Locator(text).locate("the ministry said nothing on Fridey") is not None


def test_grounding_min_score_is_honoured() -> None:
    quote = "denied report that the delegation had walked out"  # one letter off: scores ~99
    assert ground_brief(_brief(quote), ARTICLE).status[0].grounded is True
    strict_score = ground_brief(_brief(quote), ARTICLE, min_score=99.9)
    assert strict_score.status[0].grounded is False
    assert strict_score.status[0].evidence[0].start is None
    multi = ground_brief(_brief(quote), {"a": ARTICLE}, min_score=99.9)
    assert multi.status[0].grounded is False


def test_locator_min_score_is_honoured() -> None:
    quote = "denied reprts that the delegation hd walked out"
    assert Locator(ARTICLE).locate(quote) is not None
    assert Locator(ARTICLE, min_score=99.0).locate(quote) is None


def test_evidence_naming_an_unknown_article_is_not_grounded_in_a_multi_article_story() -> None:
    first = "Rain fell across the valley on Sunday."
    second = "Snow closed the mountain pass on Monday."
    brief = Brief(
        headline="h",
        summary="s",
        status=[
            StatusItem(text="x", evidence=[Evidence(quote="Rain fell across the valley", article_id="zzz")]),
            StatusItem(text="y", evidence=[Evidence(quote="Rain fell across the valley")]),
            StatusItem(text="z", evidence=[Evidence(quote="Snow closed the mountain pass", article_id="b")]),
        ],
        meta=BriefMeta(engine="test"),
    )
    grounded = ground_brief(brief, {"a": first, "b": second})
    assert [item.grounded for item in grounded.status] == [False, False, True]
    assert grounded.status[0].evidence[0].start is None
    assert grounded.meta.grounded_ratio == 1 / 3


def test_single_article_mapping_grounds_evidence_without_a_known_id() -> None:
    text = "Rain fell across the valley on Sunday."
    brief = Brief(
        headline="h",
        summary="s",
        status=[
            StatusItem(text="x", evidence=[Evidence(quote="Rain fell across the valley", article_id="zzz")]),
            StatusItem(text="y", evidence=[Evidence(quote="Rain fell across the valley")]),
        ],
        meta=BriefMeta(engine="test"),
    )
    grounded = ground_brief(brief, {"only": text})
    assert [item.grounded for item in grounded.status] == [True, True]


def test_first_occurrence_is_highlighted() -> None:
    text = "Talks will resume. Later, officials said talks will resume. Nobody said talks will resume."
    exact = Locator(text).locate("talks will resume")
    assert exact == (41, 58) and text[exact[0] : exact[1]] == "talks will resume"
    folded = Locator(text).locate("TALKS will resume")  # found after folding case
    assert folded == (0, 17)
    fuzzy_text = "the delegation has walked out. Then the delegation has walked out again."
    fuzzy = Locator(fuzzy_text).locate("the delegation had walked out")
    assert fuzzy is not None and fuzzy[0] == 0


def test_exact_match_offsets_are_the_quote_span() -> None:
    text = "Officials said talks will resume next week."
    assert Locator(text).locate("talks will resume") == (15, 32)
    assert Locator(text).locate("  talks will resume  ") == (15, 32)
    assert Locator(text).locate('"talks will resume."') == (15, 32)


def test_input_brief_is_not_modified() -> None:
    brief = _brief('said on friday that "Talks will resume next week"', "invented words nobody said here")
    before = brief.model_dump()
    grounded = ground_brief(brief, ARTICLE)
    assert brief.model_dump() == before
    assert grounded.status[0].grounded is True and brief.status[0].grounded is None
    assert grounded.meta.warnings and not brief.meta.warnings


def test_in_place_grounding_updates_the_given_brief() -> None:
    brief = _brief("talks will resume next week")
    result = ground_brief(brief, ARTICLE, in_place=True)
    assert result is brief and brief.status[0].grounded is True


def test_empty_and_punctuation_only_quotes_are_not_located() -> None:
    locator = Locator(ARTICLE)
    assert locator.locate("   ") is None
    assert locator.locate(" ... ") is None
    assert locator.locate(ARTICLE + " and a great deal more text that the article does not hold") is None


def test_grounded_ratio_is_none_without_items_and_no_warning_when_all_grounded() -> None:
    empty = ground_brief(Brief(headline="h", summary="s", meta=BriefMeta(engine="test")), ARTICLE)
    assert empty.meta.grounded_ratio is None and empty.meta.warnings == []
    full = ground_brief(_brief("talks will resume next week"), ARTICLE, mode="strict")
    assert full.meta.warnings == [] and len(full.status) == 1


def test_strict_mode_drops_ungrounded_items_of_every_section() -> None:
    bad = [Evidence(quote="words the article never contained at all")]
    good = [Evidence(quote="talks will resume next week")]
    brief = Brief(
        headline="h",
        summary="s",
        actors=[Actor(name="A", evidence=bad), Actor(name="B", evidence=good)],
        status=[StatusItem(text="a", evidence=bad), StatusItem(text="b", evidence=good)],
        disputes=[Dispute(issue="a", evidence=bad), Dispute(issue="b", evidence=good)],
        next_steps=[NextStep(action="a", evidence=bad), NextStep(action="b", evidence=good)],
        meta=BriefMeta(engine="test"),
    )
    strict = ground_brief(brief, ARTICLE, mode="strict")
    assert [a.name for a in strict.actors] == ["B"]
    assert [s.text for s in strict.status] == ["b"]
    assert [d.issue for d in strict.disputes] == ["b"]
    assert [n.action for n in strict.next_steps] == ["b"]
    assert strict.meta.warnings == [
        "grounding: dropped 4 quote(s) not found in the article and 4 item(s) left without evidence"
    ]
    flagged = ground_brief(brief, ARTICLE)
    assert flagged.meta.warnings == ["grounding: 4 of 8 quote(s) not found in the article, in 4 item(s)"]
    assert len(flagged.actors) == 2


# --- survivors of the full mutation run (`make mutation`) ---------------------------------------


def test_folding_drops_leading_repeated_and_trailing_whitespace_and_lowercases() -> None:
    folded = NormalizedText.of("  Talks \u00a0 WILL\n\nresume  ")
    assert folded.text == "talks will resume"
    # every folded character maps back to the original one it came from
    assert folded.origin == [2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21]
    assert folded.span(0, 5) == (2, 7)


def test_short_quote_found_after_folding_at_the_very_start() -> None:
    # too short for the fuzzy pass: only the folded exact search at offset 0 finds it
    assert Locator("Talks resume now.").locate("TALKS resume") == (0, 12)


def test_a_quote_of_exactly_the_minimum_length_is_fuzzy_matched() -> None:
    text = "The ministry said nothing on Friday."
    assert Locator(text).locate("ministry sxid no") == (4, 20)  # 16 characters, one letter off


def test_a_near_miss_as_long_as_the_whole_text_is_fuzzy_matched() -> None:
    assert Locator("the ministry said nothing").locate("the ministry said nothinq") == (0, 24)


def test_default_cutoff_is_ninety() -> None:
    text = "Officials said the talks will resume next week in Geneva."
    quote = "the talkz will rezume"  # two letters off in 21: scores 90.48
    assert Locator(text).locate(quote) == (15, 36)
    assert ground_brief(_brief(quote), text).status[0].grounded is True
    assert Locator(text, min_score=91.0).locate(quote) is None


def test_warnings_count_items_with_unfound_quotes_and_items_without_evidence() -> None:
    good = [Evidence(quote="talks will resume next week")]
    bad = [Evidence(quote="words the article never contained at all")]
    brief = Brief(
        headline="h",
        summary="s",
        status=[StatusItem(text="a", evidence=bad), StatusItem(text="b", evidence=[*bad, *good])],
        disputes=[Dispute(issue="c", evidence=good), Dispute(issue="d")],
        next_steps=[NextStep(action="e", evidence=good), NextStep(action="f", evidence=good)],
        meta=BriefMeta(engine="test"),
    )
    flagged = ground_brief(brief, ARTICLE)
    # 2 items hold an unfound quote, 4 hold a found one: the count is of the first kind
    assert flagged.meta.warnings == [
        "grounding: 2 of 6 quote(s) not found in the article, in 2 item(s)",
        "grounding: 1 item(s) have no evidence",
    ]


def test_regrounding_replaces_old_grounding_warnings_and_keeps_the_others() -> None:
    for mode in ("flag", "strict"):
        brief = _brief("talks will resume next week", "words the article never contained at all")
        brief.meta.warnings = ["grounding: stale count", "engine: fell back to lead"]
        grounded = ground_brief(brief, ARTICLE, mode=mode)  # type: ignore[arg-type]
        assert grounded.meta.warnings[0] == "engine: fell back to lead", mode
        assert "grounding: stale count" not in grounded.meta.warnings, mode
        assert len(grounded.meta.warnings) == 2, mode
