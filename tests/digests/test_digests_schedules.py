"""Schedule validation and DST-correct, coalesced periods."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from briefing.digests.models import DirectoryTarget, EmailTarget, ScheduleIn, WebhookTarget
from briefing.digests.periods import due_slot, latest_slot
from briefing.digests.schedules import validate_schedule
from briefing.errors import InputError

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def machine_zone() -> Iterator[str]:
    """Run on a machine whose local time zone is neither UTC nor the schedule's (CI runs on UTC)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    try:
        assert time.localtime(0).tm_hour == 16  # 1970-01-01 00:00 UTC is 16:00 the day before in LA
        yield "America/Los_Angeles"
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_bad_cron_names_the_field() -> None:
    with pytest.raises(InputError) as caught:
        validate_schedule(ScheduleIn(name="x", cron="61 7 * * *"))
    assert caught.value.message.startswith("cron:")
    assert caught.value.http_status == 422


def test_six_field_cron_is_refused() -> None:
    with pytest.raises(InputError, match="cron"):
        validate_schedule(ScheduleIn(name="x", cron="0 30 7 * * *"))


def test_bad_timezone_names_the_field() -> None:
    with pytest.raises(InputError) as caught:
        validate_schedule(ScheduleIn(name="x", cron="30 7 * * *", timezone="Mars/Olympus"))
    assert caught.value.message.startswith("timezone:")


def test_valid_schedule_is_normalized() -> None:
    schedule = validate_schedule(ScheduleIn(name="x", cron=" 30  7 * * * ", timezone="Europe/Berlin"))
    assert schedule.cron == "30 7 * * *"


def test_a_repeated_target_is_kept_once_the_first_way_it_was_given() -> None:
    targets = [
        WebhookTarget(url="https://hooks.example/a"),
        DirectoryTarget(path="/a"),
        WebhookTarget(url="https://hooks.example/a", allow_unsigned=True),
        DirectoryTarget(path="/a"),
    ]
    schedule = ScheduleIn(name="x", cron="30 7 * * *", targets=targets)
    assert schedule.targets == [WebhookTarget(url="https://hooks.example/a"), DirectoryTarget(path="/a")]


@pytest.mark.parametrize(
    "address", ["not an address", "ok@example.com, victim@evil.example", "a@b\r\nBcc: c@d", ""]
)
def test_an_email_target_takes_one_plain_address_each(address: str) -> None:
    with pytest.raises(ValueError, match="e-mail address"):
        EmailTarget(to=[address])
    assert EmailTarget(to=["desk@example.com"]).to == ["desk@example.com"]


def test_a_schedule_name_with_a_line_break_is_refused_but_a_stored_one_still_loads() -> None:
    with pytest.raises(ValueError, match="control characters"):
        ScheduleIn(name="Evil\r\nBcc: victim@evil.example", cron="30 7 * * *")
    old_target = {"kind": "email", "to": ["not an address"]}
    stored = {"name": "Old\tname", "cron": "30 7 * * *", "targets": [old_target]}
    assert ScheduleIn.model_validate(stored, context={"stored": True}).name == "Old\tname"


def _periods_over(cron: str, start: datetime, days: int) -> list[str]:
    """Every distinct period seen when polling every 10 minutes (what the scheduler loop does)."""
    seen: list[str] = []
    moment = start
    while moment < start + timedelta(days=days):
        period = latest_slot(cron, "Europe/Berlin", moment).period
        if not seen or seen[-1] != period:
            seen.append(period)
        moment += timedelta(minutes=10)
    return seen


@pytest.mark.parametrize("start", [datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 10, 23, tzinfo=UTC)])
def test_0730_fires_once_per_local_day_across_dst(start: datetime) -> None:
    periods = _periods_over("30 7 * * *", start, 5)[1:]  # the first is the slot before the start
    assert len(periods) == 5
    assert all(period.endswith("T07:30") for period in periods)
    assert len({period[:10] for period in periods}) == 5


def test_0730_fire_time_is_local_after_switch() -> None:
    before = latest_slot("30 7 * * *", "Europe/Berlin", datetime(2026, 3, 28, 12, tzinfo=UTC))
    after = latest_slot("30 7 * * *", "Europe/Berlin", datetime(2026, 3, 29, 12, tzinfo=UTC))
    assert before.fire_at.astimezone(UTC).hour == 6  # CET = UTC+1
    assert after.fire_at.astimezone(UTC).hour == 5  # CEST = UTC+2
    assert after.fire_at.astimezone(BERLIN).hour == 7


def test_nonexistent_time_fires_once_at_next_valid_time() -> None:
    periods = _periods_over("30 2 * * *", datetime(2026, 3, 28, tzinfo=UTC), 2)
    spring_day = [period for period in periods if period.startswith("2026-03-29")]
    assert spring_day == ["2026-03-29T03:00"]


def test_repeated_hour_runs_once() -> None:
    periods = _periods_over("30 2 * * *", datetime(2026, 10, 24, tzinfo=UTC), 2)
    assert [period for period in periods if period.startswith("2026-10-25")] == ["2026-10-25T02:30"]


