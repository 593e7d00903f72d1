"""Actor F1 of the offline engine with every gold article lower-cased, beside the original text.

Run: .venv/bin/python tools/lowercase_actor_f1.py [--split dev] [-v]
The recasing pass (briefing/engines/offline/recase.py) was tuned on `dev` this way; the `test`
split's own lower-case cases are measured by `briefing eval`, not here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.evaluation.dataset import load_dataset
from briefing.evaluation.metrics import score_gold
from briefing.models import Article

GOLD = Path(__file__).resolve().parent.parent / "evals" / "gold"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("-v", "--verbose", action="store_true", help="print each case's actors")
    args = parser.parse_args()
    cases = load_dataset(GOLD).split(args.split).cases
    engine = OfflineEngine(Settings())
    totals: dict[str, list[float]] = {"original": [], "lower-cased": []}
    for case in cases:
        assert case.gold is not None
        for kind, transform in (("original", str), ("lower-cased", str.lower)):
            title = transform(case.title) if case.title else None
            article = Article(text=transform(case.article), title=title, published_at=case.published_at)
            brief = engine.build(article)
            scores, _ = score_gold(case.gold, brief)
            totals[kind].append(scores["actor_f1"] or 0.0)
            if args.verbose and kind == "lower-cased":
                print(f"{case.id}: {scores['actor_f1']:.2f} {[actor.name for actor in brief.actors]}")
    for kind, values in totals.items():
        print(f"{args.split} {kind}: actor F1 {sum(values) / len(values):.3f} ({len(values)} cases)")


if __name__ == "__main__":
    main()
