"""Matching predicted brief items to gold items: alias-aware for actors, ROUGE-L for sections.

Actors are matched one-to-one (an optimal assignment), because one predicted "Zelenskyy" must not
count as finding both "Volodymyr Zelenskyy" and "Olena Zelenska". Section items follow the usual
best-match rule: a gold item is found when its most similar predicted item clears the threshold
(recall), and a predicted item is supported when its most similar gold item does (precision).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz

if TYPE_CHECKING:  # rouge-score (nltk, scipy.stats) and scipy.optimize cost seconds: imported when used
    from rouge_score import rouge_scorer

ACTOR_MATCH_THRESHOLD = 0.85
"""Name similarity (0–1) at or above which two actor names denote the same actor."""

SECTION_MATCH_THRESHOLD = 0.30
"""ROUGE-L F1 (stemmed, Unicode tokens) at or above which two section items say the same thing."""

TOKEN_MATCH_RATIO = 85.0
"""rapidfuzz ratio at which two name tokens are spelling variants ("Zelensky" / "Zelenskyy")."""

# Words that decorate a name without identifying anyone.
_HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "the", "president", "prime", "minister"}
    | {"pm", "chancellor", "senator", "sen", "rep", "gov", "governor", "mayor", "judge", "justice"}
    | {"general", "gen", "col", "colonel", "king", "queen", "prince", "princess", "pope"}
)
_NON_WORD = re.compile(r"[^\w]+|_")


@dataclass(frozen=True)
class MatchResult:
    """Scores plus which items matched, so reports can mark misses and extras."""

    precision: float
    recall: float
    f1: float
    gold_match: tuple[int | None, ...]
    """For each gold item, the index of the predicted item it matched (None: missed)."""
    pred_match: tuple[int | None, ...]
    """For each predicted item, the index of the gold item it matched (None: extra)."""

    @property
    def matched_gold(self) -> int:
        return sum(index is not None for index in self.gold_match)

    @property
    def matched_pred(self) -> int:
        return sum(index is not None for index in self.pred_match)


def f1_score(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _result(gold_match: list[int | None], pred_match: list[int | None]) -> MatchResult:
    """Both sides empty is a perfect answer; exactly one side empty scores 0 (documented rule)."""
    if not gold_match and not pred_match:
        return MatchResult(1.0, 1.0, 1.0, (), ())
    recall = sum(m is not None for m in gold_match) / len(gold_match) if gold_match else 0.0
    precision = sum(m is not None for m in pred_match) / len(pred_match) if pred_match else 0.0
    return MatchResult(precision, recall, f1_score(precision, recall), tuple(gold_match), tuple(pred_match))


# --- actors -------------------------------------------------------------------------------------


def name_tokens(name: str) -> list[str]:
    """Accent-free, case-folded name tokens without honorifics ("President Macron" → ["macron"])."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    tokens = [token for token in _NON_WORD.split(plain) if token]
    kept = [token for token in tokens if token not in _HONORIFICS]
    return kept or tokens


def name_similarity(left: str, right: str) -> float:
    """Similarity of two names in [0, 1]; a name contained in the other (fuzzily) scores 0.95.

    "Zelenskyy" vs "Volodymyr Zelenskyy" → 0.95 (surname alone); "Zelensky" vs "Zelenskyy" → ~0.94
    (spelling variant); "Emmanuel Macron" vs "Olaf Scholz" → low.
    """
    a, b = name_tokens(left), name_tokens(right)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    contained = all(any(fuzz.ratio(token, other) >= TOKEN_MATCH_RATIO for other in long_) for token in short)
    if contained and any(len(token) >= 3 for token in short):
        # Every word of the shorter name appears in the longer one: a surname, or a name without title.
        return 0.95
    return fuzz.token_sort_ratio(" ".join(a), " ".join(b)) / 100.0


def actor_similarity(gold_names: Sequence[str], pred_names: Sequence[str]) -> float:
    """Best similarity between any gold name/alias and any predicted name/alias."""
    return max((name_similarity(g, p) for g in gold_names for p in pred_names if g and p), default=0.0)


def match_actors(
    gold: Sequence[Sequence[str]],
    pred: Sequence[Sequence[str]],
    *,
    threshold: float = ACTOR_MATCH_THRESHOLD,
) -> MatchResult:
    """One-to-one matching of actors given as name lists (name first, then aliases).

    Roles play no part: a right name with a different role still counts as found.
    """
    if not gold or not pred:
        return _result([None] * len(gold), [None] * len(pred))
    scores = np.array([[actor_similarity(g, p) for p in pred] for g in gold])
    eligible = np.where(scores >= threshold, scores, 0.0)
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(eligible, maximize=True)
    gold_match: list[int | None] = [None] * len(gold)
    pred_match: list[int | None] = [None] * len(pred)
    for row, col in zip(rows, cols, strict=True):
        if eligible[row, col] > 0:
            gold_match[row], pred_match[col] = int(col), int(row)
    return _result(gold_match, pred_match)


# --- sections ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _rouge_l() -> rouge_scorer.RougeScorer:
    from rouge_score import rouge_scorer

    from briefing.evaluation.tokenize import UnicodeTokenizer

    return rouge_scorer.RougeScorer(["rougeL"], tokenizer=UnicodeTokenizer(use_stemmer=True))


def text_similarity(left: str, right: str) -> float:
    """ROUGE-L F1 between two short texts, stemmed, on Unicode tokens."""
    if not left.strip() or not right.strip():
        return 0.0
    return float(_rouge_l().score(left, right)["rougeL"].fmeasure)


def match_texts(
    gold: Sequence[str],
    pred: Sequence[str],
    *,
    threshold: float = SECTION_MATCH_THRESHOLD,
) -> MatchResult:
    """Best-match precision/recall: several predictions may support the same gold item."""
    if not gold or not pred:
        return _result([None] * len(gold), [None] * len(pred))
    scores = np.array([[text_similarity(g, p) for p in pred] for g in gold])
    gold_match: list[int | None] = []
    for row in scores:
        best = int(row.argmax())
        gold_match.append(best if row[best] >= threshold else None)
    pred_match: list[int | None] = []
    for column in scores.T:
        best = int(column.argmax())
        pred_match.append(best if column[best] >= threshold else None)
    return _result(gold_match, pred_match)
