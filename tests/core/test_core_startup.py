"""Start-up: what a CLI command imports and when the store skips Alembic (see bench/bench_startup.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

from briefing.store import open_store
from briefing.store.database import at_heads, make_engine, migrate, script_heads
from tests.conftest import POSTGRES_URL


def _imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_offline_engine_does_not_import_scikit_learn_or_alembic() -> None:
    loaded = _imported_after("import briefing.engines.offline, briefing.store")
    assert "briefing.engines.offline.summarize" in loaded  # the probe did import the engine
    assert not {name for name in loaded if name.split(".")[0] in {"sklearn", "scipy", "alembic"}}


def test_the_cli_app_imports_no_engine_store_or_numeric_stack() -> None:
    loaded = _imported_after("import briefing.cli")
    heavy = {"sqlalchemy", "numpy", "sklearn", "httpx", "openai", "alembic"}
    assert "briefing.cli" in loaded
    assert not {name for name in loaded if name.split(".")[0] in heavy}


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
