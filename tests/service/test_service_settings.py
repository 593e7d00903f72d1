"""Service settings from the environment: key and model lists as JSON or comma-separated."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from briefing.config import Settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("key-one", ["key-one"]),
        ("key-one,key-two", ["key-one", "key-two"]),
        (" key-one , key-two ,, ", ["key-one", "key-two"]),
        ('["key-one", "key,with,commas"]', ["key-one", "key,with,commas"]),
        ("", []),
    ],
)
def test_api_keys_from_env_as_json_or_comma_separated(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]
) -> None:
    monkeypatch.setenv("BRIEFING_API_KEYS", raw)
    monkeypatch.setenv("BRIEFING_MODELS", raw)
    settings = Settings()
    assert settings.api_keys == expected and settings.models == expected


def test_broken_json_list_is_a_clear_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_API_KEYS", '["unterminated')
    with pytest.raises(ValidationError, match="not a valid JSON list"):
        Settings()


def test_comma_separated_keys_guard_the_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from api.main import create_app

    monkeypatch.setenv("BRIEFING_API_KEYS", "first-key,second-key")
    monkeypatch.setenv("BRIEFING_ALLOWED_HOSTS", "testserver")
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BRIEFING_SCHEDULER_ENABLED", "false")
    with TestClient(create_app()) as client:
        assert client.get("/v1/briefs").status_code == 401
        for key in ("first-key", "second-key"):
            assert client.get("/v1/briefs", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert (
            client.get("/v1/briefs", headers={"Authorization": "Bearer first-key,second-key"}).status_code
            == 403
        )
