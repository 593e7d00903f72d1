"""Settings from `.env`, shell completion, `make run PORT=` and the hint for a taken port, through
the installed `briefing` command (docs/cli.md, "Settings, .env, completion, port")."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINT = Path(sys.executable).with_name("briefing")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "BRIEFING_"))}
    env.pop("DATABASE_URL", None)
    env.update({"BRIEFING_DATA_DIR": str(tmp_path / "data"), **extra})
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ENTRY_POINT), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=90
    )


def test_a_dotenv_file_sets_what_the_environment_does_not(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The council voted on Monday to extend the tram line.\n")
    (tmp_path / ".env").write_text("BRIEFING_ENGINE=lead\n")
    (tmp_path / "other.env").write_text("BRIEFING_LLM_TIMEOUT=abc\n")
    env = _env(tmp_path)
    plan = ["brief", "a.txt", "--dry-run"]
    from_file = _run(plan, tmp_path, env)
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout == "a.txt: lead engine, no LLM calls, $0\n"
    env_wins = _run(plan, tmp_path, {**env, "BRIEFING_ENGINE": "offline"})
    assert env_wins.stdout == "a.txt: offline engine, no LLM calls, $0\n"
    option_wins = _run([*plan, "--engine", "offline"], tmp_path, env)
    assert option_wins.stdout == "a.txt: offline engine, no LLM calls, $0\n"
    none_read = _run(plan, tmp_path, {**env, "BRIEFING_ENV_FILE": ""})
    assert none_read.stdout == "a.txt: offline engine, no LLM calls, $0\n"
    named = _run(plan, tmp_path, {**env, "BRIEFING_ENV_FILE": str(tmp_path / "other.env")})
    assert named.returncode == 2 and "BRIEFING_LLM_TIMEOUT" in named.stderr
    assert len(named.stderr.splitlines()) == 1


def test_show_completion_prints_a_completion_script(tmp_path: Path) -> None:
    # The shell is found by walking up the process tree, so the command runs under bash as a user's
    # would (`; true` keeps bash from exec-ing it, which would leave the test runner as its parent).
    done = subprocess.run(
        ["bash", "-c", f"'{ENTRY_POINT}' --show-completion; true"],
        capture_output=True,
        text=True,
        env=_env(tmp_path, SHELL="/bin/bash"),
        cwd=tmp_path,
        timeout=90,
    )
    assert done.stderr == ""
    assert "complete" in done.stdout and "_BRIEFING_COMPLETE" in done.stdout


def test_serve_on_a_taken_port_names_the_settings_to_change(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _run(["serve", "--port", str(port)], tmp_path, _env(tmp_path))
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert f"port {port} on 127.0.0.1 is already in use" in line
    assert "--port N" in line and "BRIEFING_PORT=N" in line and "make run PORT=N" in line


def test_make_run_passes_port_and_host_to_serve() -> None:
    done = subprocess.run(
        ["make", "-n", "run", "PORT=8080", "HOST=0.0.0.0", "STAMP="],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "briefing serve --port 8080 --host 0.0.0.0" in done.stdout
