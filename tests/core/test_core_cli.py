"""`briefing brief` and `briefing schema` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from briefing.cli import app
from briefing.errors import ConfigError, InputError
from briefing.models import Brief, brief_json_schema

runner = CliRunner()


def test_schema_prints_the_brief_json_schema():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == brief_json_schema()


def test_brief_json_against_a_mocked_llm(httpx2_mock, monkeypatch, tmp_path, reply, draft, chat_url):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://llm.test/v1")
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BRIEFING_CACHE", "false")
    route = httpx2_mock.post(chat_url).mock(side_effect=[reply(draft())])
    article = Path(__file__).resolve().parents[2] / "examples" / "article.txt"

    result = runner.invoke(app, ["brief", str(article), "--format", "json"])

    assert result.exit_code == 0, result.output
    assert route.call_count == 1
    brief = Brief.model_validate_json(result.stdout)
    assert brief.meta.engine == "llm" and brief.meta.grounded_ratio == 1.0
    assert brief.actors[0].evidence[0].start is not None  # grounded by the pipeline
    assert "engine: llm (gpt-4o-mini at http://llm.test/v1)" in result.stderr


def test_brief_markdown_from_stdin(httpx2_mock, monkeypatch, tmp_path, reply, draft, chat_url):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://llm.test/v1")
    monkeypatch.setenv("BRIEFING_CACHE", "false")
    httpx2_mock.post(chat_url).mock(side_effect=[reply(draft())])
    text = (Path(__file__).resolve().parents[2] / "examples" / "article.txt").read_text()
    result = runner.invoke(app, ["brief", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Port authority and dockworkers agree to resume talks\n")
    assert "## Key actors" in result.stdout and "> About 2,400 workers walked out on June 1." in result.stdout


def test_missing_file_is_an_input_error(tmp_path):
    result = runner.invoke(app, ["brief", str(tmp_path / "missing.txt")])
    assert isinstance(result.exception, InputError)
    assert "no such file" in str(result.exception)


def test_llm_engine_without_endpoint_says_how_to_configure_one(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Something happened on Monday.")
    result = runner.invoke(app, ["brief", str(article), "--engine", "llm"])
    assert isinstance(result.exception, ConfigError)
    assert "OPENAI_API_KEY" in str(result.exception) and "offline" in str(result.exception)


def test_error_is_one_line_on_stderr(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "BRIEFING_"))}
    done = subprocess.run(
        [sys.executable, "-m", "briefing", "brief", str(tmp_path / "missing.txt")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"briefing: error: no such file: {tmp_path / 'missing.txt'}"]


def test_second_run_is_served_from_the_store(httpx2_mock, monkeypatch, tmp_path, reply, draft, chat_url):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://llm.test/v1")
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    route = httpx2_mock.post(chat_url).mock(side_effect=[reply(draft())])
    article = str(Path(__file__).resolve().parents[2] / "examples" / "article.txt")

    first = runner.invoke(app, ["brief", article, "--format", "json"])
    second = runner.invoke(app, ["brief", article, "--format", "json"])

    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert route.call_count == 1
    assert Brief.model_validate_json(second.stdout).meta.cached
    assert (tmp_path / "data" / "briefing.db").exists()
