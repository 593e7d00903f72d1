"""Start-up: what a CLI command imports and when the store skips Alembic (see bench/bench_startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.util import cache_from_source
from pathlib import Path

import pytest
from sqlalchemy import text

from briefing.store import open_store
from briefing.store.database import at_heads, make_engine, migrate, script_heads
from tests.conftest import POSTGRES_URL

ARTICLE = Path(__file__).resolve().parents[2] / "examples" / "article.txt"
# Run the CLI's entry point with these arguments, then list every module the command imported.
CLI_PROBE = """
import sys
listing, sys.argv = sys.argv[1], ["briefing", *sys.argv[2:]]
try:
    from briefing.cli import main
    main()
finally:
    with open(listing, "w", encoding="utf-8") as out:
        out.write(" ".join(sorted(sys.modules)))
"""


@pytest.fixture(scope="module", autouse=True)
def _bytecode(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The probes' bytecode cached in one scratch folder, so each probe does not compile the
    sources again (PYTHONDONTWRITEBYTECODE may be set, on an install without bytecode); what a
    process imports is the same either way."""
    import typer

    import briefing.cli

    if all(Path(cache_from_source(module.__file__ or "")).is_file() for module in (briefing.cli, typer)):
        yield  # compiled at install (make setup)
        return
    env = {"PYTHONPYCACHEPREFIX": str(tmp_path_factory.mktemp("pycache")), "PYTHONDONTWRITEBYTECODE": ""}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    os.environ.pop("PYTHONDONTWRITEBYTECODE")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def _packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def _cli_imports(tmp_path: Path, *args: str) -> tuple[set[str], str]:
    """(the modules a `briefing ARGS` process imported, its stdout), on the data dir in tmp_path."""
    listing = tmp_path / "modules.txt"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BRIEFING_", "OPENAI_"))}
    env.pop("DATABASE_URL", None)
    env.update({"BRIEFING_DATA_DIR": str(tmp_path / "data"), "BRIEFING_ENV_FILE": ""})
    done = subprocess.run(
        [sys.executable, "-c", CLI_PROBE, str(listing), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(listing.read_text(encoding="utf-8").split()), done.stdout


def test_the_offline_engine_does_not_import_scikit_learn_or_alembic() -> None:
    loaded = _imported_after("import briefing.engines.offline, briefing.store")
    assert "briefing.engines.offline.summarize" in loaded  # the probe did import the engine
    assert not {name for name in loaded if name.split(".")[0] in {"sklearn", "scipy", "alembic"}}


def test_the_cli_app_imports_no_engine_store_settings_or_numeric_stack() -> None:
    loaded = _imported_after("import briefing.cli")
    heavy = {"sqlalchemy", "numpy", "sklearn", "httpx", "openai", "alembic", "pydantic_settings", "blingfire"}
    assert "briefing.cli" in loaded
    assert not _packages(loaded) & heavy
    assert not {"asyncio", "importlib.metadata", "briefing.config", "briefing.store"} & loaded


def test_the_store_package_and_its_sqlite3_path_import_no_sqlalchemy() -> None:
    loaded = _imported_after("import briefing.store, briefing.store.lite")
    assert "briefing.store.lite" in loaded
    assert not _packages(loaded) & {"sqlalchemy", "alembic"}
    assert "Store" in _imported_after("from briefing.store import Store; print(Store.__name__)")


def test_a_one_article_brief_imports_no_sqlalchemy_llm_client_or_blingfire_module(tmp_path) -> None:
    """The start-up budget of `briefing brief` (bench/bench_startup.py), guarded by what it imports.

    On a store at head the cache goes through sqlite3, blingfire's library is called without its
    module (which imports numpy), the sentence ranking of a short article runs in plain Python
    (no numpy either), and a cached brief needs no LLM client.
    """
    from briefing.config import Settings

    open_store(Settings(data_dir=tmp_path / "data")).close()  # migrated, as after any first command
    fresh, made = _cli_imports(tmp_path, "brief", str(ARTICLE), "--no-cache", "--quiet")
    not_for_a_brief = {"sqlalchemy", "alembic", "openai", "httpx", "blingfire", "sklearn", "scipy"}
    assert "briefing.engines.offline.engine" in fresh  # the engine ran
    # stderr is a pipe here: its notes are plain lines, without rich
    assert not _packages(fresh) & (not_for_a_brief | {"numpy", "rich"})
    cached, again = _cli_imports(tmp_path, "brief", str(ARTICLE), "--quiet")
    assert again.replace(" · cached*", "*") == made  # served from the store the first run wrote
    assert not _packages(cached) & (not_for_a_brief | {"numpy", "pysbd", "rich"})
    assert "briefing.second_opinion" not in cached and "briefing.store.store" not in cached


def test_verify_imports_no_settings_store_or_numeric_stack(tmp_path) -> None:
    claims = tmp_path / "claims.txt"
    claims.write_text("About 2,400 workers walked out on June 1.\n", encoding="utf-8")
    loaded, report = _cli_imports(tmp_path, "verify", str(ARTICLE), str(claims), "--no-fail")
    assert "supported" in report
    assert not _packages(loaded) & {"sqlalchemy", "numpy", "pydantic_settings", "openai", "blingfire"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "One sentence.",
        "Sen. Warren replied. It was 3.5 p.m. in the U.S. \u201cNo,\u201d he said! Was it? Yes.",
        "Gr\u00fc\u00dfe aus M\u00fcnchen. \u4f60\u597d\u3002 Emoji \U0001f600 end.\nNew line here. " * 40,
    ],
)
def test_the_library_splitter_matches_blingfires_module(text: str) -> None:
    import blingfire

    from briefing.engines.offline.bling import library_path, text_to_sentences

    assert library_path() is not None  # the library itself is called, not the module's wrapper
    assert text_to_sentences(text) == blingfire.text_to_sentences(text)


def test_script_heads_names_the_last_revision() -> None:
    heads = script_heads()
    assert len(heads) == 1
    (head,) = heads
    assert head.startswith("0002") or head > "0002"


def test_a_store_at_head_skips_alembic_and_an_older_one_runs_it(settings, monkeypatch) -> None:
    from alembic import command

    open_store(settings).close()
    upgrades: list[str] = []
    monkeypatch.setattr(command, "upgrade", lambda config, revision: upgrades.append(revision))
    engine = make_engine(settings)
    try:
        assert at_heads(engine)
        migrate(engine)
        assert upgrades == []  # at head: Alembic was not asked
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0001_core'"))
        assert not at_heads(engine)
        migrate(engine)
        assert upgrades == ["heads"]
    finally:
        engine.dispose()


def test_a_fresh_database_is_not_at_head(tmp_path) -> None:
    from briefing.config import Settings

    engine = make_engine(Settings(data_dir=tmp_path / "fresh"))
    try:
        assert not at_heads(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_at_heads_on_postgresql() -> None:
    if not POSTGRES_URL:
        pytest.skip("DATABASE_URL is not set; PostgreSQL tests run in CI (.ci/run)")
    from briefing.config import Settings

    engine = make_engine(Settings(database_url=POSTGRES_URL))
    try:
        migrate(engine)
        assert at_heads(engine)
    finally:
        engine.dispose()


def _outcome(cli_command, args: list[str], capsys) -> tuple[str, str, int]:
    """(stdout, stderr, exit code) of the click command as `briefing.cli.main` runs it."""
    from briefing.cli import _click_exception_type, _usage_error

    try:
        code = cli_command.main(args=list(args), prog_name="briefing", standalone_mode=False)
    except _click_exception_type() as error:
        code = _usage_error(error)
    captured = capsys.readouterr()
    return captured.out, captured.err, int(code or 0)


@pytest.mark.parametrize(
    "args",
    [
        ["brief", "--help"],
        ["brief"],
        ["brief", "--jobs", "0", "x.txt"],
        ["briefs", "list", "--help"],
        ["briefs", "nope"],
        ["verify", "only-one.txt"],
        ["serve", "--port", "0"],
        ["keys", "--help"],
    ],
)
def test_a_command_built_alone_parses_helps_and_fails_as_in_the_whole_tree(args: list[str], capsys) -> None:
    from briefing.cli import command

    alone = command(args)
    assert list(alone.commands) == [args[0]]  # only its branch was built
    outcome = _outcome(alone, args, capsys)
    assert outcome[0] or outcome[1]  # help on stdout or an error on stderr
    assert outcome == _outcome(command([]), args, capsys)


def test_no_command_an_option_or_an_unknown_name_builds_the_whole_tree(monkeypatch) -> None:
    from briefing.cli import command

    whole = set(command([]).commands)
    assert {"brief", "verify", "briefs", "serve", "eval"} <= whole
    assert set(command(["--version"]).commands) == whole
    assert set(command(["nosuch"]).commands) == whole
    monkeypatch.setenv("_BRIEFING_COMPLETE", "bash_complete")
    assert set(command(["brief"]).commands) == whole  # completion may ask about any command


def test_notes_are_plain_lines_off_a_terminal_and_richs_console_on_one(monkeypatch) -> None:
    import io

    from rich.console import Console

    from briefing.cli.notes import PlainNotes, stderr_notes

    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    notes = stderr_notes()
    assert isinstance(notes, PlainNotes) and notes.is_terminal is False
    long = "warning: " + "word " * 40  # longer than a terminal line: never wrapped
    notes.print(long, style="yellow", highlight=False)
    notes.print("wrote out.md", style="dim")
    assert piped.getvalue() == f"{long}\nwrote out.md\n"

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    assert isinstance(stderr_notes(), Console)
