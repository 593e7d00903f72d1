"""Metric tests on hand-made cases whose right scores are known."""

from __future__ import annotations

import pytest
from rouge_score.tokenizers import DefaultTokenizer

from briefing.evaluation.dataset import GoldBrief
from briefing.evaluation.match import (
    f1_score,
    match_actors,
    match_texts,
    name_similarity,
    name_tokens,
    text_similarity,
)
from briefing.evaluation.metrics import (
    aggregate,
    grounded_rate,
    percentile,
    schema_valid,
    score_gold,
    score_reference,
    summary_rouge,
)
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


# --- regressions a mutation run found unguarded ------------------------------------------------


def test_f1_is_the_harmonic_mean_when_precision_and_recall_differ() -> None:
    assert f1_score(0.5, 0.25) == pytest.approx(1 / 3)
    assert f1_score(0.25, 0.5) == pytest.approx(1 / 3)
    assert f1_score(0.0, 0.0) == 0.0
    assert f1_score(1.0, 0.0) == 0.0


def test_section_scores_with_asymmetric_precision_and_recall() -> None:
    gold = ["The budget is 420 million euros.", "The council approved the tram line."]
    pred = [
        "The budget is 420 million euros.",
        "A bakery opened on the high street.",
        "Snow fell overnight in the mountains.",
    ]
    result = match_texts(gold, pred)
    assert result.precision == pytest.approx(1 / 3)
    assert result.recall == pytest.approx(1 / 2)
    assert result.f1 == pytest.approx(0.4)
    assert result.gold_match == (0, None) and result.pred_match == (0, None, None)
    assert (result.matched_gold, result.matched_pred) == (1, 1)


def test_actor_scores_with_asymmetric_precision_and_recall() -> None:
    result = match_actors(
        [["Maria Lopez"], ["Olaf Scholz"]],
        [["Maria López"], ["Jane Doe"], ["John Smith"]],
    )
    assert (result.precision, result.recall) == (pytest.approx(1 / 3), 0.5)
    assert result.f1 == pytest.approx(0.4)
    brief = _brief(
        actors=[Actor(name="Maria Lopez"), Actor(name="Jane Doe"), Actor(name="John Smith")],
        status=[
            StatusItem(text="The budget for the line is 420 million euros."),
            StatusItem(text="A bakery opened on the high street."),
            StatusItem(text="Snow fell overnight in the mountains."),
        ],
    )
    scores, _ = score_gold(GOLD, brief)
    assert scores["actor_f1"] == pytest.approx(0.4)
    assert scores["status_f1"] == pytest.approx(0.4)


def test_predictions_without_gold_items_score_zero_recall() -> None:
    texts = match_texts([], ["Something nobody asked for."])
    assert (texts.precision, texts.recall, texts.f1) == (0.0, 0.0, 0.0)
    assert texts.pred_match == (None,)
    actors = match_actors([], [["Someone"]])
    assert (actors.precision, actors.recall) == (0.0, 0.0)
    no_pred = match_actors([["Someone"]], [])
    assert (no_pred.precision, no_pred.recall) == (0.0, 0.0)
    assert no_pred.gold_match == (None,)


def test_a_name_that_normalises_to_nothing_matches_nothing() -> None:
    assert name_tokens("—") == []
    assert name_tokens("President") == ["president"]  # only honorifics: kept rather than emptied
    assert name_tokens("President Macron") == ["macron"]
    assert name_similarity("—", "Emmanuel Macron") == 0.0
    assert name_similarity("Emmanuel Macron", "...") == 0.0
    assert name_similarity("—", "...") == 0.0
    result = match_actors([["Emmanuel Macron"], ["Olaf Scholz"]], [["—"]])
    assert result.recall == 0.0 and result.precision == 0.0
    assert match_actors([["Emmanuel Macron"]], [["", "Macron"]]).recall == 1.0


def test_short_initials_are_not_a_surname_match() -> None:
    # "Li" is contained in "Li Wei" but two letters identify nobody: the similarity falls back to
    # the token-sort ratio instead of the 0.95 surname rule.
    assert name_similarity("Li", "Li Wei") < 0.85
    assert name_similarity("Wei", "Li Wei") == 0.95


def test_actor_match_threshold_is_inclusive_and_respected() -> None:
    assert match_actors([["Zelenskyy"]], [["Volodymyr Zelenskyy"]], threshold=0.95).recall == 1.0
    assert match_actors([["Zelenskyy"]], [["Volodymyr Zelenskyy"]], threshold=0.96).recall == 0.0
    same = "The budget is 420 million euros."
    assert match_texts([same], [same], threshold=1.0).recall == 1.0


