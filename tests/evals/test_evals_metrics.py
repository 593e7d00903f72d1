"""Metric tests on hand-made cases whose right scores are known."""

from __future__ import annotations

import pytest
from rouge_score.tokenizers import DefaultTokenizer

from briefing.evaluation.dataset import GoldBrief
from briefing.evaluation.match import (
    match_actors,
    match_texts,
    name_similarity,
    text_similarity,
)
from briefing.evaluation.metrics import aggregate, grounded_rate, percentile, score_gold, summary_rouge
from briefing.evaluation.tokenize import UnicodeTokenizer, tokenize
from briefing.models import Actor, Brief, BriefMeta, Dispute, Evidence, NextStep, StatusItem

GOLD = GoldBrief.model_validate(
    {
        "headline": "Council approves new tram line after long debate",
        "summary": "The city council approved the northern tram line. Construction starts in May.",
        "actors": [
            {"name": "Volodymyr Zelenskyy", "role": "President of Ukraine", "aliases": ["Zelensky"]},
            {"name": "Maria Lopez", "role": "council speaker"},
        ],
        "status": [
            {"text": "The council approved the northern tram line by 31 votes to 12."},
            {"text": "The budget for the line is 420 million euros."},
        ],
        "disputes": [{"issue": "Whether the line should run through the old market square", "parties": []}],
        "next_steps": [
            {"action": "Construction of the first section starts in May", "who": "city", "when": "May"}
        ],
    }
)


def _brief(**fields: object) -> Brief:
    base: dict = {"headline": "h", "summary": "s", "meta": BriefMeta(engine="test")}
    base.update(fields)
    return Brief(**base)


def _perfect() -> Brief:
    return _brief(
        headline=GOLD.headline,
        summary=GOLD.summary,
        actors=[Actor(name=a.name, role=a.role, aliases=a.aliases) for a in GOLD.actors],
        status=[StatusItem(text=s.text) for s in GOLD.status],
        disputes=[Dispute(issue=d.issue) for d in GOLD.disputes],
        next_steps=[NextStep(action=n.action) for n in GOLD.next_steps],
    )


def test_perfect_prediction_scores_one_everywhere() -> None:
    scores, _ = score_gold(GOLD, _perfect())
    for name in ("actor", "status", "disputes", "next_steps"):
        assert scores[f"{name}_precision"] == 1.0
        assert scores[f"{name}_recall"] == 1.0
        assert scores[f"{name}_f1"] == 1.0
    assert scores["rouge1"] == pytest.approx(1.0)
    assert scores["rougeL"] == pytest.approx(1.0)
    assert scores["schema_valid_rate"] == 1.0


def test_disjoint_prediction_scores_zero() -> None:
    brief = _brief(
        summary="Heavy snowfall closed mountain passes across the region overnight.",
        actors=[Actor(name="Olaf Scholz")],
        status=[StatusItem(text="Snow ploughs worked through the night on mountain roads.")],
        disputes=[Dispute(issue="Who pays for avalanche barriers")],
        next_steps=[NextStep(action="Forecasters issue a new snowfall warning on Friday")],
    )
    scores, matches = score_gold(GOLD, brief)
    for name in ("actor", "status", "disputes", "next_steps"):
        assert scores[f"{name}_f1"] == 0.0
    assert scores["rouge2"] == 0.0
    assert matches.actors is not None and matches.actors.gold_match == (None, None)


def test_one_of_two_gold_items_found_gives_recall_half() -> None:
    brief = _brief(status=[StatusItem(text="The council approved the northern tram line by 31 votes to 12.")])
    scores, matches = score_gold(GOLD, brief)
    assert scores["status_recall"] == 0.5
    assert scores["status_precision"] == 1.0
    assert scores["status_f1"] == pytest.approx(2 / 3)
    assert matches.sections["status"].gold_match == (0, None)


def test_an_extra_item_halves_precision() -> None:
    result = match_texts(
        ["The budget is 420 million euros."],
        ["The budget is 420 million euros.", "A bakery opened on the high street."],
    )
    assert (result.precision, result.recall) == (0.5, 1.0)
    assert result.pred_match == (0, None)


def test_surname_matches_full_name() -> None:
    assert name_similarity("Zelenskyy", "Volodymyr Zelenskyy") >= 0.85
    assert name_similarity("President Zelenskyy", "Volodymyr Zelenskyy") >= 0.85
    assert name_similarity("Zelensky", "Zelenskyy") >= 0.85
    assert name_similarity("Olaf Scholz", "Volodymyr Zelenskyy") < 0.5
    assert name_similarity("Angela Merkel", "Angela Davis") < 0.85


