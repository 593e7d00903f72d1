"""One runtime per process: engines, LLM clients and services are built once, injected, and closed
at shutdown; CPU-bound engine work never runs on the event loop."""

from __future__ import annotations

import asyncio
import time

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from briefing import pipeline
from briefing.config import Settings
from briefing.engines.offline import OfflineEngine
from briefing.models import Article, BriefOptions

TEXTS = [
    "The harbor board approved a new ferry terminal on Monday. Work starts in May, the board said.",
    "City council delayed the tram extension vote. Opponents said the cost doubled since 2023.",
]


def test_requests_and_digests_share_the_process_engines(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str | None] = []
    real_get_engine = pipeline.get_engine

    def counting_get_engine(name, settings, *, model=None):  # type: ignore[no-untyped-def]
        built.append(name)
        return real_get_engine(name, settings, model=model)

    monkeypatch.setattr(pipeline, "get_engine", counting_get_engine)
    app = create_app(settings.model_copy(update={"scheduler_enabled": False}))
    with TestClient(app) as client:
        ids = []
        for text in TEXTS:
            made = client.post("/v1/briefs", json={"text": text})
            assert made.status_code == 200, made.text
            ids.append(made.json()["article_id"])
        for _ in range(3):  # each digest request used to build a Briefer, an engine and its client
            digest = client.post("/v1/digests", json={"article_ids": ids, "title": "Twice"})
            assert digest.status_code == 201, digest.text
        runtime = app.state.runtime
        assert runtime.digests.builder.briefer is runtime.briefer
        assert app.state.service.briefer.engine() is runtime.briefer.engine()
    assert built == ["offline"]


def test_shutdown_closes_the_llm_client_built_for_requests(llm_settings: Settings) -> None:
    app = create_app(llm_settings.model_copy(update={"scheduler_enabled": False}))
    with TestClient(app):
        engine = app.state.service.engine_for(BriefOptions(engine="llm"))
        assert app.state.runtime.briefer.engine(BriefOptions(engine="llm")) is engine
        assert not engine.client._client.is_closed()
    assert engine.client._client.is_closed()


async def test_offline_engine_runs_off_the_event_loop(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = OfflineEngine(settings)
    real_build = engine.build

    def slow_build(article: Article):  # type: ignore[no-untyped-def]
        time.sleep(0.4)  # stands in for a long article's CPU time
        return real_build(article)

    monkeypatch.setattr(engine, "build", slow_build)
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        for _ in range(30):
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    brief, _ = await asyncio.gather(engine.brief(Article(text=TEXTS[0]), BriefOptions()), ticker())
    assert brief.headline
    assert max(gaps) < 0.2, max(gaps)  # the loop kept turning while the engine worked
    await engine.aclose()
