"""The one heartbeat every lease holder uses (briefing/queue/heartbeat.py): jobs on the embedded
queue and scheduled digest runs. Renewals while work runs, a lost lease stops the work, a database
hiccup is not a lost lease, and a cancellation of the holder is never swallowed."""

from __future__ import annotations

import asyncio
import logging

import pytest

from briefing.errors import StoreError
from briefing.queue.heartbeat import Heartbeat, LeaseLostError


class Renewals:
    """A renew callable: answers from `answers` in turn (True kept, False lost, an exception raised),
    then keeps answering True."""

    def __init__(self, *answers: bool | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self) -> bool:
        self.calls += 1
        if not self.answers:
            return True
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


async def test_the_lease_is_renewed_while_the_work_runs_and_its_result_returned() -> None:
    renew = Renewals()
    async with Heartbeat(renew, interval=0.01, what="job x") as beat:
        result = await beat.guard(asyncio.sleep(0.1, result="done"))
    assert result == "done"
    # A renewal in flight in its worker thread when the block ends still runs to its end; only
    # its count is lost with the cancelled beat, so the store may have seen one call more.
    assert beat.renewals >= 3 and renew.calls - beat.renewals in (0, 1)
    assert not beat.lost.is_set()
    await asyncio.sleep(0.02)  # let such a call in flight finish
    calls = renew.calls
    await asyncio.sleep(0.05)
    assert renew.calls == calls  # the beat stopped with the block


async def test_a_lost_lease_cancels_the_work_and_raises() -> None:
    cancelled = asyncio.Event()

    async def work() -> str:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "never"

    renew = Renewals(True, False)
    with pytest.raises(LeaseLostError, match="job x is held by another worker"):
        async with Heartbeat(renew, interval=0.01, what="job x") as beat:
            await beat.guard(work())
    assert cancelled.is_set() and beat.lost.is_set()
    assert beat.renewals == 1 and renew.calls == 2


async def test_a_failed_renewal_is_retried_not_taken_for_a_lost_lease(
    caplog: pytest.LogCaptureFixture,
) -> None:
    renew = Renewals(StoreError("database is locked"), True)
    with caplog.at_level(logging.WARNING, logger="briefing.queue"):
        async with Heartbeat(renew, interval=0.01, what="run 7") as beat:
            assert await beat.guard(asyncio.sleep(0.08, result=1)) == 1
    assert not beat.lost.is_set() and beat.renewals >= 2
    assert "run 7: lease renewal failed, retrying: database is locked" in caplog.text


async def test_check_renews_now_and_raises_once_lost() -> None:
    renew = Renewals(True, False)
    async with Heartbeat(renew, interval=3600, what="run 1") as beat:
        beat.check()
        with pytest.raises(LeaseLostError):
            beat.check()
        assert beat.lost.is_set()
        with pytest.raises(LeaseLostError):
            beat.check()  # stays lost without asking again
    assert renew.calls == 2


async def test_work_that_finishes_as_the_lease_is_lost_keeps_its_result() -> None:
    async with Heartbeat(Renewals(), interval=3600, what="job y") as beat:
        beat.lost.set()
        done = asyncio.get_running_loop().create_future()
        done.set_result(5)
        assert await beat.guard(done) == 5


async def test_cancelling_the_holder_is_never_swallowed() -> None:
    """The holder is cancelled while a lost lease's work is still winding down: the holder must end
    cancelled, not with LeaseLostError (which would let a stopping worker go on as if nothing were)."""
    winding_down = asyncio.Event()

    async def slow_to_stop() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            winding_down.set()
            await asyncio.sleep(0.5)  # cleanup that takes a while
            raise

    async def holder() -> None:
        async with Heartbeat(Renewals(False), interval=0.01, what="job z") as beat:
            await beat.guard(slow_to_stop())

    task = asyncio.create_task(holder())
    await asyncio.wait_for(winding_down.wait(), 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()


def test_the_lease_rule_takes_free_and_lapsed_rows_and_renews_only_held_ones() -> None:
    """`LeaseRule` (briefing/store/leases.py), the SQL side every lease holder shares."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import (
        Column,
        DateTime,
        Integer,
        MetaData,
        String,
        Table,
        create_engine,
        or_,
        select,
        update,
    )

    from briefing.store.leases import LeaseRule

    table = Table(
        "work",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("status", String),
        Column("lease_until", DateTime),
    )
    rule = LeaseRule(table.c.status, table.c.lease_until, "busy")
    now = datetime(2026, 5, 4, 12, 0, tzinfo=UTC).replace(tzinfo=None)
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    rows = [
        {"id": 1, "status": "free", "lease_until": None},
        {"id": 2, "status": "busy", "lease_until": now - timedelta(seconds=1)},  # lapsed
        {"id": 3, "status": "busy", "lease_until": now},  # lapses only after now
        {"id": 4, "status": "busy", "lease_until": now + timedelta(seconds=5)},
        {"id": 5, "status": "done", "lease_until": now - timedelta(seconds=9)},  # not held: never lapsed
    ]
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)
        lapsed = connection.scalars(select(table.c.id).where(rule.lapsed(now)).order_by(table.c.id)).all()
        assert lapsed == [2]
        held = connection.scalars(select(table.c.id).where(rule.holding()).order_by(table.c.id)).all()
        assert held == [2, 3, 4]
        taken = connection.execute(
            update(table)
            .where(or_(table.c.status == "free", rule.lapsed(now)))
            .values(**rule.hold(now, timedelta(seconds=30)))
        ).rowcount
        assert taken == 2
        renewed = connection.execute(
            update(table).where(rule.holding()).values(**rule.renewal(now + timedelta(seconds=60)))
        ).rowcount
        assert renewed == 4  # 1, 2 (just taken), 3 and 4; never the finished row
        connection.execute(update(table).where(table.c.id == 4).values(status="done", **rule.released()))
        state = {row.id: (row.status, row.lease_until) for row in connection.execute(select(table))}
    later = now + timedelta(seconds=60)
    assert state == {
        1: ("busy", later),
        2: ("busy", later),
        3: ("busy", later),
        4: ("done", None),
        5: ("done", now - timedelta(seconds=9)),
    }
