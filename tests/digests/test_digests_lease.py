"""Run leases: renewed while a long build runs, and a scheduler that lost its run neither saves nor
delivers anything."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from digest_fakes import CountingEngine, FakeBriefer, harbor_and_tram
from sqlalchemy import update

from briefing.digests.build import DigestBuilder
from briefing.digests.models import DirectoryTarget, ScheduleIn
from briefing.digests.periods import Slot
from briefing.digests.scheduler import Scheduler
from briefing.digests.tables import ScheduleRow
from briefing.store.digest_repo import DigestRepo

SLOT = Slot("2026-05-04T07:30", datetime(2026, 5, 4, 5, 30, tzinfo=UTC))
START = datetime(2026, 5, 4, 5, 31, tzinfo=UTC)
LEASE = timedelta(seconds=600)  # the default scheduler_lease_seconds


class GatedBuilder:
    """A build that lasts until the test opens the gate (a build longer than the lease)."""

    def __init__(self, inner: DigestBuilder) -> None:
        self.inner = inner
        self.started = asyncio.Event()
        self.gate = asyncio.Event()
        self.cancelled = False

    async def build(self, spec, now=None):
        self.started.set()
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return await self.inner.build(spec, now=now)


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def setup(settings, store, tmp_path):
    repo = DigestRepo(store)
    for item in harbor_and_tram():
        store.save_article(item)
    schedule = repo.create_schedule(
        ScheduleIn(
            name="Morning",
            cron="30 7 * * *",
            timezone="Europe/Berlin",
            window_hours=48,
            targets=[DirectoryTarget(path=str(tmp_path / "out"))],
        )
    )
    with store.session() as session:
        session.execute(
            update(ScheduleRow)
            .where(ScheduleRow.id == schedule.id)
            .values(created_at=START - timedelta(days=2))
        )
    return repo, repo.get_schedule(schedule.id)


def scheduler(settings, store, owner: str, clock: Clock, *, heartbeat: float, gated: bool = False):
    repo = DigestRepo(store)
    builder = DigestBuilder(settings, repo, briefer=FakeBriefer(settings, store, CountingEngine()))
    made = Scheduler(
        settings,
        store,
        builder=GatedBuilder(builder) if gated else builder,
        owner=owner,
        clock=clock,
        heartbeat=heartbeat,
    )
    return made


async def wait_until(predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_long_build_renews_its_lease_so_nobody_takes_over(settings, any_store, tmp_path) -> None:
    store = any_store
    repo, schedule = setup(settings, store, tmp_path)
    clock = Clock(START)
    owner = scheduler(settings, store, "owner", clock, heartbeat=0.02, gated=True)
    running = asyncio.create_task(owner.run_period(schedule, SLOT))
    await owner.builder.started.wait()
    (run,) = repo.list_runs(schedule.id)
    first_lease = datetime.fromisoformat(run["lease_until"])
    assert first_lease == START + LEASE

    clock.moment = START + 2 * LEASE  # the build has now run for twice the lease
    await wait_until(
        lambda: datetime.fromisoformat(repo.list_runs(schedule.id)[0]["lease_until"]) == clock.moment + LEASE
    )
    rival = scheduler(settings, store, "rival", Clock(clock.moment), heartbeat=3600)
    assert await rival.run_period(schedule, SLOT) is None  # the renewed lease holds

    owner.builder.gate.set()
    digest = await running
    assert digest is not None
    (run,) = repo.list_runs(schedule.id)
    assert (run["status"], run["owner"], run["attempts"]) == ("done", "owner", 1)
    assert [(d.status, d.attempts) for d in repo.list_deliveries()] == [("delivered", 1)]


async def test_heartbeat_notices_takeover_and_cancels_the_build(settings, any_store, tmp_path) -> None:
    store = any_store
    repo, schedule = setup(settings, store, tmp_path)
    clock = Clock(START)
    stalled = scheduler(settings, store, "stalled", clock, heartbeat=0.02, gated=True)
    running = asyncio.create_task(stalled.run_period(schedule, SLOT))
    await stalled.builder.started.wait()
    # another scheduler whose clock is past the lease (the owner looked dead to it) takes over
    rival = scheduler(settings, store, "rival", Clock(START + 2 * LEASE), heartbeat=3600)
    digest = await rival.run_period(schedule, SLOT)
    assert digest is not None

    assert await asyncio.wait_for(running, timeout=5) is None  # never opened the gate: cancelled
    assert stalled.builder.cancelled
    assert len(repo.list_digests()) == 1
    (run,) = repo.list_runs(schedule.id)
    assert (run["status"], run["owner"], run["attempts"]) == ("done", "rival", 2)
    assert [(d.status, d.attempts) for d in repo.list_deliveries()] == [("delivered", 1)]


async def test_owner_that_finishes_after_losing_the_run_saves_and_delivers_nothing(
    settings, any_store, tmp_path
) -> None:
    store = any_store
    repo, schedule = setup(settings, store, tmp_path)
    clock = Clock(START)
    # no heartbeat at all during the build (a frozen process): only the final check can notice
    stalled = scheduler(settings, store, "stalled", clock, heartbeat=3600, gated=True)
    running = asyncio.create_task(stalled.run_period(schedule, SLOT))
    await stalled.builder.started.wait()
    rival = scheduler(settings, store, "rival", Clock(START + 2 * LEASE), heartbeat=3600)
    # the rival is mid-build too when the stalled owner wakes up: nothing is saved yet
    rival.builder = GatedBuilder(rival.builder)
    rival_run = asyncio.create_task(rival.run_period(schedule, SLOT))
    await rival.builder.started.wait()

    stalled.builder.gate.set()
    assert await running is None
    assert repo.list_digests() == [] and repo.list_deliveries() == []

    rival.builder.gate.set()
    digest = await rival_run
    assert digest is not None and [d.id for d in repo.list_digests()] == [digest.id]
    assert [(d.status, d.attempts) for d in repo.list_deliveries()] == [("delivered", 1)]
    assert len(list((tmp_path / "out").iterdir())) == 3
