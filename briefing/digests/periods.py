"""Which run of a schedule is due at a moment, DST-correct, with missed runs coalesced.

A run is identified by its *period*: the local wall-clock time of the cron slot, written
`YYYY-MM-DDTHH:MM`. Using wall-clock time (not UTC) as the key means the repeated hour on
the autumn switch yields one key, so a 02:30 schedule runs once that day, not twice. On the
spring switch a slot in the skipped hour (02:30 in Europe/Berlin) fires at the first valid
time after it (03:00), once. After downtime only the latest missed slot is due, so a
scheduler that was off for three days produces one digest, not three.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from croniter import croniter

from briefing.digests.schedules import check_cron, check_timezone


@dataclass(frozen=True)
class Slot:
    period: str
    fire_at: datetime  # aware, in the schedule's zone


def period_key(local: datetime) -> str:
    return local.strftime("%Y-%m-%dT%H:%M")


def latest_slot(cron: str, timezone: str, now: datetime) -> Slot:
    """The most recent cron slot at or before `now`."""
    zone = check_timezone(timezone)
    local_now = now.astimezone(zone).replace(microsecond=0) + timedelta(seconds=1)
    expression = check_cron(cron)
    fire_at = croniter(expression, local_now).get_prev(datetime)
    # croniter's get_prev can step back a whole day inside the repeated autumn hour; walking
    # forward from its answer until the next slot is in the future gives the true latest slot.
    forward = croniter(expression, fire_at)
    while (candidate := forward.get_next(datetime)) <= now:
        fire_at = candidate
    return Slot(period_key(fire_at), fire_at)


def due_slot(cron: str, timezone: str, now: datetime, *, not_before: datetime) -> Slot | None:
    """The slot to run now, or None: only the latest slot counts (coalescing), and only if it is
    at or after `not_before` (a schedule created at 10:00 does not run for 07:30 of that day)."""
    slot = latest_slot(cron, timezone, now)
    if slot.fire_at.astimezone(UTC) < not_before.astimezone(UTC):
        return None
    return slot
