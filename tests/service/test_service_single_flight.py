"""Single-flight: concurrent requests for one new article make one engine call and all get its brief."""

from __future__ import annotations

import asyncio

import pytest

from api.metrics import Metrics
from briefing.config import Settings
from briefing.models import Article, BriefOptions
from briefing.runtime import Runtime
from briefing.services.briefs import Briefs
from tests.service.fake_engine import FakeEngine

ARTICLE = Article(text="The council met on Monday. It voted to close the bridge for repairs.")


async def _concurrent_briefs(settings: Settings, processes: int, requests: int) -> tuple[list, list[str]]:
    """`processes` runtimes (each its own pool and locks, as separate processes have) on one database."""
    runtimes = [await asyncio.to_thread(Runtime.open, settings) for _ in range(processes)]
    services = [Briefs(settings, r.store, Metrics(), briefer=r.briefer) for r in runtimes]
    stop = asyncio.Event()
    workers = [asyncio.create_task(s.queue.run_worker(stop)) for s in services]
    await asyncio.sleep(0.05)  # the dispatchers open their slots
    try:
        options = BriefOptions(engine="test")
        results = await asyncio.gather(
            *(services[n % processes].brief_now(ARTICLE, options) for n in range(requests))
        )
        jobs, headlines = [], []
        for n, (job, brief) in enumerate(results):
            service = services[n % processes]
            if brief is None:  # no free slot at once: it was queued; wait for it like a request does
                job = await service.queue.wait(job.id, 20) or job
                brief = service.job_brief(job)
            assert brief is not None, job
            jobs.append(job)
            headlines.append(brief.headline)
        return jobs, headlines
    finally:
        stop.set()
        await asyncio.gather(*workers)
        for runtime in runtimes:
            await runtime.aclose()


@pytest.mark.parametrize("processes", [1, 2])
async def test_concurrent_requests_for_one_article_make_one_engine_call(
    store_settings: Settings, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    if processes > 1 and store_settings.resolved_database_url.startswith("sqlite"):
        pytest.skip("on SQLite (embedded, one process) the flight is per process")
    monkeypatch.setenv("BRIEFING_TEST_ENGINE_DELAY", "0.3")
    calls: list[str] = []
    real_brief = FakeEngine.brief

    async def counting_brief(self, article, options):  # type: ignore[no-untyped-def]
        calls.append(article.id)
        return await real_brief(self, article, options)

    monkeypatch.setattr(FakeEngine, "brief", counting_brief)
    jobs, headlines = await _concurrent_briefs(store_settings, processes, requests=6)
    assert calls == [ARTICLE.id]  # one call for six requests
    assert {job.status for job in jobs} == {"succeeded"}
    assert len({job.result_id for job in jobs}) == 1  # all answered with the one stored brief
    assert set(headlines) == {"The council met on Monday"}
