"""`briefing brief` on several inputs (-o, folders, URLs, --dry-run, progress), `briefs list|show` and
`articles add|list`, as docs/cli.md describes them. Behaviour runs in process through the Typer
app; usage errors run through the installed `briefing` command (one line, exit 2, nothing written).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from briefing import progress
from briefing.cli import app
from briefing.cli.progress import BriefProgress
from briefing.config import Settings
from briefing.errors import InputError
from briefing.models import BriefOptions
from briefing.pipeline import Briefer
from briefing.services.batch import Source
from briefing.store import open_store
from tests.digests.digest_servers import Route, http_server

ENTRY_POINT = Path(sys.executable).with_name("briefing")
HARBOR = (
    "The port authority of Riverton and the dockworkers' union agreed on Tuesday to resume talks. "
    "The union's leader, Maria Lopez, said the strike would continue until a deal is signed. "
    "The authority said it will present a new offer on Friday."
)
TRAM = (
    "The city council of Lakeside voted on Monday to extend the tram line by four kilometres. "
    "Mayor John Keller said construction will start in June. "
    "The opposition said the plan costs too much and asked for an audit."
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "harbor.txt").write_text(HARBOR, encoding="utf-8")
    (tmp_path / "tram.txt").write_text(TRAM, encoding="utf-8")
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def run_installed(
    *args: str, cwd: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "BRIEFING_"))}
    env.pop("DATABASE_URL", None)
    env.update({"BRIEFING_DATA_DIR": str(cwd / "data"), "BRIEFING_ENV_FILE": "", **(extra or {})})
    return subprocess.run(
        [str(ENTRY_POINT), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=90,
        stdin=subprocess.DEVNULL,
    )


# --- briefing brief: several inputs, -o, folders, URLs ----------------------------------------


def test_two_files_to_a_folder_write_one_brief_each_named_after_the_input(env: Path) -> None:
    result = invoke("brief", "harbor.txt", "tram.txt", "-o", "out/", "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (env / "out").iterdir()) == ["harbor.json", "tram.json"]
    harbor = json.loads((env / "out" / "harbor.json").read_text())
    tram = json.loads((env / "out" / "tram.json").read_text())
    assert "Riverton" in json.dumps(harbor) and "Lakeside" in json.dumps(tram)
    assert harbor["meta"]["engine"] == "offline"
    assert "wrote out/harbor.json" in result.stderr


def test_a_folder_input_briefs_its_text_files_and_o_file_json_is_implied(env: Path) -> None:
    notes = env / "notes"
    notes.mkdir()
    (notes / "one.txt").write_text(HARBOR)
    (notes / "two.md").write_text(TRAM)
    (notes / "skip.csv").write_text("a,b\n")
    result = invoke("brief", "notes/", "-o", "briefs/", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (env / "briefs").iterdir()) == ["one.md", "two.md"]
    assert result.stderr == ""  # -q: no engine note, no 'wrote' lines

    single = invoke("brief", "harbor.txt", "-o", "harbor.json", "-q")
    assert single.exit_code == 0, single.output
    assert json.loads((env / "harbor.json").read_text())["headline"]


def test_several_inputs_to_stdout_are_one_json_array_or_markdown_separated(env: Path) -> None:
    as_json = invoke("brief", "harbor.txt", "tram.txt", "--format", "json", "-q")
    assert as_json.exit_code == 0, as_json.output
    briefs = json.loads(as_json.stdout)
    assert isinstance(briefs, list) and len(briefs) == 2
    as_markdown = invoke("brief", "harbor.txt", "tram.txt", "-q")
    headlines = [line for line in as_markdown.stdout.splitlines() if line.startswith("# ")]
    assert len(headlines) == 2 and "Riverton" in headlines[0] and "Lakeside" in headlines[1]


def test_one_failing_input_among_several_does_not_stop_the_others(env: Path) -> None:
    (env / "empty.txt").write_text("   \n")
    result = invoke("brief", "harbor.txt", "empty.txt", "-o", "out/", "-q")
    assert result.exit_code == 2
    assert (env / "out" / "harbor.md").exists() and not (env / "out" / "empty.md").exists()
    assert "empty.txt: the article in empty.txt is empty" in result.stderr


def test_a_url_is_fetched_through_the_safe_fetch(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = f"<html><head><title>Harbor talks</title></head><body><p>{HARBOR}</p></body></html>"
    with http_server() as (base, recorder):
        recorder.routes["/story"] = Route(page.encode())
        refused = invoke("brief", f"{base}/story", "-q")
        monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_URLS", "true")
        fetched = invoke("brief", f"{base}/story", "--format", "json", "-q")
    assert refused.exit_code != 0 and "private" in str(refused.exception).lower()
    assert fetched.exit_code == 0, fetched.output
    assert "Riverton" in fetched.stdout


def test_dry_run_prints_the_plan_and_calls_nothing(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The endpoint does not exist (and the network is blocked): a call would fail the command.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://llm.invalid/v1")
    result = invoke("brief", "harbor.txt", "tram.txt", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("harbor.txt: 1 chunk(s), 1 LLM call(s), ")
    assert lines[1].startswith("tram.txt: 1 chunk(s), 1 LLM call(s), ")
    assert lines[2].startswith("total: 2 LLM call(s), ") and "$" in lines[2]
    assert "nothing was sent" in result.stderr
    assert invoke("briefs", "list").stdout == ""  # nothing was briefed or stored


def test_progress_shows_calls_tokens_and_cost_per_input() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    source = Source(kind="file", value="a.txt", label="a.txt", stem="a")
    bars = BriefProgress(console, [source], enabled=True)
    with bars, bars.track(source):
        progress.calls_planned(3)
        progress.call_done(1000, 200, 0.0012)
        progress.call_done(500, 100, 0.0006)
        task = bars._progress.tasks[0]
        assert (task.completed, task.total) == (2, 3)
        assert task.fields["calls"] == "2/3 calls · 1,800 tokens · $0.0018"
    assert bars._progress.tasks[0].fields["calls"].startswith("done · 2/3 calls")


# --- briefs list | show -------------------------------------------------------------------------


def test_briefs_list_and_show_read_the_history(env: Path) -> None:
    assert invoke("brief", "harbor.txt", "-q").exit_code == 0
    assert invoke("brief", "tram.txt", "-q").exit_code == 0
    listed = invoke("briefs", "list")
    assert listed.exit_code == 0, listed.output
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert len(rows) == 2 and all(row[2] == "offline" for row in rows)
    as_json = json.loads(invoke("briefs", "list", "--format", "json", "--limit", "1").stdout)
    assert len(as_json) == 1 and as_json[0]["id"] == rows[0][0]  # newest first
    shown = invoke("briefs", "show", rows[1][0], "--format", "json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == rows[1][0]
    assert invoke("briefs", "show", rows[1][0]).stdout.startswith("# ")
    assert invoke("briefs", "list", "--since", "2099-01-01").stdout == ""


def test_briefs_list_filters_by_source(env: Path) -> None:
    assert invoke("articles", "add", "harbor.txt", "--source", "wire").exit_code == 0
    assert invoke("brief", "tram.txt", "-q").exit_code == 0
    store = open_store(Settings(data_dir=env / "data"))
    try:
        (article,) = store.list_articles(source="wire", limit=5)
        briefer = Briefer(Settings(data_dir=env / "data"), cache=store)

        async def brief_it() -> None:
            try:
                await briefer.brief(article, BriefOptions())
            finally:
                await briefer.aclose()

        asyncio.run(brief_it())
    finally:
        store.close()
    rows = invoke("briefs", "list", "--source", "wire").stdout.splitlines()
    assert len(rows) == 1 and "\twire\t" in rows[0]


# --- articles add | list ------------------------------------------------------------------------


def test_articles_add_stores_with_metadata_and_list_shows_them(env: Path) -> None:
    added = invoke(
        "articles",
        "add",
        "harbor.txt",
        "tram.txt",
        "--source",
        "wire",
        "--published-at",
        "2026-03-01T08:00:00Z",
    )
    assert added.exit_code == 0, added.output
    assert [line.split("\t")[1] for line in added.stdout.splitlines()] == ["added", "added"]
    again = invoke("articles", "add", "harbor.txt")
    assert again.stdout.split("\t")[1] == "already stored"
    listed = invoke("articles", "list").stdout.splitlines()
    assert len(listed) == 2
    assert all("\t2026-03-01 08:00\twire\t" in line for line in listed)
    assert invoke("articles", "list", "--source", "other").stdout == ""


def test_every_list_command_prints_json_rows_on_request(env: Path) -> None:
    assert invoke("articles", "add", "harbor.txt", "--source", "wire").exit_code == 0
    assert invoke("schedules", "create", "Morning", "--cron", "30 7 * * *").exit_code == 0
    assert invoke("feeds", "add", "https://example.org/rss.xml", "--source", "Example").exit_code == 0
    assert invoke("keys", "create", "ops").exit_code == 0
    (article,) = json.loads(invoke("articles", "list", "--format", "json").stdout)
    assert article["source"] == "wire" and article["text"] == HARBOR
    (schedule,) = json.loads(invoke("schedules", "list", "--format", "json").stdout)
    assert (schedule["id"], schedule["name"], schedule["cron"]) == (1, "Morning", "30 7 * * *")
    (feed,) = json.loads(invoke("feeds", "list", "--format", "json").stdout)
    assert feed["url"] == "https://example.org/rss.xml" and feed["last_status"] is None
    (key,) = json.loads(invoke("keys", "list", "--format", "json").stdout)
    assert key["name"] == "ops" and key["revoked_at"] is None
    assert set(key) == {"id", "name", "prefix", "created_at", "revoked_at"}  # never the key nor its hash
    # text stays the default: one tab-separated line per row
    assert invoke("schedules", "list").stdout.startswith("1\tMorning\t30 7 * * *\tUTC")


def test_articles_add_checks_every_file_before_storing_any(env: Path) -> None:
    result = invoke("articles", "add", "harbor.txt", "missing.txt")
    assert isinstance(result.exception, InputError)
    assert invoke("articles", "list").stdout == ""


# --- usage errors through the installed command ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["brief", "harbor.txt", "tram.txt", "-o", "one.md"], "-o one.md names one file, but 2 inputs"),
        (["brief", "harbor.txt", "-o", "missing/dir/x.md"], "the folder missing/dir does not exist"),
        (["brief", "ftp://example.org/x"], "only http:// and https:// URLs"),
        (["brief", "harbor.txt", "--format", "pdf"], "--format must be one of"),
        (["briefs", "list", "--since", "bogus"], "--since 'bogus'"),
        (["articles", "list", "--format", "csv"], "--format must be one of: text, json"),
        (["schedules", "list", "--format", "csv"], "--format must be one of: text, json"),
        (["feeds", "list", "--format", "csv"], "--format must be one of: text, json"),
        (["keys", "list", "--format", "csv"], "--format must be one of: text, json"),
        (["briefs", "show", "nope"], "no brief with id 'nope'"),
        (["articles", "add", "harbor.txt", "tram.txt", "--title", "T"], "--title and --url describe one"),
        (["articles", "add", "harbor.txt", "--published-at", "yesterday"], "--published-at 'yesterday'"),
        (["articles", "add", "harbor.txt", "--url", "ftp://x"], "--url"),
    ],
)
def test_usage_errors_are_one_line_exit_2_and_write_nothing(args: list[str], message: str, env: Path) -> None:
    done = run_installed(*args, cwd=env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("briefing: error: ") and message in line
    assert not (env / "one.md").exists() and not (env / "missing").exists()
    if (env / "data").exists():
        store = open_store(Settings(data_dir=env / "data"))
        try:
            assert store.list_articles(limit=5) == []
        finally:
            store.close()