def test_missed_runs_coalesce_to_latest() -> None:
    created = datetime(2026, 5, 1, tzinfo=UTC)
    slot = due_slot("30 7 * * *", "Europe/Berlin", datetime(2026, 5, 4, 12, tzinfo=UTC), not_before=created)
    assert slot is not None and slot.period == "2026-05-04T07:30"


def test_slot_before_creation_is_not_due() -> None:
    created = datetime(2026, 5, 4, 8, tzinfo=UTC)
    assert (
        due_slot("30 7 * * *", "Europe/Berlin", datetime(2026, 5, 4, 9, tzinfo=UTC), not_before=created)
        is None
    )


@pytest.mark.parametrize("cron", ["0 0 30 2 *", "0 0 31 4,6 *"])
def test_cron_that_never_fires_is_refused(cron: str) -> None:
    with pytest.raises(InputError, match="never matches a real date") as caught:
        validate_schedule(ScheduleIn(name="x", cron=cron))
    assert caught.value.context["field"] == "cron"


def test_leap_day_cron_is_accepted() -> None:
    assert validate_schedule(ScheduleIn(name="x", cron="0 0 29 2 *")).cron == "0 0 29 2 *"


def test_unknown_engine_is_refused_when_the_schedule_is_saved() -> None:
    with pytest.raises(InputError, match="unknown engine 'nope'") as caught:
        validate_schedule(ScheduleIn(name="x", cron="30 7 * * *", engine="nope"))
    assert caught.value.context["field"] == "engine"
    assert validate_schedule(ScheduleIn(name="x", cron="30 7 * * *", engine="offline")).engine == "offline"


def test_directory_targets_must_stay_inside_delivery_dirs(tmp_path) -> None:
    from briefing.config import Settings

    allowed = tmp_path / "digests"
    settings = Settings(data_dir=tmp_path / "data", delivery_dirs=f"{allowed},{tmp_path / 'more'}")
    assert settings.delivery_dirs == [allowed, tmp_path / "more"]
    inside = ScheduleIn(name="x", cron="30 7 * * *", targets=[DirectoryTarget(path=str(allowed / "morning"))])
    assert validate_schedule(inside, settings).targets == inside.targets
    outside = str(tmp_path / "elsewhere")
    with pytest.raises(InputError) as caught:
        validate_schedule(
            ScheduleIn(name="x", cron="30 7 * * *", targets=[DirectoryTarget(path=outside)]), settings
        )
    assert caught.value.message.startswith("targets[0]: directory")
    assert "BRIEFING_DELIVERY_DIRS" in caught.value.message
    # with an allow-list a path is written out in full: no "..", nothing relative to the server's folder
    for written in (str(allowed / ".." / "elsewhere"), str(allowed / "a" / ".." / "b"), "digests/morning"):
        target = DirectoryTarget(path=written)
        with pytest.raises(InputError, match=r"absolute path without '\.\.'"):
            validate_schedule(ScheduleIn(name="x", cron="30 7 * * *", targets=[target]), settings)


def test_directory_paths_the_schema_publishes_are_exactly_those_accepted(tmp_path) -> None:
    """directory_pattern (in /openapi.json) and check_directory agree, edge cases included."""
    import re

    from briefing.config import Settings
    from briefing.digests.schedules import check_directory, directory_pattern

    root = tmp_path / "out.d"
    paths = [
        str(root),
        f"{root}/",
        f"{root}/a/b",
        f"{root}//a",
        f"{root}/...",
        f"{root}/..a",
        f"{root}/.",
        f"{root}/..",
        f"{root}/../",
        f"{root}/a/../b",
        f"{root}x",
        f"{root}\n",
        f"{root}/a\x00",
        "",
        "a",
        "/",
    ]
    for settings in (Settings(data_dir=tmp_path, delivery_dirs=str(root)), Settings(data_dir=tmp_path)):
        pattern = directory_pattern(settings)
        assert pattern is not None
        for path in paths:
            try:
                check_directory(path, settings)
                accepted = True
            except InputError:
                accepted = False
            assert bool(re.search(pattern, path)) == accepted, (pattern, path)
    public = Settings(data_dir=tmp_path, host="0.0.0.0")
    assert directory_pattern(public) is None  # no directory target at all on a public server without the list


def test_odd_directory_paths_are_input_errors_not_crashes(tmp_path) -> None:
    from briefing.config import Settings

    settings = Settings(data_dir=tmp_path)
    with pytest.raises(InputError, match="without NUL"):
        validate_schedule(
            ScheduleIn(name="x", cron="30 7 * * *", targets=[DirectoryTarget(path="a\x00b")]), settings
        )
    # "~name" is a folder named so (no lookup of another user's home, which raised RuntimeError)
    target = DirectoryTarget(path="~no-such-user-here")
    assert validate_schedule(ScheduleIn(name="x", cron="30 7 * * *", targets=[target]), settings).targets


