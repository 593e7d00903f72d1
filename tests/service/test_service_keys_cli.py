"""`briefing keys create|revoke`: an empty name is refused, and revoke takes an id or a prefix, or
the start of either, or the prefix as `keys list` shows it (with its ellipsis); a start that
several keys share is refused with the matches listed, and nothing is revoked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config import Settings
from briefing.errors import InputError, NotFoundError
from briefing.store import open_store


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _keys(data: Path) -> dict[str, tuple[str, bool]]:
    store = open_store(Settings(data_dir=data))
    try:
        return {info.id: (info.prefix, info.revoked_at is not None) for info in store.list_api_keys()}
    finally:
        store.close()


def test_an_empty_key_name_is_a_one_line_usage_error(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "BRIEFING_"))}
    env.pop("DATABASE_URL", None)
    env.update({"BRIEFING_DATA_DIR": str(tmp_path / "data"), "BRIEFING_ENV_FILE": ""})
    for name in ("", "   "):
        done = subprocess.run(  # `-m briefing`: this checkout's code, as PYTHONPATH says
            [sys.executable, "-m", "briefing", "keys", "create", name],
            capture_output=True,
            text=True,
            env=env,
            timeout=90,
        )
        assert done.returncode == 2, (done.stdout, done.stderr)
        assert done.stdout == ""
        assert (
            done.stderr
            == "briefing: error: keys create: give the key a name (who or what uses it), not an empty one\n"
        )
    assert not (tmp_path / "data").exists()  # nothing was made


def test_revoke_by_id_start_listed_prefix_and_ambiguous_start(data: Path) -> None:
    made = [CliRunner().invoke(app, ["keys", "create", name]) for name in ("alice", "bob")]
    assert all(result.exit_code == 0 for result in made)
    keys = _keys(data)
    (alice_id, bob_id) = list(keys)
    listed = CliRunner().invoke(app, ["keys", "list"]).stdout.splitlines()
    shown_prefix = listed[0].split("\t")[1]  # "brf_XXXXXX…", as a user would copy it (tab-separated)
    assert shown_prefix.endswith("…")

    ambiguous = CliRunner().invoke(app, ["keys", "revoke", "brf_"])  # every prefix starts so
    assert isinstance(ambiguous.exception, InputError)
    message = str(ambiguous.exception)
    assert message.startswith("'brf_' is ambiguous: it matches 2 API keys: ")
    assert alice_id in message and bob_id in message and "'alice'" in message and "'bob'" in message
    assert not any(revoked for _, revoked in _keys(data).values())  # nothing revoked

    pasted = CliRunner().invoke(app, ["keys", "revoke", shown_prefix])
    assert pasted.exit_code == 0, pasted.output
    assert pasted.stdout == f"revoked {alice_id} ({keys[alice_id][0]}…)\n"
    start = bob_id[:8]  # the start of the listed id
    assert alice_id[:8] != start
    by_start = CliRunner().invoke(app, ["keys", "revoke", start])
    assert by_start.exit_code == 0 and by_start.stdout.startswith(f"revoked {bob_id} ")
    assert all(revoked for _, revoked in _keys(data).values())

    missing = CliRunner().invoke(app, ["keys", "revoke", "zzzz"])
    assert isinstance(missing.exception, NotFoundError)
    assert "no API key with id or prefix 'zzzz'" in str(missing.exception)


def test_a_prefix_start_matches_case_sensitively(data: Path) -> None:
    assert CliRunner().invoke(app, ["keys", "create", "carol"]).exit_code == 0
    ((key_id, (prefix, _)),) = _keys(data).items()
    other_case = prefix[:4] + prefix[4:].swapcase()
    if other_case == prefix:  # a prefix with no letters after "brf_": nothing to swap
        pytest.skip("the random prefix has no letters")
    assert isinstance(CliRunner().invoke(app, ["keys", "revoke", other_case]).exception, NotFoundError)
    assert CliRunner().invoke(app, ["keys", "revoke", prefix[:7]]).stdout.startswith(f"revoked {key_id} ")
