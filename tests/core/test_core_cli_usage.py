"""Usage errors and `--version`, through the installed `briefing` command as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app, main, package_version

ENTRY_POINT = Path(sys.executable).with_name("briefing")


def run_briefing(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the console script pip installed, with no LLM settings and a scratch data dir."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "BRIEFING_"))}
    env["BRIEFING_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [str(ENTRY_POINT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("args", "message", "usage"),
    [
        ([], "Missing command.", "Usage: briefing [OPTIONS] COMMAND"),
        (["--bogus"], "No such option: --bogus", "Usage: briefing [OPTIONS] COMMAND"),
        (["brief"], "Missing argument 'INPUT'.", "Usage: briefing brief [OPTIONS]"),
        (["serve", "--port", "notnum"], "Invalid value for '--port'", "Usage: briefing serve [OPTIONS]"),
        (["nope"], "No such command 'nope'.", "Usage: briefing [OPTIONS] COMMAND"),
        (["keys"], "Missing command.", "Usage: briefing keys [OPTIONS] COMMAND"),
        (["schedules"], "Missing command.", "Usage: briefing schedules [OPTIONS] COMMAND"),
        (["schedules", "create", "--bogus"], "No such option: --bogus", "Usage: briefing schedules create"),
    ],
)
def test_usage_error_is_one_line_and_a_hint_with_exit_2(args, message, usage, tmp_path):
    assert ENTRY_POINT.exists(), f"the console script is not installed next to {sys.executable}"
    done = run_briefing(*args, tmp_path=tmp_path)

    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    error, hint = done.stderr.splitlines()
    assert error.startswith("briefing: error: ") and message in error
    assert hint.startswith(usage) and "--help')" in hint


def test_version_prints_the_installed_version(tmp_path):
    done = run_briefing("--version", tmp_path=tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"briefing {package_version()}\n"
    assert package_version()[0].isdigit()


def test_version_through_the_typer_app():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"briefing {package_version()}"


def test_main_turns_a_usage_error_into_exit_2(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["briefing", "eval", "--bogus"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    error, hint = err.splitlines()
    assert error.startswith("briefing: error: No such option: --bogus")
    assert hint == "Usage: briefing eval [OPTIONS] (try 'briefing eval --help')"
