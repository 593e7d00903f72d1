"""Claim-check speed: what it adds per brief, and POST /v1/verify throughput (prints figures).

    .venv/bin/python bench/bench_verify.py

1. p50 CPU time of `check_brief` (every item, headline and summary; the article analysed afresh
   each time, as for a new article) on offline briefs of the gold articles of 800-1,200 words.
2. POST /v1/verify requests/s, sequential on one core through the ASGI app (FastAPI TestClient,
   so client work is included): a 600-word article and 4 claims.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from briefing import claims
from briefing.config import Settings
from briefing.engines import get_engine
from briefing.evaluation.dataset import load_gold_dir
from briefing.grounding import ground_brief
from briefing.models import BriefOptions
from briefing.verify import check_brief

ROOT = Path(__file__).resolve().parents[1]


def _cold() -> None:
    """Forget every per-text cache (article, quotes, claims), as for a brief of a new article."""
    for cached in (claims.analyse, claims._tokens, claims._text, claims.extract_facts, claims.detokenize):
        cached.cache_clear()


def bench_check() -> None:
    settings = Settings()
    engine = get_engine("offline", settings)
    cases = [c for c in load_gold_dir(ROOT / "evals" / "gold").cases if 800 <= len(c.article.split()) <= 1200]
    briefs = []
    for case in cases:
        article = case.to_article()
        brief = ground_brief(asyncio.run(engine.brief(article, BriefOptions())), article.text)
        briefs.append((brief, article.text))
    times = []
    for _ in range(5):
        for brief, text in briefs:
            _cold()
            started = time.process_time()
            check_brief(brief, text)
            times.append((time.process_time() - started) * 1000)
    words = statistics.mean(len(text.split()) for _, text in briefs)
    items = statistics.mean(len(brief.items()) for brief, _ in briefs)
    print(
        f"claim check per brief: p50 {statistics.median(times):.2f} ms CPU, p95 "
        f"{sorted(times)[int(len(times) * 0.95)]:.2f} ms ({len(briefs)} articles, {words:.0f} words, "
        f"{items:.0f} items on average)"
    )


def bench_verify_endpoint(tmp: Path) -> None:
    case = next(c for c in load_gold_dir(ROOT / "evals" / "gold").cases if len(c.article.split()) >= 600)
    article = " ".join(case.article.split()[:600])
    gold = case.gold
    statements = [gold.headline, *(s.text for s in gold.status)][:4] if gold else ["x"] * 4
    # The test client sends Host "testserver", which the Host allow-list refuses unless listed.
    settings = Settings(data_dir=tmp, allowed_hosts=["testserver"])
    with TestClient(create_app(settings)) as client:
        body = {"article": article, "claims": statements}
        first = client.post("/v1/verify", json=body)
        assert first.status_code == 200, first.text
        count, started = 0, time.perf_counter()
        cpu = time.process_time()
        while time.perf_counter() - started < 5.0:
            client.post("/v1/verify", json=body)
            count += 1
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
    print(
        f"POST /v1/verify: {count / wall:.0f} requests/s wall, {count / cpu:.0f} requests/CPU-second "
        f"(600-word article, {len(statements)} claims, sequential, one process)"
    )


if __name__ == "__main__":
    import tempfile

    bench_check()
    with tempfile.TemporaryDirectory() as tmp:
        bench_verify_endpoint(Path(tmp))
