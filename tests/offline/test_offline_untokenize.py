"""PTB-tokenized articles are briefed as written, their quotes still verbatim spans of the article."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.engines.offline.untokenize import MIN_SPLIT_MARKS, looks_tokenized, untokenize
from briefing.grounding import ground_brief
from briefing.models import Article

PAGES = Path(__file__).parent / "data" / "pages"
PTB = (PAGES / "ptb_tokenized.txt").read_text()


def test_tokenized_text_is_told_from_written_text() -> None:
    assert looks_tokenized(PTB)
    assert not looks_tokenized(untokenize(PTB).text)
    for path in sorted((Path(__file__).parent / "data").glob("*.yaml")):
        assert not looks_tokenized(path.read_text()), path.name
    # a few stray spaces before a comma are typos, not a tokenized text
    typos = " ".join(["The talks went on , and on."] * (MIN_SPLIT_MARKS - 1))
    assert not looks_tokenized(typos)
    assert looks_tokenized(" ".join(["The talks went on , and on ."] * MIN_SPLIT_MARKS))
    # more marks glued to their word than split off: written text with a few slips
    assert not looks_tokenized("It fell , sharply . " * MIN_SPLIT_MARKS + "It rose, then fell. " * 10)


def test_the_view_closes_ptb_spaces_and_restores_its_tokens() -> None:
    text = (
        "Rep. Jane Doe , the U.S. envoy , said `` We wo n't sign . '' The company 's shares fell "
        "5 % to $ 3.20 -LRB- a record -RRB- ; workers ca n't agree : `` No ! ''"
    )
    view = untokenize(text)
    assert view.text == (
        "Rep. Jane Doe, the U.S. envoy, said \"We won't sign.\" The company's shares fell "
        '5% to $3.20 (a record); workers can\'t agree: "No!"'
    )
    assert len(view.starts) == len(view.ends) == len(view.text)
    assert list(view.starts) == sorted(view.starts) and all(
        s < e for s, e in zip(view.starts, view.ends, strict=True)
    )
    for written, submitted in [
        ('"We won\'t sign."', "`` We wo n't sign . ''"),
        ("company's", "company 's"),
        ("(a record);", "-LRB- a record -RRB- ;"),
        ("$3.20", "$ 3.20"),
    ]:
        start = view.text.index(written)
        begin, end = view.span(start, start + len(written))
        assert text[begin:end] == submitted
    assert view.span(3, 3) == (3, 3)
    assert view.span(len(view.text), len(view.text)) == (len(text), len(text))


WRITTEN = untokenize(PTB).text


@pytest.fixture(scope="module")
def briefs() -> tuple[object, object]:
    engine = OfflineEngine(Settings())
    return engine.build(Article(text=PTB)), engine.build(Article(text=WRITTEN))


def test_a_tokenized_article_gets_the_brief_of_its_written_form(briefs) -> None:
    tokenized, written = briefs
    assert tokenized.headline == written.headline
    assert tokenized.summary == written.summary
    assert [(a.name, a.role, a.aliases) for a in tokenized.actors] == [
        (a.name, a.role, a.aliases) for a in written.actors
    ]
    for section in ("status", "disputes", "next_steps"):
        got = [item.model_dump(exclude={"evidence"}) for item in getattr(tokenized, section)]
        assert got == [item.model_dump(exclude={"evidence"}) for item in getattr(written, section)], section
    assert tokenized.status and "library ," not in tokenized.status[0].text  # items read as written


def test_its_quotes_are_verbatim_spans_of_the_submitted_text(briefs) -> None:
    tokenized, _ = briefs
    quotes = [evidence for item in tokenized.items() for evidence in item.evidence]
    assert quotes
    for evidence in quotes:
        assert PTB[evidence.start : evidence.end] == evidence.quote
    assert any(e.quote.startswith("`` This library") for e in quotes)
    grounded = ground_brief(tokenized, PTB)
    assert grounded.meta.grounded_ratio == 1.0
    assert all(e.grounded for item in grounded.items() for e in item.evidence)
