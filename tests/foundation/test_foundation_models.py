from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from briefing.config import Settings
from briefing.engines import get_engine
from briefing.errors import UnknownEngineError
from briefing.models import SCHEMA_VERSION, Article, Brief, BriefMeta, article_id_for, brief_json_schema


def test_article_id_ignores_trivial_formatting_differences() -> None:
    a = Article(text="Line one.  \r\n\r\n\r\nLine two.\n")
    b = Article(text="Line one.\n\nLine two.")
    assert a.id == b.id == article_id_for("Line one.\n\nLine two.")
    assert a.text == "Line one.\n\nLine two."
    assert Article(text="Line one. Line three.").id != a.id


def test_brief_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        Brief.model_validate({"headline": "h", "summary": "s", "meta": {"engine": "x"}, "mood": "grim"})


def test_schema_is_versioned_and_names_every_section() -> None:
    schema = brief_json_schema()
    assert schema["$id"].endswith(f"/{SCHEMA_VERSION}.json")
    for section in ("actors", "status", "disputes", "next_steps", "meta"):
        assert section in schema["properties"]
    json.dumps(schema)  # serialisable


def test_items_lists_every_section_in_order() -> None:
    brief = Brief.model_validate(
        {
            "headline": "h",
            "summary": "s",
            "actors": [{"name": "A"}],
            "status": [{"text": "S"}],
            "disputes": [{"issue": "D"}],
            "next_steps": [{"action": "N"}],
            "meta": BriefMeta(engine="x").model_dump(),
        }
    )
    assert [type(item).__name__ for item in brief.items()] == ["Actor", "StatusItem", "Dispute", "NextStep"]


def test_default_engine_follows_llm_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().default_engine == "offline"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    assert Settings().default_engine == "llm"
    monkeypatch.setenv("BRIEFING_ENGINE", "lead")
    assert Settings().default_engine == "lead"


def test_database_url_defaults_to_sqlite_in_data_dir(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(data_dir=tmp_path).resolved_database_url == f"sqlite:///{tmp_path / 'briefing.db'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings().resolved_database_url == "postgresql+psycopg://u@h/db"


def test_unknown_engine_names_the_choices(settings: Settings) -> None:
    with pytest.raises(UnknownEngineError, match="choose one of: lead, llm, offline"):
        get_engine("gpt-magic", settings)