def test_schema_valid_rejects_a_brief_that_does_not_round_trip() -> None:
    assert schema_valid(_perfect()) is True
    assert schema_valid(None) is False
    broken = _brief(next_steps=[NextStep(action="Vote on Friday")])
    broken.next_steps[0].certainty = "bogus"  # type: ignore[assignment]  # assignment is not validated
    assert schema_valid(broken) is False
    scores, _ = score_gold(GOLD, broken)
    assert scores["schema_valid_rate"] == 0.0
    assert score_reference("Anything.", broken)["schema_valid_rate"] == 0.0
    assert score_reference("Anything.", _perfect())["schema_valid_rate"] == 1.0


def test_empty_summary_scores_zero_not_one() -> None:
    assert summary_rouge("The council met.", "") == dict.fromkeys(
        ("rouge1", "rouge2", "rougeL", "rougeLsum"), 0.0
    )
    assert summary_rouge("", "The council met.")["rouge1"] == 0.0
    assert summary_rouge("   ", "   ")["rougeL"] == 0.0
    scores, _ = score_gold(GOLD, _brief(summary=" "))
    assert scores["rouge1"] == 0.0 and scores["rougeL"] == 0.0


def test_score_reference_reports_every_rouge_type() -> None:
    reference = "The council met on Monday.\nIt approved the budget."
    scores = score_reference(reference, _brief(summary="It approved the budget.\nThe council met on Monday."))
    assert set(scores) == {"schema_valid_rate", "rouge1", "rouge2", "rougeL", "rougeLsum"}
    assert scores["rougeLsum"] == pytest.approx(1.0) and scores["rougeL"] < 1.0


def test_aggregate_cost_totals_and_latency_percentiles() -> None:
    costs = [
        {
            "llm_calls": 1,
            "prompt_tokens": 100,
            "completion_tokens": 10,
            "cost_usd": 0.0012345,
            "latency_ms": 5.04,
        },
        {"llm_calls": 2, "prompt_tokens": 250, "completion_tokens": 30, "cost_usd": None, "latency_ms": 50.0},
        {
            "llm_calls": 0,
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "cost_usd": 0.0000011,
            "latency_ms": 20.0,
        },
        {"latency_ms": 40.0},
        {},
    ]
    result = aggregate([{"x": 1.0}], ["x"], costs=costs)
    assert result["llm_calls"] == 3
    assert result["prompt_tokens"] == 350
    assert result["completion_tokens"] == 40
    assert result["cost_usd"] == 0.001236  # summed then rounded to 6 places; None counts as 0
    assert result["latency_ms_p50"] == 20.0  # a case without a latency counts as 0 ms
    assert result["latency_ms_p95"] == 50.0
    assert aggregate([{"x": 1.0}], ["x"]) == {"x": 1.0}  # no costs: no counters


def test_aggregate_rounds_latency_to_a_tenth_of_a_millisecond() -> None:
    result = aggregate([], [], costs=[{"latency_ms": 12.3456}])
    assert result["latency_ms_p50"] == 12.3 and result["latency_ms_p95"] == 12.3
    assert result["cost_usd"] == 0.0


def test_percentile_edges() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 95) == 19.0
    assert percentile(values, 100) == 20.0
    assert percentile(values, 1) == 1.0
    assert percentile([7.0], 50) == 7.0


def test_aggregate_p95_is_the_nearest_rank_95th_of_the_latencies() -> None:
    costs = [{"latency_ms": float(ms)} for ms in range(20, 0, -1)]  # 20..1 ms, unordered on purpose
    result = aggregate([], [], costs=costs)
    assert result["latency_ms_p95"] == 19.0  # rank ceil(20 * 0.95) = 19, not the maximum
    assert result["latency_ms_p50"] == 10.0


# --- survivors of the full mutation run (`make mutation`) ---------------------------------------


def _checked_brief() -> Brief:
    return _brief(
        status=[
            StatusItem(
                text="a", evidence=[Evidence(quote="x", grounded=True)], grounded=True, supported=True
            ),
            StatusItem(
                text="b",
                evidence=[Evidence(quote="y", grounded=False), Evidence(quote="w", grounded=True)],
                supported=False,
            ),
            StatusItem(text="c", evidence=[Evidence(quote="v", grounded=False)], supported=None),
        ],
        actors=[
            Actor(name="A", evidence=[Evidence(quote="z", grounded=False)], supported=False),
            Actor(name="B", supported=None),
        ],
    )


