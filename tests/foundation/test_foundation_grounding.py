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


def test_short_unmatched_quote_is_not_fuzzy_matched() -> None:
    assert Locator(ARTICLE).locate("Geneve, Mars") is None


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
