"""Figures for the LLM core: prompt overhead, map-reduce wall time, chunking speed.

Runs offline: the "LLM" is an httpx2 MockTransport behind the real AsyncOpenAI client, answering
after a fixed delay and billing prompt tokens the way the chat format does (content tokens plus a
few per message). Run: `.venv/bin/python bench/bench_core.py`.
"""

from __future__ import annotations

import asyncio
import json
import random
import time

import httpx2

from briefing.chunking import chunk_text
from briefing.config import Settings
from briefing.engines.llm import LLMEngine
from briefing.engines.llm_schema import DraftBrief
from briefing.models import Article, BriefOptions
from briefing.tokens import Tokenizer, load_tokenizer

CALL_SECONDS = 0.5
DRAFT = {
    "headline": "Council votes on budget",
    "summary": "The council met and voted.",
    "actors": [{"name": "Council", "role": None, "aliases": [], "stance": None, "evidence": ["The council"]}],
    "status": [],
    "disputes": [],
    "next_steps": [],
}
WORDS = [
    "council",
    "budget",
    "minister",
    "said",
    "vote",
    "on",
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "rail",
    "port",
    "union",
    "talks",
    "strike",
    "city",
    "mayor",
    "agreement",
    "plan",
    "workers",
    "week",
    "Tuesday",
    "government",
    "report",
    "figures",
    "percent",
    "million",
    "euros",
    "officials",
]


def make_text(tokenizer: Tokenizer, tokens: int, seed: int = 7) -> str:
    """News-like filler text of just under `tokens` tokens (paragraphs of sentences)."""
    rng = random.Random(seed)
    paragraphs: list[list[str]] = []
    total = 0
    while total < tokens:
        sentences = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 24))).capitalize() + "."
            for _ in range(rng.randint(2, 5))
        ]
        paragraphs.append(sentences)
        total += tokenizer.count(" ".join(sentences)) + 1
    while tokenizer.count(text := "\n\n".join(" ".join(p) for p in paragraphs)) > tokens:
        paragraphs[-1].pop()
        if not paragraphs[-1]:
            paragraphs.pop()
    return text


class FakeLLM:
    """An OpenAI-compatible chat endpoint in-process: fixed latency, billed like the chat format."""

    def __init__(self, tokenizer: Tokenizer, delay: float) -> None:
        self.tokenizer = tokenizer
        self.delay = delay
        self.prompt_tokens: list[int] = []

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        billed = 3 + sum(4 + self.tokenizer.count(message["content"]) for message in body["messages"])
        self.prompt_tokens.append(billed)
        await asyncio.sleep(self.delay)
        content = json.dumps(DRAFT)
        return httpx2.Response(
            200,
            json={
                "id": "bench",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": billed,
                    "completion_tokens": self.tokenizer.count(content),
                    "total_tokens": billed + self.tokenizer.count(content),
                },
            },
        )


def settings(**overrides: object) -> Settings:
    base = {"openai_api_key": "sk-bench", "openai_base_url": "http://fake-llm.invalid/v1", "cache": False}
    return Settings(**{**base, **overrides})


async def run_engine(
    engine_settings: Settings, model: str, text: str, fake: FakeLLM
) -> tuple[float, int, int]:
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(fake))
    engine = LLMEngine(engine_settings, model=model, http_client=client)
    started = time.perf_counter()
    brief = await engine.brief(Article(text=text), BriefOptions())
    elapsed = time.perf_counter() - started
    await client.aclose()
    return elapsed, brief.meta.chunks, brief.meta.llm_calls


async def sequential_refine(
    engine_settings: Settings, model: str, text: str, fake: FakeLLM
) -> tuple[float, int]:
    """The alternative design: one call per chunk (same chunks), each waiting for the previous."""
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(fake))
    engine = LLMEngine(engine_settings, model=model, http_client=client)
    chunks = engine.plan(Article(text=text)) or []
    started = time.perf_counter()
    for index, chunk in enumerate(chunks):
        messages = engine.messages(
            "brief/map.j2", article=chunk.text, title=None, part=index + 1, parts=len(chunks)
        )
        await engine.client.structured(
            messages, DraftBrief, schema=engine.schema, schema_name="brief", repair=str
        )
    elapsed = time.perf_counter() - started
    await client.aclose()
    return elapsed, len(chunks)


def main() -> None:
    tokenizer = load_tokenizer("gpt-4o-mini")

    # 1. Prompt overhead for a 1,500-token article in one call.
    article = make_text(tokenizer, 1500)
    article_tokens = tokenizer.count(article)
    fake = FakeLLM(tokenizer, delay=0)
    asyncio.run(run_engine(settings(), "gpt-4o-mini", article, fake))
    ratio = fake.prompt_tokens[0] / article_tokens
    print(f"prompt overhead: {fake.prompt_tokens[0]} billed prompt tokens / {article_tokens} article tokens "
          f"= {ratio:.3f} (target <= 1.25)")  # fmt: skip

    # 2. A 30,000-token article, 500 ms per call, default concurrency (16), against a sequential refine
    #    (one call per chunk, each after the previous) over the same chunks.
    long_text = make_text(tokenizer, 30_000)
    print(
        f"long article: {tokenizer.count(long_text)} tokens; fake LLM answers in {CALL_SECONDS * 1000:.0f} ms"
    )
    for label, model, chunk_tokens in (
        ("gpt-4, 8k window, default chunk size", "gpt-4", None),
        ("gpt-4o-mini, BRIEFING_CHUNK_TOKENS=2500", "gpt-4o-mini", 2500),
    ):
        engine_settings = settings(chunk_tokens=chunk_tokens)
        fake = FakeLLM(tokenizer, CALL_SECONDS)
        elapsed, chunks, calls = asyncio.run(run_engine(engine_settings, model, long_text, fake))
        refine, refine_calls = asyncio.run(
            sequential_refine(engine_settings, model, long_text, FakeLLM(tokenizer, CALL_SECONDS))
        )
        print(f"  [{label}] map-reduce: {chunks} chunks, {calls} calls, wall {elapsed:.2f} s "
              f"= {elapsed / CALL_SECONDS:.1f} x call time; sequential refine: {refine_calls} calls, "
              f"{refine:.2f} s = {refine / CALL_SECONDS:.1f} x")  # fmt: skip

    # 3. Chunking a 200,000-token text on one core (tokenizer already loaded).
    huge = make_text(tokenizer, 200_000, seed=11)
    huge_tokens = tokenizer.count(huge)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        chunks_out = chunk_text(huge, tokenizer, 4000, 64)
        timings.append(time.perf_counter() - started)
    print(f"chunking: {huge_tokens} tokens into {len(chunks_out)} chunks of <= 4000 tokens in "
          f"{min(timings):.3f} s (best of 3; target <= 0.5 s)")  # fmt: skip


if __name__ == "__main__":
    main()
