"""Per-case metrics and their macro-averaged aggregates, under flat names other tools can read.

Every score is in [0, 1] except the cost and speed counters. A case whose brief could not be made
scores 0 on every quality metric, so failures pull the averages down instead of vanishing.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import ValidationError

from briefing.engines.lead import sentences
from briefing.evaluation.dataset import GoldBrief
from briefing.evaluation.match import MatchResult, match_actors, match_texts
from briefing.models import Brief

if TYPE_CHECKING:  # rouge-score pulls in nltk and scipy.stats: seconds, paid only when scoring
    from rouge_score import rouge_scorer

SECTIONS = ("status", "disputes", "next_steps")
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")

GOLD_METRICS = (
    "schema_valid_rate",
    "actor_precision",
    "actor_recall",
    "actor_f1",
    *(f"{section}_{kind}" for section in SECTIONS for kind in ("precision", "recall", "f1")),
    "grounded_rate",
    "supported_rate",
    "quote_found_rate",
    "unsupported_items",
    "rouge1",
    "rouge2",
    "rougeL",
)
REFERENCE_METRICS = ("schema_valid_rate", "rouge1", "rouge2", "rougeL", "rougeLsum")
COST_METRICS = (
    "llm_calls",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "latency_ms_p50",
    "latency_ms_p95",
)
"""Counters: summed over cases (cost) or percentiles (latency); lower is better, never gated as minima."""


@dataclass
class CaseMatches:
    """Which items matched, kept for the report (misses and extras)."""

    actors: MatchResult | None = None
    sections: dict[str, MatchResult] = field(default_factory=dict)


def schema_valid(brief: Brief | None) -> bool:
    """The brief survives a JSON round trip through the published model."""
    if brief is None:
        return False
    try:
        Brief.model_validate_json(brief.model_dump_json())
    except ValidationError:
        return False
    return True


def section_texts(brief: Brief, section: str) -> list[str]:
    """The text of each item that carries its meaning (documented in evals/README.md)."""
    if section == "status":
        return [item.text for item in brief.status]
    if section == "disputes":
        return [item.issue for item in brief.disputes]
    if section == "next_steps":
        return [item.action for item in brief.next_steps]
    raise ValueError(f"unknown section {section!r}")


def gold_section_texts(gold: GoldBrief, section: str) -> list[str]:
    if section == "status":
        return [item.text for item in gold.status]
    if section == "disputes":
        return [item.issue for item in gold.disputes]
    if section == "next_steps":
        return [item.action for item in gold.next_steps]
    raise ValueError(f"unknown section {section!r}")


def grounded_rate(brief: Brief) -> float | None:
    """Share of items with at least one located quote; None when the brief has no items."""
    items = brief.items()
    if not items:
        return None
    return sum(bool(item.grounded) for item in items) / len(items)


def claim_metrics(brief: Brief) -> dict[str, float | None]:
    """The claim check's view: share of supported items, share of quotes found, unsupported items."""
    items = brief.items()
    quotes = [evidence for item in items for evidence in item.evidence]
    return {
        "supported_rate": sum(bool(item.supported) for item in items) / len(items) if items else None,
        "quote_found_rate": sum(bool(e.grounded) for e in quotes) / len(quotes) if quotes else None,
        "unsupported_items": float(sum(item.supported is False for item in items)),
    }


@lru_cache(maxsize=1)
def _summary_scorer() -> rouge_scorer.RougeScorer:
    from rouge_score import rouge_scorer

    from briefing.evaluation.tokenize import UnicodeTokenizer

    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=UnicodeTokenizer(use_stemmer=True))


def split_sentences(text: str) -> list[str]:
    """Sentences for ROUGE-Lsum: existing line breaks win, else a rule-based splitter."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        return lines
    return sentences(text)


def summary_rouge(reference: str, prediction: str) -> dict[str, float]:
    """ROUGE-1/2/L/Lsum F1 with stemming; Lsum on newline-separated sentences as is standard."""
    if not reference.strip() or not prediction.strip():
        return dict.fromkeys(ROUGE_TYPES, 0.0)
    joined_ref = "\n".join(split_sentences(reference))
    joined_pred = "\n".join(split_sentences(prediction))
    scores = _summary_scorer().score(joined_ref, joined_pred)
    return {name: float(scores[name].fmeasure) for name in ROUGE_TYPES}


def _put(scores: dict[str, float | None], prefix: str, result: MatchResult) -> None:
    scores[f"{prefix}_precision"] = result.precision
    scores[f"{prefix}_recall"] = result.recall
    scores[f"{prefix}_f1"] = result.f1


def score_gold(gold: GoldBrief, brief: Brief) -> tuple[dict[str, float | None], CaseMatches]:
    """Every gold-set metric for one case."""
    scores: dict[str, float | None] = {"schema_valid_rate": 1.0 if schema_valid(brief) else 0.0}
    matches = CaseMatches()
    matches.actors = match_actors(
        [actor.names for actor in gold.actors], [[actor.name, *actor.aliases] for actor in brief.actors]
    )
    _put(scores, "actor", matches.actors)
    for section in SECTIONS:
        result = match_texts(gold_section_texts(gold, section), section_texts(brief, section))
        matches.sections[section] = result
        _put(scores, section, result)
    scores["grounded_rate"] = grounded_rate(brief)
    scores.update(claim_metrics(brief))
    rouge = summary_rouge(gold.summary, brief.summary)
    scores.update({name: rouge[name] for name in ("rouge1", "rouge2", "rougeL")})
    return scores, matches


def score_reference(reference: str, brief: Brief) -> dict[str, float | None]:
    """Bring-your-own data: summary ROUGE only."""
    scores: dict[str, float | None] = {"schema_valid_rate": 1.0 if schema_valid(brief) else 0.0}
    scores.update(summary_rouge(reference, brief.summary))
    return scores


def failed_scores(names: Iterable[str]) -> dict[str, float | None]:
    """A case without a brief: zero on every quality metric."""
    return dict.fromkeys(names, 0.0)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile, exact on small samples and reproducible."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100)
    return float(ordered[int(rank) - 1])


def aggregate(
    case_scores: Sequence[Mapping[str, float | None]],
    names: Sequence[str],
    costs: Sequence[Mapping[str, float]] = (),
) -> dict[str, float | None]:
    """Macro-average each metric over the cases that define it (None when none do), plus cost totals."""
    result: dict[str, float | None] = {}
    for name in names:
        values = [float(v) for scores in case_scores if (v := scores.get(name)) is not None]
        result[name] = statistics.fmean(values) if values else None
    if costs:
        result["llm_calls"] = sum(cost.get("llm_calls", 0) for cost in costs)
        result["prompt_tokens"] = sum(cost.get("prompt_tokens", 0) for cost in costs)
        result["completion_tokens"] = sum(cost.get("completion_tokens", 0) for cost in costs)
        result["cost_usd"] = round(sum(cost.get("cost_usd", 0.0) or 0.0 for cost in costs), 6)
        latencies = [cost.get("latency_ms", 0.0) for cost in costs]
        result["latency_ms_p50"] = round(percentile(latencies, 50), 1)
        result["latency_ms_p95"] = round(percentile(latencies, 95), 1)
    return result
