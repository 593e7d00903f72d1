"""Every claim-check verdict on the gold set, one JSON line each: diff two runs to prove a speed
change left results alone.

    .venv/bin/python bench/verify_snapshot.py dev > before.jsonl   # ... change the code ...
    .venv/bin/python bench/verify_snapshot.py dev > after.jsonl && cmp before.jsonl after.jsonl

Lines: each faithfulness statement (cased and caseless) with its verdict, score, reasons and
evidence spans; each item, headline and summary of the offline engine's brief of every case with its
`supported` and `reasons`. The split argument (`dev`, `test` or `all`) picks the cases: tune on dev.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from briefing.claims import analyse, verify_claim
from briefing.config import Settings
from briefing.engines import get_engine
from briefing.evaluation.dataset import load_gold_dir
from briefing.evaluation.faithfulness import build, caseless
from briefing.grounding import ground_brief
from briefing.models import BriefOptions, normalize_text
from briefing.verify import check_brief

ROOT = Path(__file__).resolve().parents[1]


def main(split: str) -> None:
    gold = load_gold_dir(ROOT / "evals" / "gold")
    dataset = gold if split == "all" else gold.split(split)
    articles = {case.id: normalize_text(case.article) for case in dataset.cases}
    for statement in build(dataset):
        for variant in ("cased", "caseless"):
            text = caseless(statement.text) if variant == "caseless" else statement.text
            result = verify_claim(text, analyse(articles[statement.case_id]))
            row = {
                "case": statement.case_id, "kind": statement.kind, "variant": variant, "text": text,
                "verdict": result.verdict, "score": result.score, "reasons": result.reasons,
                "evidence": result.evidence,
            }  # fmt: skip
            print(json.dumps(row, ensure_ascii=False))
    engine = get_engine("offline", Settings())
    for case in dataset.cases:
        article = case.to_article()
        brief = ground_brief(asyncio.run(engine.brief(article, BriefOptions())), article.text)
        check_brief(brief, article.text)
        for index, item in enumerate(brief.items()):
            row = {"case": case.id, "item": index, "kind": type(item).__name__,
                   "supported": item.supported, "reasons": item.reasons}  # fmt: skip
            print(json.dumps(row, ensure_ascii=False))
        meta = brief.meta
        row = {"case": case.id, "headline": meta.headline_reasons, "summary": meta.summary_reasons}
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dev")
