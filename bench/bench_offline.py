"""Offline engine throughput on one core and peak memory, for ~800-word news articles.

Run: .venv/bin/python bench/bench_offline.py [--seconds 5]
Prints briefs per CPU-second of the pinned process (robust when other work shares the machine) and
per wall-clock second, for the engine alone and with grounding as the pipeline runs it, and the
process's peak RSS. The articles are built from the test gold cases, varied per brief so that
nothing is served from a cache.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.grounding import ground_brief
from briefing.models import Article

DATA = Path(__file__).resolve().parent.parent / "tests" / "offline" / "data"
PUBLISHED = datetime(2026, 3, 10, tzinfo=UTC)  # dated articles take the calendar-date path too


def articles(target_words: int = 800) -> list[str]:
    """~800-word articles: each gold article followed by paragraphs of another one."""
    bodies = [yaml.safe_load(path.read_text())["article"] for path in sorted(DATA.glob("*.yaml"))]
    made: list[str] = []
    for index, body in enumerate(bodies):
        paragraphs = body.split("\n\n")
        other = [
            p for k in range(1, len(bodies)) for p in bodies[(index + k) % len(bodies)].split("\n\n")[1:]
        ]
        text = list(paragraphs)
        while len(" ".join(text).split()) < target_words and other:
            text.append(other.pop(0))
        made.append("\n\n".join(text))
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    engine = OfflineEngine(Settings())
    texts = articles()
    words = sum(len(text.split()) for text in texts) / len(texts)
    engine.build(Article(text=texts[0]))  # warm up tables and models

    for label, grounded in (("engine only", False), ("engine + grounding", True)):
        count = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        while time.perf_counter() - started < args.seconds:
            text = texts[count % len(texts)] + f"\n\nUpdate {count}."
            article = Article(text=text, published_at=PUBLISHED)
            brief = engine.build(article)
            if grounded:
                ground_brief(brief, article.text, in_place=True)  # as the pipeline does
            count += 1
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        print(
            f"offline {label}: {count / cpu:.0f} briefs per CPU-second on one core "
            f"({count / wall:.0f}/s wall clock; {words:.0f}-word articles, {count} runs)"
        )
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS: {peak_kb / 1024:.0f} MB (python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
