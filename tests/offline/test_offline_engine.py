"""The offline engine end to end: contract, golden articles, determinism, odd input, pipeline."""

from __future__ import annotations

import asyncio

import pytest
from offline_quality import load_cases, score

from briefing.config import Settings
from briefing.engines import get_engine
from briefing.engines.offline import OfflineEngine
from briefing.models import Article, BriefOptions
from briefing.pipeline import Briefer


def brief(settings: Settings, text: str, **fields):
    return asyncio.run(OfflineEngine(settings).brief(Article(text=text, **fields), BriefOptions()))


def test_contract(settings: Settings) -> None:
    engine = get_engine("offline", settings)
    assert isinstance(engine, OfflineEngine)
    assert engine.name == "offline"
    assert engine.model is None
    assert engine.prompt_version.startswith("offline-1+")
    assert engine.prompt_version == OfflineEngine(settings).prompt_version
    assert Settings(data_dir=settings.data_dir).default_engine == "offline"


async def test_meta_says_offline_and_free(settings: Settings) -> None:
    case = load_cases()[0]
    result = await OfflineEngine(settings).brief(Article(text=case["article"]), BriefOptions())
    assert result.meta.engine == "offline"
    assert result.meta.model is None
    assert result.meta.llm_calls == 0
    assert result.meta.prompt_tokens == result.meta.completion_tokens == 0
    assert result.meta.cost_usd == 0.0
    assert result.meta.warnings == []


@pytest.fixture(scope="module")
def golden():
    return score(load_cases())


def test_golden_quality_meets_the_bar(golden) -> None:
    figures, _ = golden
    report = figures.report()
    assert report["actor_f1"] >= 0.75, report
    assert report["status_recall"] >= 0.5, report
    assert report["dispute_recall"] >= 0.5, report
    assert report["next_step_recall"] >= 0.5, report
    assert report["grounded"] == 1.0, report
    assert report["rouge1"] > report["lead3_rouge1"], report


def test_golden_briefs_are_grounded_by_construction(golden) -> None:
    _, briefs = golden
    cases = load_cases()
    for case, result in zip(cases, briefs, strict=True):
        text = Article(text=case["article"]).text
        assert result.headline and result.summary
        assert 3 <= len(result.actors) <= 8
        for item in result.items():
            assert item.grounded is True
            for evidence in item.evidence:
                assert evidence.quote in text
                assert text[evidence.start : evidence.end] == evidence.quote


def test_golden_specifics(golden) -> None:
    _, briefs = golden
    by_id = dict(zip([case["id"] for case in load_cases()], briefs, strict=True))
    transit = by_id["offline-transit-line"]
    okafor = next(actor for actor in transit.actors if actor.name == "Daniel Okafor")
    assert okafor.role == "Mayor" and "Okafor" in okafor.aliases
    steps = {step.when: step for step in transit.next_steps}
    assert steps["next week"].certainty == "planned"
    chip = by_id["offline-chip-plant"]
    assert "Marta Keller" not in {actor.name for actor in chip.actors}  # byline
    assert all("Reporting by" not in item.evidence[0].quote for item in chip.items())
    fishing = by_id["offline-fishing-quota"]
    dispute = next(d for d in fishing.disputes if "accused" in d.evidence[0].quote)
    assert {"Norway", "Iceland"} <= set(dispute.parties)


def test_deterministic(settings: Settings) -> None:
    text = load_cases()[1]["article"]
    first = brief(settings, text).model_dump_json()
    second = OfflineEngine(settings).build(Article(text=text)).model_dump_json()
    assert first == second


def test_title_line_becomes_headline_and_is_not_an_item(settings: Settings) -> None:
    text = (
        "Port strike enters second week\n\n"
        "Dockworkers at Halverstad stayed out on Monday. Talks will resume on Thursday."
    )
    result = brief(settings, text)
    assert result.headline == "Port strike enters second week"
    assert all("Port strike enters" not in item.evidence[0].quote for item in result.items())


def test_headline_derived_when_there_is_no_title(settings: Settings) -> None:
    result = brief(settings, "MILLBROOK — The council voted to delay the rail line on Monday. Work stopped.")
    assert result.headline == "The council voted to delay the rail line"  # no dateline, no day


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("", "no sentences"),
        ("<div><span>x</span></div>\n| a | b | c | d |\nThe council met on Monday.", "markup"),
        (
            "Die Regierung hat am Montag einen neuen Plan vorgestellt. Die Opposition kritisierte den Plan "
            "scharf und kündigte Widerstand im Parlament an. Eine Abstimmung ist für nächste Woche geplant.",
            "English-only",
        ),
        (" ".join(["the strike goes on and the port stays closed"] * 40), "very long"),
    ],
)
def test_odd_input_never_crashes_and_says_why(settings: Settings, text: str, warning: str) -> None:
    result = brief(settings, text)
    assert any(warning in w for w in result.meta.warnings), result.meta.warnings
    assert result.headline


def test_declared_language_is_honoured(settings: Settings) -> None:
    result = brief(
        settings, "Le gouvernement a présenté un plan. Les syndicats ont rejeté le plan.", language="fr"
    )
    assert any("English-only" in w for w in result.meta.warnings)
    assert result.status == result.disputes == result.next_steps == []
    assert result.summary


def test_through_the_pipeline(settings: Settings) -> None:
    case = load_cases()[2]
    result = asyncio.run(
        Briefer(settings).brief(Article(text=case["article"]), BriefOptions(engine="offline"))
    )
    assert result.meta.engine == "offline"
    assert result.meta.grounded_ratio == 1.0
    assert result.article_id == Article(text=case["article"]).id


def _long_article(sentences: int) -> str:
    return "\n\n".join(
        f"The council of Town{index} met on Monday and approved budget number {index}."
        for index in range(sentences)
    )


def test_a_very_long_article_is_briefed_from_its_first_sentences(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.engines.offline import engine as offline_engine

    monkeypatch.setattr(offline_engine, "MAX_SENTENCES", 50)
    text = _long_article(80)
    made = OfflineEngine(settings).build(Article(text=text))
    assert any("only its first 50 sentences were briefed" in w for w in made.meta.warnings)
    limit = text.index("Town50 ")
    quotes = [e for item in made.items() for e in item.evidence]
    assert quotes and all(e.end is not None and e.end <= limit for e in quotes)
    assert made.summary and not any(f"Town{index} " in made.summary for index in range(50, 80))
    # a short article gets no such warning
    short = OfflineEngine(settings).build(Article(text=_long_article(10)))
    assert not any("very long" in w for w in short.meta.warnings)


def test_only_the_first_characters_of_a_huge_text_are_split(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.engines.offline import engine as offline_engine

    monkeypatch.setattr(offline_engine, "MAX_CHARS", 2_000)
    text = _long_article(200)
    made = OfflineEngine(settings).build(Article(text=text))
    assert any("very long" in w and f"{len(text):,} characters" in w for w in made.meta.warnings)
    assert all(e.end <= 2_000 for item in made.items() for e in item.evidence if e.end is not None)
