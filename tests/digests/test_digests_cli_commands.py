"""`briefing schedules update|enable|disable|run`, `scheduler --once`, `feeds poll` and the checks
`briefing digest` makes before any work, as docs/cli.md describes them. Behaviour runs through the
Typer app; usage errors through the installed `briefing` command (one line, exit 2, nothing made).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from digest_fakes import harbor_and_tram, just_due_cron
from digest_servers import Route, http_server
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config import Settings
from briefing.errors import InputError, NotFoundError
from briefing.store import open_store
from briefing.store.digest_repo import DigestRepo

ENTRY_POINT = Path(sys.executable).with_name("briefing")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def _store_articles(env: Path) -> list[str]:
    store = open_store(Settings(data_dir=env / "data"))
    try:
        now = datetime.now(UTC)
        return [
            store.save_article(article.model_copy(update={"published_at": now - timedelta(hours=1)}))[0].id
            for article in harbor_and_tram()
        ]
    finally:
        store.close()


def _digest_count(env: Path) -> int:
    store = open_store(Settings(data_dir=env / "data"))
    try:
        return len(DigestRepo(store).list_digests())
    finally:
        store.close()


def _create(env: Path) -> None:
    made = invoke("schedules", "create", "Morning", "--cron", "30 7 * * *", "--target", f"dir:{env / 'out'}")
    assert made.exit_code == 0, made.output


def test_update_changes_only_the_given_fields(env: Path) -> None:
    _create(env)
    updated = invoke("schedules", "update", "1", "--cron", "0 6 * * 1-5", "--timezone", "Europe/Berlin")
    assert updated.exit_code == 0, updated.output
    schedule = json.loads(updated.stdout)
    assert (schedule["cron"], schedule["timezone"], schedule["name"]) == (
        "0 6 * * 1-5",
        "Europe/Berlin",
        "Morning",
    )
    assert schedule["targets"][0]["path"] == str(env / "out")
    nothing = invoke("schedules", "update", "1")
    assert isinstance(nothing.exception, InputError) and "nothing to change" in str(nothing.exception)
    bad = invoke("schedules", "update", "1", "--cron", "61 * * * *")
    assert isinstance(bad.exception, InputError)
    assert json.loads(invoke("schedules", "show", "1").stdout)["cron"] == "0 6 * * 1-5"


def test_disable_and_enable_pause_and_resume(env: Path) -> None:
    _create(env)
    disabled = invoke("schedules", "disable", "1")
    assert disabled.stdout.strip() == "schedule 1 (Morning) is disabled"
    assert invoke("schedules", "list").stdout.rstrip().endswith("paused")
    assert invoke("schedules", "enable", "1").stdout.strip() == "schedule 1 (Morning) is enabled"
    assert "paused" not in invoke("schedules", "list").stdout
    missing = invoke("schedules", "enable", "9")
    assert isinstance(missing.exception, NotFoundError)


def test_run_makes_and_delivers_once_per_key(env: Path) -> None:
    _store_articles(env)
    made = invoke(
        "schedules",
        "create",
        "Now",
        "--cron",
        "0 7 * * *",
        "--window-hours",
        "24",
        "--target",
        f"dir:{env / 'out'}",
    )
    assert made.exit_code == 0, made.output
    first = invoke("schedules", "run", "1", "--key", "k1")
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("digest 1: ") and "(2 stories), made" in first.stdout
    assert "delivered" in first.stdout
    files = sorted((env / "out").iterdir())
    again = invoke("schedules", "run", "1", "--key", "k1")
    assert "already made by an earlier run with this key" in again.stdout
    assert sorted((env / "out").iterdir()) == files  # nothing delivered twice
    other = invoke("schedules", "run", "1", "--key", "k2", "--no-deliver")
    assert other.stdout.startswith("digest 2: ") and "delivery" not in other.stdout
    assert _digest_count(env) == 2


def test_scheduler_once_says_what_it_did(env: Path) -> None:
    nothing = invoke("scheduler", "--once")
    assert nothing.exit_code == 0, nothing.output
    assert nothing.stdout.strip() == "nothing was due: no feed to poll, no schedule slot, no delivery"
    with http_server() as (base, recorder):
        recorder.routes["/feed.xml"] = Route(b"no", status=500)
        os.environ["BRIEFING_ALLOW_PRIVATE_URLS"] = "true"
        try:
            assert invoke("feeds", "add", f"{base}/feed.xml").exit_code == 0
            polled = invoke("scheduler", "--once")
        finally:
            del os.environ["BRIEFING_ALLOW_PRIVATE_URLS"]
    assert polled.exit_code == 0, polled.output
    assert polled.stdout.startswith("feed 1: error, 0 new article(s)")


def test_feeds_poll_exits_1_when_every_feed_failed(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "true")
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>'
        b"<item><title>A</title><link>https://example.org/a</link><description>Text.</description></item>"
        b"</channel></rss>"
    )
    with http_server() as (base, recorder):
        recorder.routes["/bad.xml"] = Route(b"down", status=500)
        recorder.routes["/good.xml"] = Route(feed, content_type="application/rss+xml")
        assert invoke("feeds", "add", f"{base}/bad.xml").exit_code == 0
        all_bad = invoke("feeds", "poll")
        assert all_bad.exit_code == 1
        assert "every feed failed (1)" in all_bad.stderr
        assert invoke("feeds", "add", f"{base}/good.xml").exit_code == 0
        one_good = invoke("feeds", "poll")
    assert one_good.exit_code == 0, one_good.output
    assert "1\terror\t" in one_good.stdout and "2\tok\t" in one_good.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["digest", "--format", "pdf"], "--format must be one of: md, html, txt, json"),
        (
            ["digest", "--format", "markdown", "--hours", "-1"],
            "--hours must be more than 0",
        ),  # a known spelling
        (["digest", "--out", "missing/dir/x.md"], "the folder missing/dir does not exist"),
        (
            ["digest", "--out", "/proc/briefing-digest.md"],
            "--out /proc/briefing-digest.md: cannot write there",
        ),
        (["digest", "--hours", "0"], "--hours must be more than 0"),
        (["digest", "--hours", "nan"], "--hours nan: give a number of hours, such as 24"),
        (["digest", "--hours", "inf"], "--hours inf: give a number of hours, such as 24"),
        (["digest", "--hours", "1e9"], "--hours must be at most 87840 (ten years)"),
        (["digest", "--since", "yesterday"], "--since 'yesterday': give a time like 2h, 3d or 1w ago"),
        (["digest", "--since", "1d", "--until", "3d"], "must be before --until"),
        (["schedules", "create", "T", "--cron", "0 7 * * *", "--window-hours", "nan"], "finite number"),
        (["digest", "--since", "2026-03-02", "--until", "2026-03-01"], "must be before --until"),
        (["digest", "--engine", "gpt"], "engine"),
        (["schedules", "update", "1"], "nothing to change"),
        (["feeds", "delete", "7"], "no feed with id 7"),
    ],
)
def test_digest_options_are_checked_before_any_work(args: list[str], message: str, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    _store_articles(tmp_path)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "BRIEFING_"))}
    env.pop("DATABASE_URL", None)
    env.update({"BRIEFING_DATA_DIR": str(tmp_path / "data"), "BRIEFING_ENV_FILE": ""})
    if args[0] == "schedules":
        CliRunner().invoke(app, ["schedules", "create", "S", "--cron", "0 7 * * *"], env=env)
    done = subprocess.run(
        [str(ENTRY_POINT), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=90
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("briefing: error: ") and message in line
    assert _digest_count(tmp_path) == 0
    assert not (tmp_path / "missing").exists()


@pytest.mark.postgres
def test_scheduler_once_on_postgres_runs_the_queued_pass_and_says_what_it_did(
    env: Path, postgres_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import update

    from briefing.digests.tables import ScheduleRow

    monkeypatch.setenv("DATABASE_URL", str(postgres_settings.database_url))
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "true")
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>'
    now = datetime.now(UTC)  # a daily slot a minute ago: due once, and a turning minute adds none
    cron = just_due_cron(now)
    made = invoke("schedules", "create", "Daily", "--cron", cron, "--target", f"dir:{env / 'out'}")
    assert made.exit_code == 0, made.output
    store = open_store(Settings(database_url=postgres_settings.database_url))
    try:
        with store.session() as session:  # created two minutes ago: the slot is due
            session.execute(update(ScheduleRow).values(created_at=now - timedelta(minutes=2)))
    finally:
        store.close()
    with http_server() as (base, recorder):
        recorder.routes["/feed.xml"] = Route(feed, content_type="application/rss+xml")
        assert invoke("feeds", "add", f"{base}/feed.xml").exit_code == 0
        first = invoke("scheduler", "--once")
        again = invoke("scheduler", "--once")
        polls = [path for method, path, _, _ in recorder.requests if method == "GET"]
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[0] == "feed 1: ok, 0 new article(s)"
    assert lines[1].startswith("digest 1: Daily")
    assert lines[2].startswith("delivery 1 of digest 1 to directory:") and lines[2].endswith(": delivered")
    assert again.stdout.strip() == "nothing was due: no feed to poll, no schedule slot, no delivery"
    assert polls == ["/feed.xml"]  # the second pass found the feed polled already
    assert len(list((env / "out").iterdir())) == 3


def test_feeds_poll_of_a_page_that_is_no_feed_fails_and_list_says_why(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "true")
    page = b"<html><head><title>Home</title></head><body><p>Welcome.</p></body></html>"
    with http_server() as (base, recorder):
        recorder.routes["/"] = Route(page)
        assert invoke("feeds", "add", f"{base}/").exit_code == 0
        polled = invoke("feeds", "poll", "1")
    assert polled.exit_code == 1
    assert polled.stdout.startswith("1\terror\t0 new")
    assert "not an RSS or Atom feed: the answer was text/html" in polled.stderr
    listed = invoke("feeds", "list")
    assert listed.stdout == f"1\t{base}/\terror (not an RSS or Atom feed: the answer was text/html)\n"


@pytest.mark.parametrize("every", ["0", "-5", "525601"])
def test_feeds_add_with_an_interval_out_of_bounds_is_a_usage_error(every: str, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "BRIEFING_"))}
    env.pop("DATABASE_URL", None)
    env.update({"BRIEFING_DATA_DIR": str(tmp_path / "data"), "BRIEFING_ENV_FILE": ""})
    done = subprocess.run(  # `-m briefing`: this checkout's code, as PYTHONPATH says
        [sys.executable, "-m", "briefing", "feeds", "add", "https://example.org/f.xml", f"--every={every}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=90,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.startswith("briefing: error: Invalid value for '--every'")
    listed = CliRunner().invoke(app, ["feeds", "list"], env={"BRIEFING_DATA_DIR": str(tmp_path / "data")})
    assert listed.stdout == ""  # nothing was stored


def test_a_relative_dir_target_is_saved_absolute(env: Path) -> None:
    made = invoke("schedules", "create", "M", "--cron", "30 7 * * *", "--target", "dir:relative/dir")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["targets"] == [
        {"kind": "directory", "path": str(env / "relative" / "dir")}
    ]
    updated = invoke("schedules", "update", "1", "--target", "dir:other")
    assert json.loads(updated.stdout)["targets"][0]["path"] == str(env / "other")


def test_a_run_key_belongs_to_its_schedule(env: Path) -> None:
    _store_articles(env)
    for name in ("One", "Two"):
        made = invoke("schedules", "create", name, "--cron", "0 7 * * *", "--window-hours", "24")
        assert made.exit_code == 0, made.output
    one = invoke("schedules", "run", "1", "--key", "2026-03-01", "--no-deliver")
    two = invoke("schedules", "run", "2", "--key", "2026-03-01", "--no-deliver")
    assert one.exit_code == 0 and one.stdout.startswith("digest 1: One"), one.output
    assert two.exit_code == 0 and two.stdout.startswith("digest 2: Two"), two.output
    again = invoke("schedules", "run", "2", "--key", "2026-03-01", "--no-deliver")
    assert (
        again.stdout.startswith("digest 2: ")
        and "already made by an earlier run with this key" in again.stdout
    )
    long_key = "k" * 200  # scoped, it would not fit the column: saved hashed, still per schedule
    assert invoke("schedules", "run", "1", "--key", long_key, "--no-deliver").stdout.startswith("digest 3: ")
    assert "already made" in invoke("schedules", "run", "1", "--key", long_key, "--no-deliver").stdout
    assert invoke("schedules", "run", "2", "--key", long_key, "--no-deliver").stdout.startswith("digest 4: ")
    assert _digest_count(env) == 4


def test_a_second_run_with_nothing_new_says_so_in_the_digest_and_the_output(env: Path) -> None:
    _store_articles(env)
    _create(env)  # no window_hours: a run starts where the schedule's previous digest ended
    first = invoke("schedules", "run", "1", "--key", "a")
    assert first.exit_code == 0 and "(2 stories), made" in first.stdout, first.output
    assert "Nothing new" not in first.stdout
    second = invoke("schedules", "run", "1", "--key", "b")
    assert second.exit_code == 0, second.output
    lines = second.stdout.splitlines()
    assert lines[0].startswith("digest 2: ") and "(0 stories), made" in lines[0]
    assert lines[1].startswith("  Nothing new since digest 1 of ") and lines[1].endswith(" UTC.")
    markdown = [path for path in (env / "out").iterdir() if path.name.endswith("-2.md")]
    assert len(markdown) == 1 and "_Nothing new since digest 1 of " in markdown[0].read_text()


def test_run_exits_1_when_no_delivery_went_out_and_says_when_the_next_try_is(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "true")
    _store_articles(env)
    with http_server() as (base, recorder):
        recorder.post_status = 500  # the receiver is down
        hook = f"webhook-unsigned:{base}/hook"
        made = invoke(
            "schedules", "create", "Hook", "--cron", "0 7 * * *", "--window-hours", "24", "--target", hook
        )
        assert made.exit_code == 0, made.output
        failed = invoke("schedules", "run", "1", "--key", "a")
        both = invoke(
            "schedules",
            "create",
            "Both",
            "--cron",
            "0 7 * * *",
            "--window-hours",
            "24",
            "--target",
            hook,
            "--target",
            f"dir:{env / 'out'}",
        )
        assert both.exit_code == 0, both.output
        one_ok = invoke("schedules", "run", "2", "--key", "a")
    assert failed.exit_code == 1, failed.output
    (line,) = [line for line in failed.stdout.splitlines() if "delivery 1" in line]
    assert ": pending (" in line and "HTTP 500" in line
    assert "; next attempt at " in line and "`briefing serve` or `briefing scheduler`" in line
    assert failed.stderr.strip() == "briefing: no delivery succeeded (1)"
    assert one_ok.exit_code == 0, one_ok.output
    assert "delivered" in one_ok.stdout and ": pending (" in one_ok.stdout


def test_digest_window_can_be_given_as_a_time_ago(env: Path) -> None:
    _store_articles(env)  # published an hour ago
    recent = invoke("digest", "--since", "2h", "--format", "json")
    assert recent.exit_code == 0, recent.output
    assert len(json.loads(recent.stdout)["stories"]) == 2
    older = invoke("digest", "--since", "3d", "--until", "2h")
    assert isinstance(older.exception, InputError)  # exit 2 through `briefing` (main)
    assert "no articles to build a digest from" in str(older.exception)
