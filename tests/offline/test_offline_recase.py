"""All-lower-case articles: names get their capitals back, so the brief has actors."""

from __future__ import annotations

import pytest

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.engines.offline.recase import Recaser, is_lower_case
from briefing.engines.offline.sentences import SentenceSplitter
from briefing.models import Article

ARTICLE = (
    "warehouse workers at the parcelway site in groveport voted on thursday to join the united "
    "logistics workers, a union they have tried to form for two years. "
    "teresa ocampo, a picker who led the campaign, said the vote showed that workers wanted a say "
    "over their shifts. "
    "the company will file objections with the national labor relations board, spokesman marcus "
    "bell said in a statement. "
    "ocampo said the union would ask for talks next month. "
    "the labor board is expected to rule on the objections within weeks, and prime minister anna "
    "kowalczyk said she would not comment on a private dispute. "
    "will the workers strike? grant money for the site was not affected, officials said."
)


@pytest.fixture(scope="module")
def recased() -> str:
    sentences = SentenceSplitter().split(ARTICLE)
    return " ".join(sentence.text for sentence in Recaser().recase(sentences))


def test_only_letter_case_changes(recased: str) -> None:
    sentences = SentenceSplitter().split(ARTICLE)
    for before, after in zip(sentences, Recaser().recase(sentences), strict=True):
        assert (after.start, after.end, after.index) == (before.start, before.end, before.index)
        assert after.text.lower() == before.text
        assert len(after.text) == len(before.text)


def test_people_organizations_and_titles_are_capitalized(recased: str) -> None:
    assert "Teresa Ocampo" in recased
    assert "Marcus Bell" in recased  # an everyday surname after a given name
    assert "Ocampo said the union" in recased  # a bare surname, once the full name is known
    assert "National Labor Relations Board" in recased
    assert "Prime Minister Anna Kowalczyk" in recased


def test_everyday_words_that_are_given_names_stay_lower(recased: str) -> None:
    assert "will the workers strike" in recased.lower()
    assert "Will the" not in recased  # "will" is a given name, but not followed by a surname
    assert "Grant money" not in recased
    assert "Said" not in recased
    assert "Labor Board Is" not in recased


def test_the_check_for_lower_case_text() -> None:
    assert is_lower_case(ARTICLE)
    cased = ". ".join(sentence.capitalize() for sentence in ARTICLE.split(". "))
    assert not is_lower_case(cased.replace("teresa ocampo", "Teresa Ocampo"))
    assert not is_lower_case("too short")


def test_a_lower_case_article_gets_actors_with_exact_quotes() -> None:
    engine = OfflineEngine(Settings())
    brief = engine.build(Article(text=ARTICLE))
    names = {actor.name for actor in brief.actors}
    assert {"Teresa Ocampo", "Marcus Bell"} <= names
    assert any("Labor Relations Board" in name or name == "Labor Board" for name in names)
    for actor in brief.actors:
        for evidence in actor.evidence:
            assert ARTICLE[evidence.start : evidence.end] == evidence.quote  # the article's own text


def test_a_cased_article_is_not_recased() -> None:
    text = "Teresa Ocampo said the union would ask for talks. The company said it would appeal."
    engine = OfflineEngine(Settings())
    brief = engine.build(Article(text=text))
    assert engine._recaser is None  # the recasing pass never ran
    assert "Teresa Ocampo" in {actor.name for actor in brief.actors}


def test_a_name_right_after_a_short_word_or_at_the_start() -> None:
    sentences = SentenceSplitter().split("so teresa ocampo spoke first. teresa ocampo then left the hall.")
    recased = " ".join(sentence.text for sentence in Recaser().recase(sentences))
    assert recased == "so Teresa Ocampo spoke first. Teresa Ocampo then left the hall."


@pytest.mark.parametrize(
    ("text", "names", "common"),
    [
        (
            "the regulator fined the power company for dirty water. the steel plant closed.",
            [],
            ["power company", "dirty water", "steel plant"],
        ),
        (
            "the ministry of transport and the national labor relations board met the public service union.",
            ["Ministry of Transport", "National Labor Relations Board", "Public Service Union"],
            [],
        ),
    ],
)
def test_only_words_that_head_a_body_make_a_lower_case_run_a_name(
    text: str, names: list[str], common: list[str]
) -> None:
    recased = " ".join(s.text for s in Recaser().recase(SentenceSplitter().split(text)))
    for name in names:
        assert name in recased, recased
    for words in common:
        assert words in recased, recased  # still lower case: "power", "water", "steel" head no name
