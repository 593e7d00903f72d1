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


async def test_a_flight_whose_holder_is_stuck_is_waited_for_only_so_long(store_settings: Settings) -> None:
    """A frozen holder keeps its lock; the others go ahead without the flight after `wait`."""
    runtimes = [await asyncio.to_thread(Runtime.open, store_settings) for _ in range(2)]
    first = Briefs(store_settings, runtimes[0].store, None, briefer=runtimes[0].briefer).flights
    # On PostgreSQL the second caller is another "process"; on SQLite the flight is per process.
    postgres = runtimes[0].store.engine.dialect.name == "postgresql"
    other = runtimes[1] if postgres else runtimes[0]
    second = (
        first if not postgres else Briefs(store_settings, other.store, None, briefer=other.briefer).flights
    )
    try:
        async with first.hold("key", wait=5) as held:
            assert held
            started = asyncio.get_running_loop().time()
            async with second.hold("key", wait=0.3) as also:
                waited = asyncio.get_running_loop().time() - started
            assert also is False and 0.25 <= waited < 3
        async with second.hold("key", wait=0.3) as free:  # released: taken at once
            assert free
    finally:
        for runtime in runtimes:
            await runtime.aclose()
