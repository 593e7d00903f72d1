"""The offline engine's figures on gold cases written in other forms: lower-cased, PTB-tokenized.

Run: .venv/bin/python tools/form_variants.py [--split dev] [original lower ptb ptb-lower] [-v]

Each English case of the split is briefed as written and in each other form (article and title
alike), and scored against its gold brief: a rule that depends on the form (an appositive's comma,
a bracketed acronym) shows as a gap between the rows. Tune on `dev` only; the `test` split has its
own PTB-tokenized and lower-case cases, measured by `briefing eval`.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.evaluation.dataset import load_dataset
from briefing.evaluation.metrics import score_gold, summary_rouge
from briefing.models import Article

GOLD = Path(__file__).resolve().parent.parent / "evals" / "gold"
METRICS = (
    "actor_f1",
    "status_recall",
    "disputes_recall",
    "next_steps_recall",
    "next_steps_precision",
    "rouge1",
)
# Titles and initials keep their full stop in PTB text ("Mr.", "U.S."); a sentence's own is split off.
_ABBREVIATIONS = frozenset(
    (
        *("mr", "mrs", "ms", "dr", "st", "jr", "sr", "co", "no", "gen", "sen", "rep", "gov", "inc"),
        *("ltd", "corp", "prof", "jan", "feb", "aug", "sep", "sept", "oct", "nov", "dec", "lt", "col"),
        *("sgt", "vs"),
    )
)
_PERIOD = re.compile(r"(\S+)\.(?=\s+[A-Z`'\"“\d]|\s*$)")


def _period(match: re.Match[str]) -> str:
    word = match.group(1)
    if word.lower().strip('("“') in _ABBREVIATIONS or len(word) == 1 or "." in word:
        return match.group()
    return word + " ."


def ptb(text: str) -> str:
    """Text in Penn Treebank form, as summarization datasets store it (punctuation and clitics split
    off, quotes as `` and '')."""

    def line(text: str) -> str:
        text = re.sub(r'(^|[\s(\[{])"', r"\1`` ", text)
        text = text.replace("“", "`` ").replace("”", " ''").replace('"', " '' ")
        text = re.sub(r"([,;:?!%()\[\]])", r" \1 ", text)
        text = _PERIOD.sub(_period, text)
        text = re.sub(r"(\w)(['’]s|n['’]t|['’]re|['’]ve|['’]ll|['’]d|['’]m)\b", r"\1 \2", text)
        text = text.replace("$", "$ ")
        return " ".join(text.split())

    return "\n".join(line(part) for part in text.split("\n"))


FORMS: dict[str, Callable[[str], str]] = {
    "original": lambda text: text,
    "lower": str.lower,
    "ptb": ptb,
    "ptb-lower": lambda text: ptb(text).lower(),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("forms", nargs="*", help=f"any of: {', '.join(FORMS)} (default: all)")
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("-v", "--verbose", action="store_true", help="print each case's figures")
    args = parser.parse_args()
    unknown = [form for form in args.forms if form not in FORMS]
    if unknown:
        parser.error(f"unknown form {unknown[0]!r}; choose from {', '.join(FORMS)}")
    cases = [c for c in load_dataset(GOLD).split(args.split).cases if (c.language or "en") == "en"]
    engine = OfflineEngine(Settings())
    for form in args.forms or list(FORMS):
        transform = FORMS[form]
        values: dict[str, list[float]] = {metric: [] for metric in METRICS}
        for case in cases:
            assert case.gold is not None
            title = transform(case.title) if case.title else None
            brief = engine.build(
                Article(text=transform(case.article), title=title, published_at=case.published_at)
            )
            scores, _ = score_gold(case.gold, brief)
            if case.gold.summary:
                scores["rouge1"] = summary_rouge(case.gold.summary, brief.summary)["rouge1"]
            for metric in METRICS:
                if scores.get(metric) is not None:
                    values[metric].append(float(scores[metric]))  # type: ignore[arg-type]
            if args.verbose:
                shown = {m: round(float(scores[m]), 2) for m in METRICS if scores.get(m) is not None}  # type: ignore[arg-type]
                print(form, case.id, shown)
        figures = " ".join(f"{m}={sum(v) / len(v):.3f}" for m, v in values.items() if v)
        print(f"{args.split} {form:10s} {figures} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
