"""What a new user and an attacker tried on digests, feeds and schedules, each now refused clearly or
handled: ids and dates past what the store holds, a deleted schedule's run keys, feeds a filter
names, blank filters, dates a user gave that an article cannot carry, unwritable folders, the
schedule's `formats`, control characters in URLs, and planted symlinks in a delivery folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from digest_fakes import harbor_and_tram
from digest_servers import Route, http_server
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config import Settings
from briefing.digests.deliver import send_directory
from briefing.digests.models import Digest, DirectoryTarget, ScheduleIn, WebhookTarget
from briefing.digests.render import md_url
from briefing.digests.urls import check_scheme
from briefing.errors import ConflictError, InputError, RefusedError
from briefing.models import Article, http_url
from briefing.services.batch import decode_article
from briefing.store import open_store
from briefing.store.digest_repo import DigestRepo

ENTRY_POINT = Path(sys.executable).with_name("briefing")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def _run(env: Path, *args: str) -> subprocess.CompletedProcess[str]:
    variables = {
        key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "BRIEFING_"))
    }
    variables.pop("DATABASE_URL", None)
    variables.update({"BRIEFING_DATA_DIR": str(env / "data"), "BRIEFING_ENV_FILE": ""})
    return subprocess.run(
        [str(ENTRY_POINT), *args], capture_output=True, text=True, env=variables, cwd=env, timeout=90
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["schedules", "show", "9223372036854775808"], "less than or equal to 2147483647"),
        (["feeds", "poll", "99999999999999999999"], "less than or equal to 2147483647"),
        (["feeds", "delete", "0"], "greater than or equal to 1"),
        (["briefs", "list", "--limit", "99999999999999999999"], "less than or equal to 2147483647"),
        (["digest", "--until", "9999-12-31T23:59:59-05:00"], "outside the years 1-9999 in UTC"),
        (["articles", "list", "--since", "9999-12-31T23:59:59-05:00"], "outside the years 1-9999 in UTC"),
        (
            ["stories", "recluster", "--since", "0001-01-01T00:00:00+05:00", "--until", "1d"],
            "outside the years",
        ),
        (["articles", "add", "a.txt", "--published-at", "0001-01-01T00:00:00Z"], "years 1800-2200"),
    ],
)
def test_ids_and_dates_past_what_the_store_holds_are_usage_errors(
    env: Path, args: list[str], message: str
) -> None:
    (env / "a.txt").write_text("The harbour reopened on Monday after a week of repairs.", encoding="utf-8")
    done = _run(env, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith("briefing: error: ") and message in first, done.stderr


def test_stories_recluster_takes_relative_times(env: Path) -> None:
    done = invoke("stories", "recluster", "--since", "2d", "--until", "1d")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("re-clustered: 0 articles")


def test_a_new_schedule_with_a_deleted_ones_id_does_not_replay_its_runs(env: Path) -> None:
    store = open_store(Settings(data_dir=env / "data"))
    try:
        for article in harbor_and_tram():
            store.save_article(article.model_copy(update={"published_at": datetime.now(UTC)}))
    finally:
        store.close()
    first, second = env / "first", env / "second"
    assert (
        invoke("schedules", "create", "First", "--cron", "0 9 * * *", "--target", f"dir:{first}").exit_code
        == 0
    )
    assert invoke("schedules", "run", "1", "--key", "day1").exit_code == 0
    assert invoke("schedules", "delete", "1").exit_code == 0
    made = invoke("schedules", "create", "Second", "--cron", "0 18 * * *", "--target", f"dir:{second}")
    schedule_id = json.loads(made.stdout)["id"]
    again = invoke("schedules", "run", str(schedule_id), "--key", "day1")
    assert again.exit_code == 0, again.output
    if schedule_id == 1:  # SQLite hands out the deleted id again: its run key must not replay
        assert "already made" not in again.stdout
    assert "Second" in again.stdout and second.is_dir() and len(list(second.iterdir())) == 3


def test_a_run_key_with_a_bad_value_names_the_option(env: Path) -> None:
    assert invoke("schedules", "create", "S", "--cron", "0 9 * * *").exit_code == 0
    done = invoke("schedules", "run", "1", "--key", "")
    assert isinstance(done.exception, InputError) and str(done.exception).startswith("--key: ")


def test_a_feed_a_schedule_filters_on_cannot_be_deleted_from_under_it(env: Path) -> None:
    store = open_store(Settings(data_dir=env / "data"))
    try:
        from briefing.digests.feeds import FeedPoller

        settings = Settings(data_dir=env / "data", allow_private_urls=True)
        feed = FeedPoller(settings, store).add_feed("http://127.0.0.1:9/feed.xml")
        repo = DigestRepo(store)
        schedule = repo.create_schedule(
            ScheduleIn.model_validate({"name": "Wire", "cron": "0 7 * * *", "filters": {"feeds": [feed.id]}})
        )
        with pytest.raises(ConflictError, match=f"schedule {schedule.id}"):
            FeedPoller(settings, store).delete_feed(feed.id)
        repo.delete_schedule(schedule.id)
        FeedPoller(settings, store).delete_feed(feed.id)  # no schedule names it now
    finally:
        store.close()


@pytest.mark.parametrize("flag", ["--source", "--keyword", "--tag"])
def test_a_blank_filter_value_is_refused(env: Path, flag: str) -> None:
    done = invoke("schedules", "create", "E", "--cron", "0 6 * * *", flag, " ")
    assert isinstance(done.exception, InputError) and "must not be blank" in str(done.exception)


def test_a_schedule_saved_with_a_blank_filter_value_still_loads_without_it(env: Path) -> None:
    from sqlalchemy import update

    from briefing.digests.tables import ScheduleRow

    assert invoke("schedules", "create", "Old", "--cron", "0 6 * * *", "--source", "BBC").exit_code == 0
    store = open_store(Settings(data_dir=env / "data"))
    try:
        with store.session() as session:  # as an earlier version stored it
            spec = {"name": "Old", "cron": "0 6 * * *", "filters": {"sources": ["", "BBC"], "tags": [" "]}}
            session.execute(update(ScheduleRow).values(spec=spec))
        schedule = DigestRepo(store).get_schedule(1)
    finally:
        store.close()
    assert (schedule.filters.sources, schedule.filters.tags) == (["BBC"], [])


def test_a_byte_order_mark_does_not_make_a_second_article() -> None:
    text = "The mayor said on Monday that the bridge would open."
    assert decode_article(b"\xef\xbb\xbf" + text.encode("utf-8"), "bom.txt") == text


def test_a_cut_off_feed_is_an_error_not_ok(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "true")
    with http_server() as (base, recorder):
        recorder.routes["/cut.xml"] = Route(
            b"<rss><channel><item><title>x</ti", content_type="application/rss+xml"
        )
        assert invoke("feeds", "add", f"{base}/cut.xml").exit_code == 0
        polled = invoke("feeds", "poll")
    assert polled.exit_code == 1 and "\terror\t" in polled.stdout, polled.output
    assert "malformed feed" in polled.output


def _digest(schedule_id: int | None = None) -> Digest:
    return Digest(
        id=7, schedule_id=schedule_id, title="Morning", created_at=datetime(2026, 12, 8, 7, 30, tzinfo=UTC)
    )


def test_a_folder_under_a_file_is_refused_when_saved(env: Path) -> None:
    (env / "afile").write_text("x", encoding="utf-8")
    done = invoke(
        "schedules", "create", "S", "--cron", "0 7 * * *", "--target", f"dir:{env / 'afile' / 'sub'}"
    )
    assert isinstance(done.exception, RefusedError) and "is a file" in str(done.exception)


async def test_a_folder_that_cannot_be_made_fails_the_delivery_at_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(RefusedError):  # permanent: no retry for hours
        await send_directory(DirectoryTarget(path=str(tmp_path / "afile" / "sub")), _digest(), settings)


async def test_directory_files_follow_the_formats_asked_for(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    await send_directory(DirectoryTarget(path=str(tmp_path / "out")), _digest(), settings, formats=["txt"])
    assert [path.suffix for path in (tmp_path / "out").iterdir()] == [".txt"]
    await send_directory(DirectoryTarget(path=str(tmp_path / "all")), _digest(), settings)
    assert sorted(path.suffix for path in (tmp_path / "all").iterdir()) == [".html", ".json", ".md"]


def test_a_schedule_writes_only_its_formats(env: Path) -> None:
    store = open_store(Settings(data_dir=env / "data"))
    try:
        for article in harbor_and_tram():
            store.save_article(article.model_copy(update={"published_at": datetime.now(UTC)}))
        spec = {
            "name": "Txt",
            "cron": "0 7 * * *",
            "formats": ["txt"],
            "targets": [{"path": str(env / "txt")}],
        }
        DigestRepo(store).create_schedule(ScheduleIn.model_validate(spec))
    finally:
        store.close()
    assert invoke("schedules", "run", "1").exit_code == 0
    assert [path.suffix for path in (env / "txt").iterdir()] == [".txt"]


async def test_a_planted_symlink_in_the_folder_is_replaced_not_written_through(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", delivery_dirs=[tmp_path / "allowed"])
    folder, outside = tmp_path / "allowed" / "sub", tmp_path / "outside"
    folder.mkdir(parents=True)
    outside.mkdir()
    stem = "digest-adhoc-2026-12-08T0730-7"
    for fmt in ("md", "html", "json"):  # every name the delivery could write, old and final
        for name in (f"{stem}.{fmt}", f"{stem}.{fmt}.part"):
            (folder / name).symlink_to(outside / f"pwned-{name}")
    await send_directory(DirectoryTarget(path=str(folder)), _digest(), settings)
    assert list(outside.iterdir()) == []
    for fmt in ("md", "html", "json"):
        final = folder / f"{stem}.{fmt}"
        assert final.is_file() and not final.is_symlink()
    assert not any(path.name.startswith(".") for path in folder.iterdir())  # no temporary file left


@pytest.mark.parametrize(
    "url", ["https://news.example/a\n\n# Locked", "https://news.example/a\tb", "http://x.example/\x7f"]
)
def test_control_characters_in_a_url_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="control characters"):
        http_url(url)
    with pytest.raises(InputError):
        check_scheme(url, field="url")
    with pytest.raises(ValueError):
        Article(text="The harbour reopened.", url=url)
    with pytest.raises(ValueError):
        WebhookTarget(url=url)


def test_a_markdown_link_destination_never_holds_a_line_break() -> None:
    assert md_url("https://news.example/a\n\n# x") == "https://news.example/a%0A%0A#%20x"


def test_a_page_url_with_a_control_character_is_a_usage_error(env: Path) -> None:
    with http_server() as (base, _):
        done = subprocess.run(
            [str(ENTRY_POINT), "brief", f"{base}/page\x01"],
            capture_output=True,
            text=True,
            env={**os.environ, "BRIEFING_DATA_DIR": str(env / "data"), "BRIEFING_ALLOW_PRIVATE_URLS": "true"},
            cwd=env,
            timeout=90,
        )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stderr.startswith("briefing: error: "), done.stderr


def test_an_oversized_cron_or_target_list_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 200 characters"):
        ScheduleIn(name="x", cron=",".join(["1-59/1"] * 100) + " * * * *")
    targets = [{"kind": "directory", "path": f"/srv/digests/{n}"} for n in range(51)]
    with pytest.raises(ValueError, match="at most 50 items"):
        ScheduleIn.model_validate({"name": "x", "cron": "0 7 * * *", "targets": targets})


def test_a_key_name_with_control_characters_is_refused(env: Path) -> None:
    done = _run(env, "keys", "create", "x\x1b[31mred\nline2")
    assert done.returncode == 2 and "control characters" in done.stderr, done.stderr


async def test_a_poll_of_slow_pages_stops_at_its_budget_and_queues_the_rest(tmp_path: Path) -> None:
    from briefing.digests.feeds import FeedPoller

    settings = Settings(data_dir=tmp_path / "data", allow_private_urls=True, feed_poll_budget=0.3)
    store = open_store(settings)
    try:
        with http_server() as (base, recorder):
            items = "".join(f"<item><title>P{n}</title><link>{base}/p{n}</link></item>" for n in range(4))
            feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>{items}</channel></rss>'
            recorder.routes["/feed.xml"] = Route(feed.encode(), content_type="application/rss+xml")
            page = (
                b"<html><body><p>"
                + b"The harbour reopened on Monday after repairs. " * 20
                + b"</p></body></html>"
            )
            for n in range(4):
                recorder.routes[f"/p{n}"] = Route(page + str(n).encode(), content_type="text/html", delay=0.4)
            poller = FeedPoller(settings, store)
            added = poller.add_feed(f"{base}/feed.xml")
            result = await poller.poll(added.id)
            fetched = [
                path for method, path, _, _ in recorder.requests if method == "GET" and path != "/feed.xml"
            ]
        assert fetched == ["/p0"]  # the first page spent the budget; the others were not asked for
        budget = [error for error in result.errors if "spent its 0.3 s" in error]
        assert len(budget) == 3, result.errors
        entries = {entry.url: entry for entry in poller.get_feed(added.id).failing_entries}
        assert sorted(entries) == [f"{base}/p{n}" for n in (1, 2, 3)]
        assert all(entry.status == "retrying" for entry in entries.values())
    finally:
        store.close()
