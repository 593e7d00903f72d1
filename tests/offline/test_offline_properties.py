"""Property tests: any text gives a valid brief whose every quote is in the article."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.models import Article, Brief

ENGINE = OfflineEngine(Settings())

words = st.sampled_from(
    [
        "The",
        "council",
        "will",
        "vote",
        "next",
        "week",
        "Mayor",
        "Daniel",
        "Okafor",
        "said",
        "denied",
        "accused",
        "Russia",
        "Russian",
        "forces",
        "U.S.",
        "Dr.",
        "3.5",
        "percent",
        '"We',
        "are",
        'ready,"',
        "<div>",
        "</p>",
        "&nbsp;",
        "|",
        "—",
        "KYIV,",
        "(Reuters)",
        "on",
        "hold",
        "remains",
        "Über",
        "日本",
        "Москва",
        "By",
        "Jane",
        "Smith",
        "Editing",
        "by",
        ".",
        ",",
        "\n",
        "\n\n",
        "?",
        "!",
        "'s",
        "NATO",
    ]
)
news_like = st.lists(words, max_size=120).map(" ".join)
any_text = st.text(max_size=600)


def check(text: str) -> Brief:
    article = Article(text=text)
    result = ENGINE.build(article)
    Brief.model_validate(result.model_dump())  # round-trips as a valid Brief
    assert result.meta.engine == "offline"
    for item in result.items():
        assert item.evidence
        for evidence in item.evidence:
            assert evidence.quote and evidence.quote in article.text
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(news_like)
def test_news_like_text(text: str) -> None:
    check(text)


@settings(max_examples=150, deadline=None)
@given(any_text)
def test_arbitrary_unicode(text: str) -> None:
    check(text)


@settings(max_examples=40, deadline=None)
@given(news_like)
def test_same_input_same_brief(text: str) -> None:
    article = Article(text=text)
    assert ENGINE.build(article).model_dump_json() == ENGINE.build(article).model_dump_json()
