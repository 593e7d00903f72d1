"""The scheduler: one digest per period, coalesced catch-up, DST, continuity, two racing
schedulers, and a scheduler killed mid-run."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from digest_fakes import CountingEngine, FakeBriefer, article, harbor_and_tram
from sqlalchemy import update

from briefing.config import Settings
from briefing.digests.build import DigestBuilder
from briefing.digests.models import Digest, DirectoryTarget, ScheduleIn
from briefing.digests.periods import Slot
from briefing.digests.scheduler import Scheduler
from briefing.digests.tables import ScheduleRow
from briefing.digests.tasks import QUEUE, DigestTasks, TaskLog
from briefing.queue import LocalQueue
from briefing.store import Store, open_store
from briefing.store.digest_repo import DigestRepo

# Monday 2026-05-04, 07:31 in Berlin (CEST, UTC+2)
MONDAY_0731 = datetime(2026, 5, 4, 5, 31, tzinfo=UTC)


def make_scheduler(settings: Settings, store: Store, engine: CountingEngine, owner: str) -> Scheduler:
    repo = DigestRepo(store)
    builder = DigestBuilder(settings, repo, briefer=FakeBriefer(settings, store, engine))
    return Scheduler(settings, store, builder=builder, owner=owner)


class Node:
    """One process on the embedded queue: its digest tasks on its own queue, and a scheduler pass
    followed by its worker running what can run now (as `briefing scheduler --once` does)."""

    def __init__(self, settings: Settings, store: Store, engine: CountingEngine, owner: str) -> None:
        self.queue = LocalQueue(store, settings, {})
        self.tasks = DigestTasks(
            settings, store, self.queue, builder=make_scheduler(settings, store, engine, owner).builder
        )
        self.tasks.runner.owner = owner

    async def tick(self) -> list[Digest]:
        """One pass (enqueue what is due now), then run the queue; the digests made."""
        self.tasks.log = log = TaskLog()
        await asyncio.to_thread(self.tasks.enqueue_due, datetime.now(UTC))
        await self.queue.drain(queue=QUEUE)
        return log.digests


def add_schedule(repo: DigestRepo, out: Path, created: datetime, **extra: object) -> int:
    spec = ScheduleIn(
        name="Morning",
        cron="30 7 * * *",
        timezone="Europe/Berlin",
        targets=[DirectoryTarget(path=str(out))],
        **extra,
    )
    schedule = repo.create_schedule(spec)
    with repo.store.session() as session:
        session.execute(update(ScheduleRow).where(ScheduleRow.id == schedule.id).values(created_at=created))
    return schedule.id


def save_articles(store: Store, articles: list) -> None:
    for item in articles:
        store.save_article(item)


async def test_one_digest_per_period_and_files_delivered(settings, store, repo, engine, tmp_path) -> None:
    save_articles(store, harbor_and_tram())  # published 2026-05-04 06:00–09:00 UTC ... shift into window
    save_articles(store, [article("old", "Old news", "Nothing. Happened here.", "Gazette", -30)])
    schedule_id = add_schedule(repo, tmp_path / "out", MONDAY_0731 - timedelta(days=2), window_hours=48)
    scheduler = Node(settings, store, engine, "a")
    with time_machine.travel(MONDAY_0731 + timedelta(hours=4), tick=False):
        first = await scheduler.tick()
        again = await scheduler.tick()
    assert len(first) == 1 and again == []
    digest = first[0]
    assert digest.period == "2026-05-04T07:30"
    assert digest.title == "Morning — Mon 04 May 2026, 07:30"  # the slot, in the schedule's zone
    # window = the 48 h before the slot (05:30 UTC): only articles published before 05:30 UTC
    assert digest.window_end == datetime(2026, 5, 4, 5, 30, tzinfo=UTC)
    assert digest.stats.articles == 1
    deliveries = repo.list_deliveries(digest_id=digest.id)
    assert [(d.status, d.attempts) for d in deliveries] == [("delivered", 1)]
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".html", ".json", ".md"]
    assert len(repo.list_digests(schedule_id=schedule_id)) == 1


async def test_missed_days_coalesce_into_one_run(settings, store, repo, engine, tmp_path) -> None:
    add_schedule(repo, tmp_path / "out", MONDAY_0731 - timedelta(days=10))
    scheduler = Node(settings, store, engine, "a")
    with time_machine.travel(MONDAY_0731 + timedelta(days=3, hours=2), tick=False):
        made = await scheduler.tick()
        await scheduler.tick()
    assert [digest.period for digest in made] == ["2026-05-07T07:30"]
    assert len(repo.list_digests()) == 1


async def test_daily_runs_across_dst_switch(settings, store, repo, engine, tmp_path) -> None:
    add_schedule(repo, tmp_path / "out", datetime(2026, 3, 20, tzinfo=UTC))
    scheduler = Node(settings, store, engine, "a")
    moment = datetime(2026, 3, 27, 0, 0, tzinfo=UTC)
    fired: list[tuple[str, datetime]] = []
    while moment < datetime(2026, 3, 31, tzinfo=UTC):
        with time_machine.travel(moment, tick=False):
            fired += [(d.period, d.window_end) for d in await scheduler.tick()]
        moment += timedelta(minutes=30)
    # the first pass catches up the 26th's slot (once), then one run per local day at 07:30
    assert [period for period, _ in fired] == [f"2026-03-{day}T07:30" for day in (26, 27, 28, 29, 30)]
    # 07:30 local is 06:30 UTC before the switch (29 March) and 05:30 UTC after it
    assert [end.hour for _, end in fired] == [6, 6, 6, 5, 5]


async def test_continuity_across_two_days(settings, store, repo, engine, tmp_path) -> None:
    day1 = harbor_and_tram()[:2]
    day2 = [
        article(
            "strike-c",
            "Port Arlen strike talks begin with mediator",
            "Talks with a mediator began on Wednesday at Port Arlen. "
            "Arlen Terminals offered to keep the night-shift premium at 25 percent. "
            "Dispute: whether the offer covers weekend shifts.",
            "Coastline Daily",
            26,
        ),
        article(
            "strike-d",
            "Mediator hosts Port Arlen strike talks",
            "A mediator hosted talks between the United Port Workers and Arlen Terminals at Port Arlen. "
            "The dockworkers stayed on strike during the talks.",
            "Harbour Post",
            27,
        ),
    ]
    save_articles(store, day1 + day2)
    schedule_id = add_schedule(repo, tmp_path / "out", datetime(2026, 5, 1, tzinfo=UTC))
    scheduler = Node(settings, store, engine, "a")
    with time_machine.travel(datetime(2026, 5, 5, 5, 35, tzinfo=UTC), tick=False):
        (first,) = await scheduler.tick()
    with time_machine.travel(datetime(2026, 5, 6, 5, 35, tzinfo=UTC), tick=False):
        (second,) = await scheduler.tick()
    assert first.stats.articles == 2 and second.stats.articles == 2  # window = since the previous run
    (story1,) = first.stories
    (story2,) = second.stories
    assert story2.key == story1.key
    change = story2.change
    assert change is not None and change.previous_digest_id == first.id
    assert "talks with a mediator on Wednesday." in change.happened_next_steps
    assert "whether the offer covers weekend shifts." in change.new_disputes
    assert "the cut to the night-shift premium." in change.resolved_disputes
    assert any("25 percent" in text for text in change.new_status)
    assert repo.previous_digest(schedule_id, second.period).id == first.id


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_schedulers_racing_make_one_digest_and_one_delivery(request, settings, backend, tmp_path) -> None:
    if backend == "postgres":
        settings = request.getfixturevalue("postgres_settings")
    stores = [open_store(settings) for _ in range(2)]
    assert stores[0].engine.dialect.name.startswith(backend)
    repo = DigestRepo(stores[0])
    save_articles(stores[0], harbor_and_tram())
    out = tmp_path / "out"
    periods = 4
    for index in range(periods):  # several schedules, so the race is run several times
        add_schedule(repo, out / str(index), MONDAY_0731 - timedelta(days=2), window_hours=48)
    engines = [CountingEngine(), CountingEngine()]
    schedulers = [Node(settings, stores[i], engines[i], f"s{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    made: list[list] = [[], []]

    def run(index: int) -> None:
        barrier.wait()
        with time_machine.travel(MONDAY_0731 + timedelta(hours=4), tick=False):
            made[index] = asyncio.run(schedulers[index].tick())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made[0]) + len(made[1]) == periods
    digests = repo.list_digests()
    assert len(digests) == periods
    deliveries = repo.list_deliveries()
    assert len(deliveries) == periods and all(d.status == "delivered" and d.attempts == 1 for d in deliveries)
    for index in range(periods):
        assert len(list((out / str(index)).iterdir())) == 3
    for store in stores:
        store.close()


CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime
    from briefing.config import Settings
    from briefing.digests.tasks import QUEUE, DigestTasks
    from briefing.queue import LocalQueue
    from briefing.store import open_store

    class Hang:
        async def build(self, spec, now=None):
            print("building", flush=True)
            await asyncio.sleep(3600)

    settings = Settings(data_dir=sys.argv[1], scheduler_lease_seconds=60)
    store = open_store(settings)
    queue = LocalQueue(store, settings, {})
    tasks = DigestTasks(settings, store, queue, builder=Hang())
    tasks.runner.owner = "doomed"
    tasks.enqueue_due(datetime.now(UTC))
    asyncio.run(queue.drain(queue=QUEUE))
    """
)


