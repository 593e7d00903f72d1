"""Bad environment values are a ConfigError that names the variable, not a pydantic traceback."""

from __future__ import annotations

import pytest

from briefing.config import get_settings
from briefing.errors import ConfigError


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("BRIEFING_GROUNDING", "nope", "'flag' or 'strict'"),
        ("BRIEFING_LLM_TIMEOUT", "soon", "valid number"),
        ("BRIEFING_CONTEXT_WINDOWS", "not json", "JSON"),
    ],
)
def test_bad_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"invalid setting {variable}: ") as raised:
        get_settings()
    assert said in raised.value.message and raised.value.exit_code == 2


def test_cli_prints_one_line_for_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    from briefing.cli import main

    article = tmp_path / "a.txt"
    article.write_text("The council met on Monday.")
    monkeypatch.setenv("BRIEFING_ENGINE", "nope")
    monkeypatch.setattr("sys.argv", ["briefing", "brief", str(article)])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "briefing: error: invalid setting BRIEFING_ENGINE: Input should be 'llm', 'offline' or 'lead'"
    ]
