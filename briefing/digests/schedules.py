"""Schedule validation: a bad cron expression or time zone is an input error that names the field."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from briefing.digests.models import ScheduleIn
from briefing.errors import InputError


def check_cron(expression: str) -> str:
    """Five fields only: seconds-level or year fields would silently change meaning between libraries."""
    expression = " ".join(expression.split())
    if len(expression.split(" ")) != 5 or not croniter.is_valid(expression):
        raise InputError(
            f"cron: {expression!r} is not a valid five-field cron expression (e.g. '30 7 * * *')",
            field="cron",
        )
    return expression


def check_timezone(name: str) -> ZoneInfo:
    try:
        if not name or name != name.strip():
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InputError(
            f"timezone: {name!r} is not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')", field="timezone"
        ) from error


def validate_schedule(schedule: ScheduleIn) -> ScheduleIn:
    """Return the schedule with its cron expression normalized; raise InputError naming a bad field."""
    cron = check_cron(schedule.cron)
    check_timezone(schedule.timezone)
    return schedule.model_copy(update={"cron": cron})
