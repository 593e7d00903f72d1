"""The digest commands, run through the Typer app on a temporary data dir."""

from __future__ import annotations

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