def test_any_directory_is_accepted_when_delivery_dirs_is_unset(tmp_path) -> None:
    from briefing.config import Settings

    schedule = ScheduleIn(name="x", cron="30 7 * * *", targets=[DirectoryTarget(path=str(tmp_path / "out"))])
    assert validate_schedule(schedule, Settings(data_dir=tmp_path)).targets == schedule.targets


@pytest.mark.usefixtures("machine_zone")
def test_latest_slot_is_in_the_schedule_zone_not_the_machine_zone() -> None:
    now = datetime(2026, 5, 4, 12, tzinfo=UTC)  # 14:00 in Berlin, 05:00 in Los Angeles
    slot = latest_slot("30 7 * * *", "Europe/Berlin", now)
    assert slot.period == "2026-05-04T07:30"
    assert slot.fire_at == datetime(2026, 5, 4, 5, 30, tzinfo=UTC)
    assert slot.fire_at.utcoffset() == timedelta(hours=2)  # returned in the schedule's zone
    kolkata = latest_slot("0 9 * * *", "Asia/Kolkata", now)  # UTC+05:30
    assert kolkata.period == "2026-05-04T09:00"
    assert kolkata.fire_at == datetime(2026, 5, 4, 3, 30, tzinfo=UTC)
    utc = latest_slot("0 9 * * *", "UTC", now)
    assert utc.period == "2026-05-04T09:00" and utc.fire_at == datetime(2026, 5, 4, 9, tzinfo=UTC)


@pytest.mark.usefixtures("machine_zone")
def test_a_slot_is_latest_from_its_exact_moment_on() -> None:
    fire = datetime(2026, 5, 4, 5, 30, tzinfo=UTC)  # 07:30 Berlin
    assert latest_slot("30 7 * * *", "Europe/Berlin", fire).period == "2026-05-04T07:30"
    for before in (timedelta(seconds=1), timedelta(microseconds=500_000), timedelta(microseconds=1)):
        assert latest_slot("30 7 * * *", "Europe/Berlin", fire - before).period == "2026-05-03T07:30"
    assert latest_slot("30 7 * * *", "Europe/Berlin", fire + timedelta(microseconds=1)).period == (
        "2026-05-04T07:30"
    )


@pytest.mark.usefixtures("machine_zone")
def test_dst_rules_hold_on_a_machine_in_another_zone() -> None:
    spring = _periods_over("30 2 * * *", datetime(2026, 3, 28, tzinfo=UTC), 2)
    assert [period for period in spring if period.startswith("2026-03-29")] == ["2026-03-29T03:00"]
    autumn = _periods_over("30 2 * * *", datetime(2026, 10, 24, tzinfo=UTC), 2)
    assert [period for period in autumn if period.startswith("2026-10-25")] == ["2026-10-25T02:30"]
    slot = latest_slot("30 2 * * *", "Europe/Berlin", datetime(2026, 10, 25, 3, tzinfo=UTC))
    # after both passes of the repeated hour the latest slot is the second 02:30 (01:30 UTC), under
    # the same period key as the first, so it does not run again
    assert slot.period == "2026-10-25T02:30"
    assert slot.fire_at.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    for moment in (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)):
        at_pass = latest_slot("30 2 * * *", "Europe/Berlin", moment)  # exactly at either pass
        assert at_pass.period == "2026-10-25T02:30" and at_pass.fire_at.astimezone(UTC) == moment


@pytest.mark.usefixtures("machine_zone")
def test_due_slot_compares_with_creation_time_in_absolute_time() -> None:
    now = datetime(2026, 5, 4, 12, tzinfo=UTC)
    created_just_before = datetime(2026, 5, 4, 5, 30, tzinfo=UTC)  # exactly the 07:30 Berlin slot
    slot = due_slot("30 7 * * *", "Europe/Berlin", now, not_before=created_just_before)
    assert slot is not None and slot.period == "2026-05-04T07:30"
    created_in_la = datetime(2026, 5, 3, 22, 31, tzinfo=ZoneInfo("America/Los_Angeles"))  # 05:31 UTC
    assert due_slot("30 7 * * *", "Europe/Berlin", now, not_before=created_in_la) is None


def test_a_relative_directory_is_saved_absolute_against_the_working_directory(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.config import Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings = Settings(data_dir=tmp_path / "data")
    targets = [
        DirectoryTarget(path="relative/dir"),
        DirectoryTarget(path="./here/../there"),
        DirectoryTarget(path="~/digests"),
        DirectoryTarget(path=str(tmp_path / "abs")),
    ]
    saved = validate_schedule(ScheduleIn(name="x", cron="30 7 * * *", targets=targets), settings)
    assert [target.path for target in saved.targets] == [
        str(tmp_path / "relative" / "dir"),
        str(tmp_path / "there"),
        str(tmp_path / "home" / "digests"),
        str(tmp_path / "abs"),
    ]
    twice = [DirectoryTarget(path="out"), DirectoryTarget(path=str(tmp_path / "out"))]
    with pytest.raises(InputError, match=r"targets\[1\]: .* is named twice"):
        validate_schedule(ScheduleIn(name="x", cron="30 7 * * *", targets=twice), settings)