async def test_killed_scheduler_run_is_taken_over_once(settings, store, repo, engine, tmp_path) -> None:
    save_articles(store, harbor_and_tram())
    add_schedule(repo, tmp_path / "out", datetime(2026, 1, 1, tzinfo=UTC), window_hours=24 * 3650)
    repo.update_schedule(1, repo.get_schedule(1).model_copy(update={"cron": "0 0 * * *", "timezone": "UTC"}))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(settings.data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "building"
    child.send_signal(signal.SIGKILL)
    child.wait()
    (run,) = repo.list_runs(1)
    assert run["status"] == "running" and run["digest_id"] is None

    schedule = repo.get_schedule(1)
    slot = Slot(run["period"], datetime.fromisoformat(run["period"]).replace(tzinfo=UTC))
    real_now = datetime.now(UTC)
    early = make_scheduler(settings, store, engine, "early")
    early.clock = lambda: real_now + timedelta(seconds=30)  # lease (60 s) not yet expired
    assert await early.run_period(schedule, slot) is None
    late = make_scheduler(settings, store, engine, "late")
    late.clock = lambda: real_now + timedelta(seconds=90)
    digest = await late.run_period(schedule, slot)
    assert digest is not None and len(digest.stories) == 2
    later = make_scheduler(settings, store, engine, "later")
    later.clock = lambda: real_now + timedelta(seconds=500)
    assert await later.run_period(schedule, slot) is None  # done: never run again
    (run,) = repo.list_runs(1)
    assert run["status"] == "done" and run["attempts"] == 2 and run["digest_id"] == digest.id
    assert len(repo.list_digests()) == 1
    assert [d.status for d in repo.list_deliveries()] == ["delivered"]


async def test_crash_after_digest_saved_reuses_it(settings, store, repo, engine, tmp_path) -> None:
    save_articles(store, harbor_and_tram())
    schedule_id = add_schedule(repo, tmp_path / "out", MONDAY_0731 - timedelta(days=2), window_hours=48)
    schedule = repo.get_schedule(schedule_id)
    slot = Slot("2026-05-04T07:30", datetime(2026, 5, 4, 5, 30, tzinfo=UTC))
    crashed = make_scheduler(settings, store, engine, "crashed")
    crashed.clock = lambda: MONDAY_0731
    run_id = repo.claim_run(
        schedule_id, slot.period, slot.fire_at, owner="crashed", now=MONDAY_0731, lease=timedelta(minutes=10)
    )
    assert run_id is not None
    saved, _ = repo.save_digest(await crashed.build(schedule, slot))  # ...and then the process died
    survivor = make_scheduler(settings, store, engine, "survivor")
    survivor.clock = lambda: MONDAY_0731 + timedelta(minutes=11)
    digest = await survivor.run_period(schedule, slot)
    assert digest is not None and digest.id == saved.id
    assert len(repo.list_digests()) == 1 and len(repo.list_deliveries()) == 1


async def test_a_schedule_without_slots_does_not_stop_the_others(
    settings, store, repo, engine, tmp_path
) -> None:
    # stored without validation (as a schedule saved before the cron check existed would be)
    broken = ScheduleIn(
        name="Never", cron="0 0 30 2 *", targets=[DirectoryTarget(path=str(tmp_path / "never"))]
    )
    repo.create_schedule(broken)
    add_schedule(repo, tmp_path / "out", MONDAY_0731 - timedelta(days=2))
    scheduler = Node(settings, store, engine, "a")
    with time_machine.travel(MONDAY_0731, tick=False):
        made = await scheduler.tick()
    assert [digest.period for digest in made] == ["2026-05-04T07:30"]
    assert (tmp_path / "out").is_dir() and not (tmp_path / "never").exists()


async def test_a_period_run_makes_no_store_call_on_the_event_loop(
    settings, store, repo, engine, tmp_path
) -> None:
    """The run task shares the loop with the worker's other jobs and their lease renewals: every
    store call of a period run goes to a worker thread."""
    import threading

    save_articles(store, harbor_and_tram())
    schedule_id = add_schedule(repo, tmp_path / "out", MONDAY_0731 - timedelta(days=2), window_hours=48)
    scheduler = make_scheduler(settings, store, engine, "a")
    loop_thread = threading.current_thread()
    on_loop: list[str] = []
    for name in (
        "claim_run",
        "digest_for_period",
        "save_digest",
        "ensure_deliveries",
        "finish_run",
        "select_articles",
        "failing_feeds",
        "previous_digest",
    ):
        real = getattr(scheduler.repo, name)

        def spy(*args, _real=real, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            if threading.current_thread() is loop_thread:
                on_loop.append(_name)
            return _real(*args, **kwargs)

        setattr(scheduler.repo, name, spy)
    slot = Slot("2026-05-04T07:30", datetime(2026, 5, 4, 5, 30, tzinfo=UTC))
    with time_machine.travel(MONDAY_0731 + timedelta(hours=1), tick=False):
        digest = await scheduler.run_period(repo.get_schedule(schedule_id), slot, deliver=False)
    assert digest is not None and on_loop == []