def test_claim_metrics_count_supported_items_found_quotes_and_unsupported_items() -> None:
    from briefing.evaluation.metrics import claim_metrics

    # 5 items: 1 supported, 2 unsupported, 2 unchecked; 5 quotes, 2 found
    assert claim_metrics(_checked_brief()) == {
        "supported_rate": 0.2,
        "quote_found_rate": 0.4,
        "unsupported_items": 2.0,
    }
    assert claim_metrics(_brief()) == {
        "supported_rate": None,
        "quote_found_rate": None,
        "unsupported_items": 0.0,
    }


def test_score_gold_reports_the_grounded_rate_and_the_claim_metrics() -> None:
    scores, _ = score_gold(GOLD, _checked_brief())
    assert scores["grounded_rate"] == 0.2
    assert scores["supported_rate"] == 0.2 and scores["unsupported_items"] == 2.0


def test_a_failed_case_scores_zero_on_every_named_metric() -> None:
    from briefing.evaluation.metrics import failed_scores

    assert failed_scores(["actor_f1", "rouge1"]) == {"actor_f1": 0.0, "rouge1": 0.0}


def test_an_unknown_section_is_refused_by_name() -> None:
    from briefing.evaluation.metrics import gold_section_texts, section_texts

    with pytest.raises(ValueError, match=r"^unknown section 'headline'$"):
        section_texts(_brief(), "headline")
    with pytest.raises(ValueError, match=r"^unknown section 'headline'$"):
        gold_section_texts(GOLD, "headline")


def test_sentences_for_rouge_lsum_keep_given_lines_and_split_a_single_line() -> None:
    from briefing.evaluation.metrics import split_sentences

    assert split_sentences("Talks resume. Prices rise.") == ["Talks resume.", "Prices rise."]
    assert split_sentences("Talks resume. Prices rise.\nNew line here.") == [
        "Talks resume. Prices rise.",
        "New line here.",
    ]


def test_percentile_is_the_nearest_rank_on_a_long_list() -> None:
    # ceil(203 * 50 / 100) = 102: a divisor off by one would give rank 101
    assert percentile([float(v) for v in range(1, 204)], 50) == 102.0


def test_a_case_without_a_latency_counts_as_zero_milliseconds() -> None:
    totals = aggregate([{}], [], costs=[{"llm_calls": 1}])
    assert totals["latency_ms_p50"] == 0.0 and totals["latency_ms_p95"] == 0.0
    assert totals["cost_usd"] == 0.0


def test_both_sides_empty_is_a_perfect_match_with_nothing_matched() -> None:
    from briefing.evaluation.match import MatchResult

    for result in (match_texts([], []), match_actors([], [])):
        assert result == MatchResult(1.0, 1.0, 1.0, (), ())
        assert result.matched_gold == 0 and result.matched_pred == 0


def test_actor_without_a_usable_name_has_similarity_zero() -> None:
    from briefing.evaluation.match import actor_similarity

    assert actor_similarity([""], ["Ana Ruiz"]) == 0.0
    assert actor_similarity(["Ana Ruiz"], [""]) == 0.0
    assert actor_similarity(["Ana Ruiz"], ["", "A. Ruiz"]) > 0.0


def test_section_threshold_is_inclusive_on_the_precision_side_too() -> None:
    # ROUGE-L F1 of the two texts is exactly 0.5
    assert text_similarity("alpha beta", "alpha gamma") == 0.5
    result = match_texts(["alpha beta"], ["alpha gamma"], threshold=0.5)
    assert result.gold_match == (0,) and result.pred_match == (0,)


def test_a_blank_text_is_similar_to_nothing() -> None:
    assert text_similarity("  ", "talks resume") == 0.0
    assert text_similarity("talks resume", "") == 0.0


def test_a_spelling_variant_at_exactly_the_token_ratio_is_contained() -> None:
    # 3 letters of 20 differ: rapidfuzz ratio exactly 85, the inclusive TOKEN_MATCH_RATIO
    assert name_similarity("Featherstonehaughson", "Ann Featherstonehaughxyz") == 0.95


def test_names_not_contained_fall_back_to_the_word_order_free_ratio() -> None:
    # "smyth" is not a close enough variant of "smith": the token-sort ratio decides, 84.2 / 100
    assert name_similarity("Jon Smyth", "John Smith") == pytest.approx(0.8421052631578947)
    assert name_similarity("Smyth Jon", "John Smith") == pytest.approx(0.8421052631578947)
