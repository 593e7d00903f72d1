"""Quality figures of the offline engine on the hand-written gold cases in tests/offline/data.

A small stand-in for the eval suite's metrics: actor F1 (a prediction matches a gold actor when a
name or alias of one is a near spelling of, or contained in, a name or alias of the other), recall of
gold status / dispute / next-step items (a gold item is found when half of its content words appear
in one predicted item's text or evidence), and ROUGE-1 F of the summary against Lead-3.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz
from rouge_score import rouge_scorer

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.engines.offline.sentences import SentenceSplitter
from briefing.grounding import ground_brief
from briefing.models import Article, Brief, BriefOptions

DATA = Path(__file__).parent / "data"
_STOP = frozenset(
    re.findall(
        r"\w+",
        "the a an of to in on and or for by with at from as is are was were be been has have had that this "
        "its it will would said says their his her both after before about than more",
    )
)


def load_cases() -> list[dict]:
    return [yaml.safe_load(path.read_text()) for path in sorted(DATA.glob("*.yaml"))]


def _content(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {word[:6] for word in words if word not in _STOP}


def _names(name: str, aliases: list[str] | None) -> list[str]:
    return [n.lower() for n in [name, *(aliases or [])] if n]


def _actor_match(pred: list[str], gold: list[str]) -> bool:
    for p in pred:
        for g in gold:
            if fuzz.ratio(p, g) >= 88 or (len(p) > 3 and (f" {p} " in f" {g} " or f" {g} " in f" {p} ")):
                return True
    return False


def _found(gold_text: str, predicted: list[tuple[str, str]]) -> bool:
    words = _content(gold_text)
    if not words:
        return False
    return any(
        len(words & _content(text + " " + evidence)) / len(words) >= 0.5 for text, evidence in predicted
    )


@dataclass
class Figures:
    actor_tp: int = 0
    actor_pred: int = 0
    actor_gold: int = 0
    found: dict[str, int] = field(default_factory=lambda: {"status": 0, "disputes": 0, "next_steps": 0})
    gold: dict[str, int] = field(default_factory=lambda: {"status": 0, "disputes": 0, "next_steps": 0})
    grounded: list[float] = field(default_factory=list)
    rouge: list[float] = field(default_factory=list)
    lead3: list[float] = field(default_factory=list)

    @property
    def actor_f1(self) -> float:
        precision = self.actor_tp / self.actor_pred if self.actor_pred else 0.0
        recall = self.actor_tp / self.actor_gold if self.actor_gold else 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def recall(self, kind: str) -> float:
        return self.found[kind] / self.gold[kind] if self.gold[kind] else 1.0

    def report(self) -> dict[str, float]:
        mean = lambda values: sum(values) / len(values) if values else 0.0  # noqa: E731
        return {
            "actor_f1": round(self.actor_f1, 3),
            "status_recall": round(self.recall("status"), 3),
            "dispute_recall": round(self.recall("disputes"), 3),
            "next_step_recall": round(self.recall("next_steps"), 3),
            "grounded": round(mean(self.grounded), 3),
            "rouge1": round(mean(self.rouge), 3),
            "lead3_rouge1": round(mean(self.lead3), 3),
        }


def score(cases: list[dict]) -> tuple[Figures, list[Brief]]:
    engine = OfflineEngine(Settings())
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    splitter = SentenceSplitter()
    figures = Figures()
    briefs: list[Brief] = []
    for case in cases:
        article = Article(text=case["article"], title=case.get("title"), language=case.get("language"))
        brief = ground_brief(asyncio.run(engine.brief(article, BriefOptions())), article.text)
        briefs.append(brief)
        gold = case["gold"]
        unmatched = [_names(a["name"], a.get("aliases")) for a in gold["actors"]]
        figures.actor_pred += len(brief.actors)
        figures.actor_gold += len(unmatched)
        for actor in brief.actors:
            names = _names(actor.name, actor.aliases)
            hit = next((g for g in unmatched if _actor_match(names, g)), None)
            if hit is not None:
                unmatched.remove(hit)
                figures.actor_tp += 1
        predicted = {
            "status": [(i.text, i.evidence[0].quote) for i in brief.status],
            "disputes": [(i.issue, i.evidence[0].quote) for i in brief.disputes],
            "next_steps": [(i.action, i.evidence[0].quote) for i in brief.next_steps],
        }
        for kind in ("status", "disputes", "next_steps"):
            key = {"status": "text", "disputes": "issue", "next_steps": "action"}[kind]
            for item in gold.get(kind, []):
                figures.gold[kind] += 1
                figures.found[kind] += _found(item[key], predicted[kind])
        figures.grounded.append(brief.meta.grounded_ratio if brief.meta.grounded_ratio is not None else 1.0)
        figures.rouge.append(scorer.score(gold["summary"], brief.summary)["rouge1"].fmeasure)
        lead = " ".join(s.text for s in splitter.split(article.text)[:3])
        figures.lead3.append(scorer.score(gold["summary"], lead)["rouge1"].fmeasure)
    return figures, briefs


if __name__ == "__main__":
    figures, _ = score(load_cases())
    print(figures.report())