def test_accents_and_case_do_not_matter() -> None:
    assert name_similarity("José Álvarez", "jose alvarez") == 1.0


def test_alias_matches_and_role_mismatch_keeps_the_match() -> None:
    result = match_actors(
        [["Volodymyr Zelenskyy", "Zelensky"], ["Maria Lopez"]],
        [["Zelensky"], ["Maria López"]],
    )
    assert result.recall == 1.0 and result.precision == 1.0
    brief = _brief(actors=[Actor(name="Zelenskyy", role="mayor of Kyiv")])
    scores, _ = score_gold(GOLD, brief)
    assert scores["actor_recall"] == 0.5
    assert scores["actor_precision"] == 1.0


def test_one_predicted_actor_cannot_match_two_gold_actors() -> None:
    result = match_actors([["Volodymyr Zelenskyy"], ["Olena Zelenska", "Zelenska"]], [["Zelenskyy"]])
    assert result.recall == 0.5
    assert result.precision == 1.0
    assert result.gold_match == (0, None)


def test_empty_sides() -> None:
    both = match_texts([], [])
    assert (both.precision, both.recall, both.f1) == (1.0, 1.0, 1.0)
    missing = match_texts(["Something happened."], [])
    assert (missing.precision, missing.recall, missing.f1) == (0.0, 0.0, 0.0)
    invented = match_actors([], [["Someone"]])
    assert invented.f1 == 0.0


def test_paraphrase_clears_the_section_threshold_but_unrelated_text_does_not() -> None:
    gold = "The recount ended with the incumbent ahead by 312 votes."
    paraphrase = "Officials said the recount was complete and the incumbent led by 312 votes."
    unrelated = "The weather service expects rain over the weekend in the north."
    assert text_similarity(gold, paraphrase) >= 0.30
    assert text_similarity(gold, unrelated) < 0.30


def test_grounded_rate_counts_items_with_located_evidence() -> None:
    brief = _brief(
        status=[
            StatusItem(text="a", evidence=[Evidence(quote="x", grounded=True)], grounded=True),
            StatusItem(text="b", evidence=[Evidence(quote="y", grounded=False)], grounded=False),
            StatusItem(text="c", grounded=False),
        ],
        actors=[Actor(name="A", grounded=True, evidence=[Evidence(quote="z", grounded=True)])],
    )
    assert grounded_rate(brief) == 0.5
    assert grounded_rate(_brief()) is None


def test_unicode_tokenizer_equals_default_on_ascii() -> None:
    text = "The ministers' talks, held on March 3rd (2026), were cancelled by officials!"
    assert UnicodeTokenizer().tokenize(text) == DefaultTokenizer(use_stemmer=True).tokenize(text)


def test_unicode_tokenizer_keeps_non_latin_scripts() -> None:
    assert DefaultTokenizer(use_stemmer=True).tokenize("Президент подписал закон") == []
    assert tokenize("Президент подписал закон") == ["президент", "подписал", "закон"]
    assert tokenize("東京 results") == ["東", "京", "result"]


def test_cyrillic_summary_scores_above_zero() -> None:
    reference = "Парламент одобрил бюджет на следующий год. Оппозиция голосовала против."
    prediction = "Парламент одобрил бюджет. Оппозиция была против."
    scores = summary_rouge(reference, prediction)
    assert scores["rouge1"] > 0.5
    assert scores["rouge2"] > 0.0
    assert summary_rouge(reference, "Совсем другой текст про погоду.")["rouge1"] == 0.0


def test_rouge_lsum_uses_sentence_lines() -> None:
    reference = "The council met on Monday.\nIt approved the budget."
    same_sentences_swapped = "It approved the budget.\nThe council met on Monday."
    scores = summary_rouge(reference, same_sentences_swapped)
    assert scores["rougeLsum"] == pytest.approx(1.0)
    assert scores["rougeL"] < 1.0


def test_aggregate_is_a_macro_average_skipping_undefined_values() -> None:
    result = aggregate(
        [{"actor_f1": 1.0, "grounded_rate": None}, {"actor_f1": 0.5, "grounded_rate": 0.5}],
        ["actor_f1", "grounded_rate", "status_f1"],
        costs=[{"llm_calls": 2, "latency_ms": 10.0}, {"llm_calls": 3, "latency_ms": 30.0}],
    )
    assert result["actor_f1"] == 0.75
    assert result["grounded_rate"] == 0.5
    assert result["status_f1"] is None
    assert result["llm_calls"] == 5
    assert result["latency_ms_p50"] == 10.0


def test_percentile_nearest_rank() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == 4.0
    assert percentile([], 50) == 0.0
