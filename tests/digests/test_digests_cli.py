"""The digest commands, run through the Typer app on a temporary data dir."""

from __future__ import annotations

import json

import pytest
from digest_fakes import harbor_and_tram
from typer.testing import CliRunner

from briefing.cli import app
from briefing.store import open_store


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_schedule_commands(env) -> None:
    runner = CliRunner()
    made = runner.invoke(
        app, ["schedules", "create", "Morning", "--cron", "30 7 * * *", "--target", "dir:/tmp/x"]
    )
    assert made.exit_code == 0, made.output
    listed = runner.invoke(app, ["schedules", "list"])
    assert "Morning\t30 7 * * *\tUTC\tdirectory:/tmp/x" in listed.output
    assert runner.invoke(app, ["schedules", "delete", "1"]).exit_code == 0
    assert runner.invoke(app, ["schedules", "list"]).output == ""


def test_bad_target_is_refused(env) -> None:
    result = CliRunner().invoke(app, ["schedules", "create", "x", "--cron", "0 7 * * *", "--target", "ftp:x"])
    assert result.exit_code != 0 and "target" in str(result.exception)


def test_ad_hoc_digest_from_stored_articles(env, settings) -> None:
    store = open_store(settings.model_copy(update={"data_dir": env / "data"}))
    ids = [store.save_article(article)[0].id for article in harbor_and_tram()]
    store.close()
    args = ["digest", "--format", "md", "--title", "Shell digest"]
    result = CliRunner().invoke(app, [*args, *[part for i in ids for part in ("--article", i)]])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Shell digest") and result.output.count("\n## ") == 2


def test_feeds_list_shows_failing_entries(env, monkeypatch) -> None:
    from digest_servers import Route, http_server

    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "true")
    runner = CliRunner()
    with http_server() as (base, recorder):
        recorder.routes["/feed.xml"] = Route(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><item><title>Down</title>'
            f"<link>{base}/down</link></item></channel></rss>".encode(),
            content_type="application/rss+xml",
        )
        recorder.routes["/down"] = Route(b"busy", status=503)
        assert runner.invoke(app, ["feeds", "add", f"{base}/feed.xml"]).exit_code == 0
        polled = runner.invoke(app, ["feeds", "poll"])
        assert polled.exit_code == 0, polled.output
        listed = runner.invoke(app, ["feeds", "list"])
    assert f"1\t{base}/feed.xml\tok" in listed.output
    assert "! retrying after 1 attempt(s), next try" in listed.output and f"{base}/down" in listed.output


def test_unsigned_webhook_target_must_be_asked_for(env) -> None:
    runner = CliRunner()
    base = ["schedules", "create", "Hooks", "--cron", "0 7 * * *", "--target"]
    refused = runner.invoke(app, [*base, "webhook:https://hooks.example.org/d"])
    assert refused.exit_code != 0 and "BRIEFING_WEBHOOK_SECRET" in str(refused.exception)
    made = runner.invoke(app, [*base, "webhook-unsigned:https://hooks.example.org/d"])
    assert made.exit_code == 0, made.output
    assert '"allow_unsigned": true' in made.output
    signed = runner.invoke(
        app, [*base, "webhook:https://hooks.example.org/s"], env={"BRIEFING_WEBHOOK_SECRET": "s" * 32}
    )
    assert signed.exit_code == 0, signed.output
    listed = runner.invoke(app, ["schedules", "list"]).output.splitlines()
    assert listed[0].endswith("\twebhook-unsigned:https://hooks.example.org/d")  # as it was asked for
    assert listed[1].endswith("\twebhook:https://hooks.example.org/s")


def test_a_schedule_is_created_with_its_engine(env) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["schedules", "create", "Lead", "--cron", "0 7 * * *", "--engine", "lead"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.output)["engine"] == "lead"
    unknown = runner.invoke(app, ["schedules", "create", "X", "--cron", "0 7 * * *", "--engine", "gpt"])
    assert "unknown engine 'gpt'" in str(unknown.exception)
    assert runner.invoke(app, ["schedules", "list"]).output.count("\n") == 1  # nothing saved for X


def test_feeds_delete_unsubscribes(env) -> None:
    runner = CliRunner()
    for url in ("https://example.org/a.xml", "https://example.org/b.xml"):
        assert runner.invoke(app, ["feeds", "add", url]).exit_code == 0
    deleted = runner.invoke(app, ["feeds", "delete", "1"])
    assert deleted.exit_code == 0 and deleted.output == "deleted feed 1\n"
    assert runner.invoke(app, ["feeds", "list"]).output.startswith("2\thttps://example.org/b.xml\t")
    assert runner.invoke(app, ["feeds", "list"]).output.count("\n") == 1
